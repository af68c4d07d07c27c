//
// ErrorResponseTest.cpp
//
// The responses that the proxy writes itself, and the reason table behind them.
//

#include "fwdproxy/http/ErrorResponse.h"
#include "fwdproxy/http/Reason.h"

#include <cppunit/extensions/HelperMacros.h>

#include <set>
#include <string>
#include <utility>
#include <vector>


using namespace std::string_literals;
using fwdproxy::http::Reason;


namespace {


struct SplitResponse
{
	std::string statusLine;
	std::vector<std::string> fieldLines;
	std::string body;
	bool complete = false;
};


SplitResponse splitResponse(const std::string& response)
{
	SplitResponse result;
	std::size_t headEnd = response.find("\r\n\r\n");
	if (headEnd == std::string::npos) return result;

	std::string head = response.substr(0, headEnd + 2);
	std::size_t lineStart = 0;
	while (lineStart < head.size())
	{
		std::size_t lineEnd = head.find("\r\n", lineStart);
		std::string line = head.substr(lineStart, lineEnd - lineStart);
		if (lineStart == 0) result.statusLine = line;
		else result.fieldLines.push_back(line);
		lineStart = lineEnd + 2;
	}
	result.body = response.substr(headEnd + 4);
	result.complete = true;
	return result;
}


// Returns the value of the first "name: value" line, or "(missing)".
std::string fieldValue(const SplitResponse& response, const std::string& name)
{
	std::string prefix = name + ": ";
	for (const std::string& line: response.fieldLines)
	{
		if (line.compare(0, prefix.size(), prefix) == 0) return line.substr(prefix.size());
	}
	return "(missing)";
}


std::size_t countFields(const SplitResponse& response, const std::string& name)
{
	std::size_t count = 0;
	std::string prefix = name + ":";
	for (const std::string& line: response.fieldLines)
	{
		if (line.compare(0, prefix.size(), prefix) == 0) ++count;
	}
	return count;
}


// NOTE: MaxForwardsReached must stay the last enumerator of Reason, or this
// range misses the reasons after it.
std::vector<Reason> allReasons()
{
	std::vector<Reason> reasons;
	for (int i = static_cast<int>(Reason::None); i <= static_cast<int>(Reason::MaxForwardsReached); ++i)
	{
		reasons.push_back(static_cast<Reason>(i));
	}
	return reasons;
}


} // namespace


class ErrorResponseTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ErrorResponseTest);
	CPPUNIT_TEST(testWritesStatusLine);
	CPPUNIT_TEST(testContentLengthMatchesBody);
	CPPUNIT_TEST(testBodyNamesSubject);
	CPPUNIT_TEST(testBodyWithoutSubject);
	CPPUNIT_TEST(testCarriesReasonCode);
	CPPUNIT_TEST(testClosesConnection);
	CPPUNIT_TEST(testAddsVia);
	CPPUNIT_TEST(testOmitsEmptyVia);
	CPPUNIT_TEST(testAddsExtraFields);
	CPPUNIT_TEST(testSendsPlainText);
	CPPUNIT_TEST(testEveryStatusHasPhrase);
	CPPUNIT_TEST(testReasonCodesAreUnique);
	CPPUNIT_TEST(testReasonTableMatchesEnum);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWritesStatusLine()
	{
		const std::vector<std::pair<Reason, std::string>> cases = {
			{Reason::BadRequest, "HTTP/1.1 400 Bad Request"},
			{Reason::ClientDenied, "HTTP/1.1 403 Forbidden"},
			{Reason::DestinationDenied, "HTTP/1.1 403 Forbidden"},
			{Reason::HeaderTimeout, "HTTP/1.1 408 Request Timeout"},
			{Reason::TargetTooLong, "HTTP/1.1 414 URI Too Long"},
			{Reason::HeadTooLarge, "HTTP/1.1 431 Request Header Fields Too Large"},
			{Reason::UnsupportedScheme, "HTTP/1.1 501 Not Implemented"},
			{Reason::BadResponse, "HTTP/1.1 502 Bad Gateway"},
			{Reason::ConnectTimeout, "HTTP/1.1 504 Gateway Timeout"},
			{Reason::VersionNotSupported, "HTTP/1.1 505 HTTP Version Not Supported"},
			{Reason::ForwardingLoop, "HTTP/1.1 508 Loop Detected"},
		};
		for (const auto& entry: cases)
		{
			SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(entry.first, "", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(fwdproxy::http::reasonCode(entry.first), entry.second, response.statusLine);
		}
	}

	void testContentLengthMatchesBody()
	{
		// The subject has multi-byte UTF-8 characters, so bytes and characters differ.
		for (Reason reason: allReasons())
		{
			std::string text = fwdproxy::http::makeErrorResponse(reason, "http://b\xc3\xbc\x63her.example/\xe2\x82\xac", "1.1 fwdproxy");
			SplitResponse response = splitResponse(text);
			std::string code = fwdproxy::http::reasonCode(reason);
			CPPUNIT_ASSERT_MESSAGE(code, response.complete);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(code, std::to_string(response.body.size()), fieldValue(response, "Content-Length"));
		}
	}

	void testBodyNamesSubject()
	{
		SplitResponse response = splitResponse(
			fwdproxy::http::makeErrorResponse(Reason::DestinationDenied, "http://192.0.2.1/", ""));
		std::string expected = fwdproxy::http::reasonText(Reason::DestinationDenied) + ": http://192.0.2.1/\n"s;
		CPPUNIT_ASSERT_EQUAL(expected, response.body);
	}

	void testBodyWithoutSubject()
	{
		SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(Reason::BadRequest, "", ""));
		CPPUNIT_ASSERT_EQUAL(fwdproxy::http::reasonText(Reason::BadRequest) + "\n"s, response.body);
	}

	void testCarriesReasonCode()
	{
		for (Reason reason: allReasons())
		{
			SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(reason, "x", ""));
			std::string code = fwdproxy::http::reasonCode(reason);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(code, code, fieldValue(response, "X-Fwdproxy-Error"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(code, std::size_t(1), countFields(response, "X-Fwdproxy-Error"));
		}
		SplitResponse denied = splitResponse(fwdproxy::http::makeErrorResponse(Reason::ClientDenied, "", ""));
		CPPUNIT_ASSERT_EQUAL("client_denied"s, fieldValue(denied, "X-Fwdproxy-Error"));
	}

	void testClosesConnection()
	{
		for (Reason reason: allReasons())
		{
			SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(reason, "x", "1.1 fwdproxy"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(fwdproxy::http::reasonCode(reason), "close"s, fieldValue(response, "Connection"));
		}
	}

	void testAddsVia()
	{
		SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(Reason::BadRequest, "", "1.1 gw1"));
		CPPUNIT_ASSERT_EQUAL("1.1 gw1"s, fieldValue(response, "Via"));
	}

	void testOmitsEmptyVia()
	{
		SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(Reason::BadRequest, "", ""));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), countFields(response, "Via"));
	}

	void testAddsExtraFields()
	{
		std::string extra = "Proxy-Authenticate: Basic realm=\"fwdproxy\"\r\n";
		std::string text = fwdproxy::http::makeErrorResponse(Reason::BadRequest, "", "1.1 gw1", extra);
		SplitResponse response = splitResponse(text);
		CPPUNIT_ASSERT_EQUAL("Basic realm=\"fwdproxy\""s, fieldValue(response, "Proxy-Authenticate"));
		CPPUNIT_ASSERT_EQUAL("close"s, fieldValue(response, "Connection"));
		CPPUNIT_ASSERT_EQUAL(std::to_string(response.body.size()), fieldValue(response, "Content-Length"));
	}

	void testSendsPlainText()
	{
		SplitResponse response = splitResponse(fwdproxy::http::makeErrorResponse(Reason::BadRequest, "", ""));
		CPPUNIT_ASSERT_EQUAL("text/plain; charset=utf-8"s, fieldValue(response, "Content-Type"));
	}

	void testEveryStatusHasPhrase()
	{
		for (Reason reason: allReasons())
		{
			int status = fwdproxy::http::reasonStatus(reason);
			std::string message = fwdproxy::http::reasonCode(reason) + " -> "s + std::to_string(status);
			CPPUNIT_ASSERT_MESSAGE(message, std::string(fwdproxy::http::statusPhrase(status)) != "Unknown");
		}
		CPPUNIT_ASSERT_EQUAL("Unknown"s, std::string(fwdproxy::http::statusPhrase(299)));
	}

	void testReasonCodesAreUnique()
	{
		std::set<std::string> codes;
		for (Reason reason: allReasons())
		{
			std::string code = fwdproxy::http::reasonCode(reason);
			CPPUNIT_ASSERT_MESSAGE("duplicate code " + code, codes.insert(code).second);
		}
	}

	void testReasonTableMatchesEnum()
	{
		// The table is indexed by the enum, so checking both ends catches a shifted row.
		CPPUNIT_ASSERT_EQUAL("client_denied"s, std::string(fwdproxy::http::reasonCode(Reason::ClientDenied)));
		CPPUNIT_ASSERT_EQUAL("version_not_supported"s, std::string(fwdproxy::http::reasonCode(Reason::VersionNotSupported)));
		CPPUNIT_ASSERT_EQUAL("max_forwards"s, std::string(fwdproxy::http::reasonCode(Reason::MaxForwardsReached)));
		CPPUNIT_ASSERT_EQUAL(414, fwdproxy::http::reasonStatus(Reason::TargetTooLong));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(ErrorResponseTest);
