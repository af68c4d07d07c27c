//
// ConnectionPool.cpp
//

#include "fwdproxy/upstream/ConnectionPool.h"
#include "fwdproxy/io/SocketWait.h"

#include <Poco/Exception.h>


namespace fwdproxy {
namespace upstream {


namespace {


void closeQuietly(Poco::Net::StreamSocket& socket)
{
	try
	{
		socket.close();
	}
	catch (const Poco::Exception&)
	{
		// An idle connection that fails to close has nothing left to lose.
	}
}


// An idle origin connection must have nothing to read: readable means the
// origin closed it or sent bytes that belong to no request.
bool isLive(Poco::Net::StreamSocket& socket)
{
	try
	{
		return io::waitReadable(socket, 0) == io::WaitResult::TimedOut;
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
}


} // namespace


ConnectionPool::ConnectionPool(std::size_t maxIdle, std::size_t maxIdlePerDestination,
	std::chrono::milliseconds idleTimeout):
	_maxIdle(maxIdle),
	_maxIdlePerDestination(maxIdlePerDestination),
	_idleTimeout(idleTimeout),
	_lastExpiry(std::chrono::steady_clock::now())
{
}


ConnectionPool::~ConnectionPool()
{
	for (auto& entry: _idle)
	{
		for (Idle& idle: entry.second) closeQuietly(idle.socket);
	}
}


void ConnectionPool::expire(std::chrono::steady_clock::time_point now)
{
	for (auto entry = _idle.begin(); entry != _idle.end();)
	{
		std::deque<Idle>& list = entry->second;
		while (!list.empty() && now - list.front().since >= _idleTimeout)
		{
			closeQuietly(list.front().socket);
			list.pop_front();
			--_count;
		}
		entry = list.empty() ? _idle.erase(entry) : std::next(entry);
	}
	_lastExpiry = now;
}


bool ConnectionPool::take(const std::string& destination, Poco::Net::StreamSocket& socket)
{
	auto now = std::chrono::steady_clock::now();
	std::lock_guard<std::mutex> lock(_mutex);
	if (now - _lastExpiry >= std::chrono::seconds(1)) expire(now);

	auto entry = _idle.find(destination);
	if (entry == _idle.end()) return false;

	// The most recently used connection is the likeliest to be still open.
	std::deque<Idle>& list = entry->second;
	bool found = false;
	while (!list.empty() && !found)
	{
		Idle idle = list.back();
		list.pop_back();
		--_count;
		if (now - idle.since < _idleTimeout && isLive(idle.socket))
		{
			socket = idle.socket;
			found = true;
		}
		else
		{
			closeQuietly(idle.socket);
		}
	}
	if (list.empty()) _idle.erase(entry);
	return found;
}


void ConnectionPool::put(const std::string& destination, const Poco::Net::StreamSocket& socket)
{
	Poco::Net::StreamSocket kept(socket);
	auto now = std::chrono::steady_clock::now();
	std::lock_guard<std::mutex> lock(_mutex);
	if (now - _lastExpiry >= std::chrono::seconds(1)) expire(now);

	std::deque<Idle>& list = _idle[destination];
	if (_maxIdle == 0 || _maxIdlePerDestination == 0)
	{
		closeQuietly(kept);
		if (list.empty()) _idle.erase(destination);
		return;
	}

	// Over a bound, the oldest connection for this destination makes room.
	if (list.size() >= _maxIdlePerDestination || (_count >= _maxIdle && !list.empty()))
	{
		closeQuietly(list.front().socket);
		list.pop_front();
		--_count;
	}
	if (_count >= _maxIdle)
	{
		closeQuietly(kept);
		if (list.empty()) _idle.erase(destination);
		return;
	}

	list.push_back(Idle{kept, now});
	++_count;
}


std::size_t ConnectionPool::idleCount() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _count;
}


} } // namespace fwdproxy::upstream
