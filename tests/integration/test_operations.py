"""Operations: --check-config, --daemon with a pidfile, proxy.user and proxy.group,
reloading on SIGHUP, and exit statuses."""

import base64
import grp
import hashlib
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Exit statuses from sysexits.h.
EX_OSERR = 71
EX_CONFIG = 78

LISTEN_LOOPBACK = ["-D", f"proxy.listen={fwdtest.LOOPBACK}:0"]

# Seconds a run that must end by itself may take before it is killed.
EXIT_TIMEOUT = 5
# Seconds to wait for a daemon's pidfile, and for the daemon to exit after SIGTERM.
PIDFILE_TIMEOUT = 5
# Seconds after a failed --daemon command during which no pidfile may appear.
LATE_PIDFILE_WAIT = 0.5
POLL_INTERVAL = 0.05

# The lowest iteration count that fwdproxy accepts in a credentials file.
HASH_ITERATIONS = 1000

RELOADED = r"configuration reloaded"
RELOAD_FAILED = r"reload failed, keeping the running configuration"


def run_fwdproxy(args, cwd=None):
    """Run fwdproxy with `args` and return the CompletedProcess with text stdout and stderr.

    subprocess.run kills the process and raises TimeoutExpired after EXIT_TIMEOUT seconds.
    """
    return subprocess.run(
        [fwdtest.proxy_binary(), *args],
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )


def password_entry(user, password):
    """Return a proxy.auth.users line for `user`, hashed as `fwdproxy --hash-password` does."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, HASH_ITERATIONS)
    encoded_salt = base64.b64encode(salt).decode("ascii")
    encoded_digest = base64.b64encode(digest).decode("ascii")
    return f"{user}:$pbkdf2-sha256${HASH_ITERATIONS}${encoded_salt}${encoded_digest}\n"


def authorization(user, password):
    credentials = base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
    return ("Proxy-Authorization", f"Basic {credentials}")


def fetch(port, url, headers=()):
    """Send one GET for `url` on a new connection to the proxy on `port` and return the response."""
    with fwdtest.Client(port) as client:
        client.send(fwdtest.absolute_get(url, extra_headers=headers))
        return client.read_response()


def write_file(path, text):
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def process_running(pid):
    """Return True if process `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("State:"):
                    return line.split()[1] != "Z"
    except FileNotFoundError:
        return False
    return True


def process_arguments(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return [argument.decode("utf-8", "replace") for argument in cmdline.read().split(b"\0") if argument]
    except (FileNotFoundError, ProcessLookupError):
        return []


def status_ids(pid, field):
    """Return the real, effective, saved and filesystem ids of the Uid or Gid line of /proc/PID/status."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, values = line.partition(":")
            if name == field:
                return [int(value) for value in values.split()]
    raise AssertionError(f"/proc/{pid}/status has no {field} line")


# ---------------------------------------------------------------------------
# --check-config


class CheckConfigTest(unittest.TestCase):
    def write_config(self, text):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "fwdproxy.properties")
        write_file(path, text)
        return path

    def test_unwritable_log_file(self):
        path = self.write_config("logging.channels.broken.class = FileChannel\n"
                                 "logging.channels.broken.path = /nonexistent-fwdproxy-dir/proxy.log\n"
                                 "logging.loggers.root.channel = broken\n")

        for options in (["--check-config"], []):
            result = run_fwdproxy([*options, f"--config={path}", *LISTEN_LOOPBACK])
            self.assertEqual(result.returncode, 78, result.stderr)
            self.assertIn("logging.channels.broken.path", result.stderr)
            self.assertIn("/nonexistent-fwdproxy-dir", result.stderr)

    def test_unknown_top_level_key(self):
        path = self.write_config("prxy.listen = 127.0.0.1:1\n")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("unknown property prxy", result.stderr)

    def test_empty_users_file(self):
        users = self.write_config("# no users yet\n")

        result = run_fwdproxy(["--check-config", "-D", f"proxy.auth.users={users}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 78, result.stderr)
        self.assertIn("contains no USER:HASH line", result.stderr)

    def test_unknown_user(self):
        result = run_fwdproxy(["--check-config", "-D", "proxy.user=no-such-fwdproxy-user", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 78, result.stderr)
        self.assertIn("proxy.user = 'no-such-fwdproxy-user'", result.stderr)

    def test_valid_file(self):
        path = self.write_config("proxy.via.pseudonym = checked\nproxy.timeouts.connect = 2.5\n")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"fwdproxy: configuration valid: {path}\n")
        self.assertEqual(result.stderr, "")

    def test_every_problem_listed(self):
        file_problems = [
            ("proxy.timeouts.connect", "soon"),
            ("proxy.threads.max", "many"),
            ("proxy.connect.ports", "70000"),
        ]
        define_key, define_value = "proxy.timeouts.idle", "forever"
        path = self.write_config("".join(f"{key} = {value}\n" for key, value in file_problems))

        result = run_fwdproxy(
            ["--check-config", f"--config={path}", *LISTEN_LOOPBACK, "-D", f"{define_key}={define_value}"]
        )

        self.assertEqual(result.returncode, EX_CONFIG, result.stderr)
        self.assertNotIn("configuration valid", result.stdout)
        expected = [(path, key, value) for key, value in file_problems]
        expected.append((f"command line (-D {define_key})", define_key, define_value))
        lines = result.stderr.splitlines()
        for source, key, value in expected:
            with self.subTest(key=key):
                matching = [line for line in lines if source in line and key in line and value in line]
                self.assertEqual(len(matching), 1, f"lines naming {source}, {key} and {value}:\n{result.stderr}")
                self.assertIn("expected", matching[0])

    def test_unknown_key_warning(self):
        path = self.write_config("proxy.timeouts.conect = 5\n")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"fwdproxy: configuration valid: {path}\n")
        self.assertIn(path, result.stderr)
        self.assertIn(
            "unknown property proxy.timeouts.conect is ignored; did you mean proxy.timeouts.connect?", result.stderr
        )

    def test_unknown_define_warning(self):
        path = self.write_config("")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK, "-D", "proxy.via.pseudonim=x"])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("command line (-D proxy.via.pseudonim)", result.stderr)
        self.assertIn("did you mean proxy.via.pseudonym?", result.stderr)

    def test_prefix_keys_known(self):
        path = self.write_config("proxy.headers.add.X-Egress = gw1\nproxy.upstream.example = value\n")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("unknown property", result.stderr)

    def test_missing_file(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        self.addCleanup(folder.cleanup)
        path = os.path.join(folder.name, "absent.properties")

        result = run_fwdproxy(["--check-config", f"--config={path}", *LISTEN_LOOPBACK])

        self.assertEqual(result.returncode, EX_CONFIG, result.stderr)
        self.assertIn(path, result.stderr)
        self.assertIn("file not found", result.stderr)
        self.assertNotIn("configuration valid", result.stdout)


# ---------------------------------------------------------------------------
# --daemon


class DaemonTest(unittest.TestCase):
    """Runs of `fwdproxy --daemon` with relative paths, started in a temporary folder.

    The config file name contains the folder's unique name, so that cleanup can
    find a daemon that never wrote its pidfile by its command line.
    """

    def setUp(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-daemon-")
        self.addCleanup(folder.cleanup)
        self.folder = folder.name
        self.name = os.path.basename(self.folder)
        self.config_name = f"{self.name}.properties"
        self.config_path = os.path.join(self.folder, self.config_name)
        self.pidfile = os.path.join(self.folder, "fwdproxy.pid")
        self.log_path = os.path.join(self.folder, "fwdproxy.log")
        # Cleanups run last-in first-out, so the daemon stops before its folder is removed.
        self.addCleanup(self.stop_leftover_daemon)

    def run_daemon(self, config, *extra_args):
        write_file(self.config_path, config)
        args = ["--daemon", "--pidfile=fwdproxy.pid", f"--config={self.config_name}", *extra_args]
        return run_fwdproxy(args, cwd=self.folder)

    def daemon_config(self, port, extra=""):
        return (
            f"proxy.listen = {fwdtest.LOOPBACK}:{port}\n"
            "proxy.admin.listen =\n"
            "proxy.destinations.denyNetworks =\n"
            "logging.channels.f.class = FileChannel\n"
            f"logging.channels.f.path = {self.log_path}\n"
            "logging.loggers.root.channel = f\n"
        ) + extra

    def wait_for_pid(self):
        deadline = time.monotonic() + PIDFILE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with open(self.pidfile, encoding="ascii") as pidfile:
                    text = pidfile.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(POLL_INTERVAL)
        self.fail(f"no pid in {self.pidfile} within {PIDFILE_TIMEOUT} s")

    def wait_for_log(self, pattern, path=None, timeout=fwdtest.STARTUP_TIMEOUT):
        path = path or self.log_path
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            try:
                with open(path, encoding="utf-8", errors="replace") as log:
                    text = log.read()
            except FileNotFoundError:
                text = ""
            if regex.search(text):
                return
            time.sleep(POLL_INTERVAL)
        self.fail(f"no line matching {pattern!r} in {path} within {timeout} s.\nlog:\n{text}")

    def wait_stopped(self, pid, timeout=fwdtest.STOP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while process_running(pid) and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL)
        return not process_running(pid)

    def own_daemon_pids(self):
        """Return the pids of running processes started with this test's config file."""
        argument = f"--config={self.config_name}"
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and argument in process_arguments(int(entry)) and process_running(int(entry)):
                pids.append(int(entry))
        return pids

    def stop_leftover_daemon(self):
        for pid in self.own_daemon_pids():
            os.kill(pid, signal.SIGTERM)
            if not self.wait_stopped(pid):
                os.kill(pid, signal.SIGKILL)
                self.wait_stopped(pid, fwdtest.THREAD_JOIN_TIMEOUT)

    def start_origin(self):
        origin = fwdtest.Origin().start()
        self.addCleanup(origin.stop)
        return origin

    def test_serves_and_stops(self):
        origin = self.start_origin()
        port = fwdtest.closed_port()
        # A path relative to the start directory, while the daemon runs in /.
        write_file(os.path.join(self.folder, "users.txt"), password_entry("alice", "alice-secret"))
        config = self.daemon_config(port, "proxy.auth.users = users.txt\n")

        result = self.run_daemon(config, "--umask=027")

        self.assertEqual(result.returncode, 0, result.stderr)
        pid = self.wait_for_pid()
        self.assertIn(f"--config={self.config_name}", process_arguments(pid))
        self.assertEqual(os.readlink(f"/proc/{pid}/cwd"), "/")
        self.wait_for_log(rf"listening on {re.escape(fwdtest.LOOPBACK)}:{port}\b")

        response = fetch(port, origin.url("/daemon"), [authorization("alice", "alice-secret")])
        self.assertEqual(response.status, 200, repr(response))
        response = fetch(port, origin.url("/daemon"))
        self.assertEqual(response.status, 407, repr(response))
        self.assertEqual(os.stat(self.log_path).st_mode & 0o027, 0, "--umask=027 did not apply to the log file")

        # SIGHUP reads users.txt again, still relative to the start directory.
        write_file(os.path.join(self.folder, "users.txt"), password_entry("bob", "bob-secret"))
        os.kill(pid, signal.SIGHUP)
        self.wait_for_log(RELOADED)
        response = fetch(port, origin.url("/reloaded"), [authorization("bob", "bob-secret")])
        self.assertEqual(response.status, 200, repr(response))
        response = fetch(port, origin.url("/reloaded"), [authorization("alice", "alice-secret")])
        self.assertEqual(response.status, 407, repr(response))

        os.kill(pid, signal.SIGTERM)
        self.assertTrue(self.wait_stopped(pid), f"daemon {pid} still running {fwdtest.STOP_TIMEOUT} s after SIGTERM")
        self.assertFalse(os.path.exists(self.pidfile), "pidfile left after the daemon stopped")

    def test_relative_log_path(self):
        port = fwdtest.closed_port()
        log_name = f"{self.name}.log"
        config = (
            f"proxy.listen = {fwdtest.LOOPBACK}:{port}\n"
            "proxy.admin.listen =\n"
            "logging.channels.f.class = FileChannel\n"
            f"logging.channels.f.path = {log_name}\n"
            "logging.loggers.root.channel = f\n"
        )
        # Where the log lands when the path is taken relative to the daemon's
        # working directory instead of the start directory.
        misplaced = os.path.join("/", log_name)
        self.addCleanup(lambda: os.path.exists(misplaced) and os.remove(misplaced))

        result = self.run_daemon(config)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.wait_for_pid()
        try:
            self.wait_for_log(r"listening on", path=os.path.join(self.folder, log_name), timeout=fwdtest.LOG_TIMEOUT)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{misplaced} exists: {os.path.exists(misplaced)}") from None

    def test_invalid_config(self):
        config = f"proxy.listen = {fwdtest.LOOPBACK}:0\nproxy.timeouts.idle = forever\n"

        started = time.monotonic()
        result = self.run_daemon(config)
        elapsed = time.monotonic() - started

        self.assertEqual(result.returncode, EX_CONFIG, result.stderr)
        self.assertLess(elapsed, EXIT_TIMEOUT)
        self.assertIn(self.config_path, result.stderr)
        self.assertIn("proxy.timeouts.idle", result.stderr)
        self.assertIn("forever", result.stderr)
        time.sleep(LATE_PIDFILE_WAIT)
        self.assertFalse(os.path.exists(self.pidfile), "pidfile written for an invalid configuration")
        self.assertEqual(self.own_daemon_pids(), [])

    def test_invalid_umask(self):
        result = self.run_daemon(f"proxy.listen = {fwdtest.LOOPBACK}:0\n", "--umask=abc")

        self.assertEqual(result.returncode, EX_CONFIG, f"stderr: {result.stderr!r}")
        self.assertIn("umask", result.stderr)
        time.sleep(LATE_PIDFILE_WAIT)
        self.assertFalse(os.path.exists(self.pidfile), "pidfile written for an invalid --umask")


# ---------------------------------------------------------------------------
# proxy.user and proxy.group


class PrivilegesTest(fwdtest.ProxyTestCase):
    @unittest.skipUnless(os.geteuid() == 0, "switching user needs root")
    def test_switch_user_and_group(self):
        try:
            user = pwd.getpwnam("nobody")
            group = grp.getgrnam("nogroup")
        except KeyError as error:
            self.skipTest(f"no such account on this machine: {error}")
        origin = self.start_origin()

        proxy = self.start_proxy({"proxy.user": "nobody", "proxy.group": "nogroup"})

        self.assert_logged(proxy, r"running as user nobody, group nogroup")
        self.assertEqual(status_ids(proxy.process.pid, "Uid"), [user.pw_uid] * 4)
        self.assertEqual(status_ids(proxy.process.pid, "Gid"), [group.gr_gid] * 4)
        response = fetch(proxy.port, origin.url("/unprivileged"))
        self.assertEqual(response.status, 200, repr(response))

    @unittest.skipUnless(os.geteuid() == 0, "the user is looked up only when running as root")
    def test_unknown_user(self):
        name = "fwdproxy-test-absent-user"
        try:
            pwd.getpwnam(name)
            self.skipTest(f"user {name} exists on this machine")
        except KeyError:
            pass

        code, output, _ = fwdtest.run_proxy_to_exit(
            LISTEN_LOOPBACK + ["-D", f"proxy.user={name}"], config="", timeout=EXIT_TIMEOUT
        )

        # The configuration check catches the name before any socket is bound.
        self.assertEqual(code, 78, output)
        self.assertIn(f"proxy.user = '{name}' is invalid: expected an existing user name", output)
        self.assertNotIn("listening on", output)

    @unittest.skipIf(os.geteuid() == 0, "the warning is only for a proxy not started as root")
    def test_not_root_warning(self):
        origin = self.start_origin()

        proxy = self.start_proxy({"proxy.user": "nobody"})

        self.assert_logged(proxy, r"proxy\.user and proxy\.group are ignored")
        response = fetch(proxy.port, origin.url("/same-user"))
        self.assertEqual(response.status, 200, repr(response))


# ---------------------------------------------------------------------------
# SIGHUP


class ReloadTest(fwdtest.ProxyTestCase):
    def reload(self, proxy, config, outcome=RELOADED):
        """Write `config` as the proxy's config file, send SIGHUP and wait for `outcome` in the log.

        Return the index of the first output line after the signal.
        """
        start = proxy.line_count()
        write_file(proxy.config_path, config)
        proxy.signal(signal.SIGHUP)
        self.assert_logged(proxy, outcome, start=start)
        return start

    def test_client_rules(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        kept_alive = self.connect(proxy)
        kept_alive.send(fwdtest.absolute_get(origin.url("/before")))
        self.assertEqual(kept_alive.read_response().status, 200)

        self.reload(proxy, "proxy.clients.deny = 127.0.0.1\n")

        response = fetch(proxy.port, origin.url("/new-connection"))
        self.assert_error_response(response, 403, "client_denied")
        # The connection opened before the reload keeps its configuration.
        kept_alive.send(fwdtest.absolute_get(origin.url("/kept-alive")))
        self.assertEqual(kept_alive.read_response().status, 200)
        self.assertEqual([request.path for request in origin.requests], ["/before", "/kept-alive"])

    def test_destination_rules(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        self.assertEqual(fetch(proxy.port, origin.url("/before")).status, 200)

        self.reload(proxy, f"proxy.destinations.deny = {fwdtest.LOOPBACK}\n")

        response = fetch(proxy.port, origin.url("/after"))
        self.assert_error_response(response, 403, "host_denied")
        self.assertEqual([request.path for request in origin.requests], ["/before"])

    def test_users(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        self.addCleanup(folder.cleanup)
        users_path = os.path.join(folder.name, "users")
        write_file(users_path, password_entry("alice", "alice-secret"))
        config = f"proxy.auth.users = {users_path}\n"
        origin = self.start_origin()
        proxy = self.start_proxy(config=config)
        response = fetch(proxy.port, origin.url("/alice"), [authorization("alice", "alice-secret")])
        self.assertEqual(response.status, 200, repr(response))

        # The same file with other content: the users are read again, and the
        # verified password of alice is no longer accepted.
        write_file(users_path, password_entry("bob", "bob-secret"))
        self.reload(proxy, config)

        response = fetch(proxy.port, origin.url("/alice"), [authorization("alice", "alice-secret")])
        self.assert_error_response(response, 407, "auth_required")
        response = fetch(proxy.port, origin.url("/bob"), [authorization("bob", "bob-secret")])
        self.assertEqual(response.status, 200, repr(response))

    def test_limits(self):
        origin = self.start_origin()
        proxy = self.start_proxy()
        url = origin.url("/" + "a" * 100)
        self.assertEqual(fetch(proxy.port, url).status, 200)

        self.reload(proxy, "proxy.limits.maxTargetLength = 64\n")

        response = fetch(proxy.port, url)
        self.assert_error_response(response, 414, "target_too_long")

    def test_open_tunnel_kept(self):
        peer = self.start_server(fwdtest.TunnelPeer())
        proxy = self.start_proxy(config=f"proxy.connect.ports = {peer.port}\n")
        client = self.connect(proxy)
        client.send(fwdtest.build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
        self.assertEqual(client.read_response("CONNECT").status, 200)
        greeting = client.reader.read_exact(len(fwdtest.TunnelPeer.GREETING))
        self.assertEqual(greeting, fwdtest.TunnelPeer.GREETING)

        self.reload(proxy, "proxy.connect.ports = 443\n")

        with fwdtest.Client(proxy.port) as other:
            other.send(fwdtest.build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
            self.assert_error_response(other.read_response("CONNECT"), 403, "connect_port_denied")
        payload = bytes(range(256)) * 64
        client.send(payload)
        client.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(client.reader.read_to_eof(), fwdtest.TunnelPeer.expected_reply(payload))

    def test_invalid_file_rejected(self):
        origin = self.start_origin()
        proxy = self.start_proxy()

        start = self.reload(proxy, "proxy.clients.deny = 127.0.0.1\nproxy.timeouts.idle = forever\n", RELOAD_FAILED)

        self.assert_logged(proxy, r"proxy\.timeouts\.idle.*forever", start=start)
        self.assertIsNone(proxy.wait_for_output(RELOADED, 0, start))
        self.assertEqual(fetch(proxy.port, origin.url("/old-rules")).status, 200)

        # The running configuration still reloads after a rejected file.
        self.reload(proxy, "proxy.clients.deny = 127.0.0.1\n")
        self.assert_error_response(fetch(proxy.port, origin.url("/new-rules")), 403, "client_denied")

    def test_unwritable_log_file_rejected(self):
        # A FileChannel that cannot open its file used to end the process at its first message.
        origin = self.start_origin()
        proxy = self.start_proxy()
        config = ("logging.channels.broken.class = FileChannel\n"
                  "logging.channels.broken.path = /nonexistent-fwdproxy-dir/proxy.log\n"
                  "logging.loggers.root.channel = broken\n")

        start = self.reload(proxy, config, RELOAD_FAILED)

        self.assert_logged(proxy, r"logging\.channels\.broken\.path.*nonexistent-fwdproxy-dir", start=start)
        self.assertEqual(fetch(proxy.port, origin.url("/still-served")).status, 200)

    def test_missing_file_rejected(self):
        origin = self.start_origin()
        proxy = self.start_proxy(config=f"proxy.destinations.deny = {fwdtest.LOOPBACK}\n")
        start = proxy.line_count()

        os.remove(proxy.config_path)
        proxy.signal(signal.SIGHUP)

        self.assert_logged(proxy, RELOAD_FAILED, start=start)
        response = fetch(proxy.port, origin.url("/still-denied"))
        self.assert_error_response(response, 403, "host_denied")

    def test_unknown_key_warned(self):
        proxy = self.start_proxy()

        start = self.reload(proxy, "proxy.timeouts.conect = 5\n")

        self.assert_logged(
            proxy,
            r"unknown property proxy\.timeouts\.conect is ignored; did you mean proxy\.timeouts\.connect\?",
            start=start,
        )


# ---------------------------------------------------------------------------
# Exit statuses


class ExitStatusTest(fwdtest.ProxyTestCase):
    def test_port_in_use(self):
        origin = self.start_origin()
        first = self.start_proxy()

        code, output, _ = fwdtest.run_proxy_to_exit(
            ["-D", f"proxy.listen={fwdtest.LOOPBACK}:{first.port}"], config="", timeout=EXIT_TIMEOUT
        )

        self.assertEqual(code, EX_OSERR, output)
        self.assertIn("cannot listen", output)
        self.assertEqual(fetch(first.port, origin.url("/first")).status, 200)

    def test_port_held_by_other_socket(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
            holder.bind((fwdtest.LOOPBACK, 0))
            holder.listen(1)
            port = holder.getsockname()[1]

            code, output, _ = fwdtest.run_proxy_to_exit(
                ["-D", f"proxy.listen={fwdtest.LOOPBACK}:{port}"], config="", timeout=EXIT_TIMEOUT
            )

        self.assertEqual(code, EX_OSERR, output)
        self.assertIn("cannot listen", output)

    def test_unknown_option(self):
        code, output, _ = fwdtest.run_proxy_to_exit(
            LISTEN_LOOPBACK + ["--no-such-option"], config="", timeout=EXIT_TIMEOUT
        )

        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn("no-such-option", output)
        self.assertNotIn("listening on", output)


if __name__ == "__main__":
    fwdtest.main()
