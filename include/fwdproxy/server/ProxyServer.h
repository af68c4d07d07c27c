//
// ProxyServer.h
//
// The listening side: one TCPServer per listen address, all sharing one
// thread pool sized from the configuration.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/server/SharedState.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>
#include <vector>


namespace fwdproxy {
namespace server {


const int LISTEN_BACKLOG = 1024;


Poco::Net::ServerSocket bindListener(const Poco::Net::SocketAddress& address,
	const Poco::Net::Context::Ptr& tlsContext = nullptr);
	/// Binds and listens on address with SO_REUSEADDR (but not SO_REUSEPORT);
	/// an IPv6 socket gets IPV6_V6ONLY. With tlsContext, clients speak TLS:
	/// POCO 1.11 accepts without the handshake and leaves it to the
	/// connection's thread. Throws Poco::Net::NetException when the address
	/// cannot be bound.


class ProxyServer
{
public:
	ProxyServer(config::SettingsHolder& settings);
	~ProxyServer();

	std::vector<std::string> bind();
		/// Binds every listen address. Returns the bound addresses, with the
		/// real port where port 0 was asked for. Throws
		/// Poco::Net::NetException when an address cannot be bound.

	std::vector<std::string> describeListeners() const;
		/// Returns the bound addresses followed by " with TLS", " with the
		/// PROXY protocol" or both, as the startup log shows them.

	std::vector<std::string> plainListeners() const;
		/// Returns the bound addresses of the listeners without a tls: or
		/// proxy: mark, the only ones a browser's PAC file can name.

	void addOwnAddresses(const std::vector<Poco::Net::SocketAddress>& addresses);
		/// Counts the bound addresses of the proxy's other listeners (the
		/// admin listener) as its own, so that no request is forwarded to
		/// them. Call between bind() and accept().

	void accept();
		/// Starts accepting connections on the bound addresses.

	void stop();
		/// Stops accepting and closes the listening sockets, lets running
		/// exchanges finish within the shutdown grace period, then cuts off
		/// the rest. Returns when no connection is left or after a bounded wait.

	std::size_t refusedConnections() const;
		/// Returns the connections that the TCPServers closed at once because
		/// their queue (proxy.threads.queue) was full.

	const SharedState& shared() const { return *_shared; }
		/// Returns the state the connections share, metrics included. Valid
		/// from bind() until the ProxyServer is destroyed.

private:
	config::SettingsHolder& _settings;
	std::unique_ptr<SharedState> _shared;
	std::unique_ptr<Poco::ThreadPool> _pool;
	std::vector<std::unique_ptr<Poco::Net::TCPServer>> _servers;
	std::vector<Poco::Net::ServerSocket> _sockets;
	std::vector<config::Listener> _listeners;   ///< Each of _sockets with its marks, at the bound address.
};


} } // namespace fwdproxy::server
