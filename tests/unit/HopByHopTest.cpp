//
// HopByHopTest.cpp
//
// Removal of connection-specific fields before forwarding, and of fields
// that must not appear in a trailer section.
//

#include "fwdproxy/http/HopByHop.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <utility>
#include <vector>


using fwdproxy::http::Field;
using fwdproxy::http::Fields;


namespace {


using FieldList = std::vector<std::pair<std::string, std::string>>;


Fields makeFields(const FieldList& list)
{
	Fields fields;
	for (const auto& field: list) fields.add(field.first, field.second);
	return fields;
}


std::vector<std::string> namesOf(const Fields& fields)
{
	std::vector<std::string> names;
	for (const Field& field: fields.list()) names.push_back(field.name);
	return names;
}


std::string join(const std::vector<std::string>& names)
{
	std::string text;
	for (const std::string& name: names) text += name + ";";
	return text;
}


const char* const ALWAYS_HOP_BY_HOP[] = {
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"TE",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
	"Proxy-Authorization",
	"Proxy-Authenticate",
};


} // namespace


class HopByHopTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HopByHopTest);
	CPPUNIT_TEST(testRemovesConnectionAndNamedFields);
	CPPUNIT_TEST(testRemovesAlwaysHopByHopFields);
	CPPUNIT_TEST(testKeepsEndToEndFieldsInOrder);
	CPPUNIT_TEST(testKeepsContentLength);
	CPPUNIT_TEST(testMatchesNamesWithoutCase);
	CPPUNIT_TEST(testReadsEveryConnectionField);
	CPPUNIT_TEST(testRemovesForbiddenTrailers);
	CPPUNIT_TEST(testKeepsAllowedTrailers);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRemovesConnectionAndNamedFields()
	{
		Fields fields = makeFields({
			{"Host", "example.com"},
			{"Connection", "X-Private, x-session"},
			{"X-Private", "1"},
			{"X-Session", "2"},
			{"X-Public", "3"},
		});
		fwdproxy::http::removeHopByHop(fields);

		CPPUNIT_ASSERT_EQUAL(std::size_t(0), fields.count("Connection"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), fields.count("X-Private"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), fields.count("X-Session"));
		CPPUNIT_ASSERT_EQUAL(join({"Host", "X-Public"}), join(namesOf(fields)));
	}

	void testRemovesAlwaysHopByHopFields()
	{
		for (const char* name: ALWAYS_HOP_BY_HOP)
		{
			Fields fields = makeFields({{"Accept", "*/*"}, {name, "value"}, {"Cookie", "a=1"}});
			fwdproxy::http::removeHopByHop(fields);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, std::size_t(0), fields.count(name));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, join({"Accept", "Cookie"}), join(namesOf(fields)));
		}
	}

	void testKeepsEndToEndFieldsInOrder()
	{
		Fields fields = makeFields({
			{"Host", "example.com"},
			{"Keep-Alive", "timeout=5"},
			{"Cookie", "a=1"},
			{"Accept", "*/*"},
			{"Proxy-Authorization", "Basic dXNlcjpwYXNz"},
			{"Cookie", "b=2"},
			{"Via", "1.1 other"},
		});
		fwdproxy::http::removeHopByHop(fields);

		CPPUNIT_ASSERT_EQUAL(join({"Host", "Cookie", "Accept", "Cookie", "Via"}), join(namesOf(fields)));
		CPPUNIT_ASSERT_EQUAL(std::string("a=1"), fields.list()[1].value);
		CPPUNIT_ASSERT_EQUAL(std::string("b=2"), fields.list()[3].value);
	}

	void testKeepsContentLength()
	{
		Fields fields = makeFields({{"Content-Length", "5"}, {"Connection", "close"}});
		fwdproxy::http::removeHopByHop(fields);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), fields.count("Content-Length"));
	}

	void testMatchesNamesWithoutCase()
	{
		Fields fields = makeFields({
			{"connection", "X-PRIVATE"},
			{"x-private", "1"},
			{"KEEP-ALIVE", "timeout=5"},
			{"transfer-encoding", "chunked"},
			{"proxy-authorization", "Basic dXNlcjpwYXNz"},
			{"Date", "today"},
		});
		fwdproxy::http::removeHopByHop(fields);
		CPPUNIT_ASSERT_EQUAL(join({"Date"}), join(namesOf(fields)));
	}

	void testReadsEveryConnectionField()
	{
		Fields fields = makeFields({
			{"Connection", "X-A"},
			{"X-A", "1"},
			{"Connection", " , X-B ,, "},
			{"X-B", "2"},
			{"X-C", "3"},
		});
		fwdproxy::http::removeHopByHop(fields);
		CPPUNIT_ASSERT_EQUAL(join({"X-C"}), join(namesOf(fields)));
	}

	void testRemovesForbiddenTrailers()
	{
		const char* const forbidden[] = {
			"Content-Length",
			"Host",
			"Transfer-Encoding",
			"Content-Encoding",
			"Content-Type",
			"Content-Range",
			"Cache-Control",
			"Expect",
			"Max-Forwards",
			"Trailer",
			"TE",
			"Connection",
		};
		for (const char* name: forbidden)
		{
			Fields trailers = makeFields({{"X-Checksum", "abc"}, {name, "value"}});
			fwdproxy::http::removeForbiddenTrailers(trailers);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, join({"X-Checksum"}), join(namesOf(trailers)));
		}
	}

	void testKeepsAllowedTrailers()
	{
		Fields trailers = makeFields({{"X-Checksum", "abc"}, {"Server-Timing", "db;dur=53"}, {"Digest", "sha-256=x"}});
		fwdproxy::http::removeForbiddenTrailers(trailers);
		CPPUNIT_ASSERT_EQUAL(join({"X-Checksum", "Server-Timing", "Digest"}), join(namesOf(trailers)));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(HopByHopTest);
