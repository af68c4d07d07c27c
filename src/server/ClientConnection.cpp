//
// ClientConnection.cpp
//

#include "fwdproxy/server/ClientConnection.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/observe/ExchangeRecorder.h"
#include "fwdproxy/server/ConnectExchange.h"
#include "fwdproxy/server/ConnectionRegistry.h"
#include "fwdproxy/server/Forwarder.h"
#include "fwdproxy/server/HeadReader.h"
#include "fwdproxy/server/ProxyHeaderReader.h"
#include "fwdproxy/io/SocketShutdown.h"
#include "fwdproxy/policy/CidrSet.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SecureStreamSocket.h>


using fwdproxy::http::Reason;


namespace fwdproxy {
namespace server {


namespace {


const std::size_t CLIENT_BUFFER = 16 * 1024;
const std::size_t ORIGIN_BUFFER = 64 * 1024;

// After an error response the client may still be sending (a body we will
// not read). Closing at once would turn those bytes into a reset that can
// destroy the response before the client reads it, so drain for a while.
const int LINGER_MILLISECONDS = 2000;


} // namespace


ClientConnection::ClientConnection(const Poco::Net::StreamSocket& socket, config::SettingsPtr settings,
	SharedState& shared, bool proxyProtocol):
	Poco::Net::TCPServerConnection(socket),
	_settings(std::move(settings)),
	_shared(shared),
	_registry(shared.registry),
	_client(socket, CLIENT_BUFFER),
	_origin(ORIGIN_BUFFER),
	_proxyProtocol(proxyProtocol)
{
}


void ClientConnection::abort()
{
	_client.shutdown();
	_origin.shutdown();
}


void ClientConnection::run()
{
	std::string address = "-";
	std::string host = "-";
	try
	{
		_peer = _client.socket().peerAddress();
		_peerKnown = true;
		address = _peer.toString();
		host = _peer.host().toString();
	}
	catch (const Poco::Exception&)
	{
		// The client left before its address could be read; serve() then fails at once and logs it.
	}

	ConnectionRegistry::Counts counts = _registry.add(this, host);
	if (!open(address, host, counts))
	{
		_client.close();
		_registry.remove(this, host);
		return;
	}
	_allowed = _peerKnown && _settings->clientsAllow.contains(_peer.host()) && !_settings->clientsDeny.contains(_peer.host());

	ExchangeContext context{*_settings, _client, _origin, _shared, address, host, counts.id, false};
	try
	{
		serve(context, counts);
	}
	catch (const Poco::Exception& e)
	{
		Poco::Logger::get("fwdproxy").warning(address + " #" + std::to_string(counts.id) + ": connection failed: " + e.displayText());
	}

	if (_registry.stopping()) _origin.close();
	else context.releaseOrigin();

	// The slot is free once the exchange is over: a client that is slow to
	// close after its response must not count against the limits meanwhile.
	_registry.remove(this, host);
	lingeringClose();
}


bool ClientConnection::open(std::string& address, std::string& host, ConnectionRegistry::Counts& counts)
{
	// A stopping server wakes a connection that is still setting up, as it
	// wakes an idle one; both wait for the peer only.
	_idle.store(true);
	if (_registry.stopping())
	{
		_idle.store(false);
		return false;
	}

	// The PROXY protocol header comes first, before any TLS byte, and both
	// must be done within the header timeout.
	io::Deadline deadline = io::Deadline::after(_settings->headerTimeout);
	bool ready = false;
	try
	{
		ready = (!_proxyProtocol || takeProxyHeader(deadline, address, host, counts))
			&& completeTlsHandshake(deadline, address, counts.id);
	}
	catch (const Poco::Exception& e)
	{
		Poco::Logger::get("fwdproxy").warning(address + " #" + std::to_string(counts.id) + ": connection failed: " + e.displayText());
	}
	_idle.store(false);
	return ready;
}


bool ClientConnection::takeProxyHeader(const io::Deadline& deadline, std::string& address, std::string& host,
	ConnectionRegistry::Counts& counts)
{
	http::ProxyHeader header;
	std::string problem;
	ProxyHeaderRead result = readProxyHeader(_client.socket(), deadline, header, problem);
	if (result != ProxyHeaderRead::Complete)
	{
		// A balancer's health check may connect and close without a byte, which is no fault.
		std::string message = address + " #" + std::to_string(counts.id) + ": " + problem + "; connection closed";
		if (result == ProxyHeaderRead::Closed) Poco::Logger::get("fwdproxy").debug(message);
		else Poco::Logger::get("fwdproxy").warning(message);
		return false;
	}

	// Without addresses (a health check, or an unknown family) the balancer itself is the client.
	Poco::Net::IPAddress source;
	if (!header.hasAddresses || !policy::parseIPAddress(header.sourceAddress, source)) return true;

	std::string from = host;
	_peer = Poco::Net::SocketAddress(source, header.sourcePort);
	_peerKnown = true;
	address = _peer.toString();
	host = _peer.host().toString();
	counts.fromClient = _registry.moveClient(from, host);
	return true;
}


bool ClientConnection::completeTlsHandshake(const io::Deadline& deadline, const std::string& address, std::uint64_t id)
{
	if (!_client.socket().secure()) return true;

	Poco::Net::SecureStreamSocket secure(_client.socket());
	Poco::Timespan handshakeTimeout(static_cast<Poco::Timespan::TimeDiff>(deadline.remainingMilliseconds()) * 1000);
	secure.setReceiveTimeout(handshakeTimeout);
	secure.setSendTimeout(handshakeTimeout);
	try
	{
		secure.completeHandshake();
	}
	catch (const Poco::Exception& e)
	{
		Poco::Logger::get("fwdproxy").notice(address + " #" + std::to_string(id) + ": TLS handshake failed: " + e.displayText());
		return false;
	}

	// Reads wait in poll(2) first, so this bounds only a read that stops in the middle of a TLS record.
	secure.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(_settings->responseTimeout.count()) * 1000));
	return true;
}


