//
// Settings.h
//
// The typed, validated configuration that the proxy runs with.
//

#pragma once

#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/policy/PortSet.h"

#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>


namespace fwdproxy {
namespace config {


struct Settings
	/// One immutable snapshot of the proxy.* properties. A connection takes the
	/// snapshot once when it starts, so a change never applies halfway through.
{
	std::vector<Poco::Net::SocketAddress> listen;
	policy::CidrSet clientsAllow;
	policy::PortSet connectPorts;
	policy::CidrSet denyNetworks;
	std::string viaPseudonym;

	int maxThreads = 1024;
	int maxQueued = 256;
	int stackSizeKiB = 256;

	std::chrono::milliseconds connectTimeout{10000};
	std::chrono::milliseconds headerTimeout{30000};
	std::chrono::milliseconds idleTimeout{60000};
	std::chrono::milliseconds responseTimeout{60000};
	std::chrono::milliseconds tunnelIdleTimeout{300000};
	std::chrono::milliseconds expectContinueTimeout{1000};
	std::chrono::milliseconds shutdownGrace{10000};

	std::size_t maxHeadSize = 65536;
	std::size_t maxTargetLength = 8192;

	std::string via() const { return viaPseudonym.empty() ? std::string() : "1.1 " + viaPseudonym; }
};


using SettingsPtr = std::shared_ptr<const Settings>;


class SettingsHolder
	/// Hands out the current snapshot to new connections.
{
public:
	explicit SettingsHolder(SettingsPtr settings): _settings(std::move(settings)) {}

	SettingsPtr get() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _settings;
	}

	void set(SettingsPtr settings)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_settings = std::move(settings);
	}

private:
	mutable std::mutex _mutex;
	SettingsPtr _settings;
};


} } // namespace fwdproxy::config
