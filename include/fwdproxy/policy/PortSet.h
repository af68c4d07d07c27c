//
// PortSet.h
//
// A set of TCP ports written as numbers and ranges, such as "443, 8443, 9000-9100".
//

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>


namespace fwdproxy {
namespace policy {


class PortSet
{
public:
	static bool parse(const std::string& list, PortSet& result, std::string& badEntry);
		/// Parses a comma-separated list of ports (1 to 65535) and ranges LOW-HIGH.
		/// Returns false and sets badEntry to the first invalid entry. "*" allows every port.

	bool contains(std::uint16_t port) const;

private:
	std::vector<std::pair<std::uint16_t, std::uint16_t>> _ranges;
};


} } // namespace fwdproxy::policy
