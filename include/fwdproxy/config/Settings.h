//
// Settings.h
//
// The typed, validated configuration that the proxy runs with.
//

#pragma once

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/observe/AccessLogFormat.h"
#include "fwdproxy/observe/TraceOptions.h"
#include "fwdproxy/policy/Authenticator.h"
#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/policy/HostPatternSet.h"
#include "fwdproxy/policy/PortSet.h"
#include "fwdproxy/upstream/Router.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/IPAddress.h>
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


struct PacDirectRule
	/// One entry of proxy.pac.direct: hosts that browsers reach without the proxy.
{
	enum class Kind
	{
		Host,      ///< value is a whole host name, such as localhost.
		Domain,    ///< value is a domain with its leading dot, such as .internal: the domain and its subdomains.
		Pattern,   ///< value is a shell expression with * and ?, for shExpMatch().
		Network    ///< address and mask are dotted IPv4 quads, for isInNet().
	};

	Kind kind = Kind::Host;
	std::string value;     ///< Lower case, as written in the property.
	std::string address;   ///< Network only: the network address.
	std::string mask;      ///< Network only: the netmask, such as 255.0.0.0.
};


struct Listener
	/// One proxy.listen entry.
{
	Poco::Net::SocketAddress address;
	bool tls = false;             ///< Clients speak TLS to the proxy ("tls:" prefix).
	bool proxyProtocol = false;   ///< Each connection starts with a PROXY protocol header ("proxy:" prefix).

	bool operator==(const Listener& other) const
	{
		return address == other.address && tls == other.tls && proxyProtocol == other.proxyProtocol;
	}

	bool operator!=(const Listener& other) const { return !(*this == other); }
};


struct Settings
	/// One immutable snapshot of the proxy.* properties. A connection takes the
	/// snapshot once when it starts, so a change never applies halfway through.
{
	std::vector<Listener> listen;
	Poco::Net::Context::Ptr tlsServerContext;   ///< Set when a listener uses TLS.
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

	upstream::Router router;                                 ///< proxy.direct and the parent proxies.
	std::vector<Poco::Net::IPAddress> outgoingAddresses;     ///< At most one per address family.

	std::size_t poolMaxIdle = 256;
	std::size_t poolMaxIdlePerDestination = 16;
	std::chrono::milliseconds poolIdleTimeout{30000};
	std::chrono::milliseconds dnsCacheTime{60000};   ///< 0 turns the cache off.

	observe::AccessLogFormat accessLogFormat = observe::AccessLogFormat::Native;
	std::vector<Poco::Net::SocketAddress> adminListen;   ///< Empty turns the admin listener off.
	policy::CidrSet adminClientsAllow;
	std::string pacProxy;   ///< host:port for "PROXY host:port"; empty means the first proxy.listen address.
	std::vector<PacDirectRule> pacDirect;

	observe::TraceOptions tracing;   ///< proxy.trace* and proxy.har.*.

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
