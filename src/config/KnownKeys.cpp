//
// KnownKeys.cpp
//

#include "fwdproxy/config/KnownKeys.h"
#include "fwdproxy/config/SettingsLoader.h"

#include <algorithm>


namespace fwdproxy {
namespace config {


namespace {


// Prefixes followed by a name that the user chooses.
const char* const DYNAMIC_PREFIXES[] = {
	"proxy.headers.add.",
	"proxy.upstream.",
};


std::size_t editDistance(const std::string& a, const std::string& b)
{
	std::vector<std::size_t> previous(b.size() + 1);
	std::vector<std::size_t> current(b.size() + 1);
	for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;

	for (std::size_t i = 1; i <= a.size(); ++i)
	{
		current[0] = i;
		for (std::size_t j = 1; j <= b.size(); ++j)
		{
			std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
		}
		previous.swap(current);
	}
	return previous[b.size()];
}


void collectKeys(const Poco::Util::AbstractConfiguration& configuration, const std::string& prefix,
	std::vector<std::string>& keys)
{
	Poco::Util::AbstractConfiguration::Keys children;
	configuration.keys(prefix, children);
	for (const std::string& child: children)
	{
		std::string key = prefix + "." + child;
		if (configuration.hasProperty(key)) keys.push_back(key);
		collectKeys(configuration, key, keys);
	}
}


} // namespace


bool isKnownKey(const std::string& key)
{
	for (std::size_t i = 0; SettingsLoader::DEFAULTS[i][0] != nullptr; ++i)
	{
		if (key == SettingsLoader::DEFAULTS[i][0]) return true;
	}
	for (const char* prefix: DYNAMIC_PREFIXES)
	{
		std::string text(prefix);
		if (key.size() > text.size() && key.compare(0, text.size(), text) == 0) return true;
	}
	return false;
}


std::string nearestKnownKey(const std::string& key)
{
	std::string best;
	std::size_t bestDistance = std::string::npos;
	for (std::size_t i = 0; SettingsLoader::DEFAULTS[i][0] != nullptr; ++i)
	{
		std::size_t distance = editDistance(key, SettingsLoader::DEFAULTS[i][0]);
		if (distance < bestDistance)
		{
			best = SettingsLoader::DEFAULTS[i][0];
			bestDistance = distance;
		}
	}
	return best;
}


std::vector<std::string> unknownKeys(const Poco::Util::AbstractConfiguration& configuration)
{
	std::vector<std::string> keys;
	collectKeys(configuration, "proxy", keys);
	keys.erase(std::remove_if(keys.begin(), keys.end(), isKnownKey), keys.end());
	return keys;
}


} } // namespace fwdproxy::config
