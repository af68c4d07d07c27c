//
// RequestTarget.h
//
// The destination a client names in its request-target (RFC 9112 §3.2).
//

#pragma once

#include "fwdproxy/http/Reason.h"

#include <cstdint>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace http {


struct RequestTarget
{
	std::string host;        ///< Lower case; an IPv6 literal without its brackets.
	std::uint16_t port = 0;
	std::string authority;   ///< host[:port] as the client wrote it, without userinfo: the Host value.
	std::string originForm;  ///< Path and query, "/" when empty: what the origin receives.

	bool isIPv6Literal() const { return host.find(':') != std::string::npos; }
	std::string hostPort() const;
		/// Returns host:port with brackets around an IPv6 literal, for logs and messages.
};


Reason parseAbsoluteForm(std::string_view target, const std::string& method, RequestTarget& result);
	/// Parses an absolute-form target such as http://host:8080/path?q.
	/// Returns OriginFormTarget for "/path" or "*", UnsupportedScheme for any
	/// scheme but http (compared without case), and BadRequest for userinfo,
	/// an invalid host or port. An empty path becomes "/", or "*" for OPTIONS
	/// (RFC 9112 §3.2.4). A fragment is dropped.

Reason parseAuthorityForm(std::string_view target, RequestTarget& result);
	/// Parses the host:port of a CONNECT request; the port is required.


} } // namespace fwdproxy::http
