//
// DaemonCheck.cpp
//

#include "fwdproxy/app/DaemonCheck.h"

#include <cstring>
#include <string>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#endif


namespace fwdproxy {
namespace app {


#ifndef _WIN32


namespace {


bool startsWith(const char* text, const char* prefix)
{
	return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}


} // namespace


int checkBeforeDaemon(int argc, char** argv)
{
	std::vector<std::string> arguments;
	bool daemon = false;
	for (int i = 1; i < argc; ++i)
	{
		if (std::strcmp(argv[i], "--daemon") == 0)
		{
			daemon = true;
			continue;
		}
		// The check must not write the pidfile; --umask stays, so a bad mask is caught too.
		if (std::strcmp(argv[i], "--pidfile") == 0)
		{
			++i;
			continue;
		}
		if (startsWith(argv[i], "--pidfile=")) continue;

		arguments.emplace_back(argv[i]);
	}
	if (!daemon) return 0;

	arguments.emplace_back("--check-config");
	std::vector<char*> childArgv;
	childArgv.push_back(argv[0]);
	for (std::string& argument: arguments) childArgv.push_back(&argument[0]);
	childArgv.push_back(nullptr);

	pid_t child = ::fork();
	if (child < 0) return 71;
	if (child == 0)
	{
		// The check's "configuration valid" line is noise before a daemon starts.
		int null = ::open("/dev/null", O_WRONLY);
		if (null >= 0) ::dup2(null, STDOUT_FILENO);
		::execv("/proc/self/exe", childArgv.data());
		::execvp(argv[0], childArgv.data());
		::_exit(127);
	}

	int status = 0;
	while (::waitpid(child, &status, 0) < 0)
	{
		// Interrupted by a signal; the child is still running.
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}


#else


int checkBeforeDaemon(int, char**)
{
	return 0;
}


#endif


} } // namespace fwdproxy::app
