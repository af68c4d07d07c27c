//
// AccessLog.h
//
// One line per request on the "fwdproxy.access" logger.
//

#pragma once

#include "fwdproxy/observe/AccessLogFormat.h"
#include "fwdproxy/observe/AccessRecord.h"

#include <chrono>


namespace fwdproxy {
namespace observe {


void writeAccessLog(const AccessRecord& record, AccessLogFormat format, std::chrono::microseconds duration);
	/// Writes record in format at information level. Only the native line
	/// needs the channel's formatter to add the time (see useAccessLogFormat()).

void useAccessLogFormat(AccessLogFormat format);
	/// Prepares the "fwdproxy.access" logger for format after the logging
	/// configuration is applied. The Squid and NCSA lines carry their own
	/// time, so for them the logger writes to the destination of its channel
	/// without the channel's formatter.


} } // namespace fwdproxy::observe
