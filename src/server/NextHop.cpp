//
// NextHop.cpp
//

#include "fwdproxy/server/NextHop.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/io/SocketWait.h"
#include "fwdproxy/server/HeadReader.h"
#include "fwdproxy/upstream/Socks5.h"

#include <Poco/Exception.h>


using fwdproxy::http::Reason;
using fwdproxy::upstream::ParentProxy;
using fwdproxy::upstream::ParentScheme;


namespace fwdproxy {
namespace server {


namespace {


// Parents are reached by their configured address without the network
// guard, so that a parent on loopback or in a denied network works.
const policy::CidrSet NO_DENIED_NETWORKS;


Poco::Timespan toTimespan(std::chrono::milliseconds duration)
{
	return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()) * 1000);
}


std::string joinWith(const std::vector<std::string>& items, const char* separator)
{
	std::string text;
	for (const std::string& item: items)
	{
		if (!text.empty()) text += separator;
		text += item;
	}
	return text;
}


} // namespace


NextHop::NextHop(ExchangeContext& context, const http::RequestTarget& target, observe::AccessRecord& record):
	_context(context),
	_target(target),
	_record(record)
{
}


bool NextHop::throughHttpParent() const
{
	return _parent != nullptr && _parent->scheme != ParentScheme::Socks5;
}


std::string NextHop::requestTarget() const
{
	if (!throughHttpParent()) return _target.originForm;

	// An asterisk-form OPTIONS goes to a proxy as the bare authority (RFC 9112 §3.2.4).
	std::string target = "http://" + _target.authority;
	if (_target.originForm != "*") target += _target.originForm;
	return target;
}


std::string NextHop::proxyAuthorization() const
{
	return throughHttpParent() ? _parent->proxyAuthorization() : std::string();
}


bool NextHop::isParentAuthenticationFailure(int status) const
{
	return throughHttpParent() && status == 407;
}


ExchangeEnd NextHop::rejectParentAuthentication()
{
	rejectParent(*_parent, "answered 407 Proxy Authentication Required: check the credentials of proxy.upstream." + _parent->name);
	return ExchangeEnd::Close;
}


void NextHop::useParent(const ParentProxy* parent)
{
	_parent = parent;
	_record.throughParent = parent != nullptr;
}


bool NextHop::reuse(const std::string& key, bool retryable, bool& reused)
{
	Peer& origin = _context.origin;
	if (origin.connected() && origin.key() == key)
	{
		// An idle origin connection that is readable has been closed (or sent
		// junk) while idle; it cannot carry this request. The check costs a
		// system call, and a request that can be retried finds out anyway.
		bool stale = origin.reader().available() > 0
			|| (!retryable && io::waitReadable(origin.socket(), 0) == io::WaitResult::Ready);
		if (!stale)
		{
			reused = true;
			return true;
		}
		origin.close();
	}
	_context.releaseOrigin();

	Poco::Net::StreamSocket pooled;
	if (!_context.shared.pool.take(key, pooled)) return false;

	origin.attach(pooled, key);
	reused = true;
	return true;
}


void NextHop::attach(const Poco::Net::StreamSocket& socket, const std::string& key)
{
	// Reads wait in poll(2) first, so the receive timeout bounds only a read
	// that stops in the middle of a TLS record.
	Poco::Net::StreamSocket connected(socket);
	connected.setSendTimeout(toTimespan(_context.settings.responseTimeout));
	if (connected.secure()) connected.setReceiveTimeout(toTimespan(_context.settings.responseTimeout));
	_context.origin.attach(connected, key);
}


bool NextHop::openDirect(bool retryable, bool& reused)
{
	std::string key = _target.hostPort();
	if (reuse(key, retryable, reused)) return true;

	upstream::Connection connection = _context.connect(_target.host, _target.port);
	if (connection.reason != Reason::None)
	{
		_context.reject(connection.reason, _target.hostPort(), connection.detail, _record);
		return false;
	}
	attach(connection.socket, key);
	return true;
}


upstream::Connection NextHop::connectParent(const ParentProxy& parent, std::vector<std::string>& failures)
{
	const config::Settings& settings = _context.settings;
	upstream::Connector connector(_context.shared.resolver, NO_DENIED_NETWORKS, _context.shared.selfAddresses,
		settings.connectTimeout, settings.outgoingAddresses);
	upstream::Connection connection = upstream::connectParent(parent, connector, settings.connectTimeout);
	if (connection.reason == Reason::None) return connection;
	_context.shared.metrics.countConnectFailure(connection.reason);

	// A parent that is down makes way for the next one; the operator hears of each.
	bool last = &parent == _route.parents.back();
	_context.logFailure("parent " + parent.label() + " failed for " + _target.hostPort() + ": "
		+ http::reasonCode(connection.reason) + " (" + connection.detail + ")"
		+ (last ? "" : "; trying the next parent"), _record);
	failures.push_back(parent.label() + ": " + connection.detail);
	return connection;
}


