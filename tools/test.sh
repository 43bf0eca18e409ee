#!/usr/bin/env bash
# The whole test suite, as CI runs it: gcc with ASan+UBSan, clang with every
# unit test also under Valgrind, clang with ThreadSanitizer, and the
# optimised gcc build that tools/run.sh uses.  Installs
# what it needs first.  Extra arguments name workflows to run instead.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup-debian.sh

workflows=("$@")
[ ${#workflows[@]} -gt 0 ] || workflows=(ci ci-clang ci-tsan ci-release)
for wf in "${workflows[@]}"; do
	echo "=== workflow $wf" >&2
	cmake --workflow --preset "$wf"
done
