//
// Signals.cpp
//

#include "fwdproxy/app/Signals.h"

#include <Poco/Util/ServerApplication.h>

#ifndef _WIN32
#include <cerrno>
#include <csignal>
#include <pthread.h>
#endif


namespace fwdproxy {
namespace app {


#ifndef _WIN32


namespace {


sigset_t controlSignals()
{
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGQUIT);
	sigaddset(&signals, SIGHUP);
	return signals;
}


} // namespace


void blockControlSignals()
{
	sigset_t signals = controlSignals();
	pthread_sigmask(SIG_BLOCK, &signals, nullptr);
	std::signal(SIGPIPE, SIG_IGN);
}


ControlSignal waitForControlSignal()
{
	sigset_t signals = controlSignals();
	int received = 0;
	while (sigwait(&signals, &received) != 0)
	{
		// sigwait(3) fails only for an invalid set, which controlSignals() never builds.
	}
	return received == SIGHUP ? ControlSignal::Reload : ControlSignal::Stop;
}


#else


void blockControlSignals()
{
}


ControlSignal waitForControlSignal()
{
	// TODO: a Windows service has no SIGHUP; reloading needs a service control code.
	Poco::Util::ServerApplication::waitForTerminationRequest();
	return ControlSignal::Stop;
}


#endif


} } // namespace fwdproxy::app
