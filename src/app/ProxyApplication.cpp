//
// ProxyApplication.cpp
//

#include "fwdproxy/app/ProxyApplication.h"
#include "fwdproxy/admin/AdminServer.h"
#include "fwdproxy/app/LoggingErrorHandler.h"
#include "fwdproxy/app/Privileges.h"
#include "fwdproxy/app/Signals.h"
#include "fwdproxy/config/KnownKeys.h"
#include "fwdproxy/config/SettingsLoader.h"
#include "fwdproxy/observe/AccessLog.h"
#include "fwdproxy/policy/PasswordHash.h"
#include "fwdproxy/server/ProxyServer.h"

#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/LoggingConfigurator.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#ifndef _WIN32
#include <unistd.h>
#endif


using Poco::Util::Application;
using Poco::Util::Option;
using Poco::Util::OptionCallback;


namespace fwdproxy {
namespace app {


namespace {


// Returns why a log file at path could not be opened for appending, or "".
std::string checkWritableFile(const std::string& path)
{
	if (path.empty()) return "missing: expected the path of a log file";

#ifndef _WIN32
	if (::access(path.c_str(), F_OK) == 0)
	{
		if (Poco::File(path).isDirectory()) return "is a directory, expected a file";
		if (::access(path.c_str(), W_OK) != 0) return std::string("cannot write the file: ") + std::strerror(errno);
		return "";
	}

	std::string directory = Poco::Path(path).parent().toString();
	if (directory.empty()) directory = ".";
	if (::access(directory.c_str(), W_OK | X_OK) != 0)
	{
		return "cannot create the file in " + directory + ": " + std::strerror(errno);
	}
#endif
	return "";
}


const char* const SYSTEM_CONFIG = "/etc/fwdproxy/fwdproxy.properties";

// Configuration layers: absolute forms of relative log paths beat -D, -D beats
// the file, and the file beats the built-in logging defaults.
const int PRIORITY_RESOLVED_PATHS = -200;
const int PRIORITY_DEFINES = -100;
const int PRIORITY_LOGGING_DEFAULTS = 100;


Poco::AutoPtr<Poco::Util::MapConfiguration> loggingDefaults()
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> defaults = new Poco::Util::MapConfiguration;
	defaults->setString("logging.formatters.fwdproxyText.class", "PatternFormatter");
	defaults->setString("logging.formatters.fwdproxyText.pattern", "%Y-%m-%dT%H:%M:%S.%iZ %q %s: %t");
	defaults->setString("logging.formatters.fwdproxyText.times", "UTC");
	defaults->setString("logging.channels.fwdproxyConsole.class", "ConsoleChannel");
	defaults->setString("logging.channels.fwdproxyConsole.formatter", "fwdproxyText");
	defaults->setString("logging.loggers.root.channel", "fwdproxyConsole");
	defaults->setString("logging.loggers.root.level", "information");

