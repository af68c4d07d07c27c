//
// ExchangeContext.h
//
// What every step of an exchange needs: the settings snapshot, both peers
// and the ids that go into log lines.
//

#pragma once

#include "fwdproxy/config/Settings.h"
#include "fwdproxy/http/Reason.h"
#include "fwdproxy/observe/AccessLog.h"
#include "fwdproxy/server/Peer.h"
#include "fwdproxy/server/SharedState.h"
#include "fwdproxy/upstream/Connector.h"

#include <cstdint>
#include <string>
#include <vector>


namespace fwdproxy {
namespace observe {
class ExchangeRecorder;
}
namespace server {


enum class ExchangeEnd
{
	KeepAlive,   ///< The client connection may carry another request.
	Close
};


struct ExchangeContext
{
	const config::Settings& settings;
	Peer& client;
	Peer& origin;
	SharedState& shared;
	std::string clientAddress;   ///< Address and port, for logs.
	std::string clientHost;      ///< Address only, for X-Forwarded-For and Forwarded.
	std::uint64_t connectionId = 0;
	bool stopping = false;
	observe::ExchangeRecorder* recorder = nullptr;   ///< Set while the current exchange is traced or recorded.

	ExchangeEnd reject(http::Reason reason, const std::string& subject, const std::string& detail,
		observe::AccessRecord& record, const std::string& extraFields = std::string());
		/// Sends the error response for reason, closes the origin connection,
		/// records the status and logs detail (never sent to the client) with
		/// the client address and request-target. Returns Close.

	upstream::Connection connect(const std::string& host, std::uint16_t port);
		/// Connects with connector() and counts a failed connect in the metrics.

	http::Reason checkDestination(const std::string& host, std::string& detail) const;
		/// Applies proxy.destinations.deny and proxy.destinations.allow to a
		/// request-target's host. Returns None or HostDenied; detail names the list.

	upstream::Connector connector() const;
		/// Returns a connector with this snapshot's network guard and timeout.

	void releaseOrigin();
		/// Hands a reusable origin connection to the shared pool, or closes it.

	void logFailure(const std::string& what, const observe::AccessRecord& record) const;
		/// Logs a failure after the response started, when no status can be sent any more.

	void finish(const observe::AccessRecord& record);
		/// Writes the access-log line in the snapshot's format and counts the
		/// request in the metrics.
};


} } // namespace fwdproxy::server
