//
// Framing.h
//
// How the length of a message body is determined (RFC 9112 §6.3).
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/http/Reason.h"

#include <cstdint>


namespace fwdproxy {
namespace http {


enum class BodyKind
{
	None,        ///< No body: HEAD responses, 1xx, 204, 304, and requests without framing fields.
	Length,      ///< Content-Length bytes.
	Chunked,     ///< The chunked transfer coding.
	UntilClose   ///< A response body that ends when the origin closes the connection.
};


struct BodyFraming
{
	BodyKind kind = BodyKind::None;
	std::uint64_t length = 0;
};


Reason requestFraming(const RequestHead& request, BodyFraming& framing);
	/// Determines the request body's framing. Returns BadFraming when both
	/// Transfer-Encoding and Content-Length are present, when Content-Length
	/// values differ or are not plain decimals, or when the final coding is not
	/// chunked; UnknownCoding for a coding list other than "chunked" alone.

Reason responseFraming(const ResponseHead& response, const std::string& requestMethod, BodyFraming& framing);
	/// Determines the response body's framing for a request made with
	/// requestMethod. Returns BadResponse for the same faults as requestFraming.

bool parseContentLength(const Fields& fields, std::uint64_t& length, bool& present);
	/// Reads every Content-Length value, which must all be the same decimal
	/// number (RFC 9112 §6.3 item 5). Returns false on a conflict or bad syntax.


} } // namespace fwdproxy::http
