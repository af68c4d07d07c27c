#!/usr/bin/env python3
"""Write BENCHMARKS.md and bench-*.png charts from the results of bench/run.sh.

Reads the JSON Lines written by bench.py, takes the median of each
measurement over the rounds, compares fwdproxy with the best peer (tinyproxy
or squid) and with direct access to the origin, and draws bar charts with
gnuplot.
"""

import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import tempfile

TARGETS = ["direct", "fwdproxy", "tinyproxy", "squid"]
PEERS = ["tinyproxy", "squid"]
# Bar colours: by target in one-series charts, by series in the others.
TARGET_COLORS = {"direct": 0x7F7F7F, "fwdproxy": 0x1F77B4, "tinyproxy": 0xFF7F0E, "squid": 0x2CA02C}
SERIES_COLORS = [0x1F77B4, 0xD62728]


class Row:
    """One line of the results table: one metric of one test."""

    def __init__(self, test, metric, label, unit, higher_is_better, goal_kind, goal_ratio, direct_test=None):
        self.test = test
        self.metric = metric
        self.label = label
        self.unit = unit
        self.higher_is_better = higher_is_better
        # "peer": compare with the best of tinyproxy and squid; "direct": with direct access.
        self.goal_kind = goal_kind
        self.goal_ratio = goal_ratio
        # The 1 GiB CONNECT download is compared with the plain direct download.
        self.direct_test = direct_test or test

    def goal_text(self):
        sign = ">=" if self.higher_is_better else "<="
        reference = "best peer" if self.goal_kind == "peer" else "direct"
        return f"{sign} {self.goal_ratio:g}x {reference}"


def build_rows(idle_counts):
    rows = [
        Row("100b", "rps", "100 B responses", "requests/s", True, "peer", 2),
        Row("100b", "p99_ms", "100 B responses, p99 latency", "ms", False, "peer", 0.5),
        Row("64k", "mbps", "64 KiB responses", "MB/s", True, "peer", 2),
        Row("1g", "mbps", "1 GiB download", "MB/s", True, "direct", 0.9),
        Row("1g-connect", "mbps", "1 GiB download through CONNECT", "MB/s", True, "direct", 0.9, direct_test="1g"),
    ]
    for count in idle_counts:
        rows.append(Row(f"idle-keepalive-{count}", "kib_per_conn", f"{count} idle keep-alive connections",
                        "KiB per connection", False, "peer", 1))
        rows.append(Row(f"idle-connect-{count}", "kib_per_conn", f"{count} idle CONNECT tunnels",
                        "KiB per tunnel", False, "peer", 1))
    return rows


# ---------------------------------------------------------------------------
# Data


def load_records(path):
    records = []
    if os.path.exists(path):
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
    return records


def values_of(records, test, target, metric):
    return [r[metric] for r in records if r["test"] == test and r["target"] == target and metric in r]


def median_of(records, test, target, metric):
    values = values_of(records, test, target, metric)
    return statistics.median(values) if values else None


def format_value(value, unit):
    if value is None:
        return "n/a"
    if unit == "requests/s":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:.2f}"
    if unit.startswith("KiB"):
        return f"{value:.1f}"
    return f"{value:,.0f}"


def format_ratio(value):
    return "n/a" if value is None else f"{value:.2f}x"


def evaluate(row, records):
    """Return the medians, both ratios and the verdict for one row."""
    medians = {t: median_of(records, row.test, t, row.metric) for t in TARGETS}
    medians["direct"] = median_of(records, row.direct_test, "direct", row.metric)
    fwd = medians["fwdproxy"]

    peers = [medians[p] for p in PEERS if medians[p] is not None]
    best_peer = None
    if peers:
        best_peer = max(peers) if row.higher_is_better else min(peers)

    vs_peer = fwd / best_peer if fwd is not None and best_peer else None
    vs_direct = fwd / medians["direct"] if fwd is not None and medians["direct"] else None

    ratio = vs_peer if row.goal_kind == "peer" else vs_direct
    if fwd is not None and row.goal_kind == "peer" and best_peer == 0:
        # A peer at 0 KiB per connection can only be matched, not beaten.
        met = fwd <= 0
    elif ratio is None:
        met = None
    elif row.higher_is_better:
        met = ratio >= row.goal_ratio
    else:
        met = ratio <= row.goal_ratio
    return medians, vs_peer, vs_direct, met


