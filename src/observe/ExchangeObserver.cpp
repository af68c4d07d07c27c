//
// ExchangeObserver.cpp
//

#include "fwdproxy/observe/ExchangeObserver.h"
#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Logger.h>

#include <algorithm>


namespace fwdproxy {
namespace observe {


std::unique_ptr<ExchangeObserver> ExchangeObserver::create(const TraceOptions& options)
{
	if (!options.enabled()) return nullptr;

	return std::make_unique<ExchangeObserver>(options);
}


ExchangeObserver::ExchangeObserver(const TraceOptions& options):
	_showSecrets(options.showSecrets),
	_maxBodySize(options.harMaxBodySize),
	_hosts(options.hosts),
	_methods(options.methods)
{
	if (options.trace)
	{
		Poco::Logger& logger = Poco::Logger::get("fwdproxy.trace");
		_trace = std::make_unique<TraceWriter>(logger, TraceWriter::stderrIsColourTerminal(logger), options.showSecrets);
	}
	if (!options.harFile.empty()) _har = std::make_unique<HarWriter>(options.harFile, options.harMaxEntries);
}


std::unique_ptr<ExchangeRecorder> ExchangeObserver::begin(const http::RequestHead& request, const AccessRecord& record)
{
	if (!matchesMethod(request.method)) return nullptr;

	http::RequestTarget target;
	bool connect = request.method == "CONNECT";
	http::Reason reason = connect ? http::parseAuthorityForm(request.target, target)
		: http::parseAbsoluteForm(request.target, request.method, target);
	bool parsed = reason == http::Reason::None;
	if (!_hosts.empty() && (!parsed || !_hosts.matches(policy::normalizeHost(target.host)))) return nullptr;

	// HAR wants an absolute URL without a fragment, and viewers parse it as
	// one, so a tunnel's host:port becomes tcp://host:port: it names the
	// TCP stream without claiming TLS. A target that does not parse is kept as received.
	std::string url = request.target;
	if (parsed && connect) url = "tcp://" + target.authority;
	if (parsed && !connect) url = "http://" + target.authority + (target.originForm == "*" ? "" : target.originForm);

	return std::make_unique<ExchangeRecorder>(_trace.get(), _har.get(), _showSecrets, _maxBodySize, request, record, url);
}


void ExchangeObserver::close()
{
	if (_har) _har->close();
}


bool ExchangeObserver::matchesMethod(const std::string& method) const
{
	if (_methods.empty()) return true;

	return std::any_of(_methods.begin(), _methods.end(), [&](const std::string& entry) {
		return http::equalsIgnoreCase(entry, method);
	});
}


} } // namespace fwdproxy::observe
