//
// MetricsPageTest.cpp
//
// The counters of observe::Metrics and their rendering in the Prometheus
// text exposition format 0.0.4.
//

#include "fwdproxy/admin/MetricsPage.h"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::admin::ServerGauges;
using fwdproxy::admin::renderMetricsPage;
using fwdproxy::http::Reason;
using fwdproxy::observe::AccessRecord;
using fwdproxy::observe::Metrics;


namespace {


// Sample lines: a metric name, optional labels with quoted values, one value.
const std::regex SAMPLE(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|\+Inf|-Inf|NaN)$)");
const std::regex HELP(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)");
const std::regex TYPE(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");


std::vector<std::string> lines(const std::string& page)
{
	std::vector<std::string> result;
	std::istringstream stream(page);
	std::string line;
	while (std::getline(stream, line)) result.push_back(line);
	return result;
}


// Returns series -> value for every sample line of page.
std::map<std::string, std::string> samples(const std::string& page)
{
	std::map<std::string, std::string> result;
	for (const std::string& line: lines(page))
	{
		if (line.compare(0, 1, "#") == 0) continue;
		std::size_t space = line.rfind(' ');
		result[line.substr(0, space)] = line.substr(space + 1);
	}
	return result;
}


AccessRecord record(const std::string& method, int status)
{
	AccessRecord result;
	result.method = method;
	result.status = status;
	return result;
}


std::string render(const Metrics& metrics, const ServerGauges& gauges = ServerGauges())
{
	return renderMetricsPage(metrics, gauges, "1.2.3");
}


} // namespace


class MetricsPageTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MetricsPageTest);
	CPPUNIT_TEST(testEveryLineIsValid);
	CPPUNIT_TEST(testEverySampleHasItsType);
	CPPUNIT_TEST(testCountersEndInTotal);
	CPPUNIT_TEST(testStartsWithZeroes);
	CPPUNIT_TEST(testCountsRequestsByMethodAndClass);
	CPPUNIT_TEST(testLimitsMethodLabels);
	CPPUNIT_TEST(testCountsRejectionsAndBytes);
	CPPUNIT_TEST(testCountsConnectFailures);
	CPPUNIT_TEST(testHistogramIsCumulative);
	CPPUNIT_TEST(testShowsGauges);
	CPPUNIT_TEST(testTunnelGaugeFollowsScope);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryLineIsValid()
	{
		Metrics metrics;
		metrics.countExchange(record("GET", 200), std::chrono::microseconds(1500));
		std::string page = render(metrics);

		CPPUNIT_ASSERT(!page.empty());
		CPPUNIT_ASSERT_EQUAL('\n', page.back());
		for (const std::string& line: lines(page))
		{
			bool valid = std::regex_match(line, SAMPLE) || std::regex_match(line, HELP) || std::regex_match(line, TYPE);
			CPPUNIT_ASSERT_MESSAGE("invalid line: " + line, valid);
		}
	}

	void testEverySampleHasItsType()
	{
		std::map<std::string, std::string> types;
		std::set<std::string> helped;
		for (const std::string& line: lines(render(Metrics())))
		{
			std::smatch match;
			if (std::regex_match(line, match, TYPE))
			{
				CPPUNIT_ASSERT_MESSAGE("second TYPE for " + line, types.count(match[1]) == 0);
				CPPUNIT_ASSERT_MESSAGE("TYPE before HELP: " + line, helped.count(match[1]) == 1);
				types[match[1]] = match[2];
			}
			else if (std::regex_match(line, match, HELP))
			{
				helped.insert(match[1]);
			}
			else if (std::regex_match(line, match, SAMPLE))
			{
				std::string name = match[1];
				std::string family = name;
				for (const char* suffix: {"_bucket", "_sum", "_count"})
				{
					std::string end(suffix);
					if (name.size() > end.size() && name.compare(name.size() - end.size(), end.size(), end) == 0
						&& types.count(name.substr(0, name.size() - end.size())) == 1)
					{
						family = name.substr(0, name.size() - end.size());
					}
				}
				CPPUNIT_ASSERT_MESSAGE("sample before its TYPE: " + line, types.count(family) == 1);
			}
		}
		CPPUNIT_ASSERT_EQUAL("histogram"s, types["fwdproxy_request_duration_seconds"]);
		CPPUNIT_ASSERT_EQUAL("gauge"s, types["fwdproxy_active_client_connections"]);
		CPPUNIT_ASSERT_EQUAL("gauge"s, types["fwdproxy_open_tunnels"]);
		CPPUNIT_ASSERT_EQUAL("gauge"s, types["fwdproxy_idle_origin_connections"]);
	}

	void testCountersEndInTotal()
	{
		for (const std::string& line: lines(render(Metrics())))
		{
			std::smatch match;
			if (!std::regex_match(line, match, TYPE) || match[2] != "counter") continue;

			std::string name = match[1];
			CPPUNIT_ASSERT_MESSAGE(name, name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0);
		}
	}

	void testStartsWithZeroes()
	{
		std::map<std::string, std::string> values = samples(render(Metrics()));
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_requests_total{method=\"GET\",code=\"2xx\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_requests_total{method=\"none\",code=\"none\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_rejections_total{reason=\"client_denied\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_upstream_connect_failures_total{cause=\"dns_failure\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_request_duration_seconds_count"]);
		CPPUNIT_ASSERT_EQUAL("0.000000"s, values["fwdproxy_request_duration_seconds_sum"]);
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_build_info{version=\"1.2.3\"}"]);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), values.count("fwdproxy_rejections_total{reason=\"-\"}"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), values.count("fwdproxy_rejections_total{reason=\"max_forwards\"}"));
		CPPUNIT_ASSERT_EQUAL(Metrics::METHOD_COUNT * Metrics::STATUS_CLASS_COUNT, std::size_t(std::count_if(values.begin(),
			values.end(), [](const auto& entry) { return entry.first.compare(0, 24, "fwdproxy_requests_total{") == 0; })));
	}

	void testCountsRequestsByMethodAndClass()
	{
		Metrics metrics;
		metrics.countExchange(record("GET", 200), std::chrono::microseconds(0));
		metrics.countExchange(record("GET", 204), std::chrono::microseconds(0));
		metrics.countExchange(record("GET", 404), std::chrono::microseconds(0));
		metrics.countExchange(record("CONNECT", 200), std::chrono::microseconds(0));
		metrics.countExchange(record("POST", 0), std::chrono::microseconds(0));

		std::map<std::string, std::string> values = samples(render(metrics));
		CPPUNIT_ASSERT_EQUAL("2"s, values["fwdproxy_requests_total{method=\"GET\",code=\"2xx\"}"]);
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_requests_total{method=\"GET\",code=\"4xx\"}"]);
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_requests_total{method=\"CONNECT\",code=\"2xx\"}"]);
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_requests_total{method=\"POST\",code=\"none\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_requests_total{method=\"GET\",code=\"5xx\"}"]);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), metrics.requestsTotal());
	}

	void testLimitsMethodLabels()
	{
		CPPUNIT_ASSERT_EQUAL("other"s, std::string(Metrics::METHODS[Metrics::methodIndex("BREW")]));
		CPPUNIT_ASSERT_EQUAL("other"s, std::string(Metrics::METHODS[Metrics::methodIndex("get")]));
		CPPUNIT_ASSERT_EQUAL("none"s, std::string(Metrics::METHODS[Metrics::methodIndex("")]));
		CPPUNIT_ASSERT_EQUAL("PATCH"s, std::string(Metrics::METHODS[Metrics::methodIndex("PATCH")]));
		CPPUNIT_ASSERT_EQUAL("none"s, std::string(Metrics::STATUS_CLASSES[Metrics::statusClassIndex(0)]));
		CPPUNIT_ASSERT_EQUAL("none"s, std::string(Metrics::STATUS_CLASSES[Metrics::statusClassIndex(600)]));
		CPPUNIT_ASSERT_EQUAL("1xx"s, std::string(Metrics::STATUS_CLASSES[Metrics::statusClassIndex(101)]));
		CPPUNIT_ASSERT_EQUAL("5xx"s, std::string(Metrics::STATUS_CLASSES[Metrics::statusClassIndex(599)]));
	}

	void testCountsRejectionsAndBytes()
	{
		Metrics metrics;
		AccessRecord denied = record("CONNECT", 403);
		denied.reason = Reason::ConnectPortDenied;
		denied.generated = true;
		denied.bytesToClient = 200;
		metrics.countExchange(denied, std::chrono::microseconds(0));

		// A failure after the response began is not an error response of the proxy.
		AccessRecord aborted = record("GET", 200);
		aborted.reason = Reason::ClientAborted;
		aborted.bytesToClient = 1000;
		aborted.bytesFromClient = 30;
		metrics.countExchange(aborted, std::chrono::microseconds(0));

		std::map<std::string, std::string> values = samples(render(metrics));
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_rejections_total{reason=\"connect_port_denied\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_rejections_total{reason=\"client_aborted\"}"]);
		CPPUNIT_ASSERT_EQUAL("1200"s, values["fwdproxy_client_sent_bytes_total"]);
		CPPUNIT_ASSERT_EQUAL("30"s, values["fwdproxy_client_received_bytes_total"]);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), metrics.rejectionsTotal());
	}

	void testCountsConnectFailures()
	{
		Metrics metrics;
		metrics.countConnectFailure(Reason::DnsFailure);
		metrics.countConnectFailure(Reason::ConnectRefused);
		metrics.countConnectFailure(Reason::ConnectRefused);
		metrics.countConnectFailure(Reason::ConnectTimeout);
		metrics.countConnectFailure(Reason::DestinationDenied);

		std::map<std::string, std::string> values = samples(render(metrics));
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_upstream_connect_failures_total{cause=\"dns_failure\"}"]);
		CPPUNIT_ASSERT_EQUAL("2"s, values["fwdproxy_upstream_connect_failures_total{cause=\"connect_refused\"}"]);
		CPPUNIT_ASSERT_EQUAL("1"s, values["fwdproxy_upstream_connect_failures_total{cause=\"connect_timeout\"}"]);
		CPPUNIT_ASSERT_EQUAL("0"s, values["fwdproxy_upstream_connect_failures_total{cause=\"connect_failed\"}"]);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), values.count("fwdproxy_upstream_connect_failures_total{cause=\"destination_denied\"}"));
	}

	void testHistogramIsCumulative()
	{
		Metrics metrics;
		metrics.countExchange(record("GET", 200), std::chrono::microseconds(3000));
		metrics.countExchange(record("GET", 200), std::chrono::microseconds(5000));
		metrics.countExchange(record("GET", 200), std::chrono::microseconds(200000));
		metrics.countExchange(record("CONNECT", 200), std::chrono::seconds(400));

		std::map<std::string, std::string> values = samples(render(metrics));
		CPPUNIT_ASSERT_EQUAL("2"s, values["fwdproxy_request_duration_seconds_bucket{le=\"0.005\"}"]);
		CPPUNIT_ASSERT_EQUAL("2"s, values["fwdproxy_request_duration_seconds_bucket{le=\"0.1\"}"]);
		CPPUNIT_ASSERT_EQUAL("3"s, values["fwdproxy_request_duration_seconds_bucket{le=\"0.25\"}"]);
		CPPUNIT_ASSERT_EQUAL("3"s, values["fwdproxy_request_duration_seconds_bucket{le=\"300\"}"]);
		CPPUNIT_ASSERT_EQUAL("4"s, values["fwdproxy_request_duration_seconds_bucket{le=\"+Inf\"}"]);
		CPPUNIT_ASSERT_EQUAL("4"s, values["fwdproxy_request_duration_seconds_count"]);
		CPPUNIT_ASSERT_EQUAL("400.208000"s, values["fwdproxy_request_duration_seconds_sum"]);
	}

	void testShowsGauges()
	{
		ServerGauges gauges;
		gauges.activeConnections = 3;
		gauges.idleOriginConnections = 2;
		gauges.refusedConnections = 5;
		std::map<std::string, std::string> values = samples(render(Metrics(), gauges));
		CPPUNIT_ASSERT_EQUAL("3"s, values["fwdproxy_active_client_connections"]);
		CPPUNIT_ASSERT_EQUAL("2"s, values["fwdproxy_idle_origin_connections"]);
		CPPUNIT_ASSERT_EQUAL("5"s, values["fwdproxy_refused_connections_total"]);
	}

	void testTunnelGaugeFollowsScope()
	{
		Metrics metrics;
		{
			fwdproxy::observe::OpenTunnel first(metrics);
			fwdproxy::observe::OpenTunnel second(metrics);
			CPPUNIT_ASSERT_EQUAL("2"s, samples(render(metrics))["fwdproxy_open_tunnels"]);
		}
		CPPUNIT_ASSERT_EQUAL("0"s, samples(render(metrics))["fwdproxy_open_tunnels"]);
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(MetricsPageTest);
