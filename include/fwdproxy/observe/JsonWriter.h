//
// JsonWriter.h
//
// Appends compact JSON (RFC 8259) to a string.
//

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>


namespace fwdproxy {
namespace observe {


class JsonWriter
	/// Writes values in document order and puts the commas in. The caller
	/// keeps objects and arrays balanced. Strings come out as valid UTF-8
	/// whatever bytes go in, because header values and bodies from the
	/// network may be Latin-1 or binary: see appendJsonString().
{
public:
	explicit JsonWriter(std::string& out): _out(out) {}

	JsonWriter& beginObject();
	JsonWriter& endObject();
	JsonWriter& beginArray();
	JsonWriter& endArray();

	JsonWriter& key(std::string_view name);
		/// Writes an object member's name; the next value is its value.

	JsonWriter& value(std::string_view text);
	JsonWriter& value(const char* text) { return value(std::string_view(text)); }
	JsonWriter& value(std::int64_t number);
	JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
	JsonWriter& value(double number);
		/// Writes number rounded to three decimals, the precision of HAR
		/// timings in milliseconds, without trailing zeros. A value that is
		/// not finite becomes -1, HAR's "not known".
	JsonWriter& value(bool flag);

	template <typename T>
	JsonWriter& member(std::string_view name, const T& memberValue)
	{
		key(name);
		return value(memberValue);
	}

private:
	JsonWriter& open(char bracket);
	JsonWriter& close(char bracket);
	void beginValue();

	std::string& _out;
	std::vector<bool> _hasMembers;   ///< One entry per open object or array.
	bool _afterKey = false;
};


void appendJsonString(std::string& out, std::string_view text);
	/// Appends text as a quoted JSON string. Quotation marks, backslashes and
	/// control characters are escaped; a byte that is not part of a valid
	/// UTF-8 sequence becomes U+FFFD, the replacement character.

bool isValidUtf8(std::string_view text, bool allowCutEnd = false);
	/// Returns true when text is valid UTF-8: no overlong forms, surrogates
	/// or code points above U+10FFFF. With allowCutEnd, an incomplete
	/// sequence at the very end is accepted, as left by cutting a text short.


} } // namespace fwdproxy::observe
