//
// SocketWait.cpp
//

#include "fwdproxy/io/SocketWait.h"

#include <Poco/Exception.h>

#include <cerrno>
#include <cstring>

#ifdef _WIN32
#include <winsock2.h>
#define poll WSAPoll
#else
#include <poll.h>
#endif


namespace fwdproxy {
namespace io {


WaitResult waitReadable(poco_socket_t fd, int timeoutMilliseconds)
{
	pollfd entry{};
	entry.fd = fd;
	entry.events = POLLIN;
	while (true)
	{
		int rc = ::poll(&entry, 1, timeoutMilliseconds);
		if (rc > 0) return WaitResult::Ready;
		if (rc == 0) return WaitResult::TimedOut;
		// A signal interrupts the wait; the caller's deadline still bounds it
		// because the next wait uses the time that remains.
		if (errno != EINTR) throw Poco::IOException("poll failed", std::strerror(errno));
	}
}


bool hasBufferedTlsBytes(Poco::Net::StreamSocket& socket)
{
	return socket.secure() && socket.available() > 0;
}


WaitResult waitReadable(Poco::Net::StreamSocket& socket, int timeoutMilliseconds)
{
	if (hasBufferedTlsBytes(socket)) return WaitResult::Ready;
	return waitReadable(socket.impl()->sockfd(), timeoutMilliseconds);
}


} } // namespace fwdproxy::io
