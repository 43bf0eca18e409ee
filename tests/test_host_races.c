// SPDX-License-Identifier: GPL-2.0-only
/*
 * Race windows of SPEC 9 on the host side, explored exhaustively with at
 * most one preemption by the controlled scheduler: two simulated CPUs run
 * host operations through the public API, switching at every host and hyp
 * lock, READ_ONCE/WRITE_ONCE, hypercall entry and exit and ledger
 * transition.
 *
 * Each test names its window; a failure prints the window and the
 * one-line schedule that replays it.  The window is shown open by a build
 * or profile that opens it: tests/mutants/host_first_run_unlocked.patch
 * (CTest mutant.host_first_run_unlocked) for the first run, and the lazy
 * profile, the host before the series, for the notifier.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim_test.h"
#include "sched.h"

#define race_fail(window, schedule, fmt, ...)				\
	fail_msg("race window '%s' is open: " fmt "; replay: %s",	\
		 window, ##__VA_ARGS__, schedule)

struct host_race;

struct host_op {
	struct host_race	*race;
	unsigned int		cpu;
	int			ret;
};

struct host_race {
	enum pkvmsim_profile	profile;
	const char		*window;
	struct pkvmsim		*sim;
	struct pkvm_hvc_trace	*trace;
	struct pkvmsim_vm	*vm;
	struct host_op		op[2];
	/* Over one exploration: schedules run, and those the oracle flagged. */
	unsigned int		runs;
	unsigned int		flagged;
	char			first_flagged[160];
};

static unsigned long trace_calls(struct host_race *r, uint64_t nr)
{
	struct pkvm_hvc_trace_entry e;
	unsigned long n = 0;
	size_t i;

	for (i = 0; pkvm_hvc_trace_get(r->trace, i, &e) == 0; i++)
		n += e.nr == nr && e.ret == 0 && e.x0 == 0 && e.x1 == 0;
	return n;
}

