//
// ConnectionPool.h
//
// Idle keep-alive connections to origins, kept per destination so that a
// later request, from any client, skips the TCP handshake.
//

#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>


namespace fwdproxy {
namespace upstream {


class ConnectionPool
	/// Bounded in connections per destination, in connections overall and in
	/// idle time. A connection that the origin closed while it waited is
	/// dropped when found; the caller still retries a request whose reused
	/// connection fails before any response byte.
{
public:
	ConnectionPool(std::size_t maxIdle, std::size_t maxIdlePerDestination, std::chrono::milliseconds idleTimeout);
	~ConnectionPool();

	bool take(const std::string& destination, Poco::Net::StreamSocket& socket);
		/// Moves a live idle connection to destination into socket.

	void put(const std::string& destination, const Poco::Net::StreamSocket& socket);
		/// Keeps socket for later; closes it when the pool is full or off.

	std::size_t idleCount() const;

private:
	struct Idle
	{
		Poco::Net::StreamSocket socket;
		std::chrono::steady_clock::time_point since;
	};

	void expire(std::chrono::steady_clock::time_point now);

	std::size_t _maxIdle;
	std::size_t _maxIdlePerDestination;
	std::chrono::milliseconds _idleTimeout;

	mutable std::mutex _mutex;
	std::unordered_map<std::string, std::deque<Idle>> _idle;
	std::size_t _count = 0;
	std::chrono::steady_clock::time_point _lastExpiry;
};


} } // namespace fwdproxy::upstream
