"""Response bodies relayed intact: large downloads, chunked and close-delimited responses."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

MIB = 1024 * 1024

# Irregular chunk sizes, from 1 byte to more than one socket buffer, so that
# chunk boundaries never line up with the proxy's reads.
CHUNK_PIECES = [
    fwdtest.generated_body(size, f"piece{index}".encode("ascii"))
    for index, size in enumerate([1, 15, 16, 4095, 4096, 4097, 65536, 200000, 7, 300001])
]
CHUNKED_BODY = b"".join(CHUNK_PIECES)
CLOSE_BODY = fwdtest.generated_body(3 * MIB + 17, b"close-delimited")


class DownloadTest(fwdtest.ProxyTestCase):
    def setUp(self):
        self.origin = self.start_origin(
            routes={
                "/1mib": fwdtest.Generated(MIB),
                "/100mib": fwdtest.Generated(100 * MIB),
                "/chunked": fwdtest.Chunked(CHUNK_PIECES),
                "/close": fwdtest.CloseDelimited(CLOSE_BODY),
                "/small": fwdtest.Fixed(b"small body\n"),
            }
        )
        self.proxy = self.start_proxy()

    def assert_download(self, path, size, timeout):
        code, received, digest, stderr = fwdtest.curl_sha256(
            "-x", self.proxy.url, self.origin.url(path), timeout=timeout
        )
        self.assertEqual(code, 0, stderr)
        self.assertEqual(received, size)
        self.assertEqual(digest, fwdtest.generated_sha256(size))

    def test_1mib_curl(self):
        self.assert_download("/1mib", MIB, timeout=20)

    def test_100mib_curl(self):
        self.assert_download("/100mib", 100 * MIB, timeout=60)

    def test_chunked_curl(self):
        result = fwdtest.run_curl("-x", self.proxy.url, self.origin.url("/chunked"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, CHUNKED_BODY)

    def test_chunked_http11_raw(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin.url("/chunked")))
        response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertIn(response.framing, ("chunked", "length"))
        self.assertEqual(response.body, CHUNKED_BODY)

        # The body ended where its framing declared, so the connection is still usable.
        client.send(fwdtest.absolute_get(self.origin.url("/small")))
        self.assertEqual(client.read_response().body, b"small body\n")

    def test_chunked_http10_raw(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin.url("/chunked"), version="HTTP/1.0"))
        response = client.read_response()
        self.assertEqual(response.status, 200)
        # RFC 9112 section 6.1: chunked must not be sent to an HTTP/1.0 recipient.
        self.assertEqual(response.values("Transfer-Encoding"), [])
        self.assertIn(response.framing, ("close", "length"))
        self.assertEqual(response.body, CHUNKED_BODY)

    def test_close_delimited_curl(self):
        result = fwdtest.run_curl("-x", self.proxy.url, self.origin.url("/close"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, CLOSE_BODY)

    def test_close_delimited_http11_raw(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin.url("/close")))
        response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.framing, "chunked", f"head: {response.header_lines}")
        self.assertEqual(response.body, CLOSE_BODY)

        # Re-framed as chunked, the body no longer needs the close, so the client connection stays open.
        client.send(fwdtest.absolute_get(self.origin.url("/small")))
        self.assertEqual(client.read_response().body, b"small body\n")

    def test_close_delimited_http10_raw(self):
        client = self.connect(self.proxy)
        client.send(fwdtest.absolute_get(self.origin.url("/close"), version="HTTP/1.0"))
        response = client.read_response()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.values("Transfer-Encoding"), [])
        self.assertEqual(response.framing, "close")
        self.assertEqual(response.body, CLOSE_BODY)


if __name__ == "__main__":
    fwdtest.main()
