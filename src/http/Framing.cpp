//
// Framing.cpp
//

#include "fwdproxy/http/Framing.h"
#include "fwdproxy/http/Syntax.h"

#include <vector>


namespace fwdproxy {
namespace http {


namespace {


const std::uint64_t MAX_CONTENT_LENGTH = 1ull << 62;


bool parseDecimal(std::string_view text, std::uint64_t& value)
{
	if (text.empty() || text.size() > 19) return false;

	value = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		value = value * 10 + static_cast<std::uint64_t>(c - '0');
	}
	return value <= MAX_CONTENT_LENGTH;
}


enum class CodingCheck
{
	Chunked,
	FinalNotChunked,
	Unsupported
};


// Only "chunked" alone is relayed: the proxy removes the chunked coding and
// frames the body again, so any other coding would be lost on the way.
// TODO: relay codings such as "gzip, chunked" instead of refusing them.
CodingCheck checkTransferCodings(const Fields& fields)
{
	std::vector<std::string> codings;
	for (const Field& f: fields.list())
	{
		if (!equalsIgnoreCase(f.name, "Transfer-Encoding")) continue;

		forEachListItem(f.value, [&](std::string_view item) { codings.push_back(toLower(item)); });
	}

	if (codings.empty() || codings.back() != "chunked") return CodingCheck::FinalNotChunked;
	if (codings.size() > 1) return CodingCheck::Unsupported;
	return CodingCheck::Chunked;
}


} // namespace


bool parseContentLength(const Fields& fields, std::uint64_t& length, bool& present)
{
	present = false;
	bool valid = true;
	for (const Field& f: fields.list())
	{
		if (!equalsIgnoreCase(f.name, "Content-Length")) continue;

		// "5, 5" or two fields of 5 are one length; anything else is a conflict.
		std::size_t items = 0;
		forEachListItem(f.value, [&](std::string_view item) {
			++items;
			std::uint64_t value = 0;
			if (!parseDecimal(item, value) || (present && value != length)) valid = false;
			length = value;
			present = true;
		});
		if (items == 0) valid = false;
	}
	return valid;
}


Reason requestFraming(const RequestHead& request, BodyFraming& framing)
{
	framing = BodyFraming();
	bool hasLength = false;
	std::uint64_t length = 0;
	bool lengthValid = parseContentLength(request.fields, length, hasLength);

	if (request.fields.count("Transfer-Encoding") > 0)
	{
		// Both fields at once is the classic smuggling set-up (RFC 9112 §6.1):
		// refuse rather than guess which one the origin will believe. The
		// field counts even when its value is empty or invalid.
		if (request.fields.count("Content-Length") > 0) return Reason::BadFraming;
		if (request.versionMinor == 0) return Reason::BadFraming;

		CodingCheck check = checkTransferCodings(request.fields);
		if (check == CodingCheck::FinalNotChunked) return Reason::BadFraming;
		if (check == CodingCheck::Unsupported) return Reason::UnknownCoding;

		framing.kind = BodyKind::Chunked;
		return Reason::None;
	}

	if (!lengthValid) return Reason::BadFraming;
	if (hasLength)
	{
		framing.kind = BodyKind::Length;
		framing.length = length;
	}
	return Reason::None;
}


Reason responseFraming(const ResponseHead& response, const std::string& requestMethod, BodyFraming& framing)
{
	framing = BodyFraming();
	if (requestMethod == "HEAD" || response.isInterim() || response.status == 204 || response.status == 304)
	{
		return Reason::None;
	}

	bool hasLength = false;
	std::uint64_t length = 0;
	bool lengthValid = parseContentLength(response.fields, length, hasLength);

	if (response.fields.count("Transfer-Encoding") > 0)
	{
		if (response.fields.count("Content-Length") > 0) return Reason::BadResponse;
		if (checkTransferCodings(response.fields) != CodingCheck::Chunked) return Reason::BadResponse;

		framing.kind = BodyKind::Chunked;
		return Reason::None;
	}

	if (!lengthValid) return Reason::BadResponse;
	if (hasLength)
	{
		framing.kind = BodyKind::Length;
		framing.length = length;
		return Reason::None;
	}

	framing.kind = BodyKind::UntilClose;
	return Reason::None;
}


} } // namespace fwdproxy::http
