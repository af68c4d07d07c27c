//
// SocketShutdown.h
//
// Ends one or both directions of a connection, plain TCP or TLS alike.
//

#pragma once

#include <Poco/Net/StreamSocket.h>


namespace fwdproxy {
namespace io {


void shutdownSending(Poco::Net::StreamSocket& socket);
	/// Tells the peer that no more bytes follow. A plain TCP socket keeps
	/// receiving. A TLS socket sends its close_notify alert and then shuts
	/// down both TCP directions, because POCO 1.11 offers no TLS half-close:
	/// its shutdownSend() does nothing and its shutdown() always ends both
	/// directions. Throws Poco::Exception when the socket has failed.

void shutdownBoth(Poco::Net::StreamSocket& socket);
	/// Shuts both TCP directions down without a TLS alert, so that a thread
	/// blocked on the socket wakes up. Safe to call from another thread,
	/// because it touches only the descriptor, never the TLS state.


} } // namespace fwdproxy::io