	// The trace is read live by a person, so its lines carry only the local
	// time, not the date, priority and logger name of the other loggers.
	defaults->setString("logging.formatters.fwdproxyTraceText.class", "PatternFormatter");
	defaults->setString("logging.formatters.fwdproxyTraceText.pattern", "%H:%M:%S.%i %t");
	defaults->setString("logging.formatters.fwdproxyTraceText.times", "local");
	defaults->setString("logging.channels.fwdproxyTraceConsole.class", "ConsoleChannel");
	defaults->setString("logging.channels.fwdproxyTraceConsole.formatter", "fwdproxyTraceText");
	defaults->setString("logging.loggers.fwdproxyTrace.name", "fwdproxy.trace");
	defaults->setString("logging.loggers.fwdproxyTrace.channel", "fwdproxyTraceConsole");
	defaults->setString("logging.loggers.fwdproxyTrace.level", "information");
	return defaults;
}


// Initializes OpenSSL through POCO for the lifetime of the object.
struct TlsLibrary
{
	TlsLibrary() { Poco::Net::initializeSSL(); }
	~TlsLibrary() { Poco::Net::uninitializeSSL(); }
	TlsLibrary(const TlsLibrary&) = delete;
	TlsLibrary& operator=(const TlsLibrary&) = delete;
};


} // namespace


ProxyApplication::ProxyApplication():
	_startDirectory(Poco::Path::current())
{
	setUnixOptions(true);
}


void ProxyApplication::defineOptions(Poco::Util::OptionSet& options)
{
	ServerApplication::defineOptions(options);

	options.addOption(Option("help", "h", "Print this help and exit.")
		.required(false)
		.repeatable(false)
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleHelp)));

	options.addOption(Option("config", "c", "Read properties from FILE instead of " + std::string(SYSTEM_CONFIG) + ".")
		.required(false)
		.repeatable(false)
		.argument("FILE")
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleConfig)));

	options.addOption(Option("check-config", "", "Check the configuration, print every problem and exit "
		"(0 when valid, 78 when not).")
		.required(false)
		.repeatable(false)
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleCheckConfig)));

	options.addOption(Option("hash-password", "", "Read a password from standard input and print a line "
		"USER:HASH for the proxy.auth.users file, then exit.")
		.required(false)
		.repeatable(false)
		.argument("USER")
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleHashPassword)));

	options.addOption(Option("hash-iterations", "", "PBKDF2 iterations for --hash-password (default "
		+ std::to_string(policy::PasswordHash::DEFAULT_ITERATIONS) + ").")
		.required(false)
		.repeatable(false)
		.argument("N")
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleHashIterations)));

	options.addOption(Option("define", "D", "Set property NAME to VALUE, overriding the file. Repeatable.")
		.required(false)
		.repeatable(true)
		.argument("NAME=VALUE")
		.callback(OptionCallback<ProxyApplication>(this, &ProxyApplication::handleDefine)));

	defineTracingOptions(options);
}


void ProxyApplication::defineTracingOptions(Poco::Util::OptionSet& options)
{
	OptionCallback<ProxyApplication> callback(this, &ProxyApplication::handleTracing);
	options.addOption(Option("trace", "", "Print each exchange's request and response heads, and each tunnel, "
		"on the fwdproxy.trace logger, standard error by default (proxy.trace=true).")
		.required(false)
		.repeatable(false)
		.callback(callback));

	options.addOption(Option("trace-secrets", "", "Show Authorization, Proxy-Authorization, Cookie and Set-Cookie "
		"values in the trace and the HAR file instead of masking them (proxy.trace.secrets=true).")
		.required(false)
		.repeatable(false)
		.callback(callback));

	options.addOption(Option("har", "", "Write every exchange to FILE as a HAR 1.2 document (proxy.har.file).")
		.required(false)
		.repeatable(false)
		.argument("FILE")
		.callback(callback));

	options.addOption(Option("trace-host", "", "Trace and record only hosts that match PATTERN: a host, .domain "
		"or ~regex. Repeatable (proxy.trace.hosts).")
		.required(false)
		.repeatable(true)
		.argument("PATTERN")
		.callback(callback));

	options.addOption(Option("trace-method", "", "Trace and record only requests with METHOD. Repeatable "
		"(proxy.trace.methods).")
		.required(false)
		.repeatable(true)
		.argument("METHOD")
		.callback(callback));
}


void ProxyApplication::handleHelp(const std::string&, const std::string&)
{
	_helpRequested = true;
	Poco::Util::HelpFormatter help(options());
	help.setCommand(commandName());
	help.setUsage("[--config=FILE] [-D NAME=VALUE ...] [--trace] [--har=FILE] [--daemon] [--pidfile=FILE] [--umask=MASK]\n"
		"       fwdproxy --check-config [--config=FILE] [-D NAME=VALUE ...]\n"
		"       fwdproxy --hash-password=USER [--hash-iterations=N] < password");
	help.setHeader("An HTTP/1.1 forward proxy. Properties and defaults: man fwdproxy.properties");
	help.setUnixStyle(true);
	help.format(std::cout);
	stopOptionsProcessing();
}


