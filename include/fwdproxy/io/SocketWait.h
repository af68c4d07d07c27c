//
// SocketWait.h
//
// Waits on raw socket descriptors with poll(2). Poco's Socket::poll creates
// and closes an epoll instance on every call in POCO 1.11, which costs more
// than a small relay step, so the hot paths use poll(2) directly.
//

#pragma once

#include <Poco/Net/Socket.h>
#include <Poco/Net/StreamSocket.h>


namespace fwdproxy {
namespace io {


enum class WaitResult
{
	Ready,
	TimedOut
};


WaitResult waitReadable(poco_socket_t fd, int timeoutMilliseconds);
	/// Waits until fd can be read without blocking, or has hung up or failed
	/// (a read then reports it). Throws Poco::IOException if poll(2) fails.

WaitResult waitReadable(Poco::Net::StreamSocket& socket, int timeoutMilliseconds);
	/// Waits like the descriptor form, except that a TLS socket whose library
	/// already contains decrypted bytes is Ready at once, because poll(2) reports
	/// only the bytes still in the kernel and would wait for more.

bool hasBufferedTlsBytes(Poco::Net::StreamSocket& socket);
	/// Returns true when socket is a TLS socket with decrypted bytes waiting
	/// in the TLS library, which a read returns without touching the kernel.


} } // namespace fwdproxy::io
