//
// Connector.cpp
//

#include "fwdproxy/upstream/Connector.h"
#include "fwdproxy/io/Deadline.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif


using Poco::Net::IPAddress;
using Poco::Net::SocketAddress;
using Poco::Net::StreamSocket;


namespace fwdproxy {
namespace upstream {


Connector::Connector(const policy::CidrSet& denyNetworks, const std::vector<SocketAddress>& selfAddresses,
	std::chrono::milliseconds timeout):
	_denyNetworks(denyNetworks),
	_selfAddresses(selfAddresses),
	_timeout(timeout)
{
}


bool Connector::resolve(const std::string& host, std::vector<IPAddress>& addresses, std::string& error)
{
	IPAddress literal;
	if (IPAddress::tryParse(host, literal))
	{
		addresses.push_back(literal);
		return true;
	}

	// Poco::Net::DNS sets AI_ADDRCONFIG, which hides ::1 on hosts without a
	// global IPv6 address; plain getaddrinfo(3) returns every address.
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	addrinfo* result = nullptr;
	int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
	if (rc != 0)
	{
		error = gai_strerror(rc);
		return false;
	}

	for (addrinfo* entry = result; entry != nullptr; entry = entry->ai_next)
	{
		if (entry->ai_family == AF_INET || entry->ai_family == AF_INET6)
		{
			addresses.push_back(SocketAddress(entry->ai_addr, static_cast<poco_socklen_t>(entry->ai_addrlen)).host());
		}
	}
	::freeaddrinfo(result);

	if (addresses.empty()) error = "no IPv4 or IPv6 address";
	return !addresses.empty();
}


Connection Connector::connect(const std::string& host, std::uint16_t port) const
{
	Connection connection;
	std::vector<IPAddress> addresses;
	if (!resolve(host, addresses, connection.detail))
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
