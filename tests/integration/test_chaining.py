"""Parent proxies: a chain of two fwdproxy processes, parent authentication,
proxy.direct exceptions, failover and how parent failures reach the client."""

import base64
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaintest  # noqa: E402
import fwdtest  # noqa: E402

PAGE = b"page from the origin\n"
PARENT_USER = "child"
PARENT_PASSWORD = "Parent-Secret-8841"
CLIENT_CREDENTIALS = "Basic " + base64.b64encode(b"client:Client-Secret-1187").decode("ascii")

# The lowest iteration count that --hash-password accepts, so that the test spends little time hashing.
HASH_ITERATIONS = "1000"


def connect_request(authority):
    return fwdtest.build_request("CONNECT", authority, [("Host", authority)])


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


class ChainTestCase(fwdtest.ProxyTestCase):
    """Starts fwdproxy processes with their own Via pseudonyms, since a proxy
    that finds its own pseudonym in Via rejects the request as a loop."""

    def start_parent(self, defines=None, config=""):
        settings = {"proxy.via.pseudonym": "parent", "proxy.connect.ports": "1-65535"}
        settings.update(defines or {})
        return self.start_proxy(settings, config)

    def start_child(self, parents, defines=None, config=""):
        """Start a child whose proxy.upstream entries are `parents`: (name, url, destinations) triples."""
        settings = {
            "proxy.via.pseudonym": "child",
            "proxy.connect.ports": "1-65535",
            "proxy.upstream.order": ", ".join(name for name, _, _ in parents),
        }
        for name, url, destinations in parents:
            settings[f"proxy.upstream.{name}.url"] = url
            if destinations is not None:
                settings[f"proxy.upstream.{name}.destinations"] = destinations
        settings.update(defines or {})
        return self.start_proxy(settings, config)

    def write_file(self, name, text):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-chain-")
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def users_file(self, user, password):
        """Write a proxy.auth.users file with one user and return its path."""
        hashed = fwdtest.subprocess.run(
            [fwdtest.proxy_binary(), f"--hash-password={user}", f"--hash-iterations={HASH_ITERATIONS}"],
            input=f"{password}\n".encode("utf-8"), capture_output=True, timeout=20,
        )
        self.assertEqual(hashed.returncode, 0, hashed.stderr)
        return self.write_file("users", hashed.stdout.decode("utf-8"))


class FwdproxyChainTest(ChainTestCase):
    def test_plain_request_through_parent(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        parent = self.start_parent()
        child = self.start_child([("corp", parent.url, None)])

        result = fwdtest.run_curl("-i", "-x", child.url, origin.url("/page?q=1"))
        self.assertEqual(result.returncode, 0, result.stderr)
        status_line, header_lines, body = fwdtest.split_curl_include(result.stdout)
        self.assertIn(" 200 ", status_line)
        self.assertEqual(body, PAGE)

        # Both proxies add their Via entry, so the origin receives both.
        requests = origin.wait_for_requests(1)
        self.assertEqual(requests[0].request_line, "GET /page?q=1 HTTP/1.1")
        self.assertEqual(requests[0].tokens("Via"), ["1.1 child", "1.1 parent"])
        self.assert_access_logged(parent, "GET", origin.url("/page?q=1"), 200)
        self.assert_access_logged(child, "GET", origin.url("/page?q=1"), 200)

    def test_connect_through_parent(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        parent = self.start_parent()
        child = self.start_child([("corp", parent.url, None)])

        client = self.connect(child)
        client.send(connect_request(peer.authority))
        response = client.read_response("CONNECT")
        self.assertEqual(response.status, 200, repr(response))

        # The greeting, which the peer sends first, crosses both tunnels.
        self.assertEqual(client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING)), fwdtest.TunnelPeer.GREETING)
        payload = bytes(range(256)) * 512
        client.send(payload)
        client.sock.shutdown(fwdtest.socket.SHUT_WR)
        self.assertEqual(client.reader.read_to_eof(), fwdtest.TunnelPeer.expected_reply(payload))
        self.assert_access_logged(parent, "CONNECT", peer.authority, 200)
        self.assert_access_logged(child, "CONNECT", peer.authority, 200)

    def test_parent_basic_authentication(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        parent = self.start_parent({"proxy.auth.users": self.users_file(PARENT_USER, PARENT_PASSWORD)})
        url = f"http://{PARENT_USER}:{PARENT_PASSWORD}@{fwdtest.LOOPBACK}:{parent.port}"
        child = self.start_child([("corp", url, None)])

        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, PAGE)

        client = self.connect(child)
        client.send(connect_request(origin.authority))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        self.assertNotIn(PARENT_PASSWORD, child.output())
        self.assertNotIn(PARENT_PASSWORD, parent.output())

    def test_wrong_parent_credentials(self):
        origin = self.start_origin()
        parent = self.start_parent({"proxy.auth.users": self.users_file(PARENT_USER, PARENT_PASSWORD)})
        child = self.start_child([("corp", f"http://{PARENT_USER}:Wrong-Secret-5@{fwdtest.LOOPBACK}:{parent.port}", None)])
        label = f"corp {fwdtest.LOOPBACK}:{parent.port}"

        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "parent_failed", label)
        self.assertIsNone(response.value("Proxy-Authenticate"))
        self.assert_access_logged(child, "GET", origin.url("/"), 502, "parent_failed")

        client = self.connect(child)
        client.send(connect_request(origin.authority))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 502, "parent_failed", label)
        self.assertNotIn(b"Wrong-Secret-5", response.body)
        self.assertNotIn("Wrong-Secret-5", child.output())
        self.assertEqual(origin.connection_count, 0)


