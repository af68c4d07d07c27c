//
// HeadReader.cpp
//

#include "fwdproxy/server/HeadReader.h"
#include "fwdproxy/http/HeadParser.h"


namespace fwdproxy {
namespace server {


namespace {


bool skipLeadingEmptyLines(io::SocketReader& reader)
{
	std::string_view data = reader.buffered();
	std::size_t skip = 0;
	while (skip + 1 < data.size() && data[skip] == '\r' && data[skip + 1] == '\n') skip += 2;
	reader.consume(skip);
	return skip > 0;
}


} // namespace


HeadStatus readHead(io::SocketReader& reader, std::size_t maxSize, const io::Deadline& deadline,
	bool skipEmptyLines, std::size_t& headLength)
{
	reader.reserve(16 * 1024);
	std::size_t searched = 0;
	while (true)
	{
		if (skipEmptyLines && skipLeadingEmptyLines(reader)) searched = 0;

		std::string_view data = reader.buffered();
		std::size_t end = http::findHeadEnd(data, searched > 3 ? searched - 3 : 0);
		if (end != std::string_view::npos)
		{
			headLength = end;
			return end > maxSize ? HeadStatus::TooLarge : HeadStatus::Complete;
		}
		if (data.size() >= maxSize) return HeadStatus::TooLarge;
		searched = data.size();

		bool wasEmpty = data.empty();
		io::SocketReader::FillResult result = reader.fill(deadline);
		if (result == io::SocketReader::FillResult::TimedOut) return HeadStatus::TimedOut;
		if (result == io::SocketReader::FillResult::Closed)
		{
			return wasEmpty ? HeadStatus::ClosedEmpty : HeadStatus::ClosedPartial;
		}
	}
}


} } // namespace fwdproxy::server
