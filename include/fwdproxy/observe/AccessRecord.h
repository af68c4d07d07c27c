//
// AccessRecord.h
//
// What the access log and the metrics learn about one request.
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/http/Reason.h"

#include <chrono>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace observe {


struct AccessRecord
{
	std::string client;                   ///< Client address and port.
	std::uint64_t connectionId = 0;
	std::string method;
	std::string target;                   ///< The request-target as received.
	std::string protocol;                 ///< "HTTP/1.1" or "HTTP/1.0"; empty when the request line was invalid.
	std::string user;                     ///< The authenticated proxy user; empty without authentication.
	std::string referer;                  ///< The Referer field of the request, for the combined format.
	std::string userAgent;                ///< The User-Agent field of the request, for the combined format.
	std::string upstream;                 ///< Address of the origin server connected for this request, without port.
	bool throughParent = false;           ///< upstream is the address of a parent proxy (proxy.upstream.*).
	std::string contentType;              ///< Content-Type of the response sent to the client.
	int status = 0;                       ///< Status sent to the client; 0 when none was sent.
	bool generated = false;               ///< The proxy sent its own error response (ExchangeContext::reject).
	std::uint64_t bytesToClient = 0;      ///< Head and body bytes sent to the client.
	std::uint64_t bytesFromClient = 0;    ///< Body bytes (or tunnel bytes) received from the client.
	http::Reason reason = http::Reason::None;
	std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
	std::chrono::system_clock::time_point received = std::chrono::system_clock::now();   ///< Wall-clock time of start.

	void setRequestDetails(const http::RequestHead& request);
		/// Copies the protocol version, Referer and User-Agent of a valid request.
};


} } // namespace fwdproxy::observe
