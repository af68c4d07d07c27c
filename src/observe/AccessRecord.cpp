//
// AccessRecord.cpp
//

#include "fwdproxy/observe/AccessRecord.h"


namespace fwdproxy {
namespace observe {


void AccessRecord::setRequestDetails(const http::RequestHead& request)
{
	protocol = request.version();

	const std::string* value = request.fields.find("Referer");
	if (value != nullptr) referer = *value;

	value = request.fields.find("User-Agent");
	if (value != nullptr) userAgent = *value;
}


} } // namespace fwdproxy::observe
