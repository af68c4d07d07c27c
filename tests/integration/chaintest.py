"""Helpers for the tests of proxy chains: parent proxies, TLS, SOCKS5 and the PROXY protocol.

Everything listens on and connects to 127.0.0.1 only. Programs from Debian
packages (openssl, haproxy, squid, tinyproxy) run in the foreground with
configurations written to a temporary folder, and each is stopped by the test
that started it.
"""

import os
import selectors
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time

import fwdtest

LOOPBACK = fwdtest.LOOPBACK

# Seconds for a helper program to start listening or to exit after SIGTERM.
PROGRAM_START_TIMEOUT = 15.0
PROGRAM_STOP_TIMEOUT = 10.0


# ---------------------------------------------------------------------------
# Certificates


def make_certificate(folder, name="server", alt_names="IP:127.0.0.1,DNS:localhost"):
    """Write a self-signed certificate for `alt_names`, with its key, to `folder`.

    Returns (certificate path, key path). The certificate is its own CA, so
    clients trust it with --proxy-cacert or proxy.upstream.NAME.caFile.
    """
    certificate = os.path.join(folder, f"{name}.pem")
    key = os.path.join(folder, f"{name}.key")
    command = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", certificate, "-days", "2", "-subj", f"/CN=fwdproxy test {name}",
        "-addext", f"subjectAltName={alt_names}",
    ]
    result = subprocess.run(command, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise AssertionError(f"openssl req failed: {result.stderr.decode('utf-8', 'replace')}")
    return certificate, key


def tls_connect(port, cafile, timeout=fwdtest.IO_TIMEOUT, before_handshake=b""):
    """Return a TLS socket to 127.0.0.1:`port` that trusts `cafile`.

    `before_handshake` is sent in plain text first, as a load balancer sends a
    PROXY protocol header before the client's TLS bytes.
    """
    raw = socket.create_connection((LOOPBACK, port), timeout=timeout)
    if before_handshake:
        raw.sendall(before_handshake)
    context = ssl.create_default_context(cafile=cafile)
    return context.wrap_socket(raw, server_hostname=LOOPBACK)


class TlsClient(fwdtest.Client):
    """fwdtest.Client over TLS to a tls: listener of the proxy. It opens its own
    socket, so fwdtest.Client's constructor, which opens a plain one, is not called."""

    def __init__(self, port, cafile, timeout=fwdtest.IO_TIMEOUT, before_handshake=b""):
        self.sock = tls_connect(port, cafile, timeout, before_handshake)
        self.reader = fwdtest.SocketReader(self.sock)


# ---------------------------------------------------------------------------
# PROXY protocol headers

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def proxy_header_v1(source, source_port, destination=LOOPBACK, destination_port=3128):
    family = "TCP6" if ":" in source else "TCP4"
    return f"PROXY {family} {source} {destination} {source_port} {destination_port}\r\n".encode("ascii")


def proxy_header_v2(source, source_port, destination=LOOPBACK, destination_port=3128, tlvs=b""):
    """Return a version 2 PROXY command for TCP over IPv4 or IPv6."""
    family = socket.AF_INET6 if ":" in source else socket.AF_INET
    addresses = socket.inet_pton(family, source) + socket.inet_pton(family, destination)
    block = addresses + struct.pack("!HH", source_port, destination_port) + tlvs
    family_byte = 0x21 if family == socket.AF_INET6 else 0x11
    return V2_SIGNATURE + bytes([0x21, family_byte]) + struct.pack("!H", len(block)) + block


def proxy_header_v2_local():
    """Return a version 2 LOCAL command, as a balancer sends for its own health checks."""
    return V2_SIGNATURE + bytes([0x20, 0x00, 0x00, 0x00])


def access_log_client_pattern(client, method, target, status, reason="-"):
    """Return a regex for an access-log line whose client address is `client` (an address without port)."""
    logged = f"[{client}]" if ":" in client else client
    return (
        rf"{fwdtest.re.escape(logged)}:\d+\s+#\d+\s+{fwdtest.re.escape(method)}\s+{fwdtest.re.escape(target)}"
        rf"\s+{status}\s+\d+\s+\d+ms\s+{fwdtest.re.escape(reason)}\s*$"
    )


# ---------------------------------------------------------------------------
# SOCKS5 server


class Socks5Request:
    """One CONNECT request as the SOCKS5 server received it."""

    def __init__(self, address_type, host, port, user):
        self.address_type = address_type  # 1 IPv4, 3 domain name, 4 IPv6
        self.host = host
        self.port = port
        self.user = user

    def __repr__(self):
        return f"Socks5Request(type {self.address_type}, {self.host!r}:{self.port}, user {self.user!r})"


class Socks5Server(fwdtest._Server):
    """SOCKS5 server (RFC 1928) for CONNECT, with username/password authentication (RFC 1929)
    when `credentials` is a (user, password) pair.

    Domain names are never looked up: every name leads to 127.0.0.1, so that a
    test can ask for a name under .invalid and see that the name itself arrived.
    `requests` lists the CONNECT requests; `rejected_logins` counts wrong passwords.
    """

    name = "socks5"

    def __init__(self, credentials=None):
        super().__init__()
        self.credentials = credentials
        self._requests = []
        self.rejected_logins = 0

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def serve(self, conn):
        reader = fwdtest.SocketReader(conn)
        user = self._negotiate(conn, reader)
        if user is False:
            return

        version, command, _, address_type = reader.read_exact(4)
        if address_type == 1:
            host = socket.inet_ntop(socket.AF_INET, reader.read_exact(4))
        elif address_type == 4:
            host = socket.inet_ntop(socket.AF_INET6, reader.read_exact(16))
        elif address_type == 3:
            host = reader.read_exact(reader.read_exact(1)[0]).decode("ascii")
        else:
            return
        port = struct.unpack("!H", reader.read_exact(2))[0]
        with self._lock:
            self._requests.append(Socks5Request(address_type, host, port, user))

        if version != 5 or command != 1:
            conn.sendall(bytes([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]))
            return
        target = LOOPBACK if address_type == 3 else host
        try:
            upstream = socket.create_connection((target, port), timeout=fwdtest.IO_TIMEOUT)
        except OSError:
            conn.sendall(bytes([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))
            return
        with upstream:
            conn.sendall(bytes([5, 0, 0, 1, 127, 0, 0, 1]) + struct.pack("!H", upstream.getsockname()[1]))
            relay(conn, upstream, bytes(reader.buffer), self._stopping)

    def _negotiate(self, conn, reader):
        """Select a method and check credentials. Returns the user name, None without
        authentication, or False when the client is turned away."""
        version, count = reader.read_exact(2)
        methods = reader.read_exact(count)
        if version != 5:
            return False
        if self.credentials is None:
            if 0 not in methods:
                conn.sendall(bytes([5, 0xFF]))
                return False
            conn.sendall(bytes([5, 0]))
            return None

        if 2 not in methods:
            conn.sendall(bytes([5, 0xFF]))
            return False
        conn.sendall(bytes([5, 2]))
        auth_version = reader.read_exact(1)[0]
        user = reader.read_exact(reader.read_exact(1)[0]).decode("utf-8")
        password = reader.read_exact(reader.read_exact(1)[0]).decode("utf-8")
        if auth_version != 1 or (user, password) != tuple(self.credentials):
            with self._lock:
                self.rejected_logins += 1
            conn.sendall(bytes([1, 1]))
            return False
        conn.sendall(bytes([1, 0]))
        return user


def relay(first, second, pending, stopping):
    """Copy bytes both ways between two sockets until both directions end, passing half-closes on.

    `pending` (bytes read from `first` already) goes to `second` first.
    """
    if pending:
        second.sendall(pending)
    peers = {first: second, second: first}
    open_directions = {first, second}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            selector.register(sock, selectors.EVENT_READ)
        while open_directions and not stopping.is_set():
            for key, _ in selector.select(timeout=0.2):
                source = key.fileobj
                try:
                    data = source.recv(65536)
                except OSError:
                    return
                if data:
                    peers[source].sendall(data)
                    continue
                selector.unregister(source)
                open_directions.discard(source)
                try:
                    peers[source].shutdown(socket.SHUT_WR)
                except OSError:
                    pass


# ---------------------------------------------------------------------------
# Helper programs from Debian packages


def find_program(name):
    """Return the path of `name` on PATH or in /usr/sbin, or None."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")


def wait_for_port(port, process, timeout=PROGRAM_START_TIMEOUT):
    """Wait until 127.0.0.1:`port` accepts connections. Fails if `process` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class HelperProgram:
    """A program from a Debian package run in the foreground with a configuration that the test writes.

    `command` is a function of the folder that returns the argument list;
    `config` is written to FILE_NAME in that folder, with {folder} and {port}
    replaced. The port is free when chosen and the program listens on it on
    127.0.0.1 only. Output goes to a log file in the folder, shown when the
    program does not start.
    """

    def __init__(self, name, config_name, config, command):
        self.name = name
        self.config_name = config_name
        self.config = config
        self.command = command
        self.process = None
        self.port = None
        self._folder = None

    @property
    def folder(self):
        return self._folder.name

    @property
    def authority(self):
        return f"{LOOPBACK}:{self.port}"

    def log(self):
        try:
            with open(os.path.join(self.folder, "output.log"), encoding="utf-8", errors="replace") as log_file:
                return log_file.read()
        except OSError:
            return ""

    def start(self):
        self._folder = tempfile.TemporaryDirectory(prefix=f"fwdproxy-{self.name}-")
        # Programs that drop root privileges, such as Squid, still write here.
        os.chmod(self.folder, 0o777)
        self.port = fwdtest.closed_port()
        config_path = os.path.join(self.folder, self.config_name)
        with open(config_path, "w", encoding="utf-8") as config_file:
            config_file.write(self.config.format(folder=self.folder, port=self.port))
        with open(os.path.join(self.folder, "output.log"), "wb") as output:
            self.process = subprocess.Popen(
                self.command(config_path), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                cwd=self.folder, start_new_session=True,
            )
        if not wait_for_port(self.port, self.process):
            self.stop()
            raise AssertionError(f"{self.name} did not listen on {LOOPBACK}:{self.port}.\noutput:\n{self.log()}")
        return self

    def stop(self):
        """Send SIGTERM to the program (and only to it), then SIGKILL if it has not exited in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(PROGRAM_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(PROGRAM_STOP_TIMEOUT)
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
