"""proxy.outgoing.address: connections to origins and parents start from the configured local address."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

OUTGOING = "127.0.0.2"


class OutgoingAddressTest(fwdtest.ProxyTestCase):
    def test_origin_sees_outgoing_address(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.outgoing.address": f"{OUTGOING}, ::1", "proxy.connect.ports": str(origin.port)})

        self.assertEqual(self.connect(proxy).request("GET", origin.url("/"), [("Host", origin.authority)]).status, 200)
        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", origin.authority, [("Host", origin.authority)]))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        client.send(fwdtest.build_request("GET", "/tunneled", [("Host", origin.authority)]))
        self.assertEqual(client.read_response().status, 200)

        self.assertEqual([address for address, _ in origin.peers], [OUTGOING, OUTGOING])

    def test_parent_sees_outgoing_address(self):
        parent = self.start_origin(default=fwdtest.Fixed(b"from the parent\n"))
        proxy = self.start_proxy({
            "proxy.outgoing.address": OUTGOING,
            "proxy.upstream.order": "corp",
            "proxy.upstream.corp.url": f"http://{parent.authority}",
        })

        response = self.connect(proxy).request("GET", "http://origin.invalid/", [("Host", "origin.invalid")])
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual([address for address, _ in parent.peers], [OUTGOING])

    def test_without_setting_kernel_chooses(self):
        origin = self.start_origin()
        proxy = self.start_proxy()

        self.assertEqual(self.connect(proxy).request("GET", origin.url("/"), [("Host", origin.authority)]).status, 200)
        self.assertEqual([address for address, _ in origin.peers], [fwdtest.LOOPBACK])

    def test_address_not_on_this_host(self):
        # Binding fails on this host before any packet leaves it.
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.outgoing.address": "192.0.2.1"})

        response = self.connect(proxy).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "connect_failed")
        self.assertEqual(origin.connection_count, 0)


if __name__ == "__main__":
    fwdtest.main()
