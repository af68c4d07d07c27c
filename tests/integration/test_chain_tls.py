"""TLS: clients speaking TLS to a tls: listener, and a chain whose parent is
reached over TLS, with certificate checks, failover and large bodies."""

import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaintest  # noqa: E402
import fwdtest  # noqa: E402

PAGE = b"page over TLS\n"
BIG_SIZE = 8 * 1024 * 1024
UPLOAD_SIZE = 2 * 1024 * 1024 + 12345


class TlsTestCase(fwdtest.ProxyTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-tls-")
        self.addCleanup(folder.cleanup)
        self.folder = folder.name
        self.certificate, self.key = chaintest.make_certificate(self.folder)

    def start_tls_proxy(self, defines=None, pseudonym="parent"):
        """Start fwdproxy with a plain and a TLS listener and return (proxy, TLS port)."""
        settings = {
            "proxy.listen": f"{fwdtest.LOOPBACK}:0, tls:{fwdtest.LOOPBACK}:0",
            "proxy.tls.certificate": self.certificate,
            "proxy.tls.key": self.key,
            "proxy.via.pseudonym": pseudonym,
            "proxy.connect.ports": "1-65535",
        }
        settings.update(defines or {})
        proxy = self.start_proxy(settings)
        ports = proxy.listener_ports(2)
        self.assertEqual(ports[1][1], "with TLS")
        return proxy, ports[1][0]

    def tls_proxy_arguments(self, port):
        return ["--proxy", f"https://{fwdtest.LOOPBACK}:{port}", "--proxy-cacert", self.certificate]


class TlsListenerTest(TlsTestCase):
    def test_curl_plain_request(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_tls_proxy()

        result = fwdtest.run_curl(*self.tls_proxy_arguments(port), origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE)
        self.assert_access_logged(proxy, "GET", origin.url("/page"), 200)

    def test_curl_tunnel(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        proxy, port = self.start_tls_proxy()

        result = fwdtest.run_curl("-p", *self.tls_proxy_arguments(port), origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE)
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 200)

    def test_large_download(self):
        # The body must go through TLS, never splice(2), which would move raw TLS records.
        origin = self.start_origin(routes={"/big": fwdtest.Generated(BIG_SIZE)})
        _, port = self.start_tls_proxy()

        for extra in ([], ["-p"]):
            code, size, digest, stderr = fwdtest.curl_sha256(*extra, *self.tls_proxy_arguments(port), origin.url("/big"))
            self.assertEqual(code, 0, stderr)
            self.assertEqual(size, BIG_SIZE, f"with {extra}")
            self.assertEqual(digest, fwdtest.generated_sha256(BIG_SIZE), f"with {extra}")

    def test_large_upload_and_pipelining(self):
        # A large body arrives in TLS records bigger than the room left in the
        # proxy's buffer, so part of each record waits inside the TLS library
        # where poll(2) cannot see it.
        origin = self.start_origin(routes={"/upload": fwdtest.Fixed(b"stored\n")})
        _, port = self.start_tls_proxy()
        body = fwdtest.generated_body(UPLOAD_SIZE, b"upload")

        client = chaintest.TlsClient(port, self.certificate)
        self.addCleanup(client.close)
        response = client.request("POST", origin.url("/upload"),
                                  [("Host", origin.authority), ("Content-Length", str(len(body)))], body)
        self.assertEqual(response.status, 200, repr(response))
        received = origin.wait_for_requests(1)[0].body
        self.assertEqual(len(received), len(body))
        self.assertEqual(hashlib.sha256(received).hexdigest(), hashlib.sha256(body).hexdigest())

        # Three requests in one write arrive in one TLS record.
        pipelined = b"".join(fwdtest.absolute_get(origin.url(f"/p{i}")) for i in range(3))
        client.send(pipelined)
        for i in range(3):
            response = client.read_response()
            self.assertEqual(response.status, 200)
            self.assertEqual(response.body, f"origin {origin.port} path /p{i}\n".encode("ascii"))

    def test_head_left_inside_tls_record(self):
        # Two pipelined requests fill two TLS records of 16 KiB. After the first
        # request, the proxy's buffer has room for only half of the second
        # record. The end of the second head therefore waits inside the TLS
        # library, where poll(2) cannot see it, and the client sends no more.
        origin = self.start_origin()
        _, port = self.start_tls_proxy({"proxy.timeouts.header": "3"})
        record = 16384

        def padded_get(path, size):
            head = fwdtest.absolute_get(origin.url(path), extra_headers=[("X-Pad", "")])
            padding = size - len(head)
            return fwdtest.absolute_get(origin.url(path), extra_headers=[("X-Pad", "p" * padding)])

        first = padded_get("/first", record // 2)
        second = padded_get("/second", record + record // 2)
        self.assertEqual(len(first + second), 2 * record)

        client = chaintest.TlsClient(port, self.certificate)
        self.addCleanup(client.close)
        client.send(first + second)
        for path in ("/first", "/second"):
            response = client.read_response()
            self.assertEqual(response.status, 200, f"{path}: {response!r}")
            self.assertEqual(response.body, f"origin {origin.port} path {path}\n".encode("ascii"))

    def test_tunnel_passes_early_bytes(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        _, port = self.start_tls_proxy()

        client = chaintest.TlsClient(port, self.certificate)
        self.addCleanup(client.close)
        client.send(fwdtest.build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        self.assertEqual(client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING)), fwdtest.TunnelPeer.GREETING)

    def test_mismatched_key_stops_startup(self):
        _, other_key = chaintest.make_certificate(self.folder, "other")
        args = [
            "-D", f"proxy.listen=tls:{fwdtest.LOOPBACK}:0",
            "-D", f"proxy.tls.certificate={self.certificate}",
            "-D", f"proxy.tls.key={other_key}",
        ]
        code, output, _ = fwdtest.run_proxy_to_exit(args, config="")
        self.assertEqual(code, 78, output)
        self.assertIn("proxy.tls.key", output)

    def test_pac_names_plain_listener(self):
        # A browser's PAC file can name only a listener that speaks plain HTTP.
        proxy = self.start_proxy({
            "proxy.listen": f"tls:{fwdtest.LOOPBACK}:0, proxy:{fwdtest.LOOPBACK}:0, {fwdtest.LOOPBACK}:0",
            "proxy.tls.certificate": self.certificate,
            "proxy.tls.key": self.key,
            "proxy.admin.listen": f"{fwdtest.LOOPBACK}:0",
        })
        ports = proxy.listener_ports(3)
        self.assertEqual([kind for _, kind in ports], ["with TLS", "with the PROXY protocol", ""])
        admin = proxy.admin_port()

        pac = self.admin_get(admin, "/proxy.pac")
        self.assertIn(f'return "PROXY {fwdtest.LOOPBACK}:{ports[2][0]}";'.encode("ascii"), pac)
        status = self.admin_get(admin, "/status")
        self.assertIn(f"{fwdtest.LOOPBACK}:{ports[0][0]} with TLS".encode("ascii"), status)

    def admin_get(self, port, path):
        with fwdtest.Client(port) as client:
            response = client.request("GET", path, [("Host", f"{fwdtest.LOOPBACK}:{port}"), ("Connection", "close")])
        self.assertEqual(response.status, 200, repr(response))
        return response.body

    def test_plain_client_rejected(self):
        origin = self.start_origin()
        proxy, port = self.start_tls_proxy()

        client = fwdtest.Client(port)
        self.addCleanup(client.close)
        client.send(fwdtest.absolute_get(origin.url("/")))
        self.assertTrue(client.wait_closed(), "the TLS listener answered a plain HTTP request")
        self.assert_logged(proxy, r"TLS handshake failed")
        self.assertEqual(origin.connection_count, 0)


class TlsChainTest(TlsTestCase):
    def start_child(self, url, defines=None):
        settings = {
            "proxy.via.pseudonym": "child",
            "proxy.connect.ports": "1-65535",
            "proxy.upstream.order": "corp",
            "proxy.upstream.corp.url": url,
        }
        settings.update(defines or {})
        return self.start_proxy(settings)

    def test_chain_over_tls(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE), "/big": fwdtest.Generated(BIG_SIZE)})
        parent, port = self.start_tls_proxy()
        child = self.start_child(f"https://{fwdtest.LOOPBACK}:{port}", {"proxy.upstream.corp.caFile": self.certificate})

        result = fwdtest.run_curl("-x", child.url, origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE)

        result = fwdtest.run_curl("-p", "-x", child.url, origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE)

        for extra in ([], ["-p"]):
            code, size, digest, stderr = fwdtest.curl_sha256(*extra, "-x", child.url, origin.url("/big"))
            self.assertEqual(code, 0, stderr)
            self.assertEqual((size, digest), (BIG_SIZE, fwdtest.generated_sha256(BIG_SIZE)), f"with {extra}")

        self.assert_access_logged(parent, "GET", origin.url("/page"), 200)
        self.assert_access_logged(parent, "CONNECT", origin.authority, 200)
        self.assertEqual(origin.requests[0].tokens("Via"), ["1.1 child", "1.1 parent"])

    def test_chain_over_tls_by_name(self):
        # The certificate names localhost as well, and the name is what OpenSSL checks.
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        _, port = self.start_tls_proxy()
        child = self.start_child(f"https://localhost:{port}", {"proxy.upstream.corp.caFile": self.certificate})

        result = fwdtest.run_curl("-x", child.url, origin.url("/page"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, PAGE)

    def test_untrusted_certificate(self):
        # Without caFile the system CA store is used, which does not know the test certificate.
        origin = self.start_origin()
        _, port = self.start_tls_proxy()
        child = self.start_child(f"https://{fwdtest.LOOPBACK}:{port}")

        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "parent_failed", f"corp {fwdtest.LOOPBACK}:{port}")
        self.assert_logged(child, r"TLS handshake with 127\.0\.0\.1:\d+ failed")
        self.assertEqual(origin.connection_count, 0)

    def test_certificate_for_other_name(self):
        other_certificate, other_key = chaintest.make_certificate(self.folder, "other", "DNS:proxy.example.invalid")
        origin = self.start_origin()
        _, port = self.start_tls_proxy({"proxy.tls.certificate": other_certificate, "proxy.tls.key": other_key})
        child = self.start_child(f"https://{fwdtest.LOOPBACK}:{port}", {"proxy.upstream.corp.caFile": other_certificate})

        response = self.connect(child).request("GET", origin.url("/"), [("Host", origin.authority)])
        self.assert_error_response(response, 502, "parent_failed")
        self.assertEqual(origin.connection_count, 0)

    def test_verify_off(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        _, port = self.start_tls_proxy()
        child = self.start_child(f"https://{fwdtest.LOOPBACK}:{port}", {"proxy.upstream.corp.verify": "false"})

        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(response.body, PAGE)

    def test_failover_after_tls_failure(self):
        origin = self.start_origin(routes={"/page": fwdtest.Fixed(PAGE)})
        _, port = self.start_tls_proxy()
        backup = self.start_origin(default=fwdtest.Fixed(b"from the backup\n"))
        child = self.start_proxy({
            "proxy.via.pseudonym": "child",
            "proxy.upstream.order": "corp, backup",
            "proxy.upstream.corp.url": f"https://{fwdtest.LOOPBACK}:{port}",
            "proxy.upstream.backup.url": f"http://{backup.authority}",
        })

        response = self.connect(child).request("GET", origin.url("/page"), [("Host", origin.authority)])
        self.assertEqual(response.body, b"from the backup\n")
        self.assert_logged(child, r"parent corp 127\.0\.0\.1:\d+ failed .*TLS handshake.*trying the next parent")


if __name__ == "__main__":
    fwdtest.main()
