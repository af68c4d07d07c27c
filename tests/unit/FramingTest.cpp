//
// FramingTest.cpp
//
// Body framing of requests and responses from Content-Length and Transfer-Encoding.
//

#include "AssertionTraits.h"

#include "fwdproxy/http/Framing.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>


using fwdproxy::http::BodyFraming;
using fwdproxy::http::BodyKind;
using fwdproxy::http::Reason;
using fwdproxy::http::RequestHead;
using fwdproxy::http::ResponseHead;


namespace {


using FieldList = std::vector<std::pair<std::string, std::string>>;


RequestHead makeRequest(const FieldList& fields, int versionMinor = 1)
{
	RequestHead request;
	request.method = "POST";
	request.target = "http://example.com/";
	request.versionMinor = versionMinor;
	for (const auto& field: fields) request.fields.add(field.first, field.second);
	return request;
}


ResponseHead makeResponse(int status, const FieldList& fields)
{
	ResponseHead response;
	response.status = status;
	for (const auto& field: fields) response.fields.add(field.first, field.second);
	return response;
}


Reason frameRequest(const FieldList& fields, BodyFraming& framing, int versionMinor = 1)
{
	return fwdproxy::http::requestFraming(makeRequest(fields, versionMinor), framing);
}


Reason frameRequest(const FieldList& fields)
{
	BodyFraming framing;
	return frameRequest(fields, framing);
}


Reason frameResponse(int status, const FieldList& fields, BodyFraming& framing, const std::string& method = "GET")
{
	return fwdproxy::http::responseFraming(makeResponse(status, fields), method, framing);
}


std::string describe(const FieldList& fields)
{
	std::string text;
	for (const auto& field: fields) text += field.first + ": " + field.second + "; ";
	return text;
}


} // namespace


class FramingTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FramingTest);
	CPPUNIT_TEST(testRequestWithoutFramingHasNoBody);
	CPPUNIT_TEST(testReadsContentLength);
	CPPUNIT_TEST(testReadsZeroContentLength);
	CPPUNIT_TEST(testAcceptsRepeatedLengthInOneField);
	CPPUNIT_TEST(testAcceptsIdenticalLengthFields);
	CPPUNIT_TEST(testRejectsConflictingLengths);
	CPPUNIT_TEST(testRejectsNonDecimalLength);
	CPPUNIT_TEST(testRejectsLengthOverflow);
	CPPUNIT_TEST(testRejectsEncodingWithLength);
	CPPUNIT_TEST(testRejectsEncodingWithEmptyLength);
	CPPUNIT_TEST(testRejectsEmptyLength);
	CPPUNIT_TEST(testRejectsEncodingOnHttp10);
	CPPUNIT_TEST(testRejectsFinalCodingNotChunked);
	CPPUNIT_TEST(testRejectsCodingsBeforeChunked);
	CPPUNIT_TEST(testAcceptsChunkedInAnyCase);
	CPPUNIT_TEST(testHeadResponseHasNoBody);
	CPPUNIT_TEST(testInterimResponseHasNoBody);
	CPPUNIT_TEST(testNoContentResponseHasNoBody);
	CPPUNIT_TEST(testNotModifiedResponseHasNoBody);
	CPPUNIT_TEST(testReadsResponseLength);
	CPPUNIT_TEST(testReadsResponseUntilClose);
	CPPUNIT_TEST(testReadsChunkedResponse);
	CPPUNIT_TEST(testRejectsResponseWithBothFramings);
	CPPUNIT_TEST(testRejectsResponseEncodingWithEmptyLength);
	CPPUNIT_TEST(testRejectsResponseConflictingLengths);
	CPPUNIT_TEST(testRejectsResponseUnknownCoding);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRequestWithoutFramingHasNoBody()
	{
		BodyFraming framing;
		framing.kind = BodyKind::UntilClose;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameRequest({{"Host", "example.com"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::None, framing.kind);
	}

	void testReadsContentLength()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameRequest({{"Content-Length", "42"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Length, framing.kind);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), framing.length);
	}

	void testReadsZeroContentLength()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameRequest({{"content-length", "0"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Length, framing.kind);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), framing.length);
	}

	void testAcceptsRepeatedLengthInOneField()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameRequest({{"Content-Length", "5, 5"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Length, framing.kind);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), framing.length);
	}

	void testAcceptsIdenticalLengthFields()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameRequest({{"Content-Length", "5"}, {"Content-Length", "5"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Length, framing.kind);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), framing.length);
	}

	void testRejectsConflictingLengths()
	{
		const std::vector<FieldList> cases = {
			{{"Content-Length", "5, 6"}},
			{{"Content-Length", "5"}, {"Content-Length", "6"}},
			{{"Content-Length", "5"}, {"Content-Length", "5, 0"}},
		};
		for (const FieldList& fields: cases)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(fields), Reason::BadFraming, frameRequest(fields));
		}
	}

	void testRejectsNonDecimalLength()
	{
		for (const char* value: {"abc", "-1", "+5", "0x10", "5.0", "1 2", "", ",", " , ", "\xd9\xa5"})
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string("Content-Length: ") + value,
				Reason::BadFraming, frameRequest({{"Content-Length", value}}));
		}
	}

	void testRejectsLengthOverflow()
	{
		for (const char* value: {"18446744073709551616", "99999999999999999999", "100000000000000000000000000000"})
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string("Content-Length: ") + value,
				Reason::BadFraming, frameRequest({{"Content-Length", value}}));
		}
	}

	void testRejectsEncodingWithLength()
	{
		CPPUNIT_ASSERT_EQUAL(Reason::BadFraming,
			frameRequest({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}));
		CPPUNIT_ASSERT_EQUAL(Reason::BadFraming,
			frameRequest({{"Content-Length", "0"}, {"Transfer-Encoding", "chunked"}}));
	}

	void testRejectsEncodingWithEmptyLength()
	{
		// Found by the fuzzer: a Content-Length with no number in it must
		// still count as a second framing next to chunked.
		for (const char* value: {"", ",", " , "})
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string("Content-Length: ") + value, Reason::BadFraming,
				frameRequest({{"Transfer-Encoding", "chunked"}, {"Content-Length", value}}));
		}
	}

	void testRejectsEmptyLength()
	{
		for (const char* value: {"", ",", " , "})
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string("Content-Length: ") + value, Reason::BadFraming,
				frameRequest({{"Content-Length", value}}));
		}
	}

	void testRejectsEncodingOnHttp10()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::BadFraming, frameRequest({{"Transfer-Encoding", "chunked"}}, framing, 0));
	}

	void testRejectsFinalCodingNotChunked()
	{
		const std::vector<FieldList> cases = {
			{{"Transfer-Encoding", "xchunked"}},
			{{"Transfer-Encoding", "chunkedx"}},
			{{"Transfer-Encoding", "chunked, gzip"}},
			{{"Transfer-Encoding", "gzip"}},
			{{"Transfer-Encoding", ""}},
			{{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "identity"}},
		};
		for (const FieldList& fields: cases)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(fields), Reason::BadFraming, frameRequest(fields));
		}
	}

	void testRejectsCodingsBeforeChunked()
	{
		const std::vector<FieldList> cases = {
			{{"Transfer-Encoding", "gzip, chunked"}},
			{{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}},
		};
		for (const FieldList& fields: cases)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(fields), Reason::UnknownCoding, frameRequest(fields));
		}
	}

	void testAcceptsChunkedInAnyCase()
	{
		const std::vector<FieldList> cases = {
			{{"Transfer-Encoding", "chunked"}},
			{{"Transfer-Encoding", "Chunked"}},
			{{"transfer-encoding", "CHUNKED"}},
			{{"Transfer-Encoding", " chunked "}},
		};
		for (const FieldList& fields: cases)
		{
			BodyFraming framing;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(fields), Reason::None, frameRequest(fields, framing));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(fields), BodyKind::Chunked, framing.kind);
		}
	}

	void testHeadResponseHasNoBody()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(200, {{"Content-Length", "100"}}, framing, "HEAD"));
		CPPUNIT_ASSERT_EQUAL(BodyKind::None, framing.kind);

		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(200, {{"Transfer-Encoding", "chunked"}}, framing, "HEAD"));
		CPPUNIT_ASSERT_EQUAL(BodyKind::None, framing.kind);
	}

	void testInterimResponseHasNoBody()
	{
		for (int status: {100, 101, 103, 199})
		{
			BodyFraming framing;
			std::string message = "status " + std::to_string(status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, Reason::None, frameResponse(status, {{"Content-Length", "10"}}, framing));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, BodyKind::None, framing.kind);
		}
	}

	void testNoContentResponseHasNoBody()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(204, {{"Content-Length", "10"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::None, framing.kind);
	}

	void testNotModifiedResponseHasNoBody()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(304, {{"Content-Length", "10"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::None, framing.kind);
	}

	void testReadsResponseLength()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(200, {{"Content-Length", "1234"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Length, framing.kind);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1234), framing.length);
	}

	void testReadsResponseUntilClose()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(200, {{"Content-Type", "text/plain"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::UntilClose, framing.kind);
	}

	void testReadsChunkedResponse()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::None, frameResponse(200, {{"Transfer-Encoding", "chunked"}}, framing));
		CPPUNIT_ASSERT_EQUAL(BodyKind::Chunked, framing.kind);
	}

	void testRejectsResponseWithBothFramings()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse,
			frameResponse(200, {{"Transfer-Encoding", "chunked"}, {"Content-Length", "10"}}, framing));
	}

	void testRejectsResponseEncodingWithEmptyLength()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse,
			frameResponse(200, {{"Transfer-Encoding", "chunked"}, {"Content-Length", ""}}, framing));
	}

	void testRejectsResponseConflictingLengths()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse, frameResponse(200, {{"Content-Length", "10, 11"}}, framing));
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse, frameResponse(200, {{"Content-Length", "ten"}}, framing));
	}

	void testRejectsResponseUnknownCoding()
	{
		BodyFraming framing;
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse, frameResponse(200, {{"Transfer-Encoding", "gzip, chunked"}}, framing));
		CPPUNIT_ASSERT_EQUAL(Reason::BadResponse, frameResponse(200, {{"Transfer-Encoding", "xchunked"}}, framing));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(FramingTest);
