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
	ConnectionFactory(const config::SettingsHolder& settings, SharedState& shared):
		_settings(settings),
		_shared(shared)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new ClientConnection(socket, _settings.get(), _shared);
	}

private:
	const config::SettingsHolder& _settings;
	SharedState& _shared;
};


} } // namespace fwdproxy::server
