//
// AssertionTraits.h
//
// Lets CPPUNIT_ASSERT_EQUAL compare and print the project's enums, so a
// failure shows "bad_request" instead of an unprintable value.
//

#pragma once

#include "fwdproxy/http/Framing.h"
#include "fwdproxy/http/Reason.h"

#include <cppunit/TestAssert.h>

#include <string>


namespace CppUnit {


template <>
struct assertion_traits<fwdproxy::http::Reason>
{
	static bool equal(fwdproxy::http::Reason a, fwdproxy::http::Reason b)
	{
		return a == b;
	}

	static std::string toString(fwdproxy::http::Reason reason)
	{
		return fwdproxy::http::reasonCode(reason);
	}
};


template <>
struct assertion_traits<fwdproxy::http::BodyKind>
{
	static bool equal(fwdproxy::http::BodyKind a, fwdproxy::http::BodyKind b)
	{
		return a == b;
	}

	static std::string toString(fwdproxy::http::BodyKind kind)
	{
		switch (kind)
		{
		case fwdproxy::http::BodyKind::None: return "None";
		case fwdproxy::http::BodyKind::Length: return "Length";
		case fwdproxy::http::BodyKind::Chunked: return "Chunked";
		case fwdproxy::http::BodyKind::UntilClose: return "UntilClose";
		}
		return "BodyKind(" + std::to_string(static_cast<int>(kind)) + ")";
	}
};


} // namespace CppUnit
