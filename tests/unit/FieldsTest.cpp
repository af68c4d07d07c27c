//
// FieldsTest.cpp
//
// The ordered field list: lookups without case, list values and serialization.
//

#include "fwdproxy/http/Fields.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>


using namespace std::string_literals;
using fwdproxy::http::Fields;


class FieldsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FieldsTest);
	CPPUNIT_TEST(testFindIgnoresCase);
	CPPUNIT_TEST(testFindReturnsFirstValue);
	CPPUNIT_TEST(testFindReturnsNullWhenAbsent);
	CPPUNIT_TEST(testCountIgnoresCase);
	CPPUNIT_TEST(testRemoveIgnoresCase);
	CPPUNIT_TEST(testRemoveAbsentIsHarmless);
	CPPUNIT_TEST(testCombinedJoinsValues);
	CPPUNIT_TEST(testCombinedOfAbsentIsEmpty);
	CPPUNIT_TEST(testHasTokenInList);
	CPPUNIT_TEST(testHasTokenRejectsPartialMatch);
	CPPUNIT_TEST(testHasTokenAcrossFields);
	CPPUNIT_TEST(testHasTokenChecksNameOnly);
	CPPUNIT_TEST(testSerializesInOrder);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFindIgnoresCase()
	{
		Fields fields;
		fields.add("Content-Type", "text/plain");
		CPPUNIT_ASSERT(fields.find("content-type") != nullptr);
		CPPUNIT_ASSERT_EQUAL("text/plain"s, *fields.find("CONTENT-TYPE"));
	}

	void testFindReturnsFirstValue()
	{
		Fields fields;
		fields.add("Via", "1.1 first");
		fields.add("via", "1.1 second");
		CPPUNIT_ASSERT_EQUAL("1.1 first"s, *fields.find("VIA"));
	}

	void testFindReturnsNullWhenAbsent()
	{
		Fields fields;
		fields.add("Host", "example.com");
		CPPUNIT_ASSERT(fields.find("Hos") == nullptr);
		CPPUNIT_ASSERT(fields.find("Hostname") == nullptr);
		CPPUNIT_ASSERT(Fields().find("Host") == nullptr);
	}

	void testCountIgnoresCase()
	{
		Fields fields;
		fields.add("Set-Cookie", "a=1");
		fields.add("set-cookie", "b=2");
		fields.add("SET-COOKIE", "c=3");
		fields.add("Set-Cookie2", "d=4");
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), fields.count("Set-Cookie"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), fields.count("Cookie"));
	}

	void testRemoveIgnoresCase()
	{
		Fields fields;
		fields.add("A", "1");
		fields.add("X-Drop", "2");
		fields.add("B", "3");
		fields.add("x-drop", "4");
		fields.add("C", "5");
		fields.remove("X-DROP");

		CPPUNIT_ASSERT_EQUAL(std::size_t(3), fields.list().size());
		CPPUNIT_ASSERT_EQUAL("A"s, fields.list()[0].name);
		CPPUNIT_ASSERT_EQUAL("B"s, fields.list()[1].name);
		CPPUNIT_ASSERT_EQUAL("C"s, fields.list()[2].name);
	}

	void testRemoveAbsentIsHarmless()
	{
		Fields fields;
		fields.add("A", "1");
		fields.remove("B");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), fields.list().size());
	}

	void testCombinedJoinsValues()
	{
		Fields fields;
		fields.add("Accept", "text/html");
		fields.add("Host", "example.com");
		fields.add("accept", "text/plain, */*");
		CPPUNIT_ASSERT_EQUAL("text/html, text/plain, */*"s, fields.combined("ACCEPT"));
		CPPUNIT_ASSERT_EQUAL("example.com"s, fields.combined("Host"));
	}

	void testCombinedOfAbsentIsEmpty()
	{
		Fields fields;
		fields.add("Host", "example.com");
		CPPUNIT_ASSERT_EQUAL(""s, fields.combined("Accept"));
	}

	void testHasTokenInList()
	{
		for (const char* value: {"close", "Close", "CLOSE", " close ", "keep-alive, close", "keep-alive,close",
			"a , close ,b", ",,close,,", "close, keep-alive", "x\t,\tclose"})
		{
			Fields fields;
			fields.add("Connection", value);
			CPPUNIT_ASSERT_MESSAGE(value, fields.hasToken("connection", "close"));
		}
	}

	void testHasTokenRejectsPartialMatch()
	{
		for (const char* value: {"", "closed", "enclose", "clo se", "keep-alive", "close-later", "\"close\""})
		{
			Fields fields;
			fields.add("Connection", value);
			CPPUNIT_ASSERT_MESSAGE(value, !fields.hasToken("Connection", "close"));
		}
	}

	void testHasTokenAcrossFields()
	{
		Fields fields;
		fields.add("Connection", "keep-alive");
		fields.add("Connection", "Upgrade");
		CPPUNIT_ASSERT(fields.hasToken("Connection", "upgrade"));
		CPPUNIT_ASSERT(fields.hasToken("Connection", "keep-alive"));
	}

	void testHasTokenChecksNameOnly()
	{
		Fields fields;
		fields.add("Upgrade", "close");
		CPPUNIT_ASSERT(!fields.hasToken("Connection", "close"));
	}

	void testSerializesInOrder()
	{
		Fields fields;
		fields.add("Host", "example.com");
		fields.add("Cookie", "a=1");
		fields.add("cookie", "b=2");
		std::string out = "GET / HTTP/1.1\r\n";
		fields.serialize(out);
		CPPUNIT_ASSERT_EQUAL("GET / HTTP/1.1\r\nHost: example.com\r\nCookie: a=1\r\ncookie: b=2\r\n"s, out);
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(FieldsTest);
