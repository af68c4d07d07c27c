//
// ParentProxyTest.cpp
//
// Parent proxy URLs, credentials and how a parent is named and pooled.
// Nothing here connects or resolves a name.
//

#include "fwdproxy/upstream/ParentProxy.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::upstream::ParentProxy;
using fwdproxy::upstream::ParentScheme;


namespace {


ParentProxy parseValid(const std::string& url)
{
	ParentProxy parent;
	std::string error;
	CPPUNIT_ASSERT_MESSAGE(url + ": " + error, fwdproxy::upstream::parseParentUrl(url, parent, error));
	return parent;
}


} // namespace


class ParentProxyTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ParentProxyTest);
	CPPUNIT_TEST(testParsesHttpUrl);
	CPPUNIT_TEST(testParsesSchemesInAnyCase);
	CPPUNIT_TEST(testParsesIpv6Host);
	CPPUNIT_TEST(testDecodesCredentials);
	CPPUNIT_TEST(testRejectsInvalidUrls);
	CPPUNIT_TEST(testErrorsNeverShowPassword);
	CPPUNIT_TEST(testLimitsSocksCredentials);
	CPPUNIT_TEST(testRedactsPassword);
	CPPUNIT_TEST(testParsesCredentialsLine);
	CPPUNIT_TEST(testBuildsProxyAuthorization);
	CPPUNIT_TEST(testLabelsWithoutPassword);
	CPPUNIT_TEST(testPoolsByParentOrDestination);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesHttpUrl()
	{
		ParentProxy parent = parseValid("http://proxy.corp.example:3128");
		CPPUNIT_ASSERT(parent.scheme == ParentScheme::Http);
		CPPUNIT_ASSERT_EQUAL("proxy.corp.example"s, parent.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(3128), parent.port);
		CPPUNIT_ASSERT(!parent.hasCredentials);

		ParentProxy withSlash = parseValid("http://127.0.0.1:8080/");
		CPPUNIT_ASSERT_EQUAL("127.0.0.1"s, withSlash.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(8080), withSlash.port);
	}

	void testParsesSchemesInAnyCase()
	{
		CPPUNIT_ASSERT(parseValid("HTTPS://Proxy.Example:443").scheme == ParentScheme::Https);
		CPPUNIT_ASSERT_EQUAL("proxy.example"s, parseValid("HTTPS://Proxy.Example:443").host);
		CPPUNIT_ASSERT(parseValid("socks5://127.0.0.1:1080").scheme == ParentScheme::Socks5);
		CPPUNIT_ASSERT(parseValid("Socks5h://127.0.0.1:1080").scheme == ParentScheme::Socks5);
	}

	void testParsesIpv6Host()
	{
		ParentProxy parent = parseValid("http://[2001:db8::1]:3128");
		CPPUNIT_ASSERT_EQUAL("2001:db8::1"s, parent.host);
		CPPUNIT_ASSERT_EQUAL("[2001:db8::1]:3128"s, parent.hostPort());
	}

	void testDecodesCredentials()
	{
		ParentProxy parent = parseValid("http://alice:s%40cr%3At@127.0.0.1:3128");
		CPPUNIT_ASSERT(parent.hasCredentials);
		CPPUNIT_ASSERT_EQUAL("alice"s, parent.user);
		CPPUNIT_ASSERT_EQUAL("s@cr:t"s, parent.password);

		// The last @ ends the credentials, so a raw @ in the password still parses.
		ParentProxy rawAt = parseValid("socks5://bob:p@ss@127.0.0.1:1080");
		CPPUNIT_ASSERT_EQUAL("bob"s, rawAt.user);
		CPPUNIT_ASSERT_EQUAL("p@ss"s, rawAt.password);

		ParentProxy emptyPassword = parseValid("http://carol:@127.0.0.1:3128");
		CPPUNIT_ASSERT(emptyPassword.hasCredentials);
		CPPUNIT_ASSERT_EQUAL(""s, emptyPassword.password);
	}

	void testRejectsInvalidUrls()
	{
		const std::vector<std::string> urls = {
			"",
			"127.0.0.1:3128",
			"ftp://127.0.0.1:21",
			"socks4://127.0.0.1:1080",
			"http://127.0.0.1",
			"http://127.0.0.1:",
			"http://127.0.0.1:0",
			"http://127.0.0.1:65536",
			"http://127.0.0.1:3128/path",
			"http://127.0.0.1:3128?x",
			"http://:3128",
			"http://[::1:3128",
			"http://bad host:3128",
			"http://alice@127.0.0.1:3128",
			"http://:secret@127.0.0.1:3128",
			"http://alice:bad%zzsecret@127.0.0.1:3128",
		};
		for (const std::string& url: urls)
		{
			ParentProxy parent;
			std::string error;
			CPPUNIT_ASSERT_MESSAGE("'" + url + "' should be rejected", !fwdproxy::upstream::parseParentUrl(url, parent, error));
			CPPUNIT_ASSERT_MESSAGE("'" + url + "' rejected without a reason", !error.empty());
		}
	}

	void testErrorsNeverShowPassword()
	{
		for (const std::string& url: {"http://alice:Sekr1t@127.0.0.1"s, "http://alice:Sekr1t%zz@127.0.0.1:1"s, "gopher://alice:Sekr1t@h:1"s})
		{
			ParentProxy parent;
			std::string error;
			CPPUNIT_ASSERT(!fwdproxy::upstream::parseParentUrl(url, parent, error));
			CPPUNIT_ASSERT_MESSAGE(error, error.find("Sekr1t") == std::string::npos);
		}
	}

	void testLimitsSocksCredentials()
	{
		ParentProxy parent;
		std::string error;
		std::string longUser(256, 'u');
		CPPUNIT_ASSERT(!fwdproxy::upstream::parseParentUrl("socks5://" + longUser + ":p@127.0.0.1:1080", parent, error));
		CPPUNIT_ASSERT(!fwdproxy::upstream::parseParentUrl("socks5://user:@127.0.0.1:1080", parent, error));
		CPPUNIT_ASSERT(fwdproxy::upstream::parseParentUrl("socks5://" + std::string(255, 'u') + ":p@127.0.0.1:1080", parent, error));
	}

	void testRedactsPassword()
	{
		CPPUNIT_ASSERT_EQUAL("http://alice:****@127.0.0.1:3128"s, fwdproxy::upstream::redactUrl("http://alice:secret@127.0.0.1:3128"));
		CPPUNIT_ASSERT_EQUAL("socks5://bob:****@h:1"s, fwdproxy::upstream::redactUrl("socks5://bob:p@ss@h:1"));
		CPPUNIT_ASSERT_EQUAL("http://127.0.0.1:3128"s, fwdproxy::upstream::redactUrl("http://127.0.0.1:3128"));
		CPPUNIT_ASSERT_EQUAL("http://alice@h:1"s, fwdproxy::upstream::redactUrl("http://alice@h:1"));
	}

	void testParsesCredentialsLine()
	{
		std::string user;
		std::string password;
		CPPUNIT_ASSERT(fwdproxy::upstream::parseCredentials("alice:pa:ss word\r\n", user, password));
		CPPUNIT_ASSERT_EQUAL("alice"s, user);
		CPPUNIT_ASSERT_EQUAL("pa:ss word"s, password);
		CPPUNIT_ASSERT(!fwdproxy::upstream::parseCredentials("alice", user, password));
		CPPUNIT_ASSERT(!fwdproxy::upstream::parseCredentials(":secret", user, password));
		CPPUNIT_ASSERT(!fwdproxy::upstream::parseCredentials("", user, password));
	}

	void testBuildsProxyAuthorization()
	{
		ParentProxy parent = parseValid("http://Aladdin:open%20sesame@127.0.0.1:3128");
		// RFC 7617 §2 gives this pair and its encoding.
		CPPUNIT_ASSERT_EQUAL("Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"s, parent.proxyAuthorization());

		CPPUNIT_ASSERT_EQUAL(""s, parseValid("http://127.0.0.1:3128").proxyAuthorization());
		CPPUNIT_ASSERT_EQUAL(""s, parseValid("socks5://a:b@127.0.0.1:1080").proxyAuthorization());
	}

	void testLabelsWithoutPassword()
	{
		ParentProxy parent = parseValid("https://alice:Sekr1t@proxy.example:8443");
		parent.name = "corp";
		CPPUNIT_ASSERT_EQUAL("corp proxy.example:8443"s, parent.label());
	}

	void testPoolsByParentOrDestination()
	{
		ParentProxy http = parseValid("http://127.0.0.1:3128");
		http.name = "corp";
		CPPUNIT_ASSERT_EQUAL(http.poolKey("a.example:80"), http.poolKey("b.example:80"));

		ParentProxy socks = parseValid("socks5://127.0.0.1:1080");
		socks.name = "corp";
		CPPUNIT_ASSERT(socks.poolKey("a.example:80") != socks.poolKey("b.example:80"));
		CPPUNIT_ASSERT(socks.poolKey("a.example:80") != http.poolKey("a.example:80"));
		CPPUNIT_ASSERT(http.poolKey("a.example:80") != "a.example:80");
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(ParentProxyTest);
