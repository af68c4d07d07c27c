//
// CapturedExchange.h
//
// What the recorder saw of one exchange: the input of the trace and of one
// HAR entry.
//

#pragma once

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/http/Reason.h"
#include "fwdproxy/observe/BodyCapture.h"

#include <Poco/Timestamp.h>

#include <chrono>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace observe {


struct CapturedExchange
	/// Time points are the clock's epoch until the step happened. A request
	/// that was never forwarded keeps the method, target and fields as the
	/// client sent them; forwarding replaces them with what the origin got.
{
	using Clock = std::chrono::steady_clock;

	std::string client;                  ///< Client address and port.
	std::uint64_t connectionId = 0;
	Poco::Timestamp startedAt;           ///< Wall-clock time of start.

	std::string method;
	std::string url;                     ///< Absolute URL; host:port for CONNECT.
	std::string requestTarget;           ///< As sent: origin-form once forwarded.
	std::string requestVersion;
	http::Fields requestFields;
	bool forwarded = false;              ///< The request head went to the origin.
	std::size_t requestHeadSize = 0;     ///< Bytes of the forwarded head, empty line included.
	BodyCapture requestBody;

	bool responseReceived = false;       ///< A final (non-1xx) response head came from the origin.
	int responseVersionMinor = 1;
	int status = 0;
	std::string statusText;
	http::Fields responseFields;
	std::size_t responseHeadSize = 0;
	BodyCapture responseBody;

	bool capturesBodies = false;         ///< requestBody and responseBody are fed.
	std::string serverAddress;           ///< IP address of the origin or parent proxy; empty before connecting.
	bool reusedConnection = false;
	bool tunnel = false;                 ///< Bytes were relayed blindly (CONNECT, or after a 101).
	std::uint64_t tunnelBytesToOrigin = 0;
	std::uint64_t tunnelBytesToClient = 0;

	int statusSent = 0;                  ///< Status the client received; 0 when none.
	std::uint64_t bytesToClient = 0;     ///< Head and body bytes the client received.
	http::Reason reason = http::Reason::None;

	Clock::time_point start;             ///< The request's first byte arrived.
	Clock::time_point connectStart;
	Clock::time_point connected;
	Clock::time_point requestSentAt;
	Clock::time_point responseAt;
	Clock::time_point end;
};


inline double millisecondsBetween(CapturedExchange::Clock::time_point from, CapturedExchange::Clock::time_point to)
	/// Returns the time from from to to in milliseconds, never below 0.
{
	double milliseconds = std::chrono::duration<double, std::milli>(to - from).count();
	return milliseconds < 0 ? 0 : milliseconds;
}


} } // namespace fwdproxy::observe
