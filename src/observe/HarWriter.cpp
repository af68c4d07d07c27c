//
// HarWriter.cpp
//

#include "fwdproxy/observe/HarWriter.h"
#include "fwdproxy/observe/HarJson.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif


namespace fwdproxy {
namespace observe {


namespace {


#ifndef _WIN32


// Buffers small pieces into large write(2) calls on a file descriptor.
class FileOutput
{
public:
	explicit FileOutput(int fd): _fd(fd) { _buffer.reserve(BUFFER_SIZE); }

	bool write(const std::string& text)
	{
		if (_buffer.size() + text.size() > BUFFER_SIZE && !flush()) return false;
		if (text.size() > BUFFER_SIZE) return writeAll(text.data(), text.size());

		_buffer += text;
		return true;
	}

	bool flush()
	{
		bool written = writeAll(_buffer.data(), _buffer.size());
		_buffer.clear();
		return written;
	}

private:
	static const std::size_t BUFFER_SIZE = 256 * 1024;

	bool writeAll(const char* data, std::size_t length)
	{
		while (length > 0)
		{
			ssize_t written = ::write(_fd, data, length);
			if (written < 0 && errno == EINTR) continue;
			if (written <= 0) return false;
			data += written;
			length -= static_cast<std::size_t>(written);
		}
		return true;
	}

	int _fd;
	std::string _buffer;
};


std::string systemError(const std::string& what)
{
	return what + ": " + std::strerror(errno);
}


#endif


} // namespace


constexpr std::chrono::milliseconds HarWriter::WRITE_INTERVAL;


HarWriter::HarWriter(const std::string& path, std::size_t maxEntries):
	_path(path),
	_maxEntries(maxEntries)
{
	writeDocument(std::deque<Entry>(), 0);
	if (!_failing) Poco::Logger::get("fwdproxy").notice("recording exchanges in the HAR file " + _path);
	_thread = std::thread([this] { run(); });
}


HarWriter::~HarWriter()
{
	close();
}


void HarWriter::add(std::string entry, const Poco::Timestamp& startedAt)
{
	Entry item{startedAt, std::make_shared<const std::string>(std::move(entry))};
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stopping) return;

	// Most entries belong at the end, so the search for the place is short in practice.
	auto place = std::upper_bound(_entries.begin(), _entries.end(), startedAt,
		[](const Poco::Timestamp& time, const Entry& existing) { return time < existing.startedAt; });
	_entries.insert(place, std::move(item));
	if (_entries.size() > _maxEntries)
	{
		_entries.pop_front();
		++_dropped;
	}
	_dirty = true;
	_wake.notify_one();
}


void HarWriter::close()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
		_wake.notify_one();
	}
	if (_thread.joinable()) _thread.join();
}


void HarWriter::run()
{
	auto lastWrite = std::chrono::steady_clock::now() - WRITE_INTERVAL;
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		_wake.wait(lock, [this] { return _dirty || _stopping; });
		if (!_stopping) _wake.wait_until(lock, lastWrite + WRITE_INTERVAL, [this] { return _stopping; });

		if (_dirty)
		{
			// The entries are shared, not copied, so the lock is held only
			// for the copy of the pointers, never during the disk write.
			std::deque<Entry> entries = _entries;
			std::uint64_t dropped = _dropped;
			_dirty = false;
			lock.unlock();
			writeDocument(entries, dropped);
			lastWrite = std::chrono::steady_clock::now();
			lock.lock();
		}
		if (_stopping && !_dirty) return;
	}
}


void HarWriter::writeDocument(const std::deque<Entry>& entries, std::uint64_t dropped)
{
	std::string error;
	bool written = replaceFile(entries, dropped, error);

	// One line when writing starts to fail and one when it works again, not one per rewrite.
	Poco::Logger& logger = Poco::Logger::get("fwdproxy");
	if (!written && !_failing) logger.error("cannot write the HAR file " + _path + ": " + error + "; will retry with the next exchange");
	if (written && _failing) logger.notice("writing the HAR file " + _path + " works again");
	_failing = !written;
}


#ifdef _WIN32


bool HarWriter::replaceFile(const std::deque<Entry>& entries, std::uint64_t dropped, std::string& error) const
{
	// NOTE: this branch is not built or tested by the project's CI, and it
	// does not flush to disk, so a power loss may leave an empty file.
	std::string temporary = _path + ".tmp";
	try
	{
		Poco::FileOutputStream output(temporary);
		output << harDocumentStart(dropped, _maxEntries);
		for (std::size_t i = 0; i < entries.size(); ++i)
		{
			if (i > 0) output << HAR_ENTRY_SEPARATOR;
			output << *entries[i].json;
		}
		output << harDocumentEnd();
		output.close();
		if (!output.good()) throw Poco::WriteFileException(temporary);

		Poco::File(temporary).renameTo(_path);
		return true;
	}
	catch (const Poco::Exception& e)
	{
		error = e.displayText();
		return false;
	}
}


#else


bool HarWriter::replaceFile(const std::deque<Entry>& entries, std::uint64_t dropped, std::string& error) const
{
	std::string temporary = _path + ".tmp";
	int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
	{
		error = systemError("open " + temporary);
		return false;
	}

	FileOutput output(fd);
	bool written = output.write(harDocumentStart(dropped, _maxEntries));
	for (std::size_t i = 0; written && i < entries.size(); ++i)
	{
		if (i > 0) written = output.write(HAR_ENTRY_SEPARATOR);
		written = written && output.write(*entries[i].json);
	}
	written = written && output.write(harDocumentEnd()) && output.flush();
	if (!written) error = systemError("write " + temporary);

	// Without fsync before rename, a power loss could leave the new name
	// pointing at a file whose data never reached the disk.
	if (written && ::fsync(fd) != 0)
	{
		error = systemError("fsync " + temporary);
		written = false;
	}
	::close(fd);

	if (written && ::rename(temporary.c_str(), _path.c_str()) != 0)
	{
		error = systemError("rename " + temporary + " to " + _path);
		written = false;
	}
	if (!written)
	{
		::unlink(temporary.c_str());
		return false;
	}

	// The rename itself is durable only once the directory is synced.
	std::string directory = Poco::Path(_path).parent().toString();
	int directoryFd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (directoryFd >= 0)
	{
		::fsync(directoryFd);
		::close(directoryFd);
	}
	return true;
}


#endif


} } // namespace fwdproxy::observe
