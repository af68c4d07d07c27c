//
// ResponseHeadFuzzer.cpp
//
// Feeds arbitrary bytes to the response head parser and the framing rules.
//

#include "FuzzCheck.h"
#include "fwdproxy/http/Framing.h"
#include "fwdproxy/http/HeadParser.h"

#include <string_view>


using namespace fwdproxy::http;


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	std::string_view input(reinterpret_cast<const char*>(data), size);
	std::size_t end = findHeadEnd(input, 0);
	std::string_view head = end == std::string_view::npos ? input : input.substr(0, end);

	ResponseHead response;
	if (parseResponseHead(head, response) != Reason::None) return 0;

	FUZZ_CHECK(response.status >= 100 && response.status <= 599);

	// The method changes what a response may carry, so try the ones that matter.
	for (const char* method: {"GET", "HEAD", "CONNECT"})
	{
		BodyFraming framing;
		if (responseFraming(response, method, framing) != Reason::None) continue;

		if (std::string_view(method) == "HEAD") FUZZ_CHECK(framing.kind == BodyKind::None);
		if (framing.kind == BodyKind::Chunked) FUZZ_CHECK(response.fields.count("Content-Length") == 0);
	}
	return 0;
}
