//
// PacFileTest.cpp
//
// The proxy auto-config file built from proxy.pac.direct and proxy.pac.proxy.
// The integration test test_admin.py runs the file in Node.js.
//

#include "fwdproxy/admin/PacFile.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::admin::pacProxyAddress;
using fwdproxy::admin::renderPacFile;
using fwdproxy::config::PacDirectRule;
using fwdproxy::config::Settings;
using Poco::Net::SocketAddress;


namespace {


PacDirectRule rule(PacDirectRule::Kind kind, const std::string& value, const std::string& address = "",
	const std::string& mask = "")
{
	PacDirectRule result;
	result.kind = kind;
	result.value = value;
	result.address = address;
	result.mask = mask;
	return result;
}


} // namespace


class PacFileTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PacFileTest);
	CPPUNIT_TEST(testRendersEveryRuleKind);
	CPPUNIT_TEST(testWithoutNetworksSkipsLookup);
	CPPUNIT_TEST(testProxyAddressFromListener);
	CPPUNIT_TEST(testProxyAddressPrefersProperty);
	CPPUNIT_TEST(testWildcardListenerHasNoAddress);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRendersEveryRuleKind()
	{
		std::vector<PacDirectRule> rules = {
			rule(PacDirectRule::Kind::Host, "localhost"),
			rule(PacDirectRule::Kind::Network, "10.0.0.0/8", "10.0.0.0", "255.0.0.0"),
			rule(PacDirectRule::Kind::Domain, ".internal"),
			rule(PacDirectRule::Kind::Pattern, "*.corp.example"),
		};
		std::string expected =
			"// Proxy auto-config file written by fwdproxy from proxy.pac.direct and proxy.pac.proxy.\n"
			"function FindProxyForURL(url, host) {\n"
			"    host = host.toLowerCase();\n"
			"    if (host == \"localhost\") return \"DIRECT\";\n"
			"    if (host == \"internal\" || dnsDomainIs(host, \".internal\")) return \"DIRECT\";\n"
			"    if (shExpMatch(host, \"*.corp.example\")) return \"DIRECT\";\n"
			"    var address = /^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$/.test(host) ? host : dnsResolve(host);\n"
			"    if (address) {\n"
			"        if (isInNet(address, \"10.0.0.0\", \"255.0.0.0\")) return \"DIRECT\";\n"
			"    }\n"
			"    return \"PROXY proxy.example.net:3128\";\n"
			"}\n";
		CPPUNIT_ASSERT_EQUAL(expected, renderPacFile(rules, "proxy.example.net:3128"));
	}

	void testWithoutNetworksSkipsLookup()
	{
		std::string file = renderPacFile({rule(PacDirectRule::Kind::Host, "localhost")}, "192.0.2.1:3128");
		CPPUNIT_ASSERT_MESSAGE(file, file.find("dnsResolve") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(file, file.find("return \"PROXY 192.0.2.1:3128\";") != std::string::npos);

		file = renderPacFile({}, "192.0.2.1:3128");
		CPPUNIT_ASSERT_MESSAGE(file, file.find("DIRECT") == std::string::npos);
	}

	void testProxyAddressFromListener()
	{
		Settings settings;
		CPPUNIT_ASSERT_EQUAL("192.0.2.1:3128"s, pacProxyAddress(settings, {SocketAddress("192.0.2.1:3128"), SocketAddress("0.0.0.0:8080")}));
		CPPUNIT_ASSERT_EQUAL("[2001:db8::1]:3128"s, pacProxyAddress(settings, {SocketAddress("[2001:db8::1]:3128")}));
	}

	void testProxyAddressPrefersProperty()
	{
		Settings settings;
		settings.pacProxy = "proxy.example.net:3128";
		CPPUNIT_ASSERT_EQUAL("proxy.example.net:3128"s, pacProxyAddress(settings, {SocketAddress("0.0.0.0:3128")}));
	}

	void testWildcardListenerHasNoAddress()
	{
		Settings settings;
		CPPUNIT_ASSERT_EQUAL(""s, pacProxyAddress(settings, {SocketAddress("0.0.0.0:3128")}));
		CPPUNIT_ASSERT_EQUAL(""s, pacProxyAddress(settings, {SocketAddress("[::]:3128")}));
		CPPUNIT_ASSERT_EQUAL(""s, pacProxyAddress(settings, {}));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(PacFileTest);
