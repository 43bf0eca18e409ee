#!/usr/bin/env bash
# The fuzzing figures of README's "Fuzzing" section (not a test):
#   1. executions per second of each target on one core, from a run of
#      PKVMSIM_FIG_SECONDS (default 60) on its seed corpus;
#   2. line and branch coverage of src/hyp/*.c reached by the checked-in
#      corpora (tests/fuzz/corpus/*), replayed by the fuzz_T_replay
#      programs built with clang's source-based coverage, and the lines of
#      pkvm.c and hyp-main.c the corpora do not reach;
#   3. the longest clean run: each target runs until it has made
#      PKVMSIM_FIG_RUNS_T executions (T in capitals: VM_TABLE, HVC,
#      SCHEDULE; PKVMSIM_FIG_RUNS sets all three; defaults 10,000,000,
#      2,000,000 and 500,000), a crash, or PKVMSIM_FIG_MAX_SECONDS
#      (default 1800) per target; it reports how many it made.
# The fuzzing runs use the `fuzz` preset (clang, ASan + UBSan, -O2 -g),
# one process pinned to CPU 0; PKVMSIM_FIG_SANITIZE names other sanitizers
# (empty: none, the code's own speed), built in build/fuzz-figures.  The
# coverage build is build/fuzz-cov.
# Prints markdown tables.  Takes about 3 x (SECONDS + the clean runs).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/fuzz-common.sh
fuzz_sanitizer_env

seconds=${PKVMSIM_FIG_SECONDS:-60}
max_seconds=${PKVMSIM_FIG_MAX_SECONDS:-1800}
declare -A runs=([vm_table]=10000000 [hvc]=2000000 [schedule]=500000)
for t in "${fuzz_targets[@]}"; do
	var=PKVMSIM_FIG_RUNS_${t^^}
	runs[$t]=${!var:-${PKVMSIM_FIG_RUNS:-${runs[$t]}}}
done

tool() {	# tool NAME: NAME, or NAME-14 where only that is installed
	command -v "$1" || command -v "$1-14" || {
		echo "fuzz-figures: no $1 (Debian: apt-get install llvm)" >&2
		exit 1
	}
}
profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log() { echo "fuzz-figures: $*" >&2; }

sanitize=${PKVMSIM_FIG_SANITIZE-address,undefined}
if [ "$sanitize" = address,undefined ]; then
	log "building the fuzz preset"
	fuzz_build=build/fuzz
	cmake --preset fuzz >/dev/null
else
	fuzz_build=build/fuzz-figures
	log "building $fuzz_build: the fuzz preset with sanitizers '$sanitize'"
	cmake --preset fuzz -B "$fuzz_build" -DPKVMSIM_SANITIZE="$sanitize" \
		>/dev/null
fi
cmake --build "$fuzz_build" --target "${fuzz_targets[@]/#/fuzz_}" >/dev/null

# fuzz T NAME FLAGS...: one libFuzzer run of fuzz_T on a scratch corpus
# seeded by the checked-in one; its log is $tmp/T.NAME.log.
fuzz() {
	local t=$1 name=$2
	shift 2
	fuzz_check_files "$t"
	rm -rf "$tmp/corpus"
	mkdir "$tmp/corpus"
	mapfile -t opts < <(fuzz_options "$t")
	"${pin[@]}" "$fuzz_build/tests/fuzz/fuzz_$t" "${opts[@]}" \
		-print_final_stats=1 -artifact_prefix="$tmp/$t.$name." "$@" \
		"$tmp/corpus" "tests/fuzz/corpus/$t" >"$tmp/$t.$name.log" 2>&1
}
stat() {	# stat T NAME KEY: a final statistic of that run
	sed -n "s/^stat::$3: *//p" "$tmp/$1.$2.log" | tail -n 1
}
# What stopped a run that did not end clean: the sanitizer's or
# libFuzzer's one-line summary.
verdict() {
	grep -m1 -E '^(SUMMARY|==[0-9]+== ERROR|ERROR):' "$tmp/$1.$2.log" |
		sed -e 's/^==[0-9]*== //' -e 's/^SUMMARY: //' -e "s|$PWD/||g" \
		    -e 's/ in *$//' | cut -c1-100
}

declare -A speed clean
for t in "${fuzz_targets[@]}"; do
	log "fuzz_$t: ${seconds} s for exec/s"
	if fuzz "$t" speed -max_total_time="$seconds"; then
		speed[$t]=$(stat "$t" speed average_exec_per_sec)
	else
		speed[$t]="crashed after $(stat "$t" speed number_of_executed_units): $(verdict "$t" speed)"
	fi
done
for t in "${fuzz_targets[@]}"; do
	log "fuzz_$t: clean run of up to ${runs[$t]} executions, ${max_seconds} s"
	start=$SECONDS
	if fuzz "$t" clean -runs="${runs[$t]}" -max_total_time="$max_seconds"; then
		n=$(stat "$t" clean number_of_executed_units)
		if [ "$n" -ge "${runs[$t]}" ]; then
			clean[$t]="$n, no crash ($((SECONDS - start)) s)"
		else
			clean[$t]="$n, no crash (stopped at ${max_seconds} s)"
		fi
	else
		clean[$t]="crash after $(stat "$t" clean number_of_executed_units): $(verdict "$t" clean)"
	fi
