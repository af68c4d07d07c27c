//
// SettingsLoader.h
//
// Reads the proxy.* properties into a Settings snapshot and checks every value.
//

#pragma once

#include "fwdproxy/config/Settings.h"

#include <Poco/Util/AbstractConfiguration.h>

#include <functional>
#include <string>
#include <vector>


namespace fwdproxy {
namespace config {


class SettingsLoader
{
public:
	using SourceOf = std::function<std::string(const std::string& key)>;
		/// Names where a key's value came from (a file or the command line), for messages.

	SettingsLoader(const Poco::Util::AbstractConfiguration& configuration, SourceOf sourceOf);

	SettingsPtr load();
		/// Returns the snapshot, or nullptr when any value is invalid. Every
		/// invalid value is described in problems(), not just the first.

	const std::vector<std::string>& problems() const { return _problems; }

	void setBaseDirectory(const std::string& directory) { _baseDirectory = directory; }
		/// Makes relative file paths in the properties relative to directory,
		/// which must stay the same after the daemon changes to "/".

	static const char* const DEFAULTS[][2];
		/// Every proxy.* key with its default value, as the man page lists them.

private:
	std::string value(const std::string& key) const;
	std::string resolvePath(const std::string& path) const;
	void addProblem(const std::string& key, const std::string& value, const std::string& expected);

	std::chrono::milliseconds readSeconds(const std::string& key, bool zeroAllowed = false);
	long readInteger(const std::string& key, long minimum, long maximum);
	void readAddressList(const std::string& key, std::vector<Poco::Net::SocketAddress>& addresses);
	void readListen(Settings& settings);
	void readCidrSet(const std::string& key, policy::CidrSet& set);
	void readPortSet(const std::string& key, policy::PortSet& set);
	void readHostPatterns(const std::string& key, policy::HostPatternSet& set);
	bool readBool(const std::string& key);
	bool readBool(const std::string& key, const std::string& written);
	void readTls(Settings& settings);
	void readUpstream(Settings& settings);
	bool readParent(const std::string& name, upstream::ParentProxy& parent);
	bool readParentCredentials(const std::string& name, upstream::ParentProxy& parent);
	void readOutgoingAddresses(Settings& settings);
	void readAuthentication(Settings& settings);
	void readForwardedFor(Settings& settings);
	void readHeaderRules(Settings& settings);
	void readObservability(Settings& settings);
	static bool parsePacDirectRule(const std::string& entry, PacDirectRule& rule);
	void readTracing(observe::TraceOptions& tracing);

	const Poco::Util::AbstractConfiguration& _configuration;
	SourceOf _sourceOf;
	std::vector<std::string> _problems;
	std::string _baseDirectory;
};


} } // namespace fwdproxy::config
