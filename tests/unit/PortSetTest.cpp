//
// PortSetTest.cpp
//
// Port lists such as "443, 8443, 9000-9100" for CONNECT destinations.
//

#include "fwdproxy/policy/PortSet.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using fwdproxy::policy::PortSet;


namespace {


PortSet parseValid(const std::string& list)
{
	PortSet set;
	std::string badEntry;
	bool valid = PortSet::parse(list, set, badEntry);
	CPPUNIT_ASSERT_MESSAGE("'" + list + "' rejected at '" + badEntry + "'", valid);
	return set;
}


void assertContains(const std::string& list, const std::vector<std::uint16_t>& ports)
{
	PortSet set = parseValid(list);
	for (std::uint16_t port: ports)
	{
		CPPUNIT_ASSERT_MESSAGE(list + " should contain " + std::to_string(port), set.contains(port));
	}
}


void assertExcludes(const std::string& list, const std::vector<std::uint16_t>& ports)
{
	PortSet set = parseValid(list);
	for (std::uint16_t port: ports)
	{
		CPPUNIT_ASSERT_MESSAGE(list + " should not contain " + std::to_string(port), !set.contains(port));
	}
}


} // namespace


class PortSetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PortSetTest);
	CPPUNIT_TEST(testContainsSinglePort);
	CPPUNIT_TEST(testContainsRangeInclusive);
	CPPUNIT_TEST(testContainsSinglePortRange);
	CPPUNIT_TEST(testAsteriskAllowsEveryPort);
	CPPUNIT_TEST(testParsesMixedList);
	CPPUNIT_TEST(testAcceptsPortLimits);
	CPPUNIT_TEST(testEmptyListAllowsNothing);
	CPPUNIT_TEST(testRejectsInvalidEntries);
	CPPUNIT_TEST(testReportsFirstBadEntry);
	CPPUNIT_TEST_SUITE_END();

public:
	void testContainsSinglePort()
	{
		assertContains("443", {443});
		assertExcludes("443", {442, 444, 80, 1, 65535});
	}

	void testContainsRangeInclusive()
	{
		assertContains("9000-9100", {9000, 9001, 9050, 9100});
		assertExcludes("9000-9100", {8999, 9101, 443});
	}

	void testContainsSinglePortRange()
	{
		assertContains("8443-8443", {8443});
		assertExcludes("8443-8443", {8442, 8444});
	}

	void testAsteriskAllowsEveryPort()
	{
		assertContains("*", {1, 22, 80, 443, 8443, 65535});
		assertExcludes("*", {0});
	}

	void testParsesMixedList()
	{
		std::string list = "443, 8443,9000-9100 ,  22";
		assertContains(list, {443, 8443, 9000, 9100, 22});
		assertExcludes(list, {80, 444, 8999, 9101, 23});
	}

	void testAcceptsPortLimits()
	{
		assertContains("1, 65535", {1, 65535});
		assertContains("1-65535", {1, 32768, 65535});
	}

	void testEmptyListAllowsNothing()
	{
		for (const char* list: {"", " ", ",", " , "})
		{
			PortSet set = parseValid(list);
			CPPUNIT_ASSERT_MESSAGE(list, !set.contains(443));
			CPPUNIT_ASSERT_MESSAGE(list, !set.contains(1));
		}
	}

	void testRejectsInvalidEntries()
	{
		const std::vector<std::string> entries = {
			"0",
			"65536",
			"99999",
			"100000",
			"100-50",
			"0-10",
			"10-65536",
			"abc",
			"44a",
			"-5",
			"5-",
			"-",
			"1-2-3",
			"44 3",
			"+443",
			"0x1bb",
			"*-5",
			"**",
		};
		for (const std::string& entry: entries)
		{
			for (const std::string& list: {entry, "443, " + entry})
			{
				PortSet set;
				std::string badEntry;
				CPPUNIT_ASSERT_MESSAGE("'" + list + "' should be rejected", !PortSet::parse(list, set, badEntry));
				CPPUNIT_ASSERT_EQUAL_MESSAGE(list, entry, badEntry);
			}
		}
	}

	void testReportsFirstBadEntry()
	{
		PortSet set;
		std::string badEntry;
		CPPUNIT_ASSERT(!PortSet::parse("443, 0, abc", set, badEntry));
		CPPUNIT_ASSERT_EQUAL(std::string("0"), badEntry);
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(PortSetTest);
