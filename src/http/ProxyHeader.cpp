//
// ProxyHeader.cpp
//

#include "fwdproxy/http/ProxyHeader.h"

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <sys/socket.h>
#endif


namespace fwdproxy {
namespace http {


namespace {


const std::string_view V1_PREFIX = "PROXY ";
const std::string_view V2_SIGNATURE("\r\n\r\n\0\r\nQUIT\n", 12);
const std::size_t V2_FIXED_LENGTH = 16;

const unsigned char V2_COMMAND_LOCAL = 0x0;
const unsigned char V2_COMMAND_PROXY = 0x1;
const unsigned char V2_TCP_OVER_IPV4 = 0x11;
const unsigned char V2_TCP_OVER_IPV6 = 0x21;
const unsigned char V2_UNSPECIFIED = 0x00;
const unsigned char V2_UNIX_STREAM = 0x31;
const unsigned char V2_UNIX_DATAGRAM = 0x32;


bool startsLike(std::string_view data, std::string_view expected)
{
	std::size_t n = data.size() < expected.size() ? data.size() : expected.size();
	return data.substr(0, n) == expected.substr(0, n);
}


ProxyHeaderStatus invalid(std::string& problem, const char* text)
{
	problem = text;
	return ProxyHeaderStatus::Invalid;
}


// A decimal port from 0 to 65535 without leading zeros.
bool parsePort(std::string_view text, std::uint16_t& port)
{
	if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;

	unsigned value = 0;
	for (char c: text)
	{
		if (c < '0' || c > '9') return false;
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (value > 65535) return false;

	port = static_cast<std::uint16_t>(value);
	return true;
}


bool isAddress(std::string_view text, int family)
{
	if (text.empty() || text.size() > 45) return false;

	std::string copy(text);
	unsigned char bytes[16];
	return ::inet_pton(family, copy.c_str(), bytes) == 1;
}


std::string formatAddress(const unsigned char* bytes, int family)
{
	char text[64];
	if (::inet_ntop(family, bytes, text, sizeof(text)) == nullptr) return std::string();
	return text;
}


std::uint16_t readPort(const unsigned char* bytes)
{
	return static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
}


// "PROXY TCP4 src dst sport dport", fields separated by exactly one space.
ProxyHeaderStatus parseV1Line(std::string_view line, ProxyHeader& header, std::string& problem)
{
	std::string_view rest = line.substr(V1_PREFIX.size());
	if (rest == "UNKNOWN" || rest.substr(0, 8) == "UNKNOWN ")
	{
		// The sender does not know the addresses; the rest of the line is ignored.
		return ProxyHeaderStatus::Complete;
	}

	std::string_view fields[5];
	for (std::size_t i = 0; i < 5; ++i)
	{
		std::size_t space = i < 4 ? rest.find(' ') : std::string_view::npos;
		if (i < 4 && space == std::string_view::npos) return invalid(problem, "PROXY v1 line has too few fields");

		fields[i] = rest.substr(0, space);
		rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
	}
	if (fields[4].find(' ') != std::string_view::npos) return invalid(problem, "PROXY v1 line has too many fields");

	int family = 0;
	if (fields[0] == "TCP4") family = AF_INET;
	else if (fields[0] == "TCP6") family = AF_INET6;
	else return invalid(problem, "PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN");

	if (!isAddress(fields[1], family)) return invalid(problem, "PROXY v1 source address is invalid");
	if (!isAddress(fields[2], family)) return invalid(problem, "PROXY v1 destination address is invalid");
	if (!parsePort(fields[3], header.sourcePort)) return invalid(problem, "PROXY v1 source port is invalid");
	if (!parsePort(fields[4], header.destinationPort)) return invalid(problem, "PROXY v1 destination port is invalid");

	header.hasAddresses = true;
	header.sourceAddress.assign(fields[1]);
	header.destinationAddress.assign(fields[2]);
	return ProxyHeaderStatus::Complete;
}


ProxyHeaderStatus parseV1(std::string_view data, ProxyHeader& header, std::string& problem)
{
	if (!startsLike(data, V1_PREFIX)) return invalid(problem, "not a PROXY protocol header");

	std::size_t limit = data.size() < ProxyHeader::MAX_V1_LENGTH ? data.size() : ProxyHeader::MAX_V1_LENGTH;
	for (std::size_t i = 0; i < limit; ++i)
	{
		char c = data[i];
		if (c == '\n') return invalid(problem, "PROXY v1 line ends in a bare LF");
		if (c != '\r') continue;

		if (i + 2 > ProxyHeader::MAX_V1_LENGTH) return invalid(problem, "PROXY v1 line is longer than 107 bytes");
		if (i + 1 == data.size()) return ProxyHeaderStatus::Incomplete;
		if (data[i + 1] != '\n') return invalid(problem, "PROXY v1 line contains a bare CR");

		header.version = 1;
		header.length = i + 2;
		return parseV1Line(data.substr(0, i), header, problem);
	}

	// The CR must come by the 106th byte for the CRLF to end within the limit.
	if (data.size() >= ProxyHeader::MAX_V1_LENGTH - 1) return invalid(problem, "PROXY v1 line is longer than 107 bytes");
	return ProxyHeaderStatus::Incomplete;
}


// The address block is source address, destination address, source port,
// destination port; TLVs after it carry nothing that the proxy uses.
ProxyHeaderStatus parseV2Addresses(const unsigned char* block, std::size_t blockLength, unsigned char family,
	ProxyHeader& header, std::string& problem)
{
	if (family != V2_TCP_OVER_IPV4 && family != V2_TCP_OVER_IPV6) return ProxyHeaderStatus::Complete;

	bool v6 = family == V2_TCP_OVER_IPV6;
	std::size_t addressLength = v6 ? 16 : 4;
	if (blockLength < 2 * addressLength + 4) return invalid(problem, "PROXY v2 address block is too short for its family");

	int addressFamily = v6 ? AF_INET6 : AF_INET;
	header.sourceAddress = formatAddress(block, addressFamily);
	header.destinationAddress = formatAddress(block + addressLength, addressFamily);
	header.sourcePort = readPort(block + 2 * addressLength);
	header.destinationPort = readPort(block + 2 * addressLength + 2);
	header.hasAddresses = true;
	return ProxyHeaderStatus::Complete;
}


ProxyHeaderStatus parseV2(std::string_view data, ProxyHeader& header, std::string& problem)
{
	if (!startsLike(data, V2_SIGNATURE)) return invalid(problem, "not a PROXY protocol header");

	const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
	unsigned char command = 0;
	if (data.size() > 12)
	{
		if ((bytes[12] >> 4) != 2) return invalid(problem, "PROXY v2 header has a version other than 2");

		command = bytes[12] & 0x0f;
		if (command != V2_COMMAND_LOCAL && command != V2_COMMAND_PROXY)
		{
			return invalid(problem, "PROXY v2 command is neither LOCAL nor PROXY");
		}
	}

	// LOCAL (health checks from the balancer itself) ignores the family byte.
	unsigned char family = data.size() > 13 ? bytes[13] : V2_UNSPECIFIED;
	if (command == V2_COMMAND_PROXY && family != V2_UNSPECIFIED && family != V2_TCP_OVER_IPV4
		&& family != V2_TCP_OVER_IPV6 && family != V2_UNIX_STREAM && family != V2_UNIX_DATAGRAM)
	{
		return invalid(problem, "PROXY v2 address family and protocol are not supported");
	}
	if (data.size() < V2_FIXED_LENGTH) return ProxyHeaderStatus::Incomplete;

	std::size_t blockLength = (static_cast<std::size_t>(bytes[14]) << 8) | bytes[15];
	std::size_t total = V2_FIXED_LENGTH + blockLength;
	if (total > ProxyHeader::MAX_LENGTH) return invalid(problem, "PROXY v2 header is longer than 4096 bytes");
	if (data.size() < total) return ProxyHeaderStatus::Incomplete;

	header.version = 2;
	header.length = total;
	if (command == V2_COMMAND_LOCAL) return ProxyHeaderStatus::Complete;
	return parseV2Addresses(bytes + V2_FIXED_LENGTH, blockLength, family, header, problem);
}


} // namespace


ProxyHeaderStatus parseProxyHeader(std::string_view data, ProxyHeader& header, std::string& problem)
{
	header = ProxyHeader();
	problem.clear();
	if (data.empty()) return ProxyHeaderStatus::Incomplete;

	// The two versions differ in their first byte: 'P' or CR.
	if (data[0] == V2_SIGNATURE[0]) return parseV2(data, header, problem);
	return parseV1(data, header, problem);
}


} } // namespace fwdproxy::http
