//
// Driver.cpp
//
// Runs every CppUnit suite registered with CPPUNIT_TEST_SUITE_REGISTRATION.
//

#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>


int main()
{
	CppUnit::TextUi::TestRunner runner;
	runner.addTest(CppUnit::TestFactoryRegistry::getRegistry().makeTest());
	return runner.run() ? 0 : 1;
}
