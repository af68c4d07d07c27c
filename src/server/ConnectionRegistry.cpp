//
// ConnectionRegistry.cpp
//

#include "fwdproxy/server/ConnectionRegistry.h"
#include "fwdproxy/server/ClientConnection.h"


namespace fwdproxy {
namespace server {


std::uint64_t ConnectionRegistry::add(ClientConnection* connection)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connections.insert(connection);
	return _nextId++;
}


void ConnectionRegistry::remove(ClientConnection* connection)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connections.erase(connection);
}


std::size_t ConnectionRegistry::active() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _connections.size();
}


void ConnectionRegistry::beginShutdown()
{
	_stopping.store(true);

	std::lock_guard<std::mutex> lock(_mutex);
	for (ClientConnection* connection: _connections)
	{
		if (connection->idle()) connection->abort();
	}
}


void ConnectionRegistry::abortAll()
{
	std::lock_guard<std::mutex> lock(_mutex);
	for (ClientConnection* connection: _connections) connection->abort();
}


} } // namespace fwdproxy::server
