//
// BodyCapture.h
//
// The first bytes of one message body, kept for the HAR file.
//

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>


namespace fwdproxy {
namespace observe {


class BodyCapture
	/// Keeps at most limit bytes of a body and counts all of them, so that a
	/// large download costs no more memory than the limit.
{
public:
	explicit BodyCapture(std::size_t limit = 0): _limit(limit) {}

	void append(const char* data, std::size_t length);
		/// Copies the part of data that still fits under the limit and counts all of it.

	void skip(std::uint64_t length);
		/// Counts bytes that passed without being seen, such as bytes moved by splice(2).

	bool full() const { return _data.size() >= _limit; }
	const std::string& data() const { return _data; }
	std::uint64_t size() const { return _size; }   ///< Every body byte, kept or not.
	bool truncated() const { return _size > _data.size(); }
	std::size_t limit() const { return _limit; }

	std::chrono::steady_clock::time_point lastData() const { return _lastData; }
		/// Returns when the last byte passed, or the clock's epoch when none did.

private:
	std::size_t _limit;
	std::string _data;
	std::uint64_t _size = 0;
	std::chrono::steady_clock::time_point _lastData;
};


} } // namespace fwdproxy::observe
