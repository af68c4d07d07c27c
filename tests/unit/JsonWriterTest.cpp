//
// JsonWriterTest.cpp
//
// JSON output: commas and nesting, numbers, and strings that stay valid
// UTF-8 JSON whatever bytes go in.
//

#include "fwdproxy/observe/JsonWriter.h"

#include "EscapedText.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>


using namespace std::string_literals;
using fwdproxy::observe::JsonWriter;
using fwdproxy::observe::appendJsonString;
using fwdproxy::observe::isValidUtf8;


namespace {


std::string quoted(std::string_view text)
{
	std::string out;
	appendJsonString(out, text);
	return out;
}


} // namespace


class JsonWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JsonWriterTest);
	CPPUNIT_TEST(testNestedStructure);
	CPPUNIT_TEST(testEmptyContainers);
	CPPUNIT_TEST(testNumbers);
	CPPUNIT_TEST(testEscapesQuoteAndBackslash);
	CPPUNIT_TEST(testEscapesControls);
	CPPUNIT_TEST(testKeepsValidUtf8);
	CPPUNIT_TEST(testReplacesInvalidUtf8);
	CPPUNIT_TEST(testValidatesUtf8);
	CPPUNIT_TEST(testAcceptsCutEndWhenAllowed);
	CPPUNIT_TEST_SUITE_END();

public:
	void testNestedStructure()
	{
		std::string out;
		JsonWriter json(out);
		json.beginObject()
			.member("a", 1)
			.key("list").beginArray().value("x").value(true).beginObject().member("b", false).endObject().endArray()
			.member("c", "d")
			.endObject();
		CPPUNIT_ASSERT_EQUAL(R"({"a":1,"list":["x",true,{"b":false}],"c":"d"})"s, out);
	}

	void testEmptyContainers()
	{
		std::string out;
		JsonWriter json(out);
		json.beginObject().key("o").beginObject().endObject().key("a").beginArray().endArray().endObject();
		CPPUNIT_ASSERT_EQUAL(R"({"o":{},"a":[]})"s, out);
	}

	void testNumbers()
	{
		std::string out;
		JsonWriter json(out);
		json.beginArray().value(-1.0).value(0.0).value(1.5).value(2.0004).value(12.3456).value(std::int64_t(-1))
			.value(std::int64_t(1) << 40).endArray();
		CPPUNIT_ASSERT_EQUAL("[-1,0,1.5,2,12.346,-1,1099511627776]"s, out);
	}

	void testEscapesQuoteAndBackslash()
	{
		CPPUNIT_ASSERT_EQUAL(R"("say \"hi\" \\ bye /")"s, quoted("say \"hi\" \\ bye /"));
	}

	void testEscapesControls()
	{
		std::string input = "a\nb\rc\td\be\ff"s + '\0' + "\x01\x1f\x7f";
		CPPUNIT_ASSERT_EQUAL(R"("a\nb\rc\td\be\ff\u0000\u0001\u001f)"s + "\x7f\"", quoted(input));
	}

	void testKeepsValidUtf8()
	{
		// U+00E9, U+20AC, U+1F600 and the largest code point, U+10FFFF.
		std::string input = "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
		CPPUNIT_ASSERT_EQUAL("\"" + input + "\"", quoted(input));
	}

	void testReplacesInvalidUtf8()
	{
		const std::string replacement = "\xEF\xBF\xBD";
		struct Case
		{
			std::string input;
			std::string expected;
		};
		const Case cases[] = {
			{"\xE9t\xE9", replacement + "t" + replacement},                         // Latin-1
			{"\xC0\xAF", replacement + replacement},                                // overlong "/"
			{"\xED\xA0\x80", replacement + replacement + replacement},              // UTF-16 surrogate
			{"\xF4\x90\x80\x80", replacement + replacement + replacement + replacement},   // above U+10FFFF
			{"a\xC3", "a" + replacement},                                           // cut at the end
			{"\x80", replacement},                                                  // lone continuation byte
			{"\xFF\xFE", replacement + replacement},
		};
		for (const Case& item: cases)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(escapeControls(item.input), "\"" + item.expected + "\"", quoted(item.input));
		}
	}

	void testValidatesUtf8()
	{
		CPPUNIT_ASSERT(isValidUtf8(""));
		CPPUNIT_ASSERT(isValidUtf8("plain ASCII"));
		CPPUNIT_ASSERT(isValidUtf8("\xC3\xA9\xE2\x82\xAC"));
		CPPUNIT_ASSERT(!isValidUtf8("\xE9"));
		CPPUNIT_ASSERT(!isValidUtf8("\xC3\xA9\xE2\x82"));
		CPPUNIT_ASSERT(!isValidUtf8("\xE0\x80\x80"));
	}

	void testAcceptsCutEndWhenAllowed()
	{
		CPPUNIT_ASSERT(isValidUtf8("abc\xE2\x82", true));
		CPPUNIT_ASSERT(isValidUtf8("abc\xF0", true));
		CPPUNIT_ASSERT(!isValidUtf8("abc\xE2\x82x", true));
		CPPUNIT_ASSERT(!isValidUtf8("\xE9 abc", true));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(JsonWriterTest);
