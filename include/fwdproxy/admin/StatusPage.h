//
// StatusPage.h
//
// The /status page: a short plain-text summary for people.
//

#pragma once

#include "fwdproxy/admin/MetricsPage.h"
#include "fwdproxy/observe/Metrics.h"

#include <chrono>
#include <string>
#include <vector>


namespace fwdproxy {
namespace admin {


struct StatusInfo
{
	std::string version;
	std::chrono::system_clock::time_point startTime;
	std::chrono::seconds uptime{0};
	std::vector<std::string> proxyListeners;   ///< Bound addresses, as logged at startup.
	std::vector<std::string> adminListeners;
};


std::string renderStatusPage(const observe::Metrics& metrics, const ServerGauges& gauges, const StatusInfo& info);
	/// Returns one "name: value" line per item, so that scripts can grep it too.


std::string formatUptime(std::chrono::seconds uptime);
	/// Returns "3d 04:05:06" or, under a day, "04:05:06".


} } // namespace fwdproxy::admin
