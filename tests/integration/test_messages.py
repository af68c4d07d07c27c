"""Message handling: trailers, pipelining, Max-Forwards, Via loops and connection management."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

CLIENT_TIMEOUT = 6.0
BODY_A = b"answer from origin A\n"
BODY_B = b"answer from origin B, a bit longer\n"

# Values that a TRACE echo must not reveal (RFC 9110 section 9.3.8).
SECRETS = {
    "Authorization": "Basic b3JpZ2luLXNlY3JldA==",
    "Cookie": "session=cookie-secret",
    "Proxy-Authorization": "Basic cHJveHktc2VjcmV0",
}


def via_entries(values):
    return [entry.strip() for value in values for entry in value.split(",") if entry.strip()]


def respond_once(response_bytes):
    """Return an origin script that reads one request, sends `response_bytes` and closes."""

    def script(conn, reader):
        request = fwdtest.read_request(reader)
        conn.sendall(response_bytes)
        return request

    return script


class TrailerTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.proxy = self.start_proxy()

    def test_response_trailers(self):
        # RFC 9110 section 6.5.1: framing and routing fields such as Content-Length
        # and Host must not be taken from a trailer section.
        body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\nContent-Length: 5\r\nHost: other.invalid\r\n\r\n"
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
        origin = self.start_server(fwdtest.ScriptedOrigin(respond_once(head + body)))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", origin.authority), ("TE", "trailers")]
        client.send(fwdtest.build_request("GET", origin.url("/trailers"), headers))

        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.framing, "chunked")
        self.assertEqual(response.body, b"hello world")
        self.assertEqual(fwdtest.header_values(response.trailers, "X-Checksum"), ["1"], response.trailer_lines)
        self.assertEqual(fwdtest.header_values(response.trailers, "Content-Length"), [], response.trailer_lines)
        self.assertEqual(fwdtest.header_values(response.trailers, "Host"), [], response.trailer_lines)

    def test_request_trailers(self):
        origin = self.start_origin()
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", origin.authority), ("Transfer-Encoding", "chunked")]
        body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\nContent-Length: 5\r\nHost: other.invalid\r\n\r\n"
        client.send(fwdtest.build_request("POST", origin.url("/upload"), headers, body))
        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))

        requests = origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        request = requests[0]
        self.assertEqual(request.tokens("Transfer-Encoding"), ["chunked"], request.header_lines)
        self.assertEqual(request.values("Content-Length"), [], request.header_lines)
        self.assertEqual(request.body, b"hello world")
        self.assertEqual(fwdtest.header_values(request.trailers, "X-Checksum"), ["1"], request.trailer_lines)
        self.assertEqual(fwdtest.header_values(request.trailers, "Content-Length"), [], request.trailer_lines)
        self.assertEqual(fwdtest.header_values(request.trailers, "Host"), [], request.trailer_lines)


class PipeliningTest(fwdtest.ProxyTestCase):
    def test_pipelined_two_origins(self):
        # RFC 9112 section 9.3.2: responses come back in request order, even when
        # the first one is the slowest.
        slow = fwdtest.Slow(piece_size=1000, pieces=3, interval=0.1)
        origin_a = self.start_origin(routes={"/slow": slow, "/first": fwdtest.Fixed(BODY_A)})
        origin_b = self.start_origin(routes={"/upload": fwdtest.Fixed(BODY_B)})
        proxy = self.start_proxy()
        client = self.connect(proxy, CLIENT_TIMEOUT)

        upload = b"pipelined upload\r\nGET / HTTP/1.1\r\n\r\n"
        post = fwdtest.build_request(
            "POST", origin_b.url("/upload"), [("Host", origin_b.authority), ("Content-Length", str(len(upload)))], upload
        )
        client.send(fwdtest.absolute_get(origin_a.url("/slow")) + post + fwdtest.absolute_get(origin_a.url("/first")))

        first = client.read_response()
        second = client.read_response()
        third = client.read_response()
        self.assertEqual(first.status, 200, repr(first))
        self.assertEqual(first.body, slow.body)
        self.assertEqual(second.status, 200, repr(second))
        self.assertEqual(second.body, BODY_B)
        self.assertEqual(third.status, 200, repr(third))
        self.assertEqual(third.body, BODY_A)

        self.assertEqual([r.request_line for r in origin_a.requests], ["GET /slow HTTP/1.1", "GET /first HTTP/1.1"])
        self.assertEqual([r.request_line for r in origin_b.requests], ["POST /upload HTTP/1.1"])
        self.assertEqual(origin_b.requests[0].body, upload)


class MaxForwardsTest(fwdtest.ProxyTestCase):
    # RFC 9110 section 7.6.2: an intermediary that receives TRACE or OPTIONS with
    # Max-Forwards: 0 responds itself, and otherwise forwards the value minus one.

    def setUp(self):
        self.origin = self.start_origin()
        self.proxy = self.start_proxy()

    def test_options_zero_not_forwarded(self):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", self.origin.authority), ("Max-Forwards", "0")]
        client.send(fwdtest.build_request("OPTIONS", self.origin.url("/"), headers))
        response = client.read_response("OPTIONS")

        self.assertEqual(response.status, 200, repr(response))
        allow = response.value("Allow")
        self.assertIsNotNone(allow, f"no Allow field: {response.header_lines}")
        self.assertTrue(allow.strip(), "empty Allow field")
        time.sleep(0.05)  # a late forward would show up here
        self.assertEqual(self.origin.connection_count, 0, "OPTIONS with Max-Forwards: 0 reached the origin")

    def test_trace_zero_not_forwarded(self):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", self.origin.authority), ("Max-Forwards", "0"), ("X-Trace-Marker", "visible")]
        headers += list(SECRETS.items())
        client.send(fwdtest.build_request("TRACE", self.origin.url("/trace"), headers))
        response = client.read_response("TRACE")

        self.assertEqual(response.status, 200, repr(response))
        content_type = response.value("Content-Type") or ""
        self.assertTrue(content_type.lower().startswith("message/http"), f"Content-Type is {content_type!r}")
        self.assertRegex(response.body, rb"^TRACE \S*/trace HTTP/1\.1\r?\n", "echo does not start with the request line")
        self.assertIn(b"X-Trace-Marker: visible", response.body)
        for name, value in SECRETS.items():
            self.assertNotIn(value.encode("latin-1"), response.body, f"TRACE echo reveals the {name} value")
        time.sleep(0.05)
        self.assertEqual(self.origin.connection_count, 0, "TRACE with Max-Forwards: 0 reached the origin")

    def test_options_decremented(self):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        headers = [("Host", self.origin.authority), ("Max-Forwards", "3")]
        client.send(fwdtest.build_request("OPTIONS", self.origin.url("/options"), headers))
        response = client.read_response("OPTIONS")
        self.assertEqual(response.status, 200, repr(response))

        requests = self.origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0].method, "OPTIONS")
        self.assertEqual(requests[0].values("Max-Forwards"), ["2"], requests[0].header_lines)


class LoopTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.origin = self.start_origin()
        # The thread cap and short response timeout bound the damage if the proxy keeps forwarding to itself.
        self.proxy = self.start_proxy({"proxy.threads.max": "16", "proxy.timeouts.response": "5"})

    def assert_loop_rejected(self, data):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(data)
        response = client.read_response()
        self.assert_error_response(response, 508, "forwarding_loop")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after 508")

    def test_via_own_pseudonym(self):
        # The proxy's own Via entry in a request means it already forwarded this request once.
        for via in ("1.1 fwdproxy", "1.0 cache, 1.1 fwdproxy"):
            with self.subTest(via=via):
                self.assert_loop_rejected(fwdtest.absolute_get(self.origin.url("/loop"), extra_headers=[("Via", via)]))
        time.sleep(0.05)
        self.assertEqual(self.origin.connection_count, 0, "a looping request reached the origin")

    def test_via_other_proxy(self):
        # "fwdproxy2" is another pseudonym, not this proxy's.
        for via in ("1.1 other", "1.1 fwdproxy2"):
            with self.subTest(via=via):
                client = self.connect(self.proxy, CLIENT_TIMEOUT)
                client.send(fwdtest.absolute_get(self.origin.url("/via"), extra_headers=[("Via", via)]))
                response = client.read_response()
                self.assertEqual(response.status, 200, repr(response))

                request = self.origin.requests[-1]
                entries = via_entries(request.values("Via"))
                self.assertEqual(entries[:-1], [via], f"Via at the origin: {entries}")
                self.assertRegex(entries[-1], r"^1\.1 fwdproxy(\s.*)?$")

    def test_own_address(self):
        self.assert_loop_rejected(fwdtest.absolute_get(f"{self.proxy.url}/self"))
        self.assert_logged(self.proxy, r"\s508\s.*\bforwarding_loop\s*$")


def respond_http10(conn, reader):
    """Origin script: respond to one request as an HTTP/1.0 server without keep-alive, then close."""
    request = fwdtest.read_request(reader)
    body = f"old origin path {request.path}\n".encode("ascii")
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    return request


class ConnectionTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.proxy = self.start_proxy()

    def assert_reused(self, client, origin, paths, body_of):
        """Send a GET for each of `paths` on `client` and check every response and that none closes."""
        for path in paths:
            client.send(fwdtest.absolute_get(origin.url(path)))
            response = client.read_response()
            self.assertEqual(response.status, 200, repr(response))
            self.assertEqual(response.body, body_of(path))
            self.assertNotEqual(response.framing, "close", f"{path}: close-delimited response to an HTTP/1.1 client")
            self.assertNotIn("close", response.tokens("Connection"), f"{path}: {response.header_lines}")

    def test_http10_origin(self):
        origin = self.start_server(fwdtest.ScriptedOrigin(respond_http10))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/one")))
        response = client.read_response()

        # RFC 9110 section 2.5: an intermediary sends its own HTTP version.
        self.assertEqual(response.version, "HTTP/1.1", response.status_line)
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, b"old origin path /one\n")
        self.assertNotIn("close", response.tokens("Connection"), response.header_lines)

        # The origin closed its connection, so the second request needs a new one.
        self.assert_reused(client, origin, ["/two"], lambda path: f"old origin path {path}\n".encode("ascii"))
        results = origin.wait_for_results(2)
        self.assertEqual([request.path for request in results], ["/one", "/two"])
        self.assertEqual(origin.connection_count, 2)

    def test_origin_close_with_length(self):
        body = b"closing origin, length\n"
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        script = respond_once(head + body)
        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        self.assert_reused(client, origin, ["/one", "/two"], lambda path: body)
        self.assertEqual(origin.connection_count, 2)

    def test_origin_close_delimited(self):
        # The proxy re-frames a close-delimited body as chunked for an HTTP/1.1 client, which keeps its connection usable.
        body = b"closing origin, no length\n"
        script = respond_once(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        self.assert_reused(client, origin, ["/one", "/two"], lambda path: body)
        self.assertEqual(origin.connection_count, 2)

    def test_client_close(self):
        # RFC 9112 section 9.6: after a "close" option the server closes after the
        # response, and should send "close" itself.
        origin = self.start_origin(routes={"/last": fwdtest.Fixed(BODY_A)})
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/last"), extra_headers=[("Connection", "close")]))
        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, BODY_A)
        self.assertIn("close", response.tokens("Connection"), response.header_lines)
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after Connection: close")


if __name__ == "__main__":
    fwdtest.main()
