//
// CidrSet.h
//
// A set of IPv4 and IPv6 networks written as addresses or CIDR blocks.
//

#pragma once

#include <Poco/Net/IPAddress.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>


namespace fwdproxy {
namespace policy {


class CidrSet
	/// Matches addresses against networks such as 10.0.0.0/8 or fe80::/10.
	/// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched as the IPv4
	/// address it carries, so a dual-stack listener cannot bypass IPv4 rules.
	/// IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses
	/// also match the IPv4 networks that contain their embedded address.
{
public:
	static bool parse(const std::string& list, CidrSet& result, std::string& badEntry);
		/// Parses a comma-separated list. Returns false and sets badEntry to the
		/// first entry that is not an address or CIDR block with a valid prefix.

	bool contains(const Poco::Net::IPAddress& address) const;

	bool empty() const { return _networks.empty(); }
	std::size_t size() const { return _networks.size(); }

private:
	struct Network
	{
		bool v6 = false;
		std::array<std::uint8_t, 16> bytes{};
		unsigned prefix = 0;
	};

	static bool parseEntry(const std::string& entry, Network& network);
	bool matches(bool v6, const std::array<std::uint8_t, 16>& bytes) const;

	std::vector<Network> _networks;
};


bool parseCidrBlock(const std::string& text, Poco::Net::IPAddress& address, unsigned& prefix);
	/// Parses "ADDRESS" or "ADDRESS/PREFIX", with an IPv6 address optionally in
	/// brackets. Without a prefix, prefix is the address length (32 or 128).

bool parseIPAddress(const std::string& text, Poco::Net::IPAddress& address);
	/// Parses a numeric IPv4 or IPv6 address with inet_pton(3). Unlike
	/// IPAddress::tryParse in POCO 1.11 it accepts "::", and it never resolves names.


} } // namespace fwdproxy::policy
