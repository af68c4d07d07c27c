"""Limits: concurrent connections in total and per client, request body size, and
slow clients against the header timeout."""

import os
import selectors
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Seconds within which a connection over a limit must get its error response. The
# proxy sends it before reading a request, so it needs no more than a round trip.
LIMIT_ANSWER_TIME = 1.0

# Seconds a freed connection slot may take to become usable again, because the
# proxy notices a closed idle connection asynchronously.
SLOT_RELEASE_TIMEOUT = 2.0

MAX_REQUEST_BODY = 1000

# Seconds to wait after a rejection before checking that an origin saw nothing,
# so that a late connection attempt would be counted.
LATE_CONNECTION_WAIT = 0.2


class SourceClient(fwdtest.Client):
    """Raw client connection to the proxy from a chosen 127.0.0.0/8 source address."""

    def __init__(self, port, source, timeout=fwdtest.IO_TIMEOUT):
        self.sock = socket.create_connection((fwdtest.LOOPBACK, port), timeout=timeout, source_address=(source, 0))
        self.reader = fwdtest.SocketReader(self.sock)


def post_request(url, body, chunks=None):
    """Return the bytes of a POST of `body` to `url`, chunked in `chunks` pieces when given."""
    headers = [("Host", fwdtest.authority_of(url)), ("Content-Type", "application/octet-stream")]
    if chunks is None:
        headers.append(("Content-Length", str(len(body))))
        return fwdtest.build_request("POST", url, headers, body)
    size = -(-len(body) // chunks)
    pieces = [body[offset : offset + size] for offset in range(0, len(body), size)]
    headers.append(("Transfer-Encoding", "chunked"))
    return fwdtest.build_request("POST", url, headers, fwdtest.encode_chunked(pieces))


class ConnectionLimitTest(fwdtest.ProxyTestCase):
    def open_served(self, proxy, origin, count, source=None):
        """Open `count` connections, each with one completed keep-alive GET, so that the proxy has registered them."""
        clients = []
        for index in range(count):
            if source is None:
                client = self.connect(proxy)
            else:
                client = SourceClient(proxy.port, source)
                self.addCleanup(client.close)
            client.send(fwdtest.absolute_get(origin.url(f"/held-{index}")))
            response = client.read_response()
            self.assertEqual(response.status, 200, f"connection {index}: {response!r}")
            clients.append(client)
        return clients

    def assert_rejected_at_once(self, client, status, reason):
        """Check that `client`, which sends nothing, gets the error response at once and is closed."""
        started = time.monotonic()
        response = client.read_response()
        elapsed = time.monotonic() - started
        self.assert_error_response(response, status, reason)
        self.assertLess(elapsed, LIMIT_ANSWER_TIME, f"the {status} took {elapsed:.2f} s")
        self.assertTrue(client.wait_closed(), f"proxy kept the connection open after {status}")

    def assert_served_soon(self, proxy, url, source=None):
        """Check that a new connection is served within SLOT_RELEASE_TIMEOUT, retrying while it is rejected."""
        deadline = time.monotonic() + SLOT_RELEASE_TIMEOUT
        attempts = 0
        while True:
            attempts += 1
            client = fwdtest.Client(proxy.port) if source is None else SourceClient(proxy.port, source)
            with client:
                client.send(fwdtest.absolute_get(url))
                response = client.read_response()
            if response.status == 200:
                return
            if time.monotonic() > deadline:
                self.fail(f"no connection served within {SLOT_RELEASE_TIMEOUT} s of freeing a slot "
                          f"({attempts} attempts, last {response!r})")
            time.sleep(0.05)

    def test_total_limit(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.limits.maxConnections": "3"})
        served_clients = self.open_served(proxy, origin, 3)

        fourth = self.connect(proxy, timeout=LIMIT_ANSWER_TIME + 2)
        self.assert_rejected_at_once(fourth, 503, "too_many_connections")
        self.assert_access_logged(proxy, None, None, 503, "too_many_connections")

        # The rejection does not disturb the connections that were already served.
        served_clients[1].send(fwdtest.absolute_get(origin.url("/again")))
        self.assertEqual(served_clients[1].read_response().status, 200)

        served_clients[0].close()
        self.assert_served_soon(proxy, origin.url("/after-close"))

    def test_per_client_limit(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.limits.maxConnectionsPerClient": "2"})
        served_clients = self.open_served(proxy, origin, 2)

        third = self.connect(proxy, timeout=LIMIT_ANSWER_TIME + 2)
        self.assert_rejected_at_once(third, 429, "client_connection_limit")
        self.assert_access_logged(proxy, None, None, 429, "client_connection_limit")

        served_clients[0].close()
        self.assert_served_soon(proxy, origin.url("/after-close"))

    def test_per_client_limit_by_address(self):
        # The whole of 127.0.0.0/8 routes to the loopback interface on Linux, so
        # 127.0.0.2 can act as a second client address.
        if not fwdtest.can_bind("127.0.0.2"):
            self.skipTest("cannot use 127.0.0.2 as a source address")
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.limits.maxConnectionsPerClient": "2"})
        self.open_served(proxy, origin, 2)

        # 127.0.0.2 has its own count, so two more connections are served.
        self.open_served(proxy, origin, 2, source="127.0.0.2")

        for source in ("127.0.0.1", "127.0.0.2"):
            with self.subTest(source=source):
                client = SourceClient(proxy.port, source, timeout=LIMIT_ANSWER_TIME + 2)
                self.addCleanup(client.close)
                self.assert_rejected_at_once(client, 429, "client_connection_limit")


class RequestBodyLimitTest(fwdtest.ProxyTestCase):
    def start_limited_proxy(self):
        return self.start_proxy({"proxy.limits.maxRequestBody": str(MAX_REQUEST_BODY)})

    def post(self, proxy, request):
        """Send `request` on a new connection and return (client, response)."""
        client = self.connect(proxy)
        client.send(request)
        return client, client.read_response()

    def test_content_length_over_limit(self):
        origin = self.start_origin()
        proxy = self.start_limited_proxy()
        url = origin.url("/upload")

        for size in (2000, MAX_REQUEST_BODY + 1):
            with self.subTest(size=size):
                client, response = self.post(proxy, post_request(url, b"a" * size))
                self.assert_error_response(response, 413, "body_too_large")
                self.assertTrue(client.wait_closed(), "proxy kept the connection open after 413")

        self.assert_access_logged(proxy, "POST", url, 413, "body_too_large")
        time.sleep(LATE_CONNECTION_WAIT)
        self.assertEqual(origin.connection_count, 0, "the origin received a connection")

    def test_content_length_within_limit(self):
        origin = self.start_origin()
        proxy = self.start_limited_proxy()

        for size in (500, MAX_REQUEST_BODY):
            with self.subTest(size=size):
                body = fwdtest.generated_body(size, seed=b"within")
                _, response = self.post(proxy, post_request(origin.url(f"/upload-{size}"), body))
                self.assertEqual(response.status, 200, repr(response))
                self.assertEqual(origin.requests[-1].body, body)

    def test_chunked_over_limit(self):
        def record_body(conn, reader):
            conn.settimeout(5)
            request = fwdtest.read_request(reader, with_body=False)
            if request is None:
                return ("no request", 0)
            try:
                body, _ = reader.read_chunked()
            except fwdtest.IncompleteMessage as error:
                return ("incomplete", len(error.partial))
            return ("complete", len(body))

        origin = self.start_server(fwdtest.ScriptedOrigin(record_body))
        proxy = self.start_limited_proxy()
        url = origin.url("/chunked")
        request = post_request(url, b"c" * 5000, chunks=10)

        # The chunks go out in pieces, so the proxy has likely forwarded the
        # first ones before the body passes the limit.
        client = self.connect(proxy)
        head_end = request.index(b"\r\n\r\n") + 4
        client.send(request[:head_end])
        for offset in range(head_end, len(request), 512):
            try:
                client.send(request[offset : offset + 512])
            except (BrokenPipeError, ConnectionResetError):
                break  # the proxy sent its response and closed, which the checks below cover
            time.sleep(0.02)
        response = client.read_response("POST")

        self.assert_error_response(response, 413, "body_too_large")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after 413")
        self.assert_access_logged(proxy, "POST", url, 413, "body_too_large")

        # Either the proxy never connected, or it closed the origin connection
        # inside the body, before the last chunk.
        time.sleep(LATE_CONNECTION_WAIT)
        if origin.connection_count:
            results = origin.wait_for_results(1, timeout=6)
            self.assertEqual(origin.errors, [], "origin connection stayed open or failed")
            self.assertEqual(len(results), 1, results)
            outcome, forwarded = results[0]
            self.assertIn(outcome, ("incomplete", "no request"), f"the origin received a {outcome} body")
            self.assertLessEqual(forwarded, MAX_REQUEST_BODY, "more body bytes than the limit reached the origin")

    def test_chunked_within_limit(self):
        origin = self.start_origin()
        proxy = self.start_limited_proxy()

        for size in (500, MAX_REQUEST_BODY):
            with self.subTest(size=size):
                body = fwdtest.generated_body(size, seed=b"chunked")
                _, response = self.post(proxy, post_request(origin.url(f"/chunked-{size}"), body, chunks=4))
                self.assertEqual(response.status, 200, repr(response))
                self.assertEqual(origin.requests[-1].body, body)

        over_limit = b"x" * (MAX_REQUEST_BODY + 1)
        _, response = self.post(proxy, post_request(origin.url("/chunked-over"), over_limit, chunks=4))
        self.assert_error_response(response, 413, "body_too_large")

    def test_curl_upload(self):
        origin = self.start_origin()
        proxy = self.start_limited_proxy()
        with open(os.path.join(self.temporary_folder(), "large"), "wb") as large:
            large.write(b"L" * 2000)

        # curl sends this body right after the head, without Expect: 100-continue,
        # so the 413 must reach it while the proxy still has unread body bytes.
        result = fwdtest.run_curl(
            "-x", proxy.url, "--data-binary", f"@{large.name}", "-o", "/dev/null", "-w", "%{http_code}",
            origin.url("/large"),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"413")

        result = fwdtest.run_curl("-x", proxy.url, "--data-binary", "s" * 500, origin.url("/small"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual([request.path for request in origin.requests], ["/small"])
        self.assertEqual(origin.requests[0].body, b"s" * 500)

    def temporary_folder(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-limits-")
        self.addCleanup(folder.cleanup)
        return folder.name


class SlowClientTest(fwdtest.ProxyTestCase):
    HEADER_TIMEOUT = 2.0
    SLOW_CONNECTIONS = 200
    BYTE_INTERVAL = 0.5
    # Seconds the normal client keeps sending requests, long enough to cover the
    # moment the slow connections time out.
    NORMAL_DURATION = 5.0
    NORMAL_INTERVAL = 0.1
    NORMAL_MAX_TIME = 1.0
    # A slow connection must end between the header timeout and this many
    # seconds after it opened.
    SLOW_END_LIMIT = 4.0

    def run_normal_client(self, proxy, url, results):
        """Send a GET on a new connection every NORMAL_INTERVAL s, appending (status or error, seconds) to results."""
        deadline = time.monotonic() + self.NORMAL_DURATION
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with fwdtest.Client(proxy.port, timeout=3) as client:
                    client.send(fwdtest.absolute_get(url))
                    outcome = client.read_response().status
            except (OSError, fwdtest.IncompleteMessage) as error:
                outcome = repr(error)
            elapsed = time.monotonic() - started
            results.append((outcome, elapsed))
            time.sleep(max(0.0, self.NORMAL_INTERVAL - elapsed))

    def test_slow_heads_isolated(self):
        origin = self.start_origin(routes={"/normal": fwdtest.Fixed(b"normal\n")})
        # The per-client limit is raised because every test connection comes from 127.0.0.1.
        proxy = self.start_proxy(
            {"proxy.timeouts.header": str(self.HEADER_TIMEOUT), "proxy.limits.maxConnectionsPerClient": "1000"}
        )
        head = fwdtest.absolute_get(origin.url("/slow"), extra_headers=[("X-Padding", "p" * 64)])

        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        slow = []  # dicts: socket, opened, bytes sent, bytes received, ended
        for _ in range(self.SLOW_CONNECTIONS):
            sock = socket.create_connection((fwdtest.LOOPBACK, proxy.port), timeout=5)
            self.addCleanup(sock.close)
            sock.setblocking(False)
            entry = {"sock": sock, "opened": time.monotonic(), "sent": 0, "received": b"", "ended": None}
            selector.register(sock, selectors.EVENT_READ, entry)
            slow.append(entry)

        normal_results = []
        normal = threading.Thread(
            target=self.run_normal_client, args=(proxy, origin.url("/normal"), normal_results), daemon=True
        )
        normal.start()

        stop_at = time.monotonic() + self.SLOW_END_LIMIT + 2
        next_byte = time.monotonic()
        while time.monotonic() < stop_at and any(entry["ended"] is None for entry in slow):
            if time.monotonic() >= next_byte:
                for entry in slow:
                    if entry["ended"] is None and entry["sent"] < len(head):
                        try:
                            entry["sock"].send(head[entry["sent"] : entry["sent"] + 1])
                            entry["sent"] += 1
                        except (BlockingIOError, InterruptedError):
                            pass
                        except OSError:
                            entry["ended"] = time.monotonic()
                            selector.unregister(entry["sock"])
                next_byte += self.BYTE_INTERVAL
            for key, _ in selector.select(timeout=0.05):
                entry = key.data
                try:
                    data = entry["sock"].recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data:
                    entry["received"] += data
                else:
                    entry["ended"] = time.monotonic()
                    selector.unregister(entry["sock"])

        normal.join(self.NORMAL_DURATION + 5)
        self.assertFalse(normal.is_alive(), "the normal client did not finish")

        # The normal client was served throughout, and promptly.
        self.assertGreaterEqual(len(normal_results), 20, normal_results)
        failed = [result for result in normal_results if result[0] != 200]
        self.assertEqual(failed, [], "normal requests that failed")
        slowest = max(elapsed for _, elapsed in normal_results)
        self.assertLess(slowest, self.NORMAL_MAX_TIME, f"slowest normal request took {slowest:.2f} s")

        # Each slow connection got a 408 or was closed, after the header timeout
        # and not much later.
        still_open = [entry for entry in slow if entry["ended"] is None]
        self.assertEqual(len(still_open), 0, f"{len(still_open)} slow connections still open")
        durations = [entry["ended"] - entry["opened"] for entry in slow]
        self.assertGreaterEqual(min(durations), self.HEADER_TIMEOUT - 0.1, "a slow connection ended early")
        self.assertLessEqual(max(durations), self.SLOW_END_LIMIT, "a slow connection ended late")
        for entry in slow:
            if entry["received"]:
                self.assertTrue(entry["received"].startswith(b"HTTP/1.1 408 "), entry["received"][:200])
                self.assertIn(b"X-Fwdproxy-Error: header_timeout", entry["received"])
        slow_requests = [request for request in origin.requests if request.path == "/slow"]
        self.assertEqual(slow_requests, [], "a slow request head reached the origin")


if __name__ == "__main__":
    fwdtest.main()
