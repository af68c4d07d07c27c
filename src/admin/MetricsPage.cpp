//
// MetricsPage.cpp
//

#include "fwdproxy/admin/MetricsPage.h"

#include <cstdio>


using fwdproxy::observe::Metrics;


namespace fwdproxy {
namespace admin {


const char* const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";


namespace {


void appendFamily(std::string& page, const char* name, const char* type, const char* help)
{
	page += "# HELP ";
	page += name;
	page += ' ';
	page += help;
	page += "\n# TYPE ";
	page += name;
	page += ' ';
	page += type;
	page += '\n';
}


void appendSample(std::string& page, const std::string& series, const std::string& value)
{
	page += series;
	page += ' ';
	page += value;
	page += '\n';
}


std::string formatSeconds(double seconds, const char* format)
{
	char text[32];
	std::snprintf(text, sizeof(text), format, seconds);
	return text;
}


void appendRequests(std::string& page, const Metrics& metrics)
{
	appendFamily(page, "fwdproxy_requests_total", "counter",
		"Requests finished, by method and status class. Methods outside the standard ones count as \"other\", "
		"requests whose method was not read as \"none\", and requests without a response as code \"none\".");
	for (std::size_t method = 0; method < Metrics::METHOD_COUNT; ++method)
	{
		for (std::size_t code = 0; code < Metrics::STATUS_CLASS_COUNT; ++code)
		{
			std::string series = std::string("fwdproxy_requests_total{method=\"") + Metrics::METHODS[method]
				+ "\",code=\"" + Metrics::STATUS_CLASSES[code] + "\"}";
			appendSample(page, series, std::to_string(metrics.requests(method, code)));
		}
	}
}


void appendFailures(std::string& page, const Metrics& metrics)
{
	appendFamily(page, "fwdproxy_upstream_connect_failures_total", "counter",
		"Failed connects to origin servers, by cause.");
	for (std::size_t cause = 0; cause < Metrics::CONNECT_FAILURE_COUNT; ++cause)
	{
		std::string series = std::string("fwdproxy_upstream_connect_failures_total{cause=\"")
			+ http::reasonCode(Metrics::CONNECT_FAILURES[cause]) + "\"}";
		appendSample(page, series, std::to_string(metrics.connectFailures(cause)));
	}

	appendFamily(page, "fwdproxy_rejections_total", "counter",
		"Error responses that the proxy sent itself, by the reason code of their X-Fwdproxy-Error field.");
	for (std::size_t index = 1; index < Metrics::REASON_COUNT; ++index)
	{
		auto reason = static_cast<http::Reason>(index);
		if (reason == http::Reason::MaxForwardsReached) continue;

		std::string series = std::string("fwdproxy_rejections_total{reason=\"") + http::reasonCode(reason) + "\"}";
		appendSample(page, series, std::to_string(metrics.rejections(reason)));
	}
}


void appendDurations(std::string& page, const Metrics& metrics)
{
	appendFamily(page, "fwdproxy_request_duration_seconds", "histogram",
		"Time from the start of a request to its access-log line; for a tunnel, its whole lifetime.");
	std::uint64_t cumulative = 0;
	for (std::size_t bucket = 0; bucket <= Metrics::DURATION_BUCKET_COUNT; ++bucket)
	{
		cumulative += metrics.durationBucket(bucket);
		std::string bound = bucket < Metrics::DURATION_BUCKET_COUNT
			? formatSeconds(Metrics::DURATION_BUCKETS[bucket], "%g") : std::string("+Inf");
		appendSample(page, "fwdproxy_request_duration_seconds_bucket{le=\"" + bound + "\"}", std::to_string(cumulative));
	}
	double sum = static_cast<double>(metrics.durationMicrosecondsSum()) / 1e6;
	appendSample(page, "fwdproxy_request_duration_seconds_sum", formatSeconds(sum, "%.6f"));
	appendSample(page, "fwdproxy_request_duration_seconds_count", std::to_string(cumulative));
}


} // namespace


std::string renderMetricsPage(const Metrics& metrics, const ServerGauges& gauges, const std::string& version)
{
	std::string page;
	page.reserve(16 * 1024);

	appendRequests(page, metrics);

	appendFamily(page, "fwdproxy_client_received_bytes_total", "counter",
		"Request body and tunnel bytes received from clients, counted when each request ends.");
	appendSample(page, "fwdproxy_client_received_bytes_total", std::to_string(metrics.bytesFromClients()));
	appendFamily(page, "fwdproxy_client_sent_bytes_total", "counter",
		"Response bytes (heads included) and tunnel bytes sent to clients, counted when each request ends.");
	appendSample(page, "fwdproxy_client_sent_bytes_total", std::to_string(metrics.bytesToClients()));

	appendFailures(page, metrics);
	appendDurations(page, metrics);

	appendFamily(page, "fwdproxy_active_client_connections", "gauge", "Client connections being served.");
	appendSample(page, "fwdproxy_active_client_connections", std::to_string(gauges.activeConnections));
	appendFamily(page, "fwdproxy_open_tunnels", "gauge", "CONNECT tunnels and upgraded connections (101) being relayed.");
	appendSample(page, "fwdproxy_open_tunnels", std::to_string(metrics.openTunnels()));
	appendFamily(page, "fwdproxy_idle_origin_connections", "gauge", "Idle keep-alive origin connections in the pool.");
	appendSample(page, "fwdproxy_idle_origin_connections", std::to_string(gauges.idleOriginConnections));
	appendFamily(page, "fwdproxy_refused_connections_total", "counter",
		"Client connections closed at once because the queue of proxy.threads.queue connections was full.");
	appendSample(page, "fwdproxy_refused_connections_total", std::to_string(gauges.refusedConnections));

	auto started = std::chrono::duration_cast<std::chrono::milliseconds>(metrics.startTime().time_since_epoch()).count();
	appendFamily(page, "fwdproxy_start_time_seconds", "gauge", "Time the proxy started, in seconds since the Unix epoch.");
	appendSample(page, "fwdproxy_start_time_seconds", formatSeconds(static_cast<double>(started) / 1000, "%.3f"));
	appendFamily(page, "fwdproxy_build_info", "gauge", "Always 1; the version label names the running fwdproxy.");
	appendSample(page, "fwdproxy_build_info{version=\"" + version + "\"}", "1");
	return page;
}


} } // namespace fwdproxy::admin
