"""Live trace (--trace): forwarded heads, masking, filters, tunnels, colour."""

import base64
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# A trace line after the default trace format's "HH:MM:SS.mmm" time.
TRACE_LINE = re.compile(
    r"^\d\d:\d\d:\d\d\.\d{3} (?P<client>\d+\.\d+\.\d+\.\d+:\d+) #(?P<id>\d+) (?P<marker>[<>*=]) (?P<text>.*)$"
)
ANSI_ESCAPE = "\x1b["
SUMMARY = re.compile(r"^(?P<status>\d+) (?P<phrase>.*), (?P<bytes>\d+) bytes? to client, (?P<rest>.*)$")


def client_address(client):
    host, port = client.sock.getsockname()[:2]
    return f"{host}:{port}"


def trace_lines(proxy, address):
    """Return (connection id, marker, text) for each trace line of the client at `address`."""
    lines = []
    for line in proxy.output().splitlines():
        match = TRACE_LINE.match(line)
        if match and match.group("client") == address:
            lines.append((match.group("id"), match.group("marker"), match.group("text")))
    return lines


def response_size(response):
    """Return the bytes of a Content-Length response as sent: status line, fields, empty line, body."""
    head = "\r\n".join([response.status_line, *response.header_lines]) + "\r\n\r\n"
    return len(head.encode("latin-1")) + len(response.body)


class TraceTestCase(fwdtest.ProxyTestCase):
    def wait_for_summary(self, proxy, address):
        """Wait for the summary line ("=") of the client at `address` and return its text."""
        match = self.assert_logged(proxy, rf" {re.escape(address)} #\d+ = (.*)$")
        return match.group(1)

    def texts(self, lines, marker):
        return [text for _, item, text in lines if item == marker]


