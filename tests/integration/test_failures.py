"""Error responses: unreachable or slow origins, access policy, broken responses and limits."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

DEFAULT_MAX_HEAD_SIZE = 65536
DEFAULT_MAX_TARGET_LENGTH = 8192


class FailureTest(fwdtest.ProxyTestCase):
    def get_error(self, proxy, url, extra_headers=()):
        """Send a GET for `url`, return the response and check that the proxy then closes."""
        client = self.connect(proxy)
        client.send(fwdtest.absolute_get(url, extra_headers=extra_headers))
        response = client.read_response()
        self.assertTrue(client.wait_closed(), f"proxy kept the connection open after {response.status_line!r}")
        return response

    def test_origin_down(self):
        url = f"http://{fwdtest.LOOPBACK}:{fwdtest.closed_port()}/down"
        proxy = self.start_proxy()
        response = self.get_error(proxy, url)
        self.assert_error_response(response, 502, "connect_refused", fwdtest.authority_of(url))
        self.assert_access_logged(proxy, "GET", url, 502, "connect_refused")

    def test_response_timeout(self):
        origin = self.start_server(fwdtest.HangingOrigin())
        url = f"http://{origin.authority}/hang"
        proxy = self.start_proxy({"proxy.timeouts.response": "1"})

        started = time.monotonic()
        response = self.get_error(proxy, url)
        elapsed = time.monotonic() - started
        self.assert_error_response(response, 504, "response_timeout", origin.authority)
        self.assertLess(elapsed, 5.0, "504 took too long for a 1 s response timeout")
        self.assertGreaterEqual(elapsed, 0.9, "504 came before the 1 s response timeout")
        self.assertEqual(origin.connection_count, 1)
        self.assert_access_logged(proxy, "GET", url, 504, "response_timeout")

    def test_client_denied(self):
        origin = self.start_origin()
        # The client connects from 127.0.0.1, outside this list. Nothing is ever sent to 10.0.0.0/8.
        proxy = self.start_proxy({"proxy.clients.allow": "10.0.0.0/8"})
        url = origin.url("/denied")
        response = self.get_error(proxy, url)
        self.assert_error_response(response, 403, "client_denied")
        self.assertEqual(origin.connection_count, 0)
        # The proxy may reject the connection before it reads the request, so method and target may be "-".
        self.assert_access_logged(proxy, None, None, 403, "client_denied")

    def test_destination_denied_by_default(self):
        origin = self.start_origin()
        proxy = self.start_proxy(allow_loopback=False)
        url = origin.url("/guarded")
        response = self.get_error(proxy, url)
        self.assert_error_response(response, 403, "destination_denied", origin.authority)
        self.assert_access_logged(proxy, "GET", url, 403, "destination_denied")
        time.sleep(0.2)  # a late connection attempt would show up here
        self.assertEqual(origin.connection_count, 0)

    def test_connect_destination_denied(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.connect.ports": str(origin.port)}, allow_loopback=False)
        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", origin.authority, [("Host", origin.authority)]))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 403, "destination_denied", origin.authority)
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 403, "destination_denied")
        time.sleep(0.2)
        self.assertEqual(origin.connection_count, 0)

    def test_origin_closes_mid_response(self):
        origin = self.start_origin(routes={"/cut": fwdtest.Truncated(declared=1000, sent=10)})
        proxy = self.start_proxy()
        url = origin.url("/cut")

        result = fwdtest.run_curl("-x", proxy.url, url, timeout=10)
        self.assertNotEqual(result.returncode, 0, "curl reported success for a truncated response")
        self.assertNotEqual(result.returncode, 28, f"curl timed out, the proxy did not close: {result.stderr}")
        self.assertLessEqual(len(result.stdout), 10)

        # A raw client must see the connection end before the body that the framing declares.
        client = self.connect(proxy, timeout=5)
        client.send(fwdtest.absolute_get(url))
        try:
            response = client.read_response()
        except fwdtest.IncompleteMessage:
            pass
        except socket.timeout:
            self.fail("proxy neither finished nor closed the truncated response within 5 s")
        else:
            self.fail(f"truncated response arrived as complete: {response!r}, body {response.body!r}")

    def test_origin_closes_mid_chunked(self):
        # A proxy that re-frames must not add the last chunk when the origin's ends early.
        origin = self.start_origin(routes={"/cut": fwdtest.TruncatedChunked([b"a" * 100, b"b" * 5000])})
        proxy = self.start_proxy()
        url = origin.url("/cut")

        result = fwdtest.run_curl("-x", proxy.url, url, timeout=10)
        self.assertNotEqual(result.returncode, 0, "curl reported success for a truncated response")
        self.assertNotEqual(result.returncode, 28, f"curl timed out, the proxy did not close: {result.stderr}")

        client = self.connect(proxy, timeout=5)
        client.send(fwdtest.absolute_get(url))
        try:
            response = client.read_response()
        except fwdtest.IncompleteMessage:
            pass
        except socket.timeout:
            self.fail("proxy neither finished nor closed the truncated response within 5 s")
        else:
            self.fail(f"truncated response arrived as complete: {response!r}")

    def test_origin_stalls_mid_body(self):
        # Part of the response is already out, so the proxy cannot send 504 and must close instead.
        origin = self.start_origin(routes={"/stall": fwdtest.Truncated(declared=1000, sent=10, hold=True)})
        proxy = self.start_proxy({"proxy.timeouts.response": "1"})

        client = self.connect(proxy, timeout=5)
        client.send(fwdtest.absolute_get(origin.url("/stall")))
        started = time.monotonic()
        try:
            response = client.read_response()
        except fwdtest.IncompleteMessage as error:
            self.assertLessEqual(len(error.partial), 10)
        except socket.timeout:
            self.fail("proxy kept a stalled response open for 5 s with a 1 s response timeout")
        else:
            self.fail(f"stalled response arrived as complete: {response!r}")
        self.assertLess(time.monotonic() - started, 5.0)

    def test_connect_timeout(self):
        with fwdtest.FullBacklog() as origin:
            url = f"http://{origin.authority}/slow-connect"
            proxy = self.start_proxy({"proxy.timeouts.connect": "1"})
            started = time.monotonic()
            response = self.get_error(proxy, url)
            elapsed = time.monotonic() - started
        self.assert_error_response(response, 504, "connect_timeout", origin.authority)
        self.assertLess(elapsed, 5.0, "504 took too long for a 1 s connect timeout")
        self.assertGreaterEqual(elapsed, 0.9, "504 came before the 1 s connect timeout")
        self.assert_access_logged(proxy, "GET", url, 504, "connect_timeout")

    def test_head_too_large(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        url = origin.url("/big-head")
        response = self.get_error(proxy, url, [("X-Filler", "a" * (DEFAULT_MAX_HEAD_SIZE + 100))])
        self.assert_error_response(response, 431, "head_too_large")
        self.assertEqual(origin.requests, [])
        self.assert_access_logged(proxy, None, None, 431, "head_too_large")

    def test_head_below_limit(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        filler = "b" * (DEFAULT_MAX_HEAD_SIZE - 2000)
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(origin.url("/large-head"), extra_headers=[("X-Filler", filler)]))
            response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertEqual(origin.requests[0].values("X-Filler"), [filler])

    def test_target_too_long(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        url = origin.url("/" + "t" * (DEFAULT_MAX_TARGET_LENGTH + 10))
        response = self.get_error(proxy, url)
        self.assert_error_response(response, 414, "target_too_long")
        self.assertEqual(origin.requests, [])
        # The proxy may stop parsing the request line at the target, so the method may be "-".
        self.assert_access_logged(proxy, None, None, 414, "target_too_long")

    def test_target_below_limit(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        path = "/" + "u" * (DEFAULT_MAX_TARGET_LENGTH - 100)
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(origin.url(path)))
            response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertEqual(origin.requests[0].target, path)

    def test_header_timeout(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.timeouts.header": "1"})
        client = self.connect(proxy)
        # A head without its final empty line never completes.
        client.send(f"GET {origin.url('/slow-head')} HTTP/1.1\r\nHost: {origin.authority}\r\n".encode("ascii"))
        started = time.monotonic()
        response = client.read_response()
        elapsed = time.monotonic() - started
        self.assert_error_response(response, 408, "header_timeout")
        self.assertLess(elapsed, 5.0, "408 took too long for a 1 s header timeout")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after 408")
        self.assertEqual(origin.requests, [])
        self.assert_access_logged(proxy, None, None, 408, "header_timeout")

    def test_forwarding_loop(self):
        # The thread cap bounds the damage if the proxy keeps forwarding to itself.
        proxy = self.start_proxy({"proxy.threads.max": "16", "proxy.timeouts.response": "5"})
        url = f"{proxy.url}/loop"
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(url))
            response = client.read_response()
        self.assertEqual(response.status, 508, repr(response))
        self.assertEqual(response.value("X-Fwdproxy-Error"), "forwarding_loop")
        self.assert_logged(proxy, r"\s508\s.*\bforwarding_loop\s*$")


if __name__ == "__main__":
    fwdtest.main()
