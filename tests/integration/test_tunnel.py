"""CONNECT tunnels: curl through a tunnel, binary bytes both ways, half-close and port policy."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

PAGE_BODY = b"page through the tunnel\n"


def connect_request(authority):
    return fwdtest.build_request("CONNECT", authority, [("Host", authority)])


class TunnelTest(fwdtest.ProxyTestCase):
    def test_curl_proxytunnel(self):
        origin = self.start_origin(routes={"/tunneled": fwdtest.Fixed(PAGE_BODY)})
        proxy = self.start_proxy({"proxy.connect.ports": str(origin.port)})

        result = fwdtest.run_curl("-p", "-x", proxy.url, origin.url("/tunneled?x=1"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE_BODY)

        requests = origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0].request_line, "GET /tunneled?x=1 HTTP/1.1")
        # The tunnel carries bytes untouched, so the proxy adds no Via inside it.
        self.assertEqual(requests[0].values("Via"), [])
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 200)

    def test_binary_half_close(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        # The port list comes from the config file here, and uses a range.
        config = f"proxy.connect.ports = 443, {peer.port - 1}-{peer.port + 1}\n"
        proxy = self.start_proxy(config=config)

        client = self.connect(proxy)
        client.send(connect_request(peer.authority))
        response = client.read_response("CONNECT")
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.status_line, "HTTP/1.1 200 Connection established")

        greeting = client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING))
        self.assertEqual(greeting, fwdtest.TunnelPeer.GREETING)

        payload = bytes(range(256)) * 4096 + b"\r\n\r\n\x00"
        client.send(payload)
        client.sock.shutdown(socket.SHUT_WR)

        # The peer replies only after it has seen the half-close, so this checks
        # that the proxy passed the FIN on and kept the other direction open.
        reply = client.reader.read_to_eof()
        self.assertTrue(peer.half_closed.wait(fwdtest.IO_TIMEOUT), "peer never saw the client's half-close")
        self.assertEqual(len(peer.received), len(payload))
        self.assertEqual(peer.received, payload)
        self.assertEqual(len(reply), len(fwdtest.TunnelPeer.expected_reply(payload)))
        self.assertEqual(reply, fwdtest.TunnelPeer.expected_reply(payload))

    def test_idle_tunnel_closed(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy = self.start_proxy({"proxy.connect.ports": str(peer.port), "proxy.timeouts.tunnelIdle": "1"})

        client = self.connect(proxy, timeout=5)
        client.send(connect_request(peer.authority))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        self.assertEqual(client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING)), fwdtest.TunnelPeer.GREETING)

        # Nothing moves in either direction now, so the proxy must end the tunnel.
        started = time.monotonic()
        try:
            client.reader.read_to_eof()
        except socket.timeout:
            self.fail("idle tunnel stayed open 5 s with a 1 s tunnel idle timeout")
        except ConnectionResetError:
            pass
        self.assertGreaterEqual(time.monotonic() - started, 0.9, "tunnel closed before the idle timeout")

    def test_port_denied(self):
        origin = self.start_origin()
        proxy = self.start_proxy()

        client = self.connect(proxy)
        client.send(connect_request(origin.authority))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 403, "connect_port_denied", origin.authority)
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after an error")
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 403, "connect_port_denied")
        self.assertEqual(origin.connection_count, 0)

    def test_port_refused(self):
        port = fwdtest.closed_port()
        authority = f"{fwdtest.LOOPBACK}:{port}"
        proxy = self.start_proxy({"proxy.connect.ports": str(port)})

        client = self.connect(proxy)
        client.send(connect_request(authority))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 502, "connect_refused", authority)
        self.assert_access_logged(proxy, "CONNECT", authority, 502, "connect_refused")


if __name__ == "__main__":
    fwdtest.main()
