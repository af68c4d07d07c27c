//
// Masking.cpp
//

#include "fwdproxy/observe/Masking.h"
#include "fwdproxy/http/Syntax.h"


namespace fwdproxy {
namespace observe {


bool isSecretField(std::string_view name)
{
	return http::equalsIgnoreCase(name, "Authorization") || http::equalsIgnoreCase(name, "Proxy-Authorization")
		|| http::equalsIgnoreCase(name, "Cookie") || http::equalsIgnoreCase(name, "Set-Cookie");
}


std::string maskedValue(std::size_t length)
{
	return "<masked " + std::to_string(length) + (length == 1 ? " byte>" : " bytes>");
}


std::string shownValue(std::string_view name, std::string_view value, bool showSecrets)
{
	if (!showSecrets && isSecretField(name)) return maskedValue(value.size());
	return std::string(value);
}


} } // namespace fwdproxy::observe
