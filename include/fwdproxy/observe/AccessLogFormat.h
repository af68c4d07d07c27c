//
// AccessLogFormat.h
//
// The line formats of the access log: fwdproxy's own and the formats that
// log analysers for Squid and web servers read.
//

#pragma once

#include "fwdproxy/observe/AccessRecord.h"

#include <chrono>
#include <string>


namespace fwdproxy {
namespace observe {


enum class AccessLogFormat
{
	Native,     ///< "CLIENT #ID METHOD TARGET STATUS BYTES DURATIONms REASON", to which the channel's formatter adds the time.
	Squid,      ///< Squid's native access.log format, read by SARG, Calamaris and GoAccess (SQUID).
	Common,     ///< NCSA Common Log Format.
	Combined    ///< NCSA Combined Log Format: Common plus the Referer and User-Agent fields.
};


bool parseAccessLogFormat(const std::string& name, AccessLogFormat& format);
	/// Sets format from "native", "squid", "common" or "combined" (any letter
	/// case). Returns false for other names.

bool carriesOwnTime(AccessLogFormat format);
	/// Returns true for the formats whose lines start with their own time
	/// stamp, which must reach the log without a formatter's prefix.

std::string formatAccessLine(const AccessRecord& record, AccessLogFormat format,
	std::chrono::system_clock::time_point now, std::chrono::microseconds duration);
	/// Returns the line for record without a line break. now is the time the
	/// line is written (Squid logs the end of a request, the NCSA formats its
	/// start, record.received) and duration the request's time so far.


} } // namespace fwdproxy::observe
