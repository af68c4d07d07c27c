//
// AccessLog.cpp
//

#include "fwdproxy/observe/AccessLog.h"

#include <Poco/Logger.h>


namespace fwdproxy {
namespace observe {


void writeAccessLog(const AccessRecord& record)
{
	static Poco::Logger& logger = Poco::Logger::get("fwdproxy.access");
	if (!logger.information()) return;

	auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
		std::chrono::steady_clock::now() - record.start).count();

	std::string line;
	line.reserve(128 + record.target.size());
	line += record.client;
	line += " #";
	line += std::to_string(record.connectionId);
	line += ' ';
	line += record.method.empty() ? "-" : record.method;
	line += ' ';
	line += record.target.empty() ? "-" : record.target;
	line += ' ';
	line += std::to_string(record.status);
	line += ' ';
	line += std::to_string(record.bytesToClient);
	line += ' ';
	line += std::to_string(duration);
	line += "ms ";
	line += http::reasonCode(record.reason);
	logger.information(line);
}


} } // namespace fwdproxy::observe
