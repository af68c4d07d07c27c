//
// AccessLogFormatTest.cpp
//
// Access-log lines in the native, Squid and NCSA formats, compared byte for
// byte for records with known times.
//

#include "fwdproxy/observe/AccessLogFormat.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <string>


using namespace std::string_literals;
using fwdproxy::http::Reason;
using fwdproxy::observe::AccessLogFormat;
using fwdproxy::observe::AccessRecord;
using fwdproxy::observe::formatAccessLine;


namespace {


// 2023-11-14T22:13:20.123Z, which is 1700000000.123 seconds after the epoch.
const std::chrono::system_clock::time_point RECEIVED{std::chrono::milliseconds(1700000000123LL)};
const std::chrono::microseconds DURATION{145678};
const std::chrono::system_clock::time_point WRITTEN = RECEIVED + DURATION;


AccessRecord forwardedGet()
{
	AccessRecord record;
	record.client = "127.0.0.1:50000";
	record.connectionId = 7;
	record.method = "GET";
	record.target = "http://host.example/index.html";
	record.protocol = "HTTP/1.1";
	record.upstream = "192.0.2.10";
	record.contentType = "text/html; charset=utf-8";
	record.referer = "http://ref.example/";
	record.userAgent = "curl/8.0";
	record.status = 200;
	record.bytesToClient = 1234;
	record.received = RECEIVED;
	return record;
}


AccessRecord tunnel()
{
	AccessRecord record;
	record.client = "[::1]:50001";
	record.connectionId = 8;
	record.method = "CONNECT";
	record.target = "host.example:443";
	record.protocol = "HTTP/1.1";
	record.upstream = "2001:db8::10";
	record.status = 200;
	record.bytesToClient = 5000;
	record.bytesFromClient = 700;
	record.received = RECEIVED;
	return record;
}


// What ExchangeContext::reject leaves in a record.
AccessRecord rejected(Reason reason, int status)
{
	AccessRecord record;
	record.client = "127.0.0.1:50002";
	record.connectionId = 9;
	record.method = "CONNECT";
	record.target = "host.example:25";
	record.protocol = "HTTP/1.1";
	record.status = status;
	record.generated = true;
	record.reason = reason;
	record.contentType = "text/plain; charset=utf-8";
	record.bytesToClient = 214;
	record.received = RECEIVED;
	return record;
}


std::string line(const AccessRecord& record, AccessLogFormat format)
{
	return formatAccessLine(record, format, WRITTEN, DURATION);
}


} // namespace


class AccessLogFormatTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AccessLogFormatTest);
	CPPUNIT_TEST(testParsesFormatNames);
	CPPUNIT_TEST(testNativeLine);
	CPPUNIT_TEST(testNativeLineWithoutRequest);
	CPPUNIT_TEST(testSquidForwardedRequest);
	CPPUNIT_TEST(testSquidThroughParent);
	CPPUNIT_TEST(testSquidTunnel);
	CPPUNIT_TEST(testSquidRefusals);
	CPPUNIT_TEST(testSquidBadRequest);
	CPPUNIT_TEST(testSquidUpstreamFailure);
	CPPUNIT_TEST(testSquidClientAborted);
	CPPUNIT_TEST(testSquidUserIsEncoded);
	CPPUNIT_TEST(testSquidPadsShortTimes);
	CPPUNIT_TEST(testCommonLine);
	CPPUNIT_TEST(testCombinedLine);
	CPPUNIT_TEST(testCombinedEscapesQuotes);
	CPPUNIT_TEST(testNcsaWithoutRequest);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesFormatNames()
	{
		AccessLogFormat format = AccessLogFormat::Native;
		CPPUNIT_ASSERT(fwdproxy::observe::parseAccessLogFormat("Squid", format));
		CPPUNIT_ASSERT(format == AccessLogFormat::Squid);
		CPPUNIT_ASSERT(fwdproxy::observe::parseAccessLogFormat("common", format));
		CPPUNIT_ASSERT(format == AccessLogFormat::Common);
		CPPUNIT_ASSERT(!fwdproxy::observe::parseAccessLogFormat("clf", format));
		CPPUNIT_ASSERT(format == AccessLogFormat::Common);

		CPPUNIT_ASSERT(!fwdproxy::observe::carriesOwnTime(AccessLogFormat::Native));
		CPPUNIT_ASSERT(fwdproxy::observe::carriesOwnTime(AccessLogFormat::Squid));
		CPPUNIT_ASSERT(fwdproxy::observe::carriesOwnTime(AccessLogFormat::Combined));
	}

	void testNativeLine()
	{
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:50000 #7 GET http://host.example/index.html 200 1234 145ms -"s,
			line(forwardedGet(), AccessLogFormat::Native));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:50002 #9 CONNECT host.example:25 403 214 145ms connect_port_denied"s,
			line(rejected(Reason::ConnectPortDenied, 403), AccessLogFormat::Native));
	}

	void testNativeLineWithoutRequest()
	{
		AccessRecord record = rejected(Reason::HeaderTimeout, 408);
		record.method.clear();
		record.target.clear();
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:50002 #9 - - 408 214 145ms header_timeout"s, line(record, AccessLogFormat::Native));
	}

	void testSquidForwardedRequest()
	{
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_MISS/200 1234 GET http://host.example/index.html - "
			"HIER_DIRECT/192.0.2.10 text/html"s, line(forwardedGet(), AccessLogFormat::Squid));
	}

	void testSquidThroughParent()
	{
		AccessRecord record = forwardedGet();
		record.throughParent = true;
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_MISS/200 1234 GET http://host.example/index.html - "
			"FIRSTUP_PARENT/192.0.2.10 text/html"s, line(record, AccessLogFormat::Squid));
	}

	void testSquidTunnel()
	{
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 ::1 TCP_TUNNEL/200 5000 CONNECT host.example:443 - "
			"HIER_DIRECT/2001:db8::10 -"s, line(tunnel(), AccessLogFormat::Squid));
	}

	void testSquidRefusals()
	{
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_DENIED/403 214 CONNECT host.example:25 - "
			"HIER_NONE/- text/plain"s, line(rejected(Reason::ConnectPortDenied, 403), AccessLogFormat::Squid));
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_DENIED/407 214 CONNECT host.example:25 - "
			"HIER_NONE/- text/plain"s, line(rejected(Reason::AuthRequired, 407), AccessLogFormat::Squid));
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_DENIED/503 214 CONNECT host.example:25 - "
			"HIER_NONE/- text/plain"s, line(rejected(Reason::TooManyConnections, 503), AccessLogFormat::Squid));
	}

	void testSquidBadRequest()
	{
		AccessRecord record = rejected(Reason::OriginFormTarget, 400);
		record.method = "GET";
		record.target = "/index.html";
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 NONE_NONE/400 214 GET /index.html - HIER_NONE/- text/plain"s,
			line(record, AccessLogFormat::Squid));

		record = rejected(Reason::HeaderTimeout, 408);
		record.method.clear();
		record.target.clear();
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 NONE_NONE/408 214 NONE - - HIER_NONE/- text/plain"s,
			line(record, AccessLogFormat::Squid));
	}

	void testSquidUpstreamFailure()
	{
		AccessRecord record = rejected(Reason::DnsFailure, 502);
		record.method = "GET";
		record.target = "http://nowhere.invalid/";
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_MISS/502 214 GET http://nowhere.invalid/ - "
			"HIER_NONE/- text/plain"s, line(record, AccessLogFormat::Squid));

		record = rejected(Reason::ResponseTimeout, 504);
		record.upstream = "192.0.2.10";
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_MISS/504 214 CONNECT host.example:25 - "
			"HIER_DIRECT/192.0.2.10 text/plain"s, line(record, AccessLogFormat::Squid));
	}

	void testSquidClientAborted()
	{
		AccessRecord record = forwardedGet();
		record.reason = Reason::ClientAborted;
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 127.0.0.1 TCP_MISS_ABORTED/200 1234 GET http://host.example/index.html - "
			"HIER_DIRECT/192.0.2.10 text/html"s, line(record, AccessLogFormat::Squid));

		record = tunnel();
		record.reason = Reason::ClientAborted;
		record.status = 0;
		record.bytesToClient = 0;
		CPPUNIT_ASSERT_EQUAL("1700000000.268    145 ::1 TCP_TUNNEL_ABORTED/000 0 CONNECT host.example:443 - "
			"HIER_DIRECT/2001:db8::10 -"s, line(record, AccessLogFormat::Squid));
	}

	void testSquidUserIsEncoded()
	{
		AccessRecord record = forwardedGet();
		record.user = "alice";
		CPPUNIT_ASSERT(line(record, AccessLogFormat::Squid).find(" http://host.example/index.html alice HIER_DIRECT/") != std::string::npos);

		record.user = "Bob Smith\"%";
		std::string text = line(record, AccessLogFormat::Squid);
		CPPUNIT_ASSERT_MESSAGE(text, text.find(" http://host.example/index.html Bob%20Smith%22%25 HIER_DIRECT/") != std::string::npos);
	}

	void testSquidPadsShortTimes()
	{
		// Squid writes "%9ld.%03d %6ld": the milliseconds keep their leading zeros.
		std::chrono::system_clock::time_point written{std::chrono::milliseconds(1700000000005LL)};
		std::string text = formatAccessLine(forwardedGet(), AccessLogFormat::Squid, written, std::chrono::microseconds(999));
		std::string expected = "1700000000.005      0 127.0.0.1 ";
		CPPUNIT_ASSERT_EQUAL(expected, text.substr(0, expected.size()));

		text = formatAccessLine(forwardedGet(), AccessLogFormat::Squid, written, std::chrono::seconds(1234567));
		expected = "1700000000.005 1234567000 127.0.0.1 ";
		CPPUNIT_ASSERT_EQUAL(expected, text.substr(0, expected.size()));
	}

	void testCommonLine()
	{
		CPPUNIT_ASSERT_EQUAL("127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] \"GET http://host.example/index.html HTTP/1.1\" 200 1234"s,
			line(forwardedGet(), AccessLogFormat::Common));

		AccessRecord record = tunnel();
		record.user = "alice";
		CPPUNIT_ASSERT_EQUAL("::1 - alice [14/Nov/2023:22:13:20 +0000] \"CONNECT host.example:443 HTTP/1.1\" 200 5000"s,
			line(record, AccessLogFormat::Common));
	}

	void testCombinedLine()
	{
		CPPUNIT_ASSERT_EQUAL("127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] \"GET http://host.example/index.html HTTP/1.1\" 200 1234 "
			"\"http://ref.example/\" \"curl/8.0\""s, line(forwardedGet(), AccessLogFormat::Combined));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] \"CONNECT host.example:25 HTTP/1.1\" 403 214 \"-\" \"-\""s,
			line(rejected(Reason::ConnectPortDenied, 403), AccessLogFormat::Combined));
	}

	void testCombinedEscapesQuotes()
	{
		AccessRecord record = forwardedGet();
		record.userAgent = "Agent \"quoted\" \\ \x01\xc3\xa9";
		std::string text = line(record, AccessLogFormat::Combined);
		std::string expected = " \"Agent \\\"quoted\\\" \\\\ \\x01\\xc3\\xa9\"";
		CPPUNIT_ASSERT_EQUAL(expected, text.substr(text.size() - expected.size()));
	}

	void testNcsaWithoutRequest()
	{
		// No status and no bytes are written as "-", as the Common Log Format does for unknown values.
		AccessRecord record;
		record.client = "127.0.0.1:50003";
		record.reason = Reason::ClientAborted;
		record.received = RECEIVED;
		CPPUNIT_ASSERT_EQUAL("127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] \"-\" - -"s, line(record, AccessLogFormat::Common));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(AccessLogFormatTest);
