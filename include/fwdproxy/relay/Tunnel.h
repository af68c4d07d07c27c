//
// Tunnel.h
//
// Relays bytes both ways between two connected sockets until both directions
// have ended: the loop behind CONNECT.
//

#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstdint>
#include <string_view>


namespace fwdproxy {
namespace relay {


struct TunnelResult
{
	std::uint64_t clientToServer = 0;   ///< Bytes relayed from the first socket to the second.
	std::uint64_t serverToClient = 0;
	bool idleTimeout = false;           ///< True when the tunnel ended for lack of traffic.
	bool error = false;                 ///< True when a socket failed (reset, send timeout).
};


TunnelResult runTunnel(Poco::Net::StreamSocket& client, Poco::Net::StreamSocket& server,
	std::string_view clientPending, std::chrono::milliseconds idleTimeout);
	/// Sends clientPending (bytes the client sent after its request head) to
	/// server, then relays with one poll(2) over both sockets. When one side
	/// stops sending, the other side's sending half is shut down, so a
	/// half-closed exchange completes; a TLS socket has no half-close, so
	/// ending its sending half ends the tunnel (io::shutdownSending). Returns
	/// when both directions have ended, on a socket error, or after
	/// idleTimeout without traffic either way. Either socket may be TLS;
	/// splice(2) is used only between two plain TCP sockets.


} } // namespace fwdproxy::relay
