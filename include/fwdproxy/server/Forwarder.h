//
// Forwarder.h
//
// One plain-HTTP exchange: an absolute-form request forwarded to its origin
// in origin-form, and the origin's response relayed back (RFC 9110 §7.6).
//

#pragma once

#include "fwdproxy/http/Framing.h"
#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/server/ExchangeContext.h"
#include "fwdproxy/server/NextHop.h"


namespace fwdproxy {
namespace server {


class Forwarder
	/// Lives for one request. The origin connection in the context outlives
	/// it and is reused by the next request that takes the same way: to the
	/// same host and port, or through the same HTTP parent proxy.
{
public:
	Forwarder(ExchangeContext& context, const http::RequestHead& request, observe::AccessRecord& record);

	ExchangeEnd forward();

private:
	enum class Sent
	{
		Ok,
		RetryFresh,   ///< A reused origin connection had gone stale; try a new one.
		Failed        ///< The exchange ended; the record says how.
	};

	bool isForwardingLoop() const;
	bool answerMaxForwards(ExchangeEnd& end);
	ExchangeEnd exchangeOnce(bool& retry);
	bool connectOrigin(bool& reused);
	std::string buildOriginRequest() const;
	void applyHeaderRules(http::Fields& fields) const;
	void appendVia(std::string& head, int versionMinor) const;
	Sent sendRequest(bool reused);
	Sent awaitContinue();
	Sent readFinalResponse(bool reused);
	ExchangeEnd relayResponse();
	ExchangeEnd switchProtocols();
	void relayInterim();
	std::string buildResponseHead(bool chunkedOutput, bool keepAlive) const;
	bool clientWantsKeepAlive() const;

	ExchangeContext& _context;
	const http::RequestHead& _request;
	observe::AccessRecord& _record;

	http::RequestTarget _target;
	NextHop _hop;   ///< Refers to _target, so it is declared after it.
	http::BodyFraming _requestBody;
	http::ResponseHead _response;
	http::BodyFraming _responseBody;
	std::string _maxForwards;
	std::string _upgrade;   ///< The client's Upgrade value, forwarded only when Connection lists upgrade.
	bool _bodySent = false;
	bool _finalBeforeBody = false;
};


} } // namespace fwdproxy::server