void ProxyApplication::handleConfig(const std::string&, const std::string& value)
{
	// The daemon changes its working directory to /, so keep an absolute path.
	_configFile = Poco::Path(value).absolute().toString();
}


void ProxyApplication::handleCheckConfig(const std::string&, const std::string&)
{
	_checkOnly = true;
}


void ProxyApplication::handleHashPassword(const std::string&, const std::string& value)
{
	if (value.empty() || value.find(':') != std::string::npos)
	{
		throw Poco::Util::InvalidArgumentException("--hash-password expects a user name without ':'", value);
	}
	_hashUser = value;
}


void ProxyApplication::handleHashIterations(const std::string&, const std::string& value)
{
	unsigned long iterations = 0;
	try
	{
		iterations = std::stoul(value);
	}
	catch (const std::exception&)
	{
		iterations = 0;
	}
	if (iterations < policy::PasswordHash::MIN_ITERATIONS || iterations > 100000000)
	{
		throw Poco::Util::InvalidArgumentException("--hash-iterations expects a whole number from "
			+ std::to_string(policy::PasswordHash::MIN_ITERATIONS) + " to 100000000", value);
	}
	_hashIterations = static_cast<unsigned>(iterations);
}


int ProxyApplication::printPasswordEntry()
{
	std::string password;
	std::getline(std::cin, password);
	if (!password.empty() && password.back() == '\r') password.pop_back();
	if (password.empty())
	{
		std::cerr << "fwdproxy: --hash-password read an empty password from standard input" << std::endl;
		return Application::EXIT_DATAERR;
	}

	unsigned iterations = _hashIterations > 0 ? _hashIterations : policy::PasswordHash::DEFAULT_ITERATIONS;
	std::cout << _hashUser << ":" << policy::PasswordHash::create(password, iterations).toString() << std::endl;
	return Application::EXIT_OK;
}


void ProxyApplication::handleDefine(const std::string&, const std::string& value)
{
	std::string::size_type equals = value.find('=');
	std::string name = value.substr(0, equals);
	std::string propertyValue = equals == std::string::npos ? std::string() : value.substr(equals + 1);
	if (name.empty()) throw Poco::Util::InvalidArgumentException("-D expects NAME=VALUE", value);

	define(name, propertyValue);
}


void ProxyApplication::handleTracing(const std::string& name, const std::string& value)
{
	// Each option is a shorthand for a property, so it shares the -D layer
	// and the later of an option and a -D for the same property wins.
	if (name == "trace") define("proxy.trace", "true");
	else if (name == "trace-secrets") define("proxy.trace.secrets", "true");
	else if (name == "har") define("proxy.har.file", value);
	else if (name == "trace-host") appendToDefine("proxy.trace.hosts", value);
	else if (name == "trace-method") appendToDefine("proxy.trace.methods", value);
}


void ProxyApplication::appendToDefine(const std::string& name, const std::string& item)
{
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> defines = config().find("fwdproxy.defines");
	std::string list = defines.isNull() ? std::string() : defines->getRawString(name, "");
	define(name, list.empty() ? item : list + ", " + item);
}


void ProxyApplication::define(const std::string& name, const std::string& propertyValue)
{
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> defines = config().find("fwdproxy.defines");
	if (defines.isNull())
	{
		defines = new Poco::Util::MapConfiguration;
		config().add(defines, "fwdproxy.defines", PRIORITY_DEFINES, false);
	}
	defines->setString(name, propertyValue);
	_definedKeys.insert(name);
}


void ProxyApplication::initialize(Application& self)
{
	blockControlSignals();
	if (!_helpRequested) loadConfigurationFile();
	configureLogging();

	// Application's own LoggingSubsystem would raise the same logging error
	// again, uncaught; main() reports the failure instead.
	if (!_configFailed) ServerApplication::initialize(self);
}


