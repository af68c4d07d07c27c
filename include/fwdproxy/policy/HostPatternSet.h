//
// HostPatternSet.h
//
// A list of destination host patterns: exact names, domains and regular expressions.
//

#pragma once

#include <Poco/RegularExpression.h>

#include <memory>
#include <string>
#include <vector>


namespace fwdproxy {
namespace policy {


class HostPatternSet
	/// Entries are "example.com" (that host only), ".example.com" (the domain
	/// and every subdomain) and "~REGEX", a regular expression that must match
	/// the whole host. Hosts are compared after normalizeHost(), and name
	/// entries are normalized the same way; regular expressions ignore case.
{
public:
	static bool parse(const std::string& list, HostPatternSet& result, std::string& badEntry, std::string& error);
		/// Parses a comma-separated list. Returns false with the first entry
		/// that is empty after "." or "~", or whose regular expression does not
		/// compile (error then gives the reason). A regular expression cannot contain a comma.

	bool matches(const std::string& normalizedHost) const;

	bool empty() const { return _names.empty() && _domains.empty() && _expressions.empty(); }

private:
	std::vector<std::string> _names;
	std::vector<std::string> _domains;   ///< Without the leading dot.
	std::vector<std::shared_ptr<Poco::RegularExpression>> _expressions;
};


std::string normalizeHost(const std::string& host);
	/// Returns host in lower case without a trailing dot, as rules compare it.


} } // namespace fwdproxy::policy
