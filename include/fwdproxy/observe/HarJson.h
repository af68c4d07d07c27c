//
// HarJson.h
//
// Builds HAR 1.2 entries and documents as JSON text
// (http://www.softwareishard.com/blog/har-12-spec/).
//

#pragma once

#include "fwdproxy/observe/CapturedExchange.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>


namespace fwdproxy {
namespace observe {


struct HarTimings
	/// Milliseconds of each phase; -1 means the phase did not happen or was not measured.
{
	double blocked = -1;   ///< From the request's arrival to the start of connecting (the proxy's own checks).
	double dns = -1;       ///< Always -1: the name lookup is part of connect.
	double connect = -1;   ///< Name lookup and TCP connect; -1 on a reused connection.
	double send = 0;
	double wait = 0;
	double receive = 0;    ///< The response body, or the whole tunnel.
	double ssl = -1;       ///< Always -1: TLS runs end to end, outside the proxy.

	double total() const;
		/// Returns the sum of the phases that are not -1, as HAR defines entry.time.
};


HarTimings harTimings(const CapturedExchange& exchange);

std::string harEntry(const CapturedExchange& exchange, bool showSecrets);
	/// Returns one entry of log.entries as compact JSON on one line. Values
	/// of secret fields and cookies are masked unless showSecrets is true.
	/// Bodies are text when they are valid UTF-8 of a text type, otherwise
	/// base64 with "encoding": "base64" (for postData the custom field
	/// "_encoding", because HAR 1.2 defines encoding only for content).

std::string harDocumentStart(std::uint64_t droppedEntries, std::size_t maxEntries);
	/// Returns the document up to the opening bracket of log.entries. With
	/// droppedEntries > 0, log.comment gives the number of dropped entries.

extern const char* const HAR_ENTRY_SEPARATOR;

std::string harDocumentEnd();

std::string harDocument(const std::vector<std::string>& entries, std::uint64_t droppedEntries, std::size_t maxEntries);
	/// Returns a complete document with entries, which come from harEntry().

bool isTextBody(std::string_view contentType, std::string_view contentEncoding, std::string_view data, bool truncated);
	/// Returns true when data can go into the HAR file as text. That needs
	/// no content coding, a text media type or none, and no control bytes
	/// other than HTAB, CR and LF. The data must also be valid UTF-8, and
	/// with truncated a sequence cut off at the end is accepted.

std::string encodeBase64(std::string_view data);
	/// Returns data in base64 (RFC 4648 §4) without line breaks.


} } // namespace fwdproxy::observe
