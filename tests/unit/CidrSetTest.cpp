//
// CidrSetTest.cpp
//
// Address and CIDR block lists, including the default client and destination lists.
// The tests only compare addresses and send nothing.
//

#include "fwdproxy/config/SettingsLoader.h"
#include "fwdproxy/policy/CidrSet.h"

#include <Poco/Net/IPAddress.h>

#include <cppunit/extensions/HelperMacros.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>


using fwdproxy::policy::CidrSet;
using Poco::Net::IPAddress;


namespace {


CidrSet parseValid(const std::string& list)
{
	CidrSet set;
	std::string badEntry;
	bool valid = CidrSet::parse(list, set, badEntry);
	CPPUNIT_ASSERT_MESSAGE("'" + list + "' rejected at '" + badEntry + "'", valid);
	return set;
}


void assertContains(const std::string& list, const std::vector<std::string>& addresses)
{
	CidrSet set = parseValid(list);
	for (const std::string& address: addresses)
	{
		CPPUNIT_ASSERT_MESSAGE(list + " should contain " + address, set.contains(IPAddress(address)));
	}
}


void assertExcludes(const std::string& list, const std::vector<std::string>& addresses)
{
	CidrSet set = parseValid(list);
	for (const std::string& address: addresses)
	{
		CPPUNIT_ASSERT_MESSAGE(list + " should not contain " + address, !set.contains(IPAddress(address)));
	}
}


// Each entry is rejected, as the only entry and after a valid one, and is
// named as the bad entry.
void assertRejected(const std::vector<std::string>& entries)
{
	for (const std::string& entry: entries)
	{
		for (const std::string& list: {entry, "192.0.2.0/24, " + entry})
		{
			CidrSet set;
			std::string badEntry;
			CPPUNIT_ASSERT_MESSAGE("'" + list + "' should be rejected", !CidrSet::parse(list, set, badEntry));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(list, entry, badEntry);
		}
	}
}


std::string defaultValue(const char* key)
{
	for (std::size_t i = 0; fwdproxy::config::SettingsLoader::DEFAULTS[i][0] != nullptr; ++i)
	{
		if (std::strcmp(fwdproxy::config::SettingsLoader::DEFAULTS[i][0], key) == 0)
		{
			return fwdproxy::config::SettingsLoader::DEFAULTS[i][1];
		}
	}
	CPPUNIT_FAIL(std::string("no default for ") + key);
	return "";
}


} // namespace


class CidrSetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(CidrSetTest);
	CPPUNIT_TEST(testMatchesIPv4Block);
	CPPUNIT_TEST(testMatchesIPv6Block);
	CPPUNIT_TEST(testZeroPrefixMatchesOneFamily);
	CPPUNIT_TEST(testFullPrefixMatchesOneAddress);
	CPPUNIT_TEST(testMatchesOddPrefixes);
	CPPUNIT_TEST(testSingleAddressIsFullPrefix);
	CPPUNIT_TEST(testMatchesMappedAddressAsIPv4);
	CPPUNIT_TEST(testMatchesMappedEntryAsIPv4);
	CPPUNIT_TEST(testMatchesEmbeddedIPv4);
	CPPUNIT_TEST(testAcceptsBracketedIPv6);
	CPPUNIT_TEST(testParsesListWithSpaces);
	CPPUNIT_TEST(testEmptyListMatchesNothing);
	CPPUNIT_TEST(testRejectsBadPrefix);
	CPPUNIT_TEST(testRejectsBadAddress);
	CPPUNIT_TEST(testReportsFirstBadEntry);
	CPPUNIT_TEST(testRejectsShortIPv4Forms);
	CPPUNIT_TEST(testRejectsOctalIPv4);
	CPPUNIT_TEST(testRejectsMissingComma);
	CPPUNIT_TEST(testDefaultAllowListCoversLocalNetworks);
	CPPUNIT_TEST(testDefaultAllowListExcludesPublic);
	CPPUNIT_TEST(testDefaultDenyListCoversLocalHost);
	CPPUNIT_TEST(testDefaultDenyListAllowsOthers);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMatchesIPv4Block()
	{
		assertContains("10.0.0.0/8", {"10.0.0.0", "10.1.2.3", "10.255.255.255"});
		assertExcludes("10.0.0.0/8", {"9.255.255.255", "11.0.0.0", "192.0.2.1"});
	}

	void testMatchesIPv6Block()
	{
		assertContains("2001:db8::/32", {"2001:db8::", "2001:db8::1", "2001:db8:ffff:ffff::1"});
		assertExcludes("2001:db8::/32", {"2001:db9::", "2001:db7:ffff::", "::1"});
	}

	void testZeroPrefixMatchesOneFamily()
	{
		assertContains("0.0.0.0/0", {"0.0.0.0", "192.0.2.1", "255.255.255.255", "::ffff:192.0.2.1"});
		assertExcludes("0.0.0.0/0", {"::1", "2001:db8::1"});

		assertContains("::/0", {"::", "::1", "2001:db8::1", "ffff::1"});
		assertExcludes("::/0", {"192.0.2.1"});
	}

	void testFullPrefixMatchesOneAddress()
	{
		assertContains("192.0.2.1/32", {"192.0.2.1", "::ffff:192.0.2.1"});
		assertExcludes("192.0.2.1/32", {"192.0.2.0", "192.0.2.2", "193.0.2.1"});

		assertContains("2001:db8::1/128", {"2001:db8::1"});
		assertExcludes("2001:db8::1/128", {"2001:db8::", "2001:db8::2", "2001:db8::1:1"});
	}

	void testMatchesOddPrefixes()
	{
		assertContains("172.16.0.0/12", {"172.16.0.0", "172.20.1.1", "172.31.255.255"});
		assertExcludes("172.16.0.0/12", {"172.15.255.255", "172.32.0.0"});

		assertContains("fc00::/7", {"fc00::", "fc00::1", "fd12:3456::1", "fdff:ffff::1"});
		assertExcludes("fc00::/7", {"fbff:ffff::1", "fe00::", "fe80::1"});

		assertContains("fe80::/10", {"fe80::", "fe80::1", "febf:ffff::1"});
		assertExcludes("fe80::/10", {"fe7f:ffff::1", "fec0::1", "ff02::1"});

		assertContains("100.64.0.0/10", {"100.64.0.1", "100.127.255.255"});
		assertExcludes("100.64.0.0/10", {"100.63.255.255", "100.128.0.0"});
	}

	void testSingleAddressIsFullPrefix()
	{
		assertContains("192.0.2.7", {"192.0.2.7"});
		assertExcludes("192.0.2.7", {"192.0.2.6", "192.0.2.8"});

		assertContains("::1", {"::1"});
		assertExcludes("::1", {"::", "::2", "127.0.0.1"});
	}

	void testMatchesMappedAddressAsIPv4()
	{
		assertContains("10.0.0.0/8", {"::ffff:10.1.2.3"});
		assertContains("127.0.0.0/8", {"::ffff:127.0.0.1"});
		assertExcludes("10.0.0.0/8, 127.0.0.0/8", {"::ffff:11.0.0.1", "::ffff:192.0.2.1"});
	}

	void testMatchesEmbeddedIPv4()
	{
		// IPv4-compatible and NAT64 addresses reach the IPv4 address they carry.
		assertContains("127.0.0.0/8", {"::127.0.0.1", "64:ff9b::7f00:1"});
		assertContains("169.254.0.0/16", {"64:ff9b::a9fe:a9fe", "::169.254.169.254"});
		assertExcludes("127.0.0.0/8, 169.254.0.0/16", {"64:ff9b::808:808", "2001:db8::7f00:1", "64:ff9c::7f00:1"});
	}

	void testMatchesMappedEntryAsIPv4()
	{
		assertContains("::ffff:10.0.0.0/104", {"10.1.2.3", "::ffff:10.255.0.1"});
		assertExcludes("::ffff:10.0.0.0/104", {"11.0.0.1", "::ffff:11.0.0.1"});

		assertContains("::ffff:192.0.2.1", {"192.0.2.1"});
	}

	void testAcceptsBracketedIPv6()
	{
		assertContains("[::1]", {"::1"});
		assertContains("[fe80::]/10", {"fe80::1"});
		assertExcludes("[fe80::]/10", {"fec0::1"});
	}

	void testParsesListWithSpaces()
	{
		CidrSet set = parseValid(" 10.0.0.0/8,::1 ,  fe80::/10\t,192.0.2.1 ");
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), set.size());
		CPPUNIT_ASSERT(set.contains(IPAddress("192.0.2.1")));
		CPPUNIT_ASSERT(set.contains(IPAddress("fe80::1")));
	}

	void testEmptyListMatchesNothing()
	{
		for (const char* list: {"", " ", ",", " , "})
		{
			CidrSet set = parseValid(list);
			CPPUNIT_ASSERT_MESSAGE(list, set.empty());
			CPPUNIT_ASSERT_MESSAGE(list, !set.contains(IPAddress("127.0.0.1")));
			CPPUNIT_ASSERT_MESSAGE(list, !set.contains(IPAddress("::1")));
		}
	}

	void testRejectsBadPrefix()
	{
		assertRejected({
			"10.0.0.0/33",
			"::/129",
			"fe80::/1000",
			"10.0.0.0/ab",
			"10.0.0.0/8x",
			"10.0.0.0/",
			"10.0.0.0/-1",
			"10.0.0.0/+8",
			"10.0.0.0/8/8",
			"::1/ 128",
		});
	}

	void testRejectsBadAddress()
	{
		assertRejected({
			"banana",
			"256.0.0.0/8",
			"10.0.0.0.0/8",
			"2001:db8::g/32",
			"2001:db8:::1",
			"[::1/128]",
			"/8",
		});
	}

	void testReportsFirstBadEntry()
	{
		CidrSet set;
		std::string badEntry;
		CPPUNIT_ASSERT(!CidrSet::parse("10.0.0.0/8, 192.0.2.0/33, banana", set, badEntry));
		CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.0/33"), badEntry);
	}

	void testRejectsShortIPv4Forms()
	{
		// inet_aton(3) reads "10/8" as 0.0.0.10/8, not the 10.0.0.0/8 its writer
		// meant, so only dotted quads count as IPv4 addresses.
		assertRejected({"10/8", "127.1", "10.1/16", "192.168.1/24"});
	}

	void testRejectsOctalIPv4()
	{
		// inet_aton(3) reads a leading 0 as octal, so "010.0.0.0/8" would become 8.0.0.0/8.
		assertRejected({"010.0.0.0/8", "0x7f.0.0.1"});
	}

	void testRejectsMissingComma()
	{
		// A missing comma must not drop the second address silently, or it would stay unmatched.
		assertRejected({"192.0.2.1 198.51.100.1", "192.0.2.1 junk"});
	}

	void testDefaultAllowListCoversLocalNetworks()
	{
		assertContains(defaultValue("proxy.clients.allow"), {
			"127.0.0.1",
			"127.255.255.254",
			"::1",
			"10.1.2.3",
			"172.16.0.1",
			"172.31.255.254",
			"192.168.1.10",
			"fd12:3456::1",
			"fe80::1",
			"::ffff:192.168.1.10",
			"::ffff:127.0.0.1",
		});
	}

	void testDefaultAllowListExcludesPublic()
	{
		assertExcludes(defaultValue("proxy.clients.allow"), {
			"192.0.2.1",
			"198.51.100.1",
			"172.32.0.1",
			"169.254.1.1",
			"2001:db8::1",
			"::ffff:192.0.2.1",
		});
	}

	void testDefaultDenyListCoversLocalHost()
	{
		assertContains(defaultValue("proxy.destinations.denyNetworks"), {
			"127.0.0.1",
			"127.1.2.3",
			"::1",
			"0.0.0.0",
			"0.1.2.3",
			"::",
			"169.254.169.254",
			"169.254.0.1",
			"fe80::1",
			"febf::1",
			"::ffff:127.0.0.1",
			"::ffff:169.254.169.254",
			"::ffff:0.0.0.0",
			"::127.0.0.1",
			"64:ff9b::a9fe:a9fe",
		});
	}

	void testDefaultDenyListAllowsOthers()
	{
		// Private networks are not in the default list, so origins on a LAN stay reachable.
		assertExcludes(defaultValue("proxy.destinations.denyNetworks"), {
			"192.0.2.1",
			"2001:db8::1",
			"10.0.0.1",
			"192.168.1.1",
			"::2",
			"fec0::1",
			"169.255.0.1",
		});
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(CidrSetTest);