# ---------------------------------------------------------------------------
# Machine and versions


def run_text(command, stream="stdout"):
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error})"
    text = completed.stdout if stream == "stdout" else completed.stderr
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else "unavailable"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def machine_facts(args, meta):
    binary = f"sha256 {meta.get('fwdproxy_sha256', 'unknown')[:16]}…"
    return [
        ("Cores (nproc)", str(os.cpu_count())),
        ("CPU model", cpu_model()),
        ("Memory", memory_total()),
        ("Kernel", platform.release()),
        ("Operating system", run_text(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""])),
        ("fwdproxy", f"{binary}, {meta.get('fwdproxy_origin', 'origin unknown')}"),
        ("nginx", run_text(["nginx", "-v"], "stderr")),
        ("squid", run_text(["squid", "-v"])),
        ("tinyproxy", run_text(["tinyproxy", "-v"])),
        ("wrk", run_text(["wrk", "-v"]).split(" Copyright")[0]),
        ("curl", run_text(["curl", "--version"])),
        ("gnuplot", run_text(["gnuplot", "--version"])),
    ]


# ---------------------------------------------------------------------------
# Charts


def gnuplot_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draw_chart(path, title, ylabel, groups, series, values, unit):
    """Draw a bar chart: one group of bars per target, one bar per series.

    values[(group, series)] is a list of per-round values; the bar is their
    median and the error bar spans their minimum and maximum.
    """
    width = 0.8 / len(series)
    lines = []
    xtics = []
    for g_index, group in enumerate(groups):
        xtics.append(f"{gnuplot_quote(group)} {g_index}")
    with tempfile.TemporaryDirectory() as scratch:
        data_files = []
        for s_index, name in enumerate(series):
            data_path = os.path.join(scratch, f"series{s_index}.dat")
            with open(data_path, "w") as f:
                for g_index, group in enumerate(groups):
                    samples = values.get((group, name))
                    if not samples:
                        continue
                    x = g_index - 0.4 + width * (s_index + 0.5)
                    med = statistics.median(samples)
                    color = TARGET_COLORS.get(group, 0) if len(series) == 1 else SERIES_COLORS[s_index % 2]
                    label = gnuplot_quote(format_value(med, unit))
                    f.write(f"{x} {med} {min(samples)} {max(samples)} {label} {color}\n")
            data_files.append((data_path, name))

        plots = []
        for s_index, (data_path, name) in enumerate(data_files):
            if os.path.getsize(data_path) == 0:
                continue
            if len(series) == 1:
                plots.append(f"{gnuplot_quote(data_path)} using 1:2:6 with boxes lc rgb variable notitle")
            else:
                color = f"#{SERIES_COLORS[s_index % 2]:06x}"
                plots.append(f"{gnuplot_quote(data_path)} using 1:2 with boxes lc rgb '{color}' "
                             f"title {gnuplot_quote(name)}")
            plots.append(f"{gnuplot_quote(data_path)} using 1:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0 notitle")
            plots.append(f"{gnuplot_quote(data_path)} using 1:4:5 with labels offset 0,0.8 font ',9' notitle")
        if not plots:
            return False

        lines += [
            "set terminal pngcairo size 820,440 font 'DejaVu Sans,10'",
            f"set output {gnuplot_quote(path)}",
            f"set title {gnuplot_quote(title)}",
            f"set ylabel {gnuplot_quote(ylabel)}",
            "set style fill solid 0.85 border -1",
            f"set boxwidth {width * 0.9}",
            "set yrange [0:*]",
            "set offsets 0, 0, graph 0.12, 0",
            f"set xrange [-0.6:{len(groups) - 0.4}]",
            f"set xtics ({', '.join(xtics)}) nomirror scale 0",
            "set grid ytics",
            "set key top right",
            "plot " + ", \\\n     ".join(plots),
        ]
        script = os.path.join(scratch, "chart.gp")
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["gnuplot", script], check=True)
    return True


