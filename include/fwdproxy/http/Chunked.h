//
// Chunked.h
//
// The chunked transfer coding (RFC 9112 §7.1): an incremental decoder that
// never copies chunk data, and the encoder's framing lines.
//

#pragma once

#include "fwdproxy/http/Fields.h"

#include <cstddef>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace http {


class ChunkedDecoder
	/// Decodes a chunked body fed in pieces of any size. Chunk extensions are
	/// checked and dropped; trailer fields are parsed with the same rules as
	/// header fields and kept for the caller.
{
public:
	struct Step
	{
		std::size_t consumed = 0;     ///< Input bytes used, including any data span.
		const char* data = nullptr;   ///< Chunk data inside the input, or nullptr.
		std::size_t length = 0;       ///< Length of the data span.
	};

	static const std::size_t MAX_LINE = 4096;       ///< Longest chunk-size line, extensions included.
	static const std::size_t MAX_TRAILERS = 16384;  ///< Largest trailer section.

	Step decode(const char* input, std::size_t size);
		/// Consumes input up to the end of the next span of chunk data, or all of
		/// it when no data comes first. Stops at the end of the body, so bytes of
		/// a following message are left unconsumed.

	bool done() const { return _state == State::Done; }
	bool failed() const { return _state == State::Failed; }
	const Fields& trailers() const { return _trailers; }

private:
	enum class State
	{
		SizeStart,
		Size,
		SizeEnd,
		Extension,
		SizeLF,
		Data,
		DataCR,
		DataLF,
		TrailerLine,
		TrailerLF,
		Done,
		Failed
	};

	bool countLineByte();
	void finishTrailerLine();

	State _state = State::SizeStart;
	std::uint64_t _remaining = 0;
	std::size_t _digits = 0;
	std::size_t _lineLength = 0;
	std::size_t _trailerBytes = 0;
	std::string _line;
	Fields _trailers;
};


void appendChunkHeader(std::string& out, std::size_t length);
	/// Appends the chunk-size line for a chunk of length bytes (length > 0).

void appendLastChunk(std::string& out, const Fields& trailers);
	/// Appends "0" CRLF, the trailer fields and the final CRLF.


} } // namespace fwdproxy::http
