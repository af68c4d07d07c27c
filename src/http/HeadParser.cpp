//
// HeadParser.cpp
//

#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/http/Syntax.h"


namespace fwdproxy {
namespace http {


namespace {


// Splits the head into lines ending in CRLF. A bare LF anywhere is an error:
// accepting it here while an origin rejects it (or the reverse) is how
// requests are smuggled past a proxy (RFC 9112 §2.2).
class LineReader
{
public:
	explicit LineReader(std::string_view head): _head(head) {}

	bool next(std::string_view& line, bool& bad)
	{
		if (_pos >= _head.size()) return false;

		std::size_t lf = _head.find('\n', _pos);
		if (lf == std::string_view::npos || lf == _pos || _head[lf - 1] != '\r')
		{
			bad = true;
			return false;
		}
		line = _head.substr(_pos, lf - 1 - _pos);
		_pos = lf + 1;
		return true;
	}

private:
	std::string_view _head;
	std::size_t _pos = 0;
};


bool parseVersion(std::string_view text, int& minor, bool& wellFormed)
{
	wellFormed = text.size() == 8 && text.substr(0, 5) == "HTTP/" && text[5] >= '0' && text[5] <= '9'
		&& text[6] == '.' && text[7] >= '0' && text[7] <= '9';
	if (!wellFormed) return false;

	if (text[5] != '1' || (text[7] != '0' && text[7] != '1')) return false;

	minor = text[7] - '0';
	return true;
}


// Reads field lines up to the empty line; returns false on any invalid line.
bool parseFieldSection(LineReader& lines, Fields& fields)
{
	std::string_view line;
	bool bad = false;
	while (lines.next(line, bad))
	{
		if (line.empty()) return true;

		if (!parseFieldLine(line, fields)) return false;
	}
	return false;
}


} // namespace


bool parseFieldLine(std::string_view line, Fields& fields)
{
	// obs-fold: a line that starts with whitespace continues the previous field.
	// RFC 9112 §5.2 lets a server reject it; rejecting is safer than unfolding.
	if (line.empty() || line[0] == ' ' || line[0] == '\t') return false;

	std::size_t colon = line.find(':');
	if (colon == std::string_view::npos) return false;

	// Whitespace before the colon must be rejected (RFC 9112 §5.1): isToken fails on it.
	std::string_view name = line.substr(0, colon);
	if (!isToken(name)) return false;

	std::string_view value = trimWhitespace(line.substr(colon + 1));
	for (char c: value)
	{
		if (!isFieldValueChar(c)) return false;
	}

	fields.add(name, value);
	return true;
}


std::size_t findHeadEnd(std::string_view data, std::size_t from)
{
	std::size_t pos = from;
	while (true)
	{
		std::size_t lf = data.find('\n', pos);
		if (lf == std::string_view::npos || lf + 1 >= data.size()) return std::string_view::npos;

		if (data[lf + 1] == '\n') return lf + 2;
		if (data[lf + 1] == '\r')
		{
			if (lf + 2 >= data.size()) return std::string_view::npos;
			if (data[lf + 2] == '\n') return lf + 3;
		}
		pos = lf + 1;
	}
}


Reason parseRequestHead(std::string_view head, std::size_t maxTargetLength, RequestHead& request)
{
	LineReader lines(head);
	std::string_view line;
	bool bad = false;
	if (!lines.next(line, bad)) return Reason::BadRequest;

	// request-line = method SP request-target SP HTTP-version, single spaces only (RFC 9112 §3).
	std::size_t firstSpace = line.find(' ');
	std::size_t lastSpace = line.rfind(' ');
	if (firstSpace == std::string_view::npos || firstSpace == lastSpace) return Reason::BadRequest;

	std::string_view method = line.substr(0, firstSpace);
	std::string_view target = line.substr(firstSpace + 1, lastSpace - firstSpace - 1);
	std::string_view version = line.substr(lastSpace + 1);
	if (!isToken(method)) return Reason::BadRequest;

	if (target.size() > maxTargetLength) return Reason::TargetTooLong;
	if (target.empty()) return Reason::BadRequest;
	for (char c: target)
	{
		unsigned char u = static_cast<unsigned char>(c);
		if (u <= 0x20 || u == 0x7f) return Reason::BadRequest;
	}

	bool wellFormed = false;
	if (!parseVersion(version, request.versionMinor, wellFormed))
	{
		return wellFormed ? Reason::VersionNotSupported : Reason::BadRequest;
	}

	request.method.assign(method);
	request.target.assign(target);
	request.fields.clear();
	if (!parseFieldSection(lines, request.fields)) return Reason::BadRequest;

	return Reason::None;
}


Reason parseResponseHead(std::string_view head, ResponseHead& response)
{
	LineReader lines(head);
	std::string_view line;
	bool bad = false;
	if (!lines.next(line, bad)) return Reason::BadResponse;

	// status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing
	// final SP is accepted because common servers omit it with an empty phrase.
	bool wellFormed = false;
	if (line.size() < 12 || line[8] != ' ') return Reason::BadResponse;
	if (!parseVersion(line.substr(0, 8), response.versionMinor, wellFormed)) return Reason::BadResponse;

	int status = 0;
	for (std::size_t i = 9; i < 12; ++i)
	{
		if (line[i] < '0' || line[i] > '9') return Reason::BadResponse;
		status = status * 10 + (line[i] - '0');
	}
	if (status < 100 || status > 599) return Reason::BadResponse;
	if (line.size() > 12 && line[12] != ' ') return Reason::BadResponse;

	std::string_view phrase = line.size() > 13 ? line.substr(13) : std::string_view();
	for (char c: phrase)
	{
		if (!isFieldValueChar(c)) return Reason::BadResponse;
	}

	response.status = status;
	response.reasonPhrase.assign(phrase);
	response.fields.clear();
	if (!parseFieldSection(lines, response.fields)) return Reason::BadResponse;

	return Reason::None;
}


} } // namespace fwdproxy::http
