#!/usr/bin/env python3
"""Measurement helpers for bench/run.sh.

Each subcommand runs one measurement against one target and appends one JSON
object to the results file (JSON Lines):

  wrk   wrk with bench/proxy.lua: requests/s, p99 latency, body MB/s
  curl  one download with curl: MB/s from curl's speed_download
  idle  N idle keep-alive connections or CONNECT tunnels held open through a
        proxy: resident memory of the proxy's processes per connection

run.sh starts this script pinned to the load-generator core; wrk, curl and the
idle connections inherit that affinity.

Every record also carries "other_cpu_pct": CPU time that processes other than
the benchmark's own used during the measurement, in percent of one core. It is
the user+nice+system time from /proc/stat minus the CPU time of the servers in
the pid file and of the load generator. The kernel samples CPU time in ticks,
so this is an estimate of how much the shared machine disturbed the run.
"""

import argparse
import json
import os
import re
import resource
import select
import socket
import subprocess
import sys
import time

MB = 1_000_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------
# Processes and CPU accounting


def read_children_map():
    """Return {parent pid: [child pids]} for every process on the machine."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces.
        fields = stat[stat.rindex(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def process_tree(root_pids):
    """Return the given pids and all their descendants that still exist."""
    children = read_children_map()
    found = []
    pending = [pid for pid in root_pids if os.path.exists(f"/proc/{pid}")]
    while pending:
        pid = pending.pop()
        if pid in found:
            continue
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def read_server_pids(pid_file):
    if not pid_file or not os.path.exists(pid_file):
        return []
    with open(pid_file) as f:
        return [int(word) for word in f.read().split()]


def process_cpu_seconds(pids):
    """Sum utime+stime of the given processes (all their threads)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def machine_cpu_seconds():
    """Return (user+nice+system, steal) seconds summed over all cores."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    user, nice, system = int(fields[1]), int(fields[2]), int(fields[3])
    steal = int(fields[8]) if len(fields) > 8 else 0
    return (user + nice + system) / CLOCK_TICKS, steal / CLOCK_TICKS


class CpuWatch:
    """Estimates the CPU time used by other processes during a measurement."""

    def __init__(self, pid_file):
        self.pids = process_tree(read_server_pids(pid_file))
        self.start_wall = time.monotonic()
        self.start_busy, self.start_steal = machine_cpu_seconds()
        self.start_servers = process_cpu_seconds(self.pids)

    def finish(self, client_cpu_seconds):
        wall = time.monotonic() - self.start_wall
        busy, steal = machine_cpu_seconds()
        servers = process_cpu_seconds(self.pids) - self.start_servers
        other = (busy - self.start_busy) - servers - client_cpu_seconds
        return {
            "wall_s": round(wall, 3),
            "server_cpu_pct": round(100 * servers / wall, 1),
            "client_cpu_pct": round(100 * client_cpu_seconds / wall, 1),
            "other_cpu_pct": round(max(0.0, 100 * other / wall), 1),
            "steal_pct": round(100 * (steal - self.start_steal) / wall, 1),
        }


def run_measured(command, env=None):
    """Run a command and return (exit code, stdout, stderr, its CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return completed.returncode, completed.stdout, completed.stderr, cpu


def append_record(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
    print(json.dumps(record, sort_keys=True), flush=True)


def base_record(args):
    return {"round": args.round, "test": args.test, "target": args.target}


# ---------------------------------------------------------------------------
# wrk


def command_wrk(args):
    url = f"http://127.0.0.1:{args.port}{args.path}"
    env = dict(os.environ)
    env.pop("BENCH_ORIGIN", None)
    if args.origin:
        env["BENCH_ORIGIN"] = args.origin
    wrk = ["wrk", "-t1", f"-c{args.connections}", "--latency", "-s", args.script, url]

    if args.warmup > 0:
        run_measured(wrk[:1] + [f"-d{args.warmup}s"] + wrk[1:], env)

    watch = CpuWatch(args.server_pids)
    code, out, err, cpu = run_measured(wrk[:1] + [f"-d{args.duration}s"] + wrk[1:], env)
    record = base_record(args)
    record.update(watch.finish(cpu))

    match = re.search(r"^BENCH_JSON (\{.*\})$", out, re.MULTILINE)
    if code != 0 or not match:
        record["error"] = f"wrk exited with {code}: {(err or out).strip()[-300:]}"
        append_record(args.results, record)
        return 1

    totals = json.loads(match.group(1))
    seconds = totals["duration_us"] / 1e6
    errors = sum(value for key, value in totals.items() if key.startswith("errors_"))
    record.update({
        "requests": totals["requests"],
        "rps": round(totals["requests"] / seconds, 1),
        "p50_ms": totals["latency_p50_us"] / 1000,
        "p99_ms": totals["latency_p99_us"] / 1000,
        "max_ms": totals["latency_max_us"] / 1000,
        # Response bodies only, so the numbers do not depend on header sizes.
        "mbps": round(totals["requests"] * args.body_bytes / seconds / MB, 1),
        "errors": errors,
        "errors_detail": {key[7:]: value for key, value in totals.items() if key.startswith("errors_") and value},
    })
    append_record(args.results, record)
    return 0


# ---------------------------------------------------------------------------
# curl


def command_curl(args):
    url = f"http://127.0.0.1:{args.origin_port}{args.path}"
    curl = ["curl", "--silent", "--show-error", "-o", "/dev/null",
            "-w", "%{http_code} %{size_download} %{speed_download}"]
    if args.proxy_port:
        curl += ["--proxy", f"http://127.0.0.1:{args.proxy_port}"]
        if args.tunnel:
            curl.append("--proxytunnel")
    else:
        curl += ["--noproxy", "*"]
    curl.append(url)

    env = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    watch = CpuWatch(args.server_pids)
    code, out, err, cpu = run_measured(curl, env)
    record = base_record(args)
    record.update(watch.finish(cpu))

    words = out.split()
    if code != 0 or len(words) != 3 or words[0] != "200" or int(words[1]) != args.expect_bytes:
        record["error"] = f"curl exited with {code}, output {out!r}, stderr {err.strip()[-300:]!r}"
        append_record(args.results, record)
        return 1

    record["mbps"] = round(float(words[2]) / MB, 1)
    append_record(args.results, record)
    return 0


# ---------------------------------------------------------------------------
# Idle connections


def read_head(sock, limit=65536):
    """Read until the end of a response head; return (head, bytes after it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} bytes of response head")
        data += chunk
        if len(data) > limit:
            raise ConnectionError("response head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def open_keepalive(port, origin, path):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    request = f"GET http://{origin}{path} HTTP/1.1\r\nHost: {origin}\r\n\r\n"
    sock.sendall(request.encode())
    head, rest = read_head(sock)
    status = head.split(" ", 2)[1]
    if status != "200":
        raise ConnectionError(f"unexpected status {status}")
    length = re.search(r"(?im)^content-length:\s*(\d+)", head)
    if not length:
        raise ConnectionError("response without Content-Length")
    remaining = int(length.group(1)) - len(rest)
    while remaining > 0:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            raise ConnectionError("connection closed inside the body")
        remaining -= len(chunk)
    return sock


def open_tunnel(port, origin):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"CONNECT {origin} HTTP/1.1\r\nHost: {origin}\r\n\r\n".encode())
    head, rest = read_head(sock)
    status = head.split(" ", 2)[1]
    if status != "200" or rest:
        raise ConnectionError(f"unexpected status {status} or {len(rest)} bytes after the response head")
    return sock


def count_closed(sockets):
    """Count connections that the peer has closed (readable with EOF or data)."""
    closed = 0
    for start in range(0, len(sockets), 512):
        batch = sockets[start:start + 512]
        poller = select.poll()
        for sock in batch:
            poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
        closed += len(poller.poll(0))
    return closed


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def command_idle(args):
    pids = process_tree(read_server_pids(args.proxy_pid_file))
    record = base_record(args)
    record["connections_requested"] = args.count
    if not pids:
        record["error"] = f"no running process listed in {args.proxy_pid_file}"
        append_record(args.results, record)
        return 1

    # Warm the proxy with one complete exchange, then let it settle.
    try:
        open_keepalive(args.port, args.origin, args.path).close()
    except (OSError, ConnectionError) as error:
        record["error"] = f"warm-up request failed: {error}"
        append_record(args.results, record)
        return 1
    time.sleep(args.settle)
    baseline = rss_kib(pids)

    sockets = []
    failures = []
    started = time.monotonic()
    for _ in range(args.count):
        try:
            if args.mode == "connect":
                sockets.append(open_tunnel(args.port, args.origin))
            else:
                sockets.append(open_keepalive(args.port, args.origin, args.path))
        except (OSError, ConnectionError) as error:
            failures.append(str(error))
            if len(failures) >= 50:
                break
    open_seconds = time.monotonic() - started

    time.sleep(args.settle)
    # Children may appear while connections open (e.g. helpers), so look again.
    pids = process_tree(read_server_pids(args.proxy_pid_file))
    loaded = rss_kib(pids)
    still_open = len(sockets) - count_closed(sockets)

    record.update({
        "baseline_rss_kib": baseline,
        "loaded_rss_kib": loaded,
        "connections_opened": len(sockets),
        "connections_held": still_open,
        "open_seconds": round(open_seconds, 2),
        "processes": len(pids),
    })
    if failures:
        record["failures"] = len(failures)
        record["first_failure"] = failures[0]
    if still_open > 0 and still_open >= 0.9 * args.count:
        record["kib_per_conn"] = round((loaded - baseline) / still_open, 2)
    else:
        record["note"] = f"only {still_open} of {args.count} connections stayed open"

    for sock in sockets:
        sock.close()
    append_record(args.results, record)
    return 0


# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="JSON Lines file to append to")
    parser.add_argument("--round", type=int, required=True)
    parser.add_argument("--test", required=True, help="measurement name, e.g. 100b")
    parser.add_argument("--target", required=True, help="direct, fwdproxy, tinyproxy or squid")
    parser.add_argument("--server-pids", help="file with the pids of every server started by run.sh")
    commands = parser.add_subparsers(dest="command", required=True)

    wrk = commands.add_parser("wrk")
    wrk.add_argument("--port", type=int, required=True, help="port wrk connects to")
    wrk.add_argument("--origin", default="", help="HOST:PORT of the origin when going through a proxy")
    wrk.add_argument("--path", required=True)
    wrk.add_argument("--body-bytes", type=int, required=True)
    wrk.add_argument("--connections", type=int, default=50)
    wrk.add_argument("--duration", type=int, default=10, help="seconds")
    wrk.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded load first")
    wrk.add_argument("--script", required=True, help="path of proxy.lua")

    curl = commands.add_parser("curl")
    curl.add_argument("--origin-port", type=int, required=True)
    curl.add_argument("--proxy-port", type=int, default=0, help="0 for a direct download")
    curl.add_argument("--tunnel", action="store_true", help="go through a CONNECT tunnel")
    curl.add_argument("--path", required=True)
    curl.add_argument("--expect-bytes", type=int, required=True)

    idle = commands.add_parser("idle")
    idle.add_argument("--port", type=int, required=True, help="proxy port")
    idle.add_argument("--origin", required=True, help="HOST:PORT of the origin")
    idle.add_argument("--path", required=True, help="path requested on keep-alive connections")
    idle.add_argument("--mode", choices=["keepalive", "connect"], required=True)
    idle.add_argument("--count", type=int, required=True)
    idle.add_argument("--settle", type=float, default=2, help="seconds to wait before reading memory")
    idle.add_argument("--proxy-pid-file", required=True, help="file with the proxy's main pid")

    args = parser.parse_args()
    handler = {"wrk": command_wrk, "curl": command_curl, "idle": command_idle}[args.command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