bool NextHop::openForRequest(bool retryable, bool& reused)
{
	useParent(nullptr);
	_route = _context.settings.router.route(_target.host);
	if (_route.direct()) return openDirect(retryable, reused);

	std::vector<std::string> failures;
	for (const ParentProxy* parent: _route.parents)
	{
		std::string key = parent->poolKey(_target.hostPort());
		if (reuse(key, retryable, reused))
		{
			useParent(parent);
			return true;
		}

		upstream::Connection connection = connectParent(*parent, failures);
		if (connection.reason != Reason::None) continue;

		// A failed SOCKS5 handshake closes the connection, so it never reaches the pool.
		useParent(parent);
		attach(connection.socket, key);
		return parent->scheme != ParentScheme::Socks5 || negotiateSocks(*parent);
	}
	return rejectAllParents(failures);
}


bool NextHop::openTunnel()
{
	useParent(nullptr);
	_route = _context.settings.router.route(_target.host);
	_context.releaseOrigin();
	if (_route.direct())
	{
		upstream::Connection connection = _context.connect(_target.host, _target.port);
		if (connection.reason != Reason::None)
		{
			_context.reject(connection.reason, _target.hostPort(), connection.detail, _record);
			return false;
		}
		attach(connection.socket, "");
		return true;
	}

	std::vector<std::string> failures;
	for (const ParentProxy* parent: _route.parents)
	{
		upstream::Connection connection = connectParent(*parent, failures);
		if (connection.reason != Reason::None) continue;

		useParent(parent);
		attach(connection.socket, "");
		return parent->scheme == ParentScheme::Socks5 ? negotiateSocks(*parent) : negotiateConnect(*parent);
	}
	return rejectAllParents(failures);
}


bool NextHop::negotiateSocks(const ParentProxy& parent)
{
	Peer& origin = _context.origin;
	io::Deadline deadline = io::Deadline::after(_context.settings.connectTimeout);
	std::string problem;
	try
	{
		const std::string* user = parent.hasCredentials ? &parent.user : nullptr;
		const std::string* password = parent.hasCredentials ? &parent.password : nullptr;
		if (upstream::Socks5::handshake(origin.socket(), origin.reader(), _target.host, _target.port, user, password,
			deadline, problem))
		{
			return true;
		}
	}
	catch (const Poco::Exception& e)
	{
		problem = "the SOCKS5 exchange failed: " + e.displayText();
	}
	return rejectParent(parent, problem);
}


bool NextHop::negotiateConnect(const ParentProxy& parent)
{
	Peer& origin = _context.origin;
	std::string authority = _target.hostPort();
	std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n"
		+ parent.proxyAuthorization() + "\r\n";

	io::Deadline deadline = io::Deadline::after(_context.settings.responseTimeout);
	std::size_t headLength = 0;
	HeadStatus status = HeadStatus::ClosedEmpty;
	try
	{
		origin.send(request);
		status = readHead(origin.reader(), _context.settings.maxHeadSize, deadline, false, headLength);
	}
	catch (const Poco::Exception& e)
	{
		return rejectParent(parent, "the CONNECT exchange failed: " + e.displayText());
	}
	if (status == HeadStatus::TimedOut) return rejectParent(parent, "no answer to CONNECT in time");
	if (status != HeadStatus::Complete) return rejectParent(parent, "no complete answer to CONNECT");

	http::ResponseHead response;
	Reason reason = http::parseResponseHead(origin.reader().buffered().substr(0, headLength), response);
	origin.reader().consume(headLength);
	if (reason != Reason::None) return rejectParent(parent, "invalid answer to CONNECT");

	// Any 2xx opens the tunnel; what follows the head already belongs to it (RFC 9110 §9.3.6).
	if (response.status < 200 || response.status > 299)
	{
		return rejectParent(parent, "answered CONNECT with " + std::to_string(response.status) + " " + response.reasonPhrase);
	}
	return true;
}


bool NextHop::rejectParent(const ParentProxy& parent, const std::string& detail)
{
	_context.reject(Reason::ParentFailed, parent.label() + " for " + _target.hostPort(), parent.label() + " " + detail, _record);
	return false;
}


bool NextHop::rejectAllParents(const std::vector<std::string>& failures)
{
	std::vector<std::string> labels;
	for (const ParentProxy* parent: _route.parents) labels.push_back(parent->label());
	_context.reject(Reason::ParentFailed, joinWith(labels, ", ") + " for " + _target.hostPort(), joinWith(failures, "; "),
		_record);
	return false;
}


} } // namespace fwdproxy::server
