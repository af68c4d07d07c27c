"""The admin listener: /metrics in the Prometheus text format, /status,
/proxy.pac, its client allow list, and its paths and methods.

Every proxy here enables the admin listener on 127.0.0.1 with a free port.
The PAC file is run in Node.js, when it is installed, with stub versions of
the PAC functions, so no name is ever looked up.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

ADMIN_ON = {"proxy.admin.listen": f"{fwdtest.LOOPBACK}:0"}

# Exit code when a listener cannot be bound (EX_OSERR in sysexits.h).
EX_OSERR = 71

# Seconds to wait for a counter to reach its value: requests are counted right
# after their response is sent, so a scrape may come first.
METRIC_TIMEOUT = 5.0

# One sample line of the Prometheus text format 0.0.4: a name, optional labels
# with quoted values, and a value.
SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? '
    r"(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|\+Inf|-Inf|NaN)$"
)
HELP = re.compile(r"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$")
TYPE = re.compile(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$")

# Stubs of the PAC functions that browsers provide. dnsResolve returns
# addresses from a fixed table and records every name it is called with.
PAC_RUNNER = r"""
const fs = require("fs");
const vm = require("vm");
const [pacPath, tablePath] = process.argv.slice(2);
const table = JSON.parse(fs.readFileSync(tablePath, "utf8"));
const lookups = [];
function toNumber(ip) {
    return ip.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
}
const context = {
    shExpMatch: (text, pattern) => new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*").replace(/\?/g, ".") + "$").test(text),
    dnsDomainIs: (host, domain) => host.length >= domain.length && host.endsWith(domain),
    isInNet: (ip, net, mask) => /^[0-9.]+$/.test(ip)
        && ((toNumber(ip) & toNumber(mask)) >>> 0) === ((toNumber(net) & toNumber(mask)) >>> 0),
    dnsResolve: (host) => { lookups.push(host); return table.addresses[host] || null; },
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(pacPath, "utf8"), context);
const results = {};
for (const host of table.hosts) {
    results[host] = context.FindProxyForURL("http://" + host + "/", host);
}
console.log(JSON.stringify({results, lookups}));
"""


def admin_request(port, method, path, source=None):
    """Send one request to the admin listener and return the response."""
    sock = socket.create_connection(
        (fwdtest.LOOPBACK, port), timeout=fwdtest.IO_TIMEOUT, source_address=(source, 0) if source else None
    )
    with sock:
        sock.sendall(fwdtest.build_request(method, path, [("Host", f"{fwdtest.LOOPBACK}:{port}"), ("Connection", "close")]))
        return fwdtest.read_response(fwdtest.SocketReader(sock), method)


def parse_metrics(text):
    """Return {series: value} for every sample line of a /metrics page."""
    values = {}
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match:
            values[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return values


class AdminTestCase(fwdtest.ProxyTestCase):
    def start_admin_proxy(self, defines=None, config=""):
        proxy = self.start_proxy({**ADMIN_ON, **(defines or {})}, config)
        proxy.admin = proxy.admin_port()
        return proxy

    def get_through(self, proxy, url):
        """Send a GET for `url` through `proxy` on a new connection and return the response."""
        with fwdtest.Client(proxy.port) as client:
            return client.request("GET", url, [("Host", fwdtest.authority_of(url))])

    def scrape(self, proxy):
        response = admin_request(proxy.admin, "GET", "/metrics")
        self.assertEqual(response.status, 200, response)
        return parse_metrics(response.body.decode("utf-8"))

    def wait_for_metric(self, proxy, series, expected):
        """Scrape until `series` has the value `expected`, and fail after METRIC_TIMEOUT seconds."""
        deadline = time.monotonic() + METRIC_TIMEOUT
        while True:
            values = self.scrape(proxy)
            if values.get(series) == expected:
                return values
            if time.monotonic() > deadline:
                self.fail(f"{series} is {values.get(series)}, expected {expected}")
            time.sleep(0.05)


class MetricsTest(AdminTestCase):
    def test_every_line_parses(self):
        proxy = self.start_admin_proxy()
        response = admin_request(proxy.admin, "GET", "/metrics")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.value("Content-Type").startswith("text/plain; version=0.0.4"), response)

        typed = {}
        for line in response.body.decode("utf-8").splitlines():
            with self.subTest(line=line):
                self.assertTrue(SAMPLE.match(line) or HELP.match(line) or TYPE.match(line), "not a valid line")
                match = TYPE.match(line)
                if match:
                    typed[match.group(1)] = match.group(2)
        for name, kind in typed.items():
            if kind == "counter":
                self.assertTrue(name.endswith("_total"), f"counter {name} does not end in _total")
        self.assertEqual(typed.get("fwdproxy_request_duration_seconds"), "histogram")
        self.assertEqual(typed.get("fwdproxy_active_client_connections"), "gauge")

    def test_counters_follow_requests(self):
        origin = self.start_origin()
        proxy = self.start_admin_proxy()
        before = self.scrape(proxy)
        get_2xx = 'fwdproxy_requests_total{method="GET",code="2xx"}'
        connect_4xx = 'fwdproxy_requests_total{method="CONNECT",code="4xx"}'
        denied = 'fwdproxy_rejections_total{reason="connect_port_denied"}'
        self.assertEqual(before[get_2xx], 0)
        self.assertEqual(before[denied], 0)

        self.assertEqual(self.get_through(proxy, origin.url("/counted")).status, 200)
        _, refused = self.connect_request(proxy, f"{fwdtest.LOOPBACK}:25")
        self.assertEqual(refused.status, 403)

        after = self.wait_for_metric(proxy, "fwdproxy_request_duration_seconds_count", 2)
        self.assertEqual(after[get_2xx], 1)
        self.assertEqual(after[connect_4xx], 1)
        self.assertEqual(after[denied], 1)
        self.assertEqual(after['fwdproxy_requests_total{method="GET",code="4xx"}'], 0)
        self.assertGreater(after["fwdproxy_client_sent_bytes_total"], before["fwdproxy_client_sent_bytes_total"])
        self.assertEqual(after['fwdproxy_request_duration_seconds_bucket{le="+Inf"}'], 2)

    def test_connect_failure_counted(self):
        proxy = self.start_admin_proxy()
        response = self.get_through(proxy, f"http://{fwdtest.LOOPBACK}:{fwdtest.closed_port()}/")
        self.assert_error_response(response, 502, "connect_refused")

        # The rejection is counted last, after the response went out.
        values = self.wait_for_metric(proxy, 'fwdproxy_rejections_total{reason="connect_refused"}', 1)
        self.assertEqual(values['fwdproxy_upstream_connect_failures_total{cause="connect_refused"}'], 1)
        self.assertEqual(values['fwdproxy_upstream_connect_failures_total{cause="dns_failure"}'], 0)

    def test_gauges_during_tunnel(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy = self.start_admin_proxy({"proxy.connect.ports": str(peer.port)})
        client, response = self.connect_request(proxy, peer.authority)
        self.assertEqual(response.status, 200)
        self.assertEqual(client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING)), fwdtest.TunnelPeer.GREETING)

        values = self.wait_for_metric(proxy, "fwdproxy_open_tunnels", 1)
        self.assertEqual(values["fwdproxy_active_client_connections"], 1)

        client.sock.shutdown(socket.SHUT_WR)
        client.reader.read_to_eof()
        client.close()
        values = self.wait_for_metric(proxy, "fwdproxy_open_tunnels", 0)
        self.wait_for_metric(proxy, "fwdproxy_active_client_connections", 0)
        self.assertEqual(self.scrape(proxy)['fwdproxy_requests_total{method="CONNECT",code="2xx"}'], 1)

    def test_idle_pool_gauge(self):
        origin = self.start_origin()
        proxy = self.start_admin_proxy()
        with fwdtest.Client(proxy.port) as client:
            response = client.request("GET", origin.url("/pooled"), [("Host", origin.authority), ("Connection", "close")])
        self.assertEqual(response.status, 200)
        self.wait_for_metric(proxy, "fwdproxy_idle_origin_connections", 1)

    def connect_request(self, proxy, authority):
        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", authority, [("Host", authority)]))
        return client, client.read_response("CONNECT")


class StatusPageTest(AdminTestCase):
    def test_status_content(self):
        origin = self.start_origin()
        proxy = self.start_admin_proxy()
        self.assertEqual(self.get_through(proxy, origin.url("/")).status, 200)
        self.wait_for_metric(proxy, "fwdproxy_request_duration_seconds_count", 1)

        response = admin_request(proxy.admin, "GET", "/status")
        self.assertEqual(response.status, 200)
        self.assertTrue(response.value("Content-Type").startswith("text/plain"), response)
        text = response.body.decode("utf-8")
        self.assertRegex(text, r"^fwdproxy \d+\.\d+\.\d+\n")
        self.assertRegex(text, r"\nuptime: \d\d:\d\d:\d\d \(\d+ s\)\n")
        self.assertIn(f"\nproxy listeners: {fwdtest.LOOPBACK}:{proxy.port}\n", text)
        self.assertIn(f"\nadmin listeners: {fwdtest.LOOPBACK}:{proxy.admin}\n", text)
        self.assertIn("\nactive client connections: 0\n", text)
        self.assertIn("\nopen tunnels: 0\n", text)
        self.assertIn("\nrequests: 1\n", text)


class PacFileTest(AdminTestCase):
    DIRECT = "localhost, .internal, *.corp.example, 10.0.0.0/8"

    def test_pac_names_the_listener(self):
        proxy = self.start_admin_proxy({"proxy.pac.direct": self.DIRECT})
        response = admin_request(proxy.admin, "GET", "/proxy.pac")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.value("Content-Type"), "application/x-ns-proxy-autoconfig")
        text = response.body.decode("utf-8")
        self.assertIn("function FindProxyForURL(url, host)", text)
        self.assertIn(f'return "PROXY {fwdtest.LOOPBACK}:{proxy.port}";', text)
        self.assertIn('dnsDomainIs(host, ".internal")', text)
        self.assertIn('shExpMatch(host, "*.corp.example")', text)
        self.assertIn('isInNet(address, "10.0.0.0", "255.0.0.0")', text)

    def test_pac_uses_configured_proxy(self):
        proxy = self.start_admin_proxy({"proxy.pac.proxy": "proxy.example.net:3128"})
        text = admin_request(proxy.admin, "GET", "/proxy.pac").body.decode("utf-8")
        self.assertIn('return "PROXY proxy.example.net:3128";', text)

    def test_pac_runs_in_node(self):
        node = shutil.which("node")
        if node is None:
            self.skipTest("Node.js (node) is not installed")
        proxy = self.start_admin_proxy({"proxy.pac.direct": self.DIRECT})
        pac = admin_request(proxy.admin, "GET", "/proxy.pac").body

        proxied = f"PROXY {fwdtest.LOOPBACK}:{proxy.port}"
        expected = {
            "localhost": "DIRECT",
            "LOCALHOST": "DIRECT",
            "internal": "DIRECT",
            "db.internal": "DIRECT",
            "build.corp.example": "DIRECT",
            "10.1.2.3": "DIRECT",
            "intranet.example.org": "DIRECT",
            "www.example.org": proxied,
            "notinternal": proxied,
            "unknown.invalid": proxied,
            "192.0.2.5": proxied,
        }
        table = {
            "hosts": list(expected),
            "addresses": {"intranet.example.org": "10.9.9.9", "www.example.org": "192.0.2.80"},
        }

        with tempfile.TemporaryDirectory(prefix="fwdproxy-pac-") as folder:
            pac_path = os.path.join(folder, "proxy.pac")
            table_path = os.path.join(folder, "table.json")
            runner_path = os.path.join(folder, "run.js")
            with open(pac_path, "wb") as pac_file:
                pac_file.write(pac)
            with open(table_path, "w", encoding="utf-8") as table_file:
                json.dump(table, table_file)
            with open(runner_path, "w", encoding="utf-8") as runner_file:
                runner_file.write(PAC_RUNNER)
            run = subprocess.run(
                [node, runner_path, pac_path, table_path], capture_output=True, timeout=30, stdin=subprocess.DEVNULL
            )
        self.assertEqual(run.returncode, 0, run.stderr.decode("utf-8", "replace"))

        output = json.loads(run.stdout)
        for host, result in expected.items():
            with self.subTest(host=host):
                self.assertEqual(output["results"][host], result)

        # Name rules and IPv4 literals need no lookup.
        for host in ("localhost", "LOCALHOST", "db.internal", "build.corp.example", "10.1.2.3", "192.0.2.5"):
            self.assertNotIn(host.lower(), output["lookups"])
        self.assertIn("www.example.org", output["lookups"])


class AdminListenerTest(AdminTestCase):
    def test_off_when_empty(self):
        if not os.path.exists("/proc/net/tcp"):
            self.skipTest("/proc/net/tcp is needed to list the listening sockets of a process")
        proxy = self.start_proxy({"proxy.admin.listen": ""})
        self.assertIsNone(proxy.wait_for_output(r"admin interface", timeout=0.5))
        self.assertEqual(listening_ports(proxy.process.pid), {proxy.port})

        proxy = self.start_admin_proxy()
        self.assertEqual(listening_ports(proxy.process.pid), {proxy.port, proxy.admin})

    def test_paths_and_methods(self):
        proxy = self.start_admin_proxy()
        response = admin_request(proxy.admin, "GET", "/nothing-here")
        self.assertEqual(response.status, 404)

        response = admin_request(proxy.admin, "POST", "/metrics")
        self.assertEqual(response.status, 405)
        self.assertEqual(response.value("Allow"), "GET, HEAD")

        response = admin_request(proxy.admin, "HEAD", "/metrics")
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body, b"")
        self.assertGreater(int(response.value("Content-Length")), 0)

        response = admin_request(proxy.admin, "GET", "/status?verbose=1")
        self.assertEqual(response.status, 200)

    def test_client_allow_list(self):
        if not fwdtest.can_bind("127.0.0.2"):
            self.skipTest("127.0.0.2 is not a local address on this machine")
        proxy = self.start_admin_proxy({"proxy.admin.clients.allow": "127.0.0.2"})
        for path in ("/metrics", "/status", "/proxy.pac", "/nothing-here"):
            with self.subTest(path=path):
                self.assertEqual(admin_request(proxy.admin, "GET", path).status, 403)
        self.assertEqual(admin_request(proxy.admin, "GET", "/metrics", source="127.0.0.2").status, 200)

    def test_not_reachable_through_proxy(self):
        proxy = self.start_admin_proxy()
        response = self.get_through(proxy, f"http://{fwdtest.LOOPBACK}:{proxy.admin}/metrics")
        self.assert_error_response(response, 508, "forwarding_loop")

    def test_bind_failure_stops_startup(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind((fwdtest.LOOPBACK, 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            code, output, _ = fwdtest.run_proxy_to_exit(
                ["-D", f"proxy.listen={fwdtest.LOOPBACK}:0", "-D", f"proxy.admin.listen={fwdtest.LOOPBACK}:{port}"],
                config="",
            )
        self.assertEqual(code, EX_OSERR, output)
        self.assertIn(f"cannot listen: Net Exception: Address already in use: {fwdtest.LOOPBACK}:{port}", output)
        self.assertNotIn("admin interface at", output)


def listening_ports(pid):
    """Return the TCP ports on which process `pid` listens, from /proc (Linux)."""
    inodes = set()
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table, encoding="ascii") as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                listening = fields[3] == "0A"
                if listening and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


if __name__ == "__main__":
    fwdtest.main()
