"""Forwarding of plain http:// requests: request line, fields, Via and bodies."""

import http.client
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Fields that must never reach the next hop (RFC 9110 section 7.6.1, plus
# Proxy-Connection, which curl still sends, and Proxy-Authorization, which is
# meant for this proxy only).
HOP_BY_HOP = ["Proxy-Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Authorization"]

PAGE_BODY = b"<html>page from the origin</html>\n"
# Binary upload with bytes that look like HTTP framing, so that any re-parsing shows.
UPLOAD_BODY = bytes(range(256)) * 40 + b"\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"


def via_entries(values):
    return [entry.strip() for value in values for entry in value.split(",") if entry.strip()]


class ForwardingTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.origin = self.start_origin(
            routes={
                "/page": fwdtest.Fixed(PAGE_BODY, headers=[("X-Origin", "yes")]),
                "/hops": fwdtest.Fixed(
                    b"hops\n",
                    headers=[
                        ("Keep-Alive", "timeout=5"),
                        ("Connection", "X-Response-Hop"),
                        ("X-Response-Hop", "1"),
                        ("Proxy-Authenticate", 'Basic realm="origin"'),
                        ("Via", "1.1 origin-cache"),
                        ("X-Response-End", "kept"),
                    ],
                ),
            }
        )
        self.proxy = self.start_proxy()
        self.folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        self.addCleanup(self.folder.cleanup)

    def only_request(self):
        requests = self.origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1, f"origin requests: {requests}")
        return requests[0]

    def assert_forwarded_fields(self, request):
        """Check Host, hop-by-hop removal and Via on a request the origin received."""
        self.assertEqual(request.values("Host"), [self.origin.authority], request.header_lines)
        for name in HOP_BY_HOP:
            self.assertEqual(request.values(name), [], f"{name} reached the origin: {request.header_lines}")
        for token in request.tokens("Connection"):
            self.assertIn(token, ("keep-alive", "close"), f"Connection names a field: {request.header_lines}")
        entries = via_entries(request.values("Via"))
        self.assertTrue(any(re.fullmatch(r"1\.1 fwdproxy(\s.*)?", entry) for entry in entries), f"Via: {entries}")

    def upload_file(self):
        path = os.path.join(self.folder.name, "upload.bin")
        with open(path, "wb") as upload:
            upload.write(UPLOAD_BODY)
        return path

    def test_get_curl(self):
        result = fwdtest.run_curl("-i", "-x", self.proxy.url, "-H", "X-Test: one", self.origin.url("/page?q=1&r=two"))
        self.assertEqual(result.returncode, 0, result.stderr)

        request = self.only_request()
        self.assertEqual(request.request_line, "GET /page?q=1&r=two HTTP/1.1")
        self.assert_forwarded_fields(request)
        self.assertEqual(request.values("X-Test"), ["one"])
        self.assertTrue(request.values("User-Agent")[0].startswith("curl/"), request.header_lines)

        status_line, header_lines, body = fwdtest.split_curl_include(result.stdout)
        headers = fwdtest.parse_header_lines(header_lines)
        self.assertRegex(status_line, r"^HTTP/1\.[01] 200 ")
        self.assertEqual(body, PAGE_BODY)
        self.assertEqual(fwdtest.header_values(headers, "X-Origin"), ["yes"])
        self.assertIn("1.1 fwdproxy", via_entries(fwdtest.header_values(headers, "Via")))

    def test_head_curl(self):
        result = fwdtest.run_curl("-I", "-x", self.proxy.url, self.origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)

        request = self.only_request()
        self.assertEqual(request.request_line, "HEAD /page HTTP/1.1")
        self.assert_forwarded_fields(request)

        status_line, header_lines, body = fwdtest.split_curl_include(result.stdout)
        headers = fwdtest.parse_header_lines(header_lines)
        self.assertRegex(status_line, r"^HTTP/1\.[01] 200 ")
        self.assertEqual(fwdtest.header_values(headers, "Content-Length"), [str(len(PAGE_BODY))])
        self.assertEqual(body, b"")

    def test_post_content_length(self):
        result = fwdtest.run_curl(
            "-x", self.proxy.url, "-H", "Expect:", "--data-binary", "@" + self.upload_file(), self.origin.url("/upload")
        )
        self.assertEqual(result.returncode, 0, result.stderr)

        request = self.only_request()
        self.assertEqual(request.request_line, "POST /upload HTTP/1.1")
        self.assert_forwarded_fields(request)
        self.assertEqual(request.values("Content-Length"), [str(len(UPLOAD_BODY))])
        self.assertFalse(request.chunked)
        self.assertEqual(request.body, UPLOAD_BODY)

    def test_post_chunked(self):
        result = fwdtest.run_curl(
            "-x",
            self.proxy.url,
            "-H",
            "Expect:",
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "@" + self.upload_file(),
            self.origin.url("/upload"),
        )
        self.assertEqual(result.returncode, 0, result.stderr)

        request = self.only_request()
        self.assertEqual(request.request_line, "POST /upload HTTP/1.1")
        self.assert_forwarded_fields(request)
        self.assertEqual(request.tokens("Transfer-Encoding"), ["chunked"])
        self.assertEqual(request.values("Content-Length"), [])
        self.assertEqual(request.body, UPLOAD_BODY)

    def test_post_expect_continue(self):
        # The origin sends 100 Continue, which the proxy may relay or absorb. Either
        # way, the whole body must arrive once and curl must see the final 200.
        body = fwdtest.generated_body(2 * 1024 * 1024, b"upload")
        path = os.path.join(self.folder.name, "large.bin")
        with open(path, "wb") as upload:
            upload.write(body)
        result = fwdtest.run_curl(
            "-i",
            "-x",
            self.proxy.url,
            "-H",
            "Expect: 100-continue",
            "--data-binary",
            "@" + path,
            self.origin.url("/upload"),
        )
        self.assertEqual(result.returncode, 0, result.stderr)

        request = self.only_request()
        self.assertEqual(len(request.body), len(body))
        self.assertEqual(request.body, body)
        status_line, _, _ = fwdtest.split_curl_include(result.stdout)
        self.assertRegex(status_line, r"^HTTP/1\.[01] 200 ")

    def test_wget_http_proxy(self):
        environment = fwdtest.client_environment(http_proxy=self.proxy.url)
        result = subprocess.run(
            ["wget", "--no-config", "-q", "-O", "-", "--tries=1", "--timeout=10", self.origin.url("/page?from=wget")],
            capture_output=True,
            env=environment,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE_BODY)

        request = self.only_request()
        self.assertEqual(request.request_line, "GET /page?from=wget HTTP/1.1")
        self.assert_forwarded_fields(request)

    def test_absolute_form_fields(self):
        # http.client with skip_host sends exactly the fields listed here.
        connection = http.client.HTTPConnection(fwdtest.LOOPBACK, self.proxy.port, timeout=fwdtest.IO_TIMEOUT)
        self.addCleanup(connection.close)
        connection.putrequest("GET", self.origin.url("/hops?a=1"), skip_host=True, skip_accept_encoding=True)
        # RFC 9112 section 3.2.2: a proxy replaces a Host that disagrees with the target URI.
        connection.putheader("Host", "wrong.invalid")
        connection.putheader("Connection", "X-Hop")
        connection.putheader("X-Hop", "1")
        connection.putheader("Keep-Alive", "timeout=5")
        connection.putheader("TE", "trailers")
        connection.putheader("Trailer", "X-Checksum")
        connection.putheader("Upgrade", "example/1")
        connection.putheader("Proxy-Authorization", "Basic dXNlcjpwYXNz")
        connection.putheader("Proxy-Connection", "keep-alive")
        connection.putheader("Via", "1.0 upstream")
        connection.putheader("X-End", "kept")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()

        request = self.only_request()
        self.assertEqual(request.request_line, "GET /hops?a=1 HTTP/1.1")
        self.assert_forwarded_fields(request)
        self.assertEqual(request.values("X-Hop"), [])
        self.assertEqual(request.values("X-End"), ["kept"])
        entries = via_entries(request.values("Via"))
        self.assertIn("1.0 upstream", entries)
        self.assertLess(entries.index("1.0 upstream"), len(entries) - 1, f"Via order: {entries}")
        self.assertRegex(entries[-1], r"^1\.1 fwdproxy")

        self.assertEqual(response.status, 200)
        self.assertEqual(body, b"hops\n")
        self.assertIsNone(response.getheader("X-Response-Hop"))
        self.assertIsNone(response.getheader("Keep-Alive"))
        self.assertIsNone(response.getheader("Proxy-Authenticate"))
        self.assertEqual(response.getheader("X-Response-End"), "kept")
        response_entries = via_entries(response.msg.get_all("Via") or [])
        self.assertEqual(response_entries[0], "1.1 origin-cache", f"Via: {response_entries}")
        self.assertRegex(response_entries[-1], r"^1\.1 fwdproxy")

    def test_absolute_form_empty_path(self):
        # RFC 9112 section 3.2.1: an empty path is sent as "/".
        with fwdtest.Client(self.proxy.port) as client:
            client.send(fwdtest.absolute_get(f"http://{self.origin.authority}"))
            response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertEqual(self.only_request().request_line, "GET / HTTP/1.1")

    def test_origin_form_rejected(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.build_request("GET", "/page", [("Host", self.origin.authority)]))
        response = client.read_response()
        self.assert_error_response(response, 400, "origin_form_target")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after an error")
        self.assert_access_logged(self.proxy, "GET", "/page", 400, "origin_form_target")
        self.assertEqual(self.origin.connection_count, 0)

    def test_ftp_scheme_rejected(self):
        target = f"ftp://{self.origin.authority}/file.txt"
        client = self.connect(self.proxy)
        client.send(fwdtest.build_request("GET", target, [("Host", self.origin.authority)]))
        response = client.read_response()
        self.assert_error_response(response, 501, "unsupported_scheme")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after an error")
        self.assert_access_logged(self.proxy, "GET", target, 501, "unsupported_scheme")
        self.assertEqual(self.origin.connection_count, 0)

    def test_https_absolute_rejected(self):
        target = f"https://{self.origin.authority}/secure"
        client = self.connect(self.proxy)
        client.send(fwdtest.build_request("GET", target, [("Host", self.origin.authority)]))
        response = client.read_response()
        self.assert_error_response(response, 501, "unsupported_scheme")
        self.assert_access_logged(self.proxy, "GET", target, 501, "unsupported_scheme")
        self.assertEqual(self.origin.connection_count, 0)

    def test_invalid_content_length(self):
        # RFC 9112 section 6.3: an invalid Content-Length in a request is an unrecoverable framing error.
        target = self.origin.url("/upload")
        client = self.connect(self.proxy)
        headers = [("Host", self.origin.authority), ("Content-Length", "12abc")]
        client.send(fwdtest.build_request("POST", target, headers, b"12abc"))
        response = client.read_response()
        self.assert_error_response(response, 400, "bad_framing")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after an error")
        self.assert_access_logged(self.proxy, "POST", target, 400, "bad_framing")
        self.assertEqual(self.origin.requests, [])

    def test_conflicting_content_lengths(self):
        target = self.origin.url("/upload")
        client = self.connect(self.proxy)
        headers = [("Host", self.origin.authority), ("Content-Length", "5"), ("Content-Length", "6")]
        client.send(fwdtest.build_request("POST", target, headers, b"123456"))
        response = client.read_response()
        self.assert_error_response(response, 400, "bad_framing")
        self.assert_access_logged(self.proxy, "POST", target, 400, "bad_framing")
        self.assertEqual(self.origin.requests, [])

    def test_http2_version_rejected(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin.url("/page"), version="HTTP/2.0"))
        response = client.read_response()
        self.assert_error_response(response, 505, "version_not_supported")
        # A request line with an unknown version may be logged with "-" for method and target.
        self.assert_access_logged(self.proxy, None, None, 505, "version_not_supported")
        self.assertEqual(self.origin.connection_count, 0)

    def test_access_log_success(self):
        target = self.origin.url("/page?log=1")
        result = fwdtest.run_curl("-x", self.proxy.url, target)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_access_logged(self.proxy, "GET", target, 200, "-")


if __name__ == "__main__":
    fwdtest.main()
