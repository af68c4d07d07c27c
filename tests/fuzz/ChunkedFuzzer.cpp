//
// ChunkedFuzzer.cpp
//
// Decodes arbitrary bytes as a chunked body, whole and in pieces whose sizes
// come from the input, and checks that the split never changes the result:
// a decoder that depends on how TCP segments fall is a smuggling bug.
// A decoded body is then encoded again and must decode to the same data.
//

#include "FuzzCheck.h"
#include "fwdproxy/http/Chunked.h"

#include <string>


using namespace fwdproxy::http;


namespace {


struct Decoded
{
	std::string data;
	std::size_t consumed = 0;
	bool done = false;
	bool failed = false;
};


Decoded decode(const char* input, std::size_t size, std::size_t pieceSize)
{
	Decoded result;
	ChunkedDecoder decoder;
	std::size_t offset = 0;
	while (offset < size && !decoder.done() && !decoder.failed())
	{
		std::size_t piece = pieceSize < size - offset ? pieceSize : size - offset;
		ChunkedDecoder::Step step = decoder.decode(input + offset, piece);
		if (step.length > 0) result.data.append(step.data, step.length);
		offset += step.consumed;
		if (step.consumed == 0) break;
	}
	result.consumed = offset;
	result.done = decoder.done();
	result.failed = decoder.failed();
	return result;
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	if (size < 1) return 0;

	std::size_t pieceSize = 1 + data[0] % 16;
	const char* input = reinterpret_cast<const char*>(data + 1);
	std::size_t length = size - 1;

	Decoded whole = decode(input, length, length == 0 ? 1 : length);
	Decoded split = decode(input, length, pieceSize);
	FUZZ_CHECK(whole.done == split.done);
	FUZZ_CHECK(whole.failed == split.failed);
	if (whole.failed) return 0;

	FUZZ_CHECK(whole.data == split.data);
	FUZZ_CHECK(whole.consumed <= length);
	if (!whole.done) return 0;

	FUZZ_CHECK(whole.consumed == split.consumed);

	std::string encoded;
	if (!whole.data.empty())
	{
		appendChunkHeader(encoded, whole.data.size());
		encoded += whole.data;
		encoded += "\r\n";
	}
	appendLastChunk(encoded, Fields());
	Decoded again = decode(encoded.data(), encoded.size(), encoded.size());
	FUZZ_CHECK(again.done);
	FUZZ_CHECK(again.data == whole.data);
	return 0;
}
