//
// ProxyHeaderFuzzer.cpp
//
// Parses arbitrary bytes as a PROXY protocol header and checks what
// server/ProxyHeaderReader relies on. A complete header ends within the
// bytes and the limit, and its own bytes parse the same way. A shorter
// prefix is incomplete, never invalid, so reading a header in pieces never
// reads past it or rejects it early.
//

#include "FuzzCheck.h"
#include "fwdproxy/http/ProxyHeader.h"

#include <string>


using namespace fwdproxy::http;


namespace {


bool sameHeader(const ProxyHeader& a, const ProxyHeader& b)
{
	return a.length == b.length && a.version == b.version && a.hasAddresses == b.hasAddresses
		&& a.sourceAddress == b.sourceAddress && a.sourcePort == b.sourcePort
		&& a.destinationAddress == b.destinationAddress && a.destinationPort == b.destinationPort;
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	std::string_view input(reinterpret_cast<const char*>(data), size);
	ProxyHeader header;
	std::string problem;
	ProxyHeaderStatus status = parseProxyHeader(input, header, problem);

	if (status == ProxyHeaderStatus::Invalid)
	{
		FUZZ_CHECK(!problem.empty());
		return 0;
	}
	if (status == ProxyHeaderStatus::Incomplete)
	{
		FUZZ_CHECK(size < ProxyHeader::MAX_LENGTH);
		ProxyHeader half;
		FUZZ_CHECK(parseProxyHeader(input.substr(0, size / 2), half, problem) == ProxyHeaderStatus::Incomplete);
		return 0;
	}

	FUZZ_CHECK(header.length > 0 && header.length <= size && header.length <= ProxyHeader::MAX_LENGTH);
	FUZZ_CHECK(header.version == 1 || header.version == 2);
	FUZZ_CHECK(!header.hasAddresses || !header.sourceAddress.empty());

	ProxyHeader exact;
	FUZZ_CHECK(parseProxyHeader(input.substr(0, header.length), exact, problem) == ProxyHeaderStatus::Complete);
	FUZZ_CHECK(sameHeader(header, exact));

	ProxyHeader shorter;
	ProxyHeaderStatus prefix = parseProxyHeader(input.substr(0, header.length - 1), shorter, problem);
	FUZZ_CHECK(prefix == ProxyHeaderStatus::Incomplete);
	return 0;
}
