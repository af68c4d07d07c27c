"""HAR capture (--har=FILE): a valid HAR 1.2 document while running, after SIGTERM and after kill -9."""

import base64
import datetime
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Seconds to wait for entries to reach the file: the writer rewrites it at
# most every 200 ms, so this leaves room for a loaded machine.
FILE_TIMEOUT = 5.0
CONFIG_ERROR = 78

AUTHORIZATION = "Bearer har-secret-token-123"
COOKIE = "session=har-cookie-456"
SET_COOKIE = "id=har-set-cookie-789; Path=/; HttpOnly"
SECRETS = ("har-secret-token-123", "har-cookie-456", "har-set-cookie-789")
BINARY_BODY = bytes(range(256)) * 3
TEXT_BODY = "plain text: caf\u00e9\n".encode("utf-8")


# ---------------------------------------------------------------------------
# HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/)

STRING = "string"
INTEGER = "integer"
NUMBER = "number"
BOOLEAN = "boolean"
OBJECT = "object"
LIST = "list"

# Field name -> (type, required). Custom fields, which HAR 1.2 requires to start
# with "_", are allowed anywhere; any other field not listed is a mistake.
NAME_VALUE = {"name": (STRING, True), "value": (STRING, True), "comment": (STRING, False)}
COOKIE_FIELDS = {
    "name": (STRING, True), "value": (STRING, True), "path": (STRING, False), "domain": (STRING, False),
    "expires": (STRING, False), "httpOnly": (BOOLEAN, False), "secure": (BOOLEAN, False), "comment": (STRING, False),
}
POST_DATA = {"mimeType": (STRING, True), "params": (LIST, False), "text": (STRING, False), "comment": (STRING, False)}
CONTENT = {
    "size": (INTEGER, True), "compression": (INTEGER, False), "mimeType": (STRING, True), "text": (STRING, False),
    "encoding": (STRING, False), "comment": (STRING, False),
}
REQUEST = {
    "method": (STRING, True), "url": (STRING, True), "httpVersion": (STRING, True), "cookies": (LIST, True),
    "headers": (LIST, True), "queryString": (LIST, True), "postData": (OBJECT, False), "headersSize": (INTEGER, True),
    "bodySize": (INTEGER, True), "comment": (STRING, False),
}
RESPONSE = {
    "status": (INTEGER, True), "statusText": (STRING, True), "httpVersion": (STRING, True), "cookies": (LIST, True),
    "headers": (LIST, True), "content": (OBJECT, True), "redirectURL": (STRING, True), "headersSize": (INTEGER, True),
    "bodySize": (INTEGER, True), "comment": (STRING, False),
}
TIMINGS = {
    "blocked": (NUMBER, False), "dns": (NUMBER, False), "connect": (NUMBER, False), "send": (NUMBER, True),
    "wait": (NUMBER, True), "receive": (NUMBER, True), "ssl": (NUMBER, False), "comment": (STRING, False),
}
ENTRY = {
    "pageref": (STRING, False), "startedDateTime": (STRING, True), "time": (NUMBER, True), "request": (OBJECT, True),
    "response": (OBJECT, True), "cache": (OBJECT, True), "timings": (OBJECT, True),
    "serverIPAddress": (STRING, False), "connection": (STRING, False), "comment": (STRING, False),
}
CREATOR = {"name": (STRING, True), "version": (STRING, True), "comment": (STRING, False)}
LOG = {
    "version": (STRING, True), "creator": (OBJECT, True), "browser": (OBJECT, False), "pages": (LIST, False),
    "entries": (LIST, True), "comment": (STRING, False),
}
ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]+")


def has_type(value, kind):
    if kind == STRING:
        return isinstance(value, str)
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == OBJECT:
        return isinstance(value, dict)
    return isinstance(value, list)


def check_fields(value, fields, path, problems):
    """Check one object against a field table. Return True when it is an object at all."""
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object, got {type(value).__name__}")
        return False
    for name, (kind, required) in fields.items():
        if name not in value:
            if required:
                problems.append(f"{path}.{name}: missing")
        elif not has_type(value[name], kind):
            problems.append(f"{path}.{name}: expected {kind}, got {value[name]!r:.80}")
    for name in value:
        if name not in fields and not name.startswith("_"):
            problems.append(f"{path}.{name}: not a HAR 1.2 field and not a custom field starting with _")
    return True


