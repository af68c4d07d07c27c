//
// SocketShutdown.cpp
//

#include "fwdproxy/io/SocketShutdown.h"

#ifdef _WIN32
#include <winsock2.h>
#define SHUT_RDWR SD_BOTH
#else
#include <sys/socket.h>
#endif


namespace fwdproxy {
namespace io {


void shutdownSending(Poco::Net::StreamSocket& socket)
{
	// TODO: a TLS peer cannot keep sending after this; passing a TLS half-close on needs the SSL handle, which POCO 1.11 keeps private.
	if (socket.secure()) socket.shutdown();
	else socket.shutdownSend();
}


void shutdownBoth(Poco::Net::StreamSocket& socket)
{
	poco_socket_t fd = socket.impl()->sockfd();
	if (fd != POCO_INVALID_SOCKET) ::shutdown(fd, SHUT_RDWR);
}


} } // namespace fwdproxy::io
