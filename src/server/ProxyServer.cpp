//
// ProxyServer.cpp
//

#include "fwdproxy/server/ProxyServer.h"
#include "fwdproxy/server/ConnectionFactory.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetworkInterface.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Thread.h>

#include <algorithm>
#include <chrono>


namespace fwdproxy {
namespace server {


namespace {


// A wildcard listener is reachable at every local address, so each of them
// counts as the proxy itself.
void addSelfAddresses(const Poco::Net::SocketAddress& bound, std::vector<Poco::Net::SocketAddress>& self)
{
	if (!bound.host().isWildcard())
	{
		self.push_back(bound);
		return;
	}

	self.emplace_back(bound.family() == Poco::Net::SocketAddress::IPv6 ? "::1" : "127.0.0.1", bound.port());
	for (const Poco::Net::NetworkInterface& interface: Poco::Net::NetworkInterface::list())
	{
		for (const auto& entry: interface.addressList())
		{
			const Poco::Net::IPAddress& address = entry.get<Poco::Net::NetworkInterface::IP_ADDRESS>();
			if (address.family() == bound.host().family()) self.emplace_back(address, bound.port());
		}
	}
}


bool waitUntilIdle(const ConnectionRegistry& registry, std::chrono::milliseconds limit)
{
	auto end = std::chrono::steady_clock::now() + limit;
	while (registry.active() > 0)
	{
		if (std::chrono::steady_clock::now() >= end) return false;
		Poco::Thread::sleep(20);
	}
	return true;
}


} // namespace


Poco::Net::ServerSocket bindListener(const Poco::Net::SocketAddress& address, const Poco::Net::Context::Ptr& tlsContext)
{
	Poco::Net::ServerSocket socket = tlsContext ? Poco::Net::SecureServerSocket(tlsContext) : Poco::Net::ServerSocket();
	if (address.family() == Poco::Net::SocketAddress::IPv6)
	{
		// IPV6_V6ONLY lets "0.0.0.0:3128, [::]:3128" bind both families side by side.
		socket.bind6(address, true, false, true);
	}
	else
	{
		// reuseAddress only: POCO 1.11's two-argument bind also sets
		// SO_REUSEPORT, which would let a second proxy share the port silently.
		socket.bind(address, true, false);
	}
	socket.listen(LISTEN_BACKLOG);
	return socket;
}


ProxyServer::ProxyServer(config::SettingsHolder& settings):
	_settings(settings)
{
}


ProxyServer::~ProxyServer()
{
	stop();
}


std::vector<std::string> ProxyServer::bind()
{
	config::SettingsPtr settings = _settings.get();
	_shared = std::make_unique<SharedState>(*settings);

	// One thread serves one connection from accept to close, so the pool's
	// capacity is the number of clients served at once. POCO's default pool
	// of 16 threads would refuse the 17th client without a word.
	int listeners = static_cast<int>(settings->listen.size());
	int capacity = settings->maxThreads + listeners;
	_pool = std::make_unique<Poco::ThreadPool>("fwdproxy", std::min(8, capacity), capacity, 60,
		settings->stackSizeKiB * 1024);

	std::vector<std::string> bound;
	for (const config::Listener& listener: settings->listen)
	{
		_sockets.push_back(bindListener(listener.address, listener.tls ? settings->tlsServerContext : nullptr));
		_listeners.push_back(listener);
		_listeners.back().address = _sockets.back().address();
		addSelfAddresses(_sockets.back().address(), _shared->selfAddresses);
		bound.push_back(_sockets.back().address().toString());
	}
	return bound;
}


std::vector<std::string> ProxyServer::describeListeners() const
{
	std::vector<std::string> descriptions;
	for (const config::Listener& listener: _listeners)
	{
		std::string text = listener.address.toString();
		if (listener.tls && listener.proxyProtocol) text += " with TLS and the PROXY protocol";
		else if (listener.tls) text += " with TLS";
		else if (listener.proxyProtocol) text += " with the PROXY protocol";
		descriptions.push_back(text);
	}
	return descriptions;
}


std::vector<std::string> ProxyServer::plainListeners() const
{
	std::vector<std::string> addresses;
	for (const config::Listener& listener: _listeners)
	{
		if (!listener.tls && !listener.proxyProtocol) addresses.push_back(listener.address.toString());
	}
	return addresses;
}


void ProxyServer::addOwnAddresses(const std::vector<Poco::Net::SocketAddress>& addresses)
{
	for (const Poco::Net::SocketAddress& address: addresses) addSelfAddresses(address, _shared->selfAddresses);
}


void ProxyServer::accept()
{
	config::SettingsPtr settings = _settings.get();

	// After the privilege drop, so that the HAR file belongs to the user
	// that rewrites it later.
	_shared->observer = observe::ExchangeObserver::create(settings->tracing);

	for (std::size_t i = 0; i < _sockets.size(); ++i)
	{
		Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
		params->setMaxThreads(settings->maxThreads);
		params->setMaxQueued(settings->maxQueued);
		// A dispatcher thread waits this long for another queued connection
		// before it goes back to the pool. POCO 1.11 wakes only one waiting
		// dispatcher thread on stop, so the others sleep out this time and
		// delay the shutdown by as much.
		params->setThreadIdleTime(Poco::Timespan(1, 0));

		auto server = std::make_unique<Poco::Net::TCPServer>(
			new ConnectionFactory(_settings, *_shared, _listeners[i].proxyProtocol), *_pool, _sockets[i], params);
		server->start();
		_servers.push_back(std::move(server));
	}
}


void ProxyServer::stop()
{
	if (_servers.empty())
	{
		for (auto& socket: _sockets) socket.close();
		_sockets.clear();
		_listeners.clear();
		return;
	}

	for (auto& server: _servers) server->stop();
	for (auto& socket: _sockets) socket.close();

	config::SettingsPtr settings = _settings.get();
	ConnectionRegistry& registry = _shared->registry;
	registry.beginShutdown();
	if (!waitUntilIdle(registry, settings->shutdownGrace))
	{
		Poco::Logger::get("fwdproxy").warning(std::to_string(registry.active())
			+ " connections still busy after the shutdown grace period; closing them");
		registry.abortAll();
		waitUntilIdle(registry, std::chrono::milliseconds(5000));
	}

	_servers.clear();
	_sockets.clear();
	_listeners.clear();
	_pool->joinAll();
	if (_shared->observer) _shared->observer->close();
}


std::size_t ProxyServer::refusedConnections() const
{
	std::size_t refused = 0;
	for (const auto& server: _servers) refused += static_cast<std::size_t>(server->refusedConnections());
	return refused;
}


} } // namespace fwdproxy::server