void ProxyApplication::loadConfigurationFile()
{
	std::string file = _configFile;
	if (file.empty() && Poco::File(SYSTEM_CONFIG).exists()) file = SYSTEM_CONFIG;
	if (file.empty()) return;

	if (!Poco::File(file).exists())
	{
		std::cerr << "fwdproxy: cannot read configuration file " << file << ": file not found" << std::endl;
		_configFailed = true;
		return;
	}

	// Always the properties format, whatever the file's extension.
	try
	{
		_fileLayer = new Poco::Util::PropertyFileConfiguration(file);
		config().add(_fileLayer, Application::PRIO_DEFAULT, false);
		_configFile = file;
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "fwdproxy: cannot read configuration file " << file << ": " << e.displayText() << std::endl;
		_configFailed = true;
	}
}


void ProxyApplication::resolveLogPaths()
{
	// FileChannel opens its file on the first message, after --daemon has
	// changed the working directory to /, so relative paths are fixed here.
	// A reload computes them again from the new file.
	if (!_resolvedPaths.isNull()) config().removeConfiguration(_resolvedPaths);

	Poco::AutoPtr<Poco::Util::MapConfiguration> resolved = new Poco::Util::MapConfiguration;
	Poco::Util::AbstractConfiguration::Keys channels;
	config().keys("logging.channels", channels);
	for (const std::string& channel: channels)
	{
		std::string key = "logging.channels." + channel + ".path";
		std::string path = config().getRawString(key, "");
		if (path.empty() || Poco::Path(path).isAbsolute()) continue;

		resolved->setString(key, Poco::Path(_startDirectory).resolve(Poco::Path(path)).toString());
	}
	config().add(resolved, PRIORITY_RESOLVED_PATHS, false);
	_resolvedPaths = resolved;
}


std::vector<std::string> ProxyApplication::logFileProblems()
{
	// POCO's FileChannel opens its file at the first message and throws from
	// inside the logger when it cannot, which ends the process. Checking the
	// paths first turns that into a configuration error.
	std::vector<std::string> problems;
	Poco::Util::AbstractConfiguration::Keys channels;
	config().keys("logging.channels", channels);
	for (const std::string& channel: channels)
	{
		std::string prefix = "logging.channels." + channel;
		std::string type = config().getRawString(prefix + ".class", "");
		if (type.find("FileChannel") == std::string::npos) continue;

		std::string path = config().getRawString(prefix + ".path", "");
		std::string error = checkWritableFile(path);
		if (!error.empty()) problems.push_back(sourceOf(prefix + ".path") + ": " + prefix + ".path = '" + path + "': " + error);
	}
	return problems;
}


void ProxyApplication::configureLogging()
{
	config().add(loggingDefaults(), PRIORITY_LOGGING_DEFAULTS, false);
	resolveLogPaths();
	for (const std::string& problem: logFileProblems())
	{
		std::cerr << "fwdproxy: " << problem << std::endl;
		_configFailed = true;
	}
	if (_configFailed) return;

	try
	{
		Poco::Util::LoggingConfigurator configurator;
		configurator.configure(Poco::AutoPtr<Poco::Util::AbstractConfiguration>(&config(), true));
	}
	catch (const Poco::Exception& e)
	{
		std::cerr << "fwdproxy: invalid logging.* configuration in " << sourceOf("logging") << ": "
			<< e.displayText() << std::endl;
		_configFailed = true;
	}
	Poco::ErrorHandler::set(new LoggingErrorHandler);
}


std::string ProxyApplication::tracingProperties() const
{
	std::string values;
	for (std::size_t i = 0; config::SettingsLoader::DEFAULTS[i][0] != nullptr; ++i)
	{
		std::string key = config::SettingsLoader::DEFAULTS[i][0];
		if (key.compare(0, 11, "proxy.trace") != 0 && key.compare(0, 10, "proxy.har.") != 0) continue;

		values += key + "=" + config().getRawString(key, config::SettingsLoader::DEFAULTS[i][1]) + "\n";
	}
	return values;
}


std::string ProxyApplication::sourceOf(const std::string& key) const
{
	if (_definedKeys.count(key) > 0) return "command line (-D " + key + ")";
	if (!_configFile.empty()) return _configFile;
	return "built-in defaults";
}


