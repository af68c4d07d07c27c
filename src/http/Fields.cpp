//
// Fields.cpp
//

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/http/Syntax.h"

#include <algorithm>


namespace fwdproxy {
namespace http {


void Fields::add(std::string_view name, std::string_view value)
{
	_fields.push_back(Field{std::string(name), std::string(value)});
}


std::size_t Fields::count(std::string_view name) const
{
	return static_cast<std::size_t>(std::count_if(_fields.begin(), _fields.end(),
		[name](const Field& f) { return equalsIgnoreCase(f.name, name); }));
}


const std::string* Fields::find(std::string_view name) const
{
	for (const Field& f: _fields)
	{
		if (equalsIgnoreCase(f.name, name)) return &f.value;
	}
	return nullptr;
}


std::string Fields::combined(std::string_view name) const
{
	std::string result;
	for (const Field& f: _fields)
	{
		if (!equalsIgnoreCase(f.name, name)) continue;

		if (!result.empty()) result += ", ";
		result += f.value;
	}
	return result;
}


bool Fields::hasToken(std::string_view name, std::string_view token) const
{
	bool found = false;
	for (const Field& f: _fields)
	{
		if (!equalsIgnoreCase(f.name, name)) continue;

		forEachListItem(f.value, [&](std::string_view item) {
			if (equalsIgnoreCase(item, token)) found = true;
		});
	}
	return found;
}


void Fields::remove(std::string_view name)
{
	_fields.erase(std::remove_if(_fields.begin(), _fields.end(),
		[name](const Field& f) { return equalsIgnoreCase(f.name, name); }), _fields.end());
}


void Fields::serialize(std::string& out) const
{
	for (const Field& f: _fields)
	{
		out += f.name;
		out += ": ";
		out += f.value;
		out += "\r\n";
	}
}


} } // namespace fwdproxy::http
