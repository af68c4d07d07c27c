//
// ProxyHeaderReader.cpp
//

#include "fwdproxy/server/ProxyHeaderReader.h"
#include "fwdproxy/io/SocketWait.h"

#include <Poco/Exception.h>

#include <cerrno>
#include <cstring>

#ifndef _WIN32
#include <sys/socket.h>
#endif


namespace fwdproxy {
namespace server {


namespace {


// recv(2) that retries when a signal interrupts it. Returns the byte count,
// 0 at end of stream, or -1 with errno set.
long receive(poco_socket_t fd, char* buffer, std::size_t length, int flags)
{
	while (true)
	{
		long n = ::recv(fd, buffer, length, flags);
		if (n >= 0 || errno != EINTR) return n;
	}
}


} // namespace


ProxyHeaderRead readProxyHeader(Poco::Net::StreamSocket& socket, const io::Deadline& deadline,
	http::ProxyHeader& header, std::string& problem)
{
	poco_socket_t fd = socket.impl()->sockfd();
	std::string received;
	char buffer[http::ProxyHeader::MAX_LENGTH];
	while (true)
	{
		if (io::waitReadable(fd, deadline.remainingMilliseconds()) == io::WaitResult::TimedOut)
		{
			problem = "no complete PROXY protocol header in time";
			return ProxyHeaderRead::TimedOut;
		}

		// Peeking shows how far the header reaches without taking the bytes
		// after it, which belong to the client.
		long peeked = receive(fd, buffer, sizeof(buffer) - received.size(), MSG_PEEK);
		if (peeked <= 0)
		{
			problem = peeked == 0 ? "connection closed before the PROXY protocol header ended"
				: std::string("connection failed before the PROXY protocol header ended: ") + std::strerror(errno);
			return ProxyHeaderRead::Closed;
		}

		std::string candidate = received + std::string(buffer, static_cast<std::size_t>(peeked));
		http::ProxyHeaderStatus status = http::parseProxyHeader(candidate, header, problem);
		if (status == http::ProxyHeaderStatus::Invalid) return ProxyHeaderRead::Invalid;

		// Incomplete means that every peeked byte is part of the header.
		std::size_t take = status == http::ProxyHeaderStatus::Complete ? header.length - received.size()
			: static_cast<std::size_t>(peeked);
		long taken = receive(fd, buffer, take, 0);
		if (taken != static_cast<long>(take))
		{
			problem = "the PROXY protocol header could not be read again after peeking at it";
			return ProxyHeaderRead::Closed;
		}
		if (status == http::ProxyHeaderStatus::Complete) return ProxyHeaderRead::Complete;
		received.append(buffer, take);
	}
}


} } // namespace fwdproxy::server
