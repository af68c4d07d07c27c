//
// TraceWriter.cpp
//

#include "fwdproxy/observe/TraceWriter.h"
#include "fwdproxy/observe/Masking.h"

#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>

#include <cstdio>
#include <cstdlib>

#ifndef _WIN32
#include <unistd.h>
#endif


namespace fwdproxy {
namespace observe {


namespace {


// ANSI SGR sequences (ECMA-48).
const char* const RESET = "\033[0m";
const char* const DIM = "\033[2m";
const char* const REQUEST = "\033[1;36m";
const char* const REQUEST_FIELD = "\033[36m";
const char* const INTERIM = "\033[1;34m";
const char* const SUCCESS = "\033[1;32m";
const char* const CLIENT_ERROR = "\033[1;33m";
const char* const SERVER_ERROR = "\033[1;31m";
const char* const RESPONSE_FIELD = "\033[32m";
const char* const NOTE = "\033[35m";


const char* statusStyle(int status)
{
	if (status >= 500 || status == 0) return SERVER_ERROR;
	if (status >= 400) return CLIENT_ERROR;
	if (status < 200) return INTERIM;
	return SUCCESS;
}


// Field values may carry obs-text and a reason phrase almost anything; a
// control byte must not reach the terminal, where ESC would start a sequence.
std::string printable(const std::string& text)
{
	std::string result = text;
	for (char& c: result)
	{
		unsigned char u = static_cast<unsigned char>(c);
		if ((u < 0x20 && c != '\t') || u == 0x7F) c = '?';
	}
	return result;
}


std::string milliseconds(CapturedExchange::Clock::time_point from, CapturedExchange::Clock::time_point to)
{
	char text[32];
	std::snprintf(text, sizeof text, "%.0f ms", millisecondsBetween(from, to));
	return text;
}


// CONNECT names host:port; after a 101 the tunnel continues the request's URL.
std::string tunnelTarget(const CapturedExchange& exchange)
{
	return exchange.method == "CONNECT" ? exchange.requestTarget : exchange.url;
}


std::string bytes(std::uint64_t count)
{
	return std::to_string(count) + (count == 1 ? " byte" : " bytes");
}


} // namespace


TraceWriter::TraceWriter(Poco::Logger& logger, bool colour, bool showSecrets):
	_logger(logger),
	_colour(colour),
	_showSecrets(showSecrets)
{
}


void TraceWriter::requestSent(const CapturedExchange& exchange, bool retry)
{
	if (retry) writeLine(exchange, '*', styled(NOTE, "the reused origin connection had closed; sending again on a new one"));

	std::string line = exchange.method + " " + exchange.requestTarget + " " + exchange.requestVersion;
	writeLine(exchange, '>', styled(REQUEST, printable(line)));
	writeFields(exchange, '>', exchange.requestFields, REQUEST_FIELD);
}


void TraceWriter::responseReceived(const CapturedExchange& exchange, const http::ResponseHead& response)
{
	std::string line = (response.versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(response.status)
		+ " " + response.reasonPhrase;
	writeLine(exchange, '<', styled(statusStyle(response.status), printable(line)));
	writeFields(exchange, '<', response.fields, RESPONSE_FIELD);
}


void TraceWriter::tunnelOpened(const CapturedExchange& exchange)
{
	std::string text = exchange.method + " " + tunnelTarget(exchange) + ": tunnel open to " + exchange.serverAddress
		+ " after " + milliseconds(exchange.start, exchange.connected);
	writeLine(exchange, '*', styled(NOTE, printable(text)));
}


void TraceWriter::finished(const CapturedExchange& exchange)
{
	std::string reason = http::reasonCode(exchange.reason);
	std::string total = "total " + milliseconds(exchange.start, exchange.end);
	if (exchange.tunnel)
	{
		std::string text = "tunnel to " + tunnelTarget(exchange) + " closed: " + bytes(exchange.tunnelBytesToOrigin)
			+ " client to origin, " + bytes(exchange.tunnelBytesToClient) + " origin to client, " + total;
		if (exchange.reason != http::Reason::None) text += ", " + reason;
		writeLine(exchange, '=', styled(NOTE, printable(text)));
		return;
	}

	if (!exchange.forwarded)
	{
		std::string line = exchange.method + " " + exchange.requestTarget + " " + exchange.requestVersion;
		writeLine(exchange, '*', styled(NOTE, printable(line) + " (not forwarded)"));
	}

	std::string text = exchange.statusSent == 0 ? "no response" : std::to_string(exchange.statusSent);
	if (exchange.responseReceived) text += " " + exchange.statusText;
	else if (exchange.reason != http::Reason::None) text += " " + reason + " from fwdproxy";
	text += ", " + bytes(exchange.bytesToClient) + " to client";
	if (exchange.responseReceived) text += ", response head after " + milliseconds(exchange.start, exchange.responseAt);
	text += ", " + total;
	if (exchange.responseReceived && exchange.reason != http::Reason::None) text += ", ended by " + reason;
	writeLine(exchange, '=', styled(statusStyle(exchange.statusSent), printable(text)));
}


void TraceWriter::writeLine(const CapturedExchange& exchange, char marker, const std::string& text) const
{
	std::string line;
	line.reserve(exchange.client.size() + text.size() + 32);
	line += styled(DIM, exchange.client + " #" + std::to_string(exchange.connectionId));
	line += ' ';
	line += marker;
	line += ' ';
	line += text;
	_logger.information(line);
}


void TraceWriter::writeFields(const CapturedExchange& exchange, char marker, const http::Fields& fields,
	const char* nameStyle) const
{
	for (const http::Field& field: fields.list())
	{
		bool masked = !_showSecrets && isSecretField(field.name);
		std::string value = printable(shownValue(field.name, field.value, _showSecrets));
		writeLine(exchange, marker, styled(nameStyle, printable(field.name) + ":") + " " + (masked ? styled(DIM, value) : value));
	}
}


std::string TraceWriter::styled(const char* style, const std::string& text) const
{
	if (!_colour) return text;
	return style + text + RESET;
}


bool TraceWriter::stderrIsColourTerminal(Poco::Logger& logger)
{
#ifdef _WIN32
	return false;
#else
	const char* noColour = std::getenv("NO_COLOR");
	if (noColour != nullptr && noColour[0] != '\0') return false;
	if (!isatty(STDERR_FILENO)) return false;

	// Colour codes in a log file would only be noise, so a channel other
	// than the console gets none even when standard error is a terminal.
	Poco::Channel::Ptr channel = logger.getChannel();
	auto* formatting = dynamic_cast<Poco::FormattingChannel*>(channel.get());
	if (formatting != nullptr) channel = formatting->getChannel();
	return dynamic_cast<Poco::ConsoleChannel*>(channel.get()) != nullptr
		|| dynamic_cast<Poco::ColorConsoleChannel*>(channel.get()) != nullptr;
#endif
}


} } // namespace fwdproxy::observe
