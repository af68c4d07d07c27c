//
// DaemonCheck.h
//
// Checks the configuration before --daemon detaches. POCO forks before it
// reads the configuration, so without this check a daemon with a broken
// configuration would report success and then exit with its errors on /dev/null.
//

#pragma once


namespace fwdproxy {
namespace app {


int checkBeforeDaemon(int argc, char** argv);
	/// Returns 0 when argv has no --daemon or when the same command line with
	/// --check-config (and without --daemon, --pidfile and --umask) exits 0;
	/// otherwise returns that exit status. The check's messages go to stderr.


} } // namespace fwdproxy::app
