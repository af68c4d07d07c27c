#!/usr/bin/env bash
# Installs what the build and the tests need (Debian packages), then:
#   1. builds fwdproxy (Release) and runs every unit and integration test with ctest;
#   2. builds everything again with AddressSanitizer and UndefinedBehaviorSanitizer
#      and runs the whole suite once more;
#   3. builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS
#      (default 60) from the seed corpus in tests/fuzz/corpus.
# SKIP_SANITIZE=1 or SKIP_FUZZ=1 leave out stage 2 or 3 for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

# openssl makes the test certificates, and haproxy, squid and tinyproxy are
# the balancer and the parent proxies of the chaining tests.
packages="cmake g++ make pkg-config libpoco-dev libssl-dev libcppunit-dev python3 curl wget clang libclang-rt-dev dpkg-dev file adduser goaccess nodejs openssl haproxy squid tinyproxy"
services="haproxy squid tinyproxy"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

  # The tests start these programs themselves with their own configuration.
  # The system services that installing them may have started (Squid on port
  # 3128, tinyproxy on 8888) are stopped, but only those installed just now.
  for service in $services; do
    case " $missing " in
      *" $service "*)
        if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
          echo "stopping the $service service that its installation started"
          $sudo systemctl stop "$service"
        fi
        ;;
    esac
  done
fi

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure --timeout 900)

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== AddressSanitizer and UndefinedBehaviorSanitizer build and tests"
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFWDPROXY_SANITIZE=ON
  cmake --build build-sanitize -j"$jobs"
  (cd build-sanitize && ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure --timeout 900)
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== libFuzzer targets, ${FUZZ_SECONDS:-60} s each"
  CXX=clang++ cmake -S . -B build-fuzz -DFWDPROXY_FUZZ=ON
  cmake --build build-fuzz -j"$jobs"
  for target in RequestHead:request ResponseHead:response Chunked:chunked ProxyHeader:proxyheader; do
    fuzzer=${target%%:*}
    corpus=${target##*:}
    # The fuzzer adds inputs to its corpus folder, so it gets a copy of the seeds.
    work="build-fuzz/corpus-$corpus"
    mkdir -p "$work"
    cp "$root/tests/fuzz/corpus/$corpus/"* "$work/"
    log="build-fuzz/fuzz$fuzzer.log"
    if ! "build-fuzz/tests/fuzz/fuzz$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 -artifact_prefix="build-fuzz/" "$work" >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz$fuzzer failed; the crashing input is named in $log" >&2
      exit 1
    fi
    grep -E "^(Done|stat::number_of_executed_units)" "$log"
  done
fi
echo "All stages passed."
