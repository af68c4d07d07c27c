//
// BodyRelay.cpp
//

#include "fwdproxy/server/BodyRelay.h"
#include "fwdproxy/http/Chunked.h"
#include "fwdproxy/http/HopByHop.h"
#include "fwdproxy/io/SocketWait.h"
#include "fwdproxy/io/SplicePipe.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <string>


namespace fwdproxy {
namespace server {


namespace {


// Wraps the destination so that a failed send can be distinguished from a
// failed receive, because the caller handles the two differently.
class BodySink
{
public:
	// splice(2) would move TLS records undecrypted, so it needs plain TCP on both ends.
	BodySink(Peer& destination, bool chunked, bool plainSource, observe::BodyCapture* capture):
		_destination(destination),
		_chunked(chunked),
		_spliceable(plainSource && !destination.socket().secure()),
		_capture(capture)
	{
	}

	void write(const char* data, std::size_t length)
	{
		if (length == 0) return;
		if (_capture != nullptr) _capture->append(data, length);

		if (!_chunked)
		{
			_destination.send(std::string_view(data, length));
			return;
		}

		_frame.clear();
		http::appendChunkHeader(_frame, length);
		// Small chunks go out in one send; large ones avoid the copy.
		if (length <= 8192)
		{
			_frame.append(data, length);
			_frame += "\r\n";
			_destination.send(_frame);
			return;
		}
		_destination.send(_frame, SEND_MORE);
		_destination.send(std::string_view(data, length), SEND_MORE);
		_destination.send("\r\n");
	}

	bool canSplice() const
	{
		return !_chunked && _spliceable && (_capture == nullptr || _capture->full()) && io::SplicePipe::supported();
	}

	// Moves bytes that are ready on source straight to the destination.
	io::SplicePipe::Moved splice(Peer& source, std::size_t max)
	{
		io::SplicePipe::Moved moved = _pipe.move(source.socket().impl()->sockfd(),
			_destination.socket().impl()->sockfd(), max);
		if (moved.failure == io::SplicePipe::Failure::Destination) throw Poco::IOException("splice to the receiver failed");

		_destination.countSent(moved.bytes);
		if (_capture != nullptr) _capture->skip(moved.bytes);
		return moved;
	}

