//
// Metrics.h
//
// Counters for the admin listener's /metrics and /status pages.
//

#pragma once

#include "fwdproxy/http/Reason.h"
#include "fwdproxy/observe/AccessRecord.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace observe {


class Metrics
	/// Lock-free counters, updated with relaxed atomic operations once per
	/// request and once per tunnel or failed connect. Readers see each value
	/// on its own, so two values read together may differ by the requests in
	/// flight between the reads.
{
public:
	static const char* const METHODS[];          ///< Label values of the method dimension, "other" and "none" last.
	static const std::size_t METHOD_COUNT = 11;
	static const char* const STATUS_CLASSES[];   ///< "1xx" to "5xx", then "none" for no status.
	static const std::size_t STATUS_CLASS_COUNT = 6;
	static const double DURATION_BUCKETS[];      ///< Upper bounds in seconds, ascending, without +Inf.
	static const std::size_t DURATION_BUCKET_COUNT = 15;
	static const http::Reason CONNECT_FAILURES[];   ///< Reasons counted as upstream connect failures.
	static const std::size_t CONNECT_FAILURE_COUNT = 4;
	static const std::size_t REASON_COUNT = static_cast<std::size_t>(http::Reason::MaxForwardsReached) + 1;
		///< MaxForwardsReached is the last value of http::Reason.

	Metrics();

	void countExchange(const AccessRecord& record, std::chrono::microseconds duration);
		/// Counts a finished request: its method and status class, its bytes,
		/// its duration and, when the proxy responded with its own error, its reason.

	void countConnectFailure(http::Reason reason);
		/// Counts a failed connect to an origin. Reasons other than those in
		/// CONNECT_FAILURES are ignored.

	void tunnelOpened() { _openTunnels.fetch_add(1, std::memory_order_relaxed); }
	void tunnelClosed() { _openTunnels.fetch_sub(1, std::memory_order_relaxed); }

	std::uint64_t requests(std::size_t method, std::size_t statusClass) const;
	std::uint64_t requestsTotal() const;
	std::uint64_t bytesFromClients() const { return _bytesFromClients.load(std::memory_order_relaxed); }
	std::uint64_t bytesToClients() const { return _bytesToClients.load(std::memory_order_relaxed); }
	std::uint64_t connectFailures(std::size_t cause) const;
	std::uint64_t rejections(http::Reason reason) const;
	std::uint64_t rejectionsTotal() const;
	std::int64_t openTunnels() const { return _openTunnels.load(std::memory_order_relaxed); }
	std::uint64_t durationBucket(std::size_t bucket) const;
		/// Returns the requests that took at most DURATION_BUCKETS[bucket] seconds
		/// and more than the previous bound. Bucket DURATION_BUCKET_COUNT counts the rest.
	std::uint64_t durationMicrosecondsSum() const { return _durationSum.load(std::memory_order_relaxed); }

	std::chrono::system_clock::time_point startTime() const { return _startTime; }
	std::chrono::steady_clock::duration uptime() const { return std::chrono::steady_clock::now() - _steadyStart; }

	static std::size_t methodIndex(const std::string& method);
	static std::size_t statusClassIndex(int status);

private:
	using Counter = std::atomic<std::uint64_t>;

	std::array<Counter, METHOD_COUNT * STATUS_CLASS_COUNT> _requests;
	Counter _bytesFromClients{0};
	Counter _bytesToClients{0};
	std::array<Counter, CONNECT_FAILURE_COUNT> _connectFailures;
	std::array<Counter, REASON_COUNT> _rejections;
	std::array<Counter, DURATION_BUCKET_COUNT + 1> _durations;
	Counter _durationSum{0};
	std::atomic<std::int64_t> _openTunnels{0};
	std::chrono::system_clock::time_point _startTime;
	std::chrono::steady_clock::time_point _steadyStart;
};


class OpenTunnel
	/// Counts a tunnel as open for the lifetime of this object.
{
public:
	explicit OpenTunnel(Metrics& metrics): _metrics(metrics) { _metrics.tunnelOpened(); }
	~OpenTunnel() { _metrics.tunnelClosed(); }

	OpenTunnel(const OpenTunnel&) = delete;
	OpenTunnel& operator=(const OpenTunnel&) = delete;

private:
	Metrics& _metrics;
};


} } // namespace fwdproxy::observe
