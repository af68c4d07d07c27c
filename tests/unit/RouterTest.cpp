//
// RouterTest.cpp
//
// The routing decision: proxy.direct first, then the parents in order whose
// destination lists match, otherwise a direct connection. Names are never resolved.
//

#include "fwdproxy/upstream/Router.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>


using fwdproxy::upstream::DestinationSet;
using fwdproxy::upstream::ParentProxy;
using fwdproxy::upstream::Route;
using fwdproxy::upstream::Router;


namespace {


DestinationSet destinations(const std::string& list)
{
	DestinationSet set;
	std::string badEntry;
	CPPUNIT_ASSERT_MESSAGE("'" + list + "' rejected at '" + badEntry + "'", DestinationSet::parse(list, set, badEntry));
	return set;
}


ParentProxy parent(const std::string& name, const std::string& list)
{
	ParentProxy result;
	result.name = name;
	result.host = "127.0.0.1";
	result.port = 3128;
	result.destinations = destinations(list);
	return result;
}


// Returns the names of the parents on the route, separated by commas, or "direct".
std::string describe(const Route& route)
{
	if (route.direct()) return "direct";

	std::string names;
	for (const ParentProxy* candidate: route.parents)
	{
		if (!names.empty()) names += ",";
		names += candidate->name;
	}
	return names;
}


} // namespace


class RouterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RouterTest);
	CPPUNIT_TEST(testMatchesDestinationEntries);
	CPPUNIT_TEST(testMatchesNetworksOnlyForLiterals);
	CPPUNIT_TEST(testRejectsBadDestinationEntries);
	CPPUNIT_TEST(testDecisionTable);
	CPPUNIT_TEST(testNoParentsMeansDirect);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMatchesDestinationEntries()
	{
		DestinationSet set = destinations("intranet, .example.com, 10.0.0.0/8, 2001:db8::/32, 192.0.2.7");
		for (const char* host: {"intranet", "example.com", "www.example.com", "a.b.example.com", "WWW.Example.COM.",
			"10.1.2.3", "2001:db8::1", "192.0.2.7"})
		{
			CPPUNIT_ASSERT_MESSAGE(std::string("should match ") + host, set.matches(host));
		}
		for (const char* host: {"intranet.example.org", "badexample.com", "example.com.evil", "11.0.0.1", "2001:db9::1",
			"192.0.2.8", "localhost"})
		{
			CPPUNIT_ASSERT_MESSAGE(std::string("should not match ") + host, !set.matches(host));
		}

		DestinationSet all = destinations("*");
		CPPUNIT_ASSERT(all.matches("anything.example"));
		CPPUNIT_ASSERT(all.matches("::1"));
		CPPUNIT_ASSERT(destinations("").empty());
		CPPUNIT_ASSERT(!destinations("").matches("example.com"));
	}

	void testMatchesNetworksOnlyForLiterals()
	{
		// Routing never resolves a name, so a network entry matches only a literal in that network.
		DestinationSet set = destinations("127.0.0.0/8");
		CPPUNIT_ASSERT(set.matches("127.0.0.1"));
		CPPUNIT_ASSERT(!set.matches("localhost"));
		CPPUNIT_ASSERT(destinations("localhost").matches("localhost"));
		CPPUNIT_ASSERT(!destinations("localhost").matches("127.0.0.1"));
	}

	void testRejectsBadDestinationEntries()
	{
		for (const char* list: {"10.0.0.0/33", "example.com, 300.1.2.3/8", "::1/129", ".", "~("})
		{
			DestinationSet set;
			std::string badEntry;
			CPPUNIT_ASSERT_MESSAGE("'" + std::string(list) + "' should be rejected", !DestinationSet::parse(list, set, badEntry));
			CPPUNIT_ASSERT_MESSAGE("'" + std::string(list) + "' names no bad entry", !badEntry.empty());
		}
	}

	void testDecisionTable()
	{
		Router router(destinations("localhost, .internal, 192.168.0.0/16"), {
			parent("corp", ".example.com, 10.0.0.0/8"),
			parent("backup", ".example.com"),
			parent("rest", "*"),
		});

		struct Case
		{
			const char* host;
			const char* route;
		};
		const Case cases[] = {
			{"localhost", "direct"},                 // proxy.direct comes first, even before "*"
			{"db.internal", "direct"},
			{"192.168.1.10", "direct"},
			{"www.example.com", "corp,backup,rest"}, // every matching parent, in order, for failover
			{"example.com", "corp,backup,rest"},
			{"10.20.30.40", "corp,rest"},
			{"example.org", "rest"},
			{"192.169.0.1", "rest"},
			{"internal", "direct"},                  // ".internal" matches the domain itself too
			{"notinternal", "rest"},
		};
		for (const Case& entry: cases)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(entry.host, std::string(entry.route), describe(router.route(entry.host)));
		}
	}

	void testNoParentsMeansDirect()
	{
		CPPUNIT_ASSERT(Router().route("example.com").direct());

		// Without a matching parent the destination is reached directly.
		Router router(DestinationSet(), {parent("corp", ".example.com")});
		CPPUNIT_ASSERT_EQUAL(std::string("direct"), describe(router.route("example.org")));
		CPPUNIT_ASSERT_EQUAL(std::string("corp"), describe(router.route("a.example.com")));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(RouterTest);
