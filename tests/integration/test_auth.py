"""Proxy authentication: the --hash-password tool, Basic credentials on GET and
CONNECT, exempt clients, and invalid credentials files."""

import base64
import hashlib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fwdtest  # noqa: E402

# Exit codes from sysexits.h: EX_DATAERR for an empty password, EX_CONFIG for a
# configuration or usage error.
EX_DATAERR = 65
EX_CONFIG = 78

LISTEN_LOOPBACK = ["-D", f"proxy.listen={fwdtest.LOOPBACK}:0"]

# The lowest iteration count the tool accepts, so that the tests spend little
# time hashing.
ITERATIONS = 2000

# Seconds for one run of the hashing tool or one run that must stop by itself.
TOOL_TIMEOUT = 10

REALM = "Test Realm"
USER = "alice"
PASSWORD = "Correct-Horse-7391"
WRONG_PASSWORD = "Wrong-Horse-5520"
COLON_USER = "carol"
COLON_PASSWORD = "pa:ss word"

HASH_LINE = re.compile(
    r"^(?P<user>[^:]+):\$pbkdf2-sha256\$(?P<iterations>\d+)\$(?P<salt>[A-Za-z0-9+/]+=*)\$(?P<digest>[A-Za-z0-9+/]+=*)$"
)


def hash_password(user, password_input, iterations=ITERATIONS):
    """Run `fwdproxy --hash-password=USER` with `password_input` (bytes) on stdin and return the CompletedProcess."""
    command = [fwdtest.proxy_binary(), f"--hash-password={user}"]
    if iterations is not None:
        command.append(f"--hash-iterations={iterations}")
    return subprocess.run(command, input=password_input, capture_output=True, timeout=TOOL_TIMEOUT)


def basic_credentials(user, password):
    """Return the base64 part of a Basic Proxy-Authorization value."""
    return base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


class HashToolTest(fwdtest.ProxyTestCase):
    def test_line_format(self):
        result = hash_password(USER, f"{PASSWORD}\n".encode("utf-8"))

        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.decode("utf-8").splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        match = HASH_LINE.match(lines[0])
        self.assertIsNotNone(match, f"line does not match USER:$pbkdf2-sha256$N$SALT$DIGEST: {lines[0]!r}")
        self.assertEqual(match.group("user"), USER)
        self.assertEqual(int(match.group("iterations")), ITERATIONS)

        # The digest must be PBKDF2-HMAC-SHA256 of the password without its newline.
        salt = base64.b64decode(match.group("salt"), validate=True)
        digest = base64.b64decode(match.group("digest"), validate=True)
        self.assertGreaterEqual(len(salt), 8, "salt shorter than 8 bytes")
        self.assertEqual(digest, hashlib.pbkdf2_hmac("sha256", PASSWORD.encode("utf-8"), salt, ITERATIONS))
        self.assertNotIn(PASSWORD.encode("utf-8"), result.stdout + result.stderr)

    def test_salt_differs(self):
        first = hash_password(USER, f"{PASSWORD}\n".encode("utf-8"))
        second = hash_password(USER, f"{PASSWORD}\n".encode("utf-8"))

        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertNotEqual(first.stdout, second.stdout)

    def test_default_iterations(self):
        result = hash_password(USER, f"{PASSWORD}\n".encode("utf-8"), iterations=None)

        self.assertEqual(result.returncode, 0, result.stderr)
        match = HASH_LINE.match(result.stdout.decode("utf-8").strip())
        self.assertIsNotNone(match, result.stdout)
        self.assertEqual(int(match.group("iterations")), 200000)

    def test_empty_password(self):
        for password_input in (b"\n", b""):
            with self.subTest(password_input=password_input):
                result = hash_password(USER, password_input)
                self.assertEqual(result.returncode, EX_DATAERR, result.stderr)
                self.assertEqual(result.stdout, b"")
                self.assertTrue(result.stderr.strip(), "no message on standard error")

    def test_iterations_minimum(self):
        result = hash_password(USER, b"x\n", iterations=999)
        self.assertEqual(result.returncode, EX_CONFIG, result.stderr)
        self.assertEqual(result.stdout, b"")

        result = hash_password(USER, b"x\n", iterations=1000)
        self.assertEqual(result.returncode, 0, result.stderr)


