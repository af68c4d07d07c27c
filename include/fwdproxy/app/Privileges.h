//
// Privileges.h
//
// Switches the process to an unprivileged user after the listening sockets
// are bound, so that a started-as-root proxy does not serve clients as root.
//

#pragma once

#include <string>


namespace fwdproxy {
namespace app {


enum class PrivilegeChange
{
	Unchanged,   ///< No user or group was configured.
	Dropped,
	NotRoot,     ///< Configured, but the process is not root and cannot switch.
	Failed       ///< error gives the reason, and the caller must not go on serving.
};


PrivilegeChange dropPrivileges(const std::string& user, const std::string& group, std::string& error);
	/// Sets the group (or the user's primary group), the supplementary groups
	/// and then the user, and checks that root cannot be regained.


} } // namespace fwdproxy::app
