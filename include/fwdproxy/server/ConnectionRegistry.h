//
// ConnectionRegistry.h
//
// The set of client connections being served, so that a stopping server can
// wake idle ones at once and cut the rest off after the grace period.
//

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <map>
#include <set>
#include <string>


namespace fwdproxy {
namespace server {


class ClientConnection;


class ConnectionRegistry
{
public:
	struct Counts
	{
		std::uint64_t id = 0;             ///< Unique for the process.
		std::size_t total = 0;            ///< Connections registered, this one included.
		std::size_t fromClient = 0;       ///< Of those, connections from the same client address.
	};

	Counts add(ClientConnection* connection, const std::string& clientHost);

	void remove(ClientConnection* connection, const std::string& clientHost);

	std::size_t moveClient(const std::string& from, const std::string& to);
		/// Counts a registered connection for client address to instead of
		/// from, once a PROXY protocol header has named the real client.
		/// Returns the connections from to, this one included.

	std::size_t active() const;

	bool stopping() const { return _stopping.load(); }

	void beginShutdown();
		/// Stops idle connections now; busy ones finish their current exchange.

	void abortAll();
		/// Shuts down the sockets of every remaining connection.

private:
	void uncount(const std::string& clientHost);
		/// Takes one connection off clientHost's count; the caller holds _mutex.

	mutable std::mutex _mutex;
	std::set<ClientConnection*> _connections;
	std::map<std::string, std::size_t> _perClient;
	std::atomic<bool> _stopping{false};
	std::uint64_t _nextId = 1;
};


} } // namespace fwdproxy::server
