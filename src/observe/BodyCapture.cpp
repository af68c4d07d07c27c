//
// BodyCapture.cpp
//

#include "fwdproxy/observe/BodyCapture.h"

#include <algorithm>


namespace fwdproxy {
namespace observe {


void BodyCapture::append(const char* data, std::size_t length)
{
	if (length == 0) return;

	std::size_t room = _limit - std::min(_limit, _data.size());
	_data.append(data, std::min(room, length));
	_size += length;
	_lastData = std::chrono::steady_clock::now();
}


void BodyCapture::skip(std::uint64_t length)
{
	if (length == 0) return;

	_size += length;
	_lastData = std::chrono::steady_clock::now();
}


} } // namespace fwdproxy::observe
