//
// Reason.cpp
//

#include "fwdproxy/http/Reason.h"


namespace fwdproxy {
namespace http {


namespace {


struct ReasonInfo
{
	const char* code;
	int status;
	const char* text;
};


// Indexed by the enum's value, so the order must follow the enum.
const ReasonInfo REASONS[] = {
	{"-", 200, "OK"},
	{"client_denied", 403, "Your address is not allowed to use this proxy"},
	{"auth_required", 407, "Proxy authentication is required: send valid credentials with the Basic scheme"},
	{"host_denied", 403, "The destination host is not allowed"},
	{"body_too_large", 413, "The request body is larger than this proxy accepts"},
	{"too_many_connections", 503, "The proxy has too many connections; try again later"},
	{"client_connection_limit", 429, "Your address has too many connections to this proxy"},
	{"connect_port_denied", 403, "CONNECT to this port is not allowed"},
	{"destination_denied", 403, "The destination address is in a denied network"},
	{"bad_request", 400, "The request is malformed"},
	{"origin_form_target", 400, "This is a forward proxy: the request-target must be an absolute URI such as http://host/path"},
	{"unsupported_scheme", 501, "Only http:// URIs can be forwarded; use CONNECT for https"},
	{"unsupported_method", 501, "The request method is not supported"},
	{"bad_framing", 400, "The message framing (Content-Length or Transfer-Encoding) is invalid"},
	{"unknown_coding", 501, "The Transfer-Encoding is not supported"},
	{"head_too_large", 431, "The request header fields are too large"},
	{"target_too_long", 414, "The request-target is too long"},
	{"header_timeout", 408, "The request head did not arrive in time"},
	{"body_timeout", 408, "The request body did not arrive in time"},
	{"client_aborted", 400, "The client closed the connection before the exchange was complete"},
	{"version_not_supported", 505, "Only HTTP/1.0 and HTTP/1.1 are supported"},
	{"dns_failure", 502, "The destination host name could not be resolved"},
	{"connect_refused", 502, "The destination refused the connection"},
	{"connect_failed", 502, "The connection to the destination failed"},
	{"connect_timeout", 504, "The connection to the destination timed out"},
	{"response_timeout", 504, "The destination did not answer in time"},
	{"bad_response", 502, "The destination sent an invalid response"},
	{"parent_failed", 502, "The parent proxy could not be reached or rejected the request"},
	{"forwarding_loop", 508, "The request has already passed through this proxy (forwarding loop)"},
	{"max_forwards", 200, "Max-Forwards reached zero"},
};


const ReasonInfo& infoFor(Reason reason)
{
	return REASONS[static_cast<int>(reason)];
}


} // namespace


const char* reasonCode(Reason reason)
{
	return infoFor(reason).code;
}


int reasonStatus(Reason reason)
{
	return infoFor(reason).status;
}


const char* reasonText(Reason reason)
{
	return infoFor(reason).text;
}


} } // namespace fwdproxy::http