config::SettingsPtr ProxyApplication::loadSettings(bool report)
{
	config::SettingsLoader loader(config(), [this](const std::string& key) { return sourceOf(key); });
	loader.setBaseDirectory(_startDirectory);
	config::SettingsPtr settings = loader.load();
	if (settings || !report) return settings;

	Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	for (const std::string& problem: loader.problems())
	{
		if (_checkOnly || !logger.error()) std::cerr << "fwdproxy: " << problem << std::endl;
		else logger.error(problem);
	}
	return nullptr;
}


void ProxyApplication::warnUnknownKeys()
{
	std::vector<std::string> messages;
	for (const std::string& key: config::unknownKeys(config()))
	{
		messages.push_back(sourceOf(key) + ": unknown property " + key + " is ignored; did you mean "
			+ config::nearestKnownKey(key) + "?");
	}

	// Outside proxy.* only logging.* is read; anything else in the file is a mistake.
	if (!_fileLayer.isNull())
	{
		Poco::Util::AbstractConfiguration::Keys roots;
		_fileLayer->keys(roots);
		for (const std::string& root: roots)
		{
			if (root == "proxy" || root == "logging") continue;

			messages.push_back(_configFile + ": unknown property " + root + " is ignored; properties start with proxy. or logging.");
		}
	}

	for (const std::string& message: messages)
	{
		if (_checkOnly) std::cerr << "fwdproxy: warning: " << message << std::endl;
		else Poco::Logger::get("fwdproxy").warning(message);
	}
}


bool ProxyApplication::startServing(server::ProxyServer& server, admin::AdminServer& adminServer,
	const config::Settings& settings)
{
	Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	std::vector<Poco::Net::SocketAddress> adminAddresses;
	try
	{
		server.bind();
		for (const std::string& listener: server.describeListeners()) logger.notice("listening on " + listener);

		adminAddresses = adminServer.bind();
		server.addOwnAddresses(adminAddresses);
	}
	catch (const Poco::Exception& e)
	{
		logger.critical("cannot listen: " + e.displayText());
		return false;
	}

	// After binding, so that a proxy started as root can still use port 80,
	// and before accepting, so that no client is ever served as root.
	std::string error;
	switch (dropPrivileges(settings.user, settings.group, error))
	{
	case PrivilegeChange::Failed:
		logger.critical("cannot drop privileges: " + error);
		return false;
	case PrivilegeChange::NotRoot:
		logger.warning("proxy.user and proxy.group are ignored because the proxy does not run as root");
		break;
	case PrivilegeChange::Dropped:
		logger.notice("running as user " + (settings.user.empty() ? std::string("(unchanged)") : settings.user)
			+ ", group " + (settings.group.empty() ? std::string("(the user's)") : settings.group));
		break;
	case PrivilegeChange::Unchanged:
		break;
	}

	server.accept();
	adminServer.start(server.describeListeners(), server.plainListeners());
	for (const Poco::Net::SocketAddress& address: adminAddresses)
	{
		logger.notice("admin interface at http://" + address.toString() + "/ (/metrics, /status, /proxy.pac)");
	}
	return true;
}


