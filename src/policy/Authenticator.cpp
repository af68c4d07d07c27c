//
// Authenticator.cpp
//

#include "fwdproxy/policy/Authenticator.h"
#include "fwdproxy/http/Syntax.h"

#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA1Engine.h>

#include <fstream>
#include <sstream>


namespace fwdproxy {
namespace policy {


const std::chrono::seconds Authenticator::CACHE_LIFETIME{300};


namespace {


// Bounds the memory that many different valid credentials can take; the
// cache is only an accelerator, so emptying it loses nothing but time.
const std::size_t MAX_CACHE_ENTRIES = 10000;


bool decodeBasicCredentials(const std::string& value, std::string& credentials)
{
	std::string_view text = http::trimWhitespace(value);
	std::size_t space = text.find(' ');
	if (space == std::string_view::npos || !http::equalsIgnoreCase(text.substr(0, space), "Basic")) return false;

	std::string encoded(http::trimWhitespace(text.substr(space + 1)));
	return !encoded.empty() && decodeBase64(encoded, credentials);
}


} // namespace


Authenticator::Authenticator()
{
	_cacheSecret.resize(32);
	Poco::RandomInputStream random;
	random.read(&_cacheSecret[0], static_cast<std::streamsize>(_cacheSecret.size()));
}


std::shared_ptr<Authenticator> Authenticator::load(const std::string& path, std::string& error)
{
	std::ifstream file(path);
	if (!file)
	{
		error = path + ": cannot open the credentials file";
		return nullptr;
	}

	std::shared_ptr<Authenticator> authenticator(new Authenticator);
	std::string line;
	int number = 0;
	while (std::getline(file, line))
	{
		++number;
		std::string text(http::trimWhitespace(line));
		if (!text.empty() && text.back() == '\r') text.pop_back();
		if (text.empty() || text[0] == '#') continue;

		std::string where = path + ":" + std::to_string(number) + ": ";
		std::size_t colon = text.find(':');
		PasswordHash hash;
		if (colon == 0 || colon == std::string::npos)
		{
			error = where + "expected USER:HASH as printed by fwdproxy --hash-password";
			return nullptr;
		}
		if (!PasswordHash::parse(text.substr(colon + 1), hash))
		{
			error = where + "invalid hash for user '" + text.substr(0, colon) + "': expected $pbkdf2-sha256$ITERATIONS$SALT$DIGEST";
			return nullptr;
		}
		authenticator->_users[text.substr(0, colon)] = hash;
	}
	return authenticator;
}


std::string Authenticator::cacheKey(const std::string& credentials) const
{
	Poco::HMACEngine<Poco::SHA1Engine> hmac(_cacheSecret);
	hmac.update(credentials);
	const Poco::DigestEngine::Digest& digest = hmac.digest();
	return std::string(digest.begin(), digest.end());
}


bool Authenticator::verify(const std::string& user, const std::string& password, const std::string& credentials)
{
	auto found = _users.find(user);
	if (found == _users.end())
	{
		// Hash anyway, so that a response time does not reveal which user names exist.
		PasswordHash decoy;
		decoy.salt = "decoy-salt";
		decoy.verify(password);
		return false;
	}

	std::string key = cacheKey(credentials);
	auto now = std::chrono::steady_clock::now();
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto cached = _verified.find(key);
		if (cached != _verified.end() && now - cached->second < CACHE_LIFETIME) return true;
	}

	// TODO: failed attempts are not cached or rate-limited, so a client can
	// make the proxy spend one password hash per request.
	if (!found->second.verify(password)) return false;

	std::lock_guard<std::mutex> lock(_mutex);
	if (_verified.size() >= MAX_CACHE_ENTRIES) _verified.clear();
	_verified[key] = now;
	return true;
}


Authenticator::Result Authenticator::check(const http::Fields& fields, std::string& user)
{
	const std::string* value = fields.find("Proxy-Authorization");
	if (value == nullptr) return Result::Missing;

	std::string credentials;
	if (!decodeBasicCredentials(*value, credentials)) return Result::Rejected;

	std::size_t colon = credentials.find(':');
	if (colon == std::string::npos) return Result::Rejected;

	std::string name = credentials.substr(0, colon);
	if (!verify(name, credentials.substr(colon + 1), credentials)) return Result::Rejected;

	user = name;
	return Result::Accepted;
}


} } // namespace fwdproxy::policy
