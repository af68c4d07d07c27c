"""PROXY protocol listeners.

The tests cover the real client address from version 1 and 2 headers in
client rules, limits and logs, invalid headers, TLS after the header, and two
fwdproxy instances behind HAProxy.
"""

import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaintest  # noqa: E402
import fwdtest  # noqa: E402

PAGE = b"page for the real client\n"

HAPROXY_CONFIG = """\
# Written by the fwdproxy integration tests: HAProxy in TCP mode on 127.0.0.1
# in front of two fwdproxy instances, passing the client address on with the
# PROXY protocol version 2.
global
    maxconn 100

defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend proxies
    bind 127.0.0.1:{port}
    default_backend fwdproxy

backend fwdproxy
    balance roundrobin
    server first 127.0.0.1:{first} send-proxy-v2 check check-send-proxy inter 1s
    server second 127.0.0.1:{second} send-proxy-v2 check check-send-proxy inter 1s
"""


class ProxyProtocolTest(fwdtest.ProxyTestCase):
    def start_balanced_proxy(self, defines=None, listen="proxy"):
        """Start fwdproxy with one plain listener and one `listen`-marked listener; returns (proxy, marked port)."""
        settings = {"proxy.listen": f"{fwdtest.LOOPBACK}:0, {listen}:{fwdtest.LOOPBACK}:0"}
        settings.update(defines or {})
        proxy = self.start_proxy(settings)
        return proxy, proxy.listener_ports(2)[1][0]

    def connect_port(self, port):
        client = fwdtest.Client(port)
        self.addCleanup(client.close)
        return client

    def test_version1_address_in_log(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_balanced_proxy({"proxy.forwardedFor": "add"})

        client = self.connect_port(port)
        client.send(chaintest.proxy_header_v1("10.1.2.3", 51000))
        response = client.request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.body, PAGE)

        self.assert_logged(proxy, chaintest.access_log_client_pattern("10.1.2.3", "GET", origin.url("/page"), 200))
        self.assertIn("10.1.2.3:51000", proxy.output())
        self.assertEqual(origin.wait_for_requests(1)[0].values("X-Forwarded-For"), ["10.1.2.3"])

    def test_version2_ipv6_address_in_log(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_balanced_proxy()

        client = self.connect_port(port)
        tlv = bytes([0x01, 0x00, 0x02]) + b"h2"
        client.send(chaintest.proxy_header_v2("fd00::5", 40000, "fd00::1", 3128, tlv))
        self.assertEqual(client.request("GET", origin.url("/page"), [("Host", origin.authority)]).status, 200)
        self.assert_logged(proxy, chaintest.access_log_client_pattern("fd00::5", "GET", origin.url("/page"), 200))

    def test_header_split_into_bytes(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_balanced_proxy()

        client = self.connect_port(port)
        header = chaintest.proxy_header_v2("10.7.7.7", 1234)
        for index in range(len(header)):
            client.send(header[index:index + 1])
            time.sleep(0.002)
        self.assertEqual(client.request("GET", origin.url("/page"), [("Host", origin.authority)]).status, 200)
        self.assert_logged(proxy, chaintest.access_log_client_pattern("10.7.7.7", "GET", origin.url("/page"), 200))

    def test_local_command_uses_connection_address(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_balanced_proxy()

        client = self.connect_port(port)
        client.send(chaintest.proxy_header_v2_local())
        self.assertEqual(client.request("GET", origin.url("/page"), [("Host", origin.authority)]).status, 200)
        self.assert_logged(proxy, chaintest.access_log_client_pattern(fwdtest.LOOPBACK, "GET", origin.url("/page"), 200))

    def test_client_rules_use_real_address(self):
        origin = self.start_origin()
        proxy, port = self.start_balanced_proxy({"proxy.clients.deny": "10.9.9.9"})

        denied = self.connect_port(port)
        denied.send(chaintest.proxy_header_v1("10.9.9.9", 5555))
        response = denied.request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 403, "client_denied", "10.9.9.9:5555")

        allowed = self.connect_port(port)
        allowed.send(chaintest.proxy_header_v1("10.9.9.8", 5556))
        self.assertEqual(allowed.request("GET", origin.url("/"), [("Host", origin.authority)]).status, 200)

    def test_limits_count_real_address(self):
        origin = self.start_origin()
        proxy, port = self.start_balanced_proxy({"proxy.limits.maxConnectionsPerClient": "1"})

        first = self.connect_port(port)
        first.send(chaintest.proxy_header_v1("10.0.0.1", 1000))
        self.assertEqual(first.request("GET", origin.url("/"), [("Host", origin.authority)]).status, 200)

        # Every connection comes from the balancer's address, but only the same client is limited.
        other = self.connect_port(port)
        other.send(chaintest.proxy_header_v1("10.0.0.2", 1000))
        self.assertEqual(other.request("GET", origin.url("/"), [("Host", origin.authority)]).status, 200)

        again = self.connect_port(port)
        again.send(chaintest.proxy_header_v1("10.0.0.1", 1001))
        self.assert_error_response(again.read_response(), 429, "client_connection_limit")
        self.assert_logged(proxy, r"10\.0\.0\.1:1001 #\d+ - - 429 ")

    def test_missing_header_closes(self):
        origin = self.start_origin()
        proxy, port = self.start_balanced_proxy()

        for data in (fwdtest.absolute_get(origin.url("/")), b"PROXY TCP4 10.1.1.1 10.1.1.2 99999 1\r\n"):
            client = self.connect_port(port)
            client.send(data)
            self.assertTrue(client.wait_closed(), f"the proxy answered {data!r}")
        self.assert_logged(proxy, r"127\.0\.0\.1:\d+ #\d+: not a PROXY protocol header; connection closed")
        self.assert_logged(proxy, r"PROXY v1 source port is invalid; connection closed")
        self.assertEqual(origin.connection_count, 0)

    def test_header_timeout(self):
        proxy, port = self.start_balanced_proxy({"proxy.timeouts.header": "1"})

        client = self.connect_port(port)
        client.send(b"PROXY TCP4 10.1.1.1")
        started = time.monotonic()
        self.assertTrue(client.wait_closed(timeout=5), "the proxy kept waiting for the rest of the header")
        self.assertGreaterEqual(time.monotonic() - started, 0.8)
        self.assert_logged(proxy, r"no complete PROXY protocol header in time; connection closed")

    def test_plain_listener_ignores_header(self):
        # A listener without the proxy: mark takes a header for a malformed request.
        origin = self.start_origin()
        proxy, _ = self.start_balanced_proxy()

        client = self.connect(proxy)
        client.send(chaintest.proxy_header_v1("10.1.2.3", 51000) + fwdtest.absolute_get(origin.url("/")))
        self.assertEqual(client.read_response().status, 400)

    def test_header_before_tls(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-tls-")
        self.addCleanup(folder.cleanup)
        certificate, key = chaintest.make_certificate(folder.name)
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_balanced_proxy(
            {"proxy.tls.certificate": certificate, "proxy.tls.key": key}, listen="proxy+tls"
        )
        self.assertEqual(proxy.listener_ports(2)[1][1], "with TLS and the PROXY protocol")

        client = chaintest.TlsClient(port, certificate, before_handshake=chaintest.proxy_header_v2("10.4.4.4", 4444))
        self.addCleanup(client.close)
        response = client.request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.body, PAGE)
        self.assert_logged(proxy, chaintest.access_log_client_pattern("10.4.4.4", "GET", origin.url("/page"), 200))


class HaproxyTest(fwdtest.ProxyTestCase):
    """Two fwdproxy instances behind HAProxy, the documented way to spread load."""

    def setUp(self):
        self.haproxy = chaintest.find_program("haproxy")
        if self.haproxy is None:
            self.skipTest("haproxy is not installed (Debian package haproxy; tests/run-all.sh installs it)")

    def test_real_client_address_behind_haproxy(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        instances = []
        for _ in range(2):
            proxy = self.start_proxy({"proxy.listen": f"proxy:{fwdtest.LOOPBACK}:0"})
            instances.append(proxy)
        ports = [proxy.listener_ports(1)[0][0] for proxy in instances]

        balancer = chaintest.HelperProgram(
            "haproxy", "haproxy.cfg", HAPROXY_CONFIG.replace("{first}", str(ports[0])).replace("{second}", str(ports[1])),
            lambda config: [self.haproxy, "-db", "-f", config],
        )
        balancer.start()
        self.addCleanup(balancer.stop)

        # The client connects from 127.0.0.3, and HAProxy from 127.0.0.1, so
        # the logged address shows which one fwdproxy took for the client.
        for _ in range(4):
            sock = socket.create_connection((fwdtest.LOOPBACK, balancer.port), timeout=fwdtest.IO_TIMEOUT,
                                            source_address=("127.0.0.3", 0))
            with sock:
                sock.sendall(fwdtest.absolute_get(origin.url("/page"), extra_headers=[("Connection", "close")]))
                response = fwdtest.read_response(fwdtest.SocketReader(sock))
            self.assertEqual(response.status, 200, repr(response))
            self.assertEqual(response.body, PAGE)

        pattern = chaintest.access_log_client_pattern("127.0.0.3", "GET", origin.url("/page"), 200)
        for proxy in instances:
            self.assert_logged(proxy, pattern)
        self.assertEqual(len(origin.wait_for_requests(4)), 4)


if __name__ == "__main__":
    fwdtest.main()
