//
// TraceOptions.h
//
// What the trace and the HAR file record: the proxy.trace* and proxy.har.* settings.
//

#pragma once

#include "fwdproxy/policy/HostPatternSet.h"

#include <cstddef>
#include <string>
#include <vector>


namespace fwdproxy {
namespace observe {


struct TraceOptions
	/// Part of the settings snapshot, filled and checked by config::SettingsLoader.
{
	bool trace = false;                    ///< Print each exchange on the "fwdproxy.trace" logger.
	bool showSecrets = false;              ///< Show credentials and cookies in the trace and the HAR file.
	policy::HostPatternSet hosts;          ///< Hosts traced and recorded; empty means every host.
	std::vector<std::string> methods;      ///< Methods traced and recorded; empty means every method.
	std::string harFile;                   ///< Absolute path of the HAR file; empty turns it off.
	std::size_t harMaxBodySize = 65536;    ///< Bytes of each body kept in the HAR file.
	std::size_t harMaxEntries = 1000;     ///< Entries kept in the HAR file; the oldest are dropped.

	bool enabled() const { return trace || !harFile.empty(); }
};


} } // namespace fwdproxy::observe
