//
// MaskingTest.cpp
//
// Which field values the trace and the HAR file hide, and how a hidden value reads.
//

#include "fwdproxy/observe/Masking.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>


using namespace std::string_literals;
using fwdproxy::observe::isSecretField;
using fwdproxy::observe::maskedValue;
using fwdproxy::observe::shownValue;


class MaskingTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MaskingTest);
	CPPUNIT_TEST(testSecretFields);
	CPPUNIT_TEST(testSecretFieldsIgnoreCase);
	CPPUNIT_TEST(testOtherFieldsNotSecret);
	CPPUNIT_TEST(testMaskedValueNamesLength);
	CPPUNIT_TEST(testShownValueMasksSecrets);
	CPPUNIT_TEST(testShownValueWithSecretsOn);
	CPPUNIT_TEST(testShownValueKeepsOtherFields);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSecretFields()
	{
		CPPUNIT_ASSERT(isSecretField("Authorization"));
		CPPUNIT_ASSERT(isSecretField("Proxy-Authorization"));
		CPPUNIT_ASSERT(isSecretField("Cookie"));
		CPPUNIT_ASSERT(isSecretField("Set-Cookie"));
	}

	void testSecretFieldsIgnoreCase()
	{
		CPPUNIT_ASSERT(isSecretField("authorization"));
		CPPUNIT_ASSERT(isSecretField("PROXY-AUTHORIZATION"));
		CPPUNIT_ASSERT(isSecretField("cOOKIE"));
		CPPUNIT_ASSERT(isSecretField("set-cookie"));
	}

	void testOtherFieldsNotSecret()
	{
		CPPUNIT_ASSERT(!isSecretField("Host"));
		CPPUNIT_ASSERT(!isSecretField("Set-Cookie2"));
		CPPUNIT_ASSERT(!isSecretField("Cookies"));
		CPPUNIT_ASSERT(!isSecretField("X-Authorization"));
		CPPUNIT_ASSERT(!isSecretField("Proxy-Authenticate"));
		CPPUNIT_ASSERT(!isSecretField(""));
	}

	void testMaskedValueNamesLength()
	{
		CPPUNIT_ASSERT_EQUAL("<masked 23 bytes>"s, maskedValue(23));
		CPPUNIT_ASSERT_EQUAL("<masked 1 byte>"s, maskedValue(1));
		CPPUNIT_ASSERT_EQUAL("<masked 0 bytes>"s, maskedValue(0));
	}

	void testShownValueMasksSecrets()
	{
		CPPUNIT_ASSERT_EQUAL("<masked 24 bytes>"s, shownValue("Authorization", "Basic dXNlcjpwYXNzd29yZA", false));
		CPPUNIT_ASSERT_EQUAL("<masked 15 bytes>"s, shownValue("cookie", "session=abc; x=", false));
		CPPUNIT_ASSERT_EQUAL("<masked 10 bytes>"s, shownValue("Set-Cookie", "id=1; Path", false));
	}

	void testShownValueWithSecretsOn()
	{
		CPPUNIT_ASSERT_EQUAL("Basic dXNlcjpwYXNzd29yZA"s, shownValue("Authorization", "Basic dXNlcjpwYXNzd29yZA", true));
		CPPUNIT_ASSERT_EQUAL("session=abc"s, shownValue("Cookie", "session=abc", true));
	}

	void testShownValueKeepsOtherFields()
	{
		CPPUNIT_ASSERT_EQUAL("example.com"s, shownValue("Host", "example.com", false));
		CPPUNIT_ASSERT_EQUAL(""s, shownValue("X-Empty", "", false));
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(MaskingTest);
