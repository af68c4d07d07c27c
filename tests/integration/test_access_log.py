"""The access-log formats of proxy.accessLog.format: native, squid, common and
combined. Each test writes the access log to a file through a formatter that
adds a time stamp, as a log-file setup usually does, and parses every line
with a regular expression for its format. GoAccess, when it is installed,
reads the Squid and Combined files too.
"""

import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402
from test_auth import basic_credentials, hash_password  # noqa: E402

# Squid's native format: "time.ms elapsed client action/code size method URL
# user hierarchy/peer type" (logformat squid in squid.conf).
SQUID_LINE = re.compile(
    r"^(?P<time>\d{9,}\.\d{3}) +(?P<elapsed>\d+) (?P<client>\S+) (?P<action>[A-Z_]+)/(?P<code>\d{3}) "
    r"(?P<size>\d+) (?P<method>\S+) (?P<url>\S+) (?P<user>\S+) (?P<hierarchy>[A-Z_]+)/(?P<peer>\S+) (?P<type>\S+)$"
)

# NCSA Common Log Format, and Combined with two more quoted fields.
QUOTED = r'"(?:[^"\\]|\\.)*"'
COMMON_LINE = re.compile(
    r"^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<date>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "
    rf"(?P<request>{QUOTED}) (?P<status>\d{{3}}|-) (?P<bytes>\d+|-)$"
)
COMBINED_LINE = re.compile(COMMON_LINE.pattern[:-1] + rf" (?P<referer>{QUOTED}) (?P<agent>{QUOTED})$")

# The file channel's formatter puts this in front of every line. The Squid and
# NCSA lines must reach the file without it.
STAMP_PATTERN = "%Y-%m-%dT%H:%M:%S.%iZ %s: %t"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z fwdproxy\.access: ")

REFERER = "http://referer.invalid/from"
USER_AGENT = 'agent/1.0 (says "hi")'
USER = "alice"
PASSWORD = "Log-Horse-2231"

# Seconds to wait for the expected number of lines in the log file.
FILE_TIMEOUT = 5.0

# Seconds of clock difference allowed between a logged time and the test's clock.
CLOCK_SLACK = 60


def unquote(field):
    """Return the text of a quoted NCSA field, with \\" and \\\\ undone."""
    return re.sub(r"\\(.)", r"\1", field[1:-1])


def logging_config(path):
    """Return logging.* properties that send the access log to `path` through a time-stamping formatter."""
    return (
        "logging.formatters.stamped.class = PatternFormatter\n"
        f"logging.formatters.stamped.pattern = {STAMP_PATTERN}\n"
        "logging.formatters.stamped.times = UTC\n"
        "logging.channels.accessFile.class = FileChannel\n"
        f"logging.channels.accessFile.path = {path}\n"
        "logging.channels.accessFile.formatter = stamped\n"
        "logging.loggers.access.name = fwdproxy.access\n"
        "logging.loggers.access.channel = accessFile\n"
        "logging.loggers.access.level = information\n"
    )


class AccessLogTestCase(fwdtest.ProxyTestCase):
    def start_logging_proxy(self, log_format, defines=None, config=""):
        """Start a proxy whose access log goes to a file, and return (proxy, path of the file)."""
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-access-")
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "access.log")
        proxy = self.start_proxy(
            {"proxy.accessLog.format": log_format, **(defines or {})}, config=logging_config(path) + config
        )
        return proxy, path

    def wait_for_lines(self, path, count):
        """Return the lines of the log file once it has `count` of them, and fail after FILE_TIMEOUT seconds."""
        deadline = time.monotonic() + FILE_TIMEOUT
        while True:
            lines = []
            if os.path.exists(path):
                with open(path, encoding="utf-8") as log_file:
                    lines = log_file.read().splitlines()
            if len(lines) >= count:
                return lines
            if time.monotonic() > deadline:
                self.fail(f"{path} has {len(lines)} lines, expected {count}:\n" + "\n".join(lines))
            time.sleep(0.05)

    def run_requests(self, log_format):
        """Send a GET, a CONNECT tunnel, a rejected CONNECT and a bad request, and return (lines, origin, peer, proxy).

        Each request waits for its line, so the lines are in this order: a
        tunnel's line is written when the tunnel ends, which may be after the
        client has sent its next request.
        """
        origin = self.start_origin()
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy, path = self.start_logging_proxy(log_format, {"proxy.connect.ports": str(peer.port)})

        with fwdtest.Client(proxy.port) as client:
            response = client.request(
                "GET",
                origin.url("/page"),
                [("Host", origin.authority), ("Referer", REFERER), ("User-Agent", USER_AGENT), ("Connection", "close")],
            )
            self.assertEqual(response.status, 200)
        self.wait_for_lines(path, 1)

        with fwdtest.Client(proxy.port) as client:
            self.assertEqual(fwdtest.exchange_through_tunnel(client, peer, b"tunnel payload")[0], 200)
        self.wait_for_lines(path, 2)

        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.build_request("CONNECT", f"{fwdtest.LOOPBACK}:25", [("Host", f"{fwdtest.LOOPBACK}:25")]))
            self.assertEqual(client.read_response("CONNECT").status, 403)
        self.wait_for_lines(path, 3)

        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.build_request("GET", "/relative", [("Host", origin.authority)]))
            self.assertEqual(client.read_response().status, 400)

        return self.wait_for_lines(path, 4), origin, peer, proxy

    def assert_recent(self, seconds):
        self.assertLess(abs(seconds - time.time()), CLOCK_SLACK, "logged time is far from now")


