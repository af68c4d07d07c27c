"""SOCKS5 parents: plain requests and CONNECT tunnels over a SOCKS5 CONNECT,
with and without username/password authentication."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaintest  # noqa: E402
import fwdtest  # noqa: E402

PAGE = b"page through SOCKS5\n"
USER = "socks-user"
PASSWORD = "Socks-Secret-3319"
ADDRESS_DOMAIN = 3
ADDRESS_IPV4 = 1


class Socks5Test(fwdtest.ProxyTestCase):
    def start_child(self, socks, url=None, defines=None):
        settings = {
            "proxy.connect.ports": "1-65535",
            "proxy.upstream.order": "socks",
            "proxy.upstream.socks.url": url or f"socks5://{socks.authority}",
        }
        settings.update(defines or {})
        return self.start_proxy(settings)

    def test_plain_request_by_name(self):
        # The name is under .invalid, so only the SOCKS server can have "resolved" it.
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        socks = self.start_server(chaintest.Socks5Server())
        child = self.start_child(socks)
        target = f"http://origin.invalid:{origin.port}/page"

        client = self.connect(child)
        for _ in range(2):
            response = client.request("GET", target, [("Host", f"origin.invalid:{origin.port}")])
            self.assertEqual(response.status, 200, repr(response))
            self.assertEqual(response.body, PAGE)

        # Origin-form over the SOCKS tunnel, which stays open for the second request.
        requests = origin.wait_for_requests(2)
        self.assertEqual(requests[0].request_line, "GET /page HTTP/1.1")
        self.assertEqual(requests[0].values("Host"), [f"origin.invalid:{origin.port}"])
        self.assertEqual(len(socks.requests), 1)
        request = socks.requests[0]
        self.assertEqual((request.address_type, request.host, request.port), (ADDRESS_DOMAIN, "origin.invalid", origin.port))
        self.assertIsNone(request.user)
        self.assert_access_logged(child, "GET", target, 200)

    def test_connect_with_password(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        socks = self.start_server(chaintest.Socks5Server((USER, PASSWORD)))
        child = self.start_child(socks, f"socks5://{USER}:{PASSWORD}@{socks.authority}")

        client = self.connect(child)
        client.send(fwdtest.build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        self.assertEqual(client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING)), fwdtest.TunnelPeer.GREETING)

        payload = b"\x00\xff binary through SOCKS5 " * 4096
        client.send(payload)
        client.sock.shutdown(fwdtest.socket.SHUT_WR)
        self.assertEqual(client.reader.read_to_eof(), fwdtest.TunnelPeer.expected_reply(payload))

        request = socks.requests[0]
        self.assertEqual((request.address_type, request.host, request.port), (ADDRESS_IPV4, fwdtest.LOOPBACK, peer.port))
        self.assertEqual(request.user, USER)
        self.assertNotIn(PASSWORD, child.output())

    def test_curl_through_socks_chain(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        socks = self.start_server(chaintest.Socks5Server((USER, PASSWORD)))
        child = self.start_child(socks, f"socks5://{USER}:{PASSWORD}@{socks.authority}")

        for extra in ([], ["-p"]):
            result = fwdtest.run_curl(*extra, "-x", child.url, origin.url("/page"))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout, PAGE, f"with {extra}")

    def test_wrong_password(self):
        origin = self.start_origin()
        socks = self.start_server(chaintest.Socks5Server((USER, PASSWORD)))
        child = self.start_child(socks, f"socks5://{USER}:Wrong-Secret-7@{socks.authority}")
        label = f"socks {socks.authority}"

        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "parent_failed", label)
        self.assertNotIn(b"Wrong-Secret-7", response.body)
        self.assert_logged(child, r"rejected the user name or password")
        self.assertNotIn("Wrong-Secret-7", child.output())

        client = self.connect(child)
        client.send(fwdtest.build_request("CONNECT", origin.authority, [("Host", origin.authority)]))
        self.assert_error_response(client.read_response("CONNECT"), 502, "parent_failed", label)
        self.assertEqual(socks.rejected_logins, 2)
        self.assertEqual(origin.connection_count, 0)

    def test_password_required(self):
        origin = self.start_origin()
        socks = self.start_server(chaintest.Socks5Server((USER, PASSWORD)))
        child = self.start_child(socks)

        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "parent_failed")
        self.assert_logged(child, r"the SOCKS5 server requires authentication")

    def test_destination_refused(self):
        closed = fwdtest.closed_port()
        socks = self.start_server(chaintest.Socks5Server())
        child = self.start_child(socks)
        target = f"{fwdtest.LOOPBACK}:{closed}"

        client = self.connect(child)
        client.send(fwdtest.build_request("CONNECT", target, [("Host", target)]))
        self.assert_error_response(client.read_response("CONNECT"), 502, "parent_failed")
        self.assert_logged(child, r"answered CONNECT with: connection refused")


if __name__ == "__main__":
    fwdtest.main()
