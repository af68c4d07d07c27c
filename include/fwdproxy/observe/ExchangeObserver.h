//
// ExchangeObserver.h
//
// Decides which exchanges are traced and recorded in the HAR file, and owns
// the trace and HAR writers they share.
//

#pragma once

#include "fwdproxy/http/MessageHead.h"
#include "fwdproxy/observe/AccessLog.h"
#include "fwdproxy/observe/ExchangeRecorder.h"
#include "fwdproxy/observe/HarWriter.h"
#include "fwdproxy/observe/TraceOptions.h"
#include "fwdproxy/observe/TraceWriter.h"

#include <memory>
#include <string>
#include <vector>


namespace fwdproxy {
namespace observe {


class ExchangeObserver
	/// One per server, created from the startup settings' TraceOptions.
{
public:
	static std::unique_ptr<ExchangeObserver> create(const TraceOptions& options);
		/// Returns nullptr when neither the trace nor the HAR file is on, so
		/// that the server's only cost is a null check per request.

	explicit ExchangeObserver(const TraceOptions& options);

	std::unique_ptr<ExchangeRecorder> begin(const http::RequestHead& request, const AccessRecord& record);
		/// Returns a recorder for a request that passes the host and method
		/// filters, or nullptr. A request-target that does not parse matches
		/// only an empty host filter.

	void close();
		/// Writes the HAR file one last time; later exchanges are still traced but not recorded.

private:
	bool matchesMethod(const std::string& method) const;

	std::unique_ptr<TraceWriter> _trace;
	std::unique_ptr<HarWriter> _har;
	bool _showSecrets;
	std::size_t _maxBodySize;
	policy::HostPatternSet _hosts;
	std::vector<std::string> _methods;
};


} } // namespace fwdproxy::observe
