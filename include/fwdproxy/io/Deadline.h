//
// Deadline.h
//
// A point in time on the monotonic clock, for bounded socket waits.
//

#pragma once

#include <chrono>


namespace fwdproxy {
namespace io {


class Deadline
{
public:
	using Clock = std::chrono::steady_clock;

	static Deadline after(std::chrono::milliseconds timeout) { return Deadline(Clock::now() + timeout); }

	int remainingMilliseconds() const
		/// Returns the milliseconds left, 0 once passed; capped to fit poll(2).
	{
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(_at - Clock::now()).count();
		if (left <= 0) return 0;
		return left > 86400000 ? 86400000 : static_cast<int>(left);
	}

	bool passed() const { return Clock::now() >= _at; }

private:
	explicit Deadline(Clock::time_point at): _at(at) {}

	Clock::time_point _at;
};


} } // namespace fwdproxy::io
