//
// Authenticator.h
//
// Proxy authentication with the Basic scheme (RFC 9110 §11.7, RFC 7617)
// against a file of user names and password hashes.
//

#pragma once

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/policy/PasswordHash.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>


namespace fwdproxy {
namespace policy {


class Authenticator
	/// Shared by all connections. A verified credential is remembered for
	/// CACHE_LIFETIME as a keyed hash (never the password itself), so that the
	/// slow password hash is not paid on every request.
{
public:
	enum class Result
	{
		Accepted,
		Missing,   ///< No Proxy-Authorization with the Basic scheme.
		Rejected   ///< Malformed, unknown user or wrong password.
	};

	static const std::chrono::seconds CACHE_LIFETIME;

	static std::shared_ptr<Authenticator> load(const std::string& path, std::string& error);
		/// Reads "user:hash" lines; empty lines and lines starting with # are
		/// skipped. Returns nullptr with error naming the file, line and fault.

	Result check(const http::Fields& fields, std::string& user);
		/// Checks the request's Proxy-Authorization field. Sets user on Accepted.

	std::size_t userCount() const { return _users.size(); }

private:
	Authenticator();

	std::string cacheKey(const std::string& credentials) const;
	bool verify(const std::string& user, const std::string& password, const std::string& credentials);

	std::unordered_map<std::string, PasswordHash> _users;
	std::string _cacheSecret;

	std::mutex _mutex;
	std::unordered_map<std::string, std::chrono::steady_clock::time_point> _verified;
};


} } // namespace fwdproxy::policy
