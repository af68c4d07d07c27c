//
// TraceWriter.h
//
// Prints exchanges as they happen, line by line, on the "fwdproxy.trace" logger.
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/observe/CapturedExchange.h"

#include <Poco/Logger.h>

#include <string>


namespace fwdproxy {
namespace observe {


class TraceWriter
	/// Every line starts with the client address and port and "#N", the
	/// connection number, which separates the lines of exchanges that run at
	/// the same time. Then comes a marker: ">" for what the proxy
	/// sent to the origin, "<" for what it received from the origin, and "*"
	/// or "=" for the proxy's own notes and the summary of each exchange.
	/// Lines are logged one by one at information priority, so that a long
	/// download shows its response head before the body has arrived.
{
public:
	TraceWriter(Poco::Logger& logger, bool colour, bool showSecrets);

	void requestSent(const CapturedExchange& exchange, bool retry);
		/// Prints the request line and fields as forwarded.

	void responseReceived(const CapturedExchange& exchange, const http::ResponseHead& response);
		/// Prints a status line and fields, interim (1xx) responses included.

	void tunnelOpened(const CapturedExchange& exchange);

	void finished(const CapturedExchange& exchange);
		/// Prints the summary: the status the client got, bytes and times.
		/// A request that was never forwarded is printed here as received.

	static bool stderrIsColourTerminal(Poco::Logger& logger);
		/// Returns true when logger writes to a console channel, standard
		/// error is a terminal (isatty) and NO_COLOR is not set (no-color.org).

private:
	void writeLine(const CapturedExchange& exchange, char marker, const std::string& text) const;
	void writeFields(const CapturedExchange& exchange, char marker, const http::Fields& fields, const char* nameStyle) const;
	std::string styled(const char* style, const std::string& text) const;

	Poco::Logger& _logger;
	bool _colour;
	bool _showSecrets;
};


} } // namespace fwdproxy::observe