def draw_charts(out_dir, records, idle_counts):
    """Draw every chart; return a list of (file name, caption)."""
    def collect(test_by_series, metric, targets):
        values = {}
        for series, test in test_by_series.items():
            for target in targets:
                samples = values_of(records, test, target, metric)
                if samples:
                    values[(target, series)] = samples
        return values

    charts = []
    specs = [
        ("bench-100b-rps.png", "100 B responses, wrk -c50 (higher is better)", "requests/s",
         {"GET": "100b"}, "rps", TARGETS, "requests/s"),
        ("bench-100b-p99.png", "100 B responses, p99 latency at 50 connections (lower is better)", "ms",
         {"GET": "100b"}, "p99_ms", TARGETS, "ms"),
        ("bench-64k.png", "64 KiB responses, wrk -c50 (higher is better)", "MB/s of response bodies",
         {"GET": "64k"}, "mbps", TARGETS, "MB/s"),
        ("bench-1g.png", "1 GiB download with curl (higher is better)", "MB/s",
         {"plain GET": "1g", "CONNECT tunnel": "1g-connect"}, "mbps", TARGETS, "MB/s"),
    ]
    for count in idle_counts:
        specs.append((f"bench-idle-{count}.png", f"Memory per idle connection, {count} connections (lower is better)",
                      "KiB of resident memory per connection",
                      {"keep-alive": f"idle-keepalive-{count}", "CONNECT tunnel": f"idle-connect-{count}"},
                      "kib_per_conn", ["fwdproxy"] + PEERS, "KiB"))

    for name, title, ylabel, test_by_series, metric, targets, unit in specs:
        values = collect(test_by_series, metric, targets)
        if draw_chart(os.path.join(out_dir, name), title, ylabel, targets, list(test_by_series), values, unit):
            charts.append((name, title))
    return charts


# ---------------------------------------------------------------------------
# Markdown


