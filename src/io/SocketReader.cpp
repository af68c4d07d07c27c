//
// SocketReader.cpp
//

#include "fwdproxy/io/SocketReader.h"
#include "fwdproxy/io/SocketWait.h"

#include <Poco/Net/NetException.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifndef _WIN32
#include <sys/socket.h>
#include <sys/time.h>
#endif


namespace fwdproxy {
namespace io {


SocketReader::SocketReader(Poco::Net::StreamSocket& socket, std::size_t initialCapacity):
	_socket(socket),
	_initialCapacity(initialCapacity)
{
}


void SocketReader::resize(std::size_t capacity)
{
	std::unique_ptr<char[]> data(new char[capacity]);
	if (available() > 0) std::memcpy(data.get(), _data.get() + _begin, available());
	_end = available();
	_begin = 0;
	_data = std::move(data);
	_capacity = capacity;
}


void SocketReader::release()
{
	if (available() > 0 || !_data) return;

	_data.reset();
	_capacity = 0;
	_begin = 0;
	_end = 0;
}


void SocketReader::consume(std::size_t n)
{
	_begin += n;
	if (_begin == _end)
	{
		_begin = 0;
		_end = 0;
	}
}


void SocketReader::reserve(std::size_t capacity)
{
	// The first allocation is at least the initial capacity, so that reading
	// a head also leaves room for the body bytes that arrive with it.
	if (_capacity < capacity) resize(std::max(capacity, _capacity == 0 ? _initialCapacity : capacity));
}


void SocketReader::shrink(std::size_t capacity)
{
	if (_capacity <= capacity || available() > capacity) return;

	resize(capacity);
}


void SocketReader::makeRoom()
{
	if (_capacity == 0)
	{
		resize(_initialCapacity);
		return;
	}
	if (_end < _capacity) return;

	if (_begin > 0)
	{
		std::memmove(_data.get(), _data.get() + _begin, _end - _begin);
		_end -= _begin;
		_begin = 0;
		return;
	}
	resize(_capacity * 2);
}


SocketReader::FillResult SocketReader::fill(const Deadline& deadline)
{
	return fill(deadline.remainingMilliseconds());
}


SocketReader::FillResult SocketReader::fill(int timeoutMilliseconds)
{
	makeRoom();
	char* space = _data.get() + _end;
	int spaceSize = static_cast<int>(_capacity - _end);

#ifndef _WIN32
	// One blocking recv(2) bounded by SO_RCVTIMEO costs one system call where
	// poll(2) and then recv(2) cost two, on every read of every request. A
	// TLS socket must go through its own receiveBytes.
	if (!_socket.secure()) return receiveWithTimeout(space, spaceSize, timeoutMilliseconds);
#endif

	if (waitReadable(_socket, timeoutMilliseconds) == WaitResult::TimedOut)
	{
		return FillResult::TimedOut;
	}

	int n = _socket.receiveBytes(space, spaceSize);
	if (n <= 0) return FillResult::Closed;

	_end += static_cast<std::size_t>(n);
	return FillResult::Data;
}


#ifndef _WIN32
SocketReader::FillResult SocketReader::receiveWithTimeout(char* space, int size, int timeoutMilliseconds)
{
	poco_socket_t fd = _socket.impl()->sockfd();
	int flags = 0;
	if (timeoutMilliseconds <= 0)
	{
		flags = MSG_DONTWAIT;
	}
	else if (timeoutMilliseconds != _receiveTimeout)
	{
		timeval timeout{};
		timeout.tv_sec = timeoutMilliseconds / 1000;
		timeout.tv_usec = (timeoutMilliseconds % 1000) * 1000;
		if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0)
		{
			throw Poco::Net::NetException("setsockopt(SO_RCVTIMEO) failed", std::strerror(errno));
		}
		_receiveTimeout = timeoutMilliseconds;
	}

	ssize_t n = -1;
	do
	{
		n = ::recv(fd, space, static_cast<std::size_t>(size), flags);
	} while (n < 0 && errno == EINTR);

	if (n > 0)
	{
		_end += static_cast<std::size_t>(n);
		return FillResult::Data;
	}
	if (n == 0) return FillResult::Closed;
	if (errno == EAGAIN || errno == EWOULDBLOCK) return FillResult::TimedOut;
	if (errno == ECONNRESET) throw Poco::Net::ConnectionResetException("recv failed");
	throw Poco::Net::NetException("recv failed", std::strerror(errno));
}
#endif


} } // namespace fwdproxy::io
