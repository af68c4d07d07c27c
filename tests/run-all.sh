#!/usr/bin/env bash
# Installs what the build and the tests need (Debian packages), builds
# fwdproxy, and runs every unit and integration test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

packages="cmake g++ make pkg-config libpoco-dev libcppunit-dev python3 curl wget"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure --timeout 900
