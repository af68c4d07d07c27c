//
// HarJsonTest.cpp
//
// HAR entries and documents built from captured exchanges, read back with
// POCO's JSON parser: required fields, masking, text and base64 bodies,
// truncation, tunnels and timings.
//

#include "fwdproxy/observe/HarJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::observe::CapturedExchange;
using fwdproxy::observe::harEntry;
using fwdproxy::observe::harDocument;
using fwdproxy::observe::harTimings;
using fwdproxy::observe::HarTimings;
using fwdproxy::observe::isTextBody;
using fwdproxy::observe::encodeBase64;
using Poco::JSON::Array;
using Poco::JSON::Object;


namespace {


using Clock = CapturedExchange::Clock;


// An HTTP/1.1 request from 127.0.0.1:40000 that bodies are captured for.
CapturedExchange newExchange(const std::string& method, const std::string& url, const std::string& target)
{
	CapturedExchange exchange;
	exchange.client = "127.0.0.1:40000";
	exchange.connectionId = 7;
	exchange.method = method;
	exchange.url = url;
	exchange.requestTarget = target;
	exchange.requestVersion = "HTTP/1.1";
	exchange.capturesBodies = true;
	return exchange;
}


// A GET forwarded on a new connection, with a small text body in the response.
CapturedExchange forwardedGet()
{
	CapturedExchange exchange = newExchange("GET", "http://example.test:8080/search?q=a%20b&empty=&flag",
		"/search?q=a%20b&empty=&flag");
	exchange.requestFields.add("Host", "example.test:8080");
	exchange.requestFields.add("Authorization", "Bearer secret-token");
	exchange.requestFields.add("Cookie", "session=s3cret; theme=dark");
	exchange.forwarded = true;
	exchange.requestHeadSize = 120;
	exchange.requestBody = fwdproxy::observe::BodyCapture(16);
	exchange.responseBody = fwdproxy::observe::BodyCapture(16);

	exchange.responseReceived = true;
	exchange.status = 200;
	exchange.statusText = "OK";
	exchange.responseFields.add("Content-Type", "text/plain; charset=utf-8");
	exchange.responseFields.add("Set-Cookie", "id=42; Path=/; Domain=example.test; HttpOnly; Secure");
	exchange.responseHeadSize = 90;
	exchange.responseBody.append("hello\n", 6);

	exchange.serverAddress = "192.0.2.1";
	exchange.statusSent = 200;
	exchange.bytesToClient = 100;

	Clock::time_point start = Clock::now();
	exchange.start = start;
	exchange.connectStart = start + std::chrono::milliseconds(1);
	exchange.connected = start + std::chrono::milliseconds(3);
	exchange.requestSentAt = start + std::chrono::milliseconds(4);
	exchange.responseAt = start + std::chrono::milliseconds(10);
	exchange.end = start + std::chrono::milliseconds(15);
	return exchange;
}


Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Object::Ptr>();
}


std::string headerValue(const Array::Ptr& headers, const std::string& name)
{
	for (std::size_t i = 0; i < headers->size(); ++i)
	{
		Object::Ptr header = headers->getObject(static_cast<unsigned>(i));
		if (header->getValue<std::string>("name") == name) return header->getValue<std::string>("value");
	}
	return "(absent)";
}


} // namespace


class HarJsonTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HarJsonTest);
	CPPUNIT_TEST(testEntryHasRequiredFields);
	CPPUNIT_TEST(testRequestFields);
	CPPUNIT_TEST(testQueryString);
	CPPUNIT_TEST(testMasksSecretsByDefault);
	CPPUNIT_TEST(testShowsSecretsWhenAsked);
	CPPUNIT_TEST(testResponseCookieAttributes);
	CPPUNIT_TEST(testTextContent);
	CPPUNIT_TEST(testBinaryContentIsBase64);
	CPPUNIT_TEST(testTruncatedContentHasComment);
	CPPUNIT_TEST(testCompressedContentIsBase64);
	CPPUNIT_TEST(testPostData);
	CPPUNIT_TEST(testBinaryPostData);
	CPPUNIT_TEST(testEscapesHeaderValues);
	CPPUNIT_TEST(testNotForwardedEntry);
	CPPUNIT_TEST(testTunnelEntry);
	CPPUNIT_TEST(testTimingsAddUp);
	CPPUNIT_TEST(testReusedConnectionHasNoConnectTime);
	CPPUNIT_TEST(testDocumentStructure);
	CPPUNIT_TEST(testDocumentCountsDroppedEntries);
	CPPUNIT_TEST(testTextBodyDetection);
	CPPUNIT_TEST(testBase64);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEntryHasRequiredFields()
	{
		Object::Ptr entry = parse(harEntry(forwardedGet(), false));
		for (const char* name: {"startedDateTime", "time", "request", "response", "cache", "timings"})
		{
			CPPUNIT_ASSERT_MESSAGE(name, entry->has(name));
		}
		CPPUNIT_ASSERT_EQUAL("192.0.2.1"s, entry->getValue<std::string>("serverIPAddress"));
		CPPUNIT_ASSERT_EQUAL("7"s, entry->getValue<std::string>("connection"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), entry->getObject("cache")->size());

		std::string started = entry->getValue<std::string>("startedDateTime");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(started, std::size_t(24), started.size());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(started, 'T', started[10]);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(started, 'Z', started.back());

		Object::Ptr timings = entry->getObject("timings");
		for (const char* name: {"blocked", "dns", "connect", "send", "wait", "receive", "ssl"})
		{
			CPPUNIT_ASSERT_MESSAGE(name, timings->has(name));
		}
	}

	void testRequestFields()
	{
		Object::Ptr request = parse(harEntry(forwardedGet(), false))->getObject("request");
		CPPUNIT_ASSERT_EQUAL("GET"s, request->getValue<std::string>("method"));
		CPPUNIT_ASSERT_EQUAL("http://example.test:8080/search?q=a%20b&empty=&flag"s, request->getValue<std::string>("url"));
		CPPUNIT_ASSERT_EQUAL("HTTP/1.1"s, request->getValue<std::string>("httpVersion"));
		CPPUNIT_ASSERT_EQUAL(120, request->getValue<int>("headersSize"));
		CPPUNIT_ASSERT_EQUAL(0, request->getValue<int>("bodySize"));
		CPPUNIT_ASSERT(!request->has("postData"));
		CPPUNIT_ASSERT_EQUAL("example.test:8080"s, headerValue(request->getArray("headers"), "Host"));
	}

	void testQueryString()
	{
		Array::Ptr query = parse(harEntry(forwardedGet(), false))->getObject("request")->getArray("queryString");
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), query->size());
		CPPUNIT_ASSERT_EQUAL("q"s, query->getObject(0)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL("a b"s, query->getObject(0)->getValue<std::string>("value"));
		CPPUNIT_ASSERT_EQUAL("empty"s, query->getObject(1)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL(""s, query->getObject(1)->getValue<std::string>("value"));
		CPPUNIT_ASSERT_EQUAL("flag"s, query->getObject(2)->getValue<std::string>("name"));
	}

	void testMasksSecretsByDefault()
	{
		std::string json = harEntry(forwardedGet(), false);
		CPPUNIT_ASSERT_MESSAGE(json, json.find("secret-token") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(json, json.find("s3cret") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(json, json.find("42") == std::string::npos);

		Object::Ptr entry = parse(json);
		Object::Ptr request = entry->getObject("request");
		CPPUNIT_ASSERT_EQUAL("<masked 19 bytes>"s, headerValue(request->getArray("headers"), "Authorization"));
		CPPUNIT_ASSERT_EQUAL("<masked 26 bytes>"s, headerValue(request->getArray("headers"), "Cookie"));

		Array::Ptr cookies = request->getArray("cookies");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), cookies->size());
		CPPUNIT_ASSERT_EQUAL("session"s, cookies->getObject(0)->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL("<masked 6 bytes>"s, cookies->getObject(0)->getValue<std::string>("value"));
		CPPUNIT_ASSERT_EQUAL("theme"s, cookies->getObject(1)->getValue<std::string>("name"));

		Object::Ptr response = entry->getObject("response");
		CPPUNIT_ASSERT_EQUAL("<masked 52 bytes>"s, headerValue(response->getArray("headers"), "Set-Cookie"));
		CPPUNIT_ASSERT_EQUAL("<masked 2 bytes>"s, response->getArray("cookies")->getObject(0)->getValue<std::string>("value"));
	}

	void testShowsSecretsWhenAsked()
	{
		Object::Ptr entry = parse(harEntry(forwardedGet(), true));
		Object::Ptr request = entry->getObject("request");
		CPPUNIT_ASSERT_EQUAL("Bearer secret-token"s, headerValue(request->getArray("headers"), "Authorization"));
		CPPUNIT_ASSERT_EQUAL("s3cret"s, request->getArray("cookies")->getObject(0)->getValue<std::string>("value"));
		CPPUNIT_ASSERT_EQUAL("dark"s, request->getArray("cookies")->getObject(1)->getValue<std::string>("value"));
		CPPUNIT_ASSERT_EQUAL("42"s, entry->getObject("response")->getArray("cookies")->getObject(0)->getValue<std::string>("value"));
	}

	void testResponseCookieAttributes()
	{
		Object::Ptr cookie = parse(harEntry(forwardedGet(), true))->getObject("response")->getArray("cookies")->getObject(0);
		CPPUNIT_ASSERT_EQUAL("id"s, cookie->getValue<std::string>("name"));
		CPPUNIT_ASSERT_EQUAL("/"s, cookie->getValue<std::string>("path"));
		CPPUNIT_ASSERT_EQUAL("example.test"s, cookie->getValue<std::string>("domain"));
		CPPUNIT_ASSERT(cookie->getValue<bool>("httpOnly"));
		CPPUNIT_ASSERT(cookie->getValue<bool>("secure"));
	}

	void testTextContent()
	{
		Object::Ptr response = parse(harEntry(forwardedGet(), false))->getObject("response");
		CPPUNIT_ASSERT_EQUAL(200, response->getValue<int>("status"));
		CPPUNIT_ASSERT_EQUAL("OK"s, response->getValue<std::string>("statusText"));
		CPPUNIT_ASSERT_EQUAL("HTTP/1.1"s, response->getValue<std::string>("httpVersion"));
		CPPUNIT_ASSERT_EQUAL(90, response->getValue<int>("headersSize"));
		CPPUNIT_ASSERT_EQUAL(6, response->getValue<int>("bodySize"));
		CPPUNIT_ASSERT_EQUAL(""s, response->getValue<std::string>("redirectURL"));

		Object::Ptr content = response->getObject("content");
		CPPUNIT_ASSERT_EQUAL(6, content->getValue<int>("size"));
		CPPUNIT_ASSERT_EQUAL("text/plain; charset=utf-8"s, content->getValue<std::string>("mimeType"));
		CPPUNIT_ASSERT_EQUAL("hello\n"s, content->getValue<std::string>("text"));
		CPPUNIT_ASSERT(!content->has("encoding"));
		CPPUNIT_ASSERT(!content->has("comment"));
	}

	void testBinaryContentIsBase64()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.responseFields.clear();
		exchange.responseFields.add("Content-Type", "application/octet-stream");
		exchange.responseBody = fwdproxy::observe::BodyCapture(16);
		const char bytes[] = {'\0', '\x01', '\xFF', '\xFE', 'A'};
		exchange.responseBody.append(bytes, sizeof bytes);

		Object::Ptr content = parse(harEntry(exchange, false))->getObject("response")->getObject("content");
		CPPUNIT_ASSERT_EQUAL("AAH//kE="s, content->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL("base64"s, content->getValue<std::string>("encoding"));
		CPPUNIT_ASSERT_EQUAL(5, content->getValue<int>("size"));
	}

	void testTruncatedContentHasComment()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.responseBody = fwdproxy::observe::BodyCapture(4);
		exchange.responseBody.append("abcdefghij", 10);

		Object::Ptr entry = parse(harEntry(exchange, false));
		Object::Ptr content = entry->getObject("response")->getObject("content");
		CPPUNIT_ASSERT_EQUAL("abcd"s, content->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(10, content->getValue<int>("size"));
		CPPUNIT_ASSERT_EQUAL(10, entry->getObject("response")->getValue<int>("bodySize"));
		std::string comment = content->getValue<std::string>("comment");
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("first 4 of 10 bytes") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("proxy.har.maxBodySize") != std::string::npos);
	}

	void testCompressedContentIsBase64()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.responseFields.add("Content-Encoding", "gzip");

		Object::Ptr content = parse(harEntry(exchange, false))->getObject("response")->getObject("content");
		CPPUNIT_ASSERT_EQUAL("base64"s, content->getValue<std::string>("encoding"));
		CPPUNIT_ASSERT_EQUAL(encodeBase64("hello\n"), content->getValue<std::string>("text"));
		std::string comment = content->getValue<std::string>("comment");
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("Content-Encoding gzip") != std::string::npos);
	}

	void testPostData()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.method = "POST";
		exchange.requestFields.add("Content-Type", "application/json");
		exchange.requestBody.append("{\"a\":\"\xC3\xA9\"}", 10);

		Object::Ptr request = parse(harEntry(exchange, false))->getObject("request");
		CPPUNIT_ASSERT_EQUAL(10, request->getValue<int>("bodySize"));
		Object::Ptr postData = request->getObject("postData");
		CPPUNIT_ASSERT_EQUAL("application/json"s, postData->getValue<std::string>("mimeType"));
		CPPUNIT_ASSERT_EQUAL("{\"a\":\"\xC3\xA9\"}"s, postData->getValue<std::string>("text"));
		CPPUNIT_ASSERT(!postData->has("_encoding"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), postData->getArray("params")->size());
	}

	void testBinaryPostData()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.method = "PUT";
		exchange.requestBody.append("\x89PNG\r\n\x1a\n", 8);

		Object::Ptr postData = parse(harEntry(exchange, false))->getObject("request")->getObject("postData");
		CPPUNIT_ASSERT_EQUAL(""s, postData->getValue<std::string>("mimeType"));
		CPPUNIT_ASSERT_EQUAL("iVBORw0KGgo="s, postData->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL("base64"s, postData->getValue<std::string>("_encoding"));
	}

	void testEscapesHeaderValues()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.requestFields.add("X-Quote", "say \"hi\" \\ there");
		exchange.requestFields.add("X-Latin1", "caf\xE9");

		std::string json = harEntry(exchange, false);
		Object::Ptr request = parse(json)->getObject("request");
		CPPUNIT_ASSERT_EQUAL("say \"hi\" \\ there"s, headerValue(request->getArray("headers"), "X-Quote"));
		CPPUNIT_ASSERT_EQUAL("caf\xEF\xBF\xBD"s, headerValue(request->getArray("headers"), "X-Latin1"));
		CPPUNIT_ASSERT_MESSAGE("an entry is one line", json.find('\n') == std::string::npos);
	}

	void testNotForwardedEntry()
	{
		CapturedExchange exchange = newExchange("GET", "http://denied.test/", "http://denied.test/");
		exchange.requestFields.add("Proxy-Authorization", "Basic dXNlcjpwYXNz");
		exchange.statusSent = 407;
		exchange.reason = fwdproxy::http::Reason::AuthRequired;
		exchange.start = Clock::now();
		exchange.end = exchange.start + std::chrono::milliseconds(2);

		std::string json = harEntry(exchange, false);
		CPPUNIT_ASSERT_MESSAGE(json, json.find("dXNlcjpwYXNz") == std::string::npos);
		Object::Ptr entry = parse(json);
		Object::Ptr request = entry->getObject("request");
		CPPUNIT_ASSERT_EQUAL(-1, request->getValue<int>("headersSize"));
		CPPUNIT_ASSERT_EQUAL("<masked 18 bytes>"s, headerValue(request->getArray("headers"), "Proxy-Authorization"));

		Object::Ptr response = entry->getObject("response");
		CPPUNIT_ASSERT_EQUAL(407, response->getValue<int>("status"));
		CPPUNIT_ASSERT_EQUAL("Proxy Authentication Required"s, response->getValue<std::string>("statusText"));
		CPPUNIT_ASSERT_EQUAL(-1, response->getValue<int>("headersSize"));
		CPPUNIT_ASSERT_EQUAL(-1, response->getValue<int>("bodySize"));
		CPPUNIT_ASSERT(!entry->has("serverIPAddress"));
		CPPUNIT_ASSERT_EQUAL("auth_required"s, entry->getValue<std::string>("_reason"));
		std::string comment = entry->getValue<std::string>("comment");
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("not forwarded") != std::string::npos);
	}

	void testTunnelEntry()
	{
		CapturedExchange exchange = newExchange("CONNECT", "tcp://example.test:443", "example.test:443");
		exchange.serverAddress = "192.0.2.1";
		exchange.tunnel = true;
		exchange.tunnelBytesToOrigin = 517;
		exchange.tunnelBytesToClient = 4410;
		exchange.statusSent = 200;
		exchange.start = Clock::now();
		exchange.connectStart = exchange.start;
		exchange.connected = exchange.start + std::chrono::milliseconds(5);
		exchange.end = exchange.start + std::chrono::milliseconds(3000);

		Object::Ptr entry = parse(harEntry(exchange, false));
		Object::Ptr request = entry->getObject("request");
		CPPUNIT_ASSERT_EQUAL("CONNECT"s, request->getValue<std::string>("method"));
		CPPUNIT_ASSERT_EQUAL("tcp://example.test:443"s, request->getValue<std::string>("url"));
		CPPUNIT_ASSERT_EQUAL(517, request->getValue<int>("bodySize"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), request->getArray("queryString")->size());

		Object::Ptr response = entry->getObject("response");
		CPPUNIT_ASSERT_EQUAL(200, response->getValue<int>("status"));
		CPPUNIT_ASSERT_EQUAL("Connection established"s, response->getValue<std::string>("statusText"));
		CPPUNIT_ASSERT_EQUAL(4410, response->getValue<int>("bodySize"));
		CPPUNIT_ASSERT_EQUAL(4410, response->getObject("content")->getValue<int>("size"));
		CPPUNIT_ASSERT(!response->getObject("content")->has("text"));

		std::string comment = entry->getValue<std::string>("comment");
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("517 bytes client to origin") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("4410 bytes origin to client") != std::string::npos);
	}

	void testTimingsAddUp()
	{
		CapturedExchange exchange = forwardedGet();
		HarTimings timings = harTimings(exchange);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, timings.blocked, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(-1.0, timings.dns, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(2.0, timings.connect, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(1.0, timings.send, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(6.0, timings.wait, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(5.0, timings.receive, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(-1.0, timings.ssl, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(15.0, timings.total(), 0.001);

		Object::Ptr entry = parse(harEntry(exchange, false));
		CPPUNIT_ASSERT_DOUBLES_EQUAL(15.0, entry->getValue<double>("time"), 0.001);
	}

	void testReusedConnectionHasNoConnectTime()
	{
		CapturedExchange exchange = forwardedGet();
		exchange.reusedConnection = true;
		HarTimings timings = harTimings(exchange);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(-1.0, timings.connect, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(3.0, timings.blocked, 0.001);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(15.0, timings.total(), 0.001);
	}

	void testDocumentStructure()
	{
		std::vector<std::string> entries = {harEntry(forwardedGet(), false), harEntry(forwardedGet(), false)};
		Object::Ptr log = parse(harDocument(entries, 0, 10))->getObject("log");
		CPPUNIT_ASSERT_EQUAL("1.2"s, log->getValue<std::string>("version"));
		CPPUNIT_ASSERT_EQUAL("fwdproxy"s, log->getObject("creator")->getValue<std::string>("name"));
		CPPUNIT_ASSERT(!log->getObject("creator")->getValue<std::string>("version").empty());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), log->getArray("entries")->size());
		CPPUNIT_ASSERT(!log->has("comment"));

		Object::Ptr empty = parse(harDocument({}, 0, 10))->getObject("log");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), empty->getArray("entries")->size());
	}

	void testDocumentCountsDroppedEntries()
	{
		Object::Ptr log = parse(harDocument({harEntry(forwardedGet(), false)}, 25, 1))->getObject("log");
		std::string comment = log->getValue<std::string>("comment");
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("25 older entries were dropped") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(comment, comment.find("proxy.har.maxEntries") != std::string::npos);
	}

	void testTextBodyDetection()
	{
		CPPUNIT_ASSERT(isTextBody("text/html; charset=utf-8", "", "<p>caf\xC3\xA9</p>", false));
		CPPUNIT_ASSERT(isTextBody("application/json", "identity", "{}", false));
		CPPUNIT_ASSERT(isTextBody("application/problem+json", "", "{}", false));
		CPPUNIT_ASSERT(isTextBody("image/svg+xml", "", "<svg/>", false));
		CPPUNIT_ASSERT(isTextBody("", "", "plain words\r\n", false));
		CPPUNIT_ASSERT(isTextBody("text/plain", "", "cut \xE2\x82", true));

		CPPUNIT_ASSERT(!isTextBody("text/plain", "", "cut \xE2\x82", false));
		CPPUNIT_ASSERT(!isTextBody("text/plain; charset=iso-8859-1", "", "caf\xE9", false));
		CPPUNIT_ASSERT(!isTextBody("text/plain", "gzip", "hello", false));
		CPPUNIT_ASSERT(!isTextBody("application/octet-stream", "", "hello", false));
		CPPUNIT_ASSERT(!isTextBody("image/png", "", "hello", false));
		CPPUNIT_ASSERT(!isTextBody("", "", "nul\0byte"s, false));
		CPPUNIT_ASSERT(!isTextBody("text/plain", "", "escape \x1b[0m", false));
	}

	void testBase64()
	{
		CPPUNIT_ASSERT_EQUAL(""s, encodeBase64(""));
		CPPUNIT_ASSERT_EQUAL("Zg=="s, encodeBase64("f"));
		CPPUNIT_ASSERT_EQUAL("Zm9vYmFy"s, encodeBase64("foobar"));
		std::string long_input(200, 'x');
		CPPUNIT_ASSERT_MESSAGE("no line breaks", encodeBase64(long_input).find('\n') == std::string::npos);
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(HarJsonTest);
