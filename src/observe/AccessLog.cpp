//
// AccessLog.cpp
//

#include "fwdproxy/observe/AccessLog.h"

#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>


namespace fwdproxy {
namespace observe {


namespace {


Poco::Logger& accessLogger()
{
	static Poco::Logger& logger = Poco::Logger::get("fwdproxy.access");
	return logger;
}


} // namespace


void writeAccessLog(const AccessRecord& record, AccessLogFormat format, std::chrono::microseconds duration)
{
	Poco::Logger& logger = accessLogger();
	if (!logger.information()) return;

	logger.information(formatAccessLine(record, format, std::chrono::system_clock::now(), duration));
}


void useAccessLogFormat(AccessLogFormat format)
{
	if (!carriesOwnTime(format)) return;

	// LoggingConfigurator wraps a channel that has a formatter or a pattern in
	// a FormattingChannel, and the logger gets the channel inside it instead.
	// NOTE: a formatter nested deeper, inside a SplitterChannel or an
	// AsyncChannel, still applies, as fwdproxy.properties(5) documents.
	Poco::Logger& logger = accessLogger();
	Poco::Channel::Ptr channel = logger.getChannel();
	auto* formatting = dynamic_cast<Poco::FormattingChannel*>(channel.get());
	if (formatting != nullptr && formatting->getChannel()) logger.setChannel(formatting->getChannel());
}


} } // namespace fwdproxy::observe
