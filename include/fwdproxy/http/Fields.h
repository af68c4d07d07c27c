//
// Fields.h
//
// An ordered list of header or trailer fields, as received.
//

#pragma once

#include <string>
#include <string_view>
#include <vector>


namespace fwdproxy {
namespace http {


struct Field
{
	std::string name;
	std::string value;
};


class Fields
	/// Keeps field order and repeated fields, because a proxy must forward
	/// them as received (RFC 9110 §5.3). Name lookups ignore case.
{
public:
	void add(std::string_view name, std::string_view value);

	std::size_t count(std::string_view name) const;

	const std::string* find(std::string_view name) const;
		/// Returns the first value of the field, or nullptr.

	std::string combined(std::string_view name) const;
		/// Returns all values of the field joined with ", " (RFC 9110 §5.3).

	bool hasToken(std::string_view name, std::string_view token) const;
		/// Returns true when a comma-separated list field contains token, ignoring case.

	void remove(std::string_view name);

	void serialize(std::string& out) const;
		/// Appends "name: value\r\n" for each field.

	const std::vector<Field>& list() const { return _fields; }
	std::vector<Field>& list() { return _fields; }
	bool empty() const { return _fields.empty(); }
	void clear() { _fields.clear(); }

private:
	std::vector<Field> _fields;
};


} } // namespace fwdproxy::http
