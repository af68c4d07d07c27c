//
// ProxyHeader.h
//
// The header that a load balancer sends before the client's bytes to pass on
// the client's address: HAProxy's PROXY protocol, versions 1 (text) and 2
// (binary), as specified in HAProxy's proxy-protocol.txt.
//

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace http {


struct ProxyHeader
{
	static constexpr std::size_t MAX_V1_LENGTH = 107;   ///< The whole v1 line with its CRLF, as the specification bounds it.
	static constexpr std::size_t MAX_LENGTH = 4096;    ///< Longer v2 headers are rejected rather than buffered.

	std::size_t length = 0;           ///< Bytes of the header, CRLF or TLVs included.
	int version = 0;                  ///< 1 or 2.
	bool hasAddresses = false;        ///< False for v1 UNKNOWN, v2 LOCAL and families without IP addresses.
	std::string sourceAddress;        ///< Numeric IPv4 or IPv6 address, without brackets.
	std::uint16_t sourcePort = 0;
	std::string destinationAddress;
	std::uint16_t destinationPort = 0;
};


enum class ProxyHeaderStatus
{
	Complete,
	Incomplete,   ///< Every byte so far belongs to a header that has not ended yet.
	Invalid
};


ProxyHeaderStatus parseProxyHeader(std::string_view data, ProxyHeader& header, std::string& problem);
	/// Parses the header at the start of data. Complete sets header.length,
	/// and the bytes after it belong to the client. Incomplete means that
	/// all of data is part of the header, so a reader may consume it and
	/// wait for more without reading past the header. Invalid sets problem
	/// to a short description for the log. A header without addresses
	/// (health checks, unknown families) is Complete with hasAddresses false.


} } // namespace fwdproxy::http
