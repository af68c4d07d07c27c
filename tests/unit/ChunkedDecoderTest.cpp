//
// ChunkedDecoderTest.cpp
//
// The chunked transfer coding: incremental decoding and the encoder's framing lines.
//

#include "EscapedText.h"

#include "fwdproxy/http/Chunked.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>


using namespace std::string_literals;
using fwdproxy::http::ChunkedDecoder;
using fwdproxy::http::Fields;


namespace {


// Several chunks, upper- and lower-case hex sizes, an extension with a quoted
// value that contains ';' and spaces, whitespace before an extension, and two
// trailer fields.
const std::string BODY =
	"4\r\nWiki\r\n"
	"6;name=\"quoted; value\"\r\npedia \r\n"
	"E ;x\r\nin \r\n\r\nchunks.\r\n"
	"a\r\n0123456789\r\n"
	"0\r\n"
	"X-Checksum: abc\r\n"
	"X-Count:  4 \r\n"
	"\r\n";

const std::string PAYLOAD = "Wikipedia in \r\n\r\nchunks.0123456789";

const std::string NEXT_MESSAGE = "GET http://example.com/ HTTP/1.1\r\n\r\n";


struct Outcome
{
	std::string payload;
	std::size_t consumed = 0;
	bool done = false;
	bool failed = false;
	bool spansInsideInput = true;
};


// Feeds each piece until the decoder has used it up, finished or failed, the
// way a relay loop does, and collects the data spans.
Outcome feed(ChunkedDecoder& decoder, const std::vector<std::string>& pieces)
{
	Outcome outcome;
	for (const std::string& piece: pieces)
	{
		std::size_t offset = 0;
		while (offset < piece.size() && !decoder.done() && !decoder.failed())
		{
			ChunkedDecoder::Step step = decoder.decode(piece.data() + offset, piece.size() - offset);
			if (step.data != nullptr)
			{
				const char* begin = piece.data() + offset;
				const char* end = begin + step.consumed;
				if (step.data < begin || step.data + step.length > end) outcome.spansInsideInput = false;
				outcome.payload.append(step.data, step.length);
			}
			offset += step.consumed;
			outcome.consumed += step.consumed;
			if (step.consumed == 0) break;
		}
	}
	outcome.done = decoder.done();
	outcome.failed = decoder.failed();
	return outcome;
}


Outcome feedWhole(const std::string& input)
{
	ChunkedDecoder decoder;
	return feed(decoder, {input});
}


std::vector<std::string> splitEvery(const std::string& input, std::size_t pieceSize)
{
	std::vector<std::string> pieces;
	for (std::size_t i = 0; i < input.size(); i += pieceSize) pieces.push_back(input.substr(i, pieceSize));
	return pieces;
}


void assertRejected(const std::vector<std::string>& bodies)
{
	for (const std::string& body: bodies)
	{
		Outcome whole = feedWhole(body);
		CPPUNIT_ASSERT_MESSAGE(escapeControls(body), whole.failed);

		ChunkedDecoder decoder;
		Outcome bytes = feed(decoder, splitEvery(body, 1));
		CPPUNIT_ASSERT_MESSAGE("one byte at a time: " + escapeControls(body), bytes.failed);
	}
}


} // namespace


class ChunkedDecoderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ChunkedDecoderTest);
	CPPUNIT_TEST(testDecodesWholeBody);
	CPPUNIT_TEST(testKeepsTrailers);
	CPPUNIT_TEST(testSplitsAtEveryOffset);
	CPPUNIT_TEST(testDecodesOneBytePieces);
	CPPUNIT_TEST(testStopsAtEndOfBody);
	CPPUNIT_TEST(testWaitsForMoreInput);
	CPPUNIT_TEST(testDecodesEmptyBody);
	CPPUNIT_TEST(testAcceptsFifteenHexDigits);
	CPPUNIT_TEST(testAcceptsSizeLineAtLimit);
	CPPUNIT_TEST(testRejectsJunkAfterSize);
	CPPUNIT_TEST(testRejectsNonHexSize);
	CPPUNIT_TEST(testRejectsSixteenHexDigits);
	CPPUNIT_TEST(testRejectsMissingCrlfAfterData);
	CPPUNIT_TEST(testRejectsBareLf);
	CPPUNIT_TEST(testRejectsOverlongSizeLine);
	CPPUNIT_TEST(testRejectsControlInExtension);
	CPPUNIT_TEST(testRejectsInvalidTrailerLine);
	CPPUNIT_TEST(testRejectsOversizedTrailers);
	CPPUNIT_TEST(testAppendsChunkHeader);
	CPPUNIT_TEST(testAppendsLastChunk);
	CPPUNIT_TEST(testAppendsLastChunkWithTrailers);
	CPPUNIT_TEST(testDecodesEncodedBody);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDecodesWholeBody()
	{
		Outcome outcome = feedWhole(BODY);
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT(!outcome.failed);
		CPPUNIT_ASSERT_EQUAL(PAYLOAD, outcome.payload);
		CPPUNIT_ASSERT_EQUAL(BODY.size(), outcome.consumed);
		CPPUNIT_ASSERT(outcome.spansInsideInput);
	}

	void testKeepsTrailers()
	{
		ChunkedDecoder decoder;
		feed(decoder, {BODY});
		const Fields& trailers = decoder.trailers();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), trailers.list().size());
		CPPUNIT_ASSERT_EQUAL("abc"s, *trailers.find("x-checksum"));
		CPPUNIT_ASSERT_EQUAL("4"s, *trailers.find("X-Count"));
	}

	void testSplitsAtEveryOffset()
	{
		for (std::size_t split = 0; split <= BODY.size(); ++split)
		{
			ChunkedDecoder decoder;
			Outcome outcome = feed(decoder, {BODY.substr(0, split), BODY.substr(split)});
			std::string message = "split at " + std::to_string(split);
			CPPUNIT_ASSERT_MESSAGE(message, outcome.done);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, PAYLOAD, outcome.payload);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, BODY.size(), outcome.consumed);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, std::size_t(2), decoder.trailers().list().size());
			CPPUNIT_ASSERT_MESSAGE(message, outcome.spansInsideInput);
		}
	}

	void testDecodesOneBytePieces()
	{
		ChunkedDecoder decoder;
		Outcome outcome = feed(decoder, splitEvery(BODY, 1));
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT_EQUAL(PAYLOAD, outcome.payload);
		CPPUNIT_ASSERT_EQUAL(BODY.size(), outcome.consumed);
		CPPUNIT_ASSERT_EQUAL("abc"s, *decoder.trailers().find("X-Checksum"));
	}

	void testStopsAtEndOfBody()
	{
		std::string input = BODY + NEXT_MESSAGE;
		for (std::size_t split = 0; split <= input.size(); ++split)
		{
			ChunkedDecoder decoder;
			Outcome outcome = feed(decoder, {input.substr(0, split), input.substr(split)});
			std::string message = "split at " + std::to_string(split);
			CPPUNIT_ASSERT_MESSAGE(message, outcome.done);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, BODY.size(), outcome.consumed);
		}

		ChunkedDecoder decoder;
		feed(decoder, {BODY});
		ChunkedDecoder::Step after = decoder.decode(NEXT_MESSAGE.data(), NEXT_MESSAGE.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), after.consumed);
		CPPUNIT_ASSERT(after.data == nullptr);
	}

	void testWaitsForMoreInput()
	{
		for (std::size_t length = 0; length < BODY.size(); ++length)
		{
			Outcome outcome = feedWhole(BODY.substr(0, length));
			std::string message = "prefix length " + std::to_string(length);
			CPPUNIT_ASSERT_MESSAGE(message, !outcome.done);
			CPPUNIT_ASSERT_MESSAGE(message, !outcome.failed);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, length, outcome.consumed);
		}
	}

	void testDecodesEmptyBody()
	{
		ChunkedDecoder decoder;
		Outcome outcome = feed(decoder, {"0\r\n\r\n"});
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT_EQUAL(""s, outcome.payload);
		CPPUNIT_ASSERT(decoder.trailers().empty());

		Outcome withExtension = feedWhole("0;last\r\n\r\n");
		CPPUNIT_ASSERT(withExtension.done);
	}

	void testAcceptsFifteenHexDigits()
	{
		Outcome outcome = feedWhole("000000000000003\r\nabc\r\n0\r\n\r\n");
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT_EQUAL("abc"s, outcome.payload);
	}

	void testAcceptsSizeLineAtLimit()
	{
		// The limit counts the size digits and the extension, not the CRLF.
		std::string line = "1;" + std::string(ChunkedDecoder::MAX_LINE - 2, 'a');
		Outcome outcome = feedWhole(line + "\r\nx\r\n0\r\n\r\n");
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT_EQUAL("x"s, outcome.payload);
	}

	void testRejectsJunkAfterSize()
	{
		assertRejected({
			"1x\r\na\r\n0\r\n\r\n",
			"1 x\r\na\r\n0\r\n\r\n",
			"1 \r\na\r\n0\r\n\r\n",
			"1\ra\r\n0\r\n\r\n",
		});
	}

	void testRejectsNonHexSize()
	{
		assertRejected({
			"g\r\n",
			"\r\n",
			" 1\r\na\r\n0\r\n\r\n",
			";ext\r\n",
			"-1\r\n",
			"0x1\r\na\r\n0\r\n\r\n",
		});
	}

	void testRejectsSixteenHexDigits()
	{
		assertRejected({
			"0000000000000001\r\na\r\n0\r\n\r\n",
			"ffffffffffffffff\r\n",
			"10000000000000000\r\n",
		});
	}

	void testRejectsMissingCrlfAfterData()
	{
		assertRejected({
			"1\r\nab\r\n0\r\n\r\n",
			"1\r\na0\r\n\r\n",
			"1\r\na\rx0\r\n\r\n",
			"3\r\nabc\n\r\n0\r\n\r\n",
		});
	}

	void testRejectsBareLf()
	{
		assertRejected({
			"1\na\r\n0\r\n\r\n",
			"1;ext\na\r\n0\r\n\r\n",
			"1\r\na\n0\r\n\r\n",
			"0\n\r\n",
			"0\r\n\n",
			"0\r\nX-A: 1\n\r\n",
		});
	}

	void testRejectsOverlongSizeLine()
	{
		std::string line = "1;" + std::string(ChunkedDecoder::MAX_LINE - 1, 'a');
		CPPUNIT_ASSERT_EQUAL(ChunkedDecoder::MAX_LINE + 1, line.size());
		assertRejected({line + "\r\nx\r\n0\r\n\r\n"});
	}

	void testRejectsControlInExtension()
	{
		assertRejected({
			"1;a\x01z\r\nx\r\n0\r\n\r\n",
			"1;a\0z\r\nx\r\n0\r\n\r\n"s,
		});
	}

	void testRejectsInvalidTrailerLine()
	{
		assertRejected({
			"0\r\nX-A: 1\r\n 2\r\n\r\n",
			"0\r\nX-A: 1\r\n\t2\r\n\r\n",
			"0\r\nX-A : 1\r\n\r\n",
			"0\r\nno colon\r\n\r\n",
			"0\r\nX-A: 1\x01\r\n\r\n",
			"0\r\nX-A: 1\rX-B: 2\r\n\r\n",
		});
	}

	void testRejectsOversizedTrailers()
	{
		std::string trailer = "X-Big: " + std::string(ChunkedDecoder::MAX_TRAILERS, 'a');
		assertRejected({"0\r\n" + trailer + "\r\n\r\n"});
	}

	void testAppendsChunkHeader()
	{
		const std::vector<std::pair<std::size_t, std::string>> cases = {
			{1, "1\r\n"},
			{15, "f\r\n"},
			{255, "ff\r\n"},
			{4096, "1000\r\n"},
			{0xabcdef, "abcdef\r\n"},
		};
		for (const auto& entry: cases)
		{
			std::string out = "prefix";
			fwdproxy::http::appendChunkHeader(out, entry.first);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(entry.first), "prefix" + entry.second, out);
		}
	}

	void testAppendsLastChunk()
	{
		std::string out = "data\r\n";
		fwdproxy::http::appendLastChunk(out, Fields());
		CPPUNIT_ASSERT_EQUAL("data\r\n0\r\n\r\n"s, out);
	}

	void testAppendsLastChunkWithTrailers()
	{
		Fields trailers;
		trailers.add("X-Checksum", "abc");
		trailers.add("X-Count", "4");
		std::string out;
		fwdproxy::http::appendLastChunk(out, trailers);
		CPPUNIT_ASSERT_EQUAL("0\r\nX-Checksum: abc\r\nX-Count: 4\r\n\r\n"s, out);
	}

	void testDecodesEncodedBody()
	{
		std::string encoded;
		for (const std::string& chunk: {"Wiki"s, "pedia "s, "in \r\n\r\nchunks."s, "0123456789"s})
		{
			fwdproxy::http::appendChunkHeader(encoded, chunk.size());
			encoded += chunk;
			encoded += "\r\n";
		}
		Fields trailers;
		trailers.add("X-Checksum", "abc");
		fwdproxy::http::appendLastChunk(encoded, trailers);

		ChunkedDecoder decoder;
		Outcome outcome = feed(decoder, {encoded});
		CPPUNIT_ASSERT(outcome.done);
		CPPUNIT_ASSERT_EQUAL(PAYLOAD, outcome.payload);
		CPPUNIT_ASSERT_EQUAL(encoded.size(), outcome.consumed);
		CPPUNIT_ASSERT_EQUAL("abc"s, *decoder.trailers().find("X-Checksum"));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(ChunkedDecoderTest);
