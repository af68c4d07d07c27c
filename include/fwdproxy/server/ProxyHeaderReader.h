//
// ProxyHeaderReader.h
//
// Reads the PROXY protocol header at the start of a connection from a load
// balancer, before any TLS or HTTP byte.
//

#pragma once

#include "fwdproxy/http/ProxyHeader.h"
#include "fwdproxy/io/Deadline.h"

#include <Poco/Net/StreamSocket.h>

#include <string>


namespace fwdproxy {
namespace server {


enum class ProxyHeaderRead
{
	Complete,
	Invalid,
	Closed,    ///< The peer closed or reset the connection before the header ended.
	TimedOut
};


ProxyHeaderRead readProxyHeader(Poco::Net::StreamSocket& socket, const io::Deadline& deadline,
	http::ProxyHeader& header, std::string& problem);
	/// Receives exactly the header's bytes from the socket's descriptor, so
	/// that the next byte, plain HTTP or a TLS ClientHello, stays in the
	/// kernel for the HTTP parser or the TLS handshake. The header may take at most
	/// http::ProxyHeader::MAX_LENGTH bytes and must arrive before deadline.
	/// problem describes Invalid, Closed and TimedOut for the log.


} } // namespace fwdproxy::server