class TraceHeadsTest(TraceTestCase):
    def test_heads_as_forwarded_and_received(self):
        body = b"hello trace\n"
        route = fwdtest.Fixed(body, headers=[("X-Origin", "yes"), ("Cache-Control", "no-store")])
        origin = self.start_origin(routes={"/page": route})
        proxy = self.start_proxy(args=["--trace"])

        client = self.connect(proxy)
        url = origin.url("/page?x=1")
        headers = [("Host", origin.authority), ("User-Agent", "trace-test/1"), ("Accept", "*/*"),
                   ("X-Custom", "value with spaces")]
        response = client.request("GET", url, headers)
        self.assertEqual(response.status, 200)
        address = client_address(client)
        summary = self.wait_for_summary(proxy, address)

        received = origin.wait_for_requests(1)[0]
        lines = trace_lines(proxy, address)
        self.assertEqual(self.texts(lines, ">"), [received.request_line, *received.header_lines],
                         "the trace must show the request exactly as the origin received it")
        self.assertEqual(self.texts(lines, "<"), [
            "HTTP/1.1 200 OK",
            "Content-Type: application/octet-stream",
            f"Content-Length: {len(body)}",
            "X-Origin: yes",
            "Cache-Control: no-store",
        ])

        match = SUMMARY.match(summary)
        self.assertIsNotNone(match, summary)
        self.assertEqual(match.group("status"), "200")
        self.assertEqual(match.group("phrase"), "OK")
        self.assertEqual(int(match.group("bytes")), response_size(response))
        timing = re.fullmatch(r"response head after (\d+) ms, total (\d+) ms", match.group("rest"))
        self.assertIsNotNone(timing, summary)
        self.assertLessEqual(int(timing.group(1)), int(timing.group(2)))

        # Every line carries the access log's connection number.
        access = self.assert_access_logged(proxy, "GET", url, 200)
        connection = re.search(r"#(\d+)", access.group(0)).group(1)
        self.assertEqual({item for item, _, _ in lines}, {connection})
        self.assertNotIn(ANSI_ESCAPE, proxy.output(), "colour codes although standard error is a pipe")

    def test_interim_response_traced(self):
        origin = self.start_origin()
        proxy = self.start_proxy(args=["--trace"])

        client = self.connect(proxy)
        body = b"upload"
        headers = [("Host", origin.authority), ("Expect", "100-continue"), ("Content-Length", str(len(body)))]
        response = client.request("POST", origin.url("/upload"), headers, body)
        self.assertEqual(response.status, 200)
        address = client_address(client)
        self.wait_for_summary(proxy, address)

        status_lines = [text for text in self.texts(trace_lines(proxy, address), "<") if text.startswith("HTTP/")]
        self.assertEqual(status_lines, ["HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"])

    def test_trace_off_by_default(self):
        origin = self.start_origin()
        proxy = self.start_proxy()

        client = self.connect(proxy)
        url = origin.url("/quiet")
        self.assertEqual(client.request("GET", url, [("Host", origin.authority)]).status, 200)
        self.assert_access_logged(proxy, "GET", url, 200)
        self.assertEqual(trace_lines(proxy, client_address(client)), [])

    def test_concurrent_exchanges_stay_apart(self):
        slow = fwdtest.Slow(piece_size=1000, pieces=4, interval=0.1)
        origin = self.start_origin(routes={"/slow": slow})
        proxy = self.start_proxy(args=["--trace"])

        clients = [self.connect(proxy) for _ in range(3)]
        results = {}

        def fetch(index, client):
            results[index] = client.request("GET", origin.url(f"/slow?n={index}"), [("Host", origin.authority)])

        threads = [threading.Thread(target=fetch, args=(index, client)) for index, client in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(fwdtest.IO_TIMEOUT)
        self.assertEqual(sorted(results), [0, 1, 2])

        for index, client in enumerate(clients):
            address = client_address(client)
            self.wait_for_summary(proxy, address)
            lines = trace_lines(proxy, address)
            self.assertEqual(len({item for item, _, _ in lines}), 1, f"one connection number per client: {lines}")
            requests = self.texts(lines, ">")
            self.assertEqual(requests[0], f"GET /slow?n={index} HTTP/1.1")
            self.assertEqual(self.texts(lines, "<")[0], "HTTP/1.1 200 OK")
            self.assertEqual(len(self.texts(lines, "=")), 1)


class TraceMaskingTest(TraceTestCase):
    AUTHORIZATION = "Bearer trace-secret-token-123"
    COOKIE = "session=trace-cookie-456; theme=dark"
    SET_COOKIE = "id=trace-set-cookie-789; Path=/; HttpOnly"

    def exchange(self, args):
        route = fwdtest.Fixed(b"ok", headers=[("Set-Cookie", self.SET_COOKIE)])
        origin = self.start_origin(routes={"/login": route})
        proxy = self.start_proxy(args=args)

        client = self.connect(proxy)
        headers = [("Host", origin.authority), ("Authorization", self.AUTHORIZATION), ("Cookie", self.COOKIE)]
        self.assertEqual(client.request("GET", origin.url("/login"), headers).status, 200)
        address = client_address(client)
        self.wait_for_summary(proxy, address)

        # Masking changes only what is shown: the origin gets the real values.
        received = origin.wait_for_requests(1)[0]
        self.assertEqual(received.values("Authorization"), [self.AUTHORIZATION])
        self.assertEqual(received.values("Cookie"), [self.COOKIE])
        return proxy, trace_lines(proxy, address)

    def test_secrets_masked_by_default(self):
        proxy, lines = self.exchange(["--trace"])
        requests = self.texts(lines, ">")
        responses = self.texts(lines, "<")
        self.assertIn(f"Authorization: <masked {len(self.AUTHORIZATION)} bytes>", requests)
        self.assertIn(f"Cookie: <masked {len(self.COOKIE)} bytes>", requests)
        self.assertIn(f"Set-Cookie: <masked {len(self.SET_COOKIE)} bytes>", responses)
        output = proxy.output()
        for secret in ("trace-secret-token-123", "trace-cookie-456", "trace-set-cookie-789"):
            self.assertNotIn(secret, output)

    def test_secrets_shown_when_asked(self):
        _, lines = self.exchange(["--trace", "--trace-secrets"])
        self.assertIn(f"Authorization: {self.AUTHORIZATION}", self.texts(lines, ">"))
        self.assertIn(f"Cookie: {self.COOKIE}", self.texts(lines, ">"))
        self.assertIn(f"Set-Cookie: {self.SET_COOKIE}", self.texts(lines, "<"))

    def test_secrets_property(self):
        _, lines = self.exchange(["-D", "proxy.trace=true", "-D", "proxy.trace.secrets=true"])
        self.assertIn(f"Authorization: {self.AUTHORIZATION}", self.texts(lines, ">"))


class TraceFilterTest(TraceTestCase):
    def request_from_new_client(self, proxy, target, host):
        client = self.connect(proxy)
        response = client.request("GET", target, [("Host", host)])
        return client, response

    def test_host_filter(self):
        origin = self.start_origin()
        proxy = self.start_proxy(args=["--trace", "--trace-host=127.0.0.1"])

        traced, response = self.request_from_new_client(proxy, origin.url("/in"), origin.authority)
        self.assertEqual(response.status, 200)
        # Names under .invalid fail before any lookup, so this one never leaves the machine.
        skipped, response = self.request_from_new_client(proxy, "http://skipped.invalid/", "skipped.invalid")
        self.assertEqual(response.status, 502)

        self.wait_for_summary(proxy, client_address(traced))
        self.assert_access_logged(proxy, "GET", "http://skipped.invalid/", 502, "dns_failure")
        self.assertEqual(trace_lines(proxy, client_address(skipped)), [])

    def test_host_filter_domain_and_regex(self):
        origin = self.start_origin()
        defines = {"proxy.trace": "true", "proxy.trace.hosts": ".invalid, ~other-[0-9]+\\.test"}
        proxy = self.start_proxy(defines)

        skipped, response = self.request_from_new_client(proxy, origin.url("/out"), origin.authority)
        self.assertEqual(response.status, 200)
        traced, _ = self.request_from_new_client(proxy, "http://a.b.invalid/", "a.b.invalid")
        by_regex, _ = self.request_from_new_client(proxy, "http://other-12.test/", "other-12.test")

        self.wait_for_summary(proxy, client_address(traced))
        self.wait_for_summary(proxy, client_address(by_regex))
        self.assert_access_logged(proxy, "GET", origin.url("/out"), 200)
        self.assertEqual(trace_lines(proxy, client_address(skipped)), [])

        lines = trace_lines(proxy, client_address(traced))
        self.assertEqual(self.texts(lines, "*"), ["GET http://a.b.invalid/ HTTP/1.1 (not forwarded)"])
        summary = self.texts(lines, "=")[0]
        self.assertRegex(summary, r"^502 dns_failure from fwdproxy, \d+ bytes to client, total \d+ ms$")

    def test_method_filter(self):
        origin = self.start_origin()
        proxy = self.start_proxy(args=["--trace", "--trace-method=post", "--trace-method=PUT"])

        get_client = self.connect(proxy)
        self.assertEqual(get_client.request("GET", origin.url("/get"), [("Host", origin.authority)]).status, 200)
        post_client = self.connect(proxy)
        headers = [("Host", origin.authority), ("Content-Length", "4")]
        self.assertEqual(post_client.request("POST", origin.url("/post"), headers, b"data").status, 200)
        put_client = self.connect(proxy)
        self.assertEqual(put_client.request("PUT", origin.url("/put"), headers, b"data").status, 200)

        self.wait_for_summary(proxy, client_address(post_client))
        self.wait_for_summary(proxy, client_address(put_client))
        self.assert_access_logged(proxy, "GET", origin.url("/get"), 200)
        self.assertEqual(trace_lines(proxy, client_address(get_client)), [])
        self.assertEqual(self.texts(trace_lines(proxy, client_address(post_client)), ">")[0], "POST /post HTTP/1.1")
        self.assertEqual(self.texts(trace_lines(proxy, client_address(put_client)), ">")[0], "PUT /put HTTP/1.1")


class TraceTunnelTest(TraceTestCase):
    def test_connect_shows_target_bytes_and_duration(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy = self.start_proxy({"proxy.connect.ports": str(peer.port)}, args=["--trace"])

        client = self.connect(proxy)
        payload = b"\x16\x03\x01 pretend ClientHello " * 10
        status, greeting, reply = fwdtest.exchange_through_tunnel(client, peer, payload)
        self.assertEqual(status, 200)
        self.assertEqual(reply, fwdtest.TunnelPeer.expected_reply(payload))

        address = client_address(client)
        summary = self.wait_for_summary(proxy, address)
        to_client = len(greeting) + len(reply)
        self.assertRegex(
            summary,
            rf"^tunnel to {re.escape(peer.authority)} closed: {len(payload)} bytes client to origin, "
            rf"{to_client} bytes origin to client, total \d+ ms$",
        )
        notes = self.texts(trace_lines(proxy, address), "*")
        self.assertEqual(len(notes), 1, notes)
        self.assertRegex(notes[0], rf"^CONNECT {re.escape(peer.authority)}: tunnel open to 127\.0\.0\.1 after \d+ ms$")
        # Tunnel content is opaque (TLS, usually), so none of it is printed.
        self.assertEqual(self.texts(trace_lines(proxy, address), ">"), [])

    def test_rejected_connect(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy = self.start_proxy(args=["--trace"])

        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
        self.assertEqual(client.read_response("CONNECT").status, 403)

        address = client_address(client)
        summary = self.wait_for_summary(proxy, address)
        self.assertRegex(summary, r"^403 connect_port_denied from fwdproxy, \d+ bytes to client, total \d+ ms$")
        notes = self.texts(trace_lines(proxy, address), "*")
        self.assertEqual(notes, [f"CONNECT {peer.authority} HTTP/1.1 (not forwarded)"])


def switch_and_answer(conn, reader):
    """Origin script: respond to an Upgrade request with 101, then send "pong" after "ping" and close."""
    fwdtest.read_request(reader)
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
    while len(reader.buffer) < 4:
        data = conn.recv(4 - len(reader.buffer))
        if not data:
            return None
        reader.buffer += data
    conn.sendall(b"pong")
    return bytes(reader.buffer)


class TraceUpgradeTest(TraceTestCase):
    def test_switch_shows_head_and_tunnel(self):
        origin = self.start_server(fwdtest.ScriptedOrigin(switch_and_answer))
        proxy = self.start_proxy(args=["--trace"])

        client = self.connect(proxy)
        headers = [("Host", origin.authority), ("Connection", "Upgrade"), ("Upgrade", "test")]
        client.send(fwdtest.build_request("GET", origin.url("/switch"), headers))
        head = client.reader.read_head()
        self.assertTrue(head.startswith(b"HTTP/1.1 101 "), head)
        client.send(b"ping")
        self.assertEqual(client.reader.read_exact(4), b"pong")
        client.sock.shutdown(socket.SHUT_WR)
        client.reader.read_to_eof()

        address = client_address(client)
        summary = self.wait_for_summary(proxy, address)
        lines = trace_lines(proxy, address)
        self.assertEqual(self.texts(lines, ">")[0], "GET /switch HTTP/1.1")
        self.assertIn("Upgrade: test", self.texts(lines, ">"))
        self.assertEqual(self.texts(lines, "<")[0], "HTTP/1.1 101 Switching Protocols")
        self.assertRegex(summary, rf"^tunnel to {re.escape(origin.url('/switch'))} closed: 4 bytes client to origin, "
                                  r"4 bytes origin to client, total \d+ ms$")


class TraceParentTest(TraceTestCase):
    def test_request_to_parent_as_sent(self):
        origin = self.start_origin()
        parent = self.start_proxy({"proxy.via.pseudonym": "parent"})
        password = "parent-secret-5521"
        upstream = {
            "proxy.via.pseudonym": "child",
            "proxy.upstream.order": "corp",
            "proxy.upstream.corp.url": f"http://child:{password}@{fwdtest.LOOPBACK}:{parent.port}",
        }
        child = self.start_proxy(upstream, args=["--trace"])

        client = self.connect(child)
        url = origin.url("/through-parent")
        self.assertEqual(client.request("GET", url, [("Host", origin.authority)]).status, 200)
        address = client_address(client)
        self.wait_for_summary(child, address)

        # The parent gets the absolute URI and the child's own credentials, masked in the trace.
        requests = self.texts(trace_lines(child, address), ">")
        self.assertEqual(requests[0], f"GET {url} HTTP/1.1")
        credentials = "Basic " + base64.b64encode(f"child:{password}".encode("ascii")).decode("ascii")
        self.assertIn(f"Proxy-Authorization: <masked {len(credentials)} bytes>", requests)
        self.assertNotIn(password, child.output())


class TraceReloadTest(TraceTestCase):
    def test_reload_keeps_tracing_and_warns(self):
        origin = self.start_origin()
        proxy = self.start_proxy(config="proxy.trace = false\n")

        start = proxy.line_count()
        with open(proxy.config_path, "w", encoding="utf-8") as config_file:
            config_file.write("proxy.trace = true\n")
        proxy.signal(signal.SIGHUP)
        self.assert_logged(proxy, r"proxy\.trace\.\* and proxy\.har\.\* take effect only after a restart", start=start)
        self.assert_logged(proxy, r"configuration reloaded", start=start)

        client = self.connect(proxy)
        url = origin.url("/after-reload")
        self.assertEqual(client.request("GET", url, [("Host", origin.authority)]).status, 200)
        self.assert_access_logged(proxy, "GET", url, 200, start=start)
        self.assertEqual(trace_lines(proxy, client_address(client)), [])


class TraceColourTest(fwdtest.ProxyTestCase):
    """The proxy's standard error goes to a pseudo-terminal here, which the harness does not do."""

    def run_on_terminal(self, environment):
        origin = self.start_origin()
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        self.addCleanup(folder.cleanup)
        config = os.path.join(folder.name, "fwdproxy.properties")
        with open(config, "w", encoding="utf-8") as config_file:
            config_file.write("# written by the fwdproxy integration tests\n")

        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        command = [fwdtest.proxy_binary(), f"--config={config}", "-D", f"proxy.listen={fwdtest.LOOPBACK}:0",
                   "-D", "proxy.destinations.denyNetworks=", "--trace"]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=folder.name,
                                   env=fwdtest.client_environment(**environment))
        os.close(slave)
        self.addCleanup(self.stop_process, process)

        output = bytearray()
        port = int(self.read_until(master, output, rb"listening on 127\.0\.0\.1:(\d+)").group(1))
        with fwdtest.Client(port) as client:
            self.assertEqual(client.request("GET", origin.url("/colour"), [("Host", origin.authority)]).status, 200)
        self.read_until(master, output, rb"#\d+(?:\x1b\[0m)? = ")
        return output.decode("utf-8", "replace")

    def read_until(self, master, output, pattern):
        deadline = time.monotonic() + fwdtest.STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(pattern, bytes(output))
            if match:
                return match
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    output += os.read(master, 65536)
                except OSError:
                    break
        self.fail(f"no output matches {pattern!r} within {fwdtest.STARTUP_TIMEOUT} s:\n{bytes(output)!r}")

    def stop_process(self, process):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            self.assertEqual(process.wait(fwdtest.STOP_TIMEOUT), 0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(fwdtest.THREAD_JOIN_TIMEOUT)
            raise

    def test_colour_on_terminal(self):
        output = self.run_on_terminal({})
        request_line = re.search(r"> \x1b\[1;36mGET /colour HTTP/1\.1\x1b\[0m", output)
        self.assertIsNotNone(request_line, f"no coloured request line in {output!r}")
        self.assertIsNotNone(re.search(r"< \x1b\[1;32mHTTP/1\.1 200 OK\x1b\[0m", output), output)

    def test_no_colour_with_no_color(self):
        output = self.run_on_terminal({"NO_COLOR": "1"})
        self.assertIn("> GET /colour HTTP/1.1", output)
        self.assertNotIn(ANSI_ESCAPE, output)


if __name__ == "__main__":
    fwdtest.main()
