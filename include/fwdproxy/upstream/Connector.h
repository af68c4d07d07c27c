//
// Connector.h
//
// Resolves a destination, applies the network guard to every address, and
// opens a TCP connection to the first address that passes and accepts.
//

#pragma once

#include "fwdproxy/http/Reason.h"
#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/upstream/ResolverCache.h"

#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>


namespace fwdproxy {
namespace upstream {


struct Connection
{
	http::Reason reason = http::Reason::None;   ///< None when socket is connected.
	Poco::Net::StreamSocket socket;
	std::string detail;                         ///< What failed, for the error log.
};


class Connector
{
public:
	Connector(ResolverCache& resolver, const policy::CidrSet& denyNetworks,
		const std::vector<Poco::Net::SocketAddress>& selfAddresses, std::chrono::milliseconds timeout,
		const std::vector<Poco::Net::IPAddress>& outgoingAddresses);
		/// selfAddresses are the proxy's own listening endpoints: connecting to
		/// one of them would make the proxy forward to itself. A socket is bound
		/// to the outgoing address of its destination's family, when there is one.

	Connection connect(const std::string& host, std::uint16_t port) const;
		/// Connects to host:port. Only addresses outside the denied networks are
		/// tried, in the resolver's order, so a name that resolves to a denied
		/// address is refused even when another lookup would answer differently
		/// (DNS rebinding). Reasons: DnsFailure, DestinationDenied, ForwardingLoop,
		/// ConnectRefused, ConnectTimeout (the whole attempt shares one timeout)
		/// or ConnectFailed.

private:
	ResolverCache& _resolver;
	const policy::CidrSet& _denyNetworks;
	const std::vector<Poco::Net::SocketAddress>& _selfAddresses;
	std::chrono::milliseconds _timeout;
	const std::vector<Poco::Net::IPAddress>& _outgoingAddresses;
};


} } // namespace fwdproxy::upstream
