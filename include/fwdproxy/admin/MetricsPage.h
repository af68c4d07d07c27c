//
// MetricsPage.h
//
// The /metrics page: the proxy's counters and gauges in the Prometheus text
// exposition format, version 0.0.4.
//

#pragma once

#include "fwdproxy/observe/Metrics.h"

#include <cstddef>
#include <string>


namespace fwdproxy {
namespace admin {


extern const char* const METRICS_CONTENT_TYPE;
	///< The media type that Prometheus expects for this format, "text/plain; version=0.0.4; charset=utf-8".


struct ServerGauges
	/// Values read from the server at the time of a request to the admin listener.
{
	std::size_t activeConnections = 0;       ///< Client connections being served.
	std::size_t idleOriginConnections = 0;   ///< Origin connections waiting in the pool.
	std::size_t refusedConnections = 0;      ///< Connections the TCPServers closed because their queue was full.
};


std::string renderMetricsPage(const observe::Metrics& metrics, const ServerGauges& gauges, const std::string& version);
	/// Returns every metric with its # HELP and # TYPE lines. Every label
	/// combination appears from the start, with 0 until it is counted, so
	/// that rate() and increase() see the first request.


} } // namespace fwdproxy::admin
