//
// RequestHeadFuzzer.cpp
//
// Feeds arbitrary bytes to the request head parser and the target and
// framing rules. A head that parses must parse the same way again after the
// proxy serializes it, or the proxy and an origin could read it differently.
//

#include "FuzzCheck.h"
#include "fwdproxy/http/Framing.h"
#include "fwdproxy/http/HeadParser.h"
#include "fwdproxy/http/RequestTarget.h"

#include <string>
#include <string_view>


using namespace fwdproxy::http;


namespace {


std::string serialize(const RequestHead& request)
{
	std::string head = request.method + " " + request.target + " " + request.version() + "\r\n";
	request.fields.serialize(head);
	head += "\r\n";
	return head;
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	std::string_view input(reinterpret_cast<const char*>(data), size);
	std::size_t end = findHeadEnd(input, 0);
	FUZZ_CHECK(end == std::string_view::npos || end <= size);

	std::string_view head = end == std::string_view::npos ? input : input.substr(0, end);
	RequestHead request;
	if (parseRequestHead(head, 8192, request) != Reason::None) return 0;

	RequestHead again;
	FUZZ_CHECK(parseRequestHead(serialize(request), 8192, again) == Reason::None);
	FUZZ_CHECK(again.method == request.method);
	FUZZ_CHECK(again.target == request.target);
	FUZZ_CHECK(again.fields.list().size() == request.fields.list().size());

	RequestTarget target;
	if (request.method == "CONNECT") parseAuthorityForm(request.target, target);
	else if (parseAbsoluteForm(request.target, request.method, target) == Reason::None) FUZZ_CHECK(target.port != 0);

	BodyFraming framing;
	if (requestFraming(request, framing) == Reason::None && framing.kind == BodyKind::Chunked)
	{
		FUZZ_CHECK(request.fields.count("Content-Length") == 0);
	}
	return 0;
}
