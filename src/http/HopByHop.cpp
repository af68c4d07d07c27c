//
// HopByHop.cpp
//

#include "fwdproxy/http/HopByHop.h"
#include "fwdproxy/http/Syntax.h"

#include <string>
#include <vector>


namespace fwdproxy {
namespace http {


namespace {


const char* const ALWAYS_HOP_BY_HOP[] = {
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"TE",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
	"Proxy-Authorization",
	"Proxy-Authenticate",
};


const char* const FRAMING_AND_ROUTING[] = {
	"Content-Length",
	"Host",
	"Content-Encoding",
	"Content-Type",
	"Content-Range",
	"Cache-Control",
	"Expect",
	"Max-Forwards",
};


} // namespace


void removeHopByHop(Fields& fields)
{
	// Collect the names listed in Connection first, since removing Connection loses them.
	std::vector<std::string> named;
	for (const Field& f: fields.list())
	{
		if (!equalsIgnoreCase(f.name, "Connection")) continue;

		forEachListItem(f.value, [&](std::string_view item) { named.emplace_back(item); });
	}

	for (const std::string& name: named) fields.remove(name);
	for (const char* name: ALWAYS_HOP_BY_HOP) fields.remove(name);
}


void removeForbiddenTrailers(Fields& trailers)
{
	removeHopByHop(trailers);
	for (const char* name: FRAMING_AND_ROUTING) trailers.remove(name);
}


} } // namespace fwdproxy::http
