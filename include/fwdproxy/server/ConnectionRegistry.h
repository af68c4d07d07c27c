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
#include <set>


namespace fwdproxy {
namespace server {


class ClientConnection;


class ConnectionRegistry
{
public:
	std::uint64_t add(ClientConnection* connection);
		/// Registers a connection and returns its id, unique for the process.

	void remove(ClientConnection* connection);

	std::size_t active() const;

	bool stopping() const { return _stopping.load(); }

	void beginShutdown();
		/// Stops idle connections now; busy ones finish their current exchange.

	void abortAll();
		/// Shuts down the sockets of every remaining connection.

private:
	mutable std::mutex _mutex;
	std::set<ClientConnection*> _connections;
	std::atomic<bool> _stopping{false};
	std::uint64_t _nextId = 1;
};


} } // namespace fwdproxy::server
