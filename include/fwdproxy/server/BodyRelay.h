//
// BodyRelay.h
//
// Copies a message body from one peer to another, removing the chunked
// coding on the way in and applying the framing the receiver needs.
//

#pragma once

#include "fwdproxy/http/Fields.h"
#include "fwdproxy/http/Framing.h"
#include "fwdproxy/observe/BodyCapture.h"
#include "fwdproxy/server/Peer.h"

#include <cstdint>


namespace fwdproxy {
namespace server {


enum class RelayStatus
{
	Complete,
	SourceClosed,       ///< The sender closed before the body was complete.
	SourceTimedOut,
	SourceInvalid,      ///< Bad chunked framing from the sender.
	TooLarge,           ///< The body passed the size limit; the rest was not relayed.
	DestinationFailed   ///< The receiver reset or stopped reading.
};


struct RelayResult
{
	RelayStatus status = RelayStatus::Complete;
	std::uint64_t bodyBytes = 0;   ///< Body bytes received from the source, without framing.
};


RelayResult relayBody(Peer& source, const http::BodyFraming& framing, Peer& destination, bool chunkedOutput,
	int timeoutMilliseconds, std::uint64_t maxBodyBytes = 0, observe::BodyCapture* capture = nullptr);
	/// Relays one body framed as framing. With chunkedOutput the receiver gets
	/// the chunked coding (with the sender's trailer fields, if any, minus
	/// the forbidden ones); otherwise the raw data, framed by the
	/// Content-Length already sent or by closing the connection afterwards.
	/// On SourceClosed the chunked output is left unterminated, so the
	/// receiver sees an incomplete message rather than a short one, and the
	/// same holds for TooLarge, checked against maxBodyBytes (0: no limit).
	/// A capture, when given, gets a copy of the body's first bytes up to
	/// its limit; splice(2), which bypasses the copy, waits until it is full.


} } // namespace fwdproxy::server
