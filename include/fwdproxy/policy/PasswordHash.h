//
// PasswordHash.h
//
// Salted PBKDF2-HMAC-SHA256 password hashes, written as
// $pbkdf2-sha256$ITERATIONS$SALT$DIGEST with SALT and DIGEST in base64.
//

#pragma once

#include <string>


namespace fwdproxy {
namespace policy {


struct PasswordHash
{
	static const unsigned DEFAULT_ITERATIONS = 200000;
	static const unsigned MIN_ITERATIONS = 1000;

	unsigned iterations = DEFAULT_ITERATIONS;
	std::string salt;     ///< Raw bytes.
	std::string digest;   ///< Raw bytes, 32 of them.

	static bool parse(const std::string& text, PasswordHash& hash);
		/// Reads the text form. Returns false when it is not that form, has
		/// fewer than MIN_ITERATIONS, or a salt shorter than 8 bytes.

	static PasswordHash create(const std::string& password, unsigned iterations);
		/// Hashes password with a new random 16-byte salt from the system's random source.

	std::string toString() const;

	bool verify(const std::string& password) const;
		/// Hashes password with this salt and compares in constant time.
};


std::string pbkdf2Sha256(const std::string& password, const std::string& salt, unsigned iterations);

bool decodeBase64(const std::string& text, std::string& bytes);
	/// Decodes standard base64 (RFC 4648 §4). Returns false on bytes outside its alphabet.
std::string encodeBase64(const std::string& bytes);
	/// Returns bytes in base64 (RFC 4648) on one line, as HTTP fields carry it.

bool equalsConstantTime(const std::string& a, const std::string& b);
	/// Compares without stopping at the first difference, so the time taken
	/// does not tell an attacker how much of a guess was right.


} } // namespace fwdproxy::policy
