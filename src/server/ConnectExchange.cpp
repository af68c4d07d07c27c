//
// ConnectExchange.cpp
//

#include "fwdproxy/server/ConnectExchange.h"
#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/observe/ExchangeRecorder.h"
#include "fwdproxy/relay/Tunnel.h"
#include "fwdproxy/server/NextHop.h"

#include <Poco/Exception.h>


using fwdproxy::http::Reason;


namespace fwdproxy {
namespace server {


ExchangeEnd runConnect(ExchangeContext& context, const http::RequestHead& request, observe::AccessRecord& record)
{
	http::RequestTarget target;
	Reason reason = http::parseAuthorityForm(request.target, target);
	if (reason != Reason::None) return context.reject(reason, request.target, "", record);

	if (!context.settings.connectPorts.contains(target.port))
	{
		return context.reject(Reason::ConnectPortDenied, target.hostPort(), "port not in proxy.connect.ports", record);
	}

	std::string detail;
	reason = context.checkDestination(target.host, detail);
	if (reason != Reason::None) return context.reject(reason, target.hostPort() + " (" + detail + ")", detail, record);

	if (context.recorder) context.recorder->connecting();
	// The tunnel's socket goes into the origin peer so that a stopping server can shut it down.
	if (!NextHop(context, target, record).openTunnel()) return ExchangeEnd::Close;
	record.upstream = context.origin.remoteHost();
	if (context.recorder) context.recorder->connected(context.origin.remoteHost(), false);

	record.status = 200;
	try
	{
		// A parent may have passed on the destination's first bytes with its own response.
		io::SocketReader& early = context.origin.reader();
		if (context.recorder) context.recorder->tunnelStarting(early.available());
		context.client.send("HTTP/1.1 200 Connection established\r\n\r\n", early.available() > 0 ? SEND_MORE : 0);
		context.client.send(early.buffered());
		early.consume(early.available());
	}
	catch (const Poco::Exception& e)
	{
		record.reason = Reason::ClientAborted;
		context.origin.close();
		context.logFailure("client closed before the tunnel opened: " + e.displayText(), record);
		return ExchangeEnd::Close;
	}
	return relayAsTunnel(context, record, target.hostPort());
}


ExchangeEnd relayAsTunnel(ExchangeContext& context, observe::AccessRecord& record, const std::string& destination)
{
	Poco::Timespan sendTimeout(context.settings.tunnelIdleTimeout.count() * 1000);
	context.origin.socket().setSendTimeout(sendTimeout);
	context.client.socket().setSendTimeout(sendTimeout);

	// Bytes the client sent right after its head (a TLS ClientHello, say) open the tunnel.
	io::SocketReader& pending = context.client.reader();
	observe::OpenTunnel open(context.shared.metrics);
	relay::TunnelResult result = relay::runTunnel(context.client.socket(), context.origin.socket(),
		pending.buffered(), context.settings.tunnelIdleTimeout);
	pending.consume(pending.available());
	if (context.recorder) context.recorder->tunnelClosed(result.clientToServer, result.serverToClient);

	record.bytesToClient += result.serverToClient;
	record.bytesFromClient += result.clientToServer;
	if (result.error) context.logFailure("tunnel to " + destination + " ended by a socket error", record);
	context.origin.close();
	return ExchangeEnd::Close;
}


} } // namespace fwdproxy::server