def check_list(items, fields, path, problems):
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        check_fields(item, fields, f"{path}[{index}]", problems)


def check_entry(entry, path, problems):
    if not check_fields(entry, ENTRY, path, problems):
        return
    if isinstance(entry.get("startedDateTime"), str) and not ISO_8601.match(entry["startedDateTime"]):
        problems.append(f"{path}.startedDateTime: not ISO 8601: {entry['startedDateTime']!r}")

    request = entry.get("request")
    if check_fields(request, REQUEST, f"{path}.request", problems):
        if isinstance(request.get("url"), str) and not ABSOLUTE_URL.match(request["url"]):
            problems.append(f"{path}.request.url: not an absolute URL: {request['url']!r}")
        check_list(request.get("cookies"), COOKIE_FIELDS, f"{path}.request.cookies", problems)
        check_list(request.get("headers"), NAME_VALUE, f"{path}.request.headers", problems)
        check_list(request.get("queryString"), NAME_VALUE, f"{path}.request.queryString", problems)
        if "postData" in request:
            check_fields(request["postData"], POST_DATA, f"{path}.request.postData", problems)

    response = entry.get("response")
    if check_fields(response, RESPONSE, f"{path}.response", problems):
        check_list(response.get("cookies"), COOKIE_FIELDS, f"{path}.response.cookies", problems)
        check_list(response.get("headers"), NAME_VALUE, f"{path}.response.headers", problems)
        content = response.get("content")
        if check_fields(content, CONTENT, f"{path}.response.content", problems):
            if content.get("encoding") == "base64" and isinstance(content.get("text"), str):
                try:
                    base64.b64decode(content["text"], validate=True)
                except ValueError as error:
                    problems.append(f"{path}.response.content.text: invalid base64: {error}")

    timings = entry.get("timings")
    if check_fields(timings, TIMINGS, f"{path}.timings", problems):
        for name, value in timings.items():
            if name == "comment" or not has_type(value, NUMBER):
                continue
            minimum = 0 if name in ("send", "wait", "receive") else -1
            if value < minimum:
                problems.append(f"{path}.timings.{name}: {value} is below {minimum}")
        # HAR 1.2: entry.time is the sum of the timings that are not -1.
        phases = sum(value for name, value in timings.items() if has_type(value, NUMBER) and value != -1)
        if has_type(entry.get("time"), NUMBER) and abs(entry["time"] - phases) > 0.01:
            problems.append(f"{path}.time: {entry['time']} is not the sum of the timings, {phases}")


def har_problems(document):
    """Return every way `document` breaks the HAR 1.2 structure; empty when it is valid."""
    problems = []
    if not check_fields(document, {"log": (OBJECT, True)}, "$", problems):
        return problems
    log = document.get("log")
    if not check_fields(log, LOG, "$.log", problems):
        return problems
    if log.get("version") != "1.2":
        problems.append(f"$.log.version: {log.get('version')!r}, expected '1.2'")
    check_fields(log.get("creator"), CREATOR, "$.log.creator", problems)
    for index, entry in enumerate(log.get("entries") or []):
        check_entry(entry, f"$.log.entries[{index}]", problems)
    return problems


# ---------------------------------------------------------------------------
# Helpers


