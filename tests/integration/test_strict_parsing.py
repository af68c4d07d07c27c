"""Strict parsing: invalid request and response framing, field syntax, request lines and versions.

Every invalid request must get its error response, the connection closed, and
no byte sent to the origin. Every invalid response must give the client 502
bad_response, or a truncated response when its head was already relayed.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Seconds. A request that the proxy fails to reject keeps it waiting for more
# bytes, so a short header timeout turns that hang into a visible 408.
HEADER_TIMEOUT = "3"
CLIENT_TIMEOUT = 6.0
ORIGIN_CLOSE_TIMEOUT = 5.0

# Bytes that follow a bad chunk-size line. The origin must never receive them.
SMUGGLED = b"SMUGGLED"


class RequestParsingTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.origin = self.start_origin()
        self.proxy = self.start_proxy({"proxy.timeouts.header": HEADER_TIMEOUT})
        self.url = self.origin.url("/upload")

    def request(self, headers=(), body=b"", method="POST", version="HTTP/1.1"):
        """Return an absolute-form request for the origin with a matching Host, then `headers`."""
        fields = [("Host", self.origin.authority), *headers]
        return fwdtest.build_request(method, self.url, fields, body, version)

    def assert_rejected(self, data, status, reason):
        """Send `data` on a new connection and check the error, the close and the idle origin."""
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(data)
        response = client.read_response()
        self.assert_error_response(response, status, reason)
        self.assertTrue(client.wait_closed(), f"proxy kept the connection open after {response.status_line!r}")
        time.sleep(0.05)  # a late connection to the origin would show up here
        self.assertEqual(self.origin.connection_count, 0, "the invalid request reached the origin")

    # Framing (RFC 9112 section 6)

    def test_te_and_content_length(self):
        # RFC 9112 section 6.1: a request with both may be a smuggling attempt, and the connection must close.
        headers = [("Transfer-Encoding", "chunked"), ("Content-Length", "5")]
        self.assert_rejected(self.request(headers, fwdtest.encode_chunked([b"hello"])), 400, "bad_framing")

    def test_content_length_conflict(self):
        headers = [("Content-Length", "5"), ("Content-Length", "6")]
        self.assert_rejected(self.request(headers, b"hello!"), 400, "bad_framing")

    def test_content_length_not_digits(self):
        # RFC 9110 section 8.6: Content-Length = 1*DIGIT, so a sign, a suffix or a hex prefix is invalid.
        for value in ("+5", "5a", "0x5"):
            with self.subTest(content_length=value):
                self.assert_rejected(self.request([("Content-Length", value)], b"hello"), 400, "bad_framing")

    def test_chunked_not_final(self):
        # RFC 9112 section 6.3: when chunked is not the final coding, the body length is unknown, so 400.
        for value in ("xchunked", "chunked, gzip"):
            with self.subTest(transfer_encoding=value):
                body = fwdtest.encode_chunked([b"hello"])
                self.assert_rejected(self.request([("Transfer-Encoding", value)], body), 400, "bad_framing")

    def test_unknown_coding(self):
        # RFC 9112 section 6.1: a transfer coding the server does not understand gets 501.
        body = fwdtest.encode_chunked([b"hello"])
        self.assert_rejected(self.request([("Transfer-Encoding", "gzip, chunked")], body), 501, "unknown_coding")

    # Field syntax (RFC 9110 section 5, RFC 9112 section 5)

    def test_obs_fold(self):
        # RFC 9112 section 5.2 allows rejecting obs-fold in a request with 400.
        data = self.request([("X-Folded", "first\r\n second")], method="GET")
        self.assert_rejected(data, 400, "bad_request")

    def test_space_before_colon(self):
        # RFC 9112 section 5.1: a server MUST reject whitespace between field name and colon with 400.
        data = self.request(method="GET").replace(b"\r\n\r\n", b"\r\nX-Test : 1\r\n\r\n")
        self.assert_rejected(data, 400, "bad_request")

    def test_nul_in_value(self):
        # RFC 9110 section 5.5: NUL in a field value must be rejected or replaced, and this proxy rejects.
        self.assert_rejected(self.request([("X-Test", "a\x00b")], method="GET"), 400, "bad_request")

    def test_bare_cr_in_value(self):
        # RFC 9112 section 2.2: a bare CR makes the element invalid.
        self.assert_rejected(self.request([("X-Test", "a\rb")], method="GET"), 400, "bad_request")

    def test_non_token_field_name(self):
        # "(" is a delimiter, not a tchar (RFC 9110 section 5.6.2).
        self.assert_rejected(self.request([("X(y)", "1")], method="GET"), 400, "bad_request")

    def test_bare_lf_lines(self):
        # RFC 9112 section 2.2 lets a recipient accept bare LF, but a proxy that
        # accepts what the next hop may parse differently opens a smuggling path.
        data = self.request(method="GET").replace(b"\r\n", b"\n")
        self.assert_rejected(data, 400, "bad_request")

    # Request line and target (RFC 9112 section 3)

    def test_request_line_two_spaces(self):
        data = f"GET  {self.url} HTTP/1.1\r\nHost: {self.origin.authority}\r\n\r\n".encode("ascii")
        self.assert_rejected(data, 400, "bad_request")

    def test_request_line_missing_version(self):
        data = f"GET {self.url}\r\nHost: {self.origin.authority}\r\n\r\n".encode("ascii")
        self.assert_rejected(data, 400, "bad_request")

    def test_version_not_supported(self):
        # NOTE: RFC 9110 section 2.5 states that a higher minor version SHOULD
        # be processed as HTTP/1.1. This proxy rejects HTTP/1.2 on purpose.
        for version in ("HTTP/2.0", "HTTP/1.2"):
            with self.subTest(version=version):
                data = self.request(method="GET", version=version)
                self.assert_rejected(data, 505, "version_not_supported")

    def test_host_missing(self):
        # RFC 9112 section 3.2: an HTTP/1.1 request without Host gets 400.
        data = fwdtest.build_request("GET", self.url, [], b"", "HTTP/1.1")
        self.assert_rejected(data, 400, "bad_request")

    def test_host_repeated(self):
        data = self.request([("Host", "second.invalid")], method="GET")
        self.assert_rejected(data, 400, "bad_request")

    def test_host_optional_http10(self):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.build_request("GET", self.url, [], b"", "HTTP/1.0"))
        self.assertEqual(client.read_response().status, 200)

    def test_userinfo_rejected(self):
        # RFC 9110 section 4.2.4: userinfo in an http URI is treated as an error (it can hide the real host).
        target = f"http://user@{self.origin.authority}/"
        data = fwdtest.build_request("GET", target, [("Host", self.origin.authority)])
        self.assert_rejected(data, 400, "bad_request")

    def test_host_replaced(self):
        # RFC 9112 section 3.2.2: a proxy replaces Host with the authority of an absolute-form target.
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.build_request("GET", self.origin.url("/host"), [("Host", "other.invalid:81")]))
        response = client.read_response()
        self.assertEqual(response.status, 200, repr(response))

        requests = self.origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1, f"origin requests: {requests}")
        self.assertEqual(requests[0].values("Host"), [self.origin.authority], requests[0].header_lines)


def record_upload(conn, reader):
    """Origin script: read a request head, then every byte until the proxy closes.

    Returns (RecordedRequest, bytes after the head). The origin never responds,
    so the proxy ends the exchange by closing the connection.
    """
    conn.settimeout(ORIGIN_CLOSE_TIMEOUT)
    request = fwdtest.read_request(reader, with_body=False)
    if request is None:
        return None
    return request, reader.read_to_eof()


class ChunkedRequestTest(fwdtest.ProxyTestCase):
    """Invalid chunk-size lines after a valid first chunk.

    A proxy that streams may already have sent the head and the first chunk, so
    the origin may see a partial body. It must not see the bad line or anything
    after it, nor a last chunk that would make the body look complete.
    """

    def setUp(self):
        self.origin = self.start_server(fwdtest.ScriptedOrigin(record_upload))
        self.proxy = self.start_proxy({"proxy.timeouts.header": HEADER_TIMEOUT})

    def assert_bad_chunk(self, size_line):
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        head = fwdtest.build_request(
            "POST", self.origin.url("/upload"), [("Host", self.origin.authority), ("Transfer-Encoding", "chunked")]
        )
        client.send(head + b"5\r\nhello\r\n")
        time.sleep(0.1)  # lets a streaming proxy forward the first chunk before the bad line arrives
        client.send(size_line + b"\r\n" + SMUGGLED + b"\r\n0\r\n\r\n")

        response = client.read_response()
        self.assert_error_response(response, 400, "bad_framing")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after a bad chunk")

        connections = self.origin.connection_count
        results = self.origin.wait_for_results(connections, ORIGIN_CLOSE_TIMEOUT + 1)
        self.assertEqual(self.origin.errors, [], "origin connection failed, or the proxy did not close it")
        self.assertEqual(len(results), connections)
        for request, rest in results:
            self.assertEqual(request.tokens("Transfer-Encoding"), ["chunked"], request.header_lines)
            self.assertNotIn(size_line, rest, "origin received the bad chunk-size line")
            self.assertNotIn(SMUGGLED, rest, "origin received the bytes after the bad chunk-size line")
            with self.assertRaises(fwdtest.IncompleteMessage, msg=f"origin body looks complete: {rest!r}"):
                fwdtest.decode_chunked(rest)

    def test_chunk_size_not_hex(self):
        self.assert_bad_chunk(b"zz")

    def test_chunk_size_overflow(self):
        # 17 hex digits do not fit in 64 bits.
        self.assert_bad_chunk(b"1" * 17)

    def test_chunk_size_trailing_junk(self):
        # Only ";" may follow the size (chunk-ext, RFC 9112 section 7.1.1).
        self.assert_bad_chunk(b"5junk")


def send_and_wait(response_bytes):
    """Return an origin script that reads a request, sends `response_bytes` and waits.

    The script returns True when the proxy closes the origin connection within
    ORIGIN_CLOSE_TIMEOUT seconds, False when it stays open or more bytes arrive.
    """

    def script(conn, reader):
        fwdtest.read_request(reader)
        conn.sendall(response_bytes)
        return fwdtest.wait_peer_closed(reader, ORIGIN_CLOSE_TIMEOUT)

    return script


class ResponseParsingTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.proxy = self.start_proxy()

    def assert_bad_response(self, response_bytes):
        """Check that the client gets 502 bad_response and that the proxy closes both connections."""
        origin = self.start_server(fwdtest.ScriptedOrigin(send_and_wait(response_bytes)))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/bad")))

        response = client.read_response()
        self.assert_error_response(response, 502, "bad_response")
        self.assertTrue(client.wait_closed(), "proxy kept the client connection open after 502")

        # RFC 9112 section 6.3: a proxy that receives an invalid response must close the connection to the server.
        results = origin.wait_for_results(1, ORIGIN_CLOSE_TIMEOUT + 1)
        self.assertEqual(origin.errors, [])
        self.assertTrue(results, "origin connection did not end")
        self.assertNotIn(False, results, "proxy kept the origin connection open after an invalid response")

    def test_invalid_status_line(self):
        for status_line in (b"HTTP/1.1 20 OK", b"HTP/1.1 200 OK", b"HTTP/1.1 200OK"):
            with self.subTest(status_line=status_line):
                self.assert_bad_response(status_line + b"\r\nContent-Length: 2\r\n\r\nok")

    def test_te_and_content_length(self):
        # RFC 9112 section 6.3 lets a proxy treat this as an error, which closes a response-splitting path.
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n"
        self.assert_bad_response(head + fwdtest.encode_chunked([b"hello"]))

    def test_content_length_conflict(self):
        # RFC 9112 section 6.3: differing Content-Length values make the framing invalid, so 502.
        self.assert_bad_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")

    def test_obs_fold(self):
        # RFC 9112 section 5.2: a proxy replaces obs-fold with SP or responds with 502. This proxy sends 502.
        self.assert_bad_response(b"HTTP/1.1 200 OK\r\nX-Folded: first\r\n second\r\nContent-Length: 2\r\n\r\nok")

    def test_nul_in_value(self):
        self.assert_bad_response(b"HTTP/1.1 200 OK\r\nX-Test: a\x00b\r\nContent-Length: 2\r\n\r\nok")

    def test_bad_chunk_in_body(self):
        # The head and first chunk go out first, so the proxy has most likely
        # relayed the head already. It must then close the client connection
        # without the last chunk, so the response never looks complete.
        def script(conn, reader):
            fwdtest.read_request(reader)
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            time.sleep(0.2)
            conn.sendall(b"zz\r\n" + SMUGGLED + b"\r\n0\r\n\r\n")
            return fwdtest.wait_peer_closed(reader, ORIGIN_CLOSE_TIMEOUT)

        origin = self.start_server(fwdtest.ScriptedOrigin(script))
        client = self.connect(self.proxy, CLIENT_TIMEOUT)
        client.send(fwdtest.absolute_get(origin.url("/bad-chunk")))
        try:
            response = client.read_response()
        except fwdtest.IncompleteMessage as error:
            self.assertNotIn(SMUGGLED, error.partial)
        except socket.timeout:
            self.fail(f"proxy neither finished nor closed the response within {CLIENT_TIMEOUT} s")
        else:
            # Only an error response may look complete, when the proxy held the head back.
            self.assert_error_response(response, 502, "bad_response")
            self.assertTrue(client.wait_closed(), "proxy kept the client connection open after 502")

        results = origin.wait_for_results(1, ORIGIN_CLOSE_TIMEOUT + 1)
        self.assertEqual(origin.errors, [])
        self.assertEqual(results, [True], "proxy kept the origin connection open after an invalid chunk")


if __name__ == "__main__":
    fwdtest.main()
