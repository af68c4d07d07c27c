//
// StatusPage.cpp
//

#include "fwdproxy/admin/StatusPage.h"

#include <cstdio>
#include <ctime>


namespace fwdproxy {
namespace admin {


namespace {


std::string joinList(const std::vector<std::string>& items)
{
	std::string text;
	for (const std::string& item: items)
	{
		if (!text.empty()) text += ", ";
		text += item;
	}
	return text.empty() ? "none" : text;
}


std::string formatUtc(std::chrono::system_clock::time_point time)
{
	std::time_t seconds = std::chrono::system_clock::to_time_t(time);
	std::tm utc{};
	gmtime_r(&seconds, &utc);
	char text[32];
	std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
	return text;
}


void appendLine(std::string& page, const char* name, const std::string& value)
{
	page += name;
	page += ": ";
	page += value;
	page += '\n';
}


} // namespace


std::string formatUptime(std::chrono::seconds uptime)
{
	long long total = uptime.count() < 0 ? 0 : static_cast<long long>(uptime.count());
	long long days = total / 86400;
	char clock[32];
	std::snprintf(clock, sizeof(clock), "%02lld:%02lld:%02lld", (total / 3600) % 24, (total / 60) % 60, total % 60);
	return days > 0 ? std::to_string(days) + "d " + clock : std::string(clock);
}


std::string renderStatusPage(const observe::Metrics& metrics, const ServerGauges& gauges, const StatusInfo& info)
{
	std::string page = "fwdproxy " + info.version + "\n\n";
	appendLine(page, "started", formatUtc(info.startTime));
	appendLine(page, "uptime", formatUptime(info.uptime) + " (" + std::to_string(info.uptime.count()) + " s)");
	appendLine(page, "proxy listeners", joinList(info.proxyListeners));
	appendLine(page, "admin listeners", joinList(info.adminListeners));
	page += '\n';
	appendLine(page, "active client connections", std::to_string(gauges.activeConnections));
	appendLine(page, "open tunnels", std::to_string(metrics.openTunnels()));
	appendLine(page, "idle origin connections", std::to_string(gauges.idleOriginConnections));
	page += '\n';
	appendLine(page, "requests", std::to_string(metrics.requestsTotal()));
	appendLine(page, "error responses from the proxy", std::to_string(metrics.rejectionsTotal()));

	std::uint64_t failures = 0;
	for (std::size_t cause = 0; cause < observe::Metrics::CONNECT_FAILURE_COUNT; ++cause) failures += metrics.connectFailures(cause);
	appendLine(page, "upstream connect failures", std::to_string(failures));
	appendLine(page, "bytes received from clients", std::to_string(metrics.bytesFromClients()));
	appendLine(page, "bytes sent to clients", std::to_string(metrics.bytesToClients()));
	appendLine(page, "refused connections (queue full)", std::to_string(gauges.refusedConnections));
	return page;
}


} } // namespace fwdproxy::admin
