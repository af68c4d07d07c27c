//
// DestinationSet.h
//
// The destinations a route applies to: host names, domains, networks for
// IP-literal destinations, or every destination.
//

#pragma once

#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/policy/HostPatternSet.h"

#include <string>


namespace fwdproxy {
namespace upstream {


class DestinationSet
	/// Entries are "example.com" (that host only), ".example.com" (the domain
	/// and every name below it), an address or CIDR block such as 10.0.0.0/8
	/// (matched only by destinations written as IP literals, because routing
	/// never resolves names), and "*" (every destination). Names are compared
	/// after policy::normalizeHost().
{
public:
	static bool parse(const std::string& list, DestinationSet& result, std::string& badEntry);
		/// Parses a comma-separated list. Returns false with the first entry
		/// that is not a name, .domain, address, CIDR block or *.

	bool matches(const std::string& host) const;
		/// host is a request-target's host: lower case, an IPv6 literal without brackets.

	bool empty() const { return !_all && _names.empty() && _networks.empty(); }

private:
	bool _all = false;
	policy::HostPatternSet _names;
	policy::CidrSet _networks;
};


} } // namespace fwdproxy::upstream