done

log "building build/fuzz-cov and replaying the corpora"
replays=()
for t in "${fuzz_targets[@]}"; do replays+=("fuzz_${t}_replay"); done
cmake -S . -B build/fuzz-cov -G Ninja -DCMAKE_C_COMPILER=clang \
	-DCMAKE_BUILD_TYPE= -DPKVMSIM_WERROR=OFF -DPKVMSIM_FUZZ=OFF \
	-DPKVMSIM_SANITIZE= \
	-DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" >/dev/null
cmake --build build/fuzz-cov --target "${replays[@]}" >/dev/null
objects=()
replay_failed=()
for t in "${fuzz_targets[@]}"; do
	prog=build/fuzz-cov/tests/fuzz/fuzz_${t}_replay
	objects+=(-object "$prog")
	# A process that dies writes no profile: if the whole corpus does not
	# replay clean, replay it one input at a time and count the failures.
	if LLVM_PROFILE_FILE="$tmp/prof/$t-%p.profraw" "$prog" \
		"tests/fuzz/corpus/$t" >"$tmp/$t.replay.log" 2>&1; then
		continue
	fi
	rm -f "$tmp/prof/$t"-*.profraw
	bad=0
	for f in "tests/fuzz/corpus/$t"/*; do
		LLVM_PROFILE_FILE="$tmp/prof/$t-%p.profraw" "$prog" "$f" \
			>/dev/null 2>&1 || bad=$((bad + 1))
	done
	replay_failed+=("corpus/$t: $bad inputs do not replay clean (their coverage is missing)")
done
"$profdata" merge -sparse "$tmp"/prof/*.profraw -o "$tmp/corpus.profdata"
hyp=(src/hyp/*.c)
"$cov" report "${objects[@]:1}" -instr-profile="$tmp/corpus.profdata" \
	"${hyp[@]}" >"$tmp/report.txt"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | head -c1)
[ -z "$dirty" ] || commit="$commit + changes"
echo
echo "Fuzzing figures: commit $commit, $(clang --version | sed -n 's/.*\(clang version [0-9.]*\).*/\1/p'),"
echo "\`fuzz\` preset (-O2 -g), sanitizers: ${sanitize:-none}; one process on one core ($(nproc) online)."
echo
echo "| target | exec/s (${seconds} s run) | longest clean run: executions |"
echo "| --- | --- | --- |"
for t in "${fuzz_targets[@]}"; do
	echo "| fuzz_$t | ${speed[$t]} | ${clean[$t]} |"
done
echo
echo "Coverage of src/hyp by tests/fuzz/corpus/ (clang source-based, replayed):"
echo
echo "| file | lines | branches |"
echo "| --- | --- | --- |"
# llvm-cov's columns: file, regions, missed, cover, functions, missed,
# executed, lines, missed, cover, branches, missed, cover.
awk 'NF == 13 && $2 ~ /^[0-9]+$/ {
	name = ($1 == "TOTAL") ? "**total**" : $1
	printf "| %s | %s (%d/%d) | %s (%d/%d) |\n", name,
		$10, $8 - $9, $8, $13, $11 - $12, $11
}' "$tmp/report.txt"
for f in "${replay_failed[@]}"; do echo "- $f"; done

# Lines with a count of 0 (lines without code have none), as ranges within
# a function, each with its function and its first line that is more than
# a brace.
for f in src/hyp/pkvm.c src/hyp/hyp-main.c; do
	"$cov" show "${objects[@]:1}" -instr-profile="$tmp/corpus.profdata" \
		"$f" >"$tmp/show.txt"
	awk -F'|' -v f="${f#src/hyp/}" '
		function flush() {
			if (!first) return
			r = (last > first) ? first "-" last : first
			out[++nr] = sprintf("%s:%s %s: %s", f, r, fn,
					    substr(text, 1, 60))
			first = 0
		}
		NF < 3 { next }
		{ raw = $0; sub(/^[^|]*\|[^|]*\|/, "", raw)
		  code = raw; gsub(/^[ \t]+|[ \t]+$/, "", code) }
		# A definition starts at column 0: it ends a range.
		$2 !~ /[0-9]/ && raw ~ /^[A-Za-z_]/ {
			flush()
			if (match(raw, /[A-Za-z_0-9]+\(/))
				fn = substr(raw, RSTART, RLENGTH - 1) "()"
			next
		}
		$2 ~ /^ *0$/ {
			n++
			if (!first) { first = $1 + 0; text = "" }
			last = $1 + 0
			if (text == "" && code !~ /^[{}]?$/) text = code
			next
		}
		$2 ~ /[0-9]/ { flush() }
		END {
			flush()
			printf "\n%s: %d lines the corpora do not reach\n", f, n
			if (nr) print "```"
			for (i = 1; i <= nr; i++) print out[i]
			if (nr) print "```"
		}' "$tmp/show.txt"
done