class FakeParentTest(ChainTestCase):
    """The parent here is a recording origin server, which shows exactly what the child sends to it."""

    def test_client_credentials_never_reach_parent(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        child = self.start_child(
            [("corp", f"http://{PARENT_USER}:{PARENT_PASSWORD}@{parent.authority}", None)],
            {"proxy.auth.users": self.users_file("client", "Client-Secret-1187")},
        )

        target = "http://origin.invalid:8080/path?q=1"
        response = self.connect(child).request(
            "GET", target, [("Host", "origin.invalid:8080"), ("Proxy-Authorization", CLIENT_CREDENTIALS)]
        )
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, b"from the parent\n")

        # Absolute-form with the original URI and Host, and the child's own credentials only.
        request = parent.wait_for_requests(1)[0]
        self.assertEqual(request.request_line, f"GET {target} HTTP/1.1")
        self.assertEqual(request.values("Host"), ["origin.invalid:8080"])
        self.assertEqual(request.values("Proxy-Authorization"), [basic(PARENT_USER, PARENT_PASSWORD)])
        self.assertEqual(request.values("Via"), ["1.1 child"])

    def test_connect_sent_to_parent(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"", status=200, reason="Connection established"))
        child = self.start_child([("corp", f"http://{PARENT_USER}:{PARENT_PASSWORD}@{parent.authority}", None)])

        client = self.connect(child)
        client.send(connect_request("origin.invalid:443"))
        self.assertEqual(client.read_response("CONNECT").status, 200)

        request = parent.wait_for_requests(1)[0]
        self.assertEqual(request.request_line, "CONNECT origin.invalid:443 HTTP/1.1")
        self.assertEqual(request.values("Host"), ["origin.invalid:443"])
        self.assertEqual(request.values("Proxy-Authorization"), [basic(PARENT_USER, PARENT_PASSWORD)])

    def test_pooled_per_parent(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"pooled\n"))
        child = self.start_child([("corp", f"http://{parent.authority}", None)])

        # Different origins, one client connection: the second request reuses
        # the connection to the parent, because the pool key is the parent.
        client = self.connect(child)
        for host in ("first.invalid", "second.invalid", "third.invalid:81"):
            response = client.request("GET", f"http://{host}/", [("Host", host)])
            self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(len(parent.wait_for_requests(3)), 3)
        self.assertEqual(parent.connection_count, 1)

    def test_parent_407_becomes_502(self):
        challenge = fwdtest.Fixed(b"credentials!\n", status=407, reason="Proxy Authentication Required",
                                  headers=[("Proxy-Authenticate", 'Basic realm="corp"')])
        parent = self.start_origin(default=challenge)
        child = self.start_child([("corp", f"http://{parent.authority}", None)])

        response = self.connect(child).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")])
        self.assert_error_response(response, 502, "parent_failed", f"corp {parent.authority}")
        self.assertIsNone(response.value("Proxy-Authenticate"))
        self.assert_logged(child, r"corp 127\.0\.0\.1:\d+ answered 407")

    def test_parent_refuses_connect(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"not here\n", status=403, reason="Forbidden"))
        child = self.start_child([("corp", f"http://{parent.authority}", None)])

        client = self.connect(child)
        client.send(connect_request("origin.invalid:443"))
        response = client.read_response("CONNECT")
        self.assert_error_response(response, 502, "parent_failed", f"corp {parent.authority}")
        self.assert_access_logged(child, "CONNECT", "origin.invalid:443", 502, "parent_failed")
        self.assert_logged(child, r"answered CONNECT with 403 Forbidden")

    def test_parent_errors_pass_through(self):
        # A parent's own error response to a plain request is the response, like any origin's.
        parent = self.start_origin(default=fwdtest.Fixed(b"busy\n", status=503, reason="Service Unavailable"))
        child = self.start_child([("corp", f"http://{parent.authority}", None)])

        response = self.connect(child).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")])
        self.assertEqual(response.status, 503)
        self.assertEqual(response.body, b"busy\n")

    def test_credentials_from_file(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"ok\n"))
        credentials = self.write_file("parent-credentials", f"{PARENT_USER}:{PARENT_PASSWORD}\n")
        child = self.start_child(
            [("corp", f"http://{parent.authority}", None)], {"proxy.upstream.corp.credentialsFile": credentials}
        )

        self.assertEqual(self.connect(child).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")]).status, 200)
        self.assertEqual(parent.wait_for_requests(1)[0].values("Proxy-Authorization"), [basic(PARENT_USER, PARENT_PASSWORD)])
        self.assertNotIn(PARENT_PASSWORD, child.output())


class DirectExceptionTest(ChainTestCase):
    def test_direct_list_wins(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        child = self.start_child([("corp", f"http://{parent.authority}", "*")], {"proxy.direct": "localhost, 127.0.0.0/8"})

        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.body, PAGE)
        response = self.connect(child).request("GET", "http://elsewhere.invalid/", [("Host", "elsewhere.invalid")])
        self.assertEqual(response.body, b"from the parent\n")

        self.assertEqual(len(origin.wait_for_requests(1)), 1)
        self.assertEqual([request.target for request in parent.wait_for_requests(1)], ["http://elsewhere.invalid/"])

    def test_unmatched_destination_goes_direct(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        child = self.start_child([("corp", f"http://{parent.authority}", ".corp.invalid, 10.0.0.0/8")])

        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.body, PAGE)
        response = self.connect(child).request("GET", "http://wiki.corp.invalid/", [("Host", "wiki.corp.invalid")])
        self.assertEqual(response.body, b"from the parent\n")
        self.assertEqual(len(parent.wait_for_requests(1)), 1)

    def test_network_guard_only_for_direct(self):
        # With the default proxy.destinations.denyNetworks, a parent on loopback
        # is still used, while a direct request to loopback is denied.
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        origin = self.start_origin()
        settings = {
            "proxy.via.pseudonym": "child",
            "proxy.upstream.order": "corp",
            "proxy.upstream.corp.url": f"http://{parent.authority}",
            "proxy.upstream.corp.destinations": ".invalid",
        }
        child = self.start_proxy(settings, allow_loopback=False)

        response = self.connect(child).request("GET", "http://site.invalid/", [("Host", "site.invalid")])
        self.assertEqual(response.status, 200, repr(response))
        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 403, "destination_denied")

    def test_host_rules_apply_before_parents(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        child = self.start_child([("corp", f"http://{parent.authority}", None)], {"proxy.destinations.deny": ".blocked.invalid"})

        response = self.connect(child).request("GET", "http://www.blocked.invalid/", [("Host", "www.blocked.invalid")])
        self.assert_error_response(response, 403, "host_denied")
        self.assertEqual(parent.connection_count, 0)


class FailoverTest(ChainTestCase):
    def test_dead_parent_skipped(self):
        dead = fwdtest.closed_port()
        live = self.start_origin(default=fwdtest.Fixed(b"from the live parent\n"))
        child = self.start_child([
            ("dead", f"http://{fwdtest.LOOPBACK}:{dead}", None),
            ("live", f"http://{live.authority}", None),
        ])

        response = self.connect(child).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")])
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, b"from the live parent\n")
        self.assert_logged(child, rf"parent dead 127\.0\.0\.1:{dead} failed for origin\.invalid:80: connect_refused.*trying the next parent")

        client = self.connect(child)
        client.send(connect_request("origin.invalid:443"))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        self.assertEqual([request.method for request in live.wait_for_requests(2)], ["GET", "CONNECT"])

    def test_every_parent_dead(self):
        first = fwdtest.closed_port()
        second = fwdtest.closed_port()
        child = self.start_child([
            ("first", f"http://user:Dead-Secret-1@{fwdtest.LOOPBACK}:{first}", None),
            ("second", f"socks5://{fwdtest.LOOPBACK}:{second}", None),
        ])

        response = self.connect(child).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")])
        self.assert_error_response(response, 502, "parent_failed")
        self.assertIn(f"first {fwdtest.LOOPBACK}:{first}".encode("ascii"), response.body)
        self.assertIn(f"second {fwdtest.LOOPBACK}:{second}".encode("ascii"), response.body)
        self.assertNotIn(b"Dead-Secret-1", response.body)
        self.assert_access_logged(child, "GET", "http://origin.invalid/", 502, "parent_failed")
        self.assert_logged(child, rf"parent second 127\.0\.0\.1:{second} failed")
        self.assertNotIn("Dead-Secret-1", child.output())


if __name__ == "__main__":
    fwdtest.main()
