//
// HeadReader.h
//
// Reads one message head from a SocketReader within a deadline and a size limit.
//

#pragma once

#include "fwdproxy/io/Deadline.h"
#include "fwdproxy/io/SocketReader.h"

#include <cstddef>
#include <string_view>


namespace fwdproxy {
namespace server {


enum class HeadStatus
{
	Complete,
	ClosedEmpty,     ///< The peer closed before sending any byte of a head.
	ClosedPartial,   ///< The peer closed in the middle of a head.
	TimedOut,
	TooLarge
};


HeadStatus readHead(io::SocketReader& reader, std::size_t maxSize, const io::Deadline& deadline,
	bool skipEmptyLines, std::size_t& headLength);
	/// Receives until the buffered bytes hold a complete head; headLength is
	/// then its size including the empty line. The head stays buffered, so the
	/// caller parses it in place and then consumes it. With skipEmptyLines,
	/// CRLF pairs before the head are dropped: some clients send them between
	/// requests, and RFC 9112 §2.2 recommends that a server ignore them.


} } // namespace fwdproxy::server
