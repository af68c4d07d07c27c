//
// ConnectionFactory.h
//
// Creates a ClientConnection for each connection that TCPServer accepts.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/server/ClientConnection.h"
#include "fwdproxy/server/SharedState.h"

#include <Poco/Net/TCPServerConnectionFactory.h>


namespace fwdproxy {
namespace server {


class ConnectionFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	ConnectionFactory(const config::SettingsHolder& settings, SharedState& shared, bool proxyProtocol):
		_settings(settings),
		_shared(shared),
		_proxyProtocol(proxyProtocol)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new ClientConnection(socket, _settings.get(), _shared, _proxyProtocol);
	}

private:
	const config::SettingsHolder& _settings;
	SharedState& _shared;
	bool _proxyProtocol;   ///< The listener's connections start with a PROXY protocol header.
};


} } // namespace fwdproxy::server
