//
// ConnectionRegistry.cpp
//

#include "fwdproxy/server/ConnectionRegistry.h"
#include "fwdproxy/server/ClientConnection.h"


namespace fwdproxy {
namespace server {


ConnectionRegistry::Counts ConnectionRegistry::add(ClientConnection* connection, const std::string& clientHost)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connections.insert(connection);

	Counts counts;
	counts.id = _nextId++;
	counts.total = _connections.size();
	counts.fromClient = ++_perClient[clientHost];
	return counts;
}


void ConnectionRegistry::remove(ClientConnection* connection, const std::string& clientHost)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_connections.erase(connection);
	uncount(clientHost);
}


void ConnectionRegistry::uncount(const std::string& clientHost)
{
	auto entry = _perClient.find(clientHost);
	if (entry != _perClient.end() && --entry->second == 0) _perClient.erase(entry);
}


std::size_t ConnectionRegistry::moveClient(const std::string& from, const std::string& to)
{
	std::lock_guard<std::mutex> lock(_mutex);
	uncount(from);
	return ++_perClient[to];
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
