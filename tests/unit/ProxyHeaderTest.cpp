//
// ProxyHeaderTest.cpp
//
// PROXY protocol headers, versions 1 and 2: addresses, headers without
// addresses, every split point and malformed input.
//

#include "EscapedText.h"

#include "fwdproxy/http/ProxyHeader.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using namespace std::string_literals;
using fwdproxy::http::ProxyHeader;
using fwdproxy::http::ProxyHeaderStatus;


namespace CppUnit {


template <>
struct assertion_traits<ProxyHeaderStatus>
{
	static bool equal(ProxyHeaderStatus a, ProxyHeaderStatus b)
	{
		return a == b;
	}

	static std::string toString(ProxyHeaderStatus status)
	{
		switch (status)
		{
		case ProxyHeaderStatus::Complete: return "Complete";
		case ProxyHeaderStatus::Incomplete: return "Incomplete";
		case ProxyHeaderStatus::Invalid: return "Invalid";
		}
		return "ProxyHeaderStatus(" + std::to_string(static_cast<int>(status)) + ")";
	}
};


} // namespace CppUnit


namespace {


const std::string V2_SIGNATURE("\r\n\r\n\0\r\nQUIT\n", 12);


ProxyHeaderStatus parse(const std::string& data, ProxyHeader& header)
{
	std::string problem;
	ProxyHeaderStatus status = fwdproxy::http::parseProxyHeader(data, header, problem);
	CPPUNIT_ASSERT_MESSAGE(escapeControls(data) + ": Invalid without a problem",
		status != ProxyHeaderStatus::Invalid || !problem.empty());
	return status;
}


ProxyHeaderStatus parse(const std::string& data)
{
	ProxyHeader header;
	return parse(data, header);
}


// A version 2 header: command byte, family byte, then the address block and TLVs.
std::string v2(unsigned char command, unsigned char family, const std::string& block)
{
	std::string header = V2_SIGNATURE;
	header += static_cast<char>(command);
	header += static_cast<char>(family);
	header += static_cast<char>(block.size() >> 8);
	header += static_cast<char>(block.size() & 0xff);
	return header + block;
}


std::string bytes(std::initializer_list<int> values)
{
	std::string text;
	for (int value: values) text += static_cast<char>(value);
	return text;
}


// 192.0.2.10:51000 -> 198.51.100.7:3128
const std::string V4_BLOCK = bytes({192, 0, 2, 10, 198, 51, 100, 7, 0xc7, 0x38, 0x0c, 0x38});

// 2001:db8::10:51000 -> 2001:db8::7:3128
const std::string V6_BLOCK = bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0xc7, 0x38, 0x0c, 0x38});

// An ALPN TLV ("h2") after the addresses, which the parser skips.
const std::string ALPN_TLV = bytes({0x01, 0x00, 0x02, 'h', '2'});


void assertInvalid(const std::vector<std::string>& inputs)
{
	for (const std::string& input: inputs)
	{
		CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(input), ProxyHeaderStatus::Invalid, parse(input));
	}
}


// Checks every proper prefix of header, then header followed by client bytes.
void assertSplitsAtEveryOffset(const std::string& header)
{
	for (std::size_t length = 0; length < header.size(); ++length)
	{
		std::string prefix = header.substr(0, length);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(prefix), ProxyHeaderStatus::Incomplete, parse(prefix));
	}

	ProxyHeader parsed;
	std::string withClientBytes = header + "GET http://example.com/ HTTP/1.1\r\n";
	CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(header), ProxyHeaderStatus::Complete, parse(withClientBytes, parsed));
	CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(header), header.size(), parsed.length);
}


} // namespace


class ProxyHeaderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ProxyHeaderTest);
	CPPUNIT_TEST(testParsesV1Tcp4);
	CPPUNIT_TEST(testParsesV1Tcp6);
	CPPUNIT_TEST(testParsesV1Unknown);
	CPPUNIT_TEST(testParsesV1AtMaximumLength);
	CPPUNIT_TEST(testParsesV2Ipv4);
	CPPUNIT_TEST(testParsesV2Ipv6WithTlv);
	CPPUNIT_TEST(testParsesV2LocalWithoutAddresses);
	CPPUNIT_TEST(testParsesV2FamiliesWithoutAddresses);
	CPPUNIT_TEST(testSplitsV1AtEveryOffset);
	CPPUNIT_TEST(testSplitsV2AtEveryOffset);
	CPPUNIT_TEST(testRejectsOtherProtocols);
	CPPUNIT_TEST(testRejectsMalformedV1);
	CPPUNIT_TEST(testRejectsV1OverMaximumLength);
	CPPUNIT_TEST(testRejectsMalformedV2);
	CPPUNIT_TEST(testRejectsV2OverMaximumLength);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesV1Tcp4()
	{
		ProxyHeader header;
		std::string line = "PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128\r\n";
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(line + "GET", header));
		CPPUNIT_ASSERT_EQUAL(1, header.version);
		CPPUNIT_ASSERT_EQUAL(line.size(), header.length);
		CPPUNIT_ASSERT(header.hasAddresses);
		CPPUNIT_ASSERT_EQUAL("192.0.2.10"s, header.sourceAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(51000), header.sourcePort);
		CPPUNIT_ASSERT_EQUAL("198.51.100.7"s, header.destinationAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(3128), header.destinationPort);
	}

	void testParsesV1Tcp6()
	{
		ProxyHeader header;
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse("PROXY TCP6 2001:db8::10 ::1 0 65535\r\n", header));
		CPPUNIT_ASSERT(header.hasAddresses);
		CPPUNIT_ASSERT_EQUAL("2001:db8::10"s, header.sourceAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0), header.sourcePort);
		CPPUNIT_ASSERT_EQUAL("::1"s, header.destinationAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(65535), header.destinationPort);
	}

	void testParsesV1Unknown()
	{
		for (const std::string& line: {"PROXY UNKNOWN\r\n"s, "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"s})
		{
			ProxyHeader header;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(line), ProxyHeaderStatus::Complete, parse(line, header));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(line), line.size(), header.length);
			CPPUNIT_ASSERT_MESSAGE(escapeControls(line), !header.hasAddresses);
		}
	}

	void testParsesV1AtMaximumLength()
	{
		// The longest TCP6 line the specification allows: 107 bytes with its CRLF.
		std::string line = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
		CPPUNIT_ASSERT_EQUAL(std::size_t(104), line.size());
		std::string unknown = "PROXY UNKNOWN " + std::string(107 - 16, 'x') + "\r\n";
		CPPUNIT_ASSERT_EQUAL(std::size_t(107), unknown.size());

		ProxyHeader header;
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(line, header));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(unknown, header));
		CPPUNIT_ASSERT_EQUAL(std::size_t(107), header.length);
	}

	void testParsesV2Ipv4()
	{
		ProxyHeader header;
		std::string data = v2(0x21, 0x11, V4_BLOCK);
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(data, header));
		CPPUNIT_ASSERT_EQUAL(2, header.version);
		CPPUNIT_ASSERT_EQUAL(std::size_t(28), header.length);
		CPPUNIT_ASSERT(header.hasAddresses);
		CPPUNIT_ASSERT_EQUAL("192.0.2.10"s, header.sourceAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(51000), header.sourcePort);
		CPPUNIT_ASSERT_EQUAL("198.51.100.7"s, header.destinationAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(3128), header.destinationPort);
	}

	void testParsesV2Ipv6WithTlv()
	{
		ProxyHeader header;
		std::string data = v2(0x21, 0x21, V6_BLOCK + ALPN_TLV);
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(data, header));
		CPPUNIT_ASSERT_EQUAL(data.size(), header.length);
		CPPUNIT_ASSERT(header.hasAddresses);
		CPPUNIT_ASSERT_EQUAL("2001:db8::10"s, header.sourceAddress);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(51000), header.sourcePort);
		CPPUNIT_ASSERT_EQUAL("2001:db8::7"s, header.destinationAddress);
	}

	void testParsesV2LocalWithoutAddresses()
	{
		// LOCAL is a balancer's own connection (a health check); its family byte is ignored.
		for (const std::string& data: {v2(0x20, 0x00, ""), v2(0x20, 0x11, V4_BLOCK), v2(0x20, 0x77, "")})
		{
			ProxyHeader header;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(data), ProxyHeaderStatus::Complete, parse(data, header));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(data), data.size(), header.length);
			CPPUNIT_ASSERT_MESSAGE(escapeControls(data), !header.hasAddresses);
		}
	}

	void testParsesV2FamiliesWithoutAddresses()
	{
		// UNSPEC and UNIX sockets carry no IP address, so the balancer's address is used instead.
		for (const std::string& data: {v2(0x21, 0x00, ""), v2(0x21, 0x31, std::string(216, 'a')), v2(0x21, 0x32, "")})
		{
			ProxyHeader header;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(data), ProxyHeaderStatus::Complete, parse(data, header));
			CPPUNIT_ASSERT_MESSAGE(escapeControls(data), !header.hasAddresses);
		}
	}

	void testSplitsV1AtEveryOffset()
	{
		assertSplitsAtEveryOffset("PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128\r\n");
		assertSplitsAtEveryOffset("PROXY TCP6 2001:db8::10 2001:db8::7 51000 3128\r\n");
		assertSplitsAtEveryOffset("PROXY UNKNOWN\r\n");
	}

	void testSplitsV2AtEveryOffset()
	{
		assertSplitsAtEveryOffset(v2(0x21, 0x11, V4_BLOCK));
		assertSplitsAtEveryOffset(v2(0x21, 0x21, V6_BLOCK + ALPN_TLV));
		assertSplitsAtEveryOffset(v2(0x20, 0x00, ""));
	}

	void testRejectsOtherProtocols()
	{
		// A client that speaks HTTP or TLS to a PROXY protocol listener.
		assertInvalid({
			"GET http://example.com/ HTTP/1.1\r\n\r\n",
			"CONNECT example.com:443 HTTP/1.1\r\n\r\n",
			bytes({0x16, 0x03, 0x01, 0x02, 0x00}),
			"proxy TCP4 192.0.2.10 198.51.100.7 1 2\r\n",
			"PX",
			"\n",
		});
	}

	void testRejectsMalformedV1()
	{
		assertInvalid({
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128\rX",
			"PROXY TCP5 192.0.2.10 198.51.100.7 51000 3128\r\n",
			"PROXY UDP4 192.0.2.10 198.51.100.7 51000 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128 extra\r\n",
			"PROXY TCP4  192.0.2.10 198.51.100.7 51000 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128 \r\n",
			"PROXY TCP4 2001:db8::10 198.51.100.7 51000 3128\r\n",
			"PROXY TCP6 192.0.2.10 2001:db8::7 51000 3128\r\n",
			"PROXY TCP4 192.0.2.256 198.51.100.7 51000 3128\r\n",
			"PROXY TCP4 192.0.2.10 example.com 51000 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 65536 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 051000 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 -1 3128\r\n",
			"PROXY TCP4 192.0.2.10 198.51.100.7 51000 3128x\r\n",
			"PROXY UNKNOWNX\r\n",
			"PROXY \r\n",
			"PROXY\r\n",
		});
	}

	void testRejectsV1OverMaximumLength()
	{
		std::string unknown = "PROXY UNKNOWN " + std::string(107 - 15, 'x') + "\r\n";
		CPPUNIT_ASSERT_EQUAL(std::size_t(108), unknown.size());
		assertInvalid({unknown, "PROXY UNKNOWN " + std::string(200, 'x')});

		// A line of 105 bytes may still end in CRLF within the limit; one byte more cannot.
		std::string open = "PROXY UNKNOWN " + std::string(91, 'x');
		CPPUNIT_ASSERT_EQUAL(std::size_t(105), open.size());
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Incomplete, parse(open));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Incomplete, parse(open + "\r"));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(open + "x"));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(open + "x\r"));
	}

	void testRejectsMalformedV2()
	{
		std::string badSignature = v2(0x21, 0x11, V4_BLOCK);
		badSignature[7] = 'X';
		assertInvalid({
			badSignature,
			V2_SIGNATURE.substr(0, 5) + "X",
			v2(0x11, 0x11, V4_BLOCK),
			v2(0x31, 0x11, V4_BLOCK),
			v2(0x22, 0x11, V4_BLOCK),
			v2(0x2f, 0x11, V4_BLOCK),
			v2(0x21, 0x12, V4_BLOCK),
			v2(0x21, 0x22, V6_BLOCK),
			v2(0x21, 0x10, V4_BLOCK),
			v2(0x21, 0x41, V4_BLOCK),
			v2(0x21, 0x11, V4_BLOCK.substr(0, 11)),
			v2(0x21, 0x21, V6_BLOCK.substr(0, 35)),
			v2(0x21, 0x21, V4_BLOCK),
		});

		// A wrong version or command is found as soon as its byte arrives.
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(V2_SIGNATURE + bytes({0x11})));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(V2_SIGNATURE + bytes({0x21, 0x12})));
	}

	void testRejectsV2OverMaximumLength()
	{
		std::string longest = v2(0x21, 0x11, V4_BLOCK + std::string(ProxyHeader::MAX_LENGTH - 16 - V4_BLOCK.size(), '\0'));
		CPPUNIT_ASSERT_EQUAL(ProxyHeader::MAX_LENGTH, longest.size());
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Complete, parse(longest));

		// The length field alone shows that the header is too long.
		std::string tooLong = v2(0x21, 0x11, V4_BLOCK + std::string(ProxyHeader::MAX_LENGTH - 16 - V4_BLOCK.size() + 1, '\0'));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(tooLong.substr(0, 16)));
		CPPUNIT_ASSERT_EQUAL(ProxyHeaderStatus::Invalid, parse(tooLong));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(ProxyHeaderTest);
