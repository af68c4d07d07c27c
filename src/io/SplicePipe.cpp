//
// SplicePipe.cpp
//

#include "fwdproxy/io/SplicePipe.h"

#ifdef __linux__
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#endif


namespace fwdproxy {
namespace io {


#ifdef __linux__


SplicePipe::~SplicePipe()
{
	if (_read >= 0) ::close(_read);
	if (_write >= 0) ::close(_write);
}


bool SplicePipe::supported()
{
	return true;
}


bool SplicePipe::open()
{
	if (_read >= 0) return true;

	int fds[2];
	if (::pipe2(fds, O_CLOEXEC) != 0) return false;

	_read = fds[0];
	_write = fds[1];
	return true;
}


SplicePipe::Moved SplicePipe::move(poco_socket_t from, poco_socket_t to, std::size_t max)
{
	Moved moved;
	if (!open())
	{
		moved.failure = Failure::Source;
		return moved;
	}

	// A pipe buffers 64 KiB by default, and splice stops there whatever the request.
	if (max > 65536) max = 65536;
	ssize_t received = -1;
	do
	{
		received = ::splice(from, nullptr, _write, nullptr, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} while (received < 0 && errno == EINTR);

	if (received == 0) moved.closed = true;
	if (received < 0 && errno != EAGAIN) moved.failure = Failure::Source;
	if (received <= 0) return moved;

	std::size_t left = static_cast<std::size_t>(received);
	while (left > 0)
	{
		ssize_t sent = ::splice(_read, nullptr, to, nullptr, left, SPLICE_F_MOVE);
		if (sent < 0 && errno == EINTR) continue;
		if (sent <= 0)
		{
			// Bytes stuck in the pipe must not reach the next destination.
			::close(_read);
			::close(_write);
			_read = -1;
			_write = -1;
			moved.failure = Failure::Destination;
			return moved;
		}
		left -= static_cast<std::size_t>(sent);
	}
	moved.bytes = static_cast<std::size_t>(received);
	return moved;
}


#else


SplicePipe::~SplicePipe()
{
}


bool SplicePipe::supported()
{
	return false;
}


bool SplicePipe::open()
{
	return false;
}


SplicePipe::Moved SplicePipe::move(poco_socket_t, poco_socket_t, std::size_t)
{
	Moved moved;
	moved.failure = Failure::Source;
	return moved;
}


#endif


} } // namespace fwdproxy::io
