//
// Syntax.cpp
//

#include "fwdproxy/http/Syntax.h"

#include <cstring>


namespace fwdproxy {
namespace http {


bool isTokenChar(char c)
{
	unsigned char u = static_cast<unsigned char>(c);
	if (u >= '0' && u <= '9') return true;
	if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') return true;
	return u != 0 && std::strchr("!#$%&'*+-.^_`|~", u) != nullptr;
}


bool isToken(std::string_view s)
{
	if (s.empty()) return false;
	for (char c: s)
	{
		if (!isTokenChar(c)) return false;
	}
	return true;
}


bool isFieldValueChar(char c)
{
	unsigned char u = static_cast<unsigned char>(c);
	return u == '\t' || (u >= 0x20 && u != 0x7f);
}


bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		char x = a[i];
		char y = b[i];
		if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
		if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
		if (x != y) return false;
	}
	return true;
}


std::string toLower(std::string_view s)
{
	std::string result(s);
	for (char& c: result)
	{
		if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
	}
	return result;
}


std::string_view trimWhitespace(std::string_view s)
{
	std::size_t begin = 0;
	std::size_t end = s.size();
	while (begin < end && (s[begin] == ' ' || s[begin] == '\t')) ++begin;
	while (end > begin && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
	return s.substr(begin, end - begin);
}


bool parsePort(std::string_view text, std::uint16_t& port)
{
	if (text.empty() || text.size() > 5) return false;

	unsigned value = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (value == 0 || value > 65535) return false;

	port = static_cast<std::uint16_t>(value);
	return true;
}


} } // namespace fwdproxy::http
