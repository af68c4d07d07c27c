//
// Connector.cpp
//

#include "fwdproxy/upstream/Connector.h"
#include "fwdproxy/io/Deadline.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>



using Poco::Net::IPAddress;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace fwdproxy {
namespace upstream {


Connector::Connector(ResolverCache& resolver, const policy::CidrSet& denyNetworks,
	const std::vector<SocketAddress>& selfAddresses, std::chrono::milliseconds timeout):
	_resolver(resolver),
	_denyNetworks(denyNetworks),
	_selfAddresses(selfAddresses),
	_timeout(timeout)
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
			StreamSocket socket;
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
