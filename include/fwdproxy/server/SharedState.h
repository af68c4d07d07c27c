//
// SharedState.h
//
// What all client connections share: the registry of live connections, the
// origin connection pool, the name resolution cache, the proxy's own
// listening addresses, the metrics and the trace and HAR recording.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/observe/ExchangeObserver.h"
#include "fwdproxy/observe/Metrics.h"
#include "fwdproxy/server/ConnectionRegistry.h"
#include "fwdproxy/upstream/ConnectionPool.h"
#include "fwdproxy/upstream/ResolverCache.h"

#include <Poco/Net/SocketAddress.h>

#include <memory>
#include <vector>


namespace fwdproxy {
namespace server {


struct SharedState
	/// Created by ProxyServer before it accepts and destroyed after the last
	/// connection ends, so connections may keep references to it. The pool
	/// and cache sizes come from the settings at startup.
{
	explicit SharedState(const config::Settings& settings):
		pool(settings.poolMaxIdle, settings.poolMaxIdlePerDestination, settings.poolIdleTimeout),
		resolver(settings.dnsCacheTime)
	{
	}

	ConnectionRegistry registry;
	upstream::ConnectionPool pool;
	upstream::ResolverCache resolver;
	std::vector<Poco::Net::SocketAddress> selfAddresses;   ///< Set before the first connection is accepted.
	observe::Metrics metrics;
	std::unique_ptr<observe::ExchangeObserver> observer;   ///< Set before accepting; nullptr unless the trace or the HAR file is on.
};


} } // namespace fwdproxy::server
