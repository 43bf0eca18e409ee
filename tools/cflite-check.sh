#!/usr/bin/env bash
# Checks .clusterfuzzlite/build.sh locally, without Docker, the way
# ClusterFuzzLite and OSS-Fuzz use it: build into a scratch $OUT, check
# that every target is there with its dictionary, options and seed corpus
# zip, then run each as OSS-Fuzz's runner would (from $OUT, with the
# options of fuzz_T.options, on the unzipped seeds) for 100 inputs.
# CI runs it from tools/test.sh where clang is installed.
#
# CC, CFLAGS and LIB_FUZZING_ENGINE may be set to try other flags;
# the defaults are clang, ASan + UBSan and libFuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/fuzz-common.sh
fuzz_sanitizer_env

export CC=${CC:-clang}
export CFLAGS=${CFLAGS:--fsanitize=address,undefined -fsanitize=fuzzer-no-link -g -O1}
export LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
# As OSS-Fuzz's runner: its CFLAGS for UBSan include
# unsigned-integer-overflow, which is defined C and which it silences.
export UBSAN_OPTIONS=$UBSAN_OPTIONS:silence_unsigned_overflow=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OUT=$tmp/out WORK=$tmp/work
bash .clusterfuzzlite/build.sh >"$tmp/build.log" 2>&1 || {
	cat "$tmp/build.log" >&2
	echo "cflite check: build.sh failed" >&2
	exit 1
}

fail() { echo "cflite check: $*" >&2; exit 1; }
for t in "${fuzz_targets[@]}"; do
	f=$OUT/fuzz_$t
	[ -x "$f" ] || fail "no executable $f"
	for x in .dict .options _seed_corpus.zip; do
		[ -s "$f$x" ] || fail "no $f$x"
	done
	want=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
	mkdir "$tmp/seeds_$t"
	unzip -q "${f}_seed_corpus.zip" -d "$tmp/seeds_$t"
	got=$(find "$tmp/seeds_$t" -type f | wc -l)
	[ "$got" -eq "$want" ] ||
		fail "fuzz_${t}_seed_corpus.zip has $got inputs, tests/fuzz/corpus/$t/ $want"
	mapfile -t opts < <(fuzz_options "$t" "$OUT")
	(cd "$OUT" && "./fuzz_$t" "${opts[@]}" -runs=100 \
		-artifact_prefix="$tmp/" "$tmp/seeds_$t") \
		>"$tmp/$t.log" 2>&1 || {
		grep -v '^#[0-9]' "$tmp/$t.log" | tail -n 200 >&2
		fail "fuzz_$t failed on its seed corpus"
	}
	echo "cflite check: fuzz_$t: $got seeds, 100 runs, options" \
		"'${opts[*]}', clean" >&2
done
echo "cflite check: build.sh built ${#fuzz_targets[@]} targets into \$OUT, each ran clean" >&2
