"""Interim (1xx) responses: Expect: 100-continue, 103 Early Hints and several 1xx in a row."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

CLIENT_TIMEOUT = 6.0
UPLOAD = fwdtest.generated_body(256 * 1024, b"expect")
FINAL_BODY = b"final response body\n"


def response_bytes(status, reason, body, headers=()):
    """Return a complete response with a Content-Length body."""
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", *(f"{n}: {v}" for n, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def read_interim(test, client):
    """Read one response head that must be interim (1xx) and return (status line, fields)."""
    head = client.reader.read_head()
    test.assertIsNotNone(head, "connection closed before an interim response")
    lines = head.decode("latin-1").split("\r\n")
    test.assertRegex(lines[0], r"^HTTP/1\.1 1\d\d ", f"expected an interim response, got {lines}")
    return lines[0], fwdtest.parse_header_lines(lines[1:])


class ExpectContinueTest(fwdtest.ProxyTestCase):
    def upload_head(self, url, authority, length):
        """Return the head of a POST with Expect: 100-continue and a body of `length` bytes."""
        headers = [("Host", authority), ("Content-Length", str(length)), ("Expect", "100-continue")]
        return fwdtest.build_request("POST", url, headers)

    def test_continue_relayed(self):
        # The origin sends 100 before it reads the body. The client waits for
        # that 100, so the exchange only finishes if the proxy relays it.
        def script(conn, reader):
            request = fwdtest.read_request(reader, with_body=False)
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            fwdtest.read_request_body(reader, request)
            conn.sendall(response_bytes(200, "OK", FINAL_BODY))
            return request

        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        # Far above the time the exchange takes, so a fast exchange shows the 100 came from the origin.
        proxy = self.start_proxy({"proxy.timeouts.expectContinue": "5"})
        client = self.connect(proxy, CLIENT_TIMEOUT)

        started = time.monotonic()
        client.send(self.upload_head(origin.url("/upload"), origin.authority, len(UPLOAD)))
        try:
            status_line, _ = read_interim(self, client)
        except socket.timeout:
            self.fail(f"no 100 Continue reached the client within {CLIENT_TIMEOUT} s")
        self.assertRegex(status_line, r"^HTTP/1\.1 100 ")
        client.send(UPLOAD)
        response = client.read_response()
        elapsed = time.monotonic() - started

        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, FINAL_BODY)
        self.assertLess(elapsed, 3.0, "exchange took as long as the proxy's expectContinue wait")
        results = origin.wait_for_results(1)
        self.assertEqual(origin.errors, [])
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0].tokens("Expect"), ["100-continue"], results[0].header_lines)
        self.assertEqual(len(results[0].body), len(UPLOAD))
        self.assertEqual(results[0].body, UPLOAD)

    def test_continue_never_sent(self):
        # The origin waits for the body without sending 100. The proxy must send
        # the body once proxy.timeouts.expectContinue has passed.
        def script(conn, reader):
            request = fwdtest.read_request(reader, with_body=False)
            head_time = time.monotonic()
            fwdtest.read_request_body(reader, request)
            body_time = time.monotonic()
            conn.sendall(response_bytes(200, "OK", FINAL_BODY))
            return request, head_time, body_time

        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        proxy = self.start_proxy({"proxy.timeouts.expectContinue": "0.5"})
        client = self.connect(proxy, CLIENT_TIMEOUT)

        started = time.monotonic()
        # The client does not wait for 100, which RFC 9110 section 10.1.1 allows.
        client.send(self.upload_head(origin.url("/upload"), origin.authority, len(UPLOAD)) + UPLOAD)
        response = client.read_response()
        elapsed = time.monotonic() - started

        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, FINAL_BODY)
        self.assertLess(elapsed, 3.0, "exchange not finished soon after the 0.5 s expectContinue wait")
        results = origin.wait_for_results(1)
        self.assertEqual(origin.errors, [])
        self.assertEqual(len(results), 1)
        request, head_time, body_time = results[0]
        self.assertEqual(request.body, UPLOAD)

        # The origin gets the whole wait to reject the upload only if the head
        # reaches it at once. Loopback delivery takes well under 0.15 s.
        head_delay = head_time - started
        self.assertLess(head_delay, 0.15, f"request head reached the origin {head_delay:.3f} s after the client sent it")
        body_delay = body_time - head_time
        self.assertGreaterEqual(body_delay, 0.4, f"proxy sent the body {body_delay:.3f} s after the head, not 0.5 s")

    def test_final_before_body(self):
        # The origin rejects the upload with 401 before reading the body, then
        # reads and discards the body so that its own connection stays usable.
        # The client sends the body anyway. That body is a complete request, and
        # the proxy must never parse it as the next request on the connection.
        seen = []

        def script(conn, reader):
            while True:
                request = fwdtest.read_request(reader, with_body=False)
                if request is None:
                    return None
                seen.append(request.path)
                if request.path == "/login":
                    conn.sendall(response_bytes(401, "Unauthorized", b"login required\n"))
                    fwdtest.read_request_body(reader, request)
                    continue
                fwdtest.read_request_body(reader, request)
                conn.sendall(response_bytes(200, "OK", f"path {request.path}\n".encode("ascii")))

        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        proxy = self.start_proxy()
        client = self.connect(proxy, CLIENT_TIMEOUT)

        stray_body = fwdtest.absolute_get(origin.url("/smuggled"))
        client.send(self.upload_head(origin.url("/login"), origin.authority, len(stray_body)))
        response = client.read_response()
        self.assertEqual(response.status, 401, repr(response))
        self.assertEqual(response.body, b"login required\n")

        closed = False
        try:
            client.send(stray_body + fwdtest.absolute_get(origin.url("/second")))
            following = client.read_response()
        except (fwdtest.IncompleteMessage, BrokenPipeError, ConnectionResetError):
            closed = True  # the proxy closed the connection after the 401, which keeps it in sync
        if not closed:
            self.assertEqual(following.status, 200, repr(following))
            self.assertEqual(following.body, b"path /second\n", "the stray body was handled as a request")
        time.sleep(0.1)  # a late forward of the stray request would show up here
        self.assertNotIn("/smuggled", seen, "the stray body reached the origin as a request")


class EarlyHintsTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.proxy = self.start_proxy()

    def start_hinting_origin(self, interim_heads):
        """Start an origin that sends each of `interim_heads`, then 200 with FINAL_BODY."""

        def script(conn, reader):
            request = fwdtest.read_request(reader)
            for head in interim_heads:
                conn.sendall(head)
                time.sleep(0.05)  # separate writes, so the proxy reads each head on its own
            conn.sendall(response_bytes(200, "OK", FINAL_BODY))
            return request

        return self.start_server(fwdtest.ScriptedOrigin(script))

    def test_early_hints_http11(self):
        origin = self.start_hinting_origin([b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"])
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/hints")))

        # RFC 9110 section 15.2: a proxy forwards 1xx responses.
        status_line, fields = read_interim(self, client)
        self.assertRegex(status_line, r"^HTTP/1\.1 103 ")
        self.assertEqual(fwdtest.header_values(fields, "Link"), ["</style.css>; rel=preload"])

        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.interim, [], "more interim responses than the origin sent")
        self.assertEqual(response.body, FINAL_BODY)

    def test_early_hints_http10(self):
        # RFC 9110 section 15.2: a server must not send a 1xx response to an HTTP/1.0 client.
        origin = self.start_hinting_origin([b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"])
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/hints"), version="HTTP/1.0"))

        response = client.read_response()
        self.assertEqual(response.interim, [], "an interim response reached an HTTP/1.0 client")
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, FINAL_BODY)

    def test_two_interim_responses(self):
        origin = self.start_hinting_origin(
            [
                b"HTTP/1.1 102 Processing\r\n\r\n",
                b"HTTP/1.1 103 Early Hints\r\nLink: </script.js>; rel=preload\r\n\r\n",
            ]
        )
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/hints")))

        first_line, _ = read_interim(self, client)
        second_line, second_fields = read_interim(self, client)
        self.assertRegex(first_line, r"^HTTP/1\.1 102 ")
        self.assertRegex(second_line, r"^HTTP/1\.1 103 ")
        self.assertEqual(fwdtest.header_values(second_fields, "Link"), ["</script.js>; rel=preload"])

        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.interim, [])
        self.assertEqual(response.body, FINAL_BODY)


if __name__ == "__main__":
    fwdtest.main()
