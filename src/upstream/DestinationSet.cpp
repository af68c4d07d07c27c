//
// DestinationSet.cpp
//

#include "fwdproxy/upstream/DestinationSet.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Net/IPAddress.h>


namespace fwdproxy {
namespace upstream {


namespace {


// Addresses and CIDR blocks contain a slash or a colon, or are dotted IPv4;
// host names and domains are everything else.
bool isNetworkEntry(const std::string& entry)
{
	Poco::Net::IPAddress address;
	return entry.find_first_of("/:") != std::string::npos || policy::parseIPAddress(entry, address);
}


void appendItem(std::string& list, const std::string& item)
{
	if (!list.empty()) list += ", ";
	list += item;
}


} // namespace


bool DestinationSet::parse(const std::string& list, DestinationSet& result, std::string& badEntry)
{
	result = DestinationSet();
	std::string names;
	std::string networks;
	http::forEachListItem(list, [&](std::string_view item) {
		std::string entry(item);
		if (entry == "*") result._all = true;
		else if (isNetworkEntry(entry)) appendItem(networks, entry);
		else appendItem(names, entry);
	});

	if (!policy::CidrSet::parse(networks, result._networks, badEntry)) return false;

	std::string error;
	return policy::HostPatternSet::parse(names, result._names, badEntry, error);
}


bool DestinationSet::matches(const std::string& host) const
{
	if (_all) return true;

	Poco::Net::IPAddress address;
	if (policy::parseIPAddress(host, address)) return _networks.contains(address);
	return _names.matches(policy::normalizeHost(host));
}


} } // namespace fwdproxy::upstream
