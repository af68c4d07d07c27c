//
// SplicePipe.h
//
// Moves bytes from one socket to another inside the kernel with splice(2),
// through a pipe, so that large bodies and tunnels skip two copies through
// user space. Linux only; elsewhere supported() is false and callers use
// recv and send.
//

#pragma once

#include <Poco/Net/Socket.h>

#include <cstddef>


namespace fwdproxy {
namespace io {


class SplicePipe
	/// Opens its pipe on first use, so an idle connection uses no extra
	/// descriptors.
{
public:
	enum class Failure
	{
		None,
		Source,        ///< Reading from the source failed (reset).
		Destination    ///< Writing to the destination failed or timed out.
	};

	struct Moved
	{
		std::size_t bytes = 0;
		bool closed = false;              ///< The source has no more to send.
		Failure failure = Failure::None;
	};

	SplicePipe() = default;
	~SplicePipe();
	SplicePipe(const SplicePipe&) = delete;
	SplicePipe& operator=(const SplicePipe&) = delete;

	static bool supported();

	Moved move(poco_socket_t from, poco_socket_t to, std::size_t max);
		/// Moves up to max bytes that are ready on from (wait for readability
		/// first) and writes all of them to to. No bytes, no close and no
		/// failure means that nothing was ready after all.

private:
	bool open();

	int _read = -1;
	int _write = -1;
};


} } // namespace fwdproxy::io
