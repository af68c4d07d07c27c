//
// AdminServer.h
//
// The admin listener: a small HTTP/1.1 server, apart from the proxy's own
// listeners, that serves /metrics, /status and /proxy.pac.
//

#pragma once

#include "fwdproxy/admin/MetricsPage.h"
#include "fwdproxy/config/Settings.h"
#include "fwdproxy/server/ProxyServer.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>
#include <vector>


namespace fwdproxy {
namespace admin {


class AdminServer
	/// Runs on its own thread pool of a few threads, so a slow scraper never
	/// takes a thread from the proxy's clients. It reads the proxy's counters
	/// without locks, and the connection registry and the origin pool under
	/// their own short locks.
{
public:
	AdminServer(const config::SettingsHolder& settings, const server::ProxyServer& proxy);
		/// Each request reads the current settings snapshot, so a reload
		/// changes proxy.admin.clients.allow and proxy.pac.*. The listen
		/// addresses stay those of bind().
	~AdminServer();

	std::vector<Poco::Net::SocketAddress> bind();
		/// Binds every proxy.admin.listen address and returns the bound
		/// addresses, with the real port where port 0 was asked for. Throws
		/// Poco::Net::NetException when an address cannot be bound.

	void start(const std::vector<std::string>& proxyListeners, const std::vector<std::string>& plainListeners);
		/// Starts serving on the bound sockets. proxyListeners describe the
		/// proxy's listeners for /status, as the startup log does.
		/// plainListeners are the bound addresses of those without a tls: or
		/// proxy: mark, and the first of them is the default PAC proxy address.
		/// Logs a warning when /proxy.pac cannot name the proxy.

	void stop();
		/// Closes the listeners and ends the requests in progress.

	void respond(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) const;
		/// Sends the response to one request: 403 for a client outside
		/// proxy.admin.clients.allow, 404 for an unknown path, 405 for a
		/// method other than GET and HEAD.

private:
	ServerGauges readGauges() const;
	std::string renderStatus() const;

	const config::SettingsHolder& _settings;
	const server::ProxyServer& _proxy;
	std::vector<Poco::Net::SocketAddress> _proxyAddresses;
	std::vector<std::string> _proxyListeners;
	std::vector<std::string> _adminListeners;
	std::vector<Poco::Net::ServerSocket> _sockets;
	std::unique_ptr<Poco::ThreadPool> _pool;
	std::vector<std::unique_ptr<Poco::Net::HTTPServer>> _servers;
};


} } // namespace fwdproxy::admin
