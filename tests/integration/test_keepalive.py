"""Persistent client connections: routing per request, HTTP/1.0, HEAD and pipelining."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

BODY_A = b"answer from origin A\n"
BODY_B = b"answer from origin B, a bit longer\n"
LARGE_SIZE = 5 * 1024 * 1024


class KeepAliveTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.origin_a = self.start_origin(
            routes={"/first": fwdtest.Fixed(BODY_A), "/large": fwdtest.Generated(LARGE_SIZE)}
        )
        self.origin_b = self.start_origin(routes={"/second": fwdtest.Fixed(BODY_B)})
        self.proxy = self.start_proxy()

    def test_two_origins_one_connection(self):
        client = self.connect(self.proxy)

        client.send(fwdtest.absolute_get(self.origin_a.url("/first")))
        first = client.read_response()
        client.send(fwdtest.absolute_get(self.origin_b.url("/second")))
        second = client.read_response()

        self.assertEqual(first.status, 200)
        self.assertEqual(first.body, BODY_A)
        self.assertEqual(second.status, 200)
        self.assertEqual(second.body, BODY_B)
        self.assertEqual([r.request_line for r in self.origin_a.requests], ["GET /first HTTP/1.1"])
        self.assertEqual([r.request_line for r in self.origin_b.requests], ["GET /second HTTP/1.1"])
        self.assertEqual(self.origin_b.requests[0].values("Host"), [self.origin_b.authority])

    def test_same_origin_reused(self):
        client = self.connect(self.proxy)
        for _ in range(3):
            client.send(fwdtest.absolute_get(self.origin_a.url("/first")))
            self.assertEqual(client.read_response().body, BODY_A)
        self.assertEqual(len(self.origin_a.requests), 3)

    def test_http10_without_keepalive(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin_a.url("/first"), version="HTTP/1.0"))
        response = client.read_response()
        self.assertRegex(response.status_line, r"^HTTP/1\.[01] 200")
        self.assertEqual(response.values("Transfer-Encoding"), [])
        self.assertEqual(response.body, BODY_A)
        # RFC 9112 section 9.3: an HTTP/1.0 request without keep-alive ends the connection.
        self.assertTrue(client.wait_closed(), "proxy kept an HTTP/1.0 connection open without keep-alive")

    def test_http10_with_keepalive(self):
        client = self.connect(self.proxy)
        keep_alive = [("Connection", "keep-alive")]
        client.send(fwdtest.absolute_get(self.origin_a.url("/first"), "HTTP/1.0", keep_alive))
        first = client.read_response()
        self.assertEqual(first.status, 200)
        self.assertEqual(first.body, BODY_A)
        self.assertEqual(first.values("Transfer-Encoding"), [])
        self.assertEqual(first.framing, "length")
        self.assertIn("keep-alive", first.tokens("Connection"), f"head: {first.header_lines}")

        client.send(fwdtest.absolute_get(self.origin_b.url("/second"), "HTTP/1.0", keep_alive))
        second = client.read_response()
        self.assertEqual(second.status, 200)
        self.assertEqual(second.body, BODY_B)

    def test_head_then_get(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.build_request("HEAD", self.origin_a.url("/large"), [("Host", self.origin_a.authority)]))
        head = client.read_response("HEAD")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.values("Content-Length"), [str(LARGE_SIZE)])

        # A proxy that waited for the announced HEAD body would hang here.
        client.send(fwdtest.absolute_get(self.origin_b.url("/second")))
        self.assertEqual(client.read_response().body, BODY_B)

    def test_pipelined_requests(self):
        # RFC 9112 section 9.3.2: responses to pipelined requests come back in request order.
        client = self.connect(self.proxy)
        client.send(
            fwdtest.absolute_get(self.origin_a.url("/large"))
            + fwdtest.absolute_get(self.origin_b.url("/second"))
            + fwdtest.absolute_get(self.origin_a.url("/first"))
        )
        large = client.read_response()
        second = client.read_response()
        first = client.read_response()
        self.assertEqual(len(large.body), LARGE_SIZE)
        self.assertEqual(large.body, fwdtest.generated_body(LARGE_SIZE))
        self.assertEqual(second.body, BODY_B)
        self.assertEqual(first.body, BODY_A)

    def test_connection_close_request(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin_a.url("/first"), extra_headers=[("Connection", "close")]))
        response = client.read_response()
        self.assertEqual(response.body, BODY_A)
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after Connection: close")


class IdleTimeoutTest(fwdtest.ProxyTestCase):
    def test_idle_connection_closed(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.timeouts.idle": "1"})
        client = self.connect(proxy)
        client.send(fwdtest.absolute_get(origin.url("/once")))
        self.assertEqual(client.read_response().status, 200)

        started = time.monotonic()
        self.assertTrue(client.wait_closed(5), "idle connection stayed open 5 s with a 1 s idle timeout")
        self.assertGreaterEqual(time.monotonic() - started, 0.9, "connection closed before the idle timeout")


if __name__ == "__main__":
    fwdtest.main()
