//
// Reason.h
//
// Stable reason codes for every refusal and failure, with the status each maps to.
//

#pragma once

#include <string>


namespace fwdproxy {
namespace http {


enum class Reason
	/// Why an exchange ended without the origin's response. The code string
	/// appears in the access log and the X-Fwdproxy-Error field, so it never changes.
{
	None,
	ClientDenied,
	AuthRequired,
	HostDenied,
	BodyTooLarge,
	TooManyConnections,
	ClientConnectionLimit,
	ConnectPortDenied,
	DestinationDenied,
	BadRequest,
	OriginFormTarget,
	UnsupportedScheme,
	UnsupportedMethod,
	BadFraming,
	UnknownCoding,
	HeadTooLarge,
	TargetTooLong,
	HeaderTimeout,
	BodyTimeout,
	ClientAborted,
	VersionNotSupported,
	DnsFailure,
	ConnectRefused,
	ConnectFailed,
	ConnectTimeout,
	ResponseTimeout,
	BadResponse,
	ParentFailed,
	ForwardingLoop,
	MaxForwardsReached
};


const char* reasonCode(Reason reason);
	/// Returns the snake_case code, such as "client_denied".

int reasonStatus(Reason reason);
	/// Returns the HTTP status sent to the client for this reason.

const char* reasonText(Reason reason);
	/// Returns a short English sentence for the plain-text error body.


} } // namespace fwdproxy::http
