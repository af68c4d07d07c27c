//
// PacFile.h
//
// The /proxy.pac page: a proxy auto-config file that sends browsers to this
// proxy, except for the hosts in proxy.pac.direct.
//

#pragma once

#include "fwdproxy/config/Settings.h"

#include <Poco/Net/SocketAddress.h>

#include <string>
#include <vector>


namespace fwdproxy {
namespace admin {


extern const char* const PAC_CONTENT_TYPE;
	///< "application/x-ns-proxy-autoconfig", the type browsers expect for a PAC file.


std::string pacProxyAddress(const config::Settings& settings, const std::vector<Poco::Net::SocketAddress>& proxyListeners);
	/// Returns proxy.pac.proxy or, when it is empty, the first bound proxy
	/// listener as host:port. Returns an empty string when that listener is
	/// a wildcard address (0.0.0.0 or ::), which no browser can connect to.

std::string renderPacFile(const std::vector<config::PacDirectRule>& direct, const std::string& proxy);
	/// Returns a FindProxyForURL(url, host) that returns "DIRECT" for the
	/// hosts that direct matches and "PROXY proxy" for all others. Name rules
	/// are checked first. Network rules make the browser resolve the host
	/// name (dnsResolve) unless it is an IPv4 literal.


} } // namespace fwdproxy::admin
