//
// Signals.h
//
// Signal handling for the main thread: termination signals and SIGHUP are
// blocked in every thread and taken by one sigwait(3) in the main thread,
// so no worker thread is ever interrupted or killed by them.
//

#pragma once


namespace fwdproxy {
namespace app {


enum class ControlSignal
{
	Stop,     ///< SIGINT, SIGTERM or SIGQUIT (on Windows, the termination request).
	Reload    ///< SIGHUP.
};


void blockControlSignals();
	/// Blocks the control signals in the calling thread and every thread it
	/// creates later; call it before any thread starts. Ignores SIGPIPE, so a
	/// peer that resets during a send gives an error instead of ending the process.

ControlSignal waitForControlSignal();


} } // namespace fwdproxy::app
