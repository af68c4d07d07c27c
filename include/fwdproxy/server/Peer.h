//
// Peer.h
//
// One end of an exchange: a socket with its receive buffer and a count of
// the bytes sent to it.
//

#pragma once

#include "fwdproxy/io/SocketReader.h"

#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace server {


#ifdef MSG_MORE
const int SEND_MORE = MSG_MORE;   ///< Lets the kernel join a framing line with the data that follows.
#else
const int SEND_MORE = 0;
#endif


class Peer
	/// The socket is replaceable (an origin connection changes between
	/// requests) and can be shut down from another thread, which is how a
	/// stopping server wakes a connection that waits on it.
{
public:
	explicit Peer(std::size_t bufferSize);
	Peer(const Poco::Net::StreamSocket& socket, std::size_t bufferSize);

	void attach(const Poco::Net::StreamSocket& socket, const std::string& key);
		/// Replaces the socket, dropping buffered bytes. key names the
		/// destination (host:port) so a later request can reuse the connection.

	void close();
	void detach();
		/// Forgets the socket without closing it, after it was handed to the pool.
	void shutdown();
		/// Shuts both directions down; safe to call from another thread.

	bool connected() const { return _connected; }
	const std::string& key() const { return _key; }
	const std::string& remoteHost() const { return _remoteHost; }
		///< The address of the socket's peer when it was attached, without port.

	void send(std::string_view bytes, int flags = 0);
		/// Sends all bytes or throws Poco::Net::NetException or Poco::TimeoutException.

	Poco::Net::StreamSocket& socket() { return _socket; }
	io::SocketReader& reader() { return _reader; }
	std::uint64_t bytesSent() const { return _bytesSent; }
	void countSent(std::uint64_t bytes) { _bytesSent += bytes; }
		/// Counts bytes that reached the socket without send(), through splice(2).

private:
	Poco::Net::StreamSocket _socket;
	io::SocketReader _reader;
	std::string _key;
	std::string _remoteHost;
	bool _connected = false;
	std::uint64_t _bytesSent = 0;
	std::mutex _mutex;
};


} } // namespace fwdproxy::server