	void finish(const http::Fields& trailers)
	{
		if (!_chunked) return;

		http::Fields forwarded = trailers;
		http::removeForbiddenTrailers(forwarded);
		_frame.clear();
		http::appendLastChunk(_frame, forwarded);
		_destination.send(_frame);
	}

private:
	Peer& _destination;
	bool _chunked;
	bool _spliceable;
	observe::BodyCapture* _capture;
	std::string _frame;
	io::SplicePipe _pipe;
};


// Below this many bytes still to come, a plain read and send costs less
// than setting up the pipe.
const std::uint64_t SPLICE_THRESHOLD = 64 * 1024;


enum class Fill
{
	Data,
	Closed,
	TimedOut
};


// A reset from the source counts as a close: either way the body is incomplete.
Fill fillSource(Peer& source, int timeoutMilliseconds)
{
	try
	{
		switch (source.reader().fill(timeoutMilliseconds))
		{
		case io::SocketReader::FillResult::Data: return Fill::Data;
		case io::SocketReader::FillResult::Closed: return Fill::Closed;
		default: return Fill::TimedOut;
		}
	}
	catch (const Poco::Exception&)
	{
		return Fill::Closed;
	}
}


Fill waitSource(Peer& source, int timeoutMilliseconds)
{
	try
	{
		io::WaitResult result = io::waitReadable(source.socket(), timeoutMilliseconds);
		return result == io::WaitResult::Ready ? Fill::Data : Fill::TimedOut;
	}
	catch (const Poco::Exception&)
	{
		return Fill::Closed;
	}
}


// Moves one batch by splice(2). Returns false when the body cannot go on,
// with result.status saying why.
bool spliceBatch(Peer& source, BodySink& sink, std::uint64_t left, int timeout, RelayResult& result)
{
	Fill fill = waitSource(source, timeout);
	if (fill != Fill::Data)
	{
		result.status = fill == Fill::Closed ? RelayStatus::SourceClosed : RelayStatus::SourceTimedOut;
		return false;
	}

	io::SplicePipe::Moved moved = sink.splice(source, static_cast<std::size_t>(std::min<std::uint64_t>(left, 65536)));
	result.bodyBytes += moved.bytes;
	if (moved.closed || moved.failure == io::SplicePipe::Failure::Source)
	{
		result.status = RelayStatus::SourceClosed;
		return false;
	}
	return true;
}


RelayStatus statusFor(Fill fill)
{
	return fill == Fill::Closed ? RelayStatus::SourceClosed : RelayStatus::SourceTimedOut;
}


RelayResult relayLength(Peer& source, std::uint64_t length, BodySink& sink, int timeout)
{
	RelayResult result;
	io::SocketReader& reader = source.reader();
	while (result.bodyBytes < length)
	{
		std::uint64_t left = length - result.bodyBytes;
		if (reader.available() == 0 && sink.canSplice() && left >= SPLICE_THRESHOLD)
		{
			if (!spliceBatch(source, sink, left, timeout, result)) return result;
			continue;
		}

		if (reader.available() == 0)
		{
			Fill fill = fillSource(source, timeout);
			if (fill != Fill::Data)
			{
				result.status = statusFor(fill);
				return result;
			}
		}

		std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(reader.available(), length - result.bodyBytes));
		sink.write(reader.buffered().data(), take);
		reader.consume(take);
		result.bodyBytes += take;
	}
	return result;
}


RelayResult relayChunked(Peer& source, BodySink& sink, int timeout, std::uint64_t maxBodyBytes)
{
	RelayResult result;
	io::SocketReader& reader = source.reader();
	http::ChunkedDecoder decoder;
	while (!decoder.done())
	{
		if (reader.available() == 0)
		{
			Fill fill = fillSource(source, timeout);
			if (fill != Fill::Data)
			{
				result.status = statusFor(fill);
				return result;
			}
		}

		std::string_view input = reader.buffered();
		http::ChunkedDecoder::Step step = decoder.decode(input.data(), input.size());
		if (decoder.failed())
		{
			result.status = RelayStatus::SourceInvalid;
			return result;
		}

		result.bodyBytes += step.length;
		if (maxBodyBytes > 0 && result.bodyBytes > maxBodyBytes)
		{
			result.status = RelayStatus::TooLarge;
			return result;
		}

		sink.write(step.data, step.length);
		reader.consume(step.consumed);
	}
	sink.finish(decoder.trailers());
	return result;
}


RelayResult relayUntilClose(Peer& source, BodySink& sink, int timeout)
{
	RelayResult result;
	io::SocketReader& reader = source.reader();
	while (true)
	{
		if (reader.available() > 0)
		{
			sink.write(reader.buffered().data(), reader.available());
			result.bodyBytes += reader.available();
			reader.consume(reader.available());
		}

		if (sink.canSplice())
		{
			if (spliceBatch(source, sink, SPLICE_THRESHOLD, timeout, result)) continue;
			if (result.status != RelayStatus::SourceClosed) return result;

			// The origin's close is what ends this body.
			result.status = RelayStatus::Complete;
			break;
		}

		Fill fill = fillSource(source, timeout);
		if (fill == Fill::Closed) break;
		if (fill == Fill::TimedOut)
		{
			result.status = RelayStatus::SourceTimedOut;
			return result;
		}
	}
	sink.finish(http::Fields());
	return result;
}


} // namespace


RelayResult relayBody(Peer& source, const http::BodyFraming& framing, Peer& destination, bool chunkedOutput,
	int timeoutMilliseconds, std::uint64_t maxBodyBytes, observe::BodyCapture* capture)
{
	BodySink sink(destination, chunkedOutput, !source.socket().secure(), capture);
	try
	{
		switch (framing.kind)
		{
		case http::BodyKind::None: return RelayResult();
		case http::BodyKind::Length: return relayLength(source, framing.length, sink, timeoutMilliseconds);
		case http::BodyKind::Chunked: return relayChunked(source, sink, timeoutMilliseconds, maxBodyBytes);
		case http::BodyKind::UntilClose: return relayUntilClose(source, sink, timeoutMilliseconds);
		}
	}
	catch (const Poco::Exception&)
	{
		// fillSource catches the source's failures, so only a send gets here.
	}
	RelayResult failed;
	failed.status = RelayStatus::DestinationFailed;
	return failed;
}


} } // namespace fwdproxy::server
