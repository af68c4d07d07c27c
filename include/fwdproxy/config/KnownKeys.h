//
// KnownKeys.h
//
// Finds proxy.* properties that no part of fwdproxy reads, which are
// almost always typing mistakes that would otherwise fail silently.
//

#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include <string>
#include <vector>


namespace fwdproxy {
namespace config {


std::vector<std::string> unknownKeys(const Poco::Util::AbstractConfiguration& configuration);
	/// Returns every proxy.* key that has a value but is not known. Keys under
	/// a prefix whose last part is a name the user chooses (such as
	/// proxy.headers.add.NAME) are known.

std::string nearestKnownKey(const std::string& key);
	/// Returns the known key with the smallest edit distance to key.

bool isKnownKey(const std::string& key);


} } // namespace fwdproxy::config
