//
// AccessLog.h
//
// One line per request on the "fwdproxy.access" logger.
//

#pragma once

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
	int status = 0;                       ///< Status sent to the client; 0 when none was sent.
	std::uint64_t bytesToClient = 0;      ///< Head and body bytes sent to the client.
	std::uint64_t bytesFromClient = 0;    ///< Body bytes (or tunnel bytes) received from the client.
	http::Reason reason = http::Reason::None;
	std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};


void writeAccessLog(const AccessRecord& record);
	/// Writes "CLIENT #ID METHOD TARGET STATUS BYTES DURATIONms REASON" at
	/// information level; the channel's formatter adds the time.


} } // namespace fwdproxy::observe
