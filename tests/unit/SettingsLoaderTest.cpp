//
// SettingsLoaderTest.cpp
//
// Reading and checking the proxy.* properties. Every listen address here is
// numeric or invalid before any name lookup, so no test resolves a host name.
//

#include "fwdproxy/config/SettingsLoader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Util/MapConfiguration.h>

#include <cppunit/extensions/HelperMacros.h>

#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>


using namespace std::string_literals;
using fwdproxy::config::PacDirectRule;
using fwdproxy::config::SettingsLoader;
using fwdproxy::observe::AccessLogFormat;
using fwdproxy::config::SettingsPtr;
using Poco::Net::IPAddress;
using Poco::Net::SocketAddress;


namespace {


using Properties = std::vector<std::pair<std::string, std::string>>;


const std::string FILE_SOURCE = "/etc/fwdproxy/fwdproxy.properties";
const std::string COMMAND_LINE_SOURCE = "command line";


struct LoadResult
{
	SettingsPtr settings;
	std::vector<std::string> problems;
};


// Loads properties. Keys listed in fromCommandLine report the command line as
// their source, and all others the properties file.
LoadResult load(const Properties& properties, const std::vector<std::string>& fromCommandLine = {})
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> configuration(new Poco::Util::MapConfiguration);
	for (const auto& property: properties) configuration->setString(property.first, property.second);

	SettingsLoader loader(*configuration, [fromCommandLine](const std::string& key) {
		for (const std::string& commandLineKey: fromCommandLine)
		{
			if (key == commandLineKey) return COMMAND_LINE_SOURCE;
		}
		return FILE_SOURCE;
	});

	LoadResult result;
	result.settings = loader.load();
	result.problems = loader.problems();
	return result;
}


std::string describe(const LoadResult& result)
{
	std::string text = result.settings ? "loaded" : "not loaded";
	for (const std::string& problem: result.problems) text += "\n  " + problem;
	return text;
}


// Checks that a single invalid value is reported as one problem that names
// where it came from, the key and the value as written.
void assertOneProblem(const std::string& key, const std::string& value, const std::string& reportedValue)
{
	LoadResult result = load({{key, value}});
	std::string context = key + " = '" + value + "': " + describe(result);
	CPPUNIT_ASSERT_MESSAGE(context, result.settings == nullptr);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::size_t(1), result.problems.size());

	const std::string& problem = result.problems.front();
	CPPUNIT_ASSERT_MESSAGE(context, problem.compare(0, FILE_SOURCE.size() + 2, FILE_SOURCE + ": ") == 0);
	CPPUNIT_ASSERT_MESSAGE(context, problem.find(key) != std::string::npos);
	CPPUNIT_ASSERT_MESSAGE(context, problem.find("'" + reportedValue + "'") != std::string::npos);
}


void assertOneProblem(const std::string& key, const std::string& value)
{
	assertOneProblem(key, value, value);
}


} // namespace


class SettingsLoaderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SettingsLoaderTest);
	CPPUNIT_TEST(testLoadsDefaults);
	CPPUNIT_TEST(testDefaultsCoverEveryKey);
	CPPUNIT_TEST(testReadsListenList);
	CPPUNIT_TEST(testReadsFractionalSeconds);
	CPPUNIT_TEST(testReadsIntegers);
	CPPUNIT_TEST(testReadsPolicyLists);
	CPPUNIT_TEST(testEmptyPseudonymDisablesVia);
	CPPUNIT_TEST(testRejectsInvalidListen);
	CPPUNIT_TEST(testRejectsEmptyListen);
	CPPUNIT_TEST(testRejectsListenPath);
	CPPUNIT_TEST(testRejectsInvalidTimeouts);
	CPPUNIT_TEST(testRejectsThreadsOutOfRange);
	CPPUNIT_TEST(testRejectsLimitsOutOfRange);
	CPPUNIT_TEST(testRejectsBadCidr);
	CPPUNIT_TEST(testRejectsBadPortList);
	CPPUNIT_TEST(testRejectsPseudonymWithSpace);
	CPPUNIT_TEST(testReportsEveryProblem);
	CPPUNIT_TEST(testNamesSourceOfEachValue);
	CPPUNIT_TEST(testClearsProblemsOnReload);
	CPPUNIT_TEST(testLoadsObservabilityDefaults);
	CPPUNIT_TEST(testReadsAccessLogFormat);
	CPPUNIT_TEST(testEmptyAdminListenTurnsItOff);
	CPPUNIT_TEST(testReadsPacRules);
	CPPUNIT_TEST(testReadsPacProxy);
	CPPUNIT_TEST(testRejectsInvalidObservability);
	CPPUNIT_TEST(testReadsListenMarks);
	CPPUNIT_TEST(testRejectsBadListenMarks);
	CPPUNIT_TEST(testTlsListenerNeedsCertificate);
	CPPUNIT_TEST(testReadsParentsInOrder);
	CPPUNIT_TEST(testReadsCredentialsFromFile);
	CPPUNIT_TEST(testReadsCredentialsFromEnvironment);
	CPPUNIT_TEST(testRejectsBadParents);
	CPPUNIT_TEST(testParentProblemsHidePassword);
	CPPUNIT_TEST(testRejectsSecondCredentialsSource);
	CPPUNIT_TEST(testRejectsBadDirectList);
	CPPUNIT_TEST(testReadsOutgoingAddresses);
	CPPUNIT_TEST(testRejectsBadOutgoingAddresses);
	CPPUNIT_TEST(testTracingOffByDefault);
	CPPUNIT_TEST(testReadsTracing);
	CPPUNIT_TEST(testRejectsInvalidTracing);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLoadsDefaults()
	{
		LoadResult result = load({});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT(result.problems.empty());

		const fwdproxy::config::Settings& settings = *result.settings;
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), settings.listen.size());
		CPPUNIT_ASSERT(settings.listen[0].address == SocketAddress("0.0.0.0:3128"));
		CPPUNIT_ASSERT(settings.clientsAllow.contains(IPAddress("127.0.0.1")));
		CPPUNIT_ASSERT(settings.clientsAllow.contains(IPAddress("192.168.1.10")));
		CPPUNIT_ASSERT(settings.connectPorts.contains(443));
		CPPUNIT_ASSERT(!settings.connectPorts.contains(80));
		CPPUNIT_ASSERT(settings.denyNetworks.contains(IPAddress("169.254.169.254")));
		CPPUNIT_ASSERT_EQUAL("fwdproxy"s, settings.viaPseudonym);
		CPPUNIT_ASSERT_EQUAL("1.1 fwdproxy"s, settings.via());
		CPPUNIT_ASSERT_EQUAL(1024, settings.maxThreads);
		CPPUNIT_ASSERT_EQUAL(256, settings.maxQueued);
		CPPUNIT_ASSERT_EQUAL(256, settings.stackSizeKiB);
		CPPUNIT_ASSERT_EQUAL(10000LL, static_cast<long long>(settings.connectTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(30000LL, static_cast<long long>(settings.headerTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(60000LL, static_cast<long long>(settings.idleTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(60000LL, static_cast<long long>(settings.responseTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(300000LL, static_cast<long long>(settings.tunnelIdleTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(1000LL, static_cast<long long>(settings.expectContinueTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(10000LL, static_cast<long long>(settings.shutdownGrace.count()));
		CPPUNIT_ASSERT_EQUAL(std::size_t(65536), settings.maxHeadSize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(8192), settings.maxTargetLength);
	}

	void testDefaultsCoverEveryKey()
	{
		// Setting every key to its own default must load, so each default passes its own check.
		Properties properties;
		for (std::size_t i = 0; SettingsLoader::DEFAULTS[i][0] != nullptr; ++i)
		{
			properties.emplace_back(SettingsLoader::DEFAULTS[i][0], SettingsLoader::DEFAULTS[i][1]);
		}
		CPPUNIT_ASSERT(!properties.empty());

		LoadResult result = load(properties);
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
	}

	void testReadsListenList()
	{
		LoadResult result = load({{"proxy.listen", "127.0.0.1:0, [::1]:3128"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), result.settings->listen.size());
		CPPUNIT_ASSERT(result.settings->listen[0].address == SocketAddress("127.0.0.1:0"));
		CPPUNIT_ASSERT(result.settings->listen[1].address == SocketAddress("[::1]:3128"));
	}

	void testReadsFractionalSeconds()
	{
		LoadResult result = load({
			{"proxy.timeouts.connect", "0.5"},
			{"proxy.timeouts.header", " 2 "},
			{"proxy.timeouts.idle", "0.0001"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(500LL, static_cast<long long>(result.settings->connectTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(2000LL, static_cast<long long>(result.settings->headerTimeout.count()));
		CPPUNIT_ASSERT_EQUAL(1LL, static_cast<long long>(result.settings->idleTimeout.count()));
	}

	void testReadsIntegers()
	{
		LoadResult result = load({
			{"proxy.threads.max", "8"},
			{"proxy.threads.queue", "1"},
			{"proxy.threads.stackSize", "64"},
			{"proxy.limits.maxHeadSize", "1024"},
			{"proxy.limits.maxTargetLength", "64"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(8, result.settings->maxThreads);
		CPPUNIT_ASSERT_EQUAL(1, result.settings->maxQueued);
		CPPUNIT_ASSERT_EQUAL(64, result.settings->stackSizeKiB);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1024), result.settings->maxHeadSize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(64), result.settings->maxTargetLength);
	}

	void testReadsPolicyLists()
	{
		LoadResult result = load({
			{"proxy.clients.allow", "192.0.2.0/24"},
			{"proxy.connect.ports", "443, 8443, 9000-9100"},
			{"proxy.destinations.denyNetworks", ""},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT(result.settings->clientsAllow.contains(IPAddress("192.0.2.99")));
		CPPUNIT_ASSERT(!result.settings->clientsAllow.contains(IPAddress("127.0.0.1")));
		CPPUNIT_ASSERT(result.settings->connectPorts.contains(9050));
		CPPUNIT_ASSERT(result.settings->denyNetworks.empty());
	}

	void testEmptyPseudonymDisablesVia()
	{
		LoadResult result = load({{"proxy.via.pseudonym", ""}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(""s, result.settings->via());
	}

	void testRejectsInvalidListen()
	{
		assertOneProblem("proxy.listen", "127.0.0.1");
		assertOneProblem("proxy.listen", "127.0.0.1:99999");
		assertOneProblem("proxy.listen", "127.0.0.1:-1");
		assertOneProblem("proxy.listen", "[::1:3128");
		assertOneProblem("proxy.listen", "[::1]");
	}

	void testRejectsEmptyListen()
	{
		assertOneProblem("proxy.listen", "");
		assertOneProblem("proxy.listen", " , ");
	}

	void testRejectsListenPath()
	{
		// A path names a Unix domain socket, which has no client address for proxy.clients.allow.
		assertOneProblem("proxy.listen", "/run/fwdproxy.sock");
	}

	void testRejectsInvalidTimeouts()
	{
		for (const char* value: {"abc", "0", "-1", "0.0", "", "10s", "inf", "nan", "1e400", "31536001"})
		{
			assertOneProblem("proxy.timeouts.header", value);
		}
		assertOneProblem("proxy.timeouts.connect", "-0.5");
		assertOneProblem("proxy.timeouts.tunnelIdle", "abc");
		assertOneProblem("proxy.timeouts.shutdownGrace", " 0 ", "0");
	}

	void testRejectsThreadsOutOfRange()
	{
		for (const char* value: {"0", "-1", "100001", "abc", "1.5", "", "99999999999999999999"})
		{
			assertOneProblem("proxy.threads.max", value);
		}
		assertOneProblem("proxy.threads.queue", "0");
		assertOneProblem("proxy.threads.queue", "-1");
		assertOneProblem("proxy.threads.queue", "100001");
		assertOneProblem("proxy.threads.stackSize", "63");
		assertOneProblem("proxy.threads.stackSize", "65537");
	}

	void testRejectsLimitsOutOfRange()
	{
		assertOneProblem("proxy.limits.maxHeadSize", "1023");
		assertOneProblem("proxy.limits.maxHeadSize", "16777217");
		assertOneProblem("proxy.limits.maxTargetLength", "63");
		assertOneProblem("proxy.limits.maxTargetLength", "8k");
	}

	void testRejectsBadCidr()
	{
		assertOneProblem("proxy.clients.allow", "10.0.0.0/33");
		assertOneProblem("proxy.clients.allow", "10.0.0.0/8, banana", "banana");
		assertOneProblem("proxy.destinations.denyNetworks", "::/129");
		assertOneProblem("proxy.destinations.denyNetworks", "127.0.0.0/8, 169.254.0.0/", "169.254.0.0/");
	}

	void testRejectsBadPortList()
	{
		assertOneProblem("proxy.connect.ports", "0");
		assertOneProblem("proxy.connect.ports", "65536");
		assertOneProblem("proxy.connect.ports", "443, 9100-9000", "9100-9000");
		assertOneProblem("proxy.connect.ports", "https");
	}

	void testRejectsPseudonymWithSpace()
	{
		assertOneProblem("proxy.via.pseudonym", "my proxy");
		assertOneProblem("proxy.via.pseudonym", "gw1,gw2");
		assertOneProblem("proxy.via.pseudonym", "gw(1)");
	}

	void testReportsEveryProblem()
	{
		const Properties bad = {
			{"proxy.listen", "127.0.0.1"},
			{"proxy.clients.allow", "10.0.0.0/33"},
			{"proxy.connect.ports", "0"},
			{"proxy.destinations.denyNetworks", "banana"},
			{"proxy.via.pseudonym", "my proxy"},
			{"proxy.threads.max", "0"},
			{"proxy.timeouts.connect", "abc"},
			{"proxy.timeouts.idle", "-1"},
			{"proxy.limits.maxHeadSize", "1"},
		};
		LoadResult result = load(bad);
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings == nullptr);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(result), bad.size(), result.problems.size());

		for (const auto& property: bad)
		{
			std::size_t mentions = 0;
			for (const std::string& problem: result.problems)
			{
				if (problem.find(property.first + " = '") != std::string::npos) ++mentions;
			}
			CPPUNIT_ASSERT_EQUAL_MESSAGE(property.first + "\n" + describe(result), std::size_t(1), mentions);
		}
	}

	void testNamesSourceOfEachValue()
	{
		LoadResult result = load({
			{"proxy.threads.max", "0"},
			{"proxy.timeouts.connect", "abc"},
		}, {"proxy.timeouts.connect"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(result), std::size_t(2), result.problems.size());

		for (const std::string& problem: result.problems)
		{
			bool fromCommandLine = problem.find("proxy.timeouts.connect") != std::string::npos;
			const std::string& source = fromCommandLine ? COMMAND_LINE_SOURCE : FILE_SOURCE;
			CPPUNIT_ASSERT_MESSAGE(problem, problem.compare(0, source.size() + 2, source + ": ") == 0);
		}
	}

	void testClearsProblemsOnReload()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> configuration(new Poco::Util::MapConfiguration);
		configuration->setString("proxy.threads.max", "0");
		SettingsLoader loader(*configuration, [](const std::string&) { return FILE_SOURCE; });
		CPPUNIT_ASSERT(loader.load() == nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), loader.problems().size());

		configuration->setString("proxy.threads.max", "4");
		CPPUNIT_ASSERT(loader.load() != nullptr);
		CPPUNIT_ASSERT(loader.problems().empty());
	}

	void testLoadsObservabilityDefaults()
	{
		LoadResult result = load({});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);

		const fwdproxy::config::Settings& settings = *result.settings;
		CPPUNIT_ASSERT(settings.accessLogFormat == AccessLogFormat::Native);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), settings.adminListen.size());
		CPPUNIT_ASSERT(settings.adminListen[0] == SocketAddress("127.0.0.1:9128"));
		CPPUNIT_ASSERT(settings.adminClientsAllow.contains(IPAddress("127.0.0.1")));
		CPPUNIT_ASSERT(settings.adminClientsAllow.contains(IPAddress("::1")));
		CPPUNIT_ASSERT(!settings.adminClientsAllow.contains(IPAddress("192.168.1.10")));
		CPPUNIT_ASSERT_EQUAL(""s, settings.pacProxy);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), settings.pacDirect.size());
	}

	void testReadsAccessLogFormat()
	{
		const std::vector<std::pair<std::string, AccessLogFormat>> cases = {
			{"native", AccessLogFormat::Native},
			{"squid", AccessLogFormat::Squid},
			{" Common ", AccessLogFormat::Common},
			{"COMBINED", AccessLogFormat::Combined},
		};
		for (const auto& example: cases)
		{
			LoadResult result = load({{"proxy.accessLog.format", example.first}});
			CPPUNIT_ASSERT_MESSAGE(example.first + ": " + describe(result), result.settings != nullptr);
			CPPUNIT_ASSERT_MESSAGE(example.first, result.settings->accessLogFormat == example.second);
		}
	}

	void testEmptyAdminListenTurnsItOff()
	{
		LoadResult result = load({{"proxy.admin.listen", ""}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT(result.settings->adminListen.empty());

		result = load({{"proxy.admin.listen", "127.0.0.1:0, [::1]:9128"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), result.settings->adminListen.size());
		CPPUNIT_ASSERT(result.settings->adminListen[1] == SocketAddress("[::1]:9128"));
	}

	void testReadsPacRules()
	{
		LoadResult result = load({{"proxy.pac.direct", "LocalHost, .Internal, *.corp.example, 10.1.2.3/8, 192.0.2.7"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);

		const std::vector<PacDirectRule>& rules = result.settings->pacDirect;
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), rules.size());
		CPPUNIT_ASSERT(rules[0].kind == PacDirectRule::Kind::Host);
		CPPUNIT_ASSERT_EQUAL("localhost"s, rules[0].value);
		CPPUNIT_ASSERT(rules[1].kind == PacDirectRule::Kind::Domain);
		CPPUNIT_ASSERT_EQUAL(".internal"s, rules[1].value);
		CPPUNIT_ASSERT(rules[2].kind == PacDirectRule::Kind::Pattern);
		CPPUNIT_ASSERT_EQUAL("*.corp.example"s, rules[2].value);
		CPPUNIT_ASSERT(rules[3].kind == PacDirectRule::Kind::Network);
		CPPUNIT_ASSERT_EQUAL("10.0.0.0"s, rules[3].address);
		CPPUNIT_ASSERT_EQUAL("255.0.0.0"s, rules[3].mask);
		CPPUNIT_ASSERT(rules[4].kind == PacDirectRule::Kind::Network);
		CPPUNIT_ASSERT_EQUAL("192.0.2.7"s, rules[4].address);
		CPPUNIT_ASSERT_EQUAL("255.255.255.255"s, rules[4].mask);
	}

	void testReadsPacProxy()
	{
		LoadResult result = load({{"proxy.pac.proxy", " Proxy.Example.net:3128 "}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL("proxy.example.net:3128"s, result.settings->pacProxy);

		result = load({{"proxy.pac.proxy", "[2001:db8::1]:3128"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL("[2001:db8::1]:3128"s, result.settings->pacProxy);
	}

	void testRejectsInvalidObservability()
	{
		assertOneProblem("proxy.accessLog.format", "apache");
		assertOneProblem("proxy.accessLog.format", "");
		assertOneProblem("proxy.admin.listen", "localhost:9128");
		assertOneProblem("proxy.admin.listen", "127.0.0.1");
		assertOneProblem("proxy.admin.clients.allow", "everyone");
		assertOneProblem("proxy.pac.proxy", "proxy.example.net");
		assertOneProblem("proxy.pac.proxy", "proxy.example.net:0");
		assertOneProblem("proxy.pac.proxy", "\"quoted\":3128");
		assertOneProblem("proxy.pac.direct", "fc00::/7");
		assertOneProblem("proxy.pac.direct", "10.0.0.0/33");
		assertOneProblem("proxy.pac.direct", "localhost, bad\"name", "bad\"name");
		assertOneProblem("proxy.pac.direct", "a b");
		assertOneProblem("proxy.pac.direct", ".");
	}

	void testReadsListenMarks()
	{
		LoadResult result = load({{"proxy.listen", "127.0.0.1:0, proxy:[::1]:3130, PROXY:127.0.0.1:3131"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		const auto& listen = result.settings->listen;
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), listen.size());
		CPPUNIT_ASSERT(!listen[0].proxyProtocol && !listen[0].tls);
		CPPUNIT_ASSERT(listen[1].proxyProtocol && !listen[1].tls);
		CPPUNIT_ASSERT(listen[1].address == SocketAddress("[::1]:3130"));
		CPPUNIT_ASSERT(listen[2].proxyProtocol);
		CPPUNIT_ASSERT(result.settings->tlsServerContext.isNull());
	}

	void testRejectsBadListenMarks()
	{
		assertOneProblem("proxy.listen", "ssl:127.0.0.1:3129");
		assertOneProblem("proxy.listen", "tls+tls:127.0.0.1:3129");
		assertOneProblem("proxy.listen", "proxy+:127.0.0.1:3129");
		assertOneProblem("proxy.listen", "tls");
		assertOneProblem("proxy.listen", "localhost:3128");
		assertOneProblem("proxy.listen", "tls:localhost:3128");
	}

	void testTlsListenerNeedsCertificate()
	{
		for (const char* listen: {"tls:127.0.0.1:0", "proxy+tls:127.0.0.1:0", "tls+proxy:127.0.0.1:0"})
		{
			LoadResult result = load({{"proxy.listen", listen}});
			CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings == nullptr);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(result), std::size_t(1), result.problems.size());
			CPPUNIT_ASSERT_MESSAGE(describe(result), result.problems[0].find("proxy.tls.certificate") != std::string::npos);
		}

		LoadResult missing = load({{"proxy.listen", "tls:127.0.0.1:0"}, {"proxy.tls.certificate", "/nonexistent/cert.pem"}});
		CPPUNIT_ASSERT_MESSAGE(describe(missing), missing.settings == nullptr);
		CPPUNIT_ASSERT_MESSAGE(describe(missing), missing.problems[0].find("/nonexistent/cert.pem") != std::string::npos);
	}

	void testReadsParentsInOrder()
	{
		LoadResult result = load({
			{"proxy.upstream.order", "corp, backup"},
			{"proxy.upstream.corp.url", "http://alice:secret@127.0.0.1:3128"},
			{"proxy.upstream.corp.destinations", ".example.com, 10.0.0.0/8"},
			{"proxy.upstream.backup.url", "socks5://127.0.0.1:1080"},
			{"proxy.upstream.unused.url", "not a url"},
			{"proxy.direct", "localhost, .internal"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);

		const fwdproxy::upstream::Router& router = result.settings->router;
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), router.parents().size());
		CPPUNIT_ASSERT_EQUAL("corp"s, router.parents()[0].name);
		CPPUNIT_ASSERT_EQUAL("alice"s, router.parents()[0].user);
		CPPUNIT_ASSERT_EQUAL("backup"s, router.parents()[1].name);

		// backup has no destinations key, which means every destination.
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), router.route("www.example.com").parents.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), router.route("example.org").parents.size());
		CPPUNIT_ASSERT(router.route("db.internal").direct());
	}

	void testReadsCredentialsFromFile()
	{
		Poco::TemporaryFile file;
		{
			std::ofstream out(file.path());
			out << "carol:pa:ss word\n";
		}
		LoadResult result = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "http://127.0.0.1:3128"},
			{"proxy.upstream.corp.credentialsFile", file.path()},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		const fwdproxy::upstream::ParentProxy& parent = result.settings->router.parents()[0];
		CPPUNIT_ASSERT(parent.hasCredentials);
		CPPUNIT_ASSERT_EQUAL("carol"s, parent.user);
		CPPUNIT_ASSERT_EQUAL("pa:ss word"s, parent.password);

		LoadResult unreadable = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "http://127.0.0.1:3128"},
			{"proxy.upstream.corp.credentialsFile", "/nonexistent/credentials"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(unreadable), unreadable.settings == nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), unreadable.problems.size());
		CPPUNIT_ASSERT(unreadable.problems[0].find("proxy.upstream.corp.credentialsFile") != std::string::npos);
	}

	void testReadsCredentialsFromEnvironment()
	{
		const std::string variable = "FWDPROXY_TEST_PARENT_CREDENTIALS";
		Poco::Environment::set(variable, "dave:Env-Secret-42");
		LoadResult result = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "socks5://127.0.0.1:1080"},
			{"proxy.upstream.corp.credentialsEnv", variable},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL("dave"s, result.settings->router.parents()[0].user);
		CPPUNIT_ASSERT_EQUAL("Env-Secret-42"s, result.settings->router.parents()[0].password);

		Poco::Environment::set(variable, "no colon here");
		LoadResult malformed = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "socks5://127.0.0.1:1080"},
			{"proxy.upstream.corp.credentialsEnv", variable},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(malformed), malformed.settings == nullptr);
		CPPUNIT_ASSERT(malformed.problems[0].find("no colon here") == std::string::npos);

		LoadResult unset = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "socks5://127.0.0.1:1080"},
			{"proxy.upstream.corp.credentialsEnv", "FWDPROXY_TEST_UNSET_VARIABLE"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(unset), unset.settings == nullptr);
		CPPUNIT_ASSERT(unset.problems[0].find("FWDPROXY_TEST_UNSET_VARIABLE") != std::string::npos);
	}

	void testRejectsBadParents()
	{
		const std::vector<Properties> cases = {
			{{"proxy.upstream.order", "corp"}},
			{{"proxy.upstream.order", "corp"}, {"proxy.upstream.corp.url", "ftp://127.0.0.1:21"}},
			{{"proxy.upstream.order", "corp"}, {"proxy.upstream.corp.url", "http://127.0.0.1:3128"},
				{"proxy.upstream.corp.destinations", "10.0.0.0/33"}},
			{{"proxy.upstream.order", "corp"}, {"proxy.upstream.corp.url", "http://127.0.0.1:3128"},
				{"proxy.upstream.corp.destination", ".example.com"}},
			{{"proxy.upstream.order", "corp"}, {"proxy.upstream.corp.url", "http://127.0.0.1:3128"},
				{"proxy.upstream.corp.verify", "maybe"}},
			{{"proxy.upstream.order", "corp"}, {"proxy.upstream.corp.url", "https://127.0.0.1:3128"},
				{"proxy.upstream.corp.caFile", "/nonexistent/ca.pem"}},
			{{"proxy.upstream.order", "corp, corp"}, {"proxy.upstream.corp.url", "http://127.0.0.1:3128"}},
			{{"proxy.upstream.order", "co.rp"}},
		};
		for (const Properties& properties: cases)
		{
			LoadResult result = load(properties);
			CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings == nullptr);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(describe(result), std::size_t(1), result.problems.size());
			CPPUNIT_ASSERT_MESSAGE(describe(result), result.problems[0].find("proxy.upstream.") != std::string::npos);
		}
	}

	void testParentProblemsHidePassword()
	{
		LoadResult result = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "http://alice:Sekr1t@127.0.0.1"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings == nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), result.problems.size());
		CPPUNIT_ASSERT_MESSAGE(result.problems[0], result.problems[0].find("Sekr1t") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(result.problems[0], result.problems[0].find("http://alice:****@127.0.0.1") != std::string::npos);
	}

	void testRejectsSecondCredentialsSource()
	{
		LoadResult result = load({
			{"proxy.upstream.order", "corp"},
			{"proxy.upstream.corp.url", "http://alice:secret@127.0.0.1:3128"},
			{"proxy.upstream.corp.credentialsEnv", "HOME"},
		});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings == nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), result.problems.size());
		CPPUNIT_ASSERT(result.problems[0].find("secret") == std::string::npos);
	}

	void testRejectsBadDirectList()
	{
		assertOneProblem("proxy.direct", "localhost, 192.168.0.0/40", "192.168.0.0/40");
		assertOneProblem("proxy.direct", ".");
	}

	void testReadsOutgoingAddresses()
	{
		LoadResult result = load({{"proxy.outgoing.address", "127.0.0.2, ::1"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), result.settings->outgoingAddresses.size());
		CPPUNIT_ASSERT(result.settings->outgoingAddresses[0] == IPAddress("127.0.0.2"));
		CPPUNIT_ASSERT(result.settings->outgoingAddresses[1] == IPAddress("::1"));
		CPPUNIT_ASSERT(load({}).settings->outgoingAddresses.empty());
	}

	void testRejectsBadOutgoingAddresses()
	{
		assertOneProblem("proxy.outgoing.address", "127.0.0.2, 127.0.0.3", "127.0.0.3");
		assertOneProblem("proxy.outgoing.address", "::1, 2001:db8::1", "2001:db8::1");
		assertOneProblem("proxy.outgoing.address", "egress.invalid");
		assertOneProblem("proxy.outgoing.address", "127.0.0.0/8");
	}

	void testTracingOffByDefault()
	{
		LoadResult result = load({});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);
		const fwdproxy::config::Settings& settings = *result.settings;
		CPPUNIT_ASSERT(!settings.tracing.trace);
		CPPUNIT_ASSERT(!settings.tracing.showSecrets);
		CPPUNIT_ASSERT(settings.tracing.hosts.empty());
		CPPUNIT_ASSERT(settings.tracing.methods.empty());
		CPPUNIT_ASSERT_EQUAL(""s, settings.tracing.harFile);
		CPPUNIT_ASSERT_EQUAL(std::size_t(65536), settings.tracing.harMaxBodySize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), settings.tracing.harMaxEntries);
	}

	void testReadsTracing()
	{
		LoadResult result = load({{"proxy.trace", "true"}, {"proxy.trace.secrets", "yes"},
			{"proxy.trace.hosts", "example.com, .example.net, ~api[0-9]+\\.test"}, {"proxy.trace.methods", "GET, CONNECT"},
			{"proxy.har.file", "/tmp/fwdproxy-settings-test.har"}, {"proxy.har.maxBodySize", "0"},
			{"proxy.har.maxEntries", "5"}});
		CPPUNIT_ASSERT_MESSAGE(describe(result), result.settings != nullptr);

		const fwdproxy::config::Settings& settings = *result.settings;
		CPPUNIT_ASSERT(settings.tracing.trace);
		CPPUNIT_ASSERT(settings.tracing.showSecrets);
		CPPUNIT_ASSERT(settings.tracing.hosts.matches("example.com"));
		CPPUNIT_ASSERT(settings.tracing.hosts.matches("www.example.net"));
		CPPUNIT_ASSERT(settings.tracing.hosts.matches("api12.test"));
		CPPUNIT_ASSERT(!settings.tracing.hosts.matches("www.example.com"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), settings.tracing.methods.size());
		CPPUNIT_ASSERT_EQUAL("GET"s, settings.tracing.methods[0]);
		CPPUNIT_ASSERT_EQUAL("CONNECT"s, settings.tracing.methods[1]);
		CPPUNIT_ASSERT_EQUAL("/tmp/fwdproxy-settings-test.har"s, settings.tracing.harFile);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), settings.tracing.harMaxBodySize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), settings.tracing.harMaxEntries);
	}

	void testRejectsInvalidTracing()
	{
		assertOneProblem("proxy.trace", "sometimes");
		assertOneProblem("proxy.trace.secrets", "2");
		assertOneProblem("proxy.trace.hosts", "example.com, ~(", "~(");
		assertOneProblem("proxy.trace.methods", "GET, GET /", "GET /");
		assertOneProblem("proxy.har.file", "/nonexistent-fwdproxy-directory/out.har");
		assertOneProblem("proxy.har.file", "/tmp");
		assertOneProblem("proxy.har.maxBodySize", "-1");
		assertOneProblem("proxy.har.maxEntries", "0");
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(SettingsLoaderTest);
