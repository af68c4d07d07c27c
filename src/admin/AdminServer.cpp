//
// AdminServer.cpp
//

#include "fwdproxy/admin/AdminServer.h"
#include "fwdproxy/admin/MetricsPage.h"
#include "fwdproxy/admin/PacFile.h"
#include "fwdproxy/admin/StatusPage.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>

#include <algorithm>


#ifndef FWDPROXY_VERSION
#define FWDPROXY_VERSION "unknown"
#endif


using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;


namespace fwdproxy {
namespace admin {


namespace {


// Enough for a Prometheus server, a person and a browser at the same time.
const int THREADS_PER_LISTENER = 4;
const int QUEUED_CONNECTIONS = 16;
const int TIMEOUT_SECONDS = 10;

const char* const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";


class RequestHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit RequestHandler(const AdminServer& server): _server(server) {}

	void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override
	{
		_server.respond(request, response);
	}

private:
	const AdminServer& _server;
};


class RequestHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit RequestHandlerFactory(const AdminServer& server): _server(server) {}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override
	{
		return new RequestHandler(_server);
	}

private:
	const AdminServer& _server;
};


void send(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& contentType,
	const std::string& body)
{
	response.setStatusAndReason(status);
	response.setContentType(contentType);
	response.set("Cache-Control", "no-store");
	response.sendBuffer(body.data(), body.size());
}


} // namespace


AdminServer::AdminServer(const config::SettingsHolder& settings, const server::ProxyServer& proxy):
	_settings(settings),
	_proxy(proxy)
{
}


AdminServer::~AdminServer()
{
	stop();
}


std::vector<Poco::Net::SocketAddress> AdminServer::bind()
{
	std::vector<Poco::Net::SocketAddress> bound;
	for (const Poco::Net::SocketAddress& address: _settings.get()->adminListen)
	{
		_sockets.push_back(server::bindListener(address));
		bound.push_back(_sockets.back().address());
		_adminListeners.push_back(bound.back().toString());
	}
	return bound;
}


void AdminServer::start(const std::vector<std::string>& proxyListeners, const std::vector<std::string>& plainListeners)
{
	_proxyListeners = proxyListeners;
	_proxyAddresses.clear();
	for (const std::string& address: plainListeners) _proxyAddresses.emplace_back(address);
	if (pacProxyAddress(*_settings.get(), _proxyAddresses).empty() && !_sockets.empty())
	{
		std::string why = plainListeners.empty() ? "every proxy.listen address has a tls: or proxy: mark"
			: "the first proxy.listen address " + plainListeners.front() + " is a wildcard address that browsers cannot connect to";
		Poco::Logger::get("fwdproxy").warning("/proxy.pac responds with 404: proxy.pac.proxy is not set and " + why
			+ "; set proxy.pac.proxy to the address clients use, such as proxy.example.net:3128");
	}

	int capacity = THREADS_PER_LISTENER * static_cast<int>(_sockets.size());
	_pool = std::make_unique<Poco::ThreadPool>("fwdproxy-admin", 1, std::max(1, capacity), 60);
	for (Poco::Net::ServerSocket& socket: _sockets)
	{
		Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
		params->setMaxThreads(THREADS_PER_LISTENER);
		params->setMaxQueued(QUEUED_CONNECTIONS);
		params->setTimeout(Poco::Timespan(TIMEOUT_SECONDS, 0));
		params->setKeepAliveTimeout(Poco::Timespan(TIMEOUT_SECONDS, 0));
		params->setSoftwareVersion(std::string("fwdproxy/") + FWDPROXY_VERSION);

		auto server = std::make_unique<Poco::Net::HTTPServer>(new RequestHandlerFactory(*this), *_pool, socket, params);
		server->start();
		_servers.push_back(std::move(server));
	}
}


void AdminServer::stop()
{
	for (auto& server: _servers) server->stopAll(true);
	for (auto& socket: _sockets) socket.close();
	_servers.clear();
	_sockets.clear();
	if (_pool) _pool->joinAll();
}


void AdminServer::respond(HTTPServerRequest& request, HTTPServerResponse& response) const
{
	config::SettingsPtr settings = _settings.get();
	if (!settings->adminClientsAllow.contains(request.clientAddress().host()))
	{
		send(response, HTTPResponse::HTTP_FORBIDDEN, TEXT_CONTENT_TYPE,
			"Your address is not allowed to use the admin listener (proxy.admin.clients.allow)\n");
		return;
	}

	std::string path = request.getURI().substr(0, request.getURI().find('?'));
	bool known = path == "/metrics" || path == "/status" || path == "/proxy.pac";
	if (!known)
	{
		send(response, HTTPResponse::HTTP_NOT_FOUND, TEXT_CONTENT_TYPE,
			"Not found: the admin listener serves /metrics, /status and /proxy.pac\n");
		return;
	}

	const std::string& method = request.getMethod();
	if (method != HTTPServerRequest::HTTP_GET && method != HTTPServerRequest::HTTP_HEAD)
	{
		response.set("Allow", "GET, HEAD");
		send(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, TEXT_CONTENT_TYPE, "Only GET and HEAD are allowed\n");
		return;
	}

	if (path == "/metrics")
	{
		send(response, HTTPResponse::HTTP_OK, METRICS_CONTENT_TYPE,
			renderMetricsPage(_proxy.shared().metrics, readGauges(), FWDPROXY_VERSION));
		return;
	}
	if (path == "/status")
	{
		send(response, HTTPResponse::HTTP_OK, TEXT_CONTENT_TYPE, renderStatus());
		return;
	}

	std::string proxy = pacProxyAddress(*settings, _proxyAddresses);
	if (proxy.empty())
	{
		send(response, HTTPResponse::HTTP_NOT_FOUND, TEXT_CONTENT_TYPE, "No PAC file: set proxy.pac.proxy, because "
			"the proxy listens on a wildcard address that browsers cannot connect to\n");
		return;
	}
	send(response, HTTPResponse::HTTP_OK, PAC_CONTENT_TYPE, renderPacFile(settings->pacDirect, proxy));
}


ServerGauges AdminServer::readGauges() const
{
	const server::SharedState& shared = _proxy.shared();
	ServerGauges gauges;
	gauges.activeConnections = shared.registry.active();
	gauges.idleOriginConnections = shared.pool.idleCount();
	gauges.refusedConnections = _proxy.refusedConnections();
	return gauges;
}


std::string AdminServer::renderStatus() const
{
	const observe::Metrics& metrics = _proxy.shared().metrics;
	StatusInfo info;
	info.version = FWDPROXY_VERSION;
	info.startTime = metrics.startTime();
	info.uptime = std::chrono::duration_cast<std::chrono::seconds>(metrics.uptime());
	info.proxyListeners = _proxyListeners;
	info.adminListeners = _adminListeners;
	return renderStatusPage(metrics, readGauges(), info);
}


} } // namespace fwdproxy::admin
