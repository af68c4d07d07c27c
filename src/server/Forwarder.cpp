//
// Forwarder.cpp
//

#include "fwdproxy/server/Forwarder.h"
#include "fwdproxy/http/ErrorResponse.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/http/HopByHop.h"
#include "fwdproxy/http/Syntax.h"
#include "fwdproxy/io/SocketWait.h"
#include "fwdproxy/observe/ExchangeRecorder.h"
#include "fwdproxy/server/BodyRelay.h"
#include "fwdproxy/server/ConnectExchange.h"
#include "fwdproxy/server/HeadReader.h"

#include <Poco/Exception.h>


using fwdproxy::http::Reason;


namespace fwdproxy {
namespace server {


namespace {


const char* const ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH";

// Bodies up to this size are copied behind the head when they have already arrived.
const std::uint64_t SMALL_BODY = 16 * 1024;


// RFC 9110 §9.2.2; a request with a body is never replayed, since its body is gone.
bool isIdempotent(const std::string& method)
{
	return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE"
		|| method == "PUT" || method == "DELETE";
}


bool hasBody(const http::BodyFraming& framing)
{
	return framing.kind == http::BodyKind::Chunked || (framing.kind == http::BodyKind::Length && framing.length > 0);
}


bool parseSmallDecimal(std::string_view text, unsigned long& value)
{
	text = http::trimWhitespace(text);
	if (text.empty() || text.size() > 9) return false;

	value = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		value = value * 10 + static_cast<unsigned long>(c - '0');
	}
	return true;
}


bool isPersistent(int versionMinor, const http::Fields& fields)
{
	if (versionMinor >= 1) return !fields.hasToken("Connection", "close");
	return fields.hasToken("Connection", "keep-alive");
}




} // namespace


Forwarder::Forwarder(ExchangeContext& context, const http::RequestHead& request, observe::AccessRecord& record):
	_context(context),
	_request(request),
	_record(record),
	_hop(context, _target, record)
{
}


ExchangeEnd Forwarder::forward()
{
	// The loop check comes first: a request that looped back through a
	// proxy may arrive in any form, and the loop is the useful diagnosis.
	if (isForwardingLoop())
	{
		return _context.reject(Reason::ForwardingLoop, _request.target, "Via already names " + _context.settings.viaPseudonym, _record);
	}

	Reason reason = http::parseAbsoluteForm(_request.target, _request.method, _target);
	if (reason != Reason::None) return _context.reject(reason, _request.target, "", _record);

	std::string detail;
	reason = _context.checkDestination(_target.host, detail);
	if (reason != Reason::None) return _context.reject(reason, _target.hostPort() + " (" + detail + ")", detail, _record);

	reason = http::requestFraming(_request, _requestBody);
	if (reason != Reason::None) return _context.reject(reason, _request.target, "", _record);

	std::uint64_t maxBody = _context.settings.maxRequestBody;
	if (maxBody > 0 && _requestBody.kind == http::BodyKind::Length && _requestBody.length > maxBody)
	{
		return _context.reject(Reason::BodyTooLarge, _request.target, "Content-Length " + std::to_string(_requestBody.length)
			+ " is over proxy.limits.maxRequestBody", _record);
	}

	ExchangeEnd end = ExchangeEnd::Close;
	if (answerMaxForwards(end)) return end;

	// Upgrade is hop-by-hop, so it goes on only as this proxy's own request,
	// and never for HTTP/1.0, which has no upgrade (RFC 9110 §7.8).
	if (_request.versionMinor >= 1 && _request.fields.hasToken("Connection", "upgrade"))
	{
		_upgrade = _request.fields.combined("Upgrade");
	}

	bool retry = false;
	end = exchangeOnce(retry);
	if (!retry) return end;

	_context.origin.close();
	return exchangeOnce(retry);
}


bool Forwarder::isForwardingLoop() const
{
	const std::string& pseudonym = _context.settings.viaPseudonym;
	if (!_context.settings.addsVia()) return false;

	// Each Via entry is "protocol received-by [comment]"; our own
	// received-by there means this request went round and came back.
	bool loop = false;
	for (const http::Field& field: _request.fields.list())
	{
		if (!http::equalsIgnoreCase(field.name, "Via")) continue;

		http::forEachListItem(field.value, [&](std::string_view entry) {
			std::size_t space = entry.find_first_of(" \t");
			if (space == std::string_view::npos) return;

			std::string_view receivedBy = http::trimWhitespace(entry.substr(space + 1));
			receivedBy = receivedBy.substr(0, receivedBy.find_first_of(" \t"));
			if (http::equalsIgnoreCase(receivedBy, pseudonym)) loop = true;
		});
	}
	return loop;
}


bool Forwarder::answerMaxForwards(ExchangeEnd& end)
{
	if (_request.method != "OPTIONS" && _request.method != "TRACE") return false;

	const std::string* value = _request.fields.find("Max-Forwards");
	unsigned long remaining = 0;
	if (value == nullptr || !parseSmallDecimal(*value, remaining)) return false;

	if (remaining > 0)
	{
		_maxForwards = std::to_string(remaining - 1);
		return false;
	}

	// Max-Forwards: 0 makes this proxy the final recipient (RFC 9110 §7.6.2).
	std::string body;
	std::string response = "HTTP/1.1 200 OK\r\n";
	if (_request.method == "TRACE")
	{
		// Echo the request as received, minus the fields that carry secrets (RFC 9110 §9.3.8).
		http::Fields echoed = _request.fields;
		echoed.remove("Authorization");
		echoed.remove("Proxy-Authorization");
		echoed.remove("Cookie");
		body = _request.method + " " + _request.target + " " + _request.version() + "\r\n";
		echoed.serialize(body);
		body += "\r\n";
		response += "Content-Type: message/http\r\n";
		_record.contentType = "message/http";
	}
	else
	{
		response += "Allow: ";
		response += ALLOWED_METHODS;
		response += "\r\n";
	}

	bool keepAlive = clientWantsKeepAlive() && !hasBody(_requestBody) && !_context.stopping;
	response += "Content-Length: " + std::to_string(body.size()) + "\r\n";
	if (!keepAlive) response += "Connection: close\r\n";
	response += "\r\n" + body;

	_record.status = 200;
	_record.reason = Reason::MaxForwardsReached;
	try
	{
		_context.client.send(response);
	}
	catch (const Poco::Exception& e)
	{
		_context.logFailure("response not delivered: " + e.displayText(), _record);
		keepAlive = false;
	}
	end = keepAlive ? ExchangeEnd::KeepAlive : ExchangeEnd::Close;
	return true;
}


ExchangeEnd Forwarder::exchangeOnce(bool& retry)
{
	bool canRetry = !retry;
	retry = false;

	bool reused = false;
	if (_context.recorder) _context.recorder->connecting();
	if (!connectOrigin(reused)) return ExchangeEnd::Close;
	_record.upstream = _context.origin.remoteHost();
	if (_context.recorder) _context.recorder->connected(_context.origin.remoteHost(), reused);

	canRetry = canRetry && reused && isIdempotent(_request.method) && !hasBody(_requestBody);
	Sent sent = sendRequest(canRetry);
	if (sent == Sent::Ok) sent = readFinalResponse(canRetry);

	if (sent == Sent::RetryFresh)
	{
		retry = true;
		return ExchangeEnd::Close;
	}
	if (sent == Sent::Failed) return ExchangeEnd::Close;

	return relayResponse();
}


bool Forwarder::connectOrigin(bool& reused)
{
	return _hop.openForRequest(isIdempotent(_request.method) && !hasBody(_requestBody), reused);
}


std::string Forwarder::buildOriginRequest() const
{
	http::Fields fields = _request.fields;
	http::removeHopByHop(fields);
	fields.remove("Host");
	fields.remove("Content-Length");
	if (!_maxForwards.empty()) fields.remove("Max-Forwards");
	applyHeaderRules(fields);

	// The Host field is rebuilt from the target's authority: a client's own
	// Host may name another server than the one we connect to (RFC 9112 §3.2.2).
	std::string head;
	head.reserve(256 + _request.target.size());
	head += _request.method;
	head += ' ';
	head += _hop.requestTarget();
	head += " HTTP/1.1\r\nHost: ";
	head += _target.authority;
	head += "\r\n";
	fields.serialize(head);
	head += _hop.proxyAuthorization();

	if (!_maxForwards.empty()) head += "Max-Forwards: " + _maxForwards + "\r\n";
	if (!_upgrade.empty()) head += "Upgrade: " + _upgrade + "\r\nConnection: upgrade\r\n";
	if (_requestBody.kind == http::BodyKind::Length) head += "Content-Length: " + std::to_string(_requestBody.length) + "\r\n";
	if (_requestBody.kind == http::BodyKind::Chunked) head += "Transfer-Encoding: chunked\r\n";
	appendVia(head, _request.versionMinor);
	head += "\r\n";
	return head;
}


void Forwarder::appendVia(std::string& head, int versionMinor) const
{
	// The received-protocol is the version of the message this proxy received (RFC 9110 §7.6.3).
	if (!_context.settings.addsVia()) return;

	head += versionMinor == 0 ? "Via: 1.0 " : "Via: 1.1 ";
	head += _context.settings.viaPseudonym;
	head += "\r\n";
}


void Forwarder::applyHeaderRules(http::Fields& fields) const
{
	const config::Settings& settings = _context.settings;
	for (const std::string& name: settings.headersRemove) fields.remove(name);

	// An egress proxy should not reveal internal addresses unless configured
	// to, which is why Delete is the default.
	config::ForwardedFor mode = settings.forwardedFor;
	if (mode != config::ForwardedFor::Passthrough)
	{
		if (mode != config::ForwardedFor::Add && settings.forwardedForXff) fields.remove("X-Forwarded-For");
		if (mode != config::ForwardedFor::Add && settings.forwardedForForwarded) fields.remove("Forwarded");

		if (mode != config::ForwardedFor::Delete)
		{
			const std::string& host = _context.clientHost;
			bool v6 = host.find(':') != std::string::npos;
			if (settings.forwardedForXff) fields.add("X-Forwarded-For", host);
			if (settings.forwardedForForwarded) fields.add("Forwarded", v6 ? "for=\"[" + host + "]\"" : "for=" + host);
		}
	}

	for (const http::Field& field: settings.headersAdd.list())
	{
		fields.remove(field.name);
		fields.add(field.name, field.value);
	}
}


Forwarder::Sent Forwarder::sendRequest(bool canRetry)
{
	bool withBody = hasBody(_requestBody);
	bool expectContinue = _request.versionMinor >= 1 && _request.fields.hasToken("Expect", "100-continue");

	// MSG_MORE keeps the head back for up to 200 ms on Linux unless more
	// bytes follow at once, so it is used only when the body is already here.
	bool bodyFollows = withBody && !expectContinue && _context.client.reader().available() > 0;
	std::string head = buildOriginRequest();
	if (_context.recorder) _context.recorder->requestSent(head);
	try
	{
		_context.origin.send(head, bodyFollows ? SEND_MORE : 0);
	}
	catch (const Poco::Exception& e)
	{
		if (canRetry) return Sent::RetryFresh;

		_context.reject(Reason::ConnectFailed, _target.hostPort(), "sending the request failed: " + e.displayText(), _record);
		return Sent::Failed;
	}
	if (!withBody) return Sent::Ok;

	if (expectContinue)
	{
		Sent sent = awaitContinue();
		if (sent != Sent::Ok || _finalBeforeBody) return sent;
	}

	int timeout = static_cast<int>(_context.settings.responseTimeout.count());
	bool chunked = _requestBody.kind == http::BodyKind::Chunked;
	RelayResult relayed = relayBody(_context.client, _requestBody, _context.origin, chunked, timeout,
		_context.settings.maxRequestBody, _context.recorder ? _context.recorder->requestBody() : nullptr);
	_record.bytesFromClient = relayed.bodyBytes;
	switch (relayed.status)
	{
	case RelayStatus::TooLarge:
		_context.reject(Reason::BodyTooLarge, _request.target, "chunked body over proxy.limits.maxRequestBody", _record);
		return Sent::Failed;
	case RelayStatus::Complete:
		_bodySent = true;
		return Sent::Ok;
	case RelayStatus::SourceTimedOut:
		_context.reject(Reason::BodyTimeout, _request.target, "", _record);
		return Sent::Failed;
	case RelayStatus::SourceInvalid:
		_context.reject(Reason::BadFraming, _request.target, "invalid chunked request body", _record);
		return Sent::Failed;
	case RelayStatus::SourceClosed:
		_record.reason = Reason::ClientAborted;
		_context.origin.close();
		_context.logFailure("client closed the connection in the middle of the request body", _record);
		return Sent::Failed;
	case RelayStatus::DestinationFailed:
		// The origin may have sent an early response (413, 401) and closed.
		// That response is still worth relaying, but the connection cannot be reused.
		_finalBeforeBody = true;
		return Sent::Ok;
	}
	return Sent::Failed;
}


Forwarder::Sent Forwarder::awaitContinue()
{
	Peer& origin = _context.origin;
	int wait = static_cast<int>(_context.settings.expectContinueTimeout.count());
	if (origin.reader().available() == 0
		&& io::waitReadable(origin.socket(), wait) == io::WaitResult::TimedOut)
	{
		// RFC 9110 §10.1.1: an origin may never send 100; the body goes anyway.
		return Sent::Ok;
	}

	Sent sent = readFinalResponse(false);
	if (sent != Sent::Ok) return sent;

	if (_response.status == 100)
	{
		return Sent::Ok;
	}

	// A final status before the body: the client's unsent body must not be
	// read as the next request, so the client connection closes after it.
	_finalBeforeBody = true;
	return Sent::Ok;
}


Forwarder::Sent Forwarder::readFinalResponse(bool canRetry)
{
	if (_finalBeforeBody && _response.status >= 200) return Sent::Ok;

	Peer& origin = _context.origin;
	io::Deadline deadline = io::Deadline::after(_context.settings.responseTimeout);
	while (true)
	{
		std::size_t headLength = 0;
		HeadStatus status = HeadStatus::ClosedEmpty;
		try
		{
			status = readHead(origin.reader(), _context.settings.maxHeadSize, deadline, false, headLength);
		}
		catch (const Poco::Exception&)
		{
			// A reset before any response byte is a stale connection, like a close.
			status = origin.reader().available() == 0 ? HeadStatus::ClosedEmpty : HeadStatus::ClosedPartial;
		}

		if (status == HeadStatus::ClosedEmpty && canRetry) return Sent::RetryFresh;
		if (status == HeadStatus::TimedOut)
		{
			_context.reject(Reason::ResponseTimeout, _target.hostPort(), "no response head in time", _record);
			return Sent::Failed;
		}
		if (status != HeadStatus::Complete)
		{
			const char* what = status == HeadStatus::TooLarge ? "response head too large"
				: "origin closed the connection before a complete response head";
			_context.reject(Reason::BadResponse, _target.hostPort(), what, _record);
			return Sent::Failed;
		}

		Reason reason = http::parseResponseHead(origin.reader().buffered().substr(0, headLength), _response);
		origin.reader().consume(headLength);
		if (reason != Reason::None)
		{
			_context.reject(Reason::BadResponse, _target.hostPort(), "invalid response head", _record);
			return Sent::Failed;
		}
		if (_context.recorder) _context.recorder->responseReceived(_response, headLength);
		canRetry = false;

		if (!_response.isInterim()) return Sent::Ok;

		if (_response.status == 101)
		{
			if (!_upgrade.empty()) return Sent::Ok;

			_context.reject(Reason::BadResponse, _target.hostPort(), "101 without an Upgrade request", _record);
			return Sent::Failed;
		}

		relayInterim();
		if (_response.status == 100 && !_bodySent && hasBody(_requestBody) && !_finalBeforeBody) return Sent::Ok;
	}
}


void Forwarder::relayInterim()
{
	// HTTP/1.0 clients do not expect 1xx responses (RFC 9110 §15.2).
	if (_request.versionMinor == 0) return;

	http::Fields fields = _response.fields;
	http::removeHopByHop(fields);
	std::string head = "HTTP/1.1 " + std::to_string(_response.status) + " " + _response.reasonPhrase + "\r\n";
	fields.serialize(head);
	head += "\r\n";
	try
	{
		_context.client.send(head);
	}
	catch (const Poco::Exception&)
	{
		// A client that has gone makes the final response's send fail, which is reported there.
	}
}


bool Forwarder::clientWantsKeepAlive() const
{
	const http::Fields& fields = _request.fields;
	if (fields.hasToken("Connection", "close") || fields.hasToken("Proxy-Connection", "close")) return false;
	if (_request.versionMinor >= 1) return true;

	return fields.hasToken("Connection", "keep-alive") || fields.hasToken("Proxy-Connection", "keep-alive");
}


std::string Forwarder::buildResponseHead(bool chunkedOutput, bool keepAlive) const
{
	http::Fields fields = _response.fields;
	http::removeHopByHop(fields);
	if (_responseBody.kind != http::BodyKind::None) fields.remove("Content-Length");

	std::string head;
	head.reserve(512);
	head += "HTTP/1.1 ";
	head += std::to_string(_response.status);
	head += ' ';
	head += _response.reasonPhrase;
	head += "\r\n";
	fields.serialize(head);

	if (_responseBody.kind == http::BodyKind::Length) head += "Content-Length: " + std::to_string(_responseBody.length) + "\r\n";
	if (chunkedOutput) head += "Transfer-Encoding: chunked\r\n";
	appendVia(head, _response.versionMinor);
	if (!keepAlive) head += "Connection: close\r\n";
	else if (_request.versionMinor == 0) head += "Connection: keep-alive\r\n";
	head += "\r\n";
	return head;
}


ExchangeEnd Forwarder::switchProtocols()
{
	http::Fields fields = _response.fields;
	std::string upgrade = fields.combined("Upgrade");
	http::removeHopByHop(fields);

	std::string head = "HTTP/1.1 101 " + _response.reasonPhrase + "\r\n";
	fields.serialize(head);
	if (!upgrade.empty()) head += "Upgrade: " + upgrade + "\r\n";
	head += "Connection: upgrade\r\n";
	appendVia(head, _response.versionMinor);
	head += "\r\n";

	_record.status = 101;
	io::SocketReader& early = _context.origin.reader();
	if (_context.recorder) _context.recorder->tunnelStarting(early.available());
	try
	{
		// Bytes the origin sent right after its 101 already belong to the new protocol.
		_context.client.send(head, early.available() > 0 ? SEND_MORE : 0);
		_context.client.send(early.buffered());
		early.consume(early.available());
	}
	catch (const Poco::Exception& e)
	{
		_record.reason = Reason::ClientAborted;
		_context.origin.close();
		_context.logFailure("client closed before the protocol switch: " + e.displayText(), _record);
		return ExchangeEnd::Close;
	}
	return relayAsTunnel(_context, _record, _target.hostPort());
}


ExchangeEnd Forwarder::relayResponse()
{
	if (_response.status == 101) return switchProtocols();
	if (_hop.isParentAuthenticationFailure(_response.status)) return _hop.rejectParentAuthentication();

	Reason reason = http::responseFraming(_response, _request.method, _responseBody);
	if (reason != Reason::None)
	{
		return _context.reject(Reason::BadResponse, _target.hostPort(), "conflicting or invalid response framing", _record);
	}

	bool keepAlive = clientWantsKeepAlive() && !_finalBeforeBody && !_context.stopping;
	bool delimitedByLength = _responseBody.kind == http::BodyKind::None || _responseBody.kind == http::BodyKind::Length;
	bool chunkedOutput = !delimitedByLength && _request.versionMinor >= 1;
	if (!delimitedByLength && !chunkedOutput) keepAlive = false;

	_record.status = _response.status;
	const std::string* contentType = _response.fields.find("Content-Type");
	if (contentType != nullptr) _record.contentType = *contentType;
	http::BodyFraming remainingBody = _responseBody;
	observe::BodyCapture* capture = _context.recorder ? _context.recorder->responseBody() : nullptr;
	try
	{
		std::string head = buildResponseHead(chunkedOutput, keepAlive);
		io::SocketReader& early = _context.origin.reader();

		// A small body that has already arrived goes out in the same send as
		// the head: one system call and one packet for a typical small response.
		if (_responseBody.kind == http::BodyKind::Length && _responseBody.length <= SMALL_BODY
			&& early.available() >= _responseBody.length)
		{
			head.append(early.buffered().data(), static_cast<std::size_t>(_responseBody.length));
			if (capture) capture->append(early.buffered().data(), static_cast<std::size_t>(_responseBody.length));
			early.consume(static_cast<std::size_t>(_responseBody.length));
			remainingBody.length = 0;
		}

		bool moreBody = remainingBody.kind == http::BodyKind::Chunked || remainingBody.kind == http::BodyKind::UntilClose
			|| (remainingBody.kind == http::BodyKind::Length && remainingBody.length > 0);
		_context.client.send(head, moreBody && early.available() > 0 ? SEND_MORE : 0);
	}
	catch (const Poco::Exception& e)
	{
		_record.reason = Reason::ClientAborted;
		_context.origin.close();
		_context.logFailure("client closed before the response: " + e.displayText(), _record);
		return ExchangeEnd::Close;
	}

	int timeout = static_cast<int>(_context.settings.responseTimeout.count());
	RelayResult relayed = relayBody(_context.origin, remainingBody, _context.client, chunkedOutput, timeout, 0, capture);
	if (relayed.status != RelayStatus::Complete)
	{
		// Closing the client connection here is what tells it the response is
		// incomplete; a chunked response is left without its last chunk.
		_context.origin.close();
		_record.reason = relayed.status == RelayStatus::DestinationFailed ? Reason::ClientAborted
			: relayed.status == RelayStatus::SourceTimedOut ? Reason::ResponseTimeout : Reason::BadResponse;
		_context.logFailure(std::string("response body incomplete: ") + http::reasonCode(_record.reason), _record);
		return ExchangeEnd::Close;
	}

	bool originReusable = isPersistent(_response.versionMinor, _response.fields)
		&& _responseBody.kind != http::BodyKind::UntilClose && !_finalBeforeBody && !_context.stopping;
	if (!originReusable) _context.origin.close();

	return keepAlive ? ExchangeEnd::KeepAlive : ExchangeEnd::Close;
}


} } // namespace fwdproxy::server