void ProxyApplication::reload(config::SettingsHolder& holder)
{
	Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	if (_configFile.empty())
	{
		logger.notice("SIGHUP: no configuration file to reload");
		return;
	}

	logger.notice("SIGHUP: reloading " + _configFile);
	std::string tracingBefore = tracingProperties();
	Poco::AutoPtr<Poco::Util::AbstractConfiguration> previous = _fileLayer;
	try
	{
		Poco::AutoPtr<Poco::Util::AbstractConfiguration> fresh = new Poco::Util::PropertyFileConfiguration(_configFile);
		config().removeConfiguration(previous);
		config().add(fresh, Application::PRIO_DEFAULT, false);
		_fileLayer = fresh;
	}
	catch (const Poco::Exception& e)
	{
		logger.error("reload failed, keeping the running configuration: cannot read " + _configFile + ": " + e.displayText());
		return;
	}

	warnUnknownKeys();
	resolveLogPaths();
	config::SettingsPtr settings = loadSettings(true);
	std::vector<std::string> logProblems = logFileProblems();
	for (const std::string& problem: logProblems) logger.error(problem);
	if (!settings || !logProblems.empty())
	{
		config().removeConfiguration(_fileLayer);
		config().add(previous, Application::PRIO_DEFAULT, false);
		_fileLayer = previous;
		resolveLogPaths();
		logger.error("reload failed, keeping the running configuration");
		return;
	}

	// Listening sockets, threads and privileges were set up at start and stay.
	config::SettingsPtr running = holder.get();
	if (settings->listen != running->listen || settings->maxThreads != running->maxThreads
		|| settings->maxQueued != running->maxQueued || settings->stackSizeKiB != running->stackSizeKiB
		|| settings->user != running->user || settings->group != running->group
		|| settings->adminListen != running->adminListen
		|| settings->poolMaxIdle != running->poolMaxIdle
		|| settings->poolMaxIdlePerDestination != running->poolMaxIdlePerDestination
		|| settings->poolIdleTimeout != running->poolIdleTimeout || settings->dnsCacheTime != running->dnsCacheTime)
	{
		logger.warning("proxy.listen, proxy.admin.listen, proxy.threads.*, proxy.pool.*, proxy.timeouts.poolIdle, "
			"proxy.dns.cacheTime, proxy.user and proxy.group take effect only after a restart");
	}

	// The access logger's channel is prepared for one format at start, so the
	// format stays too.
	if (settings->accessLogFormat != running->accessLogFormat)
	{
		logger.warning("proxy.accessLog.format takes effect only after a restart");
		auto withRunningFormat = std::make_shared<config::Settings>(*settings);
		withRunningFormat->accessLogFormat = running->accessLogFormat;
		settings = withRunningFormat;
	}
	// The HAR writer owns its file and a thread from the start, so the
	// tracing properties stay as they were, as one set.
	if (tracingProperties() != tracingBefore)
	{
		logger.warning("proxy.trace.* and proxy.har.* take effect only after a restart");
	}

	try
	{
		Poco::Util::LoggingConfigurator configurator;
		configurator.configure(Poco::AutoPtr<Poco::Util::AbstractConfiguration>(&config(), true));
	}
	catch (const Poco::Exception& e)
	{
		logger.error("reload: invalid logging.* configuration, logging unchanged: " + e.displayText());
	}
	observe::useAccessLogFormat(settings->accessLogFormat);

	holder.set(settings);
	Poco::Logger::get("fwdproxy").notice("configuration reloaded; new connections use it");
}


int ProxyApplication::main(const std::vector<std::string>&)
{
	if (_helpRequested) return Application::EXIT_OK;
	if (!_hashUser.empty()) return printPasswordEntry();
	if (_configFailed) return Application::EXIT_CONFIG;

	// Declared first, so that it outlives the TLS contexts in the settings.
	TlsLibrary tlsLibrary;

	warnUnknownKeys();
	config::SettingsPtr settings = loadSettings(true);
	if (!settings) return Application::EXIT_CONFIG;
	if (_checkOnly)
	{
		std::cout << "fwdproxy: configuration valid: " << sourceOf("") << std::endl;
		return Application::EXIT_OK;
	}

	observe::useAccessLogFormat(settings->accessLogFormat);
	config::SettingsHolder holder(settings);
	server::ProxyServer server(holder);
	admin::AdminServer adminServer(holder, server);
	if (!startServing(server, adminServer, *settings)) return Application::EXIT_OSERR;

	Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	while (waitForControlSignal() == ControlSignal::Reload) reload(holder);

	// The admin listener goes first: it reads the proxy's listeners, which stop() clears.
	logger.notice("stopping: no new connections; waiting for running exchanges");
	adminServer.stop();
	server.stop();
	logger.notice("stopped");
	return Application::EXIT_OK;
}


} } // namespace fwdproxy::app
