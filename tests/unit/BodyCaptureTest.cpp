//
// BodyCaptureTest.cpp
//
// The HAR body capture: the limit on what is kept, and the count of everything.
//

#include "fwdproxy/observe/BodyCapture.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>


using namespace std::string_literals;
using fwdproxy::observe::BodyCapture;


class BodyCaptureTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BodyCaptureTest);
	CPPUNIT_TEST(testKeepsBodyUnderLimit);
	CPPUNIT_TEST(testKeepsOnlyLimit);
	CPPUNIT_TEST(testZeroLimitKeepsNothing);
	CPPUNIT_TEST(testSkipCountsWithoutKeeping);
	CPPUNIT_TEST(testLastDataMovesWithBytes);
	CPPUNIT_TEST_SUITE_END();

public:
	void testKeepsBodyUnderLimit()
	{
		BodyCapture capture(10);
		capture.append("hello", 5);
		capture.append("", 0);
		CPPUNIT_ASSERT_EQUAL("hello"s, capture.data());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), capture.size());
		CPPUNIT_ASSERT(!capture.truncated());
		CPPUNIT_ASSERT(!capture.full());
	}

	void testKeepsOnlyLimit()
	{
		BodyCapture capture(8);
		capture.append("abcde", 5);
		capture.append("fghij", 5);
		capture.append("klmno", 5);
		CPPUNIT_ASSERT_EQUAL("abcdefgh"s, capture.data());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), capture.size());
		CPPUNIT_ASSERT(capture.truncated());
		CPPUNIT_ASSERT(capture.full());
	}

	void testZeroLimitKeepsNothing()
	{
		BodyCapture capture(0);
		CPPUNIT_ASSERT(capture.full());
		capture.append("abc", 3);
		CPPUNIT_ASSERT_EQUAL(""s, capture.data());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), capture.size());
		CPPUNIT_ASSERT(capture.truncated());
	}

	void testSkipCountsWithoutKeeping()
	{
		BodyCapture capture(4);
		capture.append("abcd", 4);
		capture.skip(1000000);
		CPPUNIT_ASSERT_EQUAL("abcd"s, capture.data());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1000004), capture.size());
	}

	void testLastDataMovesWithBytes()
	{
		BodyCapture capture(4);
		CPPUNIT_ASSERT(capture.lastData() == std::chrono::steady_clock::time_point());
		capture.append("", 0);
		CPPUNIT_ASSERT(capture.lastData() == std::chrono::steady_clock::time_point());
		capture.append("a", 1);
		CPPUNIT_ASSERT(capture.lastData() != std::chrono::steady_clock::time_point());
	}
};


CPPUNIT_TEST_SUITE_REGISTRATION(BodyCaptureTest);