class FormatTest(AccessLogTestCase):
    def test_native(self):
        lines, origin, peer, _ = self.run_requests("native")
        self.assertEqual(len(lines), 4, lines)
        for line in lines:
            self.assertRegex(line, STAMP, "the native line needs the formatter's time")
        expected = [
            ("GET", origin.url("/page"), 200, "-"),
            ("CONNECT", peer.authority, 200, "-"),
            ("CONNECT", f"{fwdtest.LOOPBACK}:25", 403, "connect_port_denied"),
            ("GET", "/relative", 400, "origin_form_target"),
        ]
        for line, (method, target, status, reason) in zip(lines, expected):
            self.assertRegex(line, fwdtest.access_log_pattern(method, target, status, reason))

    def test_squid(self):
        lines, origin, peer, _ = self.run_requests("squid")
        self.assertEqual(len(lines), 4, lines)
        fields = []
        for line in lines:
            match = SQUID_LINE.match(line)
            self.assertIsNotNone(match, f"not a Squid line: {line!r}")
            fields.append(match.groupdict())
            self.assert_recent(float(match.group("time")))
            self.assertEqual(match.group("client"), fwdtest.LOOPBACK)
            self.assertEqual(match.group("user"), "-")

        get, tunnel, refused, bad = fields
        self.assertEqual((get["action"], get["code"], get["method"]), ("TCP_MISS", "200", "GET"))
        self.assertEqual(get["url"], origin.url("/page"))
        self.assertEqual((get["hierarchy"], get["peer"]), ("HIER_DIRECT", fwdtest.LOOPBACK))
        self.assertEqual(get["type"], "application/octet-stream")
        self.assertGreater(int(get["size"]), 0)

        self.assertEqual((tunnel["action"], tunnel["code"], tunnel["method"]), ("TCP_TUNNEL", "200", "CONNECT"))
        self.assertEqual(tunnel["url"], peer.authority)
        self.assertEqual((tunnel["hierarchy"], tunnel["peer"], tunnel["type"]), ("HIER_DIRECT", fwdtest.LOOPBACK, "-"))
        self.assertGreater(int(tunnel["size"]), len(fwdtest.TunnelPeer.GREETING))

        self.assertEqual((refused["action"], refused["code"]), ("TCP_DENIED", "403"))
        self.assertEqual((refused["hierarchy"], refused["peer"], refused["type"]), ("HIER_NONE", "-", "text/plain"))

        self.assertEqual((bad["action"], bad["code"], bad["url"]), ("NONE_NONE", "400", "/relative"))

    def test_common(self):
        lines, origin, peer, _ = self.run_requests("common")
        self.assertEqual(len(lines), 4, lines)
        fields = []
        for line in lines:
            match = COMMON_LINE.match(line)
            self.assertIsNotNone(match, f"not a Common Log Format line: {line!r}")
            fields.append(match.groupdict())
            logged = time.mktime(time.strptime(match.group("date"), "%d/%b/%Y:%H:%M:%S %z")) - time.timezone
            self.assert_recent(logged)

        self.assertEqual(unquote(fields[0]["request"]), f"GET {origin.url('/page')} HTTP/1.1")
        self.assertEqual((fields[0]["status"], fields[0]["user"], fields[0]["ident"]), ("200", "-", "-"))
        self.assertEqual(unquote(fields[1]["request"]), f"CONNECT {peer.authority} HTTP/1.1")
        self.assertEqual(fields[1]["status"], "200")
        self.assertEqual(fields[2]["status"], "403")
        self.assertEqual(unquote(fields[3]["request"]), "GET /relative HTTP/1.1")
        self.assertEqual(fields[3]["status"], "400")

    def test_combined(self):
        lines, origin, _, _ = self.run_requests("combined")
        self.assertEqual(len(lines), 4, lines)
        fields = []
        for line in lines:
            match = COMBINED_LINE.match(line)
            self.assertIsNotNone(match, f"not a Combined Log Format line: {line!r}")
            fields.append(match.groupdict())

        self.assertEqual(unquote(fields[0]["request"]), f"GET {origin.url('/page')} HTTP/1.1")
        self.assertEqual(unquote(fields[0]["referer"]), REFERER)
        self.assertEqual(unquote(fields[0]["agent"]), USER_AGENT)
        self.assertEqual((fields[2]["referer"], fields[2]["agent"]), ('"-"', '"-"'))

    def test_console_without_prefix(self):
        # Without logging.* keys the access log goes to the console, where the
        # default formatter would put a time stamp in front.
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.accessLog.format": "squid"})
        with fwdtest.Client(proxy.port) as client:
            self.assertEqual(client.request("GET", origin.url("/console"), [("Host", origin.authority)]).status, 200)
        match = self.assert_logged(proxy, r"TCP_MISS/200 .* GET " + re.escape(origin.url("/console")) + " ")
        self.assertRegex(match.string, SQUID_LINE)
        self.assert_logged(proxy, r"^\d{4}-\d{2}-\d{2}T.* fwdproxy: listening on ")

    def test_authenticated_user(self):
        with tempfile.TemporaryDirectory(prefix="fwdproxy-access-users-") as folder:
            users = os.path.join(folder, "users")
            result = hash_password(USER, f"{PASSWORD}\n".encode("utf-8"), iterations=1000)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(users, "wb") as users_file:
                users_file.write(result.stdout)
            origin = self.start_origin()
            proxy, path = self.start_logging_proxy("squid", {"proxy.auth.users": users})
            credentials = ("Proxy-Authorization", f"Basic {basic_credentials(USER, PASSWORD)}")
            with fwdtest.Client(proxy.port) as client:
                response = client.request("GET", origin.url("/user"), [("Host", origin.authority), credentials])
            self.assertEqual(response.status, 200)
            self.wait_for_lines(path, 1)
            with fwdtest.Client(proxy.port) as client:
                response = client.request("GET", origin.url("/anonymous"), [("Host", origin.authority)])
            self.assertEqual(response.status, 407)

            lines = self.wait_for_lines(path, 2)
        self.assertEqual(SQUID_LINE.match(lines[0]).group("user"), USER)
        anonymous = SQUID_LINE.match(lines[1])
        self.assertEqual((anonymous.group("action"), anonymous.group("code")), ("TCP_DENIED", "407"))
        self.assertEqual(anonymous.group("user"), "-")

    def test_client_left(self):
        slow = fwdtest.Slow(64 * 1024, 40, 0.05)
        origin = self.start_origin({"/slow": slow})
        proxy, path = self.start_logging_proxy("squid")
        client = fwdtest.Client(proxy.port)
        client.send(fwdtest.absolute_get(origin.url("/slow")))
        self.assertIsNotNone(client.reader.read_head())
        self.assertTrue(slow.first_piece_sent.wait(fwdtest.IO_TIMEOUT))
        # A reset, not a FIN, so that the proxy's next send fails at once.
        client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()

        match = SQUID_LINE.match(self.wait_for_lines(path, 1)[0])
        self.assertEqual((match.group("action"), match.group("code")), ("TCP_MISS_ABORTED", "200"))


