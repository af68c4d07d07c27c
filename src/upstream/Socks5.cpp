//
// Socks5.cpp
//

#include "fwdproxy/upstream/Socks5.h"
#include "fwdproxy/policy/CidrSet.h"

#include <Poco/Net/IPAddress.h>


namespace fwdproxy {
namespace upstream {


namespace {


const unsigned char VERSION = 0x05;
const unsigned char PASSWORD_VERSION = 0x01;
const unsigned char COMMAND_CONNECT = 0x01;
const unsigned char ADDRESS_IPV4 = 0x01;
const unsigned char ADDRESS_DOMAIN = 0x03;
const unsigned char ADDRESS_IPV6 = 0x04;
const unsigned char REPLY_SUCCEEDED = 0x00;
const std::size_t MAX_DOMAIN_LENGTH = 255;


void appendPort(std::string& message, std::uint16_t port)
{
	message += static_cast<char>(port >> 8);
	message += static_cast<char>(port & 0xff);
}


unsigned char byteAt(std::string_view data, std::size_t index)
{
	return static_cast<unsigned char>(data[index]);
}


// Receives until parse() needs no more bytes.
template <typename Parser>
Socks5::Parse receive(io::SocketReader& reader, const io::Deadline& deadline, std::string& problem, Parser parse)
{
	while (true)
	{
		Socks5::Parse result = parse(reader.buffered());
		if (result != Socks5::Parse::Incomplete) return result;

		io::SocketReader::FillResult fill = reader.fill(deadline);
		if (fill == io::SocketReader::FillResult::TimedOut)
		{
			problem = "no SOCKS5 reply in time";
			return Socks5::Parse::Invalid;
		}
		if (fill == io::SocketReader::FillResult::Closed)
		{
			problem = "the SOCKS5 server closed the connection";
			return Socks5::Parse::Invalid;
		}
	}
}


void send(Poco::Net::StreamSocket& socket, const std::string& message)
{
	socket.sendBytes(message.data(), static_cast<int>(message.size()));
}


} // namespace


std::string Socks5::greeting(bool withPassword)
{
	std::string message;
	message += static_cast<char>(VERSION);
	message += static_cast<char>(1);
	message += static_cast<char>(withPassword ? METHOD_PASSWORD : METHOD_NONE);
	return message;
}


std::string Socks5::passwordRequest(const std::string& user, const std::string& password)
{
	std::string message;
	message += static_cast<char>(PASSWORD_VERSION);
	message += static_cast<char>(user.size());
	message += user;
	message += static_cast<char>(password.size());
	message += password;
	return message;
}


std::string Socks5::connectRequest(const std::string& host, std::uint16_t port)
{
	std::string message;
	message += static_cast<char>(VERSION);
	message += static_cast<char>(COMMAND_CONNECT);
	message += static_cast<char>(0);

	Poco::Net::IPAddress address;
	if (policy::parseIPAddress(host, address))
	{
		message += static_cast<char>(address.family() == Poco::Net::IPAddress::IPv6 ? ADDRESS_IPV6 : ADDRESS_IPV4);
		message.append(static_cast<const char*>(address.addr()), address.length());
	}
	else
	{
		message += static_cast<char>(ADDRESS_DOMAIN);
		message += static_cast<char>(host.size());
		message += host;
	}
	appendPort(message, port);
	return message;
}


Socks5::Parse Socks5::parseMethodReply(std::string_view data, unsigned char& method)
{
	if (!data.empty() && byteAt(data, 0) != VERSION) return Parse::Invalid;
	if (data.size() < 2) return Parse::Incomplete;

	method = byteAt(data, 1);
	return Parse::Complete;
}


Socks5::Parse Socks5::parsePasswordReply(std::string_view data, bool& accepted)
{
	if (!data.empty() && byteAt(data, 0) != PASSWORD_VERSION) return Parse::Invalid;
	if (data.size() < 2) return Parse::Incomplete;

	accepted = byteAt(data, 1) == 0;
	return Parse::Complete;
}


Socks5::Parse Socks5::parseConnectReply(std::string_view data, std::size_t& length, unsigned char& reply)
{
	if (!data.empty() && byteAt(data, 0) != VERSION) return Parse::Invalid;
	if (data.size() > 2 && byteAt(data, 2) != 0) return Parse::Invalid;
	if (data.size() < 5) return Parse::Incomplete;

	std::size_t addressLength = 0;
	switch (byteAt(data, 3))
	{
	case ADDRESS_IPV4: addressLength = 4; break;
	case ADDRESS_IPV6: addressLength = 16; break;
	case ADDRESS_DOMAIN: addressLength = 1 + byteAt(data, 4); break;
	default: return Parse::Invalid;
	}

	std::size_t total = 4 + addressLength + 2;
	if (data.size() < total) return Parse::Incomplete;

	reply = byteAt(data, 1);
	length = total;
	return Parse::Complete;
}


const char* Socks5::replyText(unsigned char reply)
{
	switch (reply)
	{
	case 0x00: return "succeeded";
	case 0x01: return "general SOCKS server failure";
	case 0x02: return "connection not allowed by ruleset";
	case 0x03: return "network unreachable";
	case 0x04: return "host unreachable";
	case 0x05: return "connection refused";
	case 0x06: return "TTL expired";
	case 0x07: return "command not supported";
	case 0x08: return "address type not supported";
	default: return "unknown reply code";
	}
}


bool Socks5::handshake(Poco::Net::StreamSocket& socket, io::SocketReader& reader, const std::string& host,
	std::uint16_t port, const std::string* user, const std::string* password, const io::Deadline& deadline,
	std::string& problem)
{
	if (host.size() > MAX_DOMAIN_LENGTH)
	{
		problem = "the host name is longer than the 255 bytes that SOCKS5 can carry";
		return false;
	}

	bool withPassword = user != nullptr && password != nullptr;
	send(socket, greeting(withPassword));

	unsigned char method = METHOD_REJECTED;
	Parse parsed = receive(reader, deadline, problem, [&](std::string_view data) { return parseMethodReply(data, method); });
	if (parsed != Parse::Complete)
	{
		if (problem.empty()) problem = "invalid SOCKS5 method selection";
		return false;
	}
	reader.consume(2);

	unsigned char expected = withPassword ? METHOD_PASSWORD : METHOD_NONE;
	if (method != expected)
	{
		problem = withPassword ? "the SOCKS5 server does not accept username/password authentication"
			: "the SOCKS5 server requires authentication";
		return false;
	}

	if (withPassword)
	{
		send(socket, passwordRequest(*user, *password));
		bool accepted = false;
		parsed = receive(reader, deadline, problem, [&](std::string_view data) { return parsePasswordReply(data, accepted); });
		if (parsed != Parse::Complete)
		{
			if (problem.empty()) problem = "invalid SOCKS5 authentication reply";
			return false;
		}
		reader.consume(2);
		if (!accepted)
		{
			problem = "the SOCKS5 server rejected the user name or password";
			return false;
		}
	}

	send(socket, connectRequest(host, port));
	std::size_t length = 0;
	unsigned char reply = 0;
	parsed = receive(reader, deadline, problem, [&](std::string_view data) { return parseConnectReply(data, length, reply); });
	if (parsed != Parse::Complete)
	{
		if (problem.empty()) problem = "invalid SOCKS5 CONNECT reply";
		return false;
	}
	reader.consume(length);
	if (reply != REPLY_SUCCEEDED)
	{
		problem = std::string("the SOCKS5 server answered CONNECT with: ") + replyText(reply);
		return false;
	}
	return true;
}


} } // namespace fwdproxy::upstream
