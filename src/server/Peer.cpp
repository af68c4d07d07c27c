//
// Peer.cpp
//

#include "fwdproxy/server/Peer.h"
#include "fwdproxy/io/SocketShutdown.h"

#include <Poco/Exception.h>


namespace fwdproxy {
namespace server {


Peer::Peer(std::size_t bufferSize):
	_reader(_socket, bufferSize)
{
}


Peer::Peer(const Poco::Net::StreamSocket& socket, std::size_t bufferSize):
	_socket(socket),
	_reader(_socket, bufferSize),
	_connected(true)
{
}


void Peer::attach(const Poco::Net::StreamSocket& socket, const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_socket = socket;
	_reader.clear();
	_key = key;
	_connected = true;
	try
	{
		_remoteHost = _socket.peerAddress().host().toString();
	}
	catch (const Poco::Exception&)
	{
		// A connection that failed already has no peer to name, and its first use reports the failure.
		_remoteHost.clear();
	}
}


void Peer::close()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_connected) return;

	_connected = false;
	_key.clear();
	_reader.clear();
	try
	{
		_socket.close();
	}
	catch (const Poco::Exception&)
	{
		// Closing an already failed socket has nothing left to report.
	}
}


void Peer::detach()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connected = false;
	_key.clear();
	_reader.clear();
	_socket = Poco::Net::StreamSocket();
}


void Peer::shutdown()
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (!_connected) return;

	// Another thread may be inside a TLS read on this socket, so only the
	// descriptor is touched, never the TLS state.
	io::shutdownBoth(_socket);
}


void Peer::send(std::string_view bytes, int flags)
{
	if (bytes.empty()) return;

	_socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()), flags);
	_bytesSent += bytes.size();
}


} } // namespace fwdproxy::server
