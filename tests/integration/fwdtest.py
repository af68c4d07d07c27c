"""Shared harness for the fwdproxy integration tests.

It starts the proxy under test (FWDPROXY_BIN), origin servers and clients. All of
them use 127.0.0.1 only, and every wait has a timeout. The test files import this
module after putting its folder on sys.path and run `fwdtest.main()`.
"""

import functools
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

LOOPBACK = "127.0.0.1"

# Seconds. Generous enough for a loaded 2-core machine, short enough that a hang
# fails the test quickly.
STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 15.0  # more than the default proxy.timeouts.shutdownGrace of 10 s
IO_TIMEOUT = 10.0
LOG_TIMEOUT = 5.0
THREAD_JOIN_TIMEOUT = 5.0

# The startup line of the admin listener, with its port.
ADMIN_LINE = rf"admin interface at http://{re.escape(LOOPBACK)}:(\d+)/"

MAX_HEAD_BYTES = 1 << 20
BLOCK_SIZE = 64 * 1024

# Environment variables through which curl, wget and Python pick a proxy or skip
# one. The clients get a copy of the environment without them, so that traffic
# goes only where the test points it.
PROXY_ENVIRONMENT = {"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy"}


# ---------------------------------------------------------------------------
# Binary and test runner


def proxy_binary():
    """Return the absolute path of the binary under test, from FWDPROXY_BIN."""
    path = os.environ.get("FWDPROXY_BIN")
    if not path:
        raise RuntimeError(
            "FWDPROXY_BIN is not set. Set it to the fwdproxy binary, "
            "for example FWDPROXY_BIN=build/fwdproxy python3 " + os.path.basename(sys.argv[0])
        )
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise RuntimeError(f"FWDPROXY_BIN={path!r} is not an executable file. Build fwdproxy first.")
    return os.path.abspath(path)


def main():
    """Check FWDPROXY_BIN, then run the calling module's tests and exit with their result."""
    try:
        proxy_binary()
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    unittest.main(verbosity=2)


# ---------------------------------------------------------------------------
# Headers and messages


def header_values(headers, name):
    """Return the values of every field named `name` (case-insensitive), in order."""
    lowered = name.lower()
    return [value for field, value in headers if field.lower() == lowered]


def header_tokens(headers, name):
    """Return the comma-separated list elements of all `name` fields, lower-cased."""
    tokens = []
    for value in header_values(headers, name):
        tokens.extend(token.strip().lower() for token in value.split(",") if token.strip())
    return tokens


def parse_header_lines(lines):
    headers = []
    for line in lines:
        name, separator, value = line.partition(":")
        if not separator:
            raise ValueError(f"header line without a colon: {line!r}")
        headers.append((name, value.strip(" \t")))
    return headers


