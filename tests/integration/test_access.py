"""Access control: client rules, destination host rules, the network guard, CONNECT
port ranges, and the client fields and headers the proxy forwards.

Names under .invalid never resolve (RFC 6761). The tests use them only where the
rules must reject the request before any DNS lookup, and reach origins on
127.0.0.1 through "localhost" or the address itself.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Exit code for a configuration error (EX_CONFIG in sysexits.h).
EX_CONFIG = 78

LISTEN_LOOPBACK = ["-D", f"proxy.listen={fwdtest.LOOPBACK}:0"]

# Seconds a run with an invalid value may take before it is killed. A proxy that
# accepts the value keeps running, so this bounds each failing case.
EXIT_TIMEOUT = 5

# Seconds to wait after a rejection before checking that an origin saw no
# connection, so that a late connection attempt would be counted.
LATE_CONNECTION_WAIT = 0.2

DENIED_BY_DENY_LIST = b"matched by proxy.destinations.deny"
NOT_IN_ALLOW_LIST = b"not in proxy.destinations.allow"

# Client-sent values of the fields that proxy.forwardedFor governs, from the
# documentation address range (RFC 5737), so they cannot be the real client.
CLIENT_XFF = "203.0.113.9"
CLIENT_FORWARDED = "for=203.0.113.9;proto=http"
CLIENT_FIELDS = [("X-Forwarded-For", CLIENT_XFF), ("Forwarded", CLIENT_FORWARDED)]


def ipv6_loopback_available():
    """Return True if a socket can bind to ::1 on this machine."""
    return socket.has_ipv6 and fwdtest.can_bind("::1")


def localhost_is_loopback():
    """Return True if "localhost" resolves to 127.0.0.1 and nothing else."""
    try:
        infos = socket.getaddrinfo("localhost", 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return False
    return {info[4][0] for info in infos} == {fwdtest.LOOPBACK}


class AddressClient(fwdtest.Client):
    """Raw client connection to the proxy from a chosen source address or over IPv6."""

    def __init__(self, address, port, source=None, timeout=fwdtest.IO_TIMEOUT):
        source_address = (source, 0) if source else None
        self.sock = socket.create_connection((address, port), timeout=timeout, source_address=source_address)
        self.reader = fwdtest.SocketReader(self.sock)


class AccessTestCase(fwdtest.ProxyTestCase):
    """ProxyTestCase with helpers for one request per connection."""

    def get(self, proxy, url, headers=()):
        """Send a GET for `url` through `proxy` on a new connection and return the response."""
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(url, extra_headers=headers))
            return client.read_response()

    def connect_tunnel(self, proxy, authority):
        """Send CONNECT `authority` on a new connection, returning (client, response)."""
        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", authority, [("Host", authority)]))
        return client, client.read_response("CONNECT")

    def assert_config_rejected(self, key, value, entry=None):
        """Check that `key = value` in the config file stops startup with exit 78.

        The output must name the file, the key and `entry`: the invalid list
        element, or the whole value when `entry` is None.
        """
        code, output, config_path = fwdtest.run_proxy_to_exit(
            LISTEN_LOOPBACK, config=f"{key} = {value}\n", timeout=EXIT_TIMEOUT
        )
        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn(config_path, output)
        self.assertIn(key, output)
        self.assertIn(value if entry is None else entry, output)
        self.assertNotIn("listening on", output)

    def assert_no_connection(self, origin):
        time.sleep(LATE_CONNECTION_WAIT)
        self.assertEqual(origin.connection_count, 0, "the origin received a connection")


# ---------------------------------------------------------------------------
# Client rules


class ClientRulesTest(AccessTestCase):
    def test_deny_inside_allowed_block(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.clients.allow": "127.0.0.0/8", "proxy.clients.deny": "127.0.0.1/32"})
        url = origin.url("/denied")

        response = self.get(proxy, url)

        self.assert_error_response(response, 403, "client_denied")
        self.assert_access_logged(proxy, None, None, 403, "client_denied")
        self.assert_no_connection(origin)

    def test_allow_other_network_only(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.clients.allow": "10.0.0.0/8", "proxy.connect.ports": str(origin.port)})

        response = self.get(proxy, origin.url("/denied"))
        self.assert_error_response(response, 403, "client_denied")

        # A tunnel is no way around the client rules.
        _, response = self.connect_tunnel(proxy, origin.authority)
        self.assert_error_response(response, 403, "client_denied")

        self.assert_no_connection(origin)

    def test_allowed_client_served(self):
        origin = self.start_origin(routes={"/ok": fwdtest.Fixed(b"served\n")})
        proxy = self.start_proxy(
            {"proxy.clients.allow": "127.0.0.0/8", "proxy.clients.deny": "127.0.0.2/32, 10.0.0.0/8"}
        )

        result = fwdtest.run_curl("-x", proxy.url, origin.url("/ok"))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"served\n")
        self.assert_access_logged(proxy, "GET", origin.url("/ok"), 200)

    def test_deny_by_source_address(self):
        # The whole of 127.0.0.0/8 routes to the loopback interface on Linux, so a
        # client can connect to 127.0.0.1 from 127.0.0.2.
        if not fwdtest.can_bind("127.0.0.2"):
            self.skipTest("cannot use 127.0.0.2 as a source address")

        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.clients.allow": "127.0.0.0/8", "proxy.clients.deny": "127.0.0.2"})

        with AddressClient(fwdtest.LOOPBACK, proxy.port, source="127.0.0.2") as denied:
            denied.send(fwdtest.absolute_get(origin.url("/from-2")))
            response = denied.read_response()
        self.assert_error_response(response, 403, "client_denied")
        self.assert_logged(proxy, r"127\.0\.0\.2:\d+ .*\s403\s.*client_denied\s*$")

        response = self.get(proxy, origin.url("/from-1"))
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual([request.path for request in origin.requests], ["/from-1"])

    def test_invalid_entries_stop_startup(self):
        # (key, value, the invalid entry that the message must name)
        cases = [
            ("proxy.clients.deny", "10.0.0.0/33", "10.0.0.0/33"),
            ("proxy.clients.deny", "::1/129", "::1/129"),
            ("proxy.clients.allow", "127.0.0.0/8, 127.0.0.300", "127.0.0.300"),
            ("proxy.clients.allow", "loopback", "loopback"),
        ]
        for key, value, entry in cases:
            with self.subTest(key=key, value=value):
                self.assert_config_rejected(key, value, entry)


class Ipv6ClientRulesTest(AccessTestCase):
    """Clients on ::1, with the proxy listening on 127.0.0.1 and [::1]."""

    def setUp(self):
        if not ipv6_loopback_available():
            self.skipTest("::1 is not available on this machine")

    def start_dual_proxy(self, defines):
        """Start a proxy listening on 127.0.0.1 and ::1 and return (proxy, IPv6 port)."""
        proxy = self.start_proxy({"proxy.listen": f"{fwdtest.LOOPBACK}:0, [::1]:0", **defines})
        match = self.assert_logged(proxy, r"listening on \[::1\]:(\d+)")
        return proxy, int(match.group(1))

    def get_over_ipv6(self, port, url, headers=()):
        with AddressClient("::1", port) as client:
            client.send(fwdtest.absolute_get(url, extra_headers=headers))
            return client.read_response()

    def test_ipv6_client_allowed(self):
        origin = self.start_origin(routes={"/v6": fwdtest.Fixed(b"over ipv6\n")})
        _, port = self.start_dual_proxy({"proxy.clients.allow": "::1"})

        response = self.get_over_ipv6(port, origin.url("/v6"))

        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, b"over ipv6\n")

    def test_ipv6_client_denied(self):
        origin = self.start_origin()
        proxy, port = self.start_dual_proxy(
            {"proxy.clients.allow": "::/0, 127.0.0.0/8", "proxy.clients.deny": "::1/128"}
        )
        url = origin.url("/v6-denied")

        response = self.get_over_ipv6(port, url)

        self.assert_error_response(response, 403, "client_denied")
        self.assert_logged(proxy, r"::1\]?:\d+ .*\s403\s.*client_denied\s*$")
        self.assert_no_connection(origin)

    def test_ipv4_rules_exclude_ipv6_client(self):
        origin = self.start_origin()
        proxy, port = self.start_dual_proxy({"proxy.clients.allow": "127.0.0.0/8"})

        response = self.get_over_ipv6(port, origin.url("/v6"))
        self.assert_error_response(response, 403, "client_denied")

        # The same proxy serves an IPv4 loopback client.
        response = self.get(proxy, origin.url("/v4"))
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual([request.path for request in origin.requests], ["/v4"])

    def test_forwarded_for_ipv6_client(self):
        origin = self.start_origin()
        _, port = self.start_dual_proxy({"proxy.forwardedFor": "truncate"})

        response = self.get_over_ipv6(port, origin.url("/v6"), CLIENT_FIELDS)

        self.assertEqual(response.status, 200, repr(response))
        request = origin.requests[0]
        self.assertEqual(request.values("X-Forwarded-For"), ["::1"])
        self.assertEqual(request.values("Forwarded"), ['for="[::1]"'])


# ---------------------------------------------------------------------------
# Destination host rules


class DestinationRulesTest(AccessTestCase):
    def require_localhost(self):
        """Skip the test unless "localhost" reaches the origins on 127.0.0.1."""
        if not localhost_is_loopback():
            self.skipTest('"localhost" does not resolve to 127.0.0.1 only on this machine')

    def assert_host_denied(self, proxy, host, list_text, method="GET"):
        """Check that a request for `host` gets 403 host_denied whose body contains `list_text`."""
        if method == "CONNECT":
            _, response = self.connect_tunnel(proxy, f"{host}:443")
        else:
            response = self.get(proxy, f"http://{host}/page")
        self.assert_error_response(response, 403, "host_denied")
        self.assertIn(list_text, response.body, f"body of the 403 for {host}")
        return response

    def test_exact_name(self):
        proxy = self.start_proxy(
            {"proxy.destinations.deny": "blocked.invalid", "proxy.destinations.allow": "localhost"}
        )
        self.assert_host_denied(proxy, "blocked.invalid", DENIED_BY_DENY_LIST)
        # Host names compare lower-case and without a trailing dot.
        self.assert_host_denied(proxy, "BLOCKED.Invalid.", DENIED_BY_DENY_LIST)
        # An exact entry does not cover subdomains, so these reach the allow list.
        self.assert_host_denied(proxy, "www.blocked.invalid", NOT_IN_ALLOW_LIST)
        self.assert_host_denied(proxy, "blocked.invalid.x.invalid", NOT_IN_ALLOW_LIST)
        self.assert_access_logged(proxy, "GET", "http://blocked.invalid/page", 403, "host_denied")

    def test_domain_entry(self):
        proxy = self.start_proxy(
            {"proxy.destinations.deny": ".example.invalid", "proxy.destinations.allow": "localhost"}
        )
        self.assert_host_denied(proxy, "example.invalid", DENIED_BY_DENY_LIST)
        self.assert_host_denied(proxy, "www.example.invalid", DENIED_BY_DENY_LIST)
        self.assert_host_denied(proxy, "a.b.EXAMPLE.invalid", DENIED_BY_DENY_LIST)
        # A domain entry matches at a label boundary only.
        self.assert_host_denied(proxy, "badexample.invalid", NOT_IN_ALLOW_LIST)
        self.assert_host_denied(proxy, "example.invalid.x.invalid", NOT_IN_ALLOW_LIST)

    def test_regex_entry(self):
        proxy = self.start_proxy(
            {"proxy.destinations.deny": r"~ads[0-9]*\.example\.invalid", "proxy.destinations.allow": "localhost"}
        )
        self.assert_host_denied(proxy, "ads.example.invalid", DENIED_BY_DENY_LIST)
        self.assert_host_denied(proxy, "ads42.example.invalid", DENIED_BY_DENY_LIST)
        self.assert_host_denied(proxy, "ADS7.Example.INVALID", DENIED_BY_DENY_LIST)
        # The regex must match the whole host, not a part of it.
        self.assert_host_denied(proxy, "xads1.example.invalid", NOT_IN_ALLOW_LIST)
        self.assert_host_denied(proxy, "ads1.example.invalid.x.invalid", NOT_IN_ALLOW_LIST)

    def test_body_omits_pattern(self):
        patterns = r"other.invalid, ~secret-[0-9]+\.invalid, .hidden-domain.invalid"
        proxy = self.start_proxy({"proxy.destinations.deny": patterns})

        response = self.assert_host_denied(proxy, "secret-12.invalid", DENIED_BY_DENY_LIST)

        self.assertNotIn(b"secret-[0-9]", response.body)
        self.assertNotIn(b"other.invalid", response.body)
        self.assertNotIn(b"hidden-domain", response.body)

    def test_allow_list_admits_listed_host(self):
        self.require_localhost()
        origin = self.start_origin(routes={"/ok": fwdtest.Fixed(b"allowed\n")})
        proxy = self.start_proxy({"proxy.destinations.allow": "other.invalid, localhost"})

        result = fwdtest.run_curl("-x", proxy.url, f"http://localhost:{origin.port}/ok")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"allowed\n")

        # The same origin by address is not in the list.
        response = self.get(proxy, origin.url("/by-address"))
        self.assert_error_response(response, 403, "host_denied")
        self.assertIn(NOT_IN_ALLOW_LIST, response.body)
        self.assertEqual([request.path for request in origin.requests], ["/ok"])

    def test_allow_patterns_for_localhost(self):
        self.require_localhost()
        origin = self.start_origin()
        url = f"http://localhost:{origin.port}/page"
        # (allow list, whether localhost passes it)
        cases = [
            (".localhost", True),
            ("~LOCAL[a-z]+", True),
            ("~local", False),
            ("~host", False),
            (".host", False),
            ("localhost.localdomain", False),
        ]
        for allow, allowed in cases:
            with self.subTest(allow=allow):
                proxy = self.start_proxy({"proxy.destinations.allow": allow})
                response = self.get(proxy, url)
                if allowed:
                    self.assertEqual(response.status, 200, repr(response))
                else:
                    self.assert_error_response(response, 403, "host_denied")
                    self.assertIn(NOT_IN_ALLOW_LIST, response.body)
        allowed_count = sum(1 for _, allowed in cases if allowed)
        self.assertEqual(len(origin.requests), allowed_count, "a rejected request reached the origin")

    def test_deny_checked_before_allow(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.destinations.allow": "localhost", "proxy.destinations.deny": "~local.*"})

        response = self.get(proxy, f"http://localhost:{origin.port}/page")

        self.assert_error_response(response, 403, "host_denied")
        self.assertIn(DENIED_BY_DENY_LIST, response.body)
        self.assert_no_connection(origin)

    def test_partial_deny_regex_passes(self):
        self.require_localhost()
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.destinations.deny": "~host"})

        response = self.get(proxy, f"http://localhost:{origin.port}/page")

        self.assertEqual(response.status, 200, repr(response))

    def test_address_literals(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.destinations.deny": "127.0.0.1, ::1"})

        response = self.get(proxy, origin.url("/page"))
        self.assert_error_response(response, 403, "host_denied")

        # IPv6 literals are compared without brackets. Nothing listens on this
        # port, so a proxy that let the request through would get a 502.
        response = self.get(proxy, f"http://[::1]:{fwdtest.closed_port()}/page")
        self.assert_error_response(response, 403, "host_denied")

        self.assert_no_connection(origin)

    def test_connect_host_rules(self):
        self.require_localhost()
        origin = self.start_origin(routes={"/tunneled": fwdtest.Fixed(b"through the tunnel\n")})
        proxy = self.start_proxy(
            {
                "proxy.destinations.deny": ".example.invalid",
                "proxy.destinations.allow": "localhost",
                "proxy.connect.ports": f"443, {origin.port}",
            }
        )

        self.assert_host_denied(proxy, "www.example.invalid", DENIED_BY_DENY_LIST, method="CONNECT")
        self.assert_host_denied(proxy, "other.invalid", NOT_IN_ALLOW_LIST, method="CONNECT")
        self.assert_access_logged(proxy, "CONNECT", "www.example.invalid:443", 403, "host_denied")

        _, response = self.connect_tunnel(proxy, origin.authority)
        self.assert_error_response(response, 403, "host_denied")
        self.assertIn(NOT_IN_ALLOW_LIST, response.body)
        self.assertEqual(origin.connection_count, 0)

        result = fwdtest.run_curl("-p", "-x", proxy.url, f"http://localhost:{origin.port}/tunneled")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"through the tunnel\n")

    def test_invalid_pattern_stops_startup(self):
        cases = [
            ("proxy.destinations.deny", "~(unclosed"),
            ("proxy.destinations.allow", "~[z-a]"),
        ]
        for key, value in cases:
            with self.subTest(key=key, value=value):
                self.assert_config_rejected(key, value)


# ---------------------------------------------------------------------------
# Network guard with the default proxy.destinations.denyNetworks


class NetworkGuardTest(AccessTestCase):
    def test_loopback_address_denied(self):
        origin = self.start_origin()
        proxy = self.start_proxy(allow_loopback=False)
        url = origin.url("/guarded")

        response = self.get(proxy, url)

        self.assert_error_response(response, 403, "destination_denied", origin.authority)
        self.assert_access_logged(proxy, "GET", url, 403, "destination_denied")
        self.assert_no_connection(origin)

    def test_localhost_name_denied(self):
        if not localhost_is_loopback():
            self.skipTest('"localhost" does not resolve to 127.0.0.1 only on this machine')
        origin = self.start_origin()
        proxy = self.start_proxy(allow_loopback=False)
        url = f"http://localhost:{origin.port}/guarded"

        response = self.get(proxy, url)

        self.assert_error_response(response, 403, "destination_denied")
        self.assert_access_logged(proxy, "GET", url, 403, "destination_denied")
        self.assert_no_connection(origin)

    def test_connect_allowed_port_denied(self):
        origin = self.start_origin()
        # The port passes proxy.connect.ports, so only the network guard rejects.
        proxy = self.start_proxy({"proxy.connect.ports": f"443, {origin.port}"}, allow_loopback=False)

        client, response = self.connect_tunnel(proxy, origin.authority)

        self.assert_error_response(response, 403, "destination_denied", origin.authority)
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after 403")
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 403, "destination_denied")
        self.assert_no_connection(origin)

    def test_ipv6_loopback_denied(self):
        if not ipv6_loopback_available():
            self.skipTest("::1 is not available on this machine")
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as listener:
            listener.bind(("::1", 0))
            listener.listen(4)
            port = listener.getsockname()[1]
            proxy = self.start_proxy(allow_loopback=False)

            response = self.get(proxy, f"http://[::1]:{port}/guarded")

            self.assert_error_response(response, 403, "destination_denied")
            time.sleep(LATE_CONNECTION_WAIT)
            listener.settimeout(0)
            with self.assertRaises(BlockingIOError, msg="the ::1 listener received a connection"):
                listener.accept()

    def test_custom_networks(self):
        origin = self.start_origin()

        # A later -D replaces the harness's empty value.
        proxy = self.start_proxy({"proxy.destinations.denyNetworks": "127.0.0.2/32"})
        response = self.get(proxy, origin.url("/outside"))
        self.assertEqual(response.status, 200, repr(response))

        proxy = self.start_proxy({"proxy.destinations.denyNetworks": "10.0.0.0/8, 127.0.0.0/30"})
        response = self.get(proxy, origin.url("/inside"))
        self.assert_error_response(response, 403, "destination_denied")
        self.assertEqual([request.path for request in origin.requests], ["/outside"])


# ---------------------------------------------------------------------------
# CONNECT ports


class ConnectPortsTest(AccessTestCase):
    def assert_tunnel_works(self, proxy, origin):
        client, response = self.connect_tunnel(proxy, origin.authority)
        self.assertEqual(response.status, 200, repr(response))
        client.send(fwdtest.build_request("GET", "/inside", [("Host", origin.authority), ("Connection", "close")]))
        inner = client.read_response()
        self.assertEqual(inner.status, 200, repr(inner))

    def assert_port_denied(self, proxy, origin):
        client, response = self.connect_tunnel(proxy, origin.authority)
        self.assert_error_response(response, 403, "connect_port_denied")
        self.assertTrue(client.wait_closed(), "proxy kept the connection open after 403")

    def test_port_inside_range(self):
        origin = self.start_origin(routes={"/tunneled": fwdtest.Fixed(b"in range\n")})
        port = origin.port
        proxy = self.start_proxy({"proxy.connect.ports": f"443, {port - 5}-{port + 5}"})

        result = fwdtest.run_curl("-p", "-x", proxy.url, origin.url("/tunneled"))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"in range\n")

    def test_range_bounds_inclusive(self):
        origin = self.start_origin()
        port = origin.port
        for ports in (f"{port}-{port + 10}", f"{port - 10}-{port}", f"{port}-{port}", "*"):
            with self.subTest(ports=ports):
                proxy = self.start_proxy({"proxy.connect.ports": ports})
                self.assert_tunnel_works(proxy, origin)

    def test_port_outside_ranges(self):
        origin = self.start_origin()
        port = origin.port
        for ports in (f"443, {port + 1}-{port + 100}", f"{port - 100}-{port - 1}, 8443", "443"):
            with self.subTest(ports=ports):
                proxy = self.start_proxy({"proxy.connect.ports": ports})
                self.assert_port_denied(proxy, origin)
        self.assert_no_connection(origin)

    def test_invalid_ports_stop_startup(self):
        # (value, the invalid entry that the message must name)
        cases = [("443, 65536", "65536"), ("9000-", "9000-"), ("443-abc", "443-abc"), ("0", "0")]
        for value, entry in cases:
            with self.subTest(value=value):
                self.assert_config_rejected("proxy.connect.ports", value, entry)


# ---------------------------------------------------------------------------
# Fields that describe the client, and configured header changes


class ForwardedForTest(AccessTestCase):
    def forward(self, defines, headers=CLIENT_FIELDS):
        """Send one GET with `headers` through a proxy with `defines` and return what the origin received."""
        origin = self.start_origin()
        proxy = self.start_proxy(defines)
        response = self.get(proxy, origin.url("/who"), headers)
        self.assertEqual(response.status, 200, repr(response))
        requests = origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        return requests[0]

    def test_delete_by_default(self):
        lower_case = [("x-forwarded-for", "198.51.100.7"), ("forwarded", "for=198.51.100.7")]
        request = self.forward({}, CLIENT_FIELDS + lower_case)
        self.assertEqual(request.values("X-Forwarded-For"), [])
        self.assertEqual(request.values("Forwarded"), [])

    def test_passthrough(self):
        request = self.forward({"proxy.forwardedFor": "passthrough"})
        self.assertEqual(request.values("X-Forwarded-For"), [CLIENT_XFF])
        self.assertEqual(request.values("Forwarded"), [CLIENT_FORWARDED])

    def test_add_appends_client(self):
        request = self.forward({"proxy.forwardedFor": "add"})
        self.assertEqual(request.tokens("X-Forwarded-For"), [CLIENT_XFF, fwdtest.LOOPBACK])
        self.assertEqual(request.tokens("Forwarded"), [CLIENT_FORWARDED, f"for={fwdtest.LOOPBACK}"])

    def test_add_without_client_fields(self):
        request = self.forward({"proxy.forwardedFor": "add"}, headers=())
        self.assertEqual(request.tokens("X-Forwarded-For"), [fwdtest.LOOPBACK])
        self.assertEqual(request.tokens("Forwarded"), [f"for={fwdtest.LOOPBACK}"])

    def test_truncate(self):
        request = self.forward({"proxy.forwardedFor": "truncate"})
        self.assertEqual(request.values("X-Forwarded-For"), [fwdtest.LOOPBACK])
        self.assertEqual(request.values("Forwarded"), [f"for={fwdtest.LOOPBACK}"])

    def test_fields_limit_delete(self):
        request = self.forward({"proxy.forwardedFor.fields": "X-Forwarded-For"})
        self.assertEqual(request.values("X-Forwarded-For"), [])
        self.assertEqual(request.values("Forwarded"), [CLIENT_FORWARDED])

    def test_fields_limit_add(self):
        request = self.forward({"proxy.forwardedFor": "add", "proxy.forwardedFor.fields": "Forwarded"})
        self.assertEqual(request.values("X-Forwarded-For"), [CLIENT_XFF])
        self.assertEqual(request.tokens("Forwarded"), [CLIENT_FORWARDED, f"for={fwdtest.LOOPBACK}"])

    def test_invalid_values_stop_startup(self):
        self.assert_config_rejected("proxy.forwardedFor", "append")
        self.assert_config_rejected("proxy.forwardedFor.fields", "X-Real-IP")


class HeaderPolicyTest(AccessTestCase):
    def test_remove_fields(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.headers.remove": "User-Agent, Cookie"})
        headers = [
            ("User-Agent", "test-agent/1.0"),
            ("Cookie", "session=abc"),
            ("cookie", "second=def"),
            ("X-Kept", "yes"),
        ]

        response = self.get(proxy, origin.url("/removed"), headers)

        self.assertEqual(response.status, 200, repr(response))
        request = origin.requests[0]
        self.assertEqual(request.values("User-Agent"), [])
        self.assertEqual(request.values("Cookie"), [])
        self.assertEqual(request.values("X-Kept"), ["yes"])

    def test_remove_with_curl(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.headers.remove": "user-agent,cookie"})

        result = fwdtest.run_curl("-x", proxy.url, "-A", "curl-agent", "-b", "name=value", origin.url("/curl"))

        self.assertEqual(result.returncode, 0, result.stderr)
        request = origin.wait_for_requests(1)[0]
        self.assertEqual(request.values("User-Agent"), [])
        self.assertEqual(request.values("Cookie"), [])

    def test_add_fields(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.headers.add.X-Egress": "gw1", "proxy.headers.add.X-Team": "blue team"})

        response = self.get(proxy, origin.url("/plain"))
        self.assertEqual(response.status, 200, repr(response))

        # A client value of an added field must not reach the origin.
        spoofed = [("X-Egress", "spoofed"), ("x-egress", "also-spoofed")]
        response = self.get(proxy, origin.url("/spoofed"), spoofed)
        self.assertEqual(response.status, 200, repr(response))

        requests = origin.wait_for_requests(2)
        self.assertEqual(len(requests), 2)
        for request in requests:
            with self.subTest(path=request.path):
                self.assertEqual(request.values("X-Egress"), ["gw1"])
                self.assertEqual(request.values("X-Team"), ["blue team"])

    def test_via_disabled(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.via.enabled": "false"})

        response = self.get(proxy, origin.url("/no-via"))

        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.values("Via"), [])
        self.assertEqual(origin.requests[0].values("Via"), [])

    def test_via_disabled_loop_detected(self):
        # Without Via the proxy recognises a loop by its own listening address.
        proxy = self.start_proxy(
            {"proxy.via.enabled": "false", "proxy.threads.max": "16", "proxy.timeouts.response": "5"}
        )

        response = self.get(proxy, f"{proxy.url}/loop")

        self.assertEqual(response.status, 508, repr(response))
        self.assertEqual(response.value("X-Fwdproxy-Error"), "forwarding_loop")


if __name__ == "__main__":
    fwdtest.main()
