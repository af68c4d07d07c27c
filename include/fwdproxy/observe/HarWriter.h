//
// HarWriter.h
//
// Keeps the HAR file (proxy.har.file) a complete HAR 1.2 document at all times.
//

#pragma once

#include <Poco/Timestamp.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>


namespace fwdproxy {
namespace observe {


class HarWriter
	/// The entries stay in memory, and a background thread rewrites the
	/// whole file after new entries arrive: it writes a temporary file in the
	/// same directory, fsync(2)s it and rename(2)s it over the HAR file.
	///
	/// This costs a full rewrite per write, where appending each entry before
	/// the closing brackets would cost only the entry. It is chosen because
	/// rename(2) replaces the file in one step: a reader (a browser, jq, a
	/// test) opening it at any moment gets a complete document, and so does
	/// anyone after kill -9 or a power loss. An in-place append overwrites the
	/// closing brackets, and Linux may stop a write of more than one page at a
	/// page boundary when SIGKILL arrives, which leaves an invalid document.
	/// The rewrite is throttled to one per WRITE_INTERVAL, so exchanges that
	/// end together cost one rewrite, and the entry count is bounded by
	/// maxEntries (oldest dropped, counted in log.comment), which bounds the
	/// rewrite cost and the memory. add() only queues under a short lock, so
	/// exchanges never wait for the disk. Entries are kept in the order of their start, as HAR
	/// viewers expect, although exchanges on different connections end in
	/// another order.
{
public:
	static constexpr std::chrono::milliseconds WRITE_INTERVAL{200};

	HarWriter(const std::string& path, std::size_t maxEntries);
		/// Writes a document without entries at once, so that the file is
		/// valid from the start, logs "recording exchanges in the HAR file
		/// PATH" and starts the writing thread. A failed write is logged on
		/// the "fwdproxy" logger, not thrown.

	~HarWriter();

	HarWriter(const HarWriter&) = delete;
	HarWriter& operator=(const HarWriter&) = delete;

	void add(std::string entry, const Poco::Timestamp& startedAt);
		/// Queues one entry (from harEntry()) of an exchange that started at
		/// startedAt; it reaches the file within about WRITE_INTERVAL plus
		/// the time of one rewrite.

	void close();
		/// Writes the entries still pending and stops the thread. Called on
		/// shutdown; add() after close() is ignored.

	const std::string& path() const { return _path; }

private:
	struct Entry
	{
		Poco::Timestamp startedAt;
		std::shared_ptr<const std::string> json;   ///< Shared with the writing thread's snapshot.
	};

	void run();
	void writeDocument(const std::deque<Entry>& entries, std::uint64_t dropped);
	bool replaceFile(const std::deque<Entry>& entries, std::uint64_t dropped, std::string& error) const;

	std::string _path;
	std::size_t _maxEntries;

	std::mutex _mutex;
	std::condition_variable _wake;
	std::deque<Entry> _entries;
	std::uint64_t _dropped = 0;
	bool _dirty = false;
	bool _stopping = false;
	bool _failing = false;   ///< The last write failed; the next failure is not logged again.
	std::thread _thread;
};


} } // namespace fwdproxy::observe
