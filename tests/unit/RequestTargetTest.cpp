//
// RequestTargetTest.cpp
//
// Absolute-form targets of forwarded requests and authority-form targets of CONNECT.
//

#include "AssertionTraits.h"

#include "fwdproxy/http/RequestTarget.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::http::Reason;
using fwdproxy::http::RequestTarget;


namespace {


Reason parseAbsolute(const std::string& target, RequestTarget& result)
{
	return fwdproxy::http::parseAbsoluteForm(target, "GET", result);
}


Reason parseAbsolute(const std::string& target)
{
	RequestTarget result;
	return parseAbsolute(target, result);
}


Reason parseAuthority(const std::string& target)
{
	RequestTarget result;
	return fwdproxy::http::parseAuthorityForm(target, result);
}


void assertAbsoluteReason(Reason expected, const std::vector<std::string>& targets)
{
	for (const std::string& target: targets)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(target, expected, parseAbsolute(target));
	}
}


void assertAuthorityReason(Reason expected, const std::vector<std::string>& targets)
{
	for (const std::string& target: targets)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(target, expected, parseAuthority(target));
	}
}


} // namespace


class RequestTargetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RequestTargetTest);
	CPPUNIT_TEST(testParsesUpperCaseScheme);
	CPPUNIT_TEST(testUsesDefaultPort);
	CPPUNIT_TEST(testParsesExplicitPort);
	CPPUNIT_TEST(testAcceptsPortLimits);
	CPPUNIT_TEST(testTreatsEmptyPortAsDefault);
	CPPUNIT_TEST(testParsesIPv6Literal);
	CPPUNIT_TEST(testParsesIPv4Address);
	CPPUNIT_TEST(testTurnsEmptyPathIntoSlash);
	CPPUNIT_TEST(testTurnsEmptyOptionsPathIntoAsterisk);
	CPPUNIT_TEST(testKeepsOptionsPath);
	CPPUNIT_TEST(testPrefixesQueryWithSlash);
	CPPUNIT_TEST(testDropsFragment);
	CPPUNIT_TEST(testKeepsAtSignInPath);
	CPPUNIT_TEST(testRejectsUserinfo);
	CPPUNIT_TEST(testRejectsOtherSchemes);
	CPPUNIT_TEST(testRejectsOriginForm);
	CPPUNIT_TEST(testRejectsMissingScheme);
	CPPUNIT_TEST(testRejectsBadPort);
	CPPUNIT_TEST(testRejectsInvalidHost);
	CPPUNIT_TEST(testRejectsInvalidIPv6Literal);
	CPPUNIT_TEST(testParsesConnectHostPort);
	CPPUNIT_TEST(testParsesConnectIPv6);
	CPPUNIT_TEST(testRejectsConnectWithoutPort);
	CPPUNIT_TEST(testRejectsConnectWithPath);
	CPPUNIT_TEST(testRejectsConnectBadPort);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesUpperCaseScheme()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("HTTP://Example.COM/Index.html", target));
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.host);
		CPPUNIT_ASSERT_EQUAL("Example.COM"s, target.authority);
		CPPUNIT_ASSERT_EQUAL("/Index.html"s, target.originForm);
	}

	void testUsesDefaultPort()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com/a", target));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(80), target.port);
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.authority);
		CPPUNIT_ASSERT_EQUAL("example.com:80"s, target.hostPort());
	}

	void testParsesExplicitPort()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com:8080/a?b=c", target));
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(8080), target.port);
		CPPUNIT_ASSERT_EQUAL("example.com:8080"s, target.authority);
		CPPUNIT_ASSERT_EQUAL("/a?b=c"s, target.originForm);
	}

	void testAcceptsPortLimits()
	{
		RequestTarget lowest;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com:1/", lowest));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(1), lowest.port);

		RequestTarget highest;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com:65535/", highest));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(65535), highest.port);
	}

	void testTreatsEmptyPortAsDefault()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com:/a", target));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(80), target.port);
	}

	void testParsesIPv6Literal()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://[::1]:8080/x", target));
		CPPUNIT_ASSERT_EQUAL("::1"s, target.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(8080), target.port);
		CPPUNIT_ASSERT_EQUAL("[::1]:8080"s, target.authority);
		CPPUNIT_ASSERT_EQUAL("/x"s, target.originForm);
		CPPUNIT_ASSERT(target.isIPv6Literal());
		CPPUNIT_ASSERT_EQUAL("[::1]:8080"s, target.hostPort());

		RequestTarget upper;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://[2001:DB8::A]/", upper));
		CPPUNIT_ASSERT_EQUAL("2001:db8::a"s, upper.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(80), upper.port);
	}

	void testParsesIPv4Address()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://192.0.2.1:8080/", target));
		CPPUNIT_ASSERT_EQUAL("192.0.2.1"s, target.host);
		CPPUNIT_ASSERT(!target.isIPv6Literal());
	}

	void testTurnsEmptyPathIntoSlash()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com", target));
		CPPUNIT_ASSERT_EQUAL("/"s, target.originForm);

		RequestTarget withPort;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com:8080", withPort));
		CPPUNIT_ASSERT_EQUAL("/"s, withPort.originForm);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(8080), withPort.port);
	}

	void testTurnsEmptyOptionsPathIntoAsterisk()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseAbsoluteForm("http://example.com", "OPTIONS", target));
		CPPUNIT_ASSERT_EQUAL("*"s, target.originForm);
	}

	void testKeepsOptionsPath()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseAbsoluteForm("http://example.com/", "OPTIONS", target));
		CPPUNIT_ASSERT_EQUAL("/"s, target.originForm);
	}

	void testPrefixesQueryWithSlash()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com?x=1", target));
		CPPUNIT_ASSERT_EQUAL("/?x=1"s, target.originForm);
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.authority);
	}

	void testDropsFragment()
	{
		RequestTarget withPath;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com/p?q=1#part", withPath));
		CPPUNIT_ASSERT_EQUAL("/p?q=1"s, withPath.originForm);

		RequestTarget withoutPath;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com#part", withoutPath));
		CPPUNIT_ASSERT_EQUAL("/"s, withoutPath.originForm);
		CPPUNIT_ASSERT_EQUAL("example.com"s, withoutPath.authority);
	}

	void testKeepsAtSignInPath()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, parseAbsolute("http://example.com/a@b", target));
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.host);
		CPPUNIT_ASSERT_EQUAL("/a@b"s, target.originForm);
	}

	void testRejectsUserinfo()
	{
		assertAbsoluteReason(Reason::BadRequest, {
			"http://user@example.com/",
			"http://user:secret@example.com/",
			"http://@example.com/",
			"http://trusted.example@192.0.2.1/",
		});
	}

	void testRejectsOtherSchemes()
	{
		assertAbsoluteReason(Reason::UnsupportedScheme, {
			"https://example.com/",
			"HTTPS://example.com/",
			"ftp://example.com/file",
			"ws://example.com/",
			"httpx://example.com/",
		});
	}

	void testRejectsOriginForm()
	{
		assertAbsoluteReason(Reason::OriginFormTarget, {
			"/x",
			"/",
			"*",
		});
	}

	void testRejectsMissingScheme()
	{
		assertAbsoluteReason(Reason::BadRequest, {
			"example.com/x",
			"example.com:80",
			"://example.com/",
			"http:/example.com/",
		});
	}

	void testRejectsBadPort()
	{
		assertAbsoluteReason(Reason::BadRequest, {
			"http://example.com:0/",
			"http://example.com:65536/",
			"http://example.com:99999/",
			"http://example.com:123456/",
			"http://example.com:8o/",
			"http://example.com:http/",
			"http://example.com:-1/",
			"http://example.com:+80/",
			"http://example.com:80:80/",
		});
	}

	void testRejectsInvalidHost()
	{
		assertAbsoluteReason(Reason::BadRequest, {
			"http:///x",
			"http://:80/",
			"http://ex%41mple.com/",
			"http://example!.com/",
			"http://exa,mple.com/",
			"http://exa;mple.com/",
			"http://[::1/",
			"http://[zz::1]/",
			"http://[]/",
			"http://[::1]x/",
		});
	}

	void testRejectsInvalidIPv6Literal()
	{
		// Brackets enclose an IPv6 literal or a later version, never IPv4 (RFC 3986 §3.2.2).
		// These look like one but are not.
		assertAbsoluteReason(Reason::BadRequest, {
			"http://[127.0.0.1]/",
			"http://[1:2:3:4:5:6:7:8:9]/",
			"http://[:::]/",
		});
	}

	void testParsesConnectHostPort()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseAuthorityForm("Example.com:443", target));
		CPPUNIT_ASSERT_EQUAL("example.com"s, target.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(443), target.port);
		CPPUNIT_ASSERT_EQUAL("Example.com:443"s, target.authority);
		CPPUNIT_ASSERT_EQUAL(""s, target.originForm);
		CPPUNIT_ASSERT_EQUAL("example.com:443"s, target.hostPort());
	}

	void testParsesConnectIPv6()
	{
		RequestTarget target;
		CPPUNIT_ASSERT_EQUAL(Reason::None, fwdproxy::http::parseAuthorityForm("[::1]:443", target));
		CPPUNIT_ASSERT_EQUAL("::1"s, target.host);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(443), target.port);
		CPPUNIT_ASSERT_EQUAL("[::1]:443"s, target.authority);
		CPPUNIT_ASSERT(target.isIPv6Literal());
	}

	void testRejectsConnectWithoutPort()
	{
		assertAuthorityReason(Reason::BadRequest, {
			"example.com",
			"example.com:",
			"[::1]",
			"[::1]:",
			":443",
			"",
		});
	}

	void testRejectsConnectWithPath()
	{
		assertAuthorityReason(Reason::BadRequest, {
			"example.com:443/",
			"example.com:443/x",
			"example.com:443?x",
			"example.com:443#x",
			"user@example.com:443",
			"http://example.com:443",
		});
	}

	void testRejectsConnectBadPort()
	{
		assertAuthorityReason(Reason::BadRequest, {
			"example.com:0",
			"example.com:65536",
			"example.com:https",
			"example.com:44 3",
			"[::1]443",
		});
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(RequestTargetTest);
