//
// ResolverCache.h
//
// Remembers name resolutions for a configured time, because getaddrinfo(3)
// blocks the calling thread and often costs more than the exchange itself.
//

#pragma once

#include <Poco/Net/IPAddress.h>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>


namespace fwdproxy {
namespace upstream {


class ResolverCache
{
public:
	explicit ResolverCache(std::chrono::milliseconds lifetime);
		/// A lifetime of 0 turns the cache off. Failures are remembered for at
		/// most NEGATIVE_LIFETIME, so a name that starts to resolve is noticed soon.

	static const std::chrono::milliseconds NEGATIVE_LIFETIME;
	static const std::size_t MAX_ENTRIES = 10000;

	bool resolve(const std::string& host, std::vector<Poco::Net::IPAddress>& addresses, std::string& error);
		/// Resolves host, or parses it as an address literal. Returns false
		/// with error set when the name does not resolve.

	static bool resolveUncached(const std::string& host, std::vector<Poco::Net::IPAddress>& addresses, std::string& error);

private:
	struct Entry
	{
		std::vector<Poco::Net::IPAddress> addresses;
		std::string error;
		std::chrono::steady_clock::time_point expires;
	};

	std::chrono::milliseconds _lifetime;
	std::mutex _mutex;
	std::unordered_map<std::string, Entry> _entries;
};


} } // namespace fwdproxy::upstream
