#!/usr/bin/env bash
# Benchmark fwdproxy against tinyproxy and squid, with nginx as the origin.
#
#   bench/run.sh                     full run: 5 rounds, about 13 minutes,
#                                    writes docs/BENCHMARKS.md and docs/bench-*.png
#   BENCH_QUICK=1 bench/run.sh       smoke run of about 2 minutes, writes its
#                                    report to bench/results/quick/
#
# Environment (defaults in brackets, quick-run defaults after the slash):
#   BENCH_ROUNDS      rounds; every round measures all targets in turn [5 / 1]
#   BENCH_DURATION    seconds of each wrk measurement [10 / 3]
#   BENCH_WARMUP      seconds of unrecorded wrk load before each one [2 / 1]
#   BENCH_IDLE_COUNT  idle connections and tunnels per proxy [1000 / 200]
#   BENCH_IDLE_MAX    10000 adds a second idle test with 10000 connections
#   BENCH_CLIENT_CPU  core for wrk, curl and the idle clients [0]
#   BENCH_SERVER_CPU  core for nginx and the proxies [1]
#   BENCH_OUT         folder for the report [docs / bench/results/quick]
#   BENCH_KEEP=1      keep the temporary folder with configs and logs
#   FWDPROXY_BIN      binary to test [build/fwdproxy, built if missing]
#   BENCH_FWDPROXY_COMMIT  build this commit from a clean export and test it
#                     instead (takes a few minutes on two cores)
#
# Needs root: it installs Debian packages with apt-get when they are missing
# and raises the open-files limit. Every server listens on 127.0.0.1 only and
# every request goes to 127.0.0.1.

set -euo pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$BENCH_SRC")
PYTHON=${PYTHON:-python3}

