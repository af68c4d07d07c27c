//
// EscapedText.h
//
// Shows test inputs with control bytes in assertion messages.
//

#pragma once

#include <cstdio>
#include <string>
#include <string_view>


inline std::string escapeControls(std::string_view text)
	/// Returns text with CR, LF, HTAB and other bytes outside printable ASCII
	/// written as C escapes, so that a failure message shows the exact input.
{
	std::string result;
	for (char c: text)
	{
		unsigned char u = static_cast<unsigned char>(c);
		if (c == '\r') result += "\\r";
		else if (c == '\n') result += "\\n";
		else if (c == '\t') result += "\\t";
		else if (c == '\\') result += "\\\\";
		else if (u < 0x20 || u >= 0x7f)
		{
			char hex[8];
			std::snprintf(hex, sizeof(hex), "\\x%02x", u);
			result += hex;
		}
		else result += c;
	}
	return result;
}
