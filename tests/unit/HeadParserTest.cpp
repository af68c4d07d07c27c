//
// HeadParserTest.cpp
//
// Request and response head parsing, and the search for the end of a head.
//

#include "AssertionTraits.h"
#include "EscapedText.h"

#include "fwdproxy/http/HeadParser.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::http::Field;
using fwdproxy::http::Reason;
using fwdproxy::http::RequestHead;
using fwdproxy::http::ResponseHead;


namespace {


const std::size_t MAX_TARGET = 8192;


Reason parseRequest(const std::string& head, RequestHead& request)
{
	return fwdproxy::http::parseRequestHead(head, MAX_TARGET, request);
}


Reason parseRequest(const std::string& head)
{
	RequestHead request;
	return parseRequest(head, request);
}


Reason parseResponse(const std::string& head)
{
	ResponseHead response;
	return fwdproxy::http::parseResponseHead(head, response);
}


// Builds a request whose only field line is fieldLine, to test one field rule at a time.
std::string requestWithField(const std::string& fieldLine)
{
	return "GET http://example.com/ HTTP/1.1\r\n" + fieldLine + "\r\n\r\n";
}


std::string requestWithLine(const std::string& requestLine)
{
	return requestLine + "\r\nHost: example.com\r\n\r\n";
}


void assertRequestReason(Reason expected, const std::vector<std::string>& heads)
{
	for (const std::string& head: heads)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(head), expected, parseRequest(head));
	}
}


void assertResponseReason(Reason expected, const std::vector<std::string>& heads)
{
	for (const std::string& head: heads)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(head), expected, parseResponse(head));
	}
}


const std::string FULL_REQUEST =
	"GET http://example.com/index.html?q=1 HTTP/1.1\r\n"
	"Host: example.com\r\n"
	"User-Agent: test/1.0\r\n"
	"Accept: */*\r\n"
	"\r\n";


} // namespace


class HeadParserTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HeadParserTest);
	CPPUNIT_TEST(testParsesAbsoluteFormGet);
	CPPUNIT_TEST(testParsesConnectAuthorityForm);
	CPPUNIT_TEST(testParsesHttp10);
	CPPUNIT_TEST(testKeepsFieldOrderAndRepeats);
	CPPUNIT_TEST(testTrimsValueWhitespace);
	CPPUNIT_TEST(testAcceptsObsTextInValue);
	CPPUNIT_TEST(testRejectsBareLf);
	CPPUNIT_TEST(testRejectsObsFold);
	CPPUNIT_TEST(testRejectsWhitespaceBeforeColon);
	CPPUNIT_TEST(testRejectsNonTokenNameBytes);
	CPPUNIT_TEST(testRejectsFieldLineWithoutColon);
	CPPUNIT_TEST(testRejectsNulInValue);
	CPPUNIT_TEST(testRejectsBareCrInValue);
	CPPUNIT_TEST(testRejectsOtherControlsInValue);
	CPPUNIT_TEST(testRejectsDoubleSpaces);
	CPPUNIT_TEST(testRejectsOtherSeparators);
	CPPUNIT_TEST(testRejectsMissingVersion);
	CPPUNIT_TEST(testRejectsUnsupportedVersion);
	CPPUNIT_TEST(testRejectsMalformedVersion);
	CPPUNIT_TEST(testRejectsNonTokenMethod);
	CPPUNIT_TEST(testRejectsControlsInTarget);
	CPPUNIT_TEST(testRejectsTargetOverLimit);
	CPPUNIT_TEST(testAcceptsTargetAtLimit);
	CPPUNIT_TEST(testRejectsIncompleteHead);
	CPPUNIT_TEST(testParsesStatusLine);
	CPPUNIT_TEST(testParsesReasonWithSpaces);
	CPPUNIT_TEST(testAcceptsMissingReasonPhrase);
	CPPUNIT_TEST(testMarksInterimResponse);
	CPPUNIT_TEST(testRejectsBadStatusCode);
	CPPUNIT_TEST(testRejectsBadResponseVersion);
	CPPUNIT_TEST(testRejectsBadResponseFields);
	CPPUNIT_TEST(testFindsEndOnlyWhenComplete);
	CPPUNIT_TEST(testSplitsAtEveryOffset);
	CPPUNIT_TEST(testFindsEndBeforeBody);
	CPPUNIT_TEST(testEndsSearchAtBareLf);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesAbsoluteFormGet()
	{
		RequestHead request;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(FULL_REQUEST, request));
		CPPUNIT_ASSERT_EQUAL("GET"s, request.method);
		CPPUNIT_ASSERT_EQUAL("http://example.com/index.html?q=1"s, request.target);
		CPPUNIT_ASSERT_EQUAL(1, request.versionMinor);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), request.fields.list().size());
		CPPUNIT_ASSERT_EQUAL("test/1.0"s, *request.fields.find("User-Agent"));
	}

	void testParsesConnectAuthorityForm()
	{
		RequestHead request;
		std::string head = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(head, request));
		CPPUNIT_ASSERT_EQUAL("CONNECT"s, request.method);
		CPPUNIT_ASSERT_EQUAL("example.com:443"s, request.target);
		CPPUNIT_ASSERT_EQUAL("example.com:443"s, *request.fields.find("host"));
	}

	void testParsesHttp10()
	{
		RequestHead request;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest("GET http://example.com/ HTTP/1.0\r\n\r\n", request));
		CPPUNIT_ASSERT_EQUAL(0, request.versionMinor);
		CPPUNIT_ASSERT_EQUAL("HTTP/1.0"s, request.version());
		CPPUNIT_ASSERT(request.fields.empty());
	}

	void testKeepsFieldOrderAndRepeats()
	{
		RequestHead request;
		std::string head =
			"GET http://example.com/ HTTP/1.1\r\n"
			"Host: example.com\r\n"
			"Cookie: a=1\r\n"
			"Accept: */*\r\n"
			"cookie: b=2\r\n"
			"\r\n";
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(head, request));

		const std::vector<Field>& fields = request.fields.list();
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), fields.size());
		CPPUNIT_ASSERT_EQUAL("Host"s, fields[0].name);
		CPPUNIT_ASSERT_EQUAL("Cookie"s, fields[1].name);
		CPPUNIT_ASSERT_EQUAL("a=1"s, fields[1].value);
		CPPUNIT_ASSERT_EQUAL("Accept"s, fields[2].name);
		CPPUNIT_ASSERT_EQUAL("cookie"s, fields[3].name);
		CPPUNIT_ASSERT_EQUAL("b=2"s, fields[3].value);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), request.fields.count("COOKIE"));
	}

	void testTrimsValueWhitespace()
	{
		RequestHead request;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(requestWithField("X-Padded: \t  a b \t "), request));
		CPPUNIT_ASSERT_EQUAL("a b"s, *request.fields.find("X-Padded"));

		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(requestWithField("X-Empty:"), request));
		CPPUNIT_ASSERT_EQUAL(""s, *request.fields.find("X-Empty"));
	}

	void testAcceptsObsTextInValue()
	{
		RequestHead request;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(requestWithField("X-Name: caf\xc3\xa9"), request));
		CPPUNIT_ASSERT_EQUAL("caf\xc3\xa9"s, *request.fields.find("X-Name"));
	}

	void testRejectsBareLf()
	{
		assertRequestReason(Reason::BadRequest, {
			"GET http://example.com/ HTTP/1.1\n\r\n",
			"GET http://example.com/ HTTP/1.1\nHost: example.com\r\n\r\n",
			"GET http://example.com/ HTTP/1.1\r\nHost: example.com\n\r\n",
			"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\n",
			"GET http://example.com/ HTTP/1.1\n\n",
		});
	}

	void testRejectsObsFold()
	{
		assertRequestReason(Reason::BadRequest, {
			"GET http://example.com/ HTTP/1.1\r\nX-Long: a\r\n b\r\n\r\n",
			"GET http://example.com/ HTTP/1.1\r\nX-Long: a\r\n\tb\r\n\r\n",
			"GET http://example.com/ HTTP/1.1\r\n Host: example.com\r\n\r\n",
		});
	}

	void testRejectsWhitespaceBeforeColon()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("Host : example.com"),
			requestWithField("Host\t: example.com"),
			requestWithField("Transfer-Encoding : chunked"),
		});
	}

	void testRejectsNonTokenNameBytes()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("Ho(st: a"),
			requestWithField("Ho\"st: a"),
			requestWithField("Ho/st: a"),
			requestWithField("Ho@st: a"),
			requestWithField("Ho st: a"),
			requestWithField("[Host]: a"),
			requestWithField("Ho\x01st: a"),
			requestWithField("\x80Host: a"),
			requestWithField("Ho\0st: a"s),
			requestWithField(": a"),
		});
	}

	void testRejectsFieldLineWithoutColon()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("Host"),
			requestWithField("Host example.com"),
		});
	}

	void testRejectsNulInValue()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("X-Value: a\0b"s),
			requestWithField("X-Value: \0"s),
		});
	}

	void testRejectsBareCrInValue()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("X-Value: a\rb"),
			requestWithField("X-Value: a\r"),
			requestWithField("X-Value: a\rX-Injected: 1"),
		});
	}

	void testRejectsOtherControlsInValue()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithField("X-Value: a\x01z"),
			requestWithField("X-Value: a\x1bz"),
			requestWithField("X-Value: a\x7fz"),
			requestWithField("X-Value: a\x0bz"),
		});
	}

	void testRejectsDoubleSpaces()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("GET  http://example.com/ HTTP/1.1"),
			requestWithLine("GET http://example.com/  HTTP/1.1"),
			requestWithLine(" GET http://example.com/ HTTP/1.1"),
			requestWithLine("GET http://example.com/ HTTP/1.1 "),
			requestWithLine("GET http://example.com/ x HTTP/1.1"),
		});
	}

	void testRejectsOtherSeparators()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("GET\thttp://example.com/\tHTTP/1.1"),
			requestWithLine("GET http://example.com/\tHTTP/1.1"),
		});
	}

	void testRejectsMissingVersion()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("GET http://example.com/"),
			requestWithLine("GET http://example.com/ "),
			requestWithLine("GET"),
			requestWithLine(""),
		});
	}

	void testRejectsUnsupportedVersion()
	{
		assertRequestReason(Reason::VersionNotSupported, {
			requestWithLine("GET http://example.com/ HTTP/2.0"),
			requestWithLine("GET http://example.com/ HTTP/3.0"),
			requestWithLine("GET http://example.com/ HTTP/0.9"),
			requestWithLine("GET http://example.com/ HTTP/1.2"),
		});
	}

	void testRejectsMalformedVersion()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("GET http://example.com/ HTTP/1.1x"),
			requestWithLine("GET http://example.com/ HTTP/1.10"),
			requestWithLine("GET http://example.com/ HTTP/1"),
			requestWithLine("GET http://example.com/ HTTP/11"),
			requestWithLine("GET http://example.com/ HTTP/2"),
			requestWithLine("GET http://example.com/ http/1.1"),
			requestWithLine("GET http://example.com/ HTTPS/1.1"),
			requestWithLine("GET http://example.com/ HTTP/a.b"),
		});
	}

	void testRejectsNonTokenMethod()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("G(T http://example.com/ HTTP/1.1"),
			requestWithLine("GE\"T http://example.com/ HTTP/1.1"),
			requestWithLine("GET\x01 http://example.com/ HTTP/1.1"),
		});
	}

	void testRejectsControlsInTarget()
	{
		assertRequestReason(Reason::BadRequest, {
			requestWithLine("GET http://example.com/\x01 HTTP/1.1"),
			requestWithLine("GET http://example.com/\x7f HTTP/1.1"),
			requestWithLine("GET http://example.com/\0 HTTP/1.1"s),
		});
	}

	void testRejectsTargetOverLimit()
	{
		std::string target = "http://example.com/" + std::string(MAX_TARGET + 1 - 19, 'a');
		CPPUNIT_ASSERT_EQUAL(MAX_TARGET + 1, target.size());
		CPPUNIT_ASSERT_EQUAL(Reason::TargetTooLong, parseRequest(requestWithLine("GET " + target + " HTTP/1.1")));
	}

	void testAcceptsTargetAtLimit()
	{
		std::string target = "http://example.com/" + std::string(MAX_TARGET - 19, 'a');
		CPPUNIT_ASSERT_EQUAL(MAX_TARGET, target.size());
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(requestWithLine("GET " + target + " HTTP/1.1")));
	}

	void testRejectsIncompleteHead()
	{
		assertRequestReason(Reason::BadRequest, {
			"",
			"GET http://example.com/ HTTP/1.1",
			"GET http://example.com/ HTTP/1.1\r\n",
			"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n",
		});
	}

	void testParsesStatusLine()
	{
		ResponseHead response;
		std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseResponseHead(head, response));
		CPPUNIT_ASSERT_EQUAL(1, response.versionMinor);
		CPPUNIT_ASSERT_EQUAL(200, response.status);
		CPPUNIT_ASSERT_EQUAL("OK"s, response.reasonPhrase);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), response.fields.list().size());
		CPPUNIT_ASSERT_EQUAL("b=2"s, response.fields.list()[2].value);
		CPPUNIT_ASSERT(!response.isInterim());
	}

	void testParsesReasonWithSpaces()
	{
		ResponseHead response;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseResponseHead("HTTP/1.0 404 Not Found\r\n\r\n", response));
		CPPUNIT_ASSERT_EQUAL(0, response.versionMinor);
		CPPUNIT_ASSERT_EQUAL(404, response.status);
		CPPUNIT_ASSERT_EQUAL("Not Found"s, response.reasonPhrase);
	}

	void testAcceptsMissingReasonPhrase()
	{
		ResponseHead withoutSpace;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseResponseHead("HTTP/1.1 204\r\n\r\n", withoutSpace));
		CPPUNIT_ASSERT_EQUAL(204, withoutSpace.status);
		CPPUNIT_ASSERT_EQUAL(""s, withoutSpace.reasonPhrase);

		ResponseHead withSpace;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseResponseHead("HTTP/1.1 204 \r\n\r\n", withSpace));
		CPPUNIT_ASSERT_EQUAL(204, withSpace.status);
		CPPUNIT_ASSERT_EQUAL(""s, withSpace.reasonPhrase);
	}

	void testMarksInterimResponse()
	{
		ResponseHead response;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseResponseHead("HTTP/1.1 100 Continue\r\n\r\n", response));
		CPPUNIT_ASSERT(response.isInterim());
	}

	void testRejectsBadStatusCode()
	{
		assertResponseReason(Reason::BadResponse, {
			"HTTP/1.1 20 OK\r\n\r\n",
			"HTTP/1.1 2000 OK\r\n\r\n",
			"HTTP/1.1 2x0 OK\r\n\r\n",
			"HTTP/1.1 +20 OK\r\n\r\n",
			"HTTP/1.1 099 Low\r\n\r\n",
			"HTTP/1.1 600 High\r\n\r\n",
			"HTTP/1.1  200 OK\r\n\r\n",
			"HTTP/1.1 200\tOK\r\n\r\n",
			"HTTP/1.1\r\n\r\n",
			"HTTP/1.1 \r\n\r\n",
		});
	}

	void testRejectsBadResponseVersion()
	{
		assertResponseReason(Reason::BadResponse, {
			"HTTP/2.0 200 OK\r\n\r\n",
			"HTTP/0.9 200 OK\r\n\r\n",
			"HTTP/1.1x 200 OK\r\n\r\n",
			"HTTP/11 200 OK\r\n\r\n",
			"http/1.1 200 OK\r\n\r\n",
			"ICY 200 OK\r\n\r\n",
		});
	}

	void testRejectsBadResponseFields()
	{
		assertResponseReason(Reason::BadResponse, {
			"HTTP/1.1 200 OK\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A: 1\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A: 1\0 2\r\n\r\n"s,
			"HTTP/1.1 200 O\x01K\r\n\r\n",
			"HTTP/1.1 200 OK\r\nX-A: 1\r\n",
		});
	}

	void testFindsEndOnlyWhenComplete()
	{
		for (std::size_t length = 0; length < FULL_REQUEST.size(); ++length)
		{
			std::string prefix = FULL_REQUEST.substr(0, length);
			CPPUNIT_ASSERT_EQUAL_MESSAGE("prefix length " + std::to_string(length),
				std::string::npos, fwdproxy::http::findHeadEnd(prefix, 0));
		}
		CPPUNIT_ASSERT_EQUAL(FULL_REQUEST.size(), fwdproxy::http::findHeadEnd(FULL_REQUEST, 0));
	}

	void testSplitsAtEveryOffset()
	{
		// A reader resumes the search three bytes before the old end, because
		// those bytes may already contain the start of the final CRLF CRLF.
		std::string data;
		std::size_t searched = 0;
		for (char c: FULL_REQUEST)
		{
			data += c;
			std::size_t from = searched > 3 ? searched - 3 : 0;
			std::size_t end = fwdproxy::http::findHeadEnd(data, from);
			if (data.size() < FULL_REQUEST.size())
			{
				CPPUNIT_ASSERT_EQUAL_MESSAGE("after " + std::to_string(data.size()) + " bytes",
					std::string::npos, end);
			}
			else
			{
				CPPUNIT_ASSERT_EQUAL(FULL_REQUEST.size(), end);
			}
			searched = data.size();
		}

		RequestHead request;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseRequest(data, request));
	}

	void testFindsEndBeforeBody()
	{
		std::string data = FULL_REQUEST + "body\r\n\r\nmore";
		CPPUNIT_ASSERT_EQUAL(FULL_REQUEST.size(), fwdproxy::http::findHeadEnd(data, 0));
	}

	void testEndsSearchAtBareLf()
	{
		// The parser then rejects the head, instead of the reader waiting for more bytes.
		std::string lfOnly = "GET http://example.com/ HTTP/1.1\nHost: example.com\n\n";
		CPPUNIT_ASSERT_EQUAL(lfOnly.size(), fwdproxy::http::findHeadEnd(lfOnly, 0));
		CPPUNIT_ASSERT_EQUAL(Reason::BadRequest, parseRequest(lfOnly));

		std::string mixed = "GET http://example.com/ HTTP/1.1\r\nHost: example.com\n\r\n";
		CPPUNIT_ASSERT_EQUAL(mixed.size(), fwdproxy::http::findHeadEnd(mixed, 0));
		CPPUNIT_ASSERT_EQUAL(Reason::BadRequest, parseRequest(mixed));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(HeadParserTest);