bool ClientConnection::admitConnection(ExchangeContext& context, const ConnectionRegistry::Counts& counts)
{
	// Over a limit the error response goes out before any request is read,
	// because reading one would keep a thread for up to the header timeout,
	// and threads are what the limit protects.
	http::Reason reason = Reason::None;
	if (counts.total > _settings->maxConnections) reason = Reason::TooManyConnections;
	else if (counts.fromClient > _settings->maxConnectionsPerClient) reason = Reason::ClientConnectionLimit;
	if (reason == Reason::None) return true;

	observe::AccessRecord record;
	record.client = context.clientAddress;
	record.connectionId = context.connectionId;
	context.reject(reason, "", std::to_string(counts.total) + " connections in total, "
		+ std::to_string(counts.fromClient) + " from this address", record);
	record.bytesToClient = _client.bytesSent();
	context.finish(record);
	return false;
}


ExchangeEnd ClientConnection::admitAndDispatch(ExchangeContext& context, const http::RequestHead& request,
	observe::AccessRecord& record)
{
	// The head is read first even for a denied client, so that the 403
	// reaches a client that is still sending its request.
	if (!_allowed)
	{
		return context.reject(Reason::ClientDenied, context.clientAddress, "not allowed by proxy.clients.allow and proxy.clients.deny", record);
	}

	policy::Authenticator* authenticator = _settings->authenticator.get();
	if (authenticator != nullptr && !_settings->authExemptClients.contains(_peer.host()))
	{
		std::string user;
		policy::Authenticator::Result result = authenticator->check(request.fields, user);
		if (result != policy::Authenticator::Result::Accepted)
		{
			std::string challenge = "Proxy-Authenticate: Basic realm=\"" + _settings->authRealm + "\", charset=\"UTF-8\"\r\n";
			const char* detail = result == policy::Authenticator::Result::Missing ? "no credentials" : "invalid credentials";
			return context.reject(Reason::AuthRequired, "", detail, record, challenge);
		}
		record.user = user;
	}

	if (request.method == "CONNECT") return runConnect(context, request, record);
	return Forwarder(context, request, record).forward();
}


void ClientConnection::serve(ExchangeContext& context, const ConnectionRegistry::Counts& counts)
{
	_client.socket().setNoDelay(true);
	_client.socket().setSendTimeout(Poco::Timespan(_settings->responseTimeout.count() * 1000));
	if (!admitConnection(context, counts)) return;

	// The first head must be complete within the header timeout of the
	// connection's start; later heads within it of their first byte.
	io::Deadline headDeadline = io::Deadline::after(_settings->headerTimeout);
	bool first = true;
	while (waitForRequest(context, first, headDeadline))
	{
		observe::AccessRecord record;
		record.client = context.clientAddress;
		record.connectionId = context.connectionId;
		std::uint64_t sentBefore = _client.bytesSent();
		context.stopping = _registry.stopping();

		http::RequestHead request;
		ExchangeEnd end = ExchangeEnd::Close;
		std::unique_ptr<observe::ExchangeRecorder> recorder;
		if (readRequest(context, headDeadline, request, record))
		{
			if (_shared.observer) recorder = _shared.observer->begin(request, record);
			context.recorder = recorder.get();
			end = admitAndDispatch(context, request, record);
		}

		record.bytesToClient += _client.bytesSent() - sentBefore;
		if (recorder) recorder->finish(record);
		context.recorder = nullptr;
		if (record.status != 0 || record.reason != Reason::None) context.finish(record);
		if (end == ExchangeEnd::Close || _registry.stopping()) return;

		// An idle connection keeps no buffers; the next request allocates them again.
		first = false;
		_client.reader().shrink(CLIENT_BUFFER);
		_client.reader().release();
		_origin.reader().release();
	}
}