/* A fresh machine and a VM with two vCPUs, never run, for each schedule. */
static void race_setup(void *ctx, const char *schedule)
{
	struct host_race *r = ctx;
	struct pkvmsim_config cfg;

	(void)schedule;
	pkvmsim_config_init(&cfg);
	cfg.profile = r->profile;
	cfg.nr_cpus = 2;
	cfg.arena_pages = 256;
	cfg.quiet = true;	/* lazy's are reported in every schedule */
	assert_int_equal(pkvmsim_create(&cfg, &r->sim), 0);
	assert_int_equal(pkvm_hvc_trace_create(pkvm_hvc_smccc(), 256,
					       &r->trace), 0);
	assert_int_equal(pkvmsim_set_hvc(r->sim,
					 pkvm_hvc_trace_ops(r->trace)), 0);
	assert_int_equal(pkvmsim_vm_create(r->sim, 0, &r->vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(r->vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_create(r->vm, 0, 1), 0);
	r->op[0] = (struct host_op){ .race = r, .cpu = 0 };
	r->op[1] = (struct host_op){ .race = r, .cpu = 1 };
}

/*
 * Destroy the VM and the machine: nothing may be left over, and in 6.18
 * no violation either (lazy's TrustZone message names handle 0).
 */
static void race_shutdown(struct host_race *r)
{
	int ret;

	assert_int_equal(pkvmsim_vm_destroy(r->vm, 0), 0);
	r->vm = NULL;
	ret = pkvmsim_destroy(r->sim);
	r->sim = NULL;
	if (r->profile == PKVMSIM_PROFILE_6_18)
		assert_int_equal(ret, 0);
	pkvm_hvc_trace_destroy(r->trace);
	r->trace = NULL;
}

static void op_first_run(void *arg)
{
	struct host_op *op = arg;

	op->ret = pkvmsim_vcpu_run(op->race->vm, op->cpu, op->cpu);
	if (!op->ret)
		op->ret = pkvmsim_vcpu_put(op->race->vm, op->cpu, op->cpu);
}

static void op_notify(void *arg)
{
	struct host_op *op = arg;

	op->ret = pkvmsim_mmu_notify(op->race->vm, op->cpu);
}

static long explore(struct host_race *r, void (*a)(void *),
		    void (*b)(void *), void (*check)(void *, const char *))
{
	const struct sched_thread threads[] = {
		{ .fn = a, .arg = &r->op[0], .cpu = 0 },
		{ .fn = b, .arg = &r->op[1], .cpu = 1 },
	};
	long runs;

	r->runs = 0;
	r->flagged = 0;
	runs = sched_explore_one_preemption(threads, 2, race_setup, check, r);
	print_message("explored %ld schedules\n", runs);
	assert_true(runs > 2);
	assert_int_equal(r->runs, runs);
	return runs;
}

/* --- concurrent first run (config_lock and the is_created re-check) --- */

#define W_FIRST_RUN "concurrent first run"

static void first_run_check(void *ctx, const char *schedule)
{
	struct host_race *r = ctx;
	unsigned long inits = trace_calls(r, PKVMSIM_HCALL_PKVM_INIT_VM);
	struct pkvmsim_report report;

	r->runs++;
	if (r->op[0].ret || r->op[1].ret || inits != 1)
		race_fail(W_FIRST_RUN, schedule, "%lu successful init_vm, "
			  "first runs = %d, %d", inits, r->op[0].ret,
			  r->op[1].ret);
	assert_true(pkvmsim_vm_is_created(r->vm));
	pkvmsim_check(r->sim, &report);
	if (report.nr_violations)
		race_fail(W_FIRST_RUN, schedule, "%s", report.text);
	race_shutdown(r);
}

/* Invariant 11: whoever runs first, the hyp VM is created exactly once. */
static void race_first_run_vs_first_run(void **state)
{
	struct host_race *r = *state;

	r->profile = PKVMSIM_PROFILE_6_18;
	explore(r, op_first_run, op_first_run, first_run_check);
}

/* --- MMU notifier vs first-run creation: the series' subject --- */

#define W_NOTIFY "MMU notifier vs first-run creation"

/* Count the schedules in which the oracle saw the notifier name no VM. */
static void notify_check(void *ctx, const char *schedule)
{
	struct host_race *r = ctx;
	struct pkvmsim_report report;
	unsigned int i;

	r->runs++;
	assert_int_equal(r->op[0].ret, 0);
	assert_int_equal(r->op[1].ret, 0);
	pkvmsim_check(r->sim, &report);
	for (i = 0; i < report.nr_kept; i++) {
		if (report.violations[i].invariant != 13 ||
		    strcmp(report.violations[i].op, "__pkvm_tlb_flush_vmid"))
			continue;
		if (!r->flagged++)
			snprintf(r->first_flagged, sizeof(r->first_flagged),
				 "%s", schedule);
		break;
	}
	race_shutdown(r);
}

/* 6.18: the handle exists from creation, so no schedule names handle 0. */
static void race_notify_vs_first_run(void **state)
{
	struct host_race *r = *state;

	r->profile = PKVMSIM_PROFILE_6_18;
	explore(r, op_first_run, op_notify, notify_check);
	if (r->flagged)
		race_fail(W_NOTIFY, r->first_flagged, "%u of %u schedules "
			  "flushed handle 0", r->flagged, r->runs);
}

/*
 * The host before the series opens the window: the same exploration must
 * find it, in the schedules where the notifier runs before the first run
 * has reserved the handle, and not in the others.
 */
static void race_notify_vs_first_run_lazy_is_open(void **state)
{
	struct host_race *r = *state;

	r->profile = PKVMSIM_PROFILE_LAZY;
	explore(r, op_first_run, op_notify, notify_check);
	print_message("lazy: %u of %u schedules flushed handle 0, e.g. %s\n",
		      r->flagged, r->runs, r->first_flagged);
	assert_true(r->flagged > 0);
	assert_true(r->flagged < r->runs);
}

static int race_state_setup(void **state)
{
	static struct host_race race;

	memset(&race, 0, sizeof(race));
	*state = &race;
	return 0;
}

/* A failed check leaves its machine behind. */
static int race_state_teardown(void **state)
{
	struct host_race *r = *state;

	if (r->sim) {
		pkvmsim_set_hvc(r->sim, NULL);
		pkvmsim_destroy(r->sim);
	}
	if (r->trace)
		pkvm_hvc_trace_destroy(r->trace);
	r->sim = NULL;
	r->trace = NULL;
	return 0;
}

#define RACE_TEST(f)	cmocka_unit_test_setup_teardown(f,		\
			race_state_setup, race_state_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		RACE_TEST(race_first_run_vs_first_run),
		RACE_TEST(race_notify_vs_first_run),
		RACE_TEST(race_notify_vs_first_run_lazy_is_open),
	};

	/* One test by name, for the mutant builds. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
