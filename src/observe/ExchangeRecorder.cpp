//
// ExchangeRecorder.cpp
//

#include "fwdproxy/observe/ExchangeRecorder.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/observe/HarJson.h"
#include "fwdproxy/observe/HarWriter.h"
#include "fwdproxy/observe/TraceWriter.h"

#include <Poco/Exception.h>


namespace fwdproxy {
namespace observe {


ExchangeRecorder::ExchangeRecorder(TraceWriter* trace, HarWriter* har, bool showSecrets, std::size_t maxBodySize,
	const http::RequestHead& request, const AccessRecord& record, const std::string& url):
	_trace(trace),
	_har(har),
	_showSecrets(showSecrets)
{
	_exchange.client = record.client;
	_exchange.connectionId = record.connectionId;
	_exchange.start = record.start;

	// The access record's start is on the steady clock; the HAR file wants wall-clock time.
	auto age = std::chrono::duration_cast<std::chrono::microseconds>(CapturedExchange::Clock::now() - record.start);
	_exchange.startedAt = Poco::Timestamp() - age.count();

	_exchange.method = request.method;
	_exchange.url = url;
	_exchange.requestTarget = request.target;
	_exchange.requestVersion = request.version();
	_exchange.requestFields = request.fields;
	_exchange.capturesBodies = har != nullptr;
	_exchange.requestBody = BodyCapture(maxBodySize);
	_exchange.responseBody = BodyCapture(maxBodySize);
}


void ExchangeRecorder::connecting()
{
	_exchange.connectStart = CapturedExchange::Clock::now();
}


void ExchangeRecorder::connected(const std::string& serverAddress, bool reused)
{
	_exchange.connected = CapturedExchange::Clock::now();
	_exchange.reusedConnection = reused;
	_exchange.serverAddress = serverAddress;

	if (_trace != nullptr && _exchange.method == "CONNECT") _trace->tunnelOpened(_exchange);
}


void ExchangeRecorder::requestSent(std::string_view head)
{
	bool retry = _exchange.forwarded;
	_exchange.requestSentAt = CapturedExchange::Clock::now();

	// The head is this proxy's own output, so it always parses; the check
	// only keeps the fields as received should that ever change.
	http::RequestHead sent;
	if (http::parseRequestHead(head, head.size(), sent) == http::Reason::None)
	{
		_exchange.requestTarget = sent.target;
		_exchange.requestVersion = sent.version();
		_exchange.requestFields = std::move(sent.fields);
	}
	_exchange.forwarded = true;
	_exchange.requestHeadSize = head.size();
	_exchange.requestBody = BodyCapture(_exchange.requestBody.limit());

	if (_trace != nullptr) _trace->requestSent(_exchange, retry);
}


void ExchangeRecorder::responseReceived(const http::ResponseHead& response, std::size_t headSize)
{
	if (_trace != nullptr) _trace->responseReceived(_exchange, response);
	if (response.isInterim() && response.status != 101) return;

	_exchange.responseReceived = true;
	_exchange.responseAt = CapturedExchange::Clock::now();
	_exchange.responseVersionMinor = response.versionMinor;
	_exchange.status = response.status;
	_exchange.statusText = response.reasonPhrase;
	_exchange.responseFields = response.fields;
	_exchange.responseHeadSize = headSize;
}


void ExchangeRecorder::tunnelStarting(std::size_t earlyBytes)
{
	_exchange.tunnelBytesToClient = earlyBytes;
}


void ExchangeRecorder::tunnelClosed(std::uint64_t bytesToOrigin, std::uint64_t bytesToClient)
{
	_exchange.tunnel = true;
	_exchange.tunnelBytesToOrigin = bytesToOrigin;
	_exchange.tunnelBytesToClient += bytesToClient;
}


void ExchangeRecorder::finish(const AccessRecord& record)
{
	_exchange.end = CapturedExchange::Clock::now();
	_exchange.statusSent = record.status;
	_exchange.bytesToClient = record.bytesToClient;
	_exchange.reason = record.reason;

	if (_trace != nullptr) _trace->finished(_exchange);
	if (_har != nullptr) _har->add(harEntry(_exchange, _showSecrets), _exchange.startedAt);
}


} } // namespace fwdproxy::observe