class GoAccessTest(AccessLogTestCase):
    """GoAccess 1.7 reads the files, and each request must count as one valid request."""

    def run_goaccess(self, lines, *format_options):
        goaccess = shutil.which("goaccess")
        if goaccess is None:
            self.skipTest("GoAccess (goaccess) is not installed")
        with tempfile.TemporaryDirectory(prefix="fwdproxy-goaccess-") as folder:
            log_path = os.path.join(folder, "access.log")
            report_path = os.path.join(folder, "report.json")
            with open(log_path, "w", encoding="utf-8") as log_file:
                log_file.write("\n".join(lines) + "\n")
            run = subprocess.run(
                [goaccess, log_path, "--no-global-config", *format_options, "-o", report_path],
                capture_output=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
            )
            self.assertEqual(run.returncode, 0, run.stderr.decode("utf-8", "replace"))
            with open(report_path, encoding="utf-8") as report:
                return json.load(report)["general"]

    def test_squid_file(self):
        lines, _, _, _ = self.run_requests("squid")
        # GoAccess's predefined SQUID format expects a syslog prefix in front
        # of each line, so a Squid access.log file needs the format spelled out.
        general = self.run_goaccess(
            lines, "--log-format=%x.%^ %~%L %h %^/%s %b %m %U", "--date-format=%s", "--time-format=%s"
        )
        self.assertEqual(general["total_requests"], len(lines))
        self.assertEqual(general["valid_requests"], len(lines))

    def test_combined_file(self):
        lines, _, _, _ = self.run_requests("combined")
        general = self.run_goaccess(lines, "--log-format=COMBINED")
        self.assertEqual(general["total_requests"], len(lines))
        self.assertEqual(general["valid_requests"], len(lines))

    def test_common_file(self):
        lines, _, _, _ = self.run_requests("common")
        general = self.run_goaccess(lines, "--log-format=COMMON")
        self.assertEqual(general["valid_requests"], len(lines))


if __name__ == "__main__":
    fwdtest.main()
