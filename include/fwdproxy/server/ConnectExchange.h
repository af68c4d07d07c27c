//
// ConnectExchange.h
//
// A CONNECT request: open a tunnel to host:port and relay bytes both ways
// (RFC 9110 §9.3.6).
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/server/ExchangeContext.h"


namespace fwdproxy {
namespace server {


ExchangeEnd runConnect(ExchangeContext& context, const http::RequestHead& request, observe::AccessRecord& record);
	/// Checks the target and port, connects, sends 200 and relays until
	/// both directions end. The client connection always closes afterwards,
	/// because its bytes after the 200 belong to the tunnel.

ExchangeEnd relayAsTunnel(ExchangeContext& context, observe::AccessRecord& record, const std::string& destination);
	/// Relays bytes between the client and the connected origin peer until
	/// both directions end: the part that CONNECT and a 101 response share.
	/// Bytes already buffered from the client go first. Returns Close.


} } // namespace fwdproxy::server
