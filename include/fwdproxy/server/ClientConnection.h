//
// ClientConnection.h
//
// The per-connection loop: read a request head, route it, record it, and go
// round again while the connection stays persistent.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/server/ConnectionRegistry.h"
#include "fwdproxy/server/ExchangeContext.h"
#include "fwdproxy/server/Peer.h"
#include "fwdproxy/server/SharedState.h"

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServerConnection.h>

#include <atomic>
#include <cstdint>
#include <vector>


namespace fwdproxy {
namespace server {


class ConnectionRegistry;


class ClientConnection: public Poco::Net::TCPServerConnection
	/// Created by ConnectionFactory for each accepted client and run on a
	/// pool thread; POCO deletes it when run() returns. Every request on the
	/// connection is parsed and routed on its own, so a kept-alive connection
	/// is never a blind pipe to its first origin.
{
public:
	ClientConnection(const Poco::Net::StreamSocket& socket, config::SettingsPtr settings, SharedState& shared,
		bool proxyProtocol);
		/// With proxyProtocol the connection comes from a load balancer and
		/// starts with a PROXY protocol header naming the real client.

	void run() override;

	bool idle() const { return _idle.load(); }

	void abort();
		/// Shuts down the client and origin sockets; called by the registry from another thread.

private:
	bool open(std::string& address, std::string& host, ConnectionRegistry::Counts& counts);
	bool takeProxyHeader(const io::Deadline& deadline, std::string& address, std::string& host,
		ConnectionRegistry::Counts& counts);
	bool completeTlsHandshake(const io::Deadline& deadline, const std::string& address, std::uint64_t id);
	void serve(ExchangeContext& context, const ConnectionRegistry::Counts& counts);
	bool admitConnection(ExchangeContext& context, const ConnectionRegistry::Counts& counts);
	ExchangeEnd admitAndDispatch(ExchangeContext& context, const http::RequestHead& request, observe::AccessRecord& record);
	bool waitForRequest(ExchangeContext& context, bool first, io::Deadline& headDeadline);
	bool readRequest(ExchangeContext& context, const io::Deadline& headDeadline, http::RequestHead& request,
		observe::AccessRecord& record);
	void rejectTooLarge(ExchangeContext& context, observe::AccessRecord& record);
	void lingeringClose();

	config::SettingsPtr _settings;
	SharedState& _shared;
	ConnectionRegistry& _registry;
	Peer _client;
	Peer _origin;
	std::atomic<bool> _idle{false};
	bool _proxyProtocol;
	bool _peerKnown = false;
	Poco::Net::SocketAddress _peer;   ///< The client: the TCP peer, or the address in the PROXY protocol header.
	bool _allowed = false;            ///< The client address passed the allow and deny lists.
};


} } // namespace fwdproxy::server
