//
// HeadParser.h
//
// Strict parsers for request and response heads. They work on a complete head
// (start line through the empty line) and report bad input as a Reason, never
// by throwing, so callers can respond with the matching status.
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/http/Reason.h"

#include <cstddef>
#include <string_view>


namespace fwdproxy {
namespace http {


std::size_t findHeadEnd(std::string_view data, std::size_t from);
	/// Returns the offset just past the empty line that ends a head, or npos.
	/// A bare LF also ends the search, so a head with bare LFs is rejected
	/// by the parser instead of waiting for a CRLF CRLF that never comes.

Reason parseRequestHead(std::string_view head, std::size_t maxTargetLength, RequestHead& request);
	/// Parses head into request. Returns Reason::None on success, TargetTooLong when
	/// the request-target exceeds maxTargetLength, VersionNotSupported for a
	/// well-formed version other than HTTP/1.0 or HTTP/1.1, and BadRequest for
	/// anything else that RFC 9112 does not allow: bare LF, obs-fold, whitespace
	/// before a colon, bytes outside tokens in names, controls in values.

bool parseFieldLine(std::string_view line, Fields& fields);
	/// Parses one "name: value" line without its CRLF and appends it to fields.
	/// Returns false for obs-fold, whitespace before the colon, a name that is
	/// not a token, or a value with controls.

Reason parseResponseHead(std::string_view head, ResponseHead& response);
	/// Parses head into response with the same field rules. Returns Reason::None
	/// or Reason::BadResponse.


} } // namespace fwdproxy::http
