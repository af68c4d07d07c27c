//
// ErrorResponse.h
//
// The responses that the proxy writes itself.
//

#pragma once

#include "fwdproxy/http/Reason.h"

#include <string>


namespace fwdproxy {
namespace http {


extern const char* const ERROR_CONTENT_TYPE;
	///< The Content-Type of makeErrorResponse's body.

const char* statusPhrase(int status);
	/// Returns the RFC 9110 reason phrase for status, or "Unknown".

std::string makeErrorResponse(Reason reason, const std::string& subject, const std::string& via,
	const std::string& extraFields = std::string());
	/// Builds a complete response for reason: its status, a short text/plain
	/// body that names subject (the request-target or destination),
	/// X-Fwdproxy-Error with the reason code, extraFields (whole lines with
	/// their CRLF, such as Proxy-Authenticate) and Connection: close.


} } // namespace fwdproxy::http
