#!/usr/bin/env bash
# The .deb as a user meets it: build it from the optimised build that
# tools/test.sh made (or BUILD_DIR), install it with apt-get, use what it
# installed, and remove it again.  Needs root; CI runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build/ci-release}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >/dev/null
deb=$(ls "$out"/pkvmsim_*.deb)
apt-get install -y --no-install-recommends "$deb" >/dev/null
trap 'apt-get purge -y pkvmsim >/dev/null; rm -rf "$out"' EXIT

pkvmsim list >/dev/null
pkvmsim run --scenario lifecycle >/dev/null
test -f /usr/share/man/man1/pkvmsim.1 || test -f /usr/share/man/man1/pkvmsim.1.gz
pkg-config --exists --print-errors pkvmsim
echo "check-deb: $(basename "$deb") installs; pkvmsim, its manual and" \
     "pkvmsim.pc are in place"
