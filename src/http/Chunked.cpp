//
// Chunked.cpp
//

#include "fwdproxy/http/Chunked.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/http/Syntax.h"

#include <algorithm>
#include <cstdio>


namespace fwdproxy {
namespace http {


namespace {


int hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}


// 15 hex digits stay below 2^60, far above any real chunk and safe from overflow.
const std::size_t MAX_SIZE_DIGITS = 15;


} // namespace


bool ChunkedDecoder::countLineByte()
{
	return ++_lineLength <= MAX_LINE;
}


void ChunkedDecoder::finishTrailerLine()
{
	if (_line.empty())
	{
		_state = State::Done;
		return;
	}

	_state = parseFieldLine(_line, _trailers) ? State::TrailerLine : State::Failed;
	_line.clear();
}


ChunkedDecoder::Step ChunkedDecoder::decode(const char* input, std::size_t size)
{
	Step step;
	std::size_t i = 0;
	while (i < size && _state != State::Done && _state != State::Failed)
	{
		if (_state == State::Data)
		{
			std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(_remaining, size - i));
			step.data = input + i;
			step.length = take;
			_remaining -= take;
			i += take;
			if (_remaining == 0) _state = State::DataCR;
			break;
		}

		char c = input[i++];
		switch (_state)
		{
		case State::SizeStart:
		case State::Size:
		{
			int digit = hexValue(c);
			if (digit >= 0)
			{
				if (++_digits > MAX_SIZE_DIGITS) _state = State::Failed;
				else _remaining = _remaining * 16 + static_cast<std::uint64_t>(digit);
				if (_state != State::Failed) _state = State::Size;
			}
			else if (_state == State::Size && (c == ' ' || c == '\t')) _state = State::SizeEnd;
			else if (_state == State::Size && c == ';') _state = State::Extension;
			else if (_state == State::Size && c == '\r') _state = State::SizeLF;
			else _state = State::Failed;
			break;
		}
		case State::SizeEnd:
			// Only BWS may follow the size, and only before an extension (RFC 9112 §7.1.1).
			if (c == ';') _state = State::Extension;
			else if (c != ' ' && c != '\t') _state = State::Failed;
			break;
		case State::Extension:
			if (c == '\r') _state = State::SizeLF;
			else if (!isFieldValueChar(c)) _state = State::Failed;
			break;
		case State::SizeLF:
			if (c != '\n') _state = State::Failed;
			else if (_remaining > 0) _state = State::Data;
			else _state = State::TrailerLine;
			_digits = 0;
			_lineLength = 0;
			break;
		case State::DataCR:
			_state = c == '\r' ? State::DataLF : State::Failed;
			break;
		case State::DataLF:
			_state = c == '\n' ? State::SizeStart : State::Failed;
			break;
		case State::TrailerLine:
			if (c == '\r') _state = State::TrailerLF;
			else if (c == '\n' || ++_trailerBytes > MAX_TRAILERS) _state = State::Failed;
			else _line += c;
			break;
		case State::TrailerLF:
			if (c != '\n') _state = State::Failed;
			else finishTrailerLine();
			break;
		default:
			break;
		}

		if (_state == State::Size || _state == State::SizeEnd || _state == State::Extension)
		{
			if (!countLineByte()) _state = State::Failed;
		}
	}

	step.consumed = i;
	return step;
}


void appendChunkHeader(std::string& out, std::size_t length)
{
	char line[32];
	int n = std::snprintf(line, sizeof(line), "%zx\r\n", length);
	out.append(line, static_cast<std::size_t>(n));
}


void appendLastChunk(std::string& out, const Fields& trailers)
{
	out += "0\r\n";
	trailers.serialize(out);
	out += "\r\n";
}


} } // namespace fwdproxy::http
