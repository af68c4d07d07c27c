//
// PacFile.cpp
//

#include "fwdproxy/admin/PacFile.h"


using fwdproxy::config::PacDirectRule;


namespace fwdproxy {
namespace admin {


const char* const PAC_CONTENT_TYPE = "application/x-ns-proxy-autoconfig";


namespace {


// SettingsLoader lets only letters, digits, '-', '_', '.', '*' and '?' into
// rule values, and only a checked authority into the proxy address, so no
// value needs escaping inside a JavaScript string.
std::string quoted(const std::string& value)
{
	return "\"" + value + "\"";
}


std::string nameCondition(const PacDirectRule& rule)
{
	switch (rule.kind)
	{
	case PacDirectRule::Kind::Host:
		return "host == " + quoted(rule.value);
	case PacDirectRule::Kind::Domain:
		return "host == " + quoted(rule.value.substr(1)) + " || dnsDomainIs(host, " + quoted(rule.value) + ")";
	case PacDirectRule::Kind::Pattern:
		return "shExpMatch(host, " + quoted(rule.value) + ")";
	case PacDirectRule::Kind::Network:
		break;
	}
	return "false";
}


} // namespace


std::string pacProxyAddress(const config::Settings& settings, const std::vector<Poco::Net::SocketAddress>& proxyListeners)
{
	if (!settings.pacProxy.empty()) return settings.pacProxy;
	if (proxyListeners.empty() || proxyListeners.front().host().isWildcard()) return std::string();

	return proxyListeners.front().toString();
}


std::string renderPacFile(const std::vector<PacDirectRule>& direct, const std::string& proxy)
{
	std::string file = "// Proxy auto-config file written by fwdproxy from proxy.pac.direct and proxy.pac.proxy.\n"
		"function FindProxyForURL(url, host) {\n"
		"    host = host.toLowerCase();\n";

	bool networks = false;
	for (const PacDirectRule& rule: direct)
	{
		if (rule.kind == PacDirectRule::Kind::Network)
		{
			networks = true;
			continue;
		}
		file += "    if (" + nameCondition(rule) + ") return \"DIRECT\";\n";
	}

	// One lookup serves every network rule, and only hosts that no name rule matched need it.
	if (networks)
	{
		file += "    var address = /^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$/.test(host) ? host : dnsResolve(host);\n";
		file += "    if (address) {\n";
		for (const PacDirectRule& rule: direct)
		{
			if (rule.kind != PacDirectRule::Kind::Network) continue;
			file += "        if (isInNet(address, " + quoted(rule.address) + ", " + quoted(rule.mask) + ")) return \"DIRECT\";\n";
		}
		file += "    }\n";
	}

	file += "    return " + quoted("PROXY " + proxy) + ";\n";
	file += "}\n";
	return file;
}


} } // namespace fwdproxy::admin
