//
// SocketReader.cpp
//

#include "fwdproxy/io/SocketReader.h"
#include "fwdproxy/io/SocketWait.h"

#include <Poco/Net/NetException.h>

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
	_buffer(initialCapacity)
{
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
	if (_buffer.size() < capacity) _buffer.resize(capacity);
}


void SocketReader::shrink(std::size_t capacity)
{
	if (_buffer.size() <= capacity || available() > capacity) return;

	std::vector<char> smaller(capacity);
	std::memcpy(smaller.data(), _buffer.data() + _begin, available());
	_end = available();
	_begin = 0;
	_buffer.swap(smaller);
}


void SocketReader::makeRoom()
{
	if (_end < _buffer.size()) return;

	if (_begin > 0)
	{
		std::memmove(_buffer.data(), _buffer.data() + _begin, _end - _begin);
		_end -= _begin;
		_begin = 0;
		return;
	}
	_buffer.resize(_buffer.size() * 2);
}


SocketReader::FillResult SocketReader::fill(const Deadline& deadline)
{
	return fill(deadline.remainingMilliseconds());
}


SocketReader::FillResult SocketReader::fill(int timeoutMilliseconds)
{
	makeRoom();
	char* space = _buffer.data() + _end;
	int spaceSize = static_cast<int>(_buffer.size() - _end);

#ifndef _WIN32
	// One blocking recv(2) bounded by SO_RCVTIMEO costs one system call where
	// poll(2) and then recv(2) cost two, on every read of every request. A
	// TLS socket must go through its own receiveBytes.
	if (!_socket.secure()) return receiveWithTimeout(space, spaceSize, timeoutMilliseconds);
#endif

	if (waitReadable(_socket.impl()->sockfd(), timeoutMilliseconds) == WaitResult::TimedOut)
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