class Typed:
    """Response with a Content-Length body, a given Content-Type and extra fields."""

    def __init__(self, body, content_type, headers=()):
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)

    def send(self, conn, request, stopping):
        lines = ["HTTP/1.1 200 OK", f"Content-Type: {self.content_type}", f"Content-Length: {len(self.body)}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body)
        return not request.wants_close()


def switch_and_close(conn, reader):
    """Origin script: respond with 101 and "hi" in the new protocol, then close."""
    fwdtest.read_request(reader)
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhi")


def entries_by_url(document):
    return {entry["request"]["url"]: entry for entry in document["log"]["entries"]}


def header(fields, name):
    values = [field["value"] for field in fields if field["name"].lower() == name.lower()]
    return values[0] if len(values) == 1 else values


class HarTestCase(fwdtest.ProxyTestCase):
    def har_path(self):
        folder = tempfile.mkdtemp(prefix="fwdproxy-har-")
        self.addCleanup(shutil.rmtree, folder, True)
        return os.path.join(folder, "capture.har")

    def read_har(self, path):
        """Read and parse the HAR file, failing on invalid JSON or an invalid HAR structure."""
        with open(path, "rb") as har_file:
            data = har_file.read()
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            self.fail(f"{path} is not valid UTF-8 JSON ({error}); {len(data)} bytes, ending {data[-200:]!r}")
        problems = har_problems(document)
        self.assertEqual(problems, [], f"{path} breaks the HAR 1.2 structure")
        return document

    def wait_for_entries(self, path, count):
        """Return the document once it has at least `count` entries, checking every version read."""
        deadline = time.monotonic() + FILE_TIMEOUT
        while True:
            document = self.read_har(path)
            if len(document["log"]["entries"]) >= count or time.monotonic() > deadline:
                return document
            time.sleep(0.05)

    def get(self, proxy, origin, path, headers=()):
        with fwdtest.Client(proxy.port) as client:
            return client.request("GET", origin.url(path), [("Host", origin.authority), *headers])


class HarContentTest(HarTestCase):
    def run_every_kind_of_exchange(self, proxy, origin, peer, switcher):
        """Run one exchange of each kind and return the number of exchanges."""
        self.assertEqual(self.get(proxy, origin, "/text?q=a%20b&flag").status, 200)
        self.assertEqual(self.get(proxy, origin, "/binary").body, BINARY_BODY)
        self.assertEqual(self.get(proxy, origin, "/chunked").status, 200)
        credentials = [("Authorization", AUTHORIZATION), ("Cookie", COOKIE)]
        self.assertEqual(self.get(proxy, origin, "/login", credentials).status, 200)

        with fwdtest.Client(proxy.port) as client:
            body = b'{"name": "value"}'
            headers = [("Host", origin.authority), ("Content-Type", "application/json"),
                       ("Content-Length", str(len(body)))]
            self.assertEqual(client.request("POST", origin.url("/submit"), headers, body).status, 200)

        with fwdtest.Client(proxy.port) as client:
            self.assertEqual(fwdtest.exchange_through_tunnel(client, peer, b"tunnel payload")[0], 200)

        # No tunnel to port 9 is allowed, so the proxy sends its own 403.
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.build_request("CONNECT", "127.0.0.1:9", [("Host", "127.0.0.1:9")]))
            self.assertEqual(client.read_response("CONNECT").status, 403)

        with fwdtest.Client(proxy.port) as client:
            headers = [("Host", switcher.authority), ("Connection", "Upgrade"), ("Upgrade", "test")]
            client.send(fwdtest.build_request("GET", switcher.url("/switch"), headers))
            self.assertTrue(client.reader.read_head().startswith(b"HTTP/1.1 101 "))
            self.assertEqual(client.reader.read_to_eof(), b"hi")
        return 8

    def start_capture(self, args=(), defines=None):
        routes = {
            "/text": Typed(TEXT_BODY, "text/plain; charset=utf-8"),
            "/binary": fwdtest.Fixed(BINARY_BODY),
            "/chunked": fwdtest.Chunked([b"first ", b"second ", b"third"]),
            "/login": Typed(b"welcome", "text/plain", [("Set-Cookie", SET_COOKIE)]),
        }
        origin = self.start_origin(routes=routes)
        peer = self.start_server(fwdtest.TunnelPeer())
        switcher = self.start_server(fwdtest.ScriptedOrigin(switch_and_close))
        path = self.har_path()
        all_defines = {"proxy.connect.ports": str(peer.port)}
        all_defines.update(defines or {})
        proxy = self.start_proxy(all_defines, args=[f"--har={path}", *args])
        return origin, peer, switcher, path, proxy

    def test_every_exchange_after_sigterm(self):
        origin, peer, switcher, path, proxy = self.start_capture()
        started = datetime.datetime.now(datetime.timezone.utc)
        count = self.run_every_kind_of_exchange(proxy, origin, peer, switcher)
        proxy.stop()

        document = self.read_har(path)
        log = document["log"]
        self.assertEqual(log["creator"]["name"], "fwdproxy")
        self.assertTrue(log["creator"]["version"])
        self.assertEqual(len(log["entries"]), count, json.dumps(log["entries"], indent=1)[:3000])
        self.assertNotIn("comment", log)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertFalse(os.path.exists(path + ".tmp"))

        entries = entries_by_url(document)
        for entry in log["entries"]:
            started_at = datetime.datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
            self.assertLess(abs((started_at - started).total_seconds()), 60, entry["startedDateTime"])

        text = entries[origin.url("/text?q=a%20b&flag")]
        self.assertEqual(text["request"]["method"], "GET")
        self.assertEqual(text["request"]["httpVersion"], "HTTP/1.1")
        self.assertEqual(header(text["request"]["headers"], "Host"), origin.authority)
        self.assertEqual(header(text["request"]["headers"], "Via"), "1.1 fwdproxy")
        self.assertEqual(text["request"]["queryString"], [{"name": "q", "value": "a b"}, {"name": "flag", "value": ""}])
        self.assertEqual(text["request"]["bodySize"], 0)
        self.assertNotIn("postData", text["request"])
        self.assertEqual(text["response"]["status"], 200)
        self.assertEqual(text["response"]["statusText"], "OK")
        self.assertEqual(text["response"]["content"]["text"], TEXT_BODY.decode("utf-8"))
        self.assertNotIn("encoding", text["response"]["content"])
        self.assertEqual(text["response"]["content"]["size"], len(TEXT_BODY))
        self.assertEqual(text["response"]["bodySize"], len(TEXT_BODY))
        self.assertGreater(text["response"]["headersSize"], 0)
        self.assertEqual(text["serverIPAddress"], "127.0.0.1")
        self.assertRegex(text["connection"], r"^\d+$")

        binary = entries[origin.url("/binary")]["response"]["content"]
        self.assertEqual(binary["encoding"], "base64")
        self.assertEqual(base64.b64decode(binary["text"]), BINARY_BODY)
        self.assertEqual(binary["mimeType"], "application/octet-stream")

        chunked = entries[origin.url("/chunked")]["response"]
        self.assertEqual(chunked["bodySize"], len(b"first second third"))
        self.assertEqual(base64.b64decode(chunked["content"]["text"]), b"first second third")

        post = entries[origin.url("/submit")]["request"]
        self.assertEqual(post["method"], "POST")
        self.assertEqual(post["bodySize"], len(b'{"name": "value"}'))
        self.assertEqual(post["postData"]["mimeType"], "application/json")
        self.assertEqual(post["postData"]["text"], '{"name": "value"}')

        tunnel = entries[f"tcp://{peer.authority}"]
        self.assertEqual(tunnel["request"]["method"], "CONNECT")
        self.assertEqual(tunnel["request"]["bodySize"], len(b"tunnel payload"))
        expected_back = len(fwdtest.TunnelPeer.GREETING) + len(fwdtest.TunnelPeer.expected_reply(b"tunnel payload"))
        self.assertEqual(tunnel["response"]["status"], 200)
        self.assertEqual(tunnel["response"]["bodySize"], expected_back)

        switched = entries[switcher.url("/switch")]
        self.assertEqual(switched["response"]["status"], 101)
        self.assertEqual(header(switched["response"]["headers"], "Upgrade"), "test")
        self.assertEqual(switched["response"]["bodySize"], 2)
        self.assertIn("tunnel", switched["comment"])

        denied = entries["tcp://127.0.0.1:9"]
        self.assertEqual(denied["response"]["status"], 403)
        self.assertEqual(denied["_reason"], "connect_port_denied")
        self.assertIn("not forwarded", denied["comment"])

    def test_secrets_masked_by_default(self):
        origin, peer, switcher, path, proxy = self.start_capture()
        credentials = [("Authorization", AUTHORIZATION), ("Cookie", COOKIE)]
        self.assertEqual(self.get(proxy, origin, "/login", credentials).status, 200)
        proxy.stop()

        with open(path, encoding="utf-8") as har_file:
            text = har_file.read()
        for secret in SECRETS:
            self.assertNotIn(secret, text)
        entry = entries_by_url(self.read_har(path))[origin.url("/login")]
        self.assertEqual(header(entry["request"]["headers"], "Authorization"), f"<masked {len(AUTHORIZATION)} bytes>")
        self.assertEqual(header(entry["request"]["headers"], "Cookie"), f"<masked {len(COOKIE)} bytes>")
        self.assertEqual(entry["request"]["cookies"], [{"name": "session", "value": "<masked 14 bytes>"}])
        self.assertEqual(header(entry["response"]["headers"], "Set-Cookie"), f"<masked {len(SET_COOKIE)} bytes>")
        cookie = entry["response"]["cookies"][0]
        self.assertEqual((cookie["name"], cookie["path"], cookie["httpOnly"]), ("id", "/", True))

    def test_secrets_shown_when_asked(self):
        origin, peer, switcher, path, proxy = self.start_capture(args=["--trace-secrets"])
        credentials = [("Authorization", AUTHORIZATION), ("Cookie", COOKIE)]
        self.assertEqual(self.get(proxy, origin, "/login", credentials).status, 200)
        proxy.stop()

        entry = entries_by_url(self.read_har(path))[origin.url("/login")]
        self.assertEqual(header(entry["request"]["headers"], "Authorization"), AUTHORIZATION)
        self.assertEqual(entry["request"]["cookies"], [{"name": "session", "value": "har-cookie-456"}])
        self.assertEqual(header(entry["response"]["headers"], "Set-Cookie"), SET_COOKIE)

    def test_external_validator(self):
        """har-validator (npm), when it is installed; the test run never downloads it."""
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed")
        probe = subprocess.run([node, "-e", "require.resolve('har-validator')"], capture_output=True, timeout=30)
        if probe.returncode != 0:
            self.skipTest("har-validator is not installed; run `npm install har-validator` and set NODE_PATH")

        origin, peer, switcher, path, proxy = self.start_capture()
        self.run_every_kind_of_exchange(proxy, origin, peer, switcher)
        proxy.stop()
        script = (
            "const har = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));"
            "require('har-validator').har(har).then(() => console.log('valid'))"
            ".catch((error) => { console.log(JSON.stringify(error.errors || error.message)); process.exit(1); });"
        )
        result = subprocess.run([node, "-e", script, path], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class HarLimitsTest(HarTestCase):
    def test_body_truncated_at_max_body_size(self):
        body = b"0123456789" * 100
        origin = self.start_origin(routes={"/big": Typed(body, "text/plain")})
        path = self.har_path()
        proxy = self.start_proxy({"proxy.har.file": path, "proxy.har.maxBodySize": "100"})
        self.assertEqual(self.get(proxy, origin, "/big").body, body)
        proxy.stop()

        content = entries_by_url(self.read_har(path))[origin.url("/big")]["response"]["content"]
        self.assertEqual(content["text"], body[:100].decode("ascii"))
        self.assertEqual(content["size"], len(body))
        self.assertIn("first 100 of 1000 bytes", content["comment"])

    def test_large_download_counted_past_limit(self):
        size = 4 * 1024 * 1024
        origin = self.start_origin(routes={"/large": fwdtest.Generated(size)})
        path = self.har_path()
        proxy = self.start_proxy({"proxy.har.maxBodySize": "1000"}, args=[f"--har={path}"])
        response = self.get(proxy, origin, "/large")
        self.assertEqual(len(response.body), size)
        proxy.stop()

        entry = entries_by_url(self.read_har(path))[origin.url("/large")]
        self.assertEqual(entry["response"]["bodySize"], size)
        self.assertEqual(len(base64.b64decode(entry["response"]["content"]["text"])), 1000)

    def test_oldest_entries_dropped(self):
        origin = self.start_origin()
        path = self.har_path()
        proxy = self.start_proxy({"proxy.har.maxEntries": "3"}, args=[f"--har={path}"])
        for index in range(5):
            self.assertEqual(self.get(proxy, origin, f"/n{index}").status, 200)
        proxy.stop()

        log = self.read_har(path)["log"]
        urls = [entry["request"]["url"] for entry in log["entries"]]
        self.assertEqual(urls, [origin.url(f"/n{index}") for index in (2, 3, 4)])
        self.assertIn("2 older entries were dropped", log["comment"])

    def test_filters_apply(self):
        origin = self.start_origin()
        path = self.har_path()
        proxy = self.start_proxy(args=[f"--har={path}", "--trace-method=POST"])
        self.assertEqual(self.get(proxy, origin, "/skipped").status, 200)
        with fwdtest.Client(proxy.port) as client:
            headers = [("Host", origin.authority), ("Content-Length", "2")]
            self.assertEqual(client.request("POST", origin.url("/kept"), headers, b"hi").status, 200)
        proxy.stop()

        urls = [entry["request"]["url"] for entry in self.read_har(path)["log"]["entries"]]
        self.assertEqual(urls, [origin.url("/kept")])
        # The HAR file alone does not turn the console trace on.
        self.assertNotIn("> POST /kept", proxy.output())

    def test_relative_path_and_invalid_directory(self):
        origin = self.start_origin()
        proxy = self.start_proxy(args=["--har=relative.har"])
        self.assertEqual(self.get(proxy, origin, "/relative").status, 200)
        folder = os.path.dirname(proxy.config_path)
        self.assertEqual(len(self.wait_for_entries(os.path.join(folder, "relative.har"), 1)["log"]["entries"]), 1)

        missing = "/nonexistent-fwdproxy-directory/capture.har"
        code, output, _ = fwdtest.run_proxy_to_exit(["-D", "proxy.listen=127.0.0.1:0", f"--har={missing}"], config="")
        self.assertEqual(code, CONFIG_ERROR, output)
        self.assertIn("proxy.har.file", output)
        self.assertIn(missing, output)


class HarPrivilegesTest(HarTestCase):
    @unittest.skipUnless(os.geteuid() == 0, "switching user needs root")
    def test_file_belongs_to_proxy_user(self):
        try:
            user = pwd.getpwnam("nobody")
        except KeyError as error:
            self.skipTest(f"no such account on this machine: {error}")
        origin = self.start_origin()
        path = self.har_path()
        os.chown(os.path.dirname(path), user.pw_uid, -1)

        proxy = self.start_proxy({"proxy.user": "nobody"}, args=[f"--har={path}"])
        self.assert_logged(proxy, r"running as user nobody")
        self.assertEqual(self.get(proxy, origin, "/unprivileged").status, 200)
        self.assertEqual(len(self.wait_for_entries(path, 1)["log"]["entries"]), 1)
        self.assertEqual(os.stat(path).st_uid, user.pw_uid)
        self.assertNotIn("cannot write the HAR file", proxy.output())


class HarDurabilityTest(HarTestCase):
    def test_readable_while_running(self):
        origin = self.start_origin()
        path = self.har_path()
        proxy = self.start_proxy(args=[f"--har={path}"])
        self.assert_logged(proxy, rf"recording exchanges in the HAR file {re.escape(path)}$")
        self.assertEqual(len(self.read_har(path)["log"]["entries"]), 0, "the file must be valid before any exchange")

        count = 60
        failures = []

        def load():
            try:
                for index in range(count):
                    if self.get(proxy, origin, f"/load{index}").status != 200:
                        failures.append(index)
            except OSError as error:
                failures.append(error)

        worker = threading.Thread(target=load)
        worker.start()
        reads = 0
        while worker.is_alive():
            self.read_har(path)
            reads += 1
        worker.join(fwdtest.IO_TIMEOUT)
        self.assertEqual(failures, [])

        document = self.wait_for_entries(path, count)
        self.assertEqual(len(document["log"]["entries"]), count)
        self.assertGreater(reads, 10, "the loop read the file too rarely to show anything")

    def test_complete_after_kill(self):
        origin = self.start_origin()
        path = self.har_path()
        proxy = self.start_proxy(args=[f"--har={path}"])
        for index in range(5):
            self.assertEqual(self.get(proxy, origin, f"/before{index}").status, 200)
        self.assertEqual(len(self.wait_for_entries(path, 5)["log"]["entries"]), 5)

        # Kill while exchanges keep ending, so that a rewrite is likely in progress.
        stop = threading.Event()

        def load():
            index = 0
            while not stop.is_set():
                try:
                    self.get(proxy, origin, f"/during{index}")
                except (OSError, fwdtest.IncompleteMessage):
                    return  # the proxy was killed
                index += 1

        worker = threading.Thread(target=load)
        worker.start()
        time.sleep(0.5)
        proxy.process.send_signal(signal.SIGKILL)
        self.assertEqual(proxy.wait_exit(fwdtest.STOP_TIMEOUT), -signal.SIGKILL)
        stop.set()
        worker.join(fwdtest.IO_TIMEOUT)

        urls = [entry["request"]["url"] for entry in self.read_har(path)["log"]["entries"]]
        self.assertEqual(urls[:5], [origin.url(f"/before{index}") for index in range(5)])
        self.assertGreater(len(urls), 5, "no entry written during the load")


if __name__ == "__main__":
    fwdtest.main()
