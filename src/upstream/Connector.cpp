//
// Connector.cpp
//

#include "fwdproxy/upstream/Connector.h"
#include "fwdproxy/io/Deadline.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>

#ifndef _WIN32
#include <netinet/in.h>
#endif


using Poco::Net::IPAddress;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace fwdproxy {
namespace upstream {


namespace {


// Binds the socket to a local address before it connects, so that the
// connection comes from that address. The port stays 0 for the kernel to choose, and
// IP_BIND_ADDRESS_NO_PORT delays that choice to connect(), where the port
// can be shared between different destinations.
void bindOutgoing(StreamSocket& socket, const IPAddress& local)
{
#ifdef IP_BIND_ADDRESS_NO_PORT
	socket.impl()->setOption(IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
#endif
	socket.impl()->bind(SocketAddress(local, 0), false);
}


} // namespace


Connector::Connector(ResolverCache& resolver, const policy::CidrSet& denyNetworks,
	const std::vector<SocketAddress>& selfAddresses, std::chrono::milliseconds timeout,
	const std::vector<IPAddress>& outgoingAddresses):
	_resolver(resolver),
	_denyNetworks(denyNetworks),
	_selfAddresses(selfAddresses),
	_timeout(timeout),
	_outgoingAddresses(outgoingAddresses)
{
}


Connection Connector::connect(const std::string& host, std::uint16_t port) const
{
	Connection connection;
	std::vector<IPAddress> addresses;
	if (!_resolver.resolve(host, addresses, connection.detail))
	{
		connection.reason = http::Reason::DnsFailure;
		return connection;
	}

	io::Deadline deadline = io::Deadline::after(_timeout);
	connection.reason = http::Reason::DestinationDenied;
	for (const IPAddress& address: addresses)
	{
		if (_denyNetworks.contains(address))
		{
			if (connection.reason == http::Reason::DestinationDenied) connection.detail = address.toString() + " is in proxy.destinations.denyNetworks";
			continue;
		}

		SocketAddress target(address, port);
		if (std::find(_selfAddresses.begin(), _selfAddresses.end(), target) != _selfAddresses.end())
		{
			connection.reason = http::Reason::ForwardingLoop;
			connection.detail = target.toString() + " is this proxy's own listening address";
			return connection;
		}

		int left = deadline.remainingMilliseconds();
		if (left <= 0)
		{
			connection.reason = http::Reason::ConnectTimeout;
			break;
		}

		try
		{
			StreamSocket socket(target.family());
			for (const IPAddress& local: _outgoingAddresses)
			{
				if (local.family() == address.family()) bindOutgoing(socket, local);
			}
			socket.connect(target, Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(left) * 1000));
			socket.setNoDelay(true);
			connection.socket = socket;
			connection.reason = http::Reason::None;
			connection.detail.clear();
			return connection;
		}
		catch (const Poco::TimeoutException&)
		{
			connection.reason = http::Reason::ConnectTimeout;
			connection.detail = "timed out connecting to " + target.toString();
		}
		catch (const Poco::Net::ConnectionRefusedException&)
		{
			connection.reason = http::Reason::ConnectRefused;
			connection.detail = "connection refused by " + target.toString();
		}
		catch (const Poco::Exception& e)
		{
			connection.reason = http::Reason::ConnectFailed;
			connection.detail = target.toString() + ": " + e.displayText();
		}
	}
	return connection;
}


} } // namespace fwdproxy::upstream