QUICK=${BENCH_QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
    ROUNDS=${BENCH_ROUNDS:-1}
    DURATION=${BENCH_DURATION:-3}
    WARMUP=${BENCH_WARMUP:-1}
    IDLE_COUNTS=${BENCH_IDLE_COUNT:-200}
    OUT_DIR=${BENCH_OUT:-$REPO_ROOT/bench/results/quick}
else
    ROUNDS=${BENCH_ROUNDS:-5}
    DURATION=${BENCH_DURATION:-10}
    WARMUP=${BENCH_WARMUP:-2}
    IDLE_COUNTS=${BENCH_IDLE_COUNT:-1000}
    OUT_DIR=${BENCH_OUT:-$REPO_ROOT/docs}
fi
if [[ "${BENCH_IDLE_MAX:-}" == 10000 && "$IDLE_COUNTS" != *10000* ]]; then
    IDLE_COUNTS="$IDLE_COUNTS 10000"
fi
CLIENT_CPU=${BENCH_CLIENT_CPU:-0}
SERVER_CPU=${BENCH_SERVER_CPU:-1}
OPEN_FILES=65536
PROXIES=(fwdproxy tinyproxy squid)
TARGETS=(direct "${PROXIES[@]}")

log() {
    printf '%s [bench] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

# ---------------------------------------------------------------------------
# Packages and the fwdproxy binary

install_packages() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v tinyproxy >/dev/null || missing+=(tinyproxy)
    command -v squid >/dev/null || missing+=(squid)
    command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
    command -v curl >/dev/null || missing+=(curl)
    command -v taskset >/dev/null || missing+=(util-linux)
    [[ ${#missing[@]} -eq 0 ]] && return

    [[ $EUID -eq 0 ]] || die "missing packages ${missing[*]}; run as root or install them first"
    log "installing ${missing[*]} with apt-get"
    # A policy-rc.d that exits 101 keeps apt from starting the packages'
    # services (squid would take port 3128).
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        created_policy=1
    fi
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
    [[ $created_policy == 1 ]] && rm -f "$policy"
    return 0
}

# Debian's own nginx, squid and tinyproxy services use the same binaries and
# would compete for the cores; stop them when they run.
stop_debian_services() {
    local service
    for service in nginx squid tinyproxy; do
        if [[ -x /etc/init.d/$service ]] && service "$service" status >/dev/null 2>&1; then
            log "stopping Debian's $service service"
            service "$service" stop || log "warning: could not stop the $service service"
        fi
    done
}

install_build_tools() {
    if command -v cmake >/dev/null && command -v g++ >/dev/null && [[ -d /usr/include/Poco ]]; then
        return
    fi
    [[ $EUID -eq 0 ]] || die "cmake, g++ or libpoco-dev is missing; run as root or install them first"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q cmake g++ pkg-config libpoco-dev
}

# Copies the binary under test to $FWDPROXY and describes where it came from
# in $FWDPROXY_ORIGIN for the report.
get_fwdproxy() {
    FWDPROXY="$BENCH_DIR/fwdproxy"

    if [[ -n ${BENCH_FWDPROXY_COMMIT:-} ]]; then
        local commit source="$BENCH_DIR/source"
        commit=$(git -C "$REPO_ROOT" rev-parse --verify "$BENCH_FWDPROXY_COMMIT^{commit}") \
            || die "BENCH_FWDPROXY_COMMIT=$BENCH_FWDPROXY_COMMIT is not a commit of $REPO_ROOT"
        install_build_tools
        log "building fwdproxy in Release mode from a clean export of commit ${commit:0:12}"
        mkdir -p "$source"
        git -C "$REPO_ROOT" archive "$commit" | tar -x -C "$source"
        cmake -S "$source" -B "$source/build" -DCMAKE_BUILD_TYPE=Release -DFWDPROXY_TESTS=OFF \
            >"$BENCH_DIR/build.log" 2>&1 || die "cmake failed; see $BENCH_DIR/build.log"
        cmake --build "$source/build" -j2 --target fwdproxy >>"$BENCH_DIR/build.log" 2>&1 \
            || die "the build failed; see $BENCH_DIR/build.log"
        cp "$source/build/fwdproxy" "$FWDPROXY"
        FWDPROXY_ORIGIN="built in Release mode from a clean export of commit ${commit:0:12} (BENCH_FWDPROXY_COMMIT)"
        return
    fi

    # Other engineers may rebuild build/fwdproxy during the run, so the run
    # uses a copy taken now.
    local binary=${FWDPROXY_BIN:-$REPO_ROOT/build/fwdproxy}
    if [[ ! -x $binary && -z ${FWDPROXY_BIN:-} ]]; then
        install_build_tools
        log "build/fwdproxy is missing; building it in Release mode"
        cmake -S "$REPO_ROOT" -B "$REPO_ROOT/build" -DCMAKE_BUILD_TYPE=Release
        cmake --build "$REPO_ROOT/build" -j2
    fi
    [[ -x $binary ]] || die "no fwdproxy binary at $binary"
    cp "$binary" "$FWDPROXY"

    local head changed
    head=$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    changed=$(git -C "$REPO_ROOT" status --porcelain -- src include CMakeLists.txt 2>/dev/null | wc -l)
    FWDPROXY_ORIGIN="$binary, last modified $(date -u -r "$binary" +%Y-%m-%dT%H:%M:%SZ); at the start of the run"
    FWDPROXY_ORIGIN+=" the repository was at commit $head with $changed uncommitted changes under src/, include/"
    FWDPROXY_ORIGIN+=" and CMakeLists.txt, and nothing records which of them the binary was built from"
}

# ---------------------------------------------------------------------------
# Temporary folder, ports, configurations and origin files

prepare_work_dir() {
    BENCH_DIR=$(mktemp -d /tmp/fwdproxy-bench.XXXXXX)
    # nginx workers (nobody), squid (proxy) and tinyproxy (nobody) read or
    # write in here after they drop root.
    chmod 755 "$BENCH_DIR"
    mkdir -p "$BENCH_DIR/www" "$BENCH_DIR/pids" "$BENCH_DIR/squid" "$BENCH_DIR/tinyproxy"
    chown proxy:proxy "$BENCH_DIR/squid"
    chown nobody:nogroup "$BENCH_DIR/tinyproxy"

    head -c 100 /dev/zero | tr '\0' 'x' >"$BENCH_DIR/www/100b"
    head -c 65536 /dev/urandom >"$BENCH_DIR/www/64k"
    fallocate -l 1G "$BENCH_DIR/www/1g" 2>/dev/null || head -c 1073741824 /dev/zero >"$BENCH_DIR/www/1g"
    chmod 644 "$BENCH_DIR"/www/*
    # Read the files once so that the first download is not slowed by filling
    # the page cache (a fresh fallocate file reads about 6x slower).
    cat "$BENCH_DIR"/www/* >/dev/null
}

pick_ports() {
    local ports
    ports=$("$PYTHON" - <<'EOF'
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
EOF
)
    read -r ORIGIN_PORT FWDPROXY_PORT TINYPROXY_PORT SQUID_PORT <<<"$ports"
}

render_config() {
    local name=$1
    sed -e "s|@BENCH_DIR@|$BENCH_DIR|g" \
        -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" \
        -e "s|@TINYPROXY_PORT@|$TINYPROXY_PORT|g" \
        -e "s|@SQUID_PORT@|$SQUID_PORT|g" \
        "$BENCH_SRC/$name" >"$BENCH_DIR/$name"
}

# ---------------------------------------------------------------------------
# Servers: each runs in the foreground, pinned to the server core. Their pids
# are kept in $BENCH_DIR/pids/NAME; server-pids lists all of them for the CPU
# accounting in bench.py.

port_of() {
    case $1 in
        nginx) echo "$ORIGIN_PORT" ;;
        fwdproxy) echo "$FWDPROXY_PORT" ;;
        tinyproxy) echo "$TINYPROXY_PORT" ;;
        squid) echo "$SQUID_PORT" ;;
    esac
}

write_server_pids() {
    cat "$BENCH_DIR"/pids/* 2>/dev/null >"$BENCH_DIR/server-pids" || true
}

wait_for_port() {
    local name=$1 port=$2 pid=$3 tries
    for ((tries = 0; tries < 100; tries++)); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || die "$name exited during startup; see $BENCH_DIR/$name.log"
        sleep 0.1
    done
    die "$name did not listen on 127.0.0.1:$port within 10 s; see $BENCH_DIR/$name.log"
}

start_server() {
    local name=$1 port
    port=$(port_of "$name")
    case $name in
        nginx)
            taskset -c "$SERVER_CPU" nginx -c "$BENCH_DIR/nginx.conf" >>"$BENCH_DIR/nginx.log" 2>&1 &
            ;;
        fwdproxy)
            taskset -c "$SERVER_CPU" "$FWDPROXY" --config="$BENCH_SRC/fwdproxy.properties" \
                -D "proxy.listen=127.0.0.1:$port" >>"$BENCH_DIR/fwdproxy.log" 2>&1 &
            ;;
        tinyproxy)
            taskset -c "$SERVER_CPU" tinyproxy -d -c "$BENCH_DIR/tinyproxy.conf" >>"$BENCH_DIR/tinyproxy.log" 2>&1 &
            ;;
        squid)
            taskset -c "$SERVER_CPU" squid -N -f "$BENCH_DIR/squid.conf" >>"$BENCH_DIR/squid.log" 2>&1 &
            ;;
    esac
    local pid=$!
    echo "$pid" >"$BENCH_DIR/pids/$name"
    write_server_pids
    wait_for_port "$name" "$port" "$pid"
}

stop_server() {
    local name=$1 pid tries status=0
    [[ -f $BENCH_DIR/pids/$name ]] || return 0
    pid=$(cat "$BENCH_DIR/pids/$name")
    rm -f "$BENCH_DIR/pids/$name"
    write_server_pids
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    tries=0
    while kill -0 "$pid" 2>/dev/null && [[ $tries -lt 150 ]]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "warning: $name (pid $pid) did not stop within 15 s of SIGTERM; sending SIGKILL"
        record_event "$name (pid $pid) did not stop within 15 s of SIGTERM and was killed"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || status=$?
    if [[ $name == fwdproxy && $status != 0 ]]; then
        record_event "fwdproxy (pid $pid) exited with status $status after SIGTERM"
    fi
}

# Restarts a server that died since the last measurement and records it.
ensure_running() {
    local name=$1 pid status=0
    pid=$(cat "$BENCH_DIR/pids/$name")
    kill -0 "$pid" 2>/dev/null && return 0
    wait "$pid" 2>/dev/null || status=$?
    record_event "$name (pid $pid) was found dead with exit status $status before $2; restarted"
    log "warning: $name died (exit status $status); restarting it"
    start_server "$name"
}

record_event() {
    printf '%s\n' "$*" >>"$RESULTS_DIR/events.txt"
}

cleanup() {
    local status=$? name
    trap - EXIT INT TERM
    if [[ -n ${BENCH_DIR:-} && -d ${BENCH_DIR:-} ]]; then
        for name in squid tinyproxy fwdproxy nginx; do
            stop_server "$name"
        done
        if [[ $status != 0 || ${BENCH_KEEP:-0} == 1 ]]; then
            log "configurations and logs kept in $BENCH_DIR"
        else
            rm -rf "$BENCH_DIR"
        fi
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------
# Measurements

bench_py() {
    taskset -c "$CLIENT_CPU" "$PYTHON" "$BENCH_SRC/bench.py" --results "$RESULTS_DIR/results.jsonl" \
        --server-pids "$BENCH_DIR/server-pids" "$@"
}

# One request through each proxy, plain and tunnelled, before measuring.
check_targets() {
    local proxy port
    for proxy in "${PROXIES[@]}"; do
        port=$(port_of "$proxy")
        curl --silent --show-error --fail -o /dev/null --proxy "http://127.0.0.1:$port" \
            "http://127.0.0.1:$ORIGIN_PORT/100b" || die "a GET through $proxy failed"
        curl --silent --show-error --fail -o /dev/null --proxy "http://127.0.0.1:$port" --proxytunnel \
            "http://127.0.0.1:$ORIGIN_PORT/100b" || die "a GET through a CONNECT tunnel of $proxy failed"
    done
}

measure_wrk() {
    local round=$1 test=$2 path=$3 bytes=$4 target
    for target in "${TARGETS[@]}"; do
        log "round $round: $test with wrk -c50 -t1 -d${DURATION}s, $target"
        if [[ $target == direct ]]; then
            bench_py --round "$round" --test "$test" --target direct wrk --port "$ORIGIN_PORT" \
                --path "$path" --body-bytes "$bytes" --duration "$DURATION" --warmup "$WARMUP" \
                --script "$BENCH_SRC/proxy.lua" || true
        else
            ensure_running "$target" "$test"
            bench_py --round "$round" --test "$test" --target "$target" wrk --port "$(port_of "$target")" \
                --origin "127.0.0.1:$ORIGIN_PORT" --path "$path" --body-bytes "$bytes" \
                --duration "$DURATION" --warmup "$WARMUP" --script "$BENCH_SRC/proxy.lua" || true
        fi
    done
}

measure_download() {
    local round=$1 target
    # This machine pages out memory that no process has touched for about a
    # minute (a DAMON pageout scheme), which made the first download of each
    # round about 3x slower than the rest. Reading the file first puts it
    # back in the page cache.
    taskset -c "$CLIENT_CPU" cat "$BENCH_DIR/www/1g" >/dev/null
    for target in "${TARGETS[@]}"; do
        log "round $round: 1 GiB download with curl, $target"
        if [[ $target == direct ]]; then
            bench_py --round "$round" --test 1g --target direct curl --origin-port "$ORIGIN_PORT" \
                --path /1g --expect-bytes 1073741824 || true
            continue
        fi
        ensure_running "$target" 1g
        bench_py --round "$round" --test 1g --target "$target" curl --origin-port "$ORIGIN_PORT" \
            --proxy-port "$(port_of "$target")" --path /1g --expect-bytes 1073741824 || true
        bench_py --round "$round" --test 1g-connect --target "$target" curl --origin-port "$ORIGIN_PORT" \
            --proxy-port "$(port_of "$target")" --tunnel --path /1g --expect-bytes 1073741824 || true
    done
}

# Each idle test runs on a freshly started proxy, so the baseline is not
# inflated by the load tests before it.
measure_idle() {
    local round=$1 proxy count mode
    for proxy in "${PROXIES[@]}"; do
        for count in $IDLE_COUNTS; do
            for mode in keepalive connect; do
                log "round $round: $count idle $mode connections, $proxy"
                stop_server "$proxy"
                start_server "$proxy"
                bench_py --round "$round" --test "idle-$mode-$count" --target "$proxy" idle \
                    --port "$(port_of "$proxy")" --origin "127.0.0.1:$ORIGIN_PORT" --path /100b \
                    --mode "$mode" --count "$count" --proxy-pid-file "$BENCH_DIR/pids/$proxy" || true
            done
        done
        # The next round's load tests start from a fresh process as well.
        stop_server "$proxy"
        start_server "$proxy"
    done
}

# ---------------------------------------------------------------------------

main() {
    local started_at run_start round
    run_start=$SECONDS
    started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)

    install_packages
    stop_debian_services

    # A proxy uses two sockets per tunnel, one to the client and one to the origin.
    local idle_max=${IDLE_COUNTS##* } needed
    needed=$((2 * idle_max + 1000))
    ulimit -Hn "$OPEN_FILES" 2>/dev/null || true
    ulimit -n "$(ulimit -Hn)"
    if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $needed ]]; then
        die "$idle_max idle tunnels need an open-files limit of at least $needed, but this shell may raise it only to $(ulimit -Hn) (ulimit -Hn)"
    fi

    RESULTS_DIR="$REPO_ROOT/bench/results/run-$(date -u +%Y%m%dT%H%M%SZ)"
    mkdir -p "$RESULTS_DIR"
    : >"$RESULTS_DIR/events.txt"

    trap cleanup EXIT INT TERM
    prepare_work_dir
    get_fwdproxy
    pick_ports
    render_config nginx.conf
    render_config squid.conf
    render_config tinyproxy.conf

    log "work folder $BENCH_DIR, results $RESULTS_DIR"
    log "ports: origin $ORIGIN_PORT, fwdproxy $FWDPROXY_PORT, tinyproxy $TINYPROXY_PORT, squid $SQUID_PORT"
    log "load generator on core $CLIENT_CPU; nginx and the proxies on core $SERVER_CPU"

    local name
    for name in nginx "${PROXIES[@]}"; do
        start_server "$name"
    done
    check_targets

    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    for ((round = 1; round <= ROUNDS; round++)); do
        measure_wrk "$round" 100b /100b 100
        measure_wrk "$round" 64k /64k 65536
        measure_download "$round"
        measure_idle "$round"
    done

    local elapsed=$((SECONDS - run_start))
    log "measurements done in $((elapsed / 60)) min $((elapsed % 60)) s; writing the report to $OUT_DIR"
    mkdir -p "$OUT_DIR"
    # meta.txt keeps the facts about the run, so that report.py can write the
    # page again from the results folder alone.
    {
        echo "fwdproxy_origin=$FWDPROXY_ORIGIN"
        echo "fwdproxy_sha256=$(sha256sum "$FWDPROXY" | cut -d' ' -f1)"
        echo "started=$started_at"
        echo "elapsed_s=$elapsed"
        echo "quick=$QUICK"
        echo "rounds=$ROUNDS"
        echo "duration_s=$DURATION"
        echo "warmup_s=$WARMUP"
        echo "idle_counts=$IDLE_COUNTS"
        echo "client_cpu=$CLIENT_CPU"
        echo "server_cpu=$SERVER_CPU"
        echo "loadavg_start=$load_start"
        echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    } >"$RESULTS_DIR/meta.txt"
    "$PYTHON" "$BENCH_SRC/report.py" --results-dir "$RESULTS_DIR" --out "$OUT_DIR" --repo "$REPO_ROOT"
    log "report written: $OUT_DIR/BENCHMARKS.md"
}

main "$@"
