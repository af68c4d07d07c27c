//
// NextHop.h
//
// Opens the connection that carries one request or tunnel, along the route
// that proxy.direct and proxy.upstream.* choose for its host: straight to the
// origin, through a parent HTTP(S) proxy, or through a SOCKS5 server.
//

#pragma once

#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/server/ExchangeContext.h"
#include "fwdproxy/upstream/Router.h"

#include <string>
#include <vector>


namespace fwdproxy {
namespace server {


class NextHop
	/// Matching parents are tried in proxy.upstream.order. The next one is
	/// tried only when a parent cannot be reached (connection refused or
	/// timed out, TLS handshake failed), and each such failure is logged.
	/// When every parent fails, or a parent that was reached rejects the
	/// request, the client receives 502 parent_failed naming the parent.
	/// Direct connections keep the network guard, but a parent's own address
	/// is not checked against proxy.destinations.denyNetworks.
{
public:
	NextHop(ExchangeContext& context, const http::RequestTarget& target, observe::AccessRecord& record);
		/// target must stay alive and be parsed before the first open.

	bool openForRequest(bool retryable, bool& reused);
		/// Attaches a connection for a plain request to the context's origin
		/// peer: the kept-alive one when it leads the same way, an idle one
		/// from the pool, or a new one. A retryable request (idempotent, no
		/// body) skips the check of the kept-alive connection, because a
		/// failure there is retried anyway. Returns false after sending the
		/// client the error response.

	bool openTunnel();
		/// Attaches a byte stream to target for CONNECT, opened through a
		/// parent with CONNECT or SOCKS5 when the route goes through one.
		/// Bytes that arrived after the parent's response stay in the origin's
		/// reader. Returns false after sending the client the error response.

	std::string requestTarget() const;
		/// Returns what the forwarded request line names: the absolute URI
		/// for an HTTP parent, the origin-form otherwise.

	std::string proxyAuthorization() const;
		/// Returns the Proxy-Authorization field line for an HTTP parent with
		/// credentials, or an empty string.

	bool isParentAuthenticationFailure(int status) const;
		/// Returns true for a 407 from an HTTP parent, which rejected this
		/// proxy's credentials; the client must not see it as its own 407.

	ExchangeEnd rejectParentAuthentication();
		/// Sends the client 502 parent_failed in place of that 407.

private:
	bool throughHttpParent() const;
	void useParent(const upstream::ParentProxy* parent);
	bool reuse(const std::string& key, bool retryable, bool& reused);
	bool openDirect(bool retryable, bool& reused);
	upstream::Connection connectParent(const upstream::ParentProxy& parent, std::vector<std::string>& failures);
	void attach(const Poco::Net::StreamSocket& socket, const std::string& key);
	bool negotiateSocks(const upstream::ParentProxy& parent);
	bool negotiateConnect(const upstream::ParentProxy& parent);
	bool rejectParent(const upstream::ParentProxy& parent, const std::string& detail);
	bool rejectAllParents(const std::vector<std::string>& failures);

	ExchangeContext& _context;
	const http::RequestTarget& _target;
	observe::AccessRecord& _record;
	upstream::Route _route;
	const upstream::ParentProxy* _parent = nullptr;   ///< The parent in use; nullptr when direct.
};


} } // namespace fwdproxy::server
