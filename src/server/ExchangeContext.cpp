//
// ExchangeContext.cpp
//

#include "fwdproxy/server/ExchangeContext.h"
#include "fwdproxy/http/ErrorResponse.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>


namespace fwdproxy {
namespace server {


namespace {


Poco::Logger& errorLogger()
{
	static Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	return logger;
}


std::string describe(const ExchangeContext& context, const observe::AccessRecord& record)
{
	std::string text = context.clientAddress + " #" + std::to_string(context.connectionId);
	if (!record.method.empty()) text += " " + record.method + " " + record.target;
	return text;
}


} // namespace


ExchangeEnd ExchangeContext::reject(http::Reason reason, const std::string& subject, const std::string& detail,
	observe::AccessRecord& record, const std::string& extraFields)
{
	record.status = http::reasonStatus(reason);
	record.reason = reason;
	record.generated = true;
	record.contentType = http::ERROR_CONTENT_TYPE;
	origin.close();

	// Upstream failures are worth an operator's attention; client mistakes are routine.
	std::string message = describe(*this, record) + ": " + http::reasonCode(reason);
	if (!detail.empty()) message += " (" + detail + ")";
	if (record.status >= 500) errorLogger().warning(message);
	else errorLogger().notice(message);

	try
	{
		client.send(http::makeErrorResponse(reason, subject, settings.via(), extraFields));
	}
	catch (const Poco::Exception& e)
	{
		errorLogger().debug(describe(*this, record) + ": error response not delivered: " + e.displayText());
	}
	return ExchangeEnd::Close;
}


http::Reason ExchangeContext::checkDestination(const std::string& host, std::string& detail) const
{
	std::string normalized = policy::normalizeHost(host);
	if (settings.destinationsDeny.matches(normalized))
	{
		detail = "matched by proxy.destinations.deny";
		return http::Reason::HostDenied;
	}
	if (!settings.destinationsAllow.empty() && !settings.destinationsAllow.matches(normalized))
	{
		detail = "not in proxy.destinations.allow";
		return http::Reason::HostDenied;
	}
	return http::Reason::None;
}


upstream::Connector ExchangeContext::connector() const
{
	return upstream::Connector(shared.resolver, settings.denyNetworks, shared.selfAddresses, settings.connectTimeout,
		settings.outgoingAddresses);
}


upstream::Connection ExchangeContext::connect(const std::string& host, std::uint16_t port)
{
	upstream::Connection connection = connector().connect(host, port);
	if (connection.reason != http::Reason::None) shared.metrics.countConnectFailure(connection.reason);
	return connection;
}


void ExchangeContext::releaseOrigin()
{
	// Only a connection whose last response was read to its end has a key.
	// Bytes still buffered would be taken for the next response, so such a
	// connection is closed.
	if (origin.connected() && !origin.key().empty() && origin.reader().available() == 0)
	{
		shared.pool.put(origin.key(), origin.socket());
		origin.detach();
		return;
	}
	origin.close();
}


void ExchangeContext::logFailure(const std::string& what, const observe::AccessRecord& record) const
{
	errorLogger().warning(describe(*this, record) + ": " + what);
}


void ExchangeContext::finish(const observe::AccessRecord& record)
{
	auto duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - record.start);
	observe::writeAccessLog(record, settings.accessLogFormat, duration);
	shared.metrics.countExchange(record, duration);
}


} } // namespace fwdproxy::server
