//
// CidrSet.cpp
//

#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/http/Syntax.h"

#include <cstring>

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif


using Poco::Net::IPAddress;


namespace fwdproxy {
namespace policy {


namespace {


// Reduces an address to its family and raw bytes, unwrapping IPv4-mapped IPv6.
void toBytes(const IPAddress& address, bool& v6, std::array<std::uint8_t, 16>& bytes)
{
	const auto* raw = static_cast<const std::uint8_t*>(address.addr());
	bytes.fill(0);
	if (address.family() == IPAddress::IPv6 && address.isIPv4Mapped())
	{
		v6 = false;
		std::memcpy(bytes.data(), raw + 12, 4);
		return;
	}

	v6 = address.family() == IPAddress::IPv6;
	std::memcpy(bytes.data(), raw, v6 ? 16 : 4);
}


bool prefixMatches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, unsigned prefix)
{
	unsigned fullBytes = prefix / 8;
	if (std::memcmp(a.data(), b.data(), fullBytes) != 0) return false;

	unsigned bits = prefix % 8;
	if (bits == 0) return true;

	auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
	return (a[fullBytes] & mask) == (b[fullBytes] & mask);
}


bool parsePrefix(const std::string& text, unsigned maxPrefix, unsigned& prefix)
{
	if (text.empty() || text.size() > 3) return false;

	prefix = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		prefix = prefix * 10 + static_cast<unsigned>(c - '0');
	}
	return prefix <= maxPrefix;
}


} // namespace


bool parseIPAddress(const std::string& text, IPAddress& address)
{
	std::array<std::uint8_t, 16> raw{};
	bool v6 = text.find(':') != std::string::npos;
	if (::inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), raw.data()) != 1) return false;

	address = IPAddress(raw.data(), v6 ? 16 : 4);
	return true;
}


bool parseCidrBlock(const std::string& text, IPAddress& address, unsigned& prefix)
{
	std::size_t slash = text.find('/');
	std::string addressText = text.substr(0, slash);
	if (addressText.size() > 2 && addressText.front() == '[' && addressText.back() == ']')
	{
		addressText = addressText.substr(1, addressText.size() - 2);
	}
	if (!parseIPAddress(addressText, address)) return false;

	unsigned maxPrefix = address.family() == IPAddress::IPv6 ? 128 : 32;
	prefix = maxPrefix;
	return slash == std::string::npos || parsePrefix(text.substr(slash + 1), maxPrefix, prefix);
}


bool CidrSet::parseEntry(const std::string& entry, Network& network)
{
	IPAddress address;
	if (!parseCidrBlock(entry, address, network.prefix)) return false;

	bool mapped = address.family() == IPAddress::IPv6 && address.isIPv4Mapped();
	toBytes(address, network.v6, network.bytes);

	// ::ffff:10.0.0.0/104 is written against the IPv6 form; match it as IPv4.
	if (mapped) network.prefix = network.prefix >= 96 ? network.prefix - 96 : 0;
	return true;
}


bool CidrSet::parse(const std::string& list, CidrSet& result, std::string& badEntry)
{
	result._networks.clear();
	bool valid = true;
	http::forEachListItem(list, [&](std::string_view item) {
		if (!valid) return;

		Network network;
		if (!parseEntry(std::string(item), network))
		{
			badEntry.assign(item);
			valid = false;
			return;
		}
		result._networks.push_back(network);
	});
	return valid;
}


bool CidrSet::matches(bool v6, const std::array<std::uint8_t, 16>& bytes) const
{
	for (const Network& network: _networks)
	{
		if (network.v6 == v6 && prefixMatches(network.bytes, bytes, network.prefix)) return true;
	}
	return false;
}


bool CidrSet::contains(const IPAddress& address) const
{
	bool v6 = false;
	std::array<std::uint8_t, 16> bytes{};
	toBytes(address, v6, bytes);
	if (matches(v6, bytes)) return true;
	if (!v6) return false;

	// IPv4-compatible addresses (::a.b.c.d) and the NAT64 well-known prefix
	// (64:ff9b::/96, RFC 6052) lead to an IPv4 address too. Matched only as
	// IPv6, [::127.0.0.1] or [64:ff9b::a9fe:a9fe] would slip past IPv4 rules.
	static const std::uint8_t NAT64_PREFIX[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	static const std::uint8_t ZERO_PREFIX[12] = {};
	// ::/104 contains ::, ::1 and other IPv6-only addresses, not IPv4-compatible ones.
	bool nat64 = std::memcmp(bytes.data(), NAT64_PREFIX, 12) == 0;
	bool compatible = std::memcmp(bytes.data(), ZERO_PREFIX, 12) == 0 && bytes[12] != 0;
	if (!nat64 && !compatible) return false;

	std::array<std::uint8_t, 16> embedded{};
	std::memcpy(embedded.data(), bytes.data() + 12, 4);
	return matches(false, embedded);
}


} } // namespace fwdproxy::policy