def build_request(method, target, headers=(), body=b"", version="HTTP/1.1"):
    """Return the bytes of a request. Nothing is added: the caller lists every field."""
    lines = [f"{method} {target} {version}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def authority_of(url):
    """Return the host:port part of an absolute http URL."""
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#]*)", url)
    if not match:
        raise ValueError(f"not an absolute URL: {url!r}")
    return match.group(1)


def encode_chunked(pieces, with_extensions=False):
    """Return `pieces` in chunked transfer coding, ending with the last chunk."""
    out = bytearray()
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        extension = f";piece={index}" if with_extensions and index % 2 else ""
        out += f"{len(piece):x}{extension}\r\n".encode("ascii") + piece + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


class IncompleteMessage(Exception):
    """The peer closed the connection before the message was complete."""

    def __init__(self, message, partial=b""):
        super().__init__(message)
        self.partial = partial


class SocketReader:
    """Buffered reader over a socket. Reads raise socket.timeout after the socket's timeout."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()
        self.eof = False

    def _fill(self):
        """Read more bytes into the buffer. Return False at end of stream."""
        if self.eof:
            return False
        data = self.sock.recv(256 * 1024)
        if not data:
            self.eof = True
            return False
        self.buffer += data
        return True

    def read_head(self, limit=MAX_HEAD_BYTES):
        """Return a message head without its final empty line, or None on EOF before any byte.

        Empty lines before the head are skipped, as RFC 9112 section 2.2 allows.
        """
        while True:
            while self.buffer.startswith(b"\r\n"):
                del self.buffer[:2]
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buffer[:end])
                del self.buffer[: end + 4]
                return head
            if len(self.buffer) > limit:
                raise ValueError(f"message head longer than {limit} bytes")
            if not self._fill():
                if not self.buffer:
                    return None
                raise IncompleteMessage("connection closed inside a message head", bytes(self.buffer))

    def read_line(self, limit=65536):
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 2]
                return line
            if len(self.buffer) > limit:
                raise ValueError(f"line longer than {limit} bytes")
            if not self._fill():
                raise IncompleteMessage("connection closed inside a line", bytes(self.buffer))

    def read_exact(self, count):
        while len(self.buffer) < count:
            if not self._fill():
                raise IncompleteMessage(
                    f"connection closed after {len(self.buffer)} of {count} bytes", bytes(self.buffer)
                )
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def read_to_eof(self):
        while self._fill():
            pass
        data = bytes(self.buffer)
        self.buffer.clear()
        return data

    def read_chunked(self):
        """Return the decoded body of a chunked message and its trailer lines."""
        body = bytearray()
        while True:
            try:
                size_line = self.read_line()
            except IncompleteMessage as error:
                raise IncompleteMessage("connection closed inside a chunked body", bytes(body)) from error
            size_text = size_line.split(b";", 1)[0].strip()
            size = int(size_text, 16)
            if size == 0:
                break
            try:
                body += self.read_exact(size)
                terminator = self.read_exact(2)
            except IncompleteMessage as error:
                raise IncompleteMessage("connection closed inside a chunk", bytes(body) + error.partial) from error
            if terminator != b"\r\n":
                raise ValueError(f"chunk not followed by CRLF: {terminator!r}")
        trailers = []
        while True:
            line = self.read_line()
            if not line:
                break
            trailers.append(line.decode("latin-1"))
        return bytes(body), trailers


class _BytesSource:
    """Stand-in for a socket that returns the bytes given, then end of stream."""

    def __init__(self, data):
        self._data = bytes(data)

    def recv(self, size):
        piece = self._data[:size]
        self._data = self._data[size:]
        return piece


def decode_chunked(data):
    """Return the decoded body and trailer lines of `data`, a chunked body.

    Raise IncompleteMessage when `data` ends before the last chunk and its
    trailer section, and ValueError on an invalid chunk.
    """
    return SocketReader(_BytesSource(data)).read_chunked()


def wait_peer_closed(reader, timeout):
    """Return True if the peer closes the connection within `timeout` seconds without sending more bytes.

    A connection reset counts as closed. Bytes that arrive, or bytes already
    buffered in `reader`, make it return False. The socket timeout is restored.
    """
    previous_timeout = reader.sock.gettimeout()
    reader.sock.settimeout(timeout)
    try:
        return not reader.buffer and reader.read_to_eof() == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
    finally:
        reader.sock.settimeout(previous_timeout)


# ---------------------------------------------------------------------------
# Deterministic large bodies


@functools.lru_cache(maxsize=None)
def _pattern_block(seed):
    out = bytearray()
    counter = 0
    while len(out) < BLOCK_SIZE:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:BLOCK_SIZE])


def generated_blocks(size, seed=b"fwdproxy"):
    """Yield `size` deterministic bytes in blocks of at most BLOCK_SIZE.

    Each block starts with its index, so a lost, repeated or reordered block
    changes the sha256 of the whole body.
    """
    tail = _pattern_block(seed)[8:]
    offset = 0
    index = 0
    while offset < size:
        block = index.to_bytes(8, "big") + tail
        length = min(BLOCK_SIZE, size - offset)
        yield block[:length]
        offset += length
        index += 1


def generated_body(size, seed=b"fwdproxy"):
    return b"".join(generated_blocks(size, seed))


@functools.lru_cache(maxsize=None)
def generated_sha256(size, seed=b"fwdproxy"):
    digest = hashlib.sha256()
    for block in generated_blocks(size, seed):
        digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# The proxy under test


class ProxyProcess:
    """fwdproxy running on 127.0.0.1 with a free port, its console output collected.

    The command line is `--config=FILE -D proxy.listen=127.0.0.1:0
    -D proxy.admin.listen=` and, unless allow_loopback is False,
    `-D proxy.destinations.denyNetworks=` (the default deny list covers
    127.0.0.0/8, where the test origins run). The admin listener is off,
    because its default port 9128 is fixed and tests run side by side. A test
    that needs it sets proxy.admin.listen=127.0.0.1:0 in `defines` and calls
    admin_port(). FILE is written to a temporary folder from `config`
    (properties text). It is always passed, even empty, so that an installed
    /etc/fwdproxy/fwdproxy.properties cannot change the tests. `defines` adds
    one `-D NAME=VALUE` per item, after the options above, so it overrides them,
    and `args` adds further command-line arguments, such as `--trace`, after those.

    Leaving the `with` block sends SIGTERM and waits. The block fails when the
    process does not exit with code 0 within `stop_timeout` seconds.
    """

    def __init__(self, defines=None, config="", allow_loopback=True, stop_timeout=STOP_TIMEOUT, args=()):
        self.defines = dict(defines or {})
        self.args = list(args)
        self.config = config
        self.allow_loopback = allow_loopback
        self.stop_timeout = stop_timeout
        self.process = None
        self.port = None
        self.returncode = None
        self._lines = []
        self._output_closed = False
        self._condition = threading.Condition()
        self._reader = None
        self._folder = None

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def config_path(self):
        return os.path.join(self._folder.name, "fwdproxy.properties")

    def command(self):
        args = [proxy_binary(), f"--config={self.config_path}", "-D", f"proxy.listen={LOOPBACK}:0"]
        args += ["-D", "proxy.admin.listen="]
        if self.allow_loopback:
            args += ["-D", "proxy.destinations.denyNetworks="]
        for name, value in self.defines.items():
            args += ["-D", f"{name}={value}"]
        return args + self.args

    def start(self):
        self._folder = tempfile.TemporaryDirectory(prefix="fwdproxy-test-")
        with open(self.config_path, "w", encoding="utf-8") as config_file:
            config_file.write("# written by the fwdproxy integration tests\n")
            config_file.write(self.config)
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=self._folder.name,
        )
        self._reader = threading.Thread(target=self._collect_output, name="fwdproxy-output", daemon=True)
        self._reader.start()

        match = self.wait_for_output(rf"listening on {re.escape(LOOPBACK)}:(\d+)", STARTUP_TIMEOUT)
        if match is None:
            self._kill()
            self._cleanup()
            raise AssertionError(
                f"fwdproxy did not log 'listening on {LOOPBACK}:PORT' within {STARTUP_TIMEOUT} s "
                f"(exit code {self.returncode}).\ncommand: {self.command_text()}\noutput:\n{self.output()}"
            )
        self.port = int(match.group(1))
        return self

    def admin_port(self, timeout=LOG_TIMEOUT):
        """Return the port of the admin listener from its startup line, and fail if there is none."""
        match = self.wait_for_output(ADMIN_LINE, timeout)
        if match is None:
            raise AssertionError(f"fwdproxy logged no admin listener line.\noutput:\n{self.output()}")
        return int(match.group(1))

    def command_text(self):
        return " ".join(repr(arg) if not arg or " " in arg else arg for arg in self.process.args)

    def listener_ports(self, count, timeout=LOG_TIMEOUT):
        """Return the ports of the first `count` "listening on" lines, in the order of proxy.listen.

        Each item is (port, kind), where kind is the rest of the line after the
        address, such as "" or "with TLS". Waits up to `timeout` seconds for the lines.
        """
        pattern = re.compile(r"listening on (?:\[[^\]]*\]|[0-9.]+):(\d+)\s*(.*)$")
        deadline = time.monotonic() + timeout
        while True:
            ports = []
            for line in self.output().splitlines():
                match = pattern.search(line)
                if match:
                    ports.append((int(match.group(1)), match.group(2)))
            if len(ports) >= count or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        if len(ports) < count:
            raise AssertionError(f"fwdproxy logged {len(ports)} listening lines, expected {count}.\noutput:\n{self.output()}")
        return ports[:count]

    def _collect_output(self):
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._condition:
                self._lines.append(line)
                self._condition.notify_all()
        with self._condition:
            self._output_closed = True
            self._condition.notify_all()

    def output(self):
        with self._condition:
            return "\n".join(self._lines)

    def line_count(self):
        """Return the number of output lines so far, a `start` for wait_for_output that skips them."""
        with self._condition:
            return len(self._lines)

    def wait_for_output(self, pattern, timeout=LOG_TIMEOUT, start=0):
        """Return the match of the first output line from index `start` on that matches
        `pattern`, waiting up to `timeout` seconds. Return None if none matched."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        index = start
        with self._condition:
            while True:
                while index < len(self._lines):
                    match = regex.search(self._lines[index])
                    if match:
                        return match
                    index += 1
                remaining = deadline - time.monotonic()
                if self._output_closed or remaining <= 0:
                    return None
                self._condition.wait(remaining)

    def signal(self, signum):
        self.process.send_signal(signum)

    def wait_exit(self, timeout):
        """Return the exit code, or None if the process is still running after `timeout` seconds."""
        try:
            self.returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def _kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.returncode = self.process.wait(THREAD_JOIN_TIMEOUT)

    def _cleanup(self):
        if self._reader is not None:
            self._reader.join(THREAD_JOIN_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._folder.cleanup()

    def stop(self):
        """Send SIGTERM (unless the process already exited) and check for exit code 0."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            if self.wait_exit(self.stop_timeout) is None:
                self._kill()
                raise AssertionError(
                    f"fwdproxy did not exit within {self.stop_timeout} s of SIGTERM, so it was killed."
                    f"\noutput:\n{self.output()}"
                )
            if self.returncode != 0:
                raise AssertionError(
                    f"fwdproxy exited with code {self.returncode} after SIGTERM, expected 0.\noutput:\n{self.output()}"
                )
        finally:
            self._cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.stop()
            return False
        # The block already failed, so keep its exception and show the proxy output.
        try:
            self.stop()
        except AssertionError as error:
            print(f"while stopping fwdproxy: {error}", file=sys.stderr)
        else:
            print(f"fwdproxy output:\n{self.output()}", file=sys.stderr)
        return False


def run_proxy_to_exit(args, config=None, timeout=STARTUP_TIMEOUT):
    """Run fwdproxy with `args` until it exits and return (exit code, output, config path).

    This is for runs that must stop by themselves, such as runs with invalid
    values. `config` is written to a temporary properties file passed with
    --config. The admin listener is off (`-D proxy.admin.listen=`) unless `args`
    sets it. A process that is still running after `timeout` seconds is killed,
    and its exit code is reported as None.
    """
    with tempfile.TemporaryDirectory(prefix="fwdproxy-test-") as folder:
        command = [proxy_binary()]
        config_path = None
        if config is not None:
            config_path = os.path.join(folder, "fwdproxy.properties")
            with open(config_path, "w", encoding="utf-8") as config_file:
                config_file.write(config)
            command.append(f"--config={config_path}")
        command += ["-D", "proxy.admin.listen=", *args]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=folder
        )
        try:
            output, _ = process.communicate(timeout=timeout)
            code = process.returncode
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate(timeout=THREAD_JOIN_TIMEOUT)
            code = None
        return code, output.decode("utf-8", "replace"), config_path


# ---------------------------------------------------------------------------
# Origin servers


class RecordedRequest:
    """A request as an origin received it."""

    def __init__(self, request_line, header_lines, body, chunked, trailer_lines=()):
        self.request_line = request_line
        self.method, self.target, self.version = (request_line.split(" ") + ["", ""])[:3]
        self.header_lines = header_lines
        self.headers = parse_header_lines(header_lines)
        self.body = body
        self.chunked = chunked
        self.trailer_lines = list(trailer_lines)
        self.trailers = parse_header_lines(self.trailer_lines)

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    def values(self, name):
        return header_values(self.headers, name)

    def tokens(self, name):
        return header_tokens(self.headers, name)

    def wants_close(self):
        connection = self.tokens("connection")
        if self.version == "HTTP/1.0":
            return "keep-alive" not in connection
        return "close" in connection

    def __repr__(self):
        return f"RecordedRequest({self.request_line!r}, {len(self.header_lines)} fields, {len(self.body)} body bytes)"


def read_request(reader, with_body=True):
    """Read one request and return a RecordedRequest, or None on EOF before any byte.

    With `with_body` False only the head is read, and the body stays empty until
    read_request_body reads it, so that a script can respond before the body arrives.
    """
    head = reader.read_head()
    if head is None:
        return None
    lines = head.decode("latin-1").split("\r\n")
    request_line, header_lines = lines[0], lines[1:]
    headers = parse_header_lines(header_lines)
    chunked = "chunked" in header_tokens(headers, "transfer-encoding")
    request = RecordedRequest(request_line, header_lines, b"", chunked)
    if with_body:
        read_request_body(reader, request)
    return request


def read_request_body(reader, request):
    """Read the body (and trailer section, if chunked) of `request` into it."""
    if request.chunked:
        request.body, request.trailer_lines = reader.read_chunked()
        request.trailers = parse_header_lines(request.trailer_lines)
        return
    lengths = request.values("content-length")
    request.body = reader.read_exact(int(lengths[0])) if lengths else b""


def _response_head(status, reason, headers):
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _closing_headers(request):
    return [("Connection", "close")] if request.wants_close() else []


class Fixed:
    """Response with a Content-Length body. HEAD gets the same head and no body."""

    def __init__(self, body=b"", status=200, reason="OK", headers=()):
        self.body = body
        self.status = status
        self.reason = reason
        self.headers = list(headers)

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(self.body)))]
        headers += self.headers + _closing_headers(request)
        conn.sendall(_response_head(self.status, self.reason, headers))
        if request.method != "HEAD" and self.status not in (204, 304):
            conn.sendall(self.body)
        return not request.wants_close()


class Generated:
    """Response of `size` bytes from generated_blocks, with Content-Length."""

    def __init__(self, size, seed=b"fwdproxy"):
        self.size = size
        self.seed = seed

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(self.size))]
        conn.sendall(_response_head(200, "OK", headers + _closing_headers(request)))
        if request.method != "HEAD":
            for block in generated_blocks(self.size, self.seed):
                conn.sendall(block)
        return not request.wants_close()


class Chunked:
    """Response in chunked transfer coding, one chunk per piece, with chunk extensions on odd pieces."""

    def __init__(self, pieces):
        self.pieces = list(pieces)
        self.body = b"".join(self.pieces)

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")]
        conn.sendall(_response_head(200, "OK", headers + _closing_headers(request)))
        if request.method != "HEAD":
            conn.sendall(encode_chunked(self.pieces, with_extensions=True))
        return not request.wants_close()


class CloseDelimited:
    """Response without Content-Length or Transfer-Encoding; the origin closes to end the body."""

    def __init__(self, body):
        self.body = body

    def send(self, conn, request, stopping):
        conn.sendall(_response_head(200, "OK", [("Content-Type", "application/octet-stream"), ("Connection", "close")]))
        if request.method != "HEAD":
            for offset in range(0, len(self.body), BLOCK_SIZE):
                conn.sendall(self.body[offset : offset + BLOCK_SIZE])
        return False


class Truncated:
    """Response that announces `declared` bytes and sends `sent` of them.

    The origin then closes the connection or, with `hold`, keeps it open and silent
    until the server stops.
    """

    def __init__(self, declared, sent, hold=False):
        self.declared = declared
        self.sent = sent
        self.hold = hold

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(self.declared))]
        conn.sendall(_response_head(200, "OK", headers))
        conn.sendall(b"x" * self.sent)
        if self.hold:
            stopping.wait()
        return False


class TruncatedChunked:
    """Chunked response that sends `pieces` as chunks, then closes without the last chunk."""

    def __init__(self, pieces):
        self.pieces = list(pieces)

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")]
        conn.sendall(_response_head(200, "OK", headers))
        # encode_chunked ends with the last chunk "0\r\n\r\n", which is cut off here.
        conn.sendall(encode_chunked(self.pieces)[: -len(b"0\r\n\r\n")])
        return False


class Slow:
    """Generated body of `pieces` pieces of `piece_size` bytes, one every `interval` seconds, with Content-Length."""

    def __init__(self, piece_size, pieces, interval, seed=b"slow"):
        self.piece_size = piece_size
        self.pieces = pieces
        self.interval = interval
        self.seed = seed
        self.size = piece_size * pieces
        self.body = generated_body(self.size, seed)
        self.first_piece_sent = threading.Event()
        self.last_piece_sent = threading.Event()

    def send(self, conn, request, stopping):
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(self.size))]
        conn.sendall(_response_head(200, "OK", headers + _closing_headers(request)))
        for index in range(self.pieces):
            if index and stopping.wait(self.interval):
                return False
            conn.sendall(self.body[index * self.piece_size : (index + 1) * self.piece_size])
            self.first_piece_sent.set()
        self.last_piece_sent.set()
        return not request.wants_close()


class _Server:
    """Base of the test servers: accepts on 127.0.0.1:0 and serves each connection in a thread."""

    name = "server"

    def __init__(self):
        self._listener = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections = set()
        self._threads = []
        self._accept_thread = None
        self.port = None
        self.connection_count = 0
        self.peers = []  # (address, port) of every accepted connection, in order

    @property
    def authority(self):
        return f"{LOOPBACK}:{self.port}"

    def start(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, 0))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"{self.name}-accept", daemon=True)
        self._accept_thread.start()
        return self

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                conn, peer = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            conn.settimeout(IO_TIMEOUT)
            with self._lock:
                self.connection_count += 1
                self.peers.append(peer)
                self._connections.add(conn)
            thread = threading.Thread(target=self._run_connection, args=(conn,), name=f"{self.name}-conn", daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _run_connection(self, conn):
        try:
            self.serve(conn)
        except (OSError, IncompleteMessage, ValueError):
            pass  # The peer went away or sent garbage, which some tests do on purpose.
        finally:
            with self._lock:
                self._connections.discard(conn)
            # A FIN before close, so that the peer reads everything sent so far
            # rather than a reset.
            try:
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            conn.close()

    def serve(self, conn):
        raise NotImplementedError

    def stop(self):
        """Stop accepting, cut every open connection and join the threads, each wait bounded."""
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        if self._accept_thread is not None:
            self._accept_thread.join(THREAD_JOIN_TIMEOUT)
        with self._lock:
            connections = list(self._connections)
            threads = list(self._threads)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + THREAD_JOIN_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [thread for thread in threads if thread.is_alive()]
        if stuck:
            raise AssertionError(f"{self.name} on port {self.port}: {len(stuck)} connection threads did not stop")

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, traceback):
        self.stop()
        return False


class Origin(_Server):
    """Threaded HTTP/1.1 origin that records every request it receives.

    `routes` maps a path (without query) to a response object (Fixed, Generated,
    Chunked, CloseDelimited, Truncated, Slow). Other paths get `default`, a 200
    with a short body naming the path. A request with `Expect: 100-continue` gets
    an interim 100 response before the origin reads its body.
    """

    name = "origin"

    def __init__(self, routes=None, default=None):
        super().__init__()
        self.routes = dict(routes or {})
        self.default = default
        self._requests = []

    def url(self, path="/"):
        return f"http://{self.authority}{path}"

    @property
    def requests(self):
        with self._lock:
            return list(self._requests)

    def wait_for_requests(self, count, timeout=IO_TIMEOUT):
        """Return the recorded requests once there are at least `count`, or all there are after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            requests = self.requests
            if len(requests) >= count:
                return requests
            time.sleep(0.02)
        return self.requests

    def serve(self, conn):
        reader = SocketReader(conn)
        while not self._stopping.is_set():
            request = self._read_request(conn, reader)
            if request is None:
                return
            with self._lock:
                self._requests.append(request)
            response = self.routes.get(request.path, self.default)
            if response is None:
                response = Fixed(f"origin {self.port} path {request.path}\n".encode("ascii"))
            if not response.send(conn, request, self._stopping):
                return

    def _read_request(self, conn, reader):
        request = read_request(reader, with_body=False)
        if request is None:
            return None
        if "100-continue" in request.tokens("expect"):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        read_request_body(reader, request)
        return request


class ScriptedOrigin(_Server):
    """Origin that runs `script(conn, reader)` on every connection it accepts.

    It is for exchanges that Origin cannot produce: invalid responses, interim
    responses, final responses sent before the request body, protocol switches.
    The script reads and writes raw bytes, with read_request and other helpers.
    What it returns is appended to `results` and what it raises to `errors`,
    one entry per connection, so a test can check what the origin saw.
    """

    name = "scripted-origin"

    def __init__(self, script):
        super().__init__()
        self.script = script
        self._results = []
        self._errors = []

    def url(self, path="/"):
        return f"http://{self.authority}{path}"

    @property
    def results(self):
        with self._lock:
            return list(self._results)

    @property
    def errors(self):
        with self._lock:
            return list(self._errors)

    def wait_for_results(self, count, timeout=IO_TIMEOUT):
        """Return `results` once `count` connections have ended, or all there are after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self._results) + len(self._errors) >= count:
                    break
            time.sleep(0.02)
        return self.results

    def serve(self, conn):
        # Any exception is kept, not only socket errors, because a failed check
        # inside a script must reach the test through `errors`.
        try:
            result = self.script(conn, SocketReader(conn))
        except Exception as error:  # noqa: BLE001
            with self._lock:
                self._errors.append(error)
            return
        with self._lock:
            self._results.append(result)


class HangingOrigin(_Server):
    """Origin that accepts connections, reads whatever arrives and never responds."""

    name = "hanging-origin"

    def serve(self, conn):
        while not self._stopping.is_set():
            try:
                if not conn.recv(65536):
                    return
            except socket.timeout:
                continue


class TunnelPeer(_Server):
    """TCP server speaking a small binary exchange, to check CONNECT tunnels.

    On accept it sends GREETING. It then reads until the client half-closes and
    replies with the sha256 of what it received followed by those bytes reversed,
    then closes. `received` stores the bytes of the last connection.
    """

    name = "tunnel-peer"
    GREETING = bytes(range(256)) + b"\x00\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\xff"

    def __init__(self):
        super().__init__()
        self.received = None
        self.half_closed = threading.Event()

    @staticmethod
    def expected_reply(payload):
        return hashlib.sha256(payload).digest() + payload[::-1]

    def serve(self, conn):
        conn.sendall(self.GREETING)
        received = SocketReader(conn).read_to_eof()
        self.received = received
        self.half_closed.set()
        conn.sendall(self.expected_reply(received))
        conn.shutdown(socket.SHUT_WR)


def exchange_through_tunnel(client, peer, payload):
    """Send CONNECT for `peer` (a TunnelPeer) on `client`, then `payload` through the tunnel, and half-close.

    Return (status of the CONNECT response, greeting received, reply received until the
    peer closed). When the status is not 200, no tunnel opened and both are empty.
    """
    client.send(build_request("CONNECT", peer.authority, [("Host", peer.authority)]))
    status = client.read_response("CONNECT").status
    if status != 200:
        return status, b"", b""
    greeting = client.reader.read_exact(len(TunnelPeer.GREETING))
    client.send(payload)
    client.sock.shutdown(socket.SHUT_WR)
    return status, greeting, client.reader.read_to_eof()


class FullBacklog:
    """Listener on 127.0.0.1 whose accept queue is full, so that new connections hang.

    Linux drops a SYN for a listener whose accept queue is full. With backlog 0 and
    one connection that is never accepted, later connection attempts get no reply
    and time out.
    """

    def __init__(self):
        self._listener = None
        self._filler = None
        self.port = None

    @property
    def authority(self):
        return f"{LOOPBACK}:{self.port}"

    def start(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._filler = socket.create_connection((LOOPBACK, self.port), timeout=IO_TIMEOUT)
        return self

    def stop(self):
        self._filler.close()
        self._listener.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, traceback):
        self.stop()
        return False


def can_bind(address):
    """Return True if a TCP socket can bind to `address` on this machine, such as 127.0.0.2 or ::1."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.bind((address, 0))
    except OSError:
        return False
    return True


def closed_port():
    """Return a 127.0.0.1 port that nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------
# Clients


class HttpResponse:
    """A response as a client received it. `framing` is length, chunked, close or none."""

    def __init__(self, status_line, header_lines, body, framing, interim, trailer_lines=()):
        self.status_line = status_line
        parts = status_line.split(" ", 2)
        self.version = parts[0]
        self.status = int(parts[1])
        self.reason = parts[2] if len(parts) > 2 else ""
        self.header_lines = header_lines
        self.headers = parse_header_lines(header_lines)
        self.body = body
        self.framing = framing
        self.interim = interim
        self.trailer_lines = list(trailer_lines)
        self.trailers = parse_header_lines(self.trailer_lines)

    def values(self, name):
        return header_values(self.headers, name)

    def tokens(self, name):
        return header_tokens(self.headers, name)

    def value(self, name):
        """Return the single value of field `name`, or None if absent. Raise if it appears more than once."""
        values = self.values(name)
        if len(values) > 1:
            raise AssertionError(f"{name} appears {len(values)} times: {values}")
        return values[0] if values else None

    def __repr__(self):
        return f"HttpResponse({self.status_line!r}, {self.header_lines!r}, {len(self.body)} body bytes)"


def read_response(reader, method="GET"):
    """Read one response, skipping 1xx interim responses, and return an HttpResponse.

    Raise IncompleteMessage when the connection ends before the head, or before the
    end of the body that the framing declares.
    """
    interim = []
    while True:
        head = reader.read_head()
        if head is None:
            raise IncompleteMessage("connection closed before a response")
        lines = head.decode("latin-1").split("\r\n")
        status_line, header_lines = lines[0], lines[1:]
        status = int(status_line.split(" ", 2)[1])
        if 100 <= status < 200 and status != 101:
            interim.append(status_line)
            continue
        break
    headers = parse_header_lines(header_lines)
    if method == "HEAD" or status in (204, 304) or (method == "CONNECT" and 200 <= status < 300):
        return HttpResponse(status_line, header_lines, b"", "none", interim)
    if "chunked" in header_tokens(headers, "transfer-encoding"):
        body, trailer_lines = reader.read_chunked()
        return HttpResponse(status_line, header_lines, body, "chunked", interim, trailer_lines)
    lengths = header_values(headers, "content-length")
    if lengths:
        body = reader.read_exact(int(lengths[0]))
        return HttpResponse(status_line, header_lines, body, "length", interim)
    return HttpResponse(status_line, header_lines, reader.read_to_eof(), "close", interim)


class Client:
    """Raw client connection to the proxy, for tests where exact bytes matter."""

    def __init__(self, port, timeout=IO_TIMEOUT):
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.reader = SocketReader(self.sock)

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, target, headers=(), body=b"", version="HTTP/1.1"):
        """Send one request and return its response."""
        self.send(build_request(method, target, headers, body, version))
        return self.read_response(method)

    def read_response(self, method="GET"):
        return read_response(self.reader, method)

    def wait_closed(self, timeout=LOG_TIMEOUT):
        """Return True if the peer closes the connection within `timeout` seconds without sending more bytes.

        A connection reset counts as closed. Bytes that arrive make it return False.
        """
        return wait_peer_closed(self.reader, timeout)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        self.close()
        return False


def absolute_get(url, version="HTTP/1.1", extra_headers=()):
    """Return the bytes of a GET for `url` in absolute-form with a matching Host field."""
    return build_request("GET", url, [("Host", authority_of(url)), *extra_headers], version=version)


def client_environment(**extra):
    """Return os.environ without proxy variables, plus `extra`."""
    environment = {name: value for name, value in os.environ.items() if name.lower() not in PROXY_ENVIRONMENT}
    environment.update(extra)
    return environment


def run_curl(*args, timeout=20):
    """Run curl with `args` (no config file, errors shown) and return the CompletedProcess, bytes output."""
    command = ["curl", "-q", "--silent", "--show-error", "--max-time", str(timeout), *args]
    return subprocess.run(
        command, capture_output=True, env=client_environment(), timeout=timeout + 5, stdin=subprocess.DEVNULL
    )


def curl_sha256(*args, timeout=60):
    """Run curl with `args`, writing the body to stdout, and return (exit code, body size, sha256 hex, stderr).

    The body is hashed as it arrives, so large downloads need no memory or disk.
    """
    command = ["curl", "-q", "--silent", "--show-error", "--max-time", str(timeout), *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=client_environment(), stdin=subprocess.DEVNULL
    )
    watchdog = threading.Timer(timeout + 5, process.kill)
    watchdog.start()
    try:
        digest = hashlib.sha256()
        size = 0
        while True:
            data = process.stdout.read(1 << 20)
            if not data:
                break
            digest.update(data)
            size += len(data)
        stderr = process.stderr.read()
        code = process.wait(THREAD_JOIN_TIMEOUT)
    finally:
        watchdog.cancel()
        process.stdout.close()
        process.stderr.close()
    return code, size, digest.hexdigest(), stderr.decode("utf-8", "replace")


def split_curl_include(output):
    """Split `curl -i` output into (status line, header lines, body) of the last response head.

    Interim 1xx heads that curl prints first are skipped.
    """
    rest = output
    while True:
        head, separator, body = rest.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError(f"no response head in curl output: {output[:200]!r}")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        if 100 <= status < 200:
            rest = body
            continue
        return lines[0], lines[1:], body


# ---------------------------------------------------------------------------
# Test case base


def access_log_pattern(method, target, status, reason):
    """Return a regex for the access-log line of one request.

    The fields are, in order: time, client address:port, method, request-target,
    status, bytes sent, duration in ms, reason code or "-". A method or target of
    None matches any single field, for requests whose head the proxy could not read.
    An optional "#N" field after the client address (a connection number) is accepted.
    """
    method_part = re.escape(method) if method is not None else r"\S+"
    target_part = re.escape(target) if target is not None else r"\S+"
    return (
        rf"{re.escape(LOOPBACK)}:\d+\s+(?:#\d+\s+)?\"?{method_part}\s+{target_part}\"?\s+{status}\s+\d+\s+"
        rf"\d+(?:\.\d+)?\s*(?:ms)?\s+{re.escape(reason)}\s*$"
    )


class ProxyTestCase(unittest.TestCase):
    """TestCase with helpers that start the proxy and servers and stop them at cleanup."""

    def start_proxy(self, defines=None, config="", allow_loopback=True, stop_timeout=STOP_TIMEOUT, args=()):
        proxy = ProxyProcess(defines, config, allow_loopback, stop_timeout, args).start()
        self.addCleanup(self._stop_proxy, proxy)
        return proxy

    def _stop_proxy(self, proxy):
        if proxy.returncode is not None:
            proxy._cleanup()
            return
        try:
            proxy.stop()
        finally:
            if self._outcome_failed():
                print(f"\nfwdproxy output for {self.id()}:\n{proxy.output()}", file=sys.stderr)

    def _outcome_failed(self):
        # unittest passes the running test's result only through the private
        # _outcome attribute (CPython 3.4 to 3.12). When it is missing, print the
        # output anyway, because too much output beats none on a failure.
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return True
        return any(test is self for test, _ in result.failures + result.errors)

    def start_server(self, server):
        server.start()
        self.addCleanup(server.stop)
        return server

    def start_origin(self, routes=None, default=None):
        return self.start_server(Origin(routes, default))

    def connect(self, proxy, timeout=IO_TIMEOUT):
        client = Client(proxy.port, timeout)
        self.addCleanup(client.close)
        return client

    def assert_error_response(self, response, status, reason, target_text=None):
        """Check the contract's error response: status, reason code, text/plain body and Connection: close."""
        self.assertEqual(response.status, status, f"status of {response!r}, body {response.body[:300]!r}")
        self.assertEqual(response.value("X-Fwdproxy-Error"), reason, f"X-Fwdproxy-Error of {response!r}")
        content_type = response.value("Content-Type") or ""
        self.assertTrue(content_type.lower().startswith("text/plain"), f"Content-Type is {content_type!r}")
        self.assertTrue(response.body.strip(), "error response has an empty body")
        self.assertIn("close", response.tokens("Connection"), f"Connection of {response!r}")
        if target_text is not None:
            self.assertIn(target_text.encode("latin-1"), response.body, "error body does not name the target")

    def assert_logged(self, proxy, pattern, timeout=LOG_TIMEOUT, start=0):
        match = proxy.wait_for_output(pattern, timeout, start)
        if match is None:
            self.fail(f"no fwdproxy output line matches {pattern!r} within {timeout} s.\noutput:\n{proxy.output()}")
        return match

    def assert_access_logged(self, proxy, method, target, status, reason="-", start=0):
        return self.assert_logged(proxy, access_log_pattern(method, target, status, reason), start=start)
