//
// PasswordHash.cpp
//

#include "fwdproxy/policy/PasswordHash.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/PBKDF2Engine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StringTokenizer.h>

#include <sstream>


namespace fwdproxy {
namespace policy {


namespace {


// HMACEngine needs the block and digest sizes as constants, which
// Poco::SHA2Engine does not define in POCO 1.11.
class Sha256Engine: public Poco::SHA2Engine
{
public:
	enum
	{
		BLOCK_SIZE = 64,
		DIGEST_SIZE = 32
	};

	Sha256Engine(): Poco::SHA2Engine(Poco::SHA2Engine::SHA_256) {}
};


const char* const PREFIX = "$pbkdf2-sha256$";


} // namespace


bool decodeBase64(const std::string& text, std::string& bytes)
{
	// Poco's decoder skips some bytes outside the alphabet, so they are refused first.
	if (text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != std::string::npos)
	{
		return false;
	}

	try
	{
		std::istringstream in(text);
		Poco::Base64Decoder decoder(in);
		std::ostringstream out;
		out << decoder.rdbuf();
		bytes = out.str();
		return true;
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
}


std::string encodeBase64(const std::string& bytes)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder.rdbuf()->setLineLength(0);
	encoder << bytes;
	encoder.close();
	return out.str();
}


std::string pbkdf2Sha256(const std::string& password, const std::string& salt, unsigned iterations)
{
	Poco::PBKDF2Engine<Poco::HMACEngine<Sha256Engine>> engine(salt, iterations, 32);
	engine.update(password);
	const Poco::DigestEngine::Digest& digest = engine.digest();
	return std::string(digest.begin(), digest.end());
}


bool equalsConstantTime(const std::string& a, const std::string& b)
{
	if (a.size() != b.size()) return false;

	unsigned char difference = 0;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		difference |= static_cast<unsigned char>(a[i] ^ b[i]);
	}
	return difference == 0;
}


bool PasswordHash::parse(const std::string& text, PasswordHash& hash)
{
	if (text.compare(0, std::string(PREFIX).size(), PREFIX) != 0) return false;

	Poco::StringTokenizer parts(text.substr(std::string(PREFIX).size()), "$");
	if (parts.count() != 3) return false;

	std::string iterations = parts[0];
	if (iterations.empty() || iterations.size() > 9 || iterations.find_first_not_of("0123456789") != std::string::npos)
	{
		return false;
	}
	hash.iterations = static_cast<unsigned>(std::stoul(iterations));
	if (hash.iterations < MIN_ITERATIONS) return false;

	if (!decodeBase64(parts[1], hash.salt) || hash.salt.size() < 8) return false;
	return decodeBase64(parts[2], hash.digest) && hash.digest.size() == 32;
}


PasswordHash PasswordHash::create(const std::string& password, unsigned iterations)
{
	PasswordHash hash;
	hash.iterations = iterations;
	hash.salt.resize(16);
	Poco::RandomInputStream random;
	random.read(&hash.salt[0], static_cast<std::streamsize>(hash.salt.size()));
	hash.digest = pbkdf2Sha256(password, hash.salt, iterations);
	return hash;
}


std::string PasswordHash::toString() const
{
	return PREFIX + std::to_string(iterations) + "$" + encodeBase64(salt) + "$" + encodeBase64(digest);
}


bool PasswordHash::verify(const std::string& password) const
{
	return equalsConstantTime(pbkdf2Sha256(password, salt, iterations), digest);
}


} } // namespace fwdproxy::policy
