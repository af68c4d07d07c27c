//
// ExchangeRecorder.h
//
// Records one exchange for the trace and the HAR file, fed by hooks in server/.
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/observe/AccessLog.h"
#include "fwdproxy/observe/CapturedExchange.h"

#include <cstdint>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace observe {


class HarWriter;
class TraceWriter;


class ExchangeRecorder
	/// Created by ExchangeObserver::begin() for an exchange that passes the
	/// filters, and reached by the server through ExchangeContext::recorder,
	/// which is nullptr for every other exchange. The hooks run on the
	/// connection's thread in the order of the exchange. A hook that does not
	/// apply is not called: a rejected request has no connect, and a retried
	/// one has a second connect and send.
{
public:
	ExchangeRecorder(TraceWriter* trace, HarWriter* har, bool showSecrets, std::size_t maxBodySize,
		const http::RequestHead& request, const AccessRecord& record, const std::string& url);
		/// trace and har may be nullptr; bodies are captured only for har.

	void connecting();
	void connected(const std::string& serverAddress, bool reused);
		/// Takes the IP address of the origin or parent proxy, and whether
		/// the connection was kept alive from an earlier request.

	void requestSent(std::string_view head);
		/// Takes the request head exactly as written to the origin.

	BodyCapture* requestBody() { return _exchange.capturesBodies ? &_exchange.requestBody : nullptr; }
		/// Returns where the request body relay copies to, or nullptr when bodies are not captured.

	void responseReceived(const http::ResponseHead& response, std::size_t headSize);
		/// Takes each response head from the origin, interim ones included.

	BodyCapture* responseBody() { return _exchange.capturesBodies ? &_exchange.responseBody : nullptr; }

	void tunnelStarting(std::size_t earlyBytes);
		/// Takes the count of bytes that reach the client before the tunnel
		/// loop starts: those that came with the origin's 101 head, or with a
		/// parent proxy's response to CONNECT.

	void tunnelClosed(std::uint64_t bytesToOrigin, std::uint64_t bytesToClient);
		/// Takes the bytes the tunnel loop relayed each way.

	void finish(const AccessRecord& record);
		/// Prints the summary and hands the HAR entry to the writer. Called
		/// once, after the response (or the tunnel) has ended.

private:
	TraceWriter* _trace;
	HarWriter* _har;
	bool _showSecrets;
	CapturedExchange _exchange;
};


} } // namespace fwdproxy::observe
