//
// HostPatternSet.cpp
//

#include "fwdproxy/policy/HostPatternSet.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Exception.h>


namespace fwdproxy {
namespace policy {


std::string normalizeHost(const std::string& host)
{
	std::string result = http::toLower(host);
	if (!result.empty() && result.back() == '.') result.pop_back();
	return result;
}


bool HostPatternSet::parse(const std::string& list, HostPatternSet& result, std::string& badEntry, std::string& error)
{
	result = HostPatternSet();
	bool valid = true;
	http::forEachListItem(list, [&](std::string_view item) {
		if (!valid) return;

		std::string entry(item);
		if (entry[0] == '~')
		{
			try
			{
				result._expressions.push_back(std::make_shared<Poco::RegularExpression>(
					entry.substr(1), Poco::RegularExpression::RE_CASELESS));
			}
			catch (const Poco::Exception& e)
			{
				error = e.message();
				valid = false;
			}
		}
		else if (entry[0] == '.')
		{
			std::string domain = normalizeHost(entry.substr(1));
			if (domain.empty()) valid = false;
			else result._domains.push_back(domain);
		}
		else
		{
			result._names.push_back(normalizeHost(entry));
		}

		if (!valid) badEntry = entry;
	});
	return valid;
}


bool HostPatternSet::matches(const std::string& normalizedHost) const
{
	for (const std::string& name: _names)
	{
		if (name == normalizedHost) return true;
	}

	for (const std::string& domain: _domains)
	{
		if (normalizedHost == domain) return true;

		// ".example.com" matches "a.example.com" but not "badexample.com".
		std::size_t size = normalizedHost.size();
		if (size > domain.size() && normalizedHost.compare(size - domain.size(), domain.size(), domain) == 0
			&& normalizedHost[size - domain.size() - 1] == '.')
		{
			return true;
		}
	}

	for (const auto& expression: _expressions)
	{
		if (expression->match(normalizedHost)) return true;
	}
	return false;
}


} } // namespace fwdproxy::policy