class AuthProxyTest(fwdtest.ProxyTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory(prefix="fwdproxy-auth-")
        self.addCleanup(folder.cleanup)
        lines = ["# users for the integration tests", ""]
        for user, password in ((USER, PASSWORD), ("bob", "bobs-password"), (COLON_USER, COLON_PASSWORD)):
            result = hash_password(user, f"{password}\n".encode("utf-8"))
            self.assertEqual(result.returncode, 0, result.stderr)
            lines.append(result.stdout.decode("utf-8").strip())
            lines.append("")
        self.users_path = os.path.join(folder.name, "users")
        with open(self.users_path, "w", encoding="utf-8") as users_file:
            users_file.write("\n".join(lines) + "\n")

    def start_auth_proxy(self, defines=None):
        settings = {"proxy.auth.users": self.users_path, "proxy.auth.realm": REALM}
        settings.update(defines or {})
        return self.start_proxy(settings)

    def get(self, proxy, url, headers=()):
        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(url, extra_headers=headers))
            return client.read_response()

    def assert_challenge(self, response, realm=REALM):
        self.assert_error_response(response, 407, "auth_required")
        self.assertEqual(response.value("Proxy-Authenticate"), f'Basic realm="{realm}", charset="UTF-8"')

    def test_no_credentials(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy()
        url = origin.url("/private")

        response = self.get(proxy, url)

        self.assert_challenge(response)
        self.assert_access_logged(proxy, "GET", url, 407, "auth_required")
        self.assertEqual(origin.connection_count, 0)

    def test_default_realm(self):
        origin = self.start_origin()
        proxy = self.start_proxy({"proxy.auth.users": self.users_path})

        response = self.get(proxy, origin.url("/private"))

        self.assert_challenge(response, realm="fwdproxy")

    def test_invalid_credentials(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy()
        cases = {
            "wrong password": "Basic " + basic_credentials(USER, WRONG_PASSWORD),
            "unknown user": "Basic " + basic_credentials("mallory", PASSWORD),
            "password of another user": "Basic " + basic_credentials("bob", PASSWORD),
            "password prefix": "Basic " + basic_credentials(USER, PASSWORD[:-1]),
            "no colon": "Basic " + base64.b64encode(f"{USER}{PASSWORD}".encode("utf-8")).decode("ascii"),
            "invalid base64": "Basic !!not*base64!!",
            "empty": "Basic ",
            "other scheme": "Bearer " + basic_credentials(USER, PASSWORD),
        }

        # A verified password goes into the cache first, so that the cache is
        # shown not to accept other passwords for the same user.
        right = ("Proxy-Authorization", "Basic " + basic_credentials(USER, PASSWORD))
        response = self.get(proxy, origin.url("/first"), [right])
        self.assertEqual(response.status, 200, repr(response))

        for name, value in cases.items():
            with self.subTest(name):
                response = self.get(proxy, origin.url("/private"), [("Proxy-Authorization", value)])
                self.assert_challenge(response)
        self.assertEqual([request.path for request in origin.requests], ["/first"])

    def test_curl_get(self):
        origin = self.start_origin(routes={"/private": fwdtest.Fixed(b"for alice\n")})
        proxy = self.start_auth_proxy()

        result = fwdtest.run_curl("-x", proxy.url, "--proxy-user", f"{USER}:{PASSWORD}", origin.url("/private"))

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"for alice\n")
        requests = origin.wait_for_requests(1)
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0].values("Proxy-Authorization"), [])
        self.assert_access_logged(proxy, "GET", origin.url("/private"), 200)

    def test_curl_connect(self):
        origin = self.start_origin(routes={"/tunneled": fwdtest.Fixed(b"tunnel for alice\n")})
        proxy = self.start_auth_proxy({"proxy.connect.ports": str(origin.port)})

        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.build_request("CONNECT", origin.authority, [("Host", origin.authority)]))
            response = client.read_response("CONNECT")
        self.assert_challenge(response)
        self.assertEqual(origin.connection_count, 0)

        result = fwdtest.run_curl(
            "-p", "-x", proxy.url, "--proxy-user", f"{USER}:{PASSWORD}", origin.url("/tunneled")
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"tunnel for alice\n")
        self.assertEqual(origin.requests[0].values("Proxy-Authorization"), [])
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 200)

    def test_password_with_colon(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy()

        # The user name ends at the first colon, so the password keeps its own.
        result = fwdtest.run_curl(
            "-x", proxy.url, "--proxy-user", f"{COLON_USER}:{COLON_PASSWORD}", "-o", "/dev/null",
            "-w", "%{http_code}", origin.url("/colon"),
        )

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"200")

    def test_scheme_case_insensitive(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy()

        # RFC 9110 section 11.1: the authentication scheme is case-insensitive.
        lower_case = ("Proxy-Authorization", "basic " + basic_credentials(USER, PASSWORD))
        response = self.get(proxy, origin.url("/lower"), [lower_case])

        self.assertEqual(response.status, 200, repr(response))

    def test_each_request_checked(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy()
        credentials = ("Proxy-Authorization", "Basic " + basic_credentials(USER, PASSWORD))

        with fwdtest.Client(proxy.port) as client:
            client.send(fwdtest.absolute_get(origin.url("/one"), extra_headers=[credentials]))
            self.assertEqual(client.read_response().status, 200)
            client.send(fwdtest.absolute_get(origin.url("/two"), extra_headers=[credentials]))
            self.assertEqual(client.read_response().status, 200)

            # Credentials belong to a request, not to the connection.
            client.send(fwdtest.absolute_get(origin.url("/three")))
            self.assert_challenge(client.read_response())
        self.assertEqual([request.path for request in origin.requests], ["/one", "/two"])

    def test_credentials_not_logged(self):
        origin = self.start_origin()
        proxy = self.start_auth_proxy({"proxy.connect.ports": str(origin.port)})
        right = basic_credentials(USER, PASSWORD)
        wrong = basic_credentials(USER, WRONG_PASSWORD)

        self.get(proxy, origin.url("/right"), [("Proxy-Authorization", "Basic " + right)])
        self.get(proxy, origin.url("/wrong"), [("Proxy-Authorization", "Basic " + wrong)])
        fwdtest.run_curl("-p", "-x", proxy.url, "--proxy-user", f"{USER}:{PASSWORD}", origin.url("/tunneled"))
        fwdtest.run_curl("-p", "-x", proxy.url, "--proxy-user", f"{USER}:{WRONG_PASSWORD}", origin.url("/tunneled"))
        self.assert_access_logged(proxy, "GET", origin.url("/wrong"), 407, "auth_required")
        self.assert_access_logged(proxy, "CONNECT", origin.authority, 407, "auth_required")

        output = proxy.output()
        for secret in (PASSWORD, WRONG_PASSWORD, right, wrong):
            with self.subTest(secret=secret):
                self.assertNotIn(secret, output)

    def test_exempt_clients(self):
        origin = self.start_origin(routes={"/open": fwdtest.Fixed(b"no credentials needed\n")})

        proxy = self.start_auth_proxy({"proxy.auth.exemptClients": "127.0.0.0/8"})
        result = fwdtest.run_curl("-x", proxy.url, origin.url("/open"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, b"no credentials needed\n")

        # Credentials that an exempt client sends anyway stay at the proxy.
        unknown = ("Proxy-Authorization", "Basic " + basic_credentials("x", "y"))
        response = self.get(proxy, origin.url("/sent"), [unknown])
        self.assertEqual(response.status, 200, repr(response))
        self.assertEqual(origin.requests[-1].values("Proxy-Authorization"), [])

        # An exempt list that does not cover the client changes nothing.
        proxy = self.start_auth_proxy({"proxy.auth.exemptClients": "10.0.0.0/8, ::1"})
        self.assert_challenge(self.get(proxy, origin.url("/closed")))


class UsersFileTest(fwdtest.ProxyTestCase):
    def assert_users_file_rejected(self, content, line_number):
        """Check that a users file with `content` stops startup with exit 78 naming the file and line."""
        with tempfile.TemporaryDirectory(prefix="fwdproxy-auth-") as folder:
            users_path = os.path.join(folder, "users")
            with open(users_path, "w", encoding="utf-8") as users_file:
                users_file.write(content)
            code, output, _ = fwdtest.run_proxy_to_exit(
                LISTEN_LOOPBACK, config=f"proxy.auth.users = {users_path}\n", timeout=TOOL_TIMEOUT
            )
        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn(f"{users_path}:{line_number}", output)
        self.assertNotIn("listening on", output)

    def test_invalid_lines(self):
        good = hash_password(USER, b"secret-password\n").stdout.decode("utf-8").strip()
        salt = base64.b64encode(b"0123456789abcdef").decode("ascii")
        digest = base64.b64encode(b"d" * 32).decode("ascii")
        bad_lines = {
            "other algorithm": f"bob:$pbkdf2-sha1$2000${salt}${digest}",
            "iterations not a number": f"bob:$pbkdf2-sha256$many${salt}${digest}",
            "digest not base64": f"bob:$pbkdf2-sha256$2000${salt}$not*base64",
            "missing digest": f"bob:$pbkdf2-sha256$2000${salt}",
            "no colon": "bob",
            "empty hash": "bob:",
        }
        for name, bad_line in bad_lines.items():
            with self.subTest(name):
                # Line 3 after a comment and a valid line.
                self.assert_users_file_rejected(f"# users\n{good}\n{bad_line}\n", 3)

    def test_missing_file(self):
        with tempfile.TemporaryDirectory(prefix="fwdproxy-auth-") as folder:
            users_path = os.path.join(folder, "absent")
            code, output, _ = fwdtest.run_proxy_to_exit(
                LISTEN_LOOPBACK, config=f"proxy.auth.users = {users_path}\n", timeout=TOOL_TIMEOUT
            )
        self.assertEqual(code, EX_CONFIG, output)
        self.assertIn(users_path, output)


if __name__ == "__main__":
    fwdtest.main()
