#!/usr/bin/env bash
# The whole test suite, as CI runs it: gcc with ASan+UBSan, clang with every
# unit test also under Valgrind, clang with ThreadSanitizer, and the
# optimised gcc build that tools/run.sh uses; then, where clang is
# installed, a bounded smoke fuzz of every fuzz target (tools/fuzz-smoke.sh,
# PKVMSIM_FUZZ_SECONDS each, default 60) and the ClusterFuzzLite build
# (tools/cflite-check.sh), and fuzz_vm_table catching a broken allocator
# (tools/fuzz-demo.sh).  Installs what it needs first.  Extra arguments
# name workflows to run instead, and skip the fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup-debian.sh

workflows=("$@")
[ ${#workflows[@]} -gt 0 ] || workflows=(ci ci-clang ci-tsan ci-release)
for wf in "${workflows[@]}"; do
	echo "=== workflow $wf" >&2
	cmake --workflow --preset "$wf"
done

[ $# -eq 0 ] || exit 0
if ! command -v clang >/dev/null; then
	echo "=== fuzzing skipped: no clang" >&2
	exit 0
fi
echo "=== fuzz smoke" >&2
tools/fuzz-smoke.sh
echo "=== ClusterFuzzLite build" >&2
tools/cflite-check.sh
echo "=== a broken allocator, found by fuzz_vm_table" >&2
tools/fuzz-demo.sh 60
