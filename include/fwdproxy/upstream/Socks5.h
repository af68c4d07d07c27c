//
// Socks5.h
//
// The client side of SOCKS version 5 (RFC 1928) with username/password
// authentication (RFC 1929), for CONNECT only.
//

#pragma once

#include "fwdproxy/io/Deadline.h"
#include "fwdproxy/io/SocketReader.h"

#include <Poco/Net/StreamSocket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace upstream {


class Socks5
	/// The message builders and parsers work on bytes alone; handshake()
	/// drives them over a connected socket.
{
public:
	enum class Parse
	{
		Complete,
		Incomplete,
		Invalid
	};

	static constexpr unsigned char METHOD_NONE = 0x00;
	static constexpr unsigned char METHOD_PASSWORD = 0x02;
	static constexpr unsigned char METHOD_REJECTED = 0xff;

	static std::string greeting(bool withPassword);
		/// Returns the version/method selection message offering no
		/// authentication, or username/password authentication only.

	static std::string passwordRequest(const std::string& user, const std::string& password);
		/// Returns the RFC 1929 request; both must have 1 to 255 bytes.

	static std::string connectRequest(const std::string& host, std::uint16_t port);
		/// Returns a CONNECT request. An IPv4 or IPv6 literal is sent as an
		/// address, any other host as a domain name (address type 3), so the
		/// SOCKS server resolves it and fwdproxy never looks it up. A domain
		/// name must have at most 255 bytes.

	static Parse parseMethodReply(std::string_view data, unsigned char& method);
		/// Parses the server's two-byte method selection.

	static Parse parsePasswordReply(std::string_view data, bool& accepted);

	static Parse parseConnectReply(std::string_view data, std::size_t& length, unsigned char& reply);
		/// Parses a CONNECT reply of any address type; length is its size,
		/// and the bytes after it already belong to the tunnel.

	static const char* replyText(unsigned char reply);
		/// Returns the RFC 1928 §6 meaning of a reply code, for messages.

	static bool handshake(Poco::Net::StreamSocket& socket, io::SocketReader& reader, const std::string& host,
		std::uint16_t port, const std::string* user, const std::string* password, const io::Deadline& deadline,
		std::string& problem);
		/// Negotiates a method, authenticates when user and password are given,
		/// and requests a connection to host:port. Returns false with problem
		/// set when the server rejects, sends invalid bytes, closes or does
		/// not reply before deadline. Bytes that follow the reply stay in reader.
		/// Throws Poco::Exception when the socket fails.
};


} } // namespace fwdproxy::upstream
