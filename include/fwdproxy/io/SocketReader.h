//
// SocketReader.h
//
// A receive buffer over a blocking StreamSocket with deadline-bounded reads.
//

#pragma once

#include "fwdproxy/io/Deadline.h"

#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <memory>
#include <string_view>


namespace fwdproxy {
namespace io {


class SocketReader
	/// Owns the bytes received on one socket and not yet used. Reused across
	/// all requests of a connection, so a kept-alive client costs no new
	/// allocation per request.
{
public:
	enum class FillResult
	{
		Data,
		Closed,
		TimedOut
	};

	SocketReader(Poco::Net::StreamSocket& socket, std::size_t initialCapacity);
		/// Allocates nothing until the first fill or reserve.

	FillResult fill(const Deadline& deadline);
		/// Receives at least one byte into the buffer, growing it when full.
		/// Returns Closed when the peer closed its sending side. Throws
		/// Poco::Net::NetException on socket errors such as a reset.

	FillResult fill(int timeoutMilliseconds);

	std::string_view buffered() const { return std::string_view(_data.get() + _begin, _end - _begin); }
	std::size_t available() const { return _end - _begin; }
	void consume(std::size_t n);

	void clear()
		/// Drops buffered bytes, as when the socket is replaced.
	{
		_begin = 0;
		_end = 0;
		_receiveTimeout = -1;
	}

	void reserve(std::size_t capacity);
		/// Makes room for capacity buffered bytes; used before reading a head.

	void shrink(std::size_t capacity);
		/// Returns memory to the allocator after a large head.

	void release();
		/// Frees the buffer when it is empty, so that an idle connection
		/// costs no buffer memory; the next fill allocates it again.

	Poco::Net::StreamSocket& socket() { return _socket; }

private:
	void makeRoom();
	FillResult receiveWithTimeout(char* space, int size, int timeoutMilliseconds);

	Poco::Net::StreamSocket& _socket;
	void resize(std::size_t capacity);

	std::size_t _initialCapacity;
	std::unique_ptr<char[]> _data;   ///< Not zero-filled: only received bytes are ever read.
	std::size_t _capacity = 0;
	std::size_t _begin = 0;
	std::size_t _end = 0;
	int _receiveTimeout = -1;   ///< The socket's SO_RCVTIMEO in milliseconds, or -1 when unknown.
};


} } // namespace fwdproxy::io
