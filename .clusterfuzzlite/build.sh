#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds the libFuzzer targets of tests/fuzz/ the OSS-Fuzz way, for
# ClusterFuzzLite (.clusterfuzzlite/Dockerfile) or OSS-Fuzz: the compiler
# is $CC with $CFLAGS (sanitizers and -fsanitize=fuzzer-no-link included),
# the targets link $LIB_FUZZING_ENGINE, and $OUT receives each fuzz_T with
# fuzz_T.dict, fuzz_T.options and fuzz_T_seed_corpus.zip.
#
# In the builder image the checkout is $SRC/libpkvmsim.  Run from a
# checkout, without Docker, the source is the checkout this script is in:
#
#   CC=clang CFLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -g -O1" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out bash .clusterfuzzlite/build.sh
#
# Intermediate files go to $WORK/cflite ($WORK defaults to the checkout's
# build/), configured afresh each time.  tools/cflite-check.sh runs this
# into a scratch $OUT and fuzzes what it built, briefly.
#
# Warnings are not errors here (PKVMSIM_WERROR=OFF): OSS-Fuzz's newer clang
# and its CFLAGS may warn where clang 14 and gcc do not, and a warning must
# not stop the fuzzing.  The presets keep -Werror for gcc and clang.
set -euo pipefail	# also when run as `bash build.sh`, not by its #! line

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$here/../CMakeLists.txt" ] && [ -d "$here/../src/hyp" ]; then
	src=$(cd "$here/.." && pwd)
else
	src=$SRC/libpkvmsim
fi
build=${WORK:-$src/build}/cflite
cd "$src"
. tools/fuzz-common.sh

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# PKVMSIM_SANITIZE stays empty: the sanitizers are $CFLAGS' to choose.
cmake --fresh -S "$src" -B "$build" "${generator[@]}" \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DCMAKE_BUILD_TYPE= -DPKVMSIM_WERROR=OFF -DPKVMSIM_SANITIZE= \
	-DPKVMSIM_VALGRIND_TESTS=OFF -DBUILD_TESTING=ON \
	-DPKVMSIM_FUZZ=ON -DPKVMSIM_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$build" --target "${fuzz_targets[@]/#/fuzz_}"

mkdir -p "$OUT"
for t in "${fuzz_targets[@]}"; do
	fuzz_check_files "$t"
	cp "$build/tests/fuzz/fuzz_$t" "$OUT/"
	cp "tests/fuzz/$t.dict" "$OUT/fuzz_$t.dict"
	cp "tests/fuzz/$t.options" "$OUT/fuzz_$t.options"
	rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
	zip -q -j "$OUT/fuzz_${t}_seed_corpus.zip" "tests/fuzz/corpus/$t"/*
done
