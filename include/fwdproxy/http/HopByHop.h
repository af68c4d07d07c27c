//
// HopByHop.h
//
// Fields that describe one connection and must not be forwarded (RFC 9110 §7.6.1).
//

#pragma once

#include "fwdproxy/http/Fields.h"


namespace fwdproxy {
namespace http {


void removeHopByHop(Fields& fields);
	/// Removes Connection, every field that Connection names, and the fields
	/// that are always hop-by-hop: Proxy-Connection, Keep-Alive, TE, Trailer,
	/// Transfer-Encoding, Upgrade, Proxy-Authorization and Proxy-Authenticate.
	/// Content-Length is kept; the caller decides the new framing.

void removeForbiddenTrailers(Fields& trailers);
	/// Removes trailer fields that must not appear in a trailer section because
	/// they frame or route the message (RFC 9110 §6.5.1), and hop-by-hop ones.


} } // namespace fwdproxy::http
