//
// SocketReader.cpp
//

#include "fwdproxy/io/SocketReader.h"
#include "fwdproxy/io/SocketWait.h"

#include <cstring>


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
	if (waitReadable(_socket.impl()->sockfd(), timeoutMilliseconds) == WaitResult::TimedOut)
	{
		return FillResult::TimedOut;
	}

	int n = _socket.receiveBytes(_buffer.data() + _end, static_cast<int>(_buffer.size() - _end));
	if (n <= 0) return FillResult::Closed;

	_end += static_cast<std::size_t>(n);
	return FillResult::Data;
}


} } // namespace fwdproxy::io
