//
// ParentProxy.h
//
// A parent proxy that fwdproxy forwards through: an HTTP proxy, an HTTP proxy
// reached over TLS, or a SOCKS5 server (RFC 1928).
//

#pragma once

#include "fwdproxy/upstream/Connector.h"
#include "fwdproxy/upstream/DestinationSet.h"

#include <Poco/Net/Context.h>

#include <chrono>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace upstream {


enum class ParentScheme
{
	Http,    ///< http://: plain requests in absolute-form, tunnels with CONNECT.
	Https,   ///< https://: the same over TLS to the parent.
	Socks5   ///< socks5://: every request and tunnel over a SOCKS5 CONNECT.
};


struct ParentProxy
	/// One proxy.upstream.NAME entry. The password is kept only to
	/// authenticate and never appears in label() or in any message.
{
	std::string name;
	ParentScheme scheme = ParentScheme::Http;
	std::string host;                         ///< Lower case; an IPv6 literal without brackets.
	std::uint16_t port = 0;
	bool hasCredentials = false;
	std::string user;
	std::string password;
	DestinationSet destinations;
	Poco::Net::Context::Ptr tlsContext;       ///< Set for Https.

	std::string hostPort() const;
		/// Returns host:port, with brackets around an IPv6 literal.

	std::string label() const;
		/// Returns "NAME host:port", how logs and error bodies name the parent.

	std::string proxyAuthorization() const;
		/// Returns the Proxy-Authorization field line (with CRLF) for an HTTP
		/// parent with credentials, or an empty string.

	std::string poolKey(const std::string& destination) const;
		/// Returns the key under which idle connections through this parent
		/// are pooled: one key per HTTP parent, since any origin can be asked
		/// over the same connection, but one per destination for SOCKS5.
};


bool parseParentUrl(const std::string& url, ParentProxy& parent, std::string& error);
	/// Reads scheme://[user:password@]host:port with an optional trailing "/"
	/// into parent. The scheme is http, https or socks5 (any letter case), the
	/// port is required, and user and password are percent-decoded
	/// (RFC 3986 §2.1). Returns false with error saying what is wrong; error
	/// never contains the password.

bool parseCredentials(const std::string& text, std::string& user, std::string& password);
	/// Splits "user:password" at the first colon. A trailing CR or LF, as a
	/// credentials file ends with, is removed. Returns false without a colon
	/// or with an empty user name.

std::string redactUrl(const std::string& url);
	/// Returns url with the password replaced by "****", for messages.

Poco::Net::Context::Ptr makeTlsClientContext(const std::string& host, bool verify, const std::string& caFile,
	std::string& error);
	/// Creates the TLS context for an https:// parent. With verify, the
	/// parent's certificate must chain to caFile (or, when caFile is empty,
	/// to the system's CA store) and name host: a DNS name, or an IP address
	/// for an IP literal. OpenSSL checks the name, which never resolves it.
	/// Returns null with error set when caFile cannot be read.

Connection connectParent(const ParentProxy& parent, const Connector& connector, std::chrono::milliseconds handshakeTimeout);
	/// Opens a TCP connection to the parent and, for Https, completes the TLS
	/// handshake within handshakeTimeout. A failed handshake is reported as
	/// ConnectFailed, like a failed connection, so the caller may try the next parent.


} } // namespace fwdproxy::upstream
