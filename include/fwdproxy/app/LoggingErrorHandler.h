//
// LoggingErrorHandler.h
//
// Logs exceptions that escape a thread. POCO's default handler only reports
// them to a debugger, so they would vanish in a release build.
//

#pragma once

#include <Poco/ErrorHandler.h>
#include <Poco/Logger.h>


namespace fwdproxy {
namespace app {


class LoggingErrorHandler: public Poco::ErrorHandler
{
public:
	void exception(const Poco::Exception& e) override
	{
		Poco::Logger::get("fwdproxy").error("unhandled exception in a worker thread: " + e.displayText());
	}

	void exception(const std::exception& e) override
	{
		Poco::Logger::get("fwdproxy").error(std::string("unhandled exception in a worker thread: ") + e.what());
	}

	void exception() override
	{
		Poco::Logger::get("fwdproxy").error("unhandled unknown exception in a worker thread");
	}
};


} } // namespace fwdproxy::app