bool ClientConnection::waitForRequest(ExchangeContext& context, bool first, io::Deadline& headDeadline)
{
	if (_client.reader().available() > 0)
	{
		if (!first) headDeadline = io::Deadline::after(_settings->headerTimeout);
		return true;
	}

	// Marked idle before checking the stop flag, and the registry sets the
	// flag before looking for idle connections, so one of the two always notices the other.
	_idle.store(true);
	if (_registry.stopping())
	{
		_idle.store(false);
		return false;
	}

	int timeout = first ? headDeadline.remainingMilliseconds() : static_cast<int>(_settings->idleTimeout.count());
	io::SocketReader::FillResult result = io::SocketReader::FillResult::Closed;
	try
	{
		result = _client.reader().fill(timeout);
		if (!first) headDeadline = io::Deadline::after(_settings->headerTimeout);
	}
	catch (const Poco::Exception& e)
	{
		Poco::Logger::get("fwdproxy").debug(context.clientAddress + " #" + std::to_string(context.connectionId)
			+ ": connection failed while idle: " + e.displayText());
	}
	_idle.store(false);
	return result == io::SocketReader::FillResult::Data;
}


bool ClientConnection::readRequest(ExchangeContext& context, const io::Deadline& headDeadline,
	http::RequestHead& request, observe::AccessRecord& record)
{
	io::SocketReader& reader = _client.reader();
	std::size_t headLength = 0;
	HeadStatus status = readHead(reader, _settings->maxHeadSize, headDeadline, true, headLength);

	switch (status)
	{
	case HeadStatus::Complete:
		break;
	case HeadStatus::TimedOut:
		context.reject(Reason::HeaderTimeout, "", "", record);
		return false;
	case HeadStatus::TooLarge:
		rejectTooLarge(context, record);
		return false;
	case HeadStatus::ClosedEmpty:
	case HeadStatus::ClosedPartial:
		return false;
	}

	Reason reason = http::parseRequestHead(reader.buffered().substr(0, headLength), _settings->maxTargetLength, request);
	reader.consume(headLength);
	record.method = request.method;
	record.target = request.target;
	if (reason != Reason::None)
	{
		context.reject(reason, "", "", record);
		return false;
	}
	record.setRequestDetails(request);

	// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host field, and
	// several are rejected in any version, even though the forwarded Host
	// comes from the request-target.
	std::size_t hosts = request.fields.count("Host");
	if (hosts > 1 || (hosts == 0 && request.versionMinor >= 1))
	{
		context.reject(Reason::BadRequest, request.target, hosts == 0 ? "no Host field" : "several Host fields", record);
		return false;
	}
	return true;
}


void ClientConnection::rejectTooLarge(ExchangeContext& context, observe::AccessRecord& record)
{
	// A request line longer than the target limit makes this a 414, not a 431.
	std::string_view data = _client.reader().buffered();
	std::size_t lineEnd = data.find('\n');
	std::size_t lineLength = lineEnd == std::string_view::npos ? data.size() : lineEnd;
	Reason reason = lineLength > _settings->maxTargetLength ? Reason::TargetTooLong : Reason::HeadTooLarge;

	std::size_t space = data.find(' ');
	if (space != std::string_view::npos && space < 32) record.method.assign(data.substr(0, space));
	context.reject(reason, "", "", record);
}


void ClientConnection::lingeringClose()
{
	try
	{
		io::shutdownSending(_client.socket());
		io::Deadline deadline = io::Deadline::after(std::chrono::milliseconds(LINGER_MILLISECONDS));
		while (!deadline.passed())
		{
			_client.reader().clear();
			if (_client.reader().fill(deadline) != io::SocketReader::FillResult::Data) break;
		}
	}
	catch (const Poco::Exception&)
	{
		// The client reset or left; there is nothing more to deliver.
	}
	_client.close();
}


} } // namespace fwdproxy::server
