# shellcheck shell=bash
# Sourced by tools/fuzz-*.sh and .clusterfuzzlite/build.sh: the fuzz
# targets, where their files are, and their libFuzzer options.  Run from
# the checkout's root.

# The targets of tests/fuzz/ by short name T: the libFuzzer program
# fuzz_T, the replay program fuzz_T_replay, the dictionary
# tests/fuzz/T.dict, the options tests/fuzz/T.options, the seed corpus
# tests/fuzz/corpus/T/ and the reproducers tests/fuzz/regressions/T/.
# shellcheck disable=SC2034
fuzz_targets=(vm_table hvc schedule)

# fuzz_options T [OUT]: the [libfuzzer] section of tests/fuzz/T.options,
# or with OUT of OUT/fuzz_T.options as build.sh installed it, as
# command-line flags, one per line.  That file is what OSS-Fuzz and
# ClusterFuzzLite read beside $OUT/fuzz_T.dict, which its dict= names;
# reading it here too makes local runs fuzz the same way, with the
# dictionary of the checkout, tests/fuzz/T.dict, when OUT is not given.
fuzz_options() {
	local t=$1 out=${2:-} file section="" line key
	if [ -n "$out" ]; then file="$out/fuzz_$t.options"
	else file="tests/fuzz/$t.options"; fi
	[ -f "$file" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=${line//[[:space:]]/}
		case "$line" in
		"") ;;
		\[*\]) section=$line ;;
		*=*)
			[ "$section" = "[libfuzzer]" ] || continue
			key=${line%%=*}
			if [ "$key" != dict ]; then
				echo "-$line"
			elif [ -n "$out" ]; then
				echo "-dict=$out/${line#*=}"
			else
				echo "-dict=tests/fuzz/$t.dict"
			fi
			;;
		esac
	done <"$file"
}

# fuzz_check_files T: the target's dictionary and seed corpus exist.
fuzz_check_files() {
	local t=$1
	[ -f "tests/fuzz/$t.dict" ] || {
		echo "fuzz: no dictionary tests/fuzz/$t.dict" >&2; return 1; }
	[ -n "$(ls -A "tests/fuzz/corpus/$t" 2>/dev/null)" ] || {
		echo "fuzz: no seed corpus in tests/fuzz/corpus/$t/" >&2; return 1; }
}

# fuzz_sanitizer_env: for libFuzzer runs, the sanitizers stop at the first
# report, and a leak is a finding.  (afl-fuzz sets its own.)
fuzz_sanitizer_env() {
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}
