//
// ProxyApplication.h
//
// The fwdproxy program: options, configuration, logging, and the server's
// start and stop around waitForTerminationRequest().
//

#pragma once

#include "fwdproxy/admin/AdminServer.h"
#include "fwdproxy/config/Settings.h"
#include "fwdproxy/server/ProxyServer.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/ServerApplication.h>

#include <set>
#include <string>


namespace fwdproxy {
namespace app {


class ProxyApplication: public Poco::Util::ServerApplication
{
public:
	ProxyApplication();

protected:
	void initialize(Poco::Util::Application& self) override;
	void defineOptions(Poco::Util::OptionSet& options) override;
	int main(const std::vector<std::string>& arguments) override;

private:
	void handleHelp(const std::string& name, const std::string& value);
	void handleConfig(const std::string& name, const std::string& value);
	void handleDefine(const std::string& name, const std::string& value);
	void handleHashPassword(const std::string& name, const std::string& value);
	void handleHashIterations(const std::string& name, const std::string& value);
	void handleCheckConfig(const std::string& name, const std::string& value);
	void defineTracingOptions(Poco::Util::OptionSet& options);
	void handleTracing(const std::string& name, const std::string& value);
	void define(const std::string& name, const std::string& value);
		/// Sets a property in the command-line layer, which overrides the configuration file.
	void appendToDefine(const std::string& name, const std::string& item);
		/// Adds item to the comma-separated list that the command line sets for name.
	int printPasswordEntry();
	config::SettingsPtr loadSettings(bool report);
	void warnUnknownKeys();
	void reload(config::SettingsHolder& holder);
	bool startServing(server::ProxyServer& server, admin::AdminServer& adminServer, const config::Settings& settings);
	void loadConfigurationFile();
	void configureLogging();
	void resolveLogPaths();
	std::vector<std::string> logFileProblems();
	std::string sourceOf(const std::string& key) const;
	std::string tracingProperties() const;
		/// Returns the proxy.trace* and proxy.har.* values as one text, to tell whether a reload changed them.

	bool _helpRequested = false;
	bool _checkOnly = false;
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> _fileLayer;
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> _resolvedPaths;   ///< Absolute forms of relative log file paths.   ///< The properties file's layer, replaced on reload.
	std::string _hashUser;
	unsigned _hashIterations = 0;
	bool _configFailed = false;
	std::string _configFile;
	std::string _startDirectory;   ///< The working directory before --daemon changes it to /.
	std::set<std::string> _definedKeys;
};


} } // namespace fwdproxy::app
