//
// Tunnel.cpp
//

#include "fwdproxy/relay/Tunnel.h"
#include "fwdproxy/io/SocketShutdown.h"
#include "fwdproxy/io/SocketWait.h"
#include "fwdproxy/io/SplicePipe.h"

#include <Poco/Exception.h>

#include <cerrno>
#include <cstring>
#include <vector>

#ifdef _WIN32
#include <winsock2.h>
#define poll WSAPoll
#else
#include <poll.h>
#endif


using Poco::Net::StreamSocket;


namespace fwdproxy {
namespace relay {


namespace {


const std::size_t BUFFER_SIZE = 64 * 1024;


struct Direction
{
	Direction(StreamSocket& source, StreamSocket& destination, std::uint64_t& counter, bool spliceable):
		from(source),
		to(destination),
		bytes(counter),
		splice(spliceable)
	{
	}

	StreamSocket& from;
	StreamSocket& to;
	std::uint64_t& bytes;
	bool splice;                  ///< Both sockets are plain TCP, so splice(2) can move the bytes.
	Direction* reverse = nullptr;
	bool open = true;
	io::SplicePipe pipe;
};


void endDirection(Direction& direction)
{
	direction.open = false;
	try
	{
		io::shutdownSending(direction.to);
	}
	catch (const Poco::Exception&)
	{
		// The other side is already gone; the loop ends when its read fails too.
	}

	// Ending a TLS socket's sending half closed it both ways, so nothing more
	// can be read from it, and the reverse direction ends here as well.
	Direction& reverse = *direction.reverse;
	if (direction.to.secure() && reverse.open) endDirection(reverse);
}


// Moves one read's worth from one side to the other. A blocking send is
// enough here: a peer that stops reading stalls only its own tunnel, and the
// send timeout set by the caller bounds that.
void pump(Direction& direction, std::vector<char>& buffer)
{
	if (direction.splice)
	{
		io::SplicePipe::Moved moved = direction.pipe.move(direction.from.impl()->sockfd(), direction.to.impl()->sockfd(),
			BUFFER_SIZE);
		if (moved.failure != io::SplicePipe::Failure::None) throw Poco::IOException("splice failed");
		if (moved.closed) endDirection(direction);
		direction.bytes += moved.bytes;
		return;
	}

	int n = direction.from.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
	if (n <= 0)
	{
		endDirection(direction);
		return;
	}

	direction.to.sendBytes(buffer.data(), n);
	direction.bytes += static_cast<std::uint64_t>(n);
}


} // namespace


TunnelResult runTunnel(StreamSocket& client, StreamSocket& server, std::string_view clientPending,
	std::chrono::milliseconds idleTimeout)
{
	TunnelResult result;
	bool splice = io::SplicePipe::supported() && !client.secure() && !server.secure();
	std::vector<char> buffer(splice ? 0 : BUFFER_SIZE);
	Direction up(client, server, result.clientToServer, splice);
	Direction down(server, client, result.serverToClient, splice);
	up.reverse = &down;
	down.reverse = &up;
	int timeout = static_cast<int>(idleTimeout.count());

	try
	{
		if (!clientPending.empty())
		{
			server.sendBytes(clientPending.data(), static_cast<int>(clientPending.size()));
			result.clientToServer += clientPending.size();
		}

		while (up.open || down.open)
		{
			pollfd fds[2]{};
			fds[0].fd = up.open ? client.impl()->sockfd() : -1;
			fds[0].events = POLLIN;
			fds[1].fd = down.open ? server.impl()->sockfd() : -1;
			fds[1].events = POLLIN;

			// Decrypted bytes waiting in a TLS library are invisible to poll(2).
			bool upBuffered = up.open && io::hasBufferedTlsBytes(client);
			bool downBuffered = down.open && io::hasBufferedTlsBytes(server);
			int rc = ::poll(fds, 2, upBuffered || downBuffered ? 0 : timeout);
			if (rc < 0 && errno == EINTR) continue;
			if (rc < 0) throw Poco::IOException("poll failed", std::strerror(errno));
			if (rc == 0 && !upBuffered && !downBuffered)
			{
				result.idleTimeout = true;
				break;
			}

			if (up.open && (upBuffered || fds[0].revents != 0)) pump(up, buffer);
			if (down.open && (downBuffered || fds[1].revents != 0)) pump(down, buffer);
		}
	}
	catch (const Poco::Exception&)
	{
		// Reported through the result; the caller logs it once with the target.
		result.error = true;
	}
	return result;
}


} } // namespace fwdproxy::relay
