//
// Privileges.cpp
//

#include "fwdproxy/app/Privileges.h"

#ifndef _WIN32
#include <cerrno>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#endif


namespace fwdproxy {
namespace app {


#ifndef _WIN32


PrivilegeChange dropPrivileges(const std::string& user, const std::string& group, std::string& error)
{
	if (user.empty() && group.empty()) return PrivilegeChange::Unchanged;
	if (::geteuid() != 0) return PrivilegeChange::NotRoot;

	passwd* account = user.empty() ? nullptr : ::getpwnam(user.c_str());
	if (!user.empty() && account == nullptr)
	{
		error = "proxy.user: user '" + user + "' not found";
		return PrivilegeChange::Failed;
	}

	gid_t gid = account != nullptr ? account->pw_gid : ::getegid();
	if (!group.empty())
	{
		struct group* entry = ::getgrnam(group.c_str());
		if (entry == nullptr)
		{
			error = "proxy.group: group '" + group + "' not found";
			return PrivilegeChange::Failed;
		}
		gid = entry->gr_gid;
	}

	// Groups first: once the user has changed, the group can no longer be set.
	int groupsResult = account != nullptr ? ::initgroups(account->pw_name, gid) : ::setgroups(1, &gid);
	if (groupsResult != 0 || ::setgid(gid) != 0)
	{
		error = std::string("cannot change group: ") + std::strerror(errno);
		return PrivilegeChange::Failed;
	}
	if (account != nullptr && ::setuid(account->pw_uid) != 0)
	{
		error = std::string("cannot change user: ") + std::strerror(errno);
		return PrivilegeChange::Failed;
	}
	if (account != nullptr && account->pw_uid != 0 && ::setuid(0) == 0)
	{
		error = "root privileges could be regained after the user change";
		return PrivilegeChange::Failed;
	}
	return PrivilegeChange::Dropped;
}


#else


PrivilegeChange dropPrivileges(const std::string& user, const std::string& group, std::string&)
{
	// A Windows service gets its account from the service manager.
	return user.empty() && group.empty() ? PrivilegeChange::Unchanged : PrivilegeChange::NotRoot;
}


#endif


} } // namespace fwdproxy::app
