"""Graceful shutdown on SIGTERM: in-flight exchanges finish, new connections are refused."""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

GRACE_SECONDS = 10
# 24 pieces of 64 KiB, one every 0.1 s: a download of about 2.4 s.
SLOW_PIECES = 24
SLOW_PIECE_SIZE = 64 * 1024
SLOW_INTERVAL = 0.1


def connection_refused(port):
    try:
        with socket.create_connection((fwdtest.LOOPBACK, port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


class ShutdownTest(fwdtest.ProxyTestCase):
    def test_sigterm_idle(self):
        proxy = self.start_proxy({"proxy.timeouts.shutdownGrace": str(GRACE_SECONDS)})
        started = time.monotonic()
        proxy.signal(signal.SIGTERM)
        code = proxy.wait_exit(5)
        self.assertEqual(code, 0, f"exit code after SIGTERM, output:\n{proxy.output()}")
        self.assertLess(time.monotonic() - started, 5)

    def test_sigterm_during_download(self):
        slow = fwdtest.Slow(SLOW_PIECE_SIZE, SLOW_PIECES, SLOW_INTERVAL)
        origin = self.start_origin(routes={"/slow": slow})
        proxy = self.start_proxy({"proxy.timeouts.shutdownGrace": str(GRACE_SECONDS)})

        command = ["curl", "-q", "--silent", "--show-error", "--max-time", "30", "-x", proxy.url, origin.url("/slow")]
        download = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=fwdtest.client_environment(),
        )
        self.addCleanup(self.stop_download, download)
        outputs = {}

        def collect():
            outputs["stdout"], outputs["stderr"] = download.communicate()

        collector = threading.Thread(target=collect, daemon=True)
        collector.start()

        self.assertTrue(slow.first_piece_sent.wait(fwdtest.IO_TIMEOUT), "origin never started the slow response")
        sigterm_sent = time.monotonic()
        proxy.signal(signal.SIGTERM)

        # The listener closes soon after SIGTERM while the download goes on.
        deadline = time.monotonic() + 3
        refused = connection_refused(proxy.port)
        while not refused and time.monotonic() < deadline:
            time.sleep(0.1)
            refused = connection_refused(proxy.port)
        self.assertTrue(refused, "a new connection was accepted 3 s after SIGTERM")
        self.assertFalse(slow.last_piece_sent.is_set(), "the download ended before the check, so it proves nothing")

        code = proxy.wait_exit(GRACE_SECONDS + 3)
        exited = time.monotonic()
        collector.join(fwdtest.IO_TIMEOUT)
        self.assertEqual(code, 0, f"exit code after SIGTERM, output:\n{proxy.output()}")
        self.assertLess(exited - sigterm_sent, GRACE_SECONDS, "fwdproxy did not exit within the grace period")
        self.assertEqual(download.returncode, 0, outputs.get("stderr"))
        self.assertEqual(len(outputs["stdout"]), slow.size)
        self.assertEqual(hashlib.sha256(outputs["stdout"]).digest(), hashlib.sha256(slow.body).digest())

    def test_idle_connection_closed(self):
        # A kept-alive connection between requests has no exchange in flight, so
        # it must not hold up shutdown until the grace period ends.
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.timeouts.shutdownGrace": str(GRACE_SECONDS)})
        client = self.connect(proxy)
        client.send(fwdtest.absolute_get(origin.url("/once")))
        self.assertEqual(client.read_response().status, 200)

        started = time.monotonic()
        proxy.signal(signal.SIGTERM)
        self.assertTrue(client.wait_closed(5), "idle client connection stayed open after SIGTERM")
        code = proxy.wait_exit(5)
        self.assertEqual(code, 0, f"exit code after SIGTERM, output:\n{proxy.output()}")
        self.assertLess(time.monotonic() - started, 5)

    @staticmethod
    def stop_download(download):
        if download.poll() is None:
            download.kill()
            download.wait(fwdtest.THREAD_JOIN_TIMEOUT)


if __name__ == "__main__":
    fwdtest.main()