def results_table(rows, records):
    lines = [
        "| Measurement | direct | fwdproxy | tinyproxy | squid | fwdproxy / best peer | fwdproxy / direct | Target | Met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        medians, vs_peer, vs_direct, met = evaluate(row, records)
        cells = [f"{row.label} ({row.unit})"]
        cells += [format_value(medians[t], row.unit) for t in TARGETS]
        cells += [format_ratio(vs_peer), format_ratio(vs_direct), row.goal_text()]
        cells.append({True: "met", False: "**not met**", None: "no data"}[met])
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def format_error_kinds(record):
    return ", ".join(f"{kind} {count:,}" for kind, count in record.get("errors_detail", {}).items())


def per_round_table(records):
    lines = [
        "| Round | Test | Target | Result | Other load (% of a core) |",
        "| ---: | --- | --- | --- | ---: |",
    ]
    for r in records:
        if "error" in r:
            result = "error: " + r["error"].replace("|", "/").replace("\n", " ")
        elif "rps" in r:
            result = f"{r['rps']:,.0f} req/s, {r['mbps']:,.1f} MB/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms"
            if r.get("errors"):
                result += f", {r['errors']:,} errors ({format_error_kinds(r)})"
        elif r["test"].startswith("idle-"):
            still_open = f"{r.get('connections_held')}/{r.get('connections_requested')} still open"
            rss = f"RSS {r.get('baseline_rss_kib')} -> {r.get('loaded_rss_kib')} KiB"
            if "kib_per_conn" in r:
                result = f"{r['kib_per_conn']:.2f} KiB each, {still_open}, {rss}"
            else:
                result = f"{r.get('note', 'no value')}, {rss}"
            if r.get("failures"):
                result += f", {r['failures']} failed to open (first: {r['first_failure']})"
        else:
            result = f"{r['mbps']:,.1f} MB/s in {r['wall_s']:.2f} s"
        other = r.get("other_cpu_pct")
        lines.append(f"| {r['round']} | {r['test']} | {r['target']} | {result} | "
                     f"{'' if other is None else f'{other:.0f}'} |")
    return lines


def anomalies(records, events):
    """List server events and failed or unusual measurements, one line per kind.

    The same kind of anomaly in several rounds of one test and target is
    reported once, with the rounds and the first round's details.
    """
    grouped = collections.OrderedDict()

    def add(record, kind, detail):
        key = (record["test"], record["target"], kind)
        grouped.setdefault(key, []).append((record["round"], detail))

    for r in records:
        if "error" in r:
            add(r, "the measurement failed", r["error"])
        elif r.get("errors"):
            add(r, "wrk counted errors", f"{r['errors']:,} errors in {r['requests']:,} requests "
                                         f"({format_error_kinds(r)})")
        if r.get("failures"):
            add(r, "connections failed to open", f"{r['failures']} failed, first error: {r['first_failure']}")
        if r["test"].startswith("idle-") and "note" in r:
            add(r, "too few connections stayed open", r["note"])

    notes = [f"- {line}" for line in events]
    for (test, target, kind), occurrences in grouped.items():
        rounds = ", ".join(str(round_number) for round_number, _ in occurrences)
        label = "round" if len(occurrences) == 1 else "rounds"
        notes.append(f"- {test}, {target}: {kind} in {label} {rounds}. Round {occurrences[0][0]}: "
                     f"{occurrences[0][1]}")
    return notes


def noise_summary(records, meta):
    measured = [r for r in records if "other_cpu_pct" in r]
    lines = [
        "The machine is shared: other engineers build and test on the same two cores, so every number",
        "here is noisy. Each load measurement records the CPU time that processes outside the benchmark",
        "used while it ran, in percent of one core (\"other load\"). It is the user, nice and system time",
        "from /proc/stat minus the CPU time of the servers and the load generator. This is an estimate",
        "because the kernel samples CPU time in ticks. The per-round values at the end show it next to",
        "each result.",
        "",
    ]
    if measured:
        others = [r["other_cpu_pct"] for r in measured]
        busy = [r for r in measured if r["other_cpu_pct"] > 20]
        lines.append(f"- Other load over {len(measured)} measurements: median {statistics.median(others):.0f} %, "
                     f"max {max(others):.0f} % of a core; {len(busy)} measurements above 20 %.")
        steal = [r.get("steal_pct", 0) for r in measured]
        lines.append(f"- Steal time reported by the hypervisor: median {statistics.median(steal):.0f} %, "
                     f"max {max(steal):.0f} % of a core.")
    lines.append(f"- Load average (1, 5, 15 min) at the start: {meta.get('loadavg_start', '?')}; "
                 f"at the end: {meta.get('loadavg_end', '?')}.")
    return lines


def write_markdown(args, meta, rows, records, charts, events):
    rounds = meta.get("rounds", "?")
    duration = meta.get("duration_s", "?")
    warmup = meta.get("warmup_s", "?")
    idle_counts = meta.get("idle_counts", "").split()
    elapsed = int(meta.get("elapsed_s", "0"))
    client_cpu = meta.get("client_cpu", "0")
    server_cpu = meta.get("server_cpu", "1")
    bench_link = os.path.relpath(os.path.join(args.repo, "bench"), args.out)
    kind = "smoke run (BENCH_QUICK=1)" if meta.get("quick") == "1" else "full run"

    out = [
        "# fwdproxy benchmarks",
        "",
        "This page compares fwdproxy with two other HTTP forward proxies, tinyproxy and squid, and with",
        "direct access to the origin server, nginx. Everything runs on one machine over 127.0.0.1.",
        f"`bench/run.sh` wrote this page from a {kind} that started at {meta.get('started', '?')} and",
        f"took {elapsed // 60} min {elapsed % 60} s. Run it again with:",
        "",
        "```sh",
        "bench/run.sh                 # full run, rewrites docs/BENCHMARKS.md and docs/bench-*.png",
        "BENCH_QUICK=1 bench/run.sh   # smoke run of about 2 minutes, report in bench/results/quick/",
        "```",
        "",
        "The script needs root: it installs nginx, wrk, tinyproxy, squid, gnuplot-nox, curl and util-linux",
        "with apt-get when they are missing, and it builds `build/fwdproxy` when that is missing.",
        "`BENCH_FWDPROXY_COMMIT=HEAD` makes it build that commit from a clean export instead; the fwdproxy",
        "row under Machine says which binary this page measured. The comments at the top of bench/run.sh",
        "list the other settings. The raw results stay in bench/results/run-*/ (not in git), and",
        "`python3 bench/report.py --results-dir DIR --out docs --repo .` writes this page again from them.",
        "",
        "## Results",
        "",
        f"Each value is the median of {rounds} {'round' if rounds == '1' else 'rounds'}. In every round the "
        "script measures direct access,",
        "fwdproxy, tinyproxy and squid one after another, so slow drifts of the shared machine affect all",
        "of them alike. \"Best peer\" is the better of tinyproxy and squid for that row: the higher",
        "throughput, or the lower latency or memory. \"n/a\" marks a value that could not be measured; the",
        "notes below say why.",
        "",
    ]
    out += results_table(rows, records)
    out += [
        "",
        "The targets are fwdproxy's own goals. It should reach twice the best peer's request rate and 64 KiB",
        "throughput and half its p99 latency. Downloads should reach 90 % of direct speed, and an idle",
        "connection should cost no more memory than with the best peer.",
        "",
    ]
    for name, title in charts:
        out += [f"![{title}]({name})", ""]
    out += ["Bars are medians; the error bars span the lowest and highest round.", ""]

    out += ["## Noise and anomalies", ""]
    out += noise_summary(records, meta)
    notes = anomalies(records, events)
    out += [""]
    if notes:
        out += ["Errors and unusual results seen during the run:", ""] + notes
    else:
        out += ["No measurement failed, wrk counted no errors, and no server died during the run."]
    out += [""]

    out += [
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
    ]
    out += [f"| {name} | {value} |" for name, value in machine_facts(args, meta)]
    out += [
        "",
        "## Method",
        "",
        f"- Cores: the load generators (wrk, curl and the Python client for the idle test) run on core",
        f"  {client_cpu}; nginx and all three proxies run on core {server_cpu} (`taskset`). Through a proxy,",
        "  the proxy and nginx share that core; direct access gives nginx the core alone. Other engineers'",
        "  builds and tests run on both cores at the same time.",
        "- Origin: nginx with one worker, keep-alive, sendfile and no access log, serving a 100-byte file, a",
        "  64 KiB file and a 1 GiB file from a temporary folder.",
        f"- 100 B and 64 KiB: `wrk -t1 -c50 -d{duration}s --latency` after {warmup} s of unrecorded load.",
        "  Through a proxy, wrk connects to the proxy and sends absolute-form requests",
        "  (`GET http://127.0.0.1:PORT/100b HTTP/1.1`) made by [proxy.lua](" + bench_link + "/proxy.lua).",
        "  MB/s counts response bodies only (requests x body size / time). p99 is wrk's latency percentile.",
        "- 1 GiB: one `curl -o /dev/null` per round and target; MB/s is curl's `speed_download`",
        "  (1 MB = 10^6 bytes). The CONNECT row uses `curl --proxytunnel`, so curl opens a tunnel to the",
        "  origin port and sends a plain HTTP request through it. Both proxied rows are compared with the",
        "  direct download. This machine pages out memory that no process has touched for about a minute",
        "  (a DAMON pageout scheme in the kernel). The script therefore reads the file just before each",
        "  round's downloads. Without that, the first download of a round ran about 3x slower.",
        f"- Idle memory: for each proxy and each connection count ({', '.join(idle_counts)}) the script starts the proxy",
        "  afresh, sends one request, waits 2 s and reads the baseline: VmRSS from /proc/PID/status summed",
        "  over the proxy's processes. A Python client then opens the connections one by one. For keep-alive,",
        "  each connection sends one complete GET for the 100-byte file, reads the whole response and stays",
        "  open; for CONNECT, each connection opens a tunnel to the origin port and sends nothing more. After",
        "  2 s the script reads VmRSS again and divides the growth by the number of connections still open.",
        "  This is user-space memory only; kernel socket buffers are not counted.",
        "- tinyproxy 1.11 closes the client connection after every response, without a",
        "  `Connection: close` header. wrk therefore opens a new connection for each request and counts",
        "  each close as a read error although the response was complete, and tinyproxy has no idle",
        "  keep-alive connections to measure.",
        "",
        "### Configurations",
        "",
        f"- nginx: [bench/nginx.conf]({bench_link}/nginx.conf)",
        f"- fwdproxy: [bench/fwdproxy.properties]({bench_link}/fwdproxy.properties), access log at warning",
        "  level so that it writes nothing per request; `proxy.listen` is given with `-D` on the command line.",
        f"- tinyproxy: [bench/tinyproxy.conf]({bench_link}/tinyproxy.conf), log level Error.",
        f"- squid: [bench/squid.conf]({bench_link}/squid.conf), run as `squid -N` (one process), no",
        "  caching (`cache deny all`, no cache_dir, `cache_mem 0`), no access log, `forwarded_for delete`,",
        "  ICP, HTCP and SNMP off, DNS only to 127.0.0.1.",
        "",
        "run.sh replaces the `@...@` placeholders (temporary folder and ports) before it starts the servers.",
        "All servers listen on 127.0.0.1 only.",
        "",
        "## Per-round values",
        "",
    ]
    out += per_round_table(records)
    out.append("")

    # The history of performance changes is written by hand, so a new run
    # keeps it instead of overwriting it.
    history = os.path.join(os.path.dirname(os.path.abspath(__file__)), "history.md")
    if os.path.exists(history):
        with open(history) as f:
            out.append(f.read().rstrip("\n"))
        out.append("")

    path = os.path.join(args.out, "BENCHMARKS.md")
    with open(path, "w") as f:
        f.write("\n".join(out))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", required=True,
                        help="folder of one run: results.jsonl, events.txt and meta.txt")
    parser.add_argument("--out", required=True, help="folder for BENCHMARKS.md and the charts")
    parser.add_argument("--repo", required=True, help="root of the fwdproxy repository")
    args = parser.parse_args()

    with open(os.path.join(args.results_dir, "meta.txt")) as f:
        meta = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    records = load_records(os.path.join(args.results_dir, "results.jsonl"))
    events = []
    events_path = os.path.join(args.results_dir, "events.txt")
    if os.path.exists(events_path):
        with open(events_path) as f:
            events = [line.strip() for line in f if line.strip()]

    idle_counts = meta.get("idle_counts", "").split()
    rows = build_rows(idle_counts)
    os.makedirs(args.out, exist_ok=True)
    charts = draw_charts(args.out, records, idle_counts)
    path = write_markdown(args, meta, rows, records, charts, events)

    print("\n".join(results_table(rows, records)))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
