//
// RequestTarget.cpp
//

#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/http/Syntax.h"

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif


namespace fwdproxy {
namespace http {


namespace {


bool isRegNameChar(char c)
{
	unsigned char u = static_cast<unsigned char>(c);
	if (u >= '0' && u <= '9') return true;
	if ((u | 0x20) >= 'a' && (u | 0x20) <= 'z') return true;
	return u == '-' || u == '.' || u == '_';
}


bool isIPv6Address(std::string_view text)
{
	if (text.size() > 45) return false;

	std::string copy(text);
	unsigned char bytes[16];
	return ::inet_pton(AF_INET6, copy.c_str(), bytes) == 1;
}


// Splits host[:port] or [v6]:port. An absent port leaves port unchanged;
// portRequired rejects that, as authority-form needs one (RFC 9112 §3.2.3).
bool parseHostPort(std::string_view authority, bool portRequired, RequestTarget& result)
{
	std::string_view host;
	std::string_view rest;
	if (!authority.empty() && authority[0] == '[')
	{
		std::size_t close = authority.find(']');
		if (close == std::string_view::npos || close < 3) return false;

		// Brackets hold an IPv6 address and nothing else (RFC 3986 §3.2.2).
		host = authority.substr(1, close - 1);
		if (!isIPv6Address(host)) return false;
		rest = authority.substr(close + 1);
	}
	else
	{
		std::size_t colon = authority.find(':');
		host = authority.substr(0, colon);
		rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
		if (host.empty()) return false;
		for (char c: host)
		{
			if (!isRegNameChar(c)) return false;
		}
	}

	if (!rest.empty())
	{
		if (rest[0] != ':') return false;
		// "host:" with an empty port means the default port (RFC 3986 §3.2.3).
		if (rest.size() > 1 && !parsePort(rest.substr(1), result.port)) return false;
		if (rest.size() == 1 && portRequired) return false;
	}
	else if (portRequired)
	{
		return false;
	}

	result.host = toLower(host);
	result.authority.assign(authority);
	return true;
}


} // namespace


std::string RequestTarget::hostPort() const
{
	std::string text = isIPv6Literal() ? "[" + host + "]" : host;
	return text + ":" + std::to_string(port);
}


Reason parseAbsoluteForm(std::string_view target, const std::string& method, RequestTarget& result)
{
	if (target.empty() || target[0] == '/' || target == "*") return Reason::OriginFormTarget;

	std::size_t schemeEnd = target.find("://");
	if (schemeEnd == std::string_view::npos || schemeEnd == 0) return Reason::BadRequest;

	std::string_view scheme = target.substr(0, schemeEnd);
	if (!equalsIgnoreCase(scheme, "http")) return Reason::UnsupportedScheme;

	std::string_view rest = target.substr(schemeEnd + 3);
	std::size_t pathStart = rest.find_first_of("/?#");
	std::string_view authority = rest.substr(0, pathStart);
	std::string_view path = pathStart == std::string_view::npos ? std::string_view() : rest.substr(pathStart);

	// Userinfo in an http URI is deprecated (RFC 9110 §4.2.4) and is a favourite
	// way to disguise the real host from a human or a filter.
	if (authority.find('@') != std::string_view::npos) return Reason::BadRequest;

	result.port = 80;
	if (!parseHostPort(authority, false, result)) return Reason::BadRequest;

	std::size_t fragment = path.find('#');
	if (fragment != std::string_view::npos) path = path.substr(0, fragment);

	if (path.empty()) result.originForm = method == "OPTIONS" ? "*" : "/";
	else if (path[0] == '?') result.originForm = "/" + std::string(path);
	else result.originForm.assign(path);

	return Reason::None;
}


Reason parseAuthorityForm(std::string_view target, RequestTarget& result)
{
	if (target.find_first_of("/@?#") != std::string_view::npos) return Reason::BadRequest;

	if (!parseHostPort(target, true, result)) return Reason::BadRequest;

	result.originForm.clear();
	return Reason::None;
}


} } // namespace fwdproxy::http
