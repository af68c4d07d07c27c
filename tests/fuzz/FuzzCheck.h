//
// FuzzCheck.h
//
// A check that stops the fuzzer with a crash report when a property of the
// code under test does not hold.
//

#pragma once

#include <cstdio>
#include <cstdlib>


#define FUZZ_CHECK(condition)                                                        \
	do                                                                               \
	{                                                                                \
		if (!(condition))                                                            \
		{                                                                            \
			std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
			std::abort();                                                            \
		}                                                                            \
	} while (false)
