//
// PortSet.cpp
//

#include "fwdproxy/policy/PortSet.h"
#include "fwdproxy/http/Syntax.h"


namespace fwdproxy {
namespace policy {


bool PortSet::parse(const std::string& list, PortSet& result, std::string& badEntry)
{
	result._ranges.clear();
	bool valid = true;
	http::forEachListItem(list, [&](std::string_view item) {
		if (!valid) return;

		std::uint16_t low = 0;
		std::uint16_t high = 0;
		std::size_t dash = item.find('-');
		if (item == "*")
		{
			low = 1;
			high = 65535;
		}
		else if (dash == std::string_view::npos)
		{
			valid = http::parsePort(http::trimWhitespace(item), low);
			high = low;
		}
		else
		{
			valid = http::parsePort(http::trimWhitespace(item.substr(0, dash)), low)
				&& http::parsePort(http::trimWhitespace(item.substr(dash + 1)), high) && low <= high;
		}

		if (valid) result._ranges.emplace_back(low, high);
		else badEntry.assign(item);
	});
	return valid;
}


bool PortSet::contains(std::uint16_t port) const
{
	for (const auto& range: _ranges)
	{
		if (port >= range.first && port <= range.second) return true;
	}
	return false;
}


} } // namespace fwdproxy::policy
