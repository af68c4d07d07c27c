//
// AccessLogFormat.cpp
//

#include "fwdproxy/observe/AccessLogFormat.h"
#include "fwdproxy/http/Syntax.h"

#include <cstdio>
#include <ctime>


using fwdproxy::http::Reason;


namespace fwdproxy {
namespace observe {


namespace {


const char* const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};


// The address without the port: "127.0.0.1:5000" -> "127.0.0.1", "[::1]:5000" -> "::1".
std::string hostOf(const std::string& address)
{
	if (!address.empty() && address.front() == '[')
	{
		std::size_t close = address.find(']');
		return close == std::string::npos ? address : address.substr(1, close - 1);
	}
	std::size_t colon = address.rfind(':');
	return colon == std::string::npos ? address : address.substr(0, colon);
}


const std::string& orDash(const std::string& value)
{
	static const std::string dash = "-";
	return value.empty() ? dash : value;
}


void appendHex(std::string& out, unsigned char c, const char* digits)
{
	out += digits[c >> 4];
	out += digits[c & 0x0f];
}


// A user name must stay one field, so spaces, controls, '%' and '"' are
// percent-encoded, as Squid does with user names.
std::string encodeUser(const std::string& user)
{
	if (user.empty()) return "-";

	std::string out;
	for (char c: user)
	{
		auto byte = static_cast<unsigned char>(c);
		if (byte <= 0x20 || byte >= 0x7f || c == '%' || c == '"')
		{
			out += '%';
			appendHex(out, byte, "0123456789ABCDEF");
		}
		else
		{
			out += c;
		}
	}
	return out;
}


// Escapes a quoted NCSA field as Apache httpd's ap_escape_logitem does:
// '"' and '\' get a backslash, other controls and non-ASCII bytes become \xHH.
void appendQuoted(std::string& out, const std::string& value)
{
	out += '"';
	if (value.empty()) out += '-';
	for (char c: value)
	{
		auto byte = static_cast<unsigned char>(c);
		if (c == '"' || c == '\\')
		{
			out += '\\';
			out += c;
		}
		else if (byte < 0x20 || byte >= 0x7f)
		{
			out += "\\x";
			appendHex(out, byte, "0123456789abcdef");
		}
		else
		{
			out += c;
		}
	}
	out += '"';
}


// Squid logs the media type without parameters, which keeps the field free of spaces.
std::string mediaType(const std::string& contentType)
{
	std::string type(http::trimWhitespace(contentType));
	type = type.substr(0, type.find_first_of("; \t"));
	return type.empty() ? "-" : type;
}


bool isRefusal(Reason reason)
{
	switch (reason)
	{
	case Reason::ClientDenied:
	case Reason::AuthRequired:
	case Reason::HostDenied:
	case Reason::BodyTooLarge:
	case Reason::TooManyConnections:
	case Reason::ClientConnectionLimit:
	case Reason::ConnectPortDenied:
	case Reason::DestinationDenied:
		return true;
	default:
		return false;
	}
}


bool isUpstreamFailure(Reason reason)
{
	switch (reason)
	{
	case Reason::DnsFailure:
	case Reason::ConnectRefused:
	case Reason::ConnectFailed:
	case Reason::ConnectTimeout:
	case Reason::ResponseTimeout:
	case Reason::BadResponse:
	case Reason::ParentFailed:
		return true;
	default:
		return false;
	}
}


// Squid's result codes: TCP_DENIED for what the rules refuse, NONE_NONE for
// requests that never reached a destination, TCP_TUNNEL for CONNECT and
// TCP_MISS for everything forwarded (this proxy has no cache). A request that
// failed after its response began gets the _ABORTED suffix.
std::string squidAction(const AccessRecord& record)
{
	if (record.generated)
	{
		if (isRefusal(record.reason)) return "TCP_DENIED";
		if (isUpstreamFailure(record.reason)) return "TCP_MISS";
		return "NONE_NONE";
	}
	if (record.reason == Reason::MaxForwardsReached) return "NONE_NONE";

	std::string action = record.method == "CONNECT" ? "TCP_TUNNEL" : "TCP_MISS";
	if (record.reason != Reason::None) action += "_ABORTED";
	return action;
}


std::string formatNative(const AccessRecord& record, std::chrono::microseconds duration)
{
	std::string line;
	line.reserve(128 + record.target.size());
	line += record.client;
	line += " #";
	line += std::to_string(record.connectionId);
	line += ' ';
	line += orDash(record.method);
	line += ' ';
	line += orDash(record.target);
	line += ' ';
	line += std::to_string(record.status);
	line += ' ';
	line += std::to_string(record.bytesToClient);
	line += ' ';
	line += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
	line += "ms ";
	line += http::reasonCode(record.reason);
	return line;
}


// "time.ms elapsed client action/code size method URL user hierarchy/peer type",
// with the widths of Squid's log/FormatSquidNative.cc ("%9ld.%03d %6ld ...").
std::string formatSquid(const AccessRecord& record, std::chrono::system_clock::time_point now,
	std::chrono::microseconds duration)
{
	auto sinceEpoch = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
	auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();

	char head[64];
	std::snprintf(head, sizeof(head), "%9lld.%03d %6lld ", static_cast<long long>(sinceEpoch / 1000),
		static_cast<int>(sinceEpoch % 1000), static_cast<long long>(elapsed));
	char status[8];
	std::snprintf(status, sizeof(status), "/%03d ", record.status);

	std::string line;
	line.reserve(160 + record.target.size());
	line += head;
	line += hostOf(record.client);
	line += ' ';
	line += squidAction(record);
	line += status;
	line += std::to_string(record.bytesToClient);
	line += ' ';
	line += record.method.empty() ? "NONE" : record.method;
	line += ' ';
	line += orDash(record.target);
	line += ' ';
	line += encodeUser(record.user);
	// Squid names the first parent that responds FIRSTUP_PARENT.
	if (record.upstream.empty()) line += " HIER_NONE/-";
	else line += (record.throughParent ? " FIRSTUP_PARENT/" : " HIER_DIRECT/") + record.upstream;
	line += ' ';
	line += mediaType(record.contentType);
	return line;
}


std::string formatNcsa(const AccessRecord& record, bool combined)
{
	std::time_t seconds = std::chrono::system_clock::to_time_t(record.received);
	std::tm utc{};
	gmtime_r(&seconds, &utc);
	char date[40];
	std::snprintf(date, sizeof(date), " [%02d/%s/%04d:%02d:%02d:%02d +0000] ", utc.tm_mday, MONTHS[utc.tm_mon],
		utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);

	std::string request;
	if (!record.method.empty())
	{
		request = record.method + " " + orDash(record.target);
		if (!record.protocol.empty()) request += " " + record.protocol;
	}

	std::string line;
	line.reserve(160 + record.target.size() + record.userAgent.size() + record.referer.size());
	line += hostOf(record.client);
	line += " - ";
	line += encodeUser(record.user);
	line += date;
	appendQuoted(line, request);
	line += ' ';
	line += record.status == 0 ? std::string("-") : std::to_string(record.status);
	line += ' ';
	line += record.bytesToClient == 0 ? std::string("-") : std::to_string(record.bytesToClient);
	if (combined)
	{
		line += ' ';
		appendQuoted(line, record.referer);
		line += ' ';
		appendQuoted(line, record.userAgent);
	}
	return line;
}


} // namespace


bool parseAccessLogFormat(const std::string& name, AccessLogFormat& format)
{
	std::string lower = http::toLower(http::trimWhitespace(name));
	if (lower == "native") format = AccessLogFormat::Native;
	else if (lower == "squid") format = AccessLogFormat::Squid;
	else if (lower == "common") format = AccessLogFormat::Common;
	else if (lower == "combined") format = AccessLogFormat::Combined;
	else return false;
	return true;
}


bool carriesOwnTime(AccessLogFormat format)
{
	return format != AccessLogFormat::Native;
}


std::string formatAccessLine(const AccessRecord& record, AccessLogFormat format,
	std::chrono::system_clock::time_point now, std::chrono::microseconds duration)
{
	switch (format)
	{
	case AccessLogFormat::Native: return formatNative(record, duration);
	case AccessLogFormat::Squid: return formatSquid(record, now, duration);
	case AccessLogFormat::Common: return formatNcsa(record, false);
	case AccessLogFormat::Combined: return formatNcsa(record, true);
	}
	return formatNative(record, duration);
}


} } // namespace fwdproxy::observe
