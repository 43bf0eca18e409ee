#!/usr/bin/env bash
# Build libpkvmsim (release) and run pkvmsim; with no arguments that is the
# default scenario.  Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup-debian.sh
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
exec build/release/sim/pkvmsim "$@"
