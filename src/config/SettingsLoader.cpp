//
// SettingsLoader.cpp
//

#include "fwdproxy/config/SettingsLoader.h"
#include "fwdproxy/http/HopByHop.h"
#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <openssl/ssl.h>

#include <cctype>
#ifndef _WIN32
#include <grp.h>
#include <pwd.h>
#endif

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>

#ifndef _WIN32
#include <unistd.h>
#endif


namespace fwdproxy {
namespace config {


namespace {


bool isWritableDirectory(const std::string& path)
{
	Poco::File directory(path);
	if (!directory.exists() || !directory.isDirectory()) return false;

#ifdef _WIN32
	return directory.canWrite();
#else
	// access(2) applies the kernel's own rules, root included, whereas
	// Poco's canWrite() looks only at the mode bits of the owner or group.
	return ::access(path.c_str(), W_OK | X_OK) == 0;
#endif
}


} // namespace


const char* const SettingsLoader::DEFAULTS[][2] = {
	{"proxy.listen", "0.0.0.0:3128"},
	{"proxy.tls.certificate", ""},
	{"proxy.tls.key", ""},
	{"proxy.user", ""},
	{"proxy.group", ""},
	{"proxy.clients.allow", "127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7, fe80::/10"},
	{"proxy.clients.deny", ""},
	{"proxy.auth.users", ""},
	{"proxy.auth.realm", "fwdproxy"},
	{"proxy.auth.exemptClients", ""},
	{"proxy.connect.ports", "443"},
	{"proxy.destinations.allow", ""},
	{"proxy.destinations.deny", ""},
	{"proxy.destinations.denyNetworks", "127.0.0.0/8, ::1/128, 0.0.0.0/8, ::/128, 169.254.0.0/16, fe80::/10"},
	{"proxy.via.pseudonym", "fwdproxy"},
	{"proxy.via.enabled", "true"},
	{"proxy.forwardedFor", "delete"},
	{"proxy.forwardedFor.fields", "X-Forwarded-For, Forwarded"},
	{"proxy.headers.remove", ""},
	{"proxy.threads.max", "1024"},
	{"proxy.threads.queue", "256"},
	{"proxy.threads.stackSize", "256"},
	{"proxy.timeouts.connect", "10"},
	{"proxy.timeouts.header", "30"},
	{"proxy.timeouts.idle", "60"},
	{"proxy.timeouts.response", "60"},
	{"proxy.timeouts.tunnelIdle", "300"},
	{"proxy.timeouts.expectContinue", "1"},
	{"proxy.timeouts.shutdownGrace", "10"},
	{"proxy.limits.maxHeadSize", "65536"},
	{"proxy.limits.maxTargetLength", "8192"},
	{"proxy.limits.maxRequestBody", "0"},
	{"proxy.limits.maxConnections", "1000"},
	{"proxy.limits.maxConnectionsPerClient", "100"},
	{"proxy.pool.maxIdle", "256"},
	{"proxy.pool.maxIdlePerDestination", "16"},
	{"proxy.timeouts.poolIdle", "30"},
	{"proxy.dns.cacheTime", "60"},
	{"proxy.accessLog.format", "native"},
	{"proxy.admin.listen", "127.0.0.1:9128"},
	{"proxy.admin.clients.allow", "127.0.0.0/8, ::1"},
	{"proxy.pac.proxy", ""},
	{"proxy.pac.direct", "localhost, 127.0.0.0/8"},
	{"proxy.direct", ""},
	{"proxy.upstream.order", ""},
	{"proxy.outgoing.address", ""},
	{"proxy.trace", "false"},
	{"proxy.trace.secrets", "false"},
	{"proxy.trace.hosts", ""},
	{"proxy.trace.methods", ""},
	{"proxy.har.file", ""},
	{"proxy.har.maxBodySize", "65536"},
	{"proxy.har.maxEntries", "1000"},
	{nullptr, nullptr},
};


SettingsLoader::SettingsLoader(const Poco::Util::AbstractConfiguration& configuration, SourceOf sourceOf):
	_configuration(configuration),
	_sourceOf(std::move(sourceOf))
{
}


std::string SettingsLoader::value(const std::string& key) const
{
	for (std::size_t i = 0; DEFAULTS[i][0] != nullptr; ++i)
	{
		if (key == DEFAULTS[i][0]) return _configuration.getRawString(key, DEFAULTS[i][1]);
	}
	return _configuration.getRawString(key, "");
}


void SettingsLoader::addProblem(const std::string& key, const std::string& value, const std::string& expected)
{
	_problems.push_back(_sourceOf(key) + ": " + key + " = '" + value + "' is invalid: expected " + expected);
}


std::chrono::milliseconds SettingsLoader::readSeconds(const std::string& key, bool zeroAllowed)
{
	std::string text(http::trimWhitespace(value(key)));
	char* end = nullptr;
	double seconds = std::strtod(text.c_str(), &end);
	bool inRange = zeroAllowed ? seconds >= 0 : seconds > 0;
	if (text.empty() || *end != '\0' || !std::isfinite(seconds) || !inRange || seconds > 86400 * 365)
	{
		addProblem(key, text, zeroAllowed ? "a number of seconds, 0 or more, such as 60 or 0.5"
			: "a number of seconds greater than 0, such as 10 or 0.5");
		return std::chrono::milliseconds(1000);
	}
	return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}


long SettingsLoader::readInteger(const std::string& key, long minimum, long maximum)
{
	std::string text(http::trimWhitespace(value(key)));
	char* end = nullptr;
	long number = std::strtol(text.c_str(), &end, 10);
	if (text.empty() || *end != '\0' || number < minimum || number > maximum)
	{
		addProblem(key, text, "a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum));
		return minimum;
	}
	return number;
}


namespace {


// Splits the "tls:", "proxy:" or "proxy+tls:" marks off a listen entry.
// Addresses start with a digit or "[", so a leading letter starts the marks.
bool readListenMarks(std::string& entry, Listener& listener)
{
	if (entry.empty() || !std::isalpha(static_cast<unsigned char>(entry[0]))) return true;

	std::size_t colon = entry.find(':');
	if (colon == std::string::npos) return false;

	bool valid = true;
	std::string marks = http::toLower(entry.substr(0, colon));
	std::size_t start = 0;
	while (start <= marks.size())
	{
		std::size_t plus = marks.find('+', start);
		if (plus == std::string::npos) plus = marks.size();
		std::string mark = marks.substr(start, plus - start);
		if (mark == "tls" && !listener.tls) listener.tls = true;
		else if (mark == "proxy" && !listener.proxyProtocol) listener.proxyProtocol = true;
		else valid = false;
		start = plus + 1;
	}
	entry = entry.substr(colon + 1);
	return valid;
}


// Only numeric addresses: a name would be resolved once at startup, and
// POCO reads a value starting with "/" as a Unix socket path.
bool parseNumericAddress(const std::string& entry, Poco::Net::SocketAddress& result)
{
	std::size_t colon = entry.rfind(':');
	std::string host = colon == std::string::npos ? std::string() : entry.substr(0, colon);
	std::string port = colon == std::string::npos ? std::string() : entry.substr(colon + 1);
	bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
	if (bracketed) host = host.substr(1, host.size() - 2);

	Poco::Net::IPAddress address;
	bool numeric = policy::parseIPAddress(host, address)
		&& (bracketed == (address.family() == Poco::Net::IPAddress::IPv6))
		&& !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos
		&& std::stoul(port) <= 65535;
	if (numeric) result = Poco::Net::SocketAddress(address, static_cast<Poco::UInt16>(std::stoul(port)));
	return numeric;
}


} // namespace


void SettingsLoader::readAddressList(const std::string& key, std::vector<Poco::Net::SocketAddress>& addresses)
{
	http::forEachListItem(value(key), [&](std::string_view item) {
		std::string entry(item);
		Poco::Net::SocketAddress address;
		if (parseNumericAddress(entry, address)) addresses.push_back(address);
		else addProblem(key, entry, "HOST:PORT with a numeric address, such as 127.0.0.1:3128 or [::1]:3128");
	});
}


void SettingsLoader::readListen(Settings& settings)
{
	const std::string key = "proxy.listen";
	http::forEachListItem(value(key), [&](std::string_view item) {
		std::string written(item);
		std::string entry = written;
		Listener listener;
		if (!readListenMarks(entry, listener))
		{
			addProblem(key, written, "HOST:PORT, optionally marked tls:, proxy: or proxy+tls:");
			return;
		}
		if (!parseNumericAddress(entry, listener.address))
		{
			addProblem(key, written, "HOST:PORT with a numeric address, such as 127.0.0.1:3128, [::1]:3128 or tls:127.0.0.1:3129");
			return;
		}
		settings.listen.push_back(listener);
	});
	if (settings.listen.empty() && _problems.empty())
	{
		addProblem(key, value(key), "at least one HOST:PORT address");
	}
}


void SettingsLoader::readCidrSet(const std::string& key, policy::CidrSet& set)
{
	std::string badEntry;
	if (!policy::CidrSet::parse(value(key), set, badEntry))
	{
		addProblem(key, badEntry, "an IP address or CIDR block such as 10.0.0.0/8 or fc00::/7");
	}
}


void SettingsLoader::readPortSet(const std::string& key, policy::PortSet& set)
{
	std::string badEntry;
	if (!policy::PortSet::parse(value(key), set, badEntry))
	{
		addProblem(key, badEntry, "a port from 1 to 65535, a range such as 9000-9100, or *");
	}
}


void SettingsLoader::readHostPatterns(const std::string& key, policy::HostPatternSet& set)
{
	std::string badEntry;
	std::string error;
	if (!policy::HostPatternSet::parse(value(key), set, badEntry, error))
	{
		std::string expected = "a host name, .domain or ~regular-expression";
		if (!error.empty()) expected += " (the regular expression failed to compile: " + error + ")";
		addProblem(key, badEntry, expected);
	}
}


bool SettingsLoader::readBool(const std::string& key)
{
	return readBool(key, value(key));
}


bool SettingsLoader::readBool(const std::string& key, const std::string& written)
{
	std::string text = http::toLower(http::trimWhitespace(written));
	if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
	if (text == "false" || text == "no" || text == "off" || text == "0") return false;

	addProblem(key, text, "true or false");
	return false;
}


void SettingsLoader::readAuthentication(Settings& settings)
{
	settings.authRealm = std::string(http::trimWhitespace(value("proxy.auth.realm")));
	if (settings.authRealm.find_first_of("\"\\") != std::string::npos
		|| settings.authRealm.find_first_not_of(" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~") != std::string::npos)
	{
		addProblem("proxy.auth.realm", settings.authRealm, "printable ASCII text without quotes or backslashes");
	}
	readCidrSet("proxy.auth.exemptClients", settings.authExemptClients);

	std::string path = resolvePath(std::string(http::trimWhitespace(value("proxy.auth.users"))));
	if (path.empty()) return;

	std::string error;
	if (Poco::File(path).exists() && Poco::File(path).isDirectory()) error = path + ": is a directory";
	else settings.authenticator = policy::Authenticator::load(path, error);

	// With no users every client would get 407, and no message would name the cause.
	if (settings.authenticator && settings.authenticator->userCount() == 0)
	{
		settings.authenticator.reset();
		error = path + ": contains no USER:HASH line";
	}
	if (!settings.authenticator) addProblem("proxy.auth.users", path, "a readable credentials file (" + error + ")");
}


void SettingsLoader::readForwardedFor(Settings& settings)
{
	std::string mode = http::toLower(http::trimWhitespace(value("proxy.forwardedFor")));
	if (mode == "delete") settings.forwardedFor = ForwardedFor::Delete;
	else if (mode == "passthrough") settings.forwardedFor = ForwardedFor::Passthrough;
	else if (mode == "add") settings.forwardedFor = ForwardedFor::Add;
	else if (mode == "truncate") settings.forwardedFor = ForwardedFor::Truncate;
	else addProblem("proxy.forwardedFor", mode, "delete, passthrough, add or truncate");

	const std::string key = "proxy.forwardedFor.fields";
	settings.forwardedForXff = false;
	settings.forwardedForForwarded = false;
	http::forEachListItem(value(key), [&](std::string_view item) {
		if (http::equalsIgnoreCase(item, "X-Forwarded-For")) settings.forwardedForXff = true;
		else if (http::equalsIgnoreCase(item, "Forwarded")) settings.forwardedForForwarded = true;
		else addProblem(key, std::string(item), "X-Forwarded-For, Forwarded or both");
	});
}


void SettingsLoader::readHeaderRules(Settings& settings)
{
	http::forEachListItem(value("proxy.headers.remove"), [&](std::string_view item) {
		if (http::isToken(item)) settings.headersRemove.emplace_back(item);
		else addProblem("proxy.headers.remove", std::string(item), "a field name such as User-Agent");
	});

	// Each field to add is its own key, proxy.headers.add.NAME = VALUE, since
	// values may contain commas.
	Poco::Util::AbstractConfiguration::Keys names;
	_configuration.keys("proxy.headers.add", names);
	for (const std::string& name: names)
	{
		std::string key = "proxy.headers.add." + name;
		std::string fieldValue(http::trimWhitespace(_configuration.getRawString(key, "")));
		bool validValue = true;
		for (char c: fieldValue) validValue = validValue && http::isFieldValueChar(c);

		// Framing, routing and hop-by-hop fields belong to the proxy; setting
		// them here would corrupt the forwarded message.
		http::Fields probe;
		probe.add(name, "");
		http::removeHopByHop(probe);
		probe.remove("Host");
		probe.remove("Content-Length");

		if (!http::isToken(name)) addProblem(key, fieldValue, "a key ending in a field name such as proxy.headers.add.X-Egress");
		else if (probe.empty()) addProblem(key, fieldValue, "a field other than Host, Content-Length, Transfer-Encoding or a hop-by-hop field");
		else if (!validValue) addProblem(key, fieldValue, "a field value without control characters");
		else settings.headersAdd.add(name, fieldValue);
	}
}


void SettingsLoader::readObservability(Settings& settings)
{
	std::string format = value("proxy.accessLog.format");
	if (!observe::parseAccessLogFormat(format, settings.accessLogFormat))
	{
		addProblem("proxy.accessLog.format", format, "native, squid, common or combined");
	}

	readAddressList("proxy.admin.listen", settings.adminListen);
	readCidrSet("proxy.admin.clients.allow", settings.adminClientsAllow);

	// The value goes into JavaScript strings and a "PROXY host:port" result,
	// so the authority syntax check also keeps quotes and spaces out.
	const std::string pacKey = "proxy.pac.proxy";
	std::string pacProxy(http::trimWhitespace(value(pacKey)));
	http::RequestTarget target;
	if (pacProxy.empty()) settings.pacProxy.clear();
	else if (http::parseAuthorityForm(pacProxy, target) == http::Reason::None) settings.pacProxy = target.hostPort();
	else addProblem(pacKey, pacProxy, "HOST:PORT that browsers can reach, such as proxy.example.net:3128 or 192.0.2.1:3128");

	http::forEachListItem(value("proxy.pac.direct"), [&](std::string_view item) {
		PacDirectRule rule;
		if (parsePacDirectRule(http::toLower(item), rule)) settings.pacDirect.push_back(rule);
		else addProblem("proxy.pac.direct", std::string(item), "a host name, .domain, a pattern with * or ?, "
			"or an IPv4 address or CIDR block such as 10.0.0.0/8 (PAC files compare IPv4 addresses only)");
	});
}


bool SettingsLoader::parsePacDirectRule(const std::string& entry, PacDirectRule& rule)
{
	// PAC's isInNet() takes an IPv4 address and a netmask.
	Poco::Net::IPAddress address;
	unsigned prefix = 0;
	if (policy::parseCidrBlock(entry, address, prefix))
	{
		if (address.family() != Poco::Net::IPAddress::IPv4) return false;

		Poco::Net::IPAddress mask(prefix, Poco::Net::IPAddress::IPv4);
		rule.kind = PacDirectRule::Kind::Network;
		rule.value = entry;
		rule.address = (address & mask).toString();
		rule.mask = mask.toString();
		return true;
	}

	// The entry goes into a JavaScript string literal, so it gets no quotes,
	// backslashes or spaces.
	const char* const nameCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
	const char* const patternCharacters = "abcdefghijklmnopqrstuvwxyz0123456789-_.*?";
	bool pattern = entry.find_first_of("*?") != std::string::npos;
	if (entry.empty() || entry == "." || entry.find_first_not_of(pattern ? patternCharacters : nameCharacters) != std::string::npos)
	{
		return false;
	}

	if (pattern) rule.kind = PacDirectRule::Kind::Pattern;
	else if (entry.front() == '.') rule.kind = PacDirectRule::Kind::Domain;
	else rule.kind = PacDirectRule::Kind::Host;
	rule.value = entry;
	return true;
}


void SettingsLoader::readTls(Settings& settings)
{
	bool needed = false;
	for (const Listener& listener: settings.listen) needed = needed || listener.tls;
	if (!needed) return;

	std::string certificate = resolvePath(std::string(http::trimWhitespace(value("proxy.tls.certificate"))));
	std::string key = resolvePath(std::string(http::trimWhitespace(value("proxy.tls.key"))));
	if (certificate.empty())
	{
		addProblem("proxy.tls.certificate", certificate, "the PEM certificate file for the tls: listeners in proxy.listen");
		return;
	}

	// An empty key means that the certificate file contains the key as well.
	try
	{
		settings.tlsServerContext = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
			key.empty() ? certificate : key, certificate, "", Poco::Net::Context::VERIFY_NONE, 9, false, "DEFAULT");
		settings.tlsServerContext->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
	}
	catch (const Poco::Exception& e)
	{
		addProblem("proxy.tls.certificate", certificate, "a readable PEM certificate with its key in proxy.tls.key ("
			+ e.displayText() + ")");
		return;
	}
	if (SSL_CTX_check_private_key(settings.tlsServerContext->sslContext()) != 1)
	{
		addProblem("proxy.tls.key", key, "the private key that belongs to proxy.tls.certificate");
	}
}


bool SettingsLoader::readParentCredentials(const std::string& name, upstream::ParentProxy& parent)
{
	const std::string fileKey = "proxy.upstream." + name + ".credentialsFile";
	const std::string environmentKey = "proxy.upstream." + name + ".credentialsEnv";
	std::string file = resolvePath(std::string(http::trimWhitespace(_configuration.getRawString(fileKey, ""))));
	std::string variable(http::trimWhitespace(_configuration.getRawString(environmentKey, "")));
	int sources = (parent.hasCredentials ? 1 : 0) + (file.empty() ? 0 : 1) + (variable.empty() ? 0 : 1);
	if (sources > 1)
	{
		addProblem(fileKey, file, "credentials from only one of the URL, " + fileKey + " and " + environmentKey);
		return false;
	}

	// Messages name the file or variable, never what it contains.
	std::string text;
	if (!file.empty())
	{
		std::ifstream in(file);
		if (!in || !std::getline(in, text))
		{
			addProblem(fileKey, file, "a readable file whose first line is user:password");
			return false;
		}
	}
	else if (!variable.empty())
	{
		if (!Poco::Environment::has(variable))
		{
			addProblem(environmentKey, variable, "the name of an environment variable that is set to user:password");
			return false;
		}
		text = Poco::Environment::get(variable);
	}
	else
	{
		return true;
	}

	if (!upstream::parseCredentials(text, parent.user, parent.password))
	{
		addProblem(file.empty() ? environmentKey : fileKey, file.empty() ? variable : file,
			"credentials in the form user:password with a non-empty user");
		return false;
	}
	parent.hasCredentials = true;
	return true;
}


bool SettingsLoader::readParent(const std::string& name, upstream::ParentProxy& parent)
{
	const std::string prefix = "proxy.upstream." + name + ".";
	static const std::set<std::string> KNOWN = {"url", "destinations", "caFile", "verify", "credentialsFile", "credentialsEnv"};
	Poco::Util::AbstractConfiguration::Keys keys;
	_configuration.keys("proxy.upstream." + name, keys);
	for (const std::string& key: keys)
	{
		if (KNOWN.count(key) == 0) addProblem(prefix + key, _configuration.getRawString(prefix + key, ""),
			"one of the keys " + prefix + "url, destinations, caFile, verify, credentialsFile or credentialsEnv");
	}

	parent.name = name;
	std::string url(http::trimWhitespace(_configuration.getRawString(prefix + "url", "")));
	std::string error;
	if (!upstream::parseParentUrl(url, parent, error))
	{
		addProblem(prefix + "url", upstream::redactUrl(url), "http://, https:// or socks5:// with [user:password@]host:port ("
			+ error + ")");
		return false;
	}

	std::string destinations = _configuration.getRawString(prefix + "destinations", "*");
	std::string badEntry;
	if (!upstream::DestinationSet::parse(destinations, parent.destinations, badEntry))
	{
		addProblem(prefix + "destinations", badEntry, "a host name, .domain, address, CIDR block or *");
		return false;
	}

	if (!readParentCredentials(name, parent)) return false;

	bool verify = readBool(prefix + "verify", _configuration.getRawString(prefix + "verify", "true"));
	std::string caFile = resolvePath(std::string(http::trimWhitespace(_configuration.getRawString(prefix + "caFile", ""))));
	if (parent.scheme != upstream::ParentScheme::Https) return true;

	parent.tlsContext = upstream::makeTlsClientContext(parent.host, verify, caFile, error);
	if (!parent.tlsContext)
	{
		addProblem(prefix + "caFile", caFile, "a readable file of PEM CA certificates (" + error + ")");
		return false;
	}
	return true;
}


void SettingsLoader::readUpstream(Settings& settings)
{
	upstream::DestinationSet direct;
	std::string badEntry;
	if (!upstream::DestinationSet::parse(value("proxy.direct"), direct, badEntry))
	{
		addProblem("proxy.direct", badEntry, "a host name, .domain, address, CIDR block or *");
	}

	// Entries not named in the order are kept in the file but not used.
	std::vector<upstream::ParentProxy> parents;
	std::set<std::string> seen;
	http::forEachListItem(value("proxy.upstream.order"), [&](std::string_view item) {
		std::string name(item);
		if (!http::isToken(name) || name.find('.') != std::string::npos || !seen.insert(name).second)
		{
			addProblem("proxy.upstream.order", name, "names of proxy.upstream.NAME entries, each once, without dots");
			return;
		}

		upstream::ParentProxy parent;
		if (readParent(name, parent)) parents.push_back(std::move(parent));
	});
	settings.router = upstream::Router(std::move(direct), std::move(parents));
}


void SettingsLoader::readOutgoingAddresses(Settings& settings)
{
	const std::string key = "proxy.outgoing.address";
	http::forEachListItem(value(key), [&](std::string_view item) {
		std::string entry(item);
		Poco::Net::IPAddress address;
		bool duplicateFamily = false;
		bool valid = policy::parseIPAddress(entry, address);
		for (const Poco::Net::IPAddress& other: settings.outgoingAddresses)
		{
			duplicateFamily = duplicateFamily || (valid && other.family() == address.family());
		}

		if (!valid) addProblem(key, entry, "numeric local IP addresses, such as 192.0.2.1, 2001:db8::1");
		else if (duplicateFamily) addProblem(key, entry, "at most one IPv4 and one IPv6 address");
		else settings.outgoingAddresses.push_back(address);
	});
}


void SettingsLoader::readTracing(observe::TraceOptions& tracing)
{
	tracing.trace = readBool("proxy.trace");
	tracing.showSecrets = readBool("proxy.trace.secrets");
	readHostPatterns("proxy.trace.hosts", tracing.hosts);
	http::forEachListItem(value("proxy.trace.methods"), [&](std::string_view item) {
		if (http::isToken(item)) tracing.methods.emplace_back(item);
		else addProblem("proxy.trace.methods", std::string(item), "a method name such as GET or CONNECT");
	});

	// The file is replaced by rename(2), which needs a writable directory.
	// Checking it here turns a typo into a startup error, not a silent loss.
	const std::string key = "proxy.har.file";
	tracing.harFile = resolvePath(std::string(http::trimWhitespace(value(key))));
	if (!tracing.harFile.empty())
	{
		Poco::Path path = Poco::Path(tracing.harFile).absolute();
		tracing.harFile = path.toString();
		bool usable = !path.getFileName().empty() && isWritableDirectory(path.parent().toString())
			&& !(Poco::File(path).exists() && Poco::File(path).isDirectory());
		if (!usable) addProblem(key, tracing.harFile, "a file path in an existing, writable directory");
	}
	tracing.harMaxBodySize = static_cast<std::size_t>(readInteger("proxy.har.maxBodySize", 0, 64L * 1024 * 1024));
	tracing.harMaxEntries = static_cast<std::size_t>(readInteger("proxy.har.maxEntries", 1, 1000000));
}


std::string SettingsLoader::resolvePath(const std::string& path) const
{
	if (path.empty() || _baseDirectory.empty()) return path;

	return Poco::Path(_baseDirectory).resolve(Poco::Path(path)).toString();
}


SettingsPtr SettingsLoader::load()
{
	auto settings = std::make_shared<Settings>();
	_problems.clear();

	readListen(*settings);
	settings->user = std::string(http::trimWhitespace(value("proxy.user")));
	settings->group = std::string(http::trimWhitespace(value("proxy.group")));
#ifndef _WIN32
	// Checked here too, so that --check-config finds a typing mistake before a start does.
	if (!settings->user.empty() && ::getpwnam(settings->user.c_str()) == nullptr)
	{
		addProblem("proxy.user", settings->user, "an existing user name");
	}
	if (!settings->group.empty() && ::getgrnam(settings->group.c_str()) == nullptr)
	{
		addProblem("proxy.group", settings->group, "an existing group name");
	}
#endif
	readTls(*settings);
	readCidrSet("proxy.clients.allow", settings->clientsAllow);
	readCidrSet("proxy.clients.deny", settings->clientsDeny);
	readAuthentication(*settings);
	readPortSet("proxy.connect.ports", settings->connectPorts);
	readHostPatterns("proxy.destinations.allow", settings->destinationsAllow);
	readHostPatterns("proxy.destinations.deny", settings->destinationsDeny);
	readCidrSet("proxy.destinations.denyNetworks", settings->denyNetworks);
	settings->viaEnabled = readBool("proxy.via.enabled");
	readForwardedFor(*settings);
	readHeaderRules(*settings);

	settings->viaPseudonym = std::string(http::trimWhitespace(value("proxy.via.pseudonym")));
	if (!settings->viaPseudonym.empty() && !http::isToken(settings->viaPseudonym))
	{
		addProblem("proxy.via.pseudonym", settings->viaPseudonym, "a single token such as fwdproxy or gw1.example.net");
	}

	settings->maxThreads = static_cast<int>(readInteger("proxy.threads.max", 1, 100000));
	// POCO's dispatcher refuses every connection when the queue size is 0.
	settings->maxQueued = static_cast<int>(readInteger("proxy.threads.queue", 1, 100000));
	settings->stackSizeKiB = static_cast<int>(readInteger("proxy.threads.stackSize", 64, 65536));

	settings->connectTimeout = readSeconds("proxy.timeouts.connect");
	settings->headerTimeout = readSeconds("proxy.timeouts.header");
	settings->idleTimeout = readSeconds("proxy.timeouts.idle");
	settings->responseTimeout = readSeconds("proxy.timeouts.response");
	settings->tunnelIdleTimeout = readSeconds("proxy.timeouts.tunnelIdle");
	settings->expectContinueTimeout = readSeconds("proxy.timeouts.expectContinue");
	settings->shutdownGrace = readSeconds("proxy.timeouts.shutdownGrace");

	settings->maxHeadSize = static_cast<std::size_t>(readInteger("proxy.limits.maxHeadSize", 1024, 16 * 1024 * 1024));
	settings->maxTargetLength = static_cast<std::size_t>(readInteger("proxy.limits.maxTargetLength", 64, 16 * 1024 * 1024));
	settings->maxRequestBody = static_cast<std::uint64_t>(readInteger("proxy.limits.maxRequestBody", 0, 1L << 62));
	settings->maxConnections = static_cast<std::size_t>(readInteger("proxy.limits.maxConnections", 1, 1000000));
	settings->maxConnectionsPerClient = static_cast<std::size_t>(readInteger("proxy.limits.maxConnectionsPerClient", 1, 1000000));

	settings->poolMaxIdle = static_cast<std::size_t>(readInteger("proxy.pool.maxIdle", 0, 1000000));
	settings->poolMaxIdlePerDestination = static_cast<std::size_t>(readInteger("proxy.pool.maxIdlePerDestination", 0, 100000));
	settings->poolIdleTimeout = readSeconds("proxy.timeouts.poolIdle");
	settings->dnsCacheTime = readSeconds("proxy.dns.cacheTime", true);
	readObservability(*settings);
	readTracing(settings->tracing);

	readUpstream(*settings);
	readOutgoingAddresses(*settings);

	if (!_problems.empty()) return nullptr;
	return settings;
}


} } // namespace fwdproxy::config
