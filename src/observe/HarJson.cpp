//
// HarJson.cpp
//

#include "fwdproxy/observe/HarJson.h"
#include "fwdproxy/http/ErrorResponse.h"
#include "fwdproxy/http/Syntax.h"
#include "fwdproxy/observe/JsonWriter.h"
#include "fwdproxy/observe/Masking.h"

#include <Poco/Base64Encoder.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <sstream>

#ifndef FWDPROXY_VERSION
#define FWDPROXY_VERSION "unknown"
#endif


namespace fwdproxy {
namespace observe {


const char* const HAR_ENTRY_SEPARATOR = ",\n";


namespace {


using Clock = CapturedExchange::Clock;


bool isSet(Clock::time_point point)
{
	return point != Clock::time_point();
}


std::string fieldValue(const http::Fields& fields, std::string_view name)
{
	const std::string* value = fields.find(name);
	return value == nullptr ? std::string() : *value;
}


std::string decodeQueryPart(std::string_view part)
{
	std::string decoded;
	try
	{
		Poco::URI::decode(std::string(part), decoded, true);
	}
	catch (const Poco::Exception&)
	{
		// A stray "%" is not worth losing the parameter for; show it as sent.
		decoded.assign(part);
	}
	return decoded;
}


void writeHeaders(JsonWriter& json, const http::Fields& fields, bool showSecrets)
{
	json.beginArray();
	for (const http::Field& field: fields.list())
	{
		json.beginObject()
			.member("name", field.name)
			.member("value", shownValue(field.name, field.value, showSecrets))
			.endObject();
	}
	json.endArray();
}


void writeRequestCookies(JsonWriter& json, const http::Fields& fields, bool showSecrets)
{
	json.beginArray();
	for (const http::Field& field: fields.list())
	{
		if (!http::equalsIgnoreCase(field.name, "Cookie")) continue;

		std::string_view list = field.value;
		std::size_t start = 0;
		while (start < list.size())
		{
			std::size_t end = std::min(list.find(';', start), list.size());
			std::string_view pair = http::trimWhitespace(list.substr(start, end - start));
			start = end + 1;
			if (pair.empty()) continue;

			std::size_t equals = std::min(pair.find('='), pair.size());
			std::string_view value = equals < pair.size() ? pair.substr(equals + 1) : std::string_view();
			json.beginObject()
				.member("name", http::trimWhitespace(pair.substr(0, equals)))
				.member("value", showSecrets ? std::string(value) : maskedValue(value.size()))
				.endObject();
		}
	}
	json.endArray();
}


void writeSetCookie(JsonWriter& json, std::string_view setCookie, bool showSecrets)
{
	std::size_t end = std::min(setCookie.find(';'), setCookie.size());
	std::string_view pair = http::trimWhitespace(setCookie.substr(0, end));
	std::size_t equals = std::min(pair.find('='), pair.size());
	std::string_view value = equals < pair.size() ? pair.substr(equals + 1) : std::string_view();

	json.beginObject()
		.member("name", http::trimWhitespace(pair.substr(0, equals)))
		.member("value", showSecrets ? std::string(value) : maskedValue(value.size()));

	// Attributes (RFC 6265 §5.2) follow the pair; Expires is left out
	// because HAR wants ISO 8601 there, not the cookie date format.
	while (end < setCookie.size())
	{
		std::size_t start = end + 1;
		end = std::min(setCookie.find(';', start), setCookie.size());
		std::string_view attribute = http::trimWhitespace(setCookie.substr(start, end - start));
		std::size_t attributeEquals = std::min(attribute.find('='), attribute.size());
		std::string_view name = http::trimWhitespace(attribute.substr(0, attributeEquals));
		std::string_view attributeValue = attributeEquals < attribute.size()
			? http::trimWhitespace(attribute.substr(attributeEquals + 1)) : std::string_view();

		if (http::equalsIgnoreCase(name, "Path")) json.member("path", attributeValue);
		else if (http::equalsIgnoreCase(name, "Domain")) json.member("domain", attributeValue);
		else if (http::equalsIgnoreCase(name, "HttpOnly")) json.member("httpOnly", true);
		else if (http::equalsIgnoreCase(name, "Secure")) json.member("secure", true);
	}
	json.endObject();
}


void writeResponseCookies(JsonWriter& json, const http::Fields& fields, bool showSecrets)
{
	json.beginArray();
	for (const http::Field& field: fields.list())
	{
		if (http::equalsIgnoreCase(field.name, "Set-Cookie")) writeSetCookie(json, field.value, showSecrets);
	}
	json.endArray();
}


void writeQueryString(JsonWriter& json, const std::string& url)
{
	json.beginArray();
	std::size_t question = url.find('?');
	if (question != std::string::npos)
	{
		std::string_view query = std::string_view(url).substr(question + 1);
		std::size_t start = 0;
		while (start < query.size())
		{
			std::size_t end = std::min(query.find('&', start), query.size());
			std::string_view parameter = query.substr(start, end - start);
			start = end + 1;
			if (parameter.empty()) continue;

			std::size_t equals = std::min(parameter.find('='), parameter.size());
			std::string_view value = equals < parameter.size() ? parameter.substr(equals + 1) : std::string_view();
			json.beginObject()
				.member("name", decodeQueryPart(parameter.substr(0, equals)))
				.member("value", decodeQueryPart(value))
				.endObject();
		}
	}
	json.endArray();
}


std::string truncationComment(const BodyCapture& body)
{
	return "truncated to the first " + std::to_string(body.data().size()) + " of " + std::to_string(body.size())
		+ " bytes (proxy.har.maxBodySize)";
}


// Writes the text of a body and returns whether it is base64.
bool writeBodyText(JsonWriter& json, const BodyCapture& body, const http::Fields& fields)
{
	std::string contentType = fieldValue(fields, "Content-Type");
	std::string contentEncoding = fieldValue(fields, "Content-Encoding");
	if (isTextBody(contentType, contentEncoding, body.data(), body.truncated()))
	{
		json.member("text", body.data());
		return false;
	}
	json.member("text", encodeBase64(body.data()));
	return true;
}


void writePostData(JsonWriter& json, const CapturedExchange& exchange)
{
	const BodyCapture& body = exchange.requestBody;
	json.key("postData").beginObject();
	json.member("mimeType", fieldValue(exchange.requestFields, "Content-Type"));
	json.key("params").beginArray().endArray();
	if (writeBodyText(json, body, exchange.requestFields)) json.member("_encoding", "base64");
	if (body.truncated()) json.member("comment", truncationComment(body));
	json.endObject();
}


void writeRequest(JsonWriter& json, const CapturedExchange& exchange, bool showSecrets)
{
	json.beginObject()
		.member("method", exchange.method)
		.member("url", exchange.url)
		.member("httpVersion", exchange.requestVersion);
	json.key("cookies");
	writeRequestCookies(json, exchange.requestFields, showSecrets);
	json.key("headers");
	writeHeaders(json, exchange.requestFields, showSecrets);
	json.key("queryString");
	writeQueryString(json, exchange.method == "CONNECT" ? std::string() : exchange.url);

	std::int64_t bodySize = -1;
	if (exchange.tunnel && !exchange.forwarded) bodySize = static_cast<std::int64_t>(exchange.tunnelBytesToOrigin);
	else if (exchange.forwarded) bodySize = static_cast<std::int64_t>(exchange.requestBody.size());
	if (exchange.forwarded && exchange.capturesBodies && exchange.requestBody.size() > 0) writePostData(json, exchange);

	json.member("headersSize", exchange.forwarded ? static_cast<std::int64_t>(exchange.requestHeadSize) : -1);
	json.member("bodySize", bodySize);
	json.endObject();
}


void writeContent(JsonWriter& json, const CapturedExchange& exchange)
{
	const BodyCapture& body = exchange.responseBody;
	json.key("content").beginObject();
	if (exchange.tunnel)
	{
		json.member("size", static_cast<std::int64_t>(exchange.tunnelBytesToClient))
			.member("mimeType", "")
			.member("comment", "tunnel bytes are not captured");
		json.endObject();
		return;
	}

	json.member("size", static_cast<std::int64_t>(body.size()));
	json.member("mimeType", fieldValue(exchange.responseFields, "Content-Type"));
	if (exchange.capturesBodies && !body.data().empty())
	{
		if (writeBodyText(json, body, exchange.responseFields)) json.member("encoding", "base64");
	}

	std::string contentEncoding = fieldValue(exchange.responseFields, "Content-Encoding");
	std::string comment;
	if (body.truncated()) comment = truncationComment(body);
	if (!contentEncoding.empty() && body.size() > 0)
	{
		if (!comment.empty()) comment += "; ";
		comment += "as received with Content-Encoding " + contentEncoding + ", not decoded";
	}
	if (!comment.empty()) json.member("comment", comment);
	json.endObject();
}


void writeResponse(JsonWriter& json, const CapturedExchange& exchange, bool showSecrets)
{
	bool received = exchange.responseReceived;
	int status = received ? exchange.status : exchange.statusSent;
	std::string statusText = received ? exchange.statusText : std::string();
	if (!received && status == 200 && exchange.method == "CONNECT") statusText = "Connection established";
	else if (!received && status != 0) statusText = http::statusPhrase(status);

	// A response that the proxy wrote itself is HTTP/1.1; no response at all has no version.
	std::string version;
	if (received && exchange.responseVersionMinor == 0) version = "HTTP/1.0";
	else if (received || status != 0) version = "HTTP/1.1";

	json.beginObject()
		.member("status", status)
		.member("statusText", statusText)
		.member("httpVersion", version);
	json.key("cookies");
	writeResponseCookies(json, exchange.responseFields, showSecrets);
	json.key("headers");
	writeHeaders(json, exchange.responseFields, showSecrets);
	writeContent(json, exchange);
	json.member("redirectURL", fieldValue(exchange.responseFields, "Location"));

	std::int64_t bodySize = -1;
	if (exchange.tunnel) bodySize = static_cast<std::int64_t>(exchange.tunnelBytesToClient);
	else if (received) bodySize = static_cast<std::int64_t>(exchange.responseBody.size());
	json.member("headersSize", received ? static_cast<std::int64_t>(exchange.responseHeadSize) : -1);
	json.member("bodySize", bodySize);
	json.endObject();
}


void writeTimings(JsonWriter& json, const HarTimings& timings)
{
	json.beginObject()
		.member("blocked", timings.blocked)
		.member("dns", timings.dns)
		.member("connect", timings.connect)
		.member("send", timings.send)
		.member("wait", timings.wait)
		.member("receive", timings.receive)
		.member("ssl", timings.ssl)
		.endObject();
}


std::string entryComment(const CapturedExchange& exchange)
{
	std::string reason = http::reasonCode(exchange.reason);
	if (exchange.tunnel)
	{
		return "tunnel: " + std::to_string(exchange.tunnelBytesToOrigin) + " bytes client to origin, "
			+ std::to_string(exchange.tunnelBytesToClient) + " bytes origin to client";
	}
	if (!exchange.forwarded && exchange.statusSent != 0)
	{
		return "not forwarded; fwdproxy sent the response (" + reason + ")";
	}
	if (!exchange.forwarded) return "not forwarded (" + reason + ")";
	if (!exchange.responseReceived) return "no response from the origin (" + reason + ")";
	if (exchange.reason != http::Reason::None) return "the exchange did not complete (" + reason + ")";
	return std::string();
}


bool isTextType(const std::string& type)
{
	static const char* const TYPES[] = {"application/json", "application/javascript", "application/ecmascript",
		"application/x-javascript", "application/xml", "application/x-www-form-urlencoded", "application/x-ndjson"};

	auto endsWith = [&](const char* suffix) {
		std::string_view end(suffix);
		return type.size() >= end.size() && type.compare(type.size() - end.size(), end.size(), end) == 0;
	};
	if (type.compare(0, 5, "text/") == 0 || endsWith("+json") || endsWith("+xml")) return true;
	return std::find(std::begin(TYPES), std::end(TYPES), type) != std::end(TYPES);
}


bool hasControlBytes(std::string_view data)
{
	return std::any_of(data.begin(), data.end(), [](char c) {
		unsigned char u = static_cast<unsigned char>(c);
		return (u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7F;
	});
}


} // namespace


double HarTimings::total() const
{
	double sum = 0;
	for (double phase: {blocked, dns, connect, send, wait, receive, ssl})
	{
		if (phase > 0) sum += phase;
	}
	return sum;
}


HarTimings harTimings(const CapturedExchange& exchange)
{
	// The phases are cut at the recorded points, so they add up to the
	// whole duration. A phase that did not happen is 0, or -1 where HAR allows it.
	HarTimings timings;
	Clock::time_point end = exchange.end;
	if (!isSet(exchange.connected))
	{
		timings.blocked = millisecondsBetween(exchange.start, end);
		return timings;
	}

	if (exchange.reusedConnection || !isSet(exchange.connectStart))
	{
		timings.blocked = millisecondsBetween(exchange.start, exchange.connected);
	}
	else
	{
		timings.blocked = millisecondsBetween(exchange.start, exchange.connectStart);
		timings.connect = millisecondsBetween(exchange.connectStart, exchange.connected);
	}

	if (!isSet(exchange.requestSentAt))
	{
		timings.receive = millisecondsBetween(exchange.connected, end);
		return timings;
	}

	Clock::time_point sendEnd = std::max(exchange.requestSentAt, exchange.requestBody.lastData());
	timings.send = millisecondsBetween(exchange.connected, sendEnd);
	if (!isSet(exchange.responseAt))
	{
		timings.wait = millisecondsBetween(sendEnd, end);
		return timings;
	}
	timings.wait = millisecondsBetween(sendEnd, exchange.responseAt);
	timings.receive = millisecondsBetween(exchange.responseAt, end);
	return timings;
}


std::string harEntry(const CapturedExchange& exchange, bool showSecrets)
{
	std::string out;
	out.reserve(1024 + exchange.requestBody.data().size() + exchange.responseBody.data().size() * 4 / 3);
	JsonWriter json(out);
	HarTimings timings = harTimings(exchange);

	json.beginObject();
	json.member("startedDateTime", Poco::DateTimeFormatter::format(exchange.startedAt, "%Y-%m-%dT%H:%M:%S.%iZ"));
	json.member("time", timings.total());
	json.key("request");
	writeRequest(json, exchange, showSecrets);
	json.key("response");
	writeResponse(json, exchange, showSecrets);
	json.key("cache").beginObject().endObject();
	json.key("timings");
	writeTimings(json, timings);
	if (!exchange.serverAddress.empty()) json.member("serverIPAddress", exchange.serverAddress);
	json.member("connection", std::to_string(exchange.connectionId));

	std::string comment = entryComment(exchange);
	if (!comment.empty()) json.member("comment", comment);
	if (exchange.reason != http::Reason::None) json.member("_reason", http::reasonCode(exchange.reason));
	json.endObject();
	return out;
}


std::string harDocumentStart(std::uint64_t droppedEntries, std::size_t maxEntries)
{
	std::string out;
	JsonWriter json(out);
	json.beginObject().key("log").beginObject();
	json.member("version", "1.2");
	json.key("creator").beginObject().member("name", "fwdproxy").member("version", FWDPROXY_VERSION).endObject();
	if (droppedEntries > 0)
	{
		json.member("comment", std::to_string(droppedEntries) + " older entries were dropped to keep at most "
			+ std::to_string(maxEntries) + " (proxy.har.maxEntries)");
	}
	json.key("entries");

	// The writer is left inside the open objects: the array and the
	// closing brackets are written by the caller and harDocumentEnd().
	out += "[\n";
	return out;
}


std::string harDocumentEnd()
{
	return "\n]}}\n";
}


std::string harDocument(const std::vector<std::string>& entries, std::uint64_t droppedEntries, std::size_t maxEntries)
{
	std::string document = harDocumentStart(droppedEntries, maxEntries);
	for (std::size_t i = 0; i < entries.size(); ++i)
	{
		if (i > 0) document += HAR_ENTRY_SEPARATOR;
		document += entries[i];
	}
	document += harDocumentEnd();
	return document;
}


bool isTextBody(std::string_view contentType, std::string_view contentEncoding, std::string_view data, bool truncated)
{
	std::string_view coding = http::trimWhitespace(contentEncoding);
	if (!coding.empty() && !http::equalsIgnoreCase(coding, "identity")) return false;

	// Control bytes would each take six bytes as \u00XX; base64 bounds the
	// entry at 4/3 of the body, and escaped text otherwise stays under 2x.
	std::string type = http::toLower(http::trimWhitespace(contentType.substr(0, contentType.find(';'))));
	bool textual = type.empty() || isTextType(type);
	return textual && !hasControlBytes(data) && isValidUtf8(data, truncated);
}


std::string encodeBase64(std::string_view data)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder.rdbuf()->setLineLength(0);
	encoder.write(data.data(), static_cast<std::streamsize>(data.size()));
	encoder.close();
	return out.str();
}


} } // namespace fwdproxy::observe
