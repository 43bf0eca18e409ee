#!/usr/bin/env bash
# The race engine's table for the README: for each mutant (a hypervisor
# or host with one race window opened, tests/mutants/), how soon each
# strategy finds the window in the scenario that targets it, against
# free-running threads given the same wall time; and the real code's
# throughput.  Needs a release build with the mutants (BUILD_TESTING on,
# no sanitizer):
#
#   cmake --preset release && cmake --build --preset release
#   bench/race_table.sh build/release [SECONDS]
set -euo pipefail

build=${1:?usage: bench/race_table.sh BUILD_DIR [SECONDS]}
seconds=${2:-2}

# mutant | scenario[:profile[:mode]] that must find it (as test_explore
# registers them in tests/mutants/CMakeLists.txt).  Not here: the mutants
# only white-box tests catch (init_vm_reads_handle_twice,
# init_vcpu_publish_early).
mutants=(
	"reserve_split_lock|reserve-storm"
	"host_first_run_unlocked|first-run"
	"host_reserve_at_first_run|notify-vs-first-run"
	"unreserve_unchecked|init-vm-vs-unreserve"
	"no_destroy_pgt|init-vm-vs-unreserve"
	"insert_check_unlocked|init-vm-vs-unreserve-3"
	"insert_unchecked|init-vm-vs-unreserve-3"
	"teardown_split_lock|teardown-vs-load"
	"get_ref_unlocked|teardown-vs-flush"
	"flush_after_free|handle-reuse"
	"host_reserve_ungated|v3-imbalance:6.18:nvhe"
)

# Each run prints the table's header; keep the first only.
rows() {
	tail -n +3
}

echo "| build | scenario | strategy | schedules/s | first violation |" \
     "controlled schedule cost (x one free run) |"
echo "|---|---|---|---|---|---|"
"$build/bench/bench_race" -s "$seconds" -l real first-run \
	notify-vs-first-run notify-vs-first-run:lazy | rows
for entry in "${mutants[@]}"; do
	mutant=${entry%%|*}
	target=${entry#*|}
	"$build/tests/mutants/bench_race_$mutant" -s "$seconds" -l "$mutant" \
		"$target" | rows
done
