//
// JsonWriter.cpp
//

#include "fwdproxy/observe/JsonWriter.h"

#include <cmath>
#include <cstdio>


namespace fwdproxy {
namespace observe {


namespace {


const char* const REPLACEMENT_CHARACTER = "\xEF\xBF\xBD";


// Returns the length of the valid UTF-8 sequence at text[offset], 0 when the
// bytes there are invalid, or -1 when a valid start is cut off by the end.
int sequenceLength(std::string_view text, std::size_t offset)
{
	unsigned char lead = static_cast<unsigned char>(text[offset]);
	if (lead < 0x80) return 1;

	int length = 0;
	unsigned char low = 0x80;
	unsigned char high = 0xBF;
	if (lead >= 0xC2 && lead <= 0xDF) length = 2;
	else if (lead >= 0xE0 && lead <= 0xEF) length = 3;
	else if (lead >= 0xF0 && lead <= 0xF4) length = 4;
	else return 0;

	// The second byte's range excludes overlong forms, surrogates and
	// code points above U+10FFFF (RFC 3629 §4).
	if (lead == 0xE0) low = 0xA0;
	if (lead == 0xED) high = 0x9F;
	if (lead == 0xF0) low = 0x90;
	if (lead == 0xF4) high = 0x8F;

	for (int i = 1; i < length; ++i)
	{
		if (offset + i >= text.size()) return -1;

		unsigned char next = static_cast<unsigned char>(text[offset + i]);
		if (next < low || next > high) return 0;
		low = 0x80;
		high = 0xBF;
	}
	return length;
}


} // namespace


JsonWriter& JsonWriter::beginObject()
{
	return open('{');
}


JsonWriter& JsonWriter::endObject()
{
	return close('}');
}


JsonWriter& JsonWriter::beginArray()
{
	return open('[');
}


JsonWriter& JsonWriter::endArray()
{
	return close(']');
}


JsonWriter& JsonWriter::open(char bracket)
{
	beginValue();
	_out += bracket;
	_hasMembers.push_back(false);
	return *this;
}


JsonWriter& JsonWriter::close(char bracket)
{
	_out += bracket;
	_hasMembers.pop_back();
	return *this;
}


JsonWriter& JsonWriter::key(std::string_view name)
{
	beginValue();
	appendJsonString(_out, name);
	_out += ':';
	_afterKey = true;
	return *this;
}


JsonWriter& JsonWriter::value(std::string_view text)
{
	beginValue();
	appendJsonString(_out, text);
	return *this;
}


JsonWriter& JsonWriter::value(std::int64_t number)
{
	beginValue();
	_out += std::to_string(number);
	return *this;
}


JsonWriter& JsonWriter::value(double number)
{
	beginValue();
	if (!std::isfinite(number)) number = -1;

	char text[64];
	std::snprintf(text, sizeof text, "%.3f", number);

	// Trailing zeros carry no information, and -1 (HAR's "not applicable") reads better without them.
	std::string_view digits(text);
	digits = digits.substr(0, digits.find_last_not_of('0') + 1);
	if (digits.back() == '.') digits.remove_suffix(1);
	if (digits == "-0") digits = "0";
	_out += digits;
	return *this;
}


JsonWriter& JsonWriter::value(bool flag)
{
	beginValue();
	_out += flag ? "true" : "false";
	return *this;
}


void JsonWriter::beginValue()
{
	if (_afterKey)
	{
		_afterKey = false;
		return;
	}
	if (_hasMembers.empty()) return;

	if (_hasMembers.back()) _out += ',';
	_hasMembers.back() = true;
}


void appendJsonString(std::string& out, std::string_view text)
{
	static const char HEX[] = "0123456789abcdef";

	out.reserve(out.size() + text.size() + 2);
	out += '"';
	std::size_t i = 0;
	while (i < text.size())
	{
		char c = text[i];
		unsigned char u = static_cast<unsigned char>(c);
		if (u >= 0x80)
		{
			int length = sequenceLength(text, i);
			if (length <= 0)
			{
				out += REPLACEMENT_CHARACTER;
				++i;
				continue;
			}
			out.append(text.data() + i, static_cast<std::size_t>(length));
			i += static_cast<std::size_t>(length);
			continue;
		}

		switch (c)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		default:
			if (u < 0x20)
			{
				out += "\\u00";
				out += HEX[u >> 4];
				out += HEX[u & 0x0F];
			}
			else
			{
				out += c;
			}
		}
		++i;
	}
	out += '"';
}


bool isValidUtf8(std::string_view text, bool allowCutEnd)
{
	std::size_t i = 0;
	while (i < text.size())
	{
		int length = sequenceLength(text, i);
		if (length == -1) return allowCutEnd;
		if (length == 0) return false;
		i += static_cast<std::size_t>(length);
	}
	return true;
}


} } // namespace fwdproxy::observe
