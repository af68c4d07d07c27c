//
// ResolverCache.cpp
//

#include "fwdproxy/upstream/ResolverCache.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Net/SocketAddress.h>

#include <algorithm>

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif


using Poco::Net::IPAddress;


namespace fwdproxy {
namespace upstream {


const std::chrono::milliseconds ResolverCache::NEGATIVE_LIFETIME{5000};


ResolverCache::ResolverCache(std::chrono::milliseconds lifetime):
	_lifetime(lifetime)
{
}


bool ResolverCache::resolveUncached(const std::string& host, std::vector<IPAddress>& addresses, std::string& error)
{
	IPAddress literal;
	if (IPAddress::tryParse(host, literal))
	{
		addresses.push_back(literal);
		return true;
	}

	// RFC 6761 §6.4: names under .invalid never resolve, and resolvers should
	// fail them at once instead of asking a name server.
	std::string lower = http::toLower(host);
	if (lower == "invalid" || (lower.size() > 8 && lower.compare(lower.size() - 8, 8, ".invalid") == 0)
		|| (lower.size() > 9 && lower.compare(lower.size() - 9, 9, ".invalid.") == 0))
	{
		error = "special-use name under .invalid";
		return false;
	}

	// Poco::Net::DNS sets AI_ADDRCONFIG, which hides ::1 on hosts without a
	// global IPv6 address; plain getaddrinfo(3) returns every address.
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	addrinfo* result = nullptr;
	int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &result);
	if (rc != 0)
	{
		error = gai_strerror(rc);
		return false;
	}

	for (addrinfo* entry = result; entry != nullptr; entry = entry->ai_next)
	{
		if (entry->ai_family == AF_INET || entry->ai_family == AF_INET6)
		{
			addresses.push_back(Poco::Net::SocketAddress(entry->ai_addr, static_cast<poco_socklen_t>(entry->ai_addrlen)).host());
		}
	}
	::freeaddrinfo(result);

	if (addresses.empty()) error = "no IPv4 or IPv6 address";
	return !addresses.empty();
}


bool ResolverCache::resolve(const std::string& host, std::vector<IPAddress>& addresses, std::string& error)
{
	if (_lifetime.count() == 0) return resolveUncached(host, addresses, error);

	auto now = std::chrono::steady_clock::now();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto found = _entries.find(host);
		if (found != _entries.end() && found->second.expires > now)
		{
			addresses = found->second.addresses;
			error = found->second.error;
			return !addresses.empty();
		}
	}

	// Resolved without the lock held, so one slow name does not stall others.
	Entry entry;
	bool resolved = resolveUncached(host, entry.addresses, entry.error);
	entry.expires = now + (resolved ? _lifetime : std::min(_lifetime, NEGATIVE_LIFETIME));
	addresses = entry.addresses;
	error = entry.error;

	std::lock_guard<std::mutex> lock(_mutex);
	if (_entries.size() >= MAX_ENTRIES) _entries.clear();
	_entries[host] = std::move(entry);
	return resolved;
}


} } // namespace fwdproxy::upstream
