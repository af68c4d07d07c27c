//
// Masking.h
//
// Hides credentials and cookies in the trace and the HAR file.
//

#pragma once

#include <cstddef>
#include <string>
#include <string_view>


namespace fwdproxy {
namespace observe {


bool isSecretField(std::string_view name);
	/// Returns true for Authorization, Proxy-Authorization, Cookie and
	/// Set-Cookie (compared without case): the fields whose values are
	/// credentials or session tokens.

std::string maskedValue(std::size_t length);
	/// Returns "<masked N bytes>", which keeps the length of a hidden value visible.

std::string shownValue(std::string_view name, std::string_view value, bool showSecrets);
	/// Returns value, or maskedValue() of its length when name is a secret
	/// field and showSecrets is false.


} } // namespace fwdproxy::observe
