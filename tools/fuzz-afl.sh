#!/usr/bin/env bash
# AFL++ on the libFuzzer targets of tests/fuzz/, from the same sources:
# afl-clang-fast (or afl-clang-lto) builds each LLVMFuzzerTestOneInput into
# a persistent-mode program when the targets link -fsanitize=fuzzer
# (PKVMSIM_FUZZ_ENGINE's default), and afl-fuzz runs it on the target's
# seed corpus with its dictionary.  AFL++ is optional: CI does not install
# it (Debian: apt-get install afl++).
#
# Usage:
#   tools/fuzz-afl.sh build                  build every target in build/afl
#   tools/fuzz-afl.sh run TARGET [SECONDS]   build, then fuzz TARGET
#                                            (vm_table, hvc or schedule)
#                                            for SECONDS (default: until ^C)
# Environment:
#   PKVMSIM_AFL_CC        afl-clang-fast (default) or afl-clang-lto
#   PKVMSIM_AFL_SANITIZE  sanitizers, default address,undefined; empty for
#                         speed (then run one sanitized instance beside them)
#   PKVMSIM_AFL_JOBS      afl-fuzz instances, default 1; with more, one
#                         main (-M) and JOBS-1 secondaries (-S) sharing the
#                         output, in the background, each logging to a file
# Findings land in build/afl/out/TARGET/*/crashes/; replay one with
# build/<preset>/tests/fuzz/fuzz_TARGET_replay FILE.  A run resumes the
# last one's output (AFL_AUTORESUME).  In a container or VM whose CPU
# governor afl-fuzz cannot read, AFL_SKIP_CPUFREQ=1 (set here) is needed;
# where core dumps go to a program (/proc/sys/kernel/core_pattern starts
# with |), afl-fuzz also wants AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/fuzz-common.sh

cc=${PKVMSIM_AFL_CC:-afl-clang-fast}
sanitize=${PKVMSIM_AFL_SANITIZE-address,undefined}
jobs=${PKVMSIM_AFL_JOBS:-1}
build=build/afl
[ "$cc" = afl-clang-fast ] || build=build/afl-${cc#afl-clang-}

usage() {
	sed -n '/^# Usage:/,/^# Environment:/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

afl_build() {
	command -v "$cc" >/dev/null || {
		echo "fuzz-afl: no $cc; install AFL++ (apt-get install afl++)" >&2
		exit 1
	}
	local extra=()
	# LTO mode needs an archiver that indexes LLVM bitcode.
	if [ "$cc" = afl-clang-lto ]; then
		local ar ranlib
		ar=$(command -v llvm-ar || command -v llvm-ar-14) || true
		ranlib=$(command -v llvm-ranlib || command -v llvm-ranlib-14) || true
		[ -n "$ar" ] && extra+=(-DCMAKE_AR="$ar")
		[ -n "$ranlib" ] && extra+=(-DCMAKE_RANLIB="$ranlib")
	fi
	cmake -S . -B "$build" -G Ninja -DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g" \
		-DPKVMSIM_SANITIZE="$sanitize" -DPKVMSIM_FUZZ=ON \
		-DPKVMSIM_FUZZ_ENGINE=-fsanitize=fuzzer "${extra[@]}" >/dev/null
	cmake --build "$build" --target "${fuzz_targets[@]/#/fuzz_}"
}

afl_run() {
	local t=$1 seconds=${2:-} time=() i pids=()
	[[ " ${fuzz_targets[*]} " == *" $t "* ]] || {
		echo "fuzz-afl: no target '$t' (${fuzz_targets[*]})" >&2; exit 2; }
	fuzz_check_files "$t"
	afl_build
	[ -z "$seconds" ] || time=(-V "$seconds")
	export AFL_SKIP_CPUFREQ=${AFL_SKIP_CPUFREQ:-1}
	export AFL_AUTORESUME=${AFL_AUTORESUME:-1}
	local args=(-i "tests/fuzz/corpus/$t" -o "$build/out/$t"
		    -x "tests/fuzz/$t.dict" "${time[@]}")
	local prog=("$build/tests/fuzz/fuzz_$t")
	mkdir -p "$build/out"	# afl-fuzz makes only the last directory
	if [ "$jobs" -le 1 ]; then
		afl-fuzz "${args[@]}" -- "${prog[@]}"
		return
	fi
	# Several instances share the output directory; each logs to a file,
	# and afl-whatsup sums them up at the end.
	mkdir -p "$build/out/$t"
	for ((i = 0; i < jobs; i++)); do
		local role=(-S "s$i") name="s$i"
		[ "$i" -gt 0 ] || role=(-M main) name=main
		AFL_NO_UI=1 afl-fuzz "${args[@]}" "${role[@]}" -- "${prog[@]}" \
			>"$build/out/$t/$name.log" 2>&1 &
		pids+=($!)
	done
	trap 'kill "${pids[@]}" 2>/dev/null || true' INT TERM EXIT
	echo "fuzz-afl: $jobs instances on fuzz_$t; afl-whatsup $build/out/$t" \
		"shows how they do, logs in $build/out/$t/*.log" >&2
	wait "${pids[@]}" || true
	trap - INT TERM EXIT
	afl-whatsup -s -d "$build/out/$t" 2>/dev/null | sed -n "/Summary/,\$p" || true
}

case "${1:-}" in
build) [ $# -eq 1 ] || usage; afl_build ;;
run)
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
	afl_run "$2" "${3:-}"
	;;
*) usage ;;
esac
