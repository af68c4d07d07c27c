//
// ParentProxy.cpp
//

#include "fwdproxy/upstream/ParentProxy.h"
#include "fwdproxy/http/RequestTarget.h"
#include "fwdproxy/http/Syntax.h"
#include "fwdproxy/policy/CidrSet.h"
#include "fwdproxy/policy/PasswordHash.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/URI.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>


namespace fwdproxy {
namespace upstream {


namespace {


// RFC 1929 sends each of user name and password with a one-byte length.
const std::size_t MAX_SOCKS_CREDENTIAL = 255;


bool parseScheme(std::string_view text, ParentScheme& scheme)
{
	// socks5h is how curl spells "the SOCKS server resolves names", which is
	// what fwdproxy always does, so it is accepted as the same scheme.
	if (http::equalsIgnoreCase(text, "http")) scheme = ParentScheme::Http;
	else if (http::equalsIgnoreCase(text, "https")) scheme = ParentScheme::Https;
	else if (http::equalsIgnoreCase(text, "socks5") || http::equalsIgnoreCase(text, "socks5h")) scheme = ParentScheme::Socks5;
	else return false;
	return true;
}


bool percentDecode(const std::string& text, std::string& decoded)
{
	try
	{
		decoded.clear();
		Poco::URI::decode(text, decoded);
		return true;
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
}


bool parseUserInfo(const std::string& userInfo, ParentProxy& parent, std::string& error)
{
	std::size_t colon = userInfo.find(':');
	if (colon == std::string::npos || colon == 0)
	{
		error = "the credentials before @ must be user:password";
		return false;
	}
	if (!percentDecode(userInfo.substr(0, colon), parent.user) || !percentDecode(userInfo.substr(colon + 1), parent.password))
	{
		error = "the credentials contain an invalid percent-encoding";
		return false;
	}
	parent.hasCredentials = true;
	return true;
}


bool isIPLiteral(const std::string& host)
{
	Poco::Net::IPAddress address;
	return policy::parseIPAddress(host, address);
}


} // namespace


std::string ParentProxy::hostPort() const
{
	std::string text = host.find(':') != std::string::npos ? "[" + host + "]" : host;
	return text + ":" + std::to_string(port);
}


std::string ParentProxy::label() const
{
	return name + " " + hostPort();
}


std::string ParentProxy::proxyAuthorization() const
{
	if (!hasCredentials || scheme == ParentScheme::Socks5) return std::string();

	return "Proxy-Authorization: Basic " + policy::encodeBase64(user + ":" + password) + "\r\n";
}


std::string ParentProxy::poolKey(const std::string& destination) const
{
	if (scheme == ParentScheme::Socks5) return "socks5 " + name + " " + destination;
	return "parent " + name;
}


bool parseParentUrl(const std::string& url, ParentProxy& parent, std::string& error)
{
	std::size_t schemeEnd = url.find("://");
	if (schemeEnd == std::string::npos || !parseScheme(std::string_view(url).substr(0, schemeEnd), parent.scheme))
	{
		error = "the URL must start with http://, https:// or socks5://";
		return false;
	}

	std::string rest = url.substr(schemeEnd + 3);
	if (!rest.empty() && rest.back() == '/') rest.pop_back();

	std::size_t at = rest.rfind('@');
	parent.hasCredentials = false;
	parent.user.clear();
	parent.password.clear();
	if (at != std::string::npos)
	{
		if (!parseUserInfo(rest.substr(0, at), parent, error)) return false;
		rest = rest.substr(at + 1);
	}

	http::RequestTarget authority;
	if (http::parseAuthorityForm(rest, authority) != http::Reason::None)
	{
		error = "the URL must end in host:port, with a port from 1 to 65535 and nothing after it";
		return false;
	}
	parent.host = authority.host;
	parent.port = authority.port;

	if (parent.scheme == ParentScheme::Socks5 && parent.hasCredentials
		&& (parent.user.size() > MAX_SOCKS_CREDENTIAL || parent.password.empty() || parent.password.size() > MAX_SOCKS_CREDENTIAL))
	{
		error = "SOCKS5 user names and passwords must have 1 to 255 bytes";
		return false;
	}
	return true;
}


bool parseCredentials(const std::string& text, std::string& user, std::string& password)
{
	std::string line = text;
	while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();

	std::size_t colon = line.find(':');
	if (colon == std::string::npos || colon == 0) return false;

	user = line.substr(0, colon);
	password = line.substr(colon + 1);
	return true;
}


std::string redactUrl(const std::string& url)
{
	std::size_t schemeEnd = url.find("://");
	std::size_t start = schemeEnd == std::string::npos ? 0 : schemeEnd + 3;
	std::size_t at = url.rfind('@');
	if (at == std::string::npos || at < start) return url;

	std::size_t colon = url.find(':', start);
	if (colon == std::string::npos || colon > at) return url;
	return url.substr(0, colon + 1) + "****" + url.substr(at);
}


Poco::Net::Context::Ptr makeTlsClientContext(const std::string& host, bool verify, const std::string& caFile,
	std::string& error)
{
	Poco::Net::Context::Params params;
	params.verificationMode = verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
	params.caLocation = caFile;
	params.loadDefaultCAs = verify && caFile.empty();
	params.cipherList = "DEFAULT";

	Poco::Net::Context::Ptr context;
	try
	{
		context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
	}
	catch (const Poco::Exception& e)
	{
		error = e.displayText();
		return nullptr;
	}
	context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);

	// POCO's own host name check resolves the names in the certificate with
	// DNS when they do not match at once; OpenSSL's check compares only.
	context->enableExtendedCertificateVerification(false);
	if (verify)
	{
		X509_VERIFY_PARAM* verifyParams = SSL_CTX_get0_param(context->sslContext());
		int ok = isIPLiteral(host) ? X509_VERIFY_PARAM_set1_ip_asc(verifyParams, host.c_str())
			: X509_VERIFY_PARAM_set1_host(verifyParams, host.c_str(), host.size());
		if (ok != 1)
		{
			error = "cannot set the expected certificate name " + host;
			return nullptr;
		}
	}
	return context;
}


Connection connectParent(const ParentProxy& parent, const Connector& connector, std::chrono::milliseconds handshakeTimeout)
{
	Connection connection = connector.connect(parent.host, parent.port);
	if (connection.reason != http::Reason::None || parent.scheme != ParentScheme::Https) return connection;

	try
	{
		Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(handshakeTimeout.count()) * 1000);
		connection.socket.setReceiveTimeout(timeout);
		connection.socket.setSendTimeout(timeout);

		// Server Name Indication carries host names only (RFC 6066 §3).
		connection.socket = isIPLiteral(parent.host)
			? Poco::Net::SecureStreamSocket::attach(connection.socket, parent.tlsContext)
			: Poco::Net::SecureStreamSocket::attach(connection.socket, parent.host, parent.tlsContext);
	}
	catch (const Poco::Exception& e)
	{
		connection.socket.close();
		connection.socket = Poco::Net::StreamSocket();
		connection.reason = http::Reason::ConnectFailed;
		connection.detail = "TLS handshake with " + parent.hostPort() + " failed: " + e.displayText();
	}
	return connection;
}


} } // namespace fwdproxy::upstream
