//
// Settings.h
//
// The typed, validated configuration that the proxy runs with.
//

#pragma once

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/policy/Authenticator.h"
#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/policy/HostPatternSet.h"
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


enum class ForwardedFor
	/// Treatment of X-Forwarded-For and Forwarded on forwarded requests.
{
	Delete,        ///< Remove them, so internal addresses do not leak to origins.
	Passthrough,   ///< Forward whatever the client sent.
	Add,           ///< Append the client's address to what the client sent.
	Truncate       ///< Replace what the client sent with the client's address.
};


struct Settings
	/// One immutable snapshot of the proxy.* properties. A connection takes the
	/// snapshot once when it starts, so a change never applies halfway through.
{
	std::vector<Poco::Net::SocketAddress> listen;
	std::string user;    ///< Account to switch to after binding, when started as root.
	std::string group;
	policy::CidrSet clientsAllow;
	policy::CidrSet clientsDeny;
	policy::PortSet connectPorts;
	policy::CidrSet denyNetworks;
	policy::HostPatternSet destinationsAllow;   ///< Empty allows every host.
	policy::HostPatternSet destinationsDeny;

	std::shared_ptr<policy::Authenticator> authenticator;   ///< nullptr when authentication is off.
	std::string authRealm;
	policy::CidrSet authExemptClients;

	std::string viaPseudonym;
	bool viaEnabled = true;
	ForwardedFor forwardedFor = ForwardedFor::Delete;
	bool forwardedForXff = true;         ///< The mode applies to X-Forwarded-For.
	bool forwardedForForwarded = true;   ///< The mode applies to Forwarded (RFC 7239).
	std::vector<std::string> headersRemove;
	http::Fields headersAdd;

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
	std::uint64_t maxRequestBody = 0;   ///< 0 means no limit.
	std::size_t maxConnections = 1000;
	std::size_t maxConnectionsPerClient = 100;

	std::size_t poolMaxIdle = 256;
	std::size_t poolMaxIdlePerDestination = 16;
	std::chrono::milliseconds poolIdleTimeout{30000};
	std::chrono::milliseconds dnsCacheTime{60000};   ///< 0 turns the cache off.

	bool addsVia() const { return viaEnabled && !viaPseudonym.empty(); }
	std::string via() const { return addsVia() ? "1.1 " + viaPseudonym : std::string(); }
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
