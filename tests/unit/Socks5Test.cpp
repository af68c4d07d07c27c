//
// Socks5Test.cpp
//
// SOCKS5 request bytes (RFC 1928, RFC 1929) and reply parsing, split at every offset.
//

#include "EscapedText.h"

#include "fwdproxy/upstream/Socks5.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::upstream::Socks5;


namespace CppUnit {


template <>
struct assertion_traits<Socks5::Parse>
{
	static bool equal(Socks5::Parse a, Socks5::Parse b)
	{
		return a == b;
	}

	static std::string toString(Socks5::Parse parse)
	{
		switch (parse)
		{
		case Socks5::Parse::Complete: return "Complete";
		case Socks5::Parse::Incomplete: return "Incomplete";
		case Socks5::Parse::Invalid: return "Invalid";
		}
		return "Parse(" + std::to_string(static_cast<int>(parse)) + ")";
	}
};


} // namespace CppUnit


namespace {


std::string bytes(std::initializer_list<int> values)
{
	std::string text;
	for (int value: values) text += static_cast<char>(value);
	return text;
}


Socks5::Parse parseConnect(const std::string& data, std::size_t& length, unsigned char& reply)
{
	return Socks5::parseConnectReply(data, length, reply);
}


} // namespace


class Socks5Test: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(Socks5Test);
	CPPUNIT_TEST(testGreetingOffersOneMethod);
	CPPUNIT_TEST(testPasswordRequest);
	CPPUNIT_TEST(testConnectRequestWithDomainName);
	CPPUNIT_TEST(testConnectRequestWithIpv4);
	CPPUNIT_TEST(testConnectRequestWithIpv6);
	CPPUNIT_TEST(testParsesMethodReply);
	CPPUNIT_TEST(testParsesPasswordReply);
	CPPUNIT_TEST(testParsesConnectReplyOfEachAddressType);
	CPPUNIT_TEST(testSplitsConnectReplyAtEveryOffset);
	CPPUNIT_TEST(testReportsConnectFailureCode);
	CPPUNIT_TEST(testRejectsMalformedReplies);
	CPPUNIT_TEST_SUITE_END();

public:
	void testGreetingOffersOneMethod()
	{
		CPPUNIT_ASSERT_EQUAL(bytes({0x05, 0x01, 0x00}), Socks5::greeting(false));
		CPPUNIT_ASSERT_EQUAL(bytes({0x05, 0x01, 0x02}), Socks5::greeting(true));
	}

	void testPasswordRequest()
	{
		CPPUNIT_ASSERT_EQUAL(bytes({0x01, 0x05}) + "alice" + bytes({0x08}) + "pa:ss wd", Socks5::passwordRequest("alice", "pa:ss wd"));

		std::string longest(255, 'u');
		std::string request = Socks5::passwordRequest(longest, "p");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1 + 1 + 255 + 1 + 1), request.size());
		CPPUNIT_ASSERT_EQUAL(255, static_cast<int>(static_cast<unsigned char>(request[1])));
	}

	void testConnectRequestWithDomainName()
	{
		// The name goes to the server unresolved (address type 3), and the port in network order.
		std::string expected = bytes({0x05, 0x01, 0x00, 0x03, 11}) + "example.com" + bytes({0x01, 0xbb});
		CPPUNIT_ASSERT_EQUAL(escapeControls(expected), escapeControls(Socks5::connectRequest("example.com", 443)));

		std::string name(255, 'a');
		std::string request = Socks5::connectRequest(name, 80);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4 + 1 + 255 + 2), request.size());
	}

	void testConnectRequestWithIpv4()
	{
		std::string expected = bytes({0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x1f, 0x90});
		CPPUNIT_ASSERT_EQUAL(escapeControls(expected), escapeControls(Socks5::connectRequest("127.0.0.1", 8080)));
	}

	void testConnectRequestWithIpv6()
	{
		std::string expected = bytes({0x05, 0x01, 0x00, 0x04, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
			0x00, 0x50});
		CPPUNIT_ASSERT_EQUAL(escapeControls(expected), escapeControls(Socks5::connectRequest("2001:db8::1", 80)));
	}

	void testParsesMethodReply()
	{
		unsigned char method = 0x42;
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Incomplete, Socks5::parseMethodReply("", method));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Incomplete, Socks5::parseMethodReply(bytes({0x05}), method));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Complete, Socks5::parseMethodReply(bytes({0x05, 0x02}), method));
		CPPUNIT_ASSERT_EQUAL(int(Socks5::METHOD_PASSWORD), int(method));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Complete, Socks5::parseMethodReply(bytes({0x05, 0xff}), method));
		CPPUNIT_ASSERT_EQUAL(int(Socks5::METHOD_REJECTED), int(method));
	}

	void testParsesPasswordReply()
	{
		bool accepted = false;
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Incomplete, Socks5::parsePasswordReply(bytes({0x01}), accepted));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Complete, Socks5::parsePasswordReply(bytes({0x01, 0x00}), accepted));
		CPPUNIT_ASSERT(accepted);
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Complete, Socks5::parsePasswordReply(bytes({0x01, 0x01}), accepted));
		CPPUNIT_ASSERT(!accepted);
	}

	void testParsesConnectReplyOfEachAddressType()
	{
		const std::vector<std::string> replies = {
			bytes({0x05, 0x00, 0x00, 0x01, 10, 0, 0, 1, 0x30, 0x39}),
			bytes({0x05, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x30, 0x39}),
			bytes({0x05, 0x00, 0x00, 0x03, 9}) + "relay.net" + bytes({0x30, 0x39}),
		};
		for (const std::string& reply: replies)
		{
			std::size_t length = 0;
			unsigned char code = 0xff;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(reply), Socks5::Parse::Complete, parseConnect(reply + "tunnel bytes", length, code));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(reply), reply.size(), length);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(reply), 0, int(code));
		}
	}

	void testSplitsConnectReplyAtEveryOffset()
	{
		std::string reply = bytes({0x05, 0x00, 0x00, 0x03, 9}) + "relay.net" + bytes({0x30, 0x39});
		for (std::size_t size = 0; size < reply.size(); ++size)
		{
			std::size_t length = 0;
			unsigned char code = 0;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(size), Socks5::Parse::Incomplete, parseConnect(reply.substr(0, size), length, code));
		}
	}

	void testReportsConnectFailureCode()
	{
		std::size_t length = 0;
		unsigned char code = 0;
		std::string refused = bytes({0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Complete, parseConnect(refused, length, code));
		CPPUNIT_ASSERT_EQUAL(5, int(code));
		CPPUNIT_ASSERT_EQUAL("connection refused"s, std::string(Socks5::replyText(code)));
		CPPUNIT_ASSERT_EQUAL("unknown reply code"s, std::string(Socks5::replyText(0x42)));
	}

	void testRejectsMalformedReplies()
	{
		unsigned char method = 0;
		bool accepted = false;
		std::size_t length = 0;
		unsigned char code = 0;
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, Socks5::parseMethodReply(bytes({0x04}), method));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, Socks5::parseMethodReply("HTTP/1.1 400", method));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, Socks5::parsePasswordReply(bytes({0x05, 0x00}), accepted));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, parseConnect(bytes({0x04}), length, code));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, parseConnect(bytes({0x05, 0x00, 0x01}), length, code));
		CPPUNIT_ASSERT_EQUAL(Socks5::Parse::Invalid, parseConnect(bytes({0x05, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0}), length, code));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(Socks5Test);
