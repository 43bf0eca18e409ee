#!/usr/bin/env bash
# Smoke fuzz, as CI runs it (tools/test.sh, where clang is installed):
# build the `fuzz` preset's libFuzzer targets (clang, ASan + UBSan) and run
# each for a bounded time on its seed corpus with its dictionary.  Any
# crash, sanitizer report, leak or timeout fails, and its input is printed
# in base64 (CI's checkout is thrown away) with the command that replays it.
#
# Usage: tools/fuzz-smoke.sh [TARGET...]    (default: vm_table hvc schedule)
# PKVMSIM_FUZZ_SECONDS: seconds per target, default 60.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/fuzz-common.sh
fuzz_sanitizer_env

seconds=${PKVMSIM_FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${fuzz_targets[@]}")

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
	fuzz_check_files "$t"
	# New inputs go to a scratch corpus, the first directory; the
	# checked-in seeds are only read.
	mkdir "$work/$t" "$work/$t.crash"
	mapfile -t opts < <(fuzz_options "$t")
	echo "=== fuzz smoke: fuzz_$t for ${seconds} s" >&2
	if build/fuzz/tests/fuzz/fuzz_"$t" "${opts[@]}" \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$t.crash/" \
		"$work/$t" "tests/fuzz/corpus/$t" >"$work/$t.log" 2>&1; then
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' \
			"$work/$t.log" >&2 || true
		continue
	fi
	failed+=("$t")
	# The report, without libFuzzer's progress lines.
	grep -v '^#[0-9]' "$work/$t.log" | tail -n 200 >&2
	for f in "$work/$t.crash"/*; do
		[ -f "$f" ] || continue
		echo "--- fuzz_$t: $(basename "$f"), base64; save it as FILE and" \
			"replay with build/fuzz/tests/fuzz/fuzz_$t FILE" \
			"(or fuzz_${t}_replay FILE in any build):" >&2
		base64 "$f" >&2
	done
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz smoke: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "fuzz smoke: ${#targets[@]} targets, ${seconds} s each, no crash" >&2
