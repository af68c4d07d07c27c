//
// Syntax.h
//
// Character classes and small string helpers from the RFC 9110 grammar.
//

#pragma once

#include <cstdint>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace http {


bool isTokenChar(char c);
	/// Returns true for tchar (RFC 9110 §5.6.2): the characters of field names and methods.

bool isToken(std::string_view s);
	/// Returns true when s is a non-empty token.

bool isFieldValueChar(char c);
	/// Returns true for the bytes allowed in a field value: VCHAR, SP, HTAB and obs-text.
	/// NUL, CR, LF and other controls are rejected, since peers disagree on them.

bool equalsIgnoreCase(std::string_view a, std::string_view b);

std::string toLower(std::string_view s);

std::string_view trimWhitespace(std::string_view s);

bool parsePort(std::string_view text, std::uint16_t& port);
	/// Parses a TCP port from 1 to 65535 written in decimal digits only.
	/// Removes leading and trailing SP and HTAB (OWS).

template <typename Visit>
void forEachListItem(std::string_view list, Visit visit)
	/// Calls visit(item) for each trimmed, non-empty element of a comma-separated list (RFC 9110 §5.6.1).
{
	std::size_t start = 0;
	while (start <= list.size())
	{
		std::size_t comma = list.find(',', start);
		if (comma == std::string_view::npos) comma = list.size();
		std::string_view item = trimWhitespace(list.substr(start, comma - start));
		if (!item.empty()) visit(item);
		start = comma + 1;
	}
}


} } // namespace fwdproxy::http
