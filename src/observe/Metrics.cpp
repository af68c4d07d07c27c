//
// Metrics.cpp
//

#include "fwdproxy/observe/Metrics.h"

#include <algorithm>


using fwdproxy::http::Reason;


namespace fwdproxy {
namespace observe {


// Methods outside this list count as "other", so that clients cannot create
// new label values (and time series) with made-up methods.
const char* const Metrics::METHODS[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other", "none"};

const char* const Metrics::STATUS_CLASSES[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "none"};

// From 5 ms for a pooled request to 5 minutes for a tunnel, which lasts as
// long as the client keeps it open.
const double Metrics::DURATION_BUCKETS[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

const Reason Metrics::CONNECT_FAILURES[] = {
	Reason::DnsFailure, Reason::ConnectRefused, Reason::ConnectTimeout, Reason::ConnectFailed};


namespace {


template <std::size_t N>
std::uint64_t sum(const std::array<std::atomic<std::uint64_t>, N>& counters)
{
	std::uint64_t total = 0;
	for (const auto& counter: counters) total += counter.load(std::memory_order_relaxed);
	return total;
}


} // namespace


static_assert(sizeof(Metrics::METHODS) / sizeof(Metrics::METHODS[0]) == Metrics::METHOD_COUNT, "METHOD_COUNT");
static_assert(sizeof(Metrics::STATUS_CLASSES) / sizeof(Metrics::STATUS_CLASSES[0]) == Metrics::STATUS_CLASS_COUNT,
	"STATUS_CLASS_COUNT");
static_assert(sizeof(Metrics::DURATION_BUCKETS) / sizeof(Metrics::DURATION_BUCKETS[0]) == Metrics::DURATION_BUCKET_COUNT,
	"DURATION_BUCKET_COUNT");
static_assert(sizeof(Metrics::CONNECT_FAILURES) / sizeof(Metrics::CONNECT_FAILURES[0]) == Metrics::CONNECT_FAILURE_COUNT,
	"CONNECT_FAILURE_COUNT");


Metrics::Metrics():
	_startTime(std::chrono::system_clock::now()),
	_steadyStart(std::chrono::steady_clock::now())
{
	for (Counter& counter: _requests) counter.store(0, std::memory_order_relaxed);
	for (Counter& counter: _connectFailures) counter.store(0, std::memory_order_relaxed);
	for (Counter& counter: _rejections) counter.store(0, std::memory_order_relaxed);
	for (Counter& counter: _durations) counter.store(0, std::memory_order_relaxed);
}


std::size_t Metrics::methodIndex(const std::string& method)
{
	if (method.empty()) return METHOD_COUNT - 1;

	for (std::size_t i = 0; i < METHOD_COUNT - 2; ++i)
	{
		if (method == METHODS[i]) return i;
	}
	return METHOD_COUNT - 2;
}


std::size_t Metrics::statusClassIndex(int status)
{
	if (status < 100 || status > 599) return STATUS_CLASS_COUNT - 1;
	return static_cast<std::size_t>(status / 100 - 1);
}


void Metrics::countExchange(const AccessRecord& record, std::chrono::microseconds duration)
{
	std::size_t index = methodIndex(record.method) * STATUS_CLASS_COUNT + statusClassIndex(record.status);
	_requests[index].fetch_add(1, std::memory_order_relaxed);
	_bytesFromClients.fetch_add(record.bytesFromClient, std::memory_order_relaxed);
	_bytesToClients.fetch_add(record.bytesToClient, std::memory_order_relaxed);

	if (record.generated)
	{
		_rejections[static_cast<std::size_t>(record.reason)].fetch_add(1, std::memory_order_relaxed);
	}

	double seconds = static_cast<double>(duration.count()) / 1e6;
	const double* end = DURATION_BUCKETS + DURATION_BUCKET_COUNT;
	auto bucket = static_cast<std::size_t>(std::lower_bound(DURATION_BUCKETS, end, seconds) - DURATION_BUCKETS);
	_durations[bucket].fetch_add(1, std::memory_order_relaxed);
	_durationSum.fetch_add(static_cast<std::uint64_t>(std::max<std::chrono::microseconds::rep>(0, duration.count())),
		std::memory_order_relaxed);
}


void Metrics::countConnectFailure(Reason reason)
{
	for (std::size_t i = 0; i < CONNECT_FAILURE_COUNT; ++i)
	{
		if (CONNECT_FAILURES[i] == reason) _connectFailures[i].fetch_add(1, std::memory_order_relaxed);
	}
}


std::uint64_t Metrics::requests(std::size_t method, std::size_t statusClass) const
{
	return _requests[method * STATUS_CLASS_COUNT + statusClass].load(std::memory_order_relaxed);
}


std::uint64_t Metrics::requestsTotal() const
{
	return sum(_requests);
}


std::uint64_t Metrics::connectFailures(std::size_t cause) const
{
	return _connectFailures[cause].load(std::memory_order_relaxed);
}


std::uint64_t Metrics::rejections(Reason reason) const
{
	return _rejections[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}


std::uint64_t Metrics::rejectionsTotal() const
{
	return sum(_rejections);
}


std::uint64_t Metrics::durationBucket(std::size_t bucket) const
{
	return _durations[bucket].load(std::memory_order_relaxed);
}


} } // namespace fwdproxy::observe
