"""Protocol switching with Upgrade and 101 (Switching Protocols) over http:// requests."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

CLIENT_TIMEOUT = 6.0
ORIGIN_CLOSE_TIMEOUT = 5.0

SWITCH_HEAD = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
# A WebSocket text frame with "hello", sent in the same write as the 101 head,
# so a proxy that parses past the head or drops its read buffer loses it.
EARLY_BYTES = b"\x81\x05hello"
FAREWELL = b"origin saw the half-close\n"
# Payloads that look like HTTP, so any parsing after the switch shows.
PAYLOADS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(range(256)),
    fwdtest.generated_body(200 * 1024, b"upgrade"),
]


def echo_after_switch(conn, reader):
    """Origin script: respond to an Upgrade request with 101 and early bytes, then echo until the half-close.

    A request without Upgrade: websocket and a Connection field naming upgrade
    gets 400 instead. Returns (RecordedRequest, bytes echoed).
    """
    request = fwdtest.read_request(reader)
    if request.tokens("Upgrade") != ["websocket"] or "upgrade" not in request.tokens("Connection"):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nno upgrade\n")
        return request, None

    conn.sendall(SWITCH_HEAD + EARLY_BYTES)
    echoed = bytearray()
    pending = bytes(reader.buffer)  # bytes the proxy sent right after the head
    reader.buffer.clear()
    while True:
        if pending:
            conn.sendall(pending)
            echoed += pending
        pending = conn.recv(65536)
        if not pending:
            break
    conn.sendall(FAREWELL)
    return request, bytes(echoed)


class UpgradeTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.proxy = self.start_proxy()

    def test_websocket_switch(self):
        origin = self.start_server(fwdtest.ScriptedOrigin(echo_after_switch))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [
            ("Host", origin.authority),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("Sec-WebSocket-Version", "13"),
        ]
        client.send(fwdtest.build_request("GET", origin.url("/socket"), headers))

        # RFC 9110 section 7.8: the 101 names the new protocol in Upgrade, and Connection names Upgrade.
        head = client.reader.read_head()
        self.assertIsNotNone(head, "connection closed before the 101 response")
        lines = head.decode("latin-1").split("\r\n")
        fields = fwdtest.parse_header_lines(lines[1:])
        self.assertRegex(lines[0], r"^HTTP/1\.1 101 ", f"response head: {lines}")
        self.assertEqual(fwdtest.header_tokens(fields, "Upgrade"), ["websocket"], lines)
        self.assertIn("upgrade", fwdtest.header_tokens(fields, "Connection"), lines)
        self.assertEqual(client.reader.read_exact(len(EARLY_BYTES)), EARLY_BYTES, "early bytes after the 101 head")

        for payload in PAYLOADS:
            client.send(payload)
            self.assertEqual(client.reader.read_exact(len(payload)), payload, "echo through the switched connection")

        # The origin sends FAREWELL only after it reads end of stream, so the half-close must pass through.
        client.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(client.reader.read_to_eof(), FAREWELL)

        results = origin.wait_for_results(1)
        self.assertEqual(origin.errors, [])
        self.assertEqual(len(results), 1)
        request, echoed = results[0]
        self.assertEqual(request.tokens("Upgrade"), ["websocket"], request.header_lines)
        self.assertIn("upgrade", request.tokens("Connection"), request.header_lines)
        self.assertEqual(request.values("Sec-WebSocket-Key"), ["dGhlIHNhbXBsZSBub25jZQ=="])
        self.assertEqual(echoed, b"".join(PAYLOADS))

    def test_upgrade_dropped_http10(self):
        # RFC 9110 section 7.8: a server must ignore Upgrade in an HTTP/1.0 request, so the proxy removes it.
        origin = self.start_origin()
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", origin.authority), ("Upgrade", "websocket"), ("Connection", "Upgrade")]
        client.send(fwdtest.build_request("GET", origin.url("/old"), headers, version="HTTP/1.0"))
        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))

        requests = origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0].values("Upgrade"), [], requests[0].header_lines)
        self.assertNotIn("upgrade", requests[0].tokens("Connection"), requests[0].header_lines)

    def test_unrequested_switch(self):
        # RFC 9110 section 15.2.2: a server must not switch to a protocol the client did not offer in Upgrade.
        def script(conn, reader):
            fwdtest.read_request(reader)
            conn.sendall(SWITCH_HEAD + EARLY_BYTES)
            return fwdtest.wait_peer_closed(reader, ORIGIN_CLOSE_TIMEOUT)

        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/plain")))

        response = client.read_response()
        self.assert_error_response(response, 502, "bad_response")
        self.assertTrue(client.wait_closed(), "proxy kept the client connection open after 502")
        results = origin.wait_for_results(1, ORIGIN_CLOSE_TIMEOUT + 1)
        self.assertEqual(origin.errors, [])
        self.assertEqual(results, [True], "proxy kept the origin connection open after the 101")


if __name__ == "__main__":
    fwdtest.main()
