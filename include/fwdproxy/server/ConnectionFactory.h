//
// ConnectionFactory.h
//
// Creates a ClientConnection for each connection that TCPServer accepts.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/server/ClientConnection.h"
#include "fwdproxy/server/ConnectionRegistry.h"

#include <Poco/Net/TCPServerConnectionFactory.h>


namespace fwdproxy {
namespace server {


class ConnectionFactory: public Poco::Net::TCPServerConnectionFactory
{
public:
	ConnectionFactory(const config::SettingsHolder& settings, ConnectionRegistry& registry,
		const std::vector<Poco::Net::SocketAddress>& selfAddresses):
		_settings(settings),
		_registry(registry),
		_selfAddresses(selfAddresses)
	{
	}

	Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
	{
		return new ClientConnection(socket, _settings.get(), _registry, _selfAddresses);
	}

private:
	const config::SettingsHolder& _settings;
	ConnectionRegistry& _registry;
	const std::vector<Poco::Net::SocketAddress>& _selfAddresses;
};


} } // namespace fwdproxy::server
