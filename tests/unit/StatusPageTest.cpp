//
// StatusPageTest.cpp
//
// The plain-text /status page.
//

#include "fwdproxy/admin/StatusPage.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>


using namespace std::string_literals;
using fwdproxy::admin::ServerGauges;
using fwdproxy::admin::StatusInfo;
using fwdproxy::admin::formatUptime;
using fwdproxy::admin::renderStatusPage;
using fwdproxy::observe::AccessRecord;
using fwdproxy::observe::Metrics;


class StatusPageTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StatusPageTest);
	CPPUNIT_TEST(testFormatsUptime);
	CPPUNIT_TEST(testRendersPage);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFormatsUptime()
	{
		CPPUNIT_ASSERT_EQUAL("00:00:00"s, formatUptime(std::chrono::seconds(0)));
		CPPUNIT_ASSERT_EQUAL("01:02:03"s, formatUptime(std::chrono::seconds(3723)));
		CPPUNIT_ASSERT_EQUAL("23:59:59"s, formatUptime(std::chrono::seconds(86399)));
		CPPUNIT_ASSERT_EQUAL("2d 00:00:01"s, formatUptime(std::chrono::seconds(2 * 86400 + 1)));
	}

	void testRendersPage()
	{
		Metrics metrics;
		AccessRecord record;
		record.method = "GET";
		record.status = 200;
		record.bytesToClient = 100;
		record.bytesFromClient = 7;
		metrics.countExchange(record, std::chrono::microseconds(10));
		metrics.countConnectFailure(fwdproxy::http::Reason::ConnectRefused);
		metrics.tunnelOpened();

		ServerGauges gauges;
		gauges.activeConnections = 4;
		gauges.idleOriginConnections = 1;
		StatusInfo info;
		info.version = "1.2.3";
		info.startTime = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
		info.uptime = std::chrono::seconds(3723);
		info.proxyListeners = {"127.0.0.1:3128", "[::1]:3128"};

		std::string expected =
			"fwdproxy 1.2.3\n"
			"\n"
			"started: 2023-11-14T22:13:20Z\n"
			"uptime: 01:02:03 (3723 s)\n"
			"proxy listeners: 127.0.0.1:3128, [::1]:3128\n"
			"admin listeners: none\n"
			"\n"
			"active client connections: 4\n"
			"open tunnels: 1\n"
			"idle origin connections: 1\n"
			"\n"
			"requests: 1\n"
			"error responses from the proxy: 0\n"
			"upstream connect failures: 1\n"
			"bytes received from clients: 7\n"
			"bytes sent to clients: 100\n"
			"refused connections (queue full): 0\n";
		CPPUNIT_ASSERT_EQUAL(expected, renderStatusPage(metrics, gauges, info));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(StatusPageTest);
