#!/usr/bin/env bash
# The fuzz targets find a broken allocator: a copy of the tree with
# tests/fuzz/mutants/reserve_off_by_one.patch applied to src/hyp, built
# with clang and libFuzzer (ASan + UBSan), and fuzz_vm_table run from an
# empty corpus with its dictionary for at most SECONDS (default 60).  Exit
# 0 and the time it took if the target caught the bug, 1 if it did not.
# Not a test: the issue's "caught within a minute", shown on demand.
#
#   tools/fuzz-demo.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for entry in CMakeLists.txt include src sim bench packaging tests examples \
	     doc LICENSE; do
	cp -r "$entry" "$work/"
done
patch -s -d "$work/src/hyp" -p1 < tests/fuzz/mutants/reserve_off_by_one.patch
cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPKVMSIM_FUZZ=ON \
	-DPKVMSIM_SANITIZE=address,undefined >/dev/null
cmake --build "$work/build" --target fuzz_vm_table >/dev/null

mkdir "$work/corpus"
start=$(date +%s.%N)
if "$work/build/tests/fuzz/fuzz_vm_table" -seed=1 \
	-max_total_time="$seconds" -dict=tests/fuzz/vm_table.dict \
	-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1; then
	echo "fuzz-demo: the broken allocator went unseen for $seconds s" >&2
	exit 1
fi
end=$(date +%s.%N)
grep -m1 "fuzz_vm_table:" "$work/log" || tail -5 "$work/log"
awk -v s="$start" -v e="$end" 'BEGIN { printf "fuzz-demo: caught in %.2f s\n", e - s }'
