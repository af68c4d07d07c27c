//
// MessageHead.h
//
// Parsed request and response heads (RFC 9112 §2.1): start line plus fields.
//

#pragma once

#include "fwdproxy/http/Fields.h"

#include <string>


namespace fwdproxy {
namespace http {


struct RequestHead
{
	std::string method;
	std::string target;
	int versionMinor = 1;   ///< 0 for HTTP/1.0, 1 for HTTP/1.1; other versions are rejected.
	Fields fields;

	std::string version() const { return versionMinor == 0 ? "HTTP/1.0" : "HTTP/1.1"; }
};


struct ResponseHead
{
	int versionMinor = 1;
	int status = 0;
	std::string reasonPhrase;
	Fields fields;

	bool isInterim() const { return status >= 100 && status < 200; }
};


} } // namespace fwdproxy::http
