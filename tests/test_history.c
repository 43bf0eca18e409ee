// SPDX-License-Identifier: GPL-2.0-only
/*
 * The linearizability check of every explored run (src/machine/history.c
 * recording, src/check/linearize.c deciding): scenarios with no check of
 * their own, whose only judge is the history of their hypercalls.
 *
 * Window "reserve: scan and claim of a free slot" (SPEC 9: concurrent
 * reserves): tests/mutants/reserve_split_lock.patch opens it, and
 * race_reserves_linearize must then fail, naming it.
 */
#include <errno.h>
#include <string.h>

#include "sim_test.h"
#include <pkvmsim/explore.h>

#define W_RESERVE	"reserve: scan and claim of a free slot"

struct two_reserves {
	int64_t	handle[2];
};

static int64_t raw(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
		   uint64_t arg)
{
	struct pkvmsim_regs regs = { .x = { PKVMSIM_HVC_ID(nr), arg } };

	if (pkvmsim_hvc(sim, cpu, &regs))
		return INT64_MIN;
	return (int)regs.x[1];
}

static void reserve_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct two_reserves *r = ctx;

	r->handle[cpu] = raw(sim, cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0);
}

static void unreserve_both(struct pkvmsim *sim, void *ctx)
{
	struct two_reserves *r = ctx;
	unsigned int i;

	for (i = 0; i < 2; i++)
		raw(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
		    (uint64_t)r->handle[i]);
}

/* No check of its own: the history is the only judge. */
static const struct pkvmsim_scenario two_reserves = {
	.name = "two-reserves",
	.window = W_RESERVE,
	.nr_cpus = 2,
	.ctx_size = sizeof(struct two_reserves),
	.body = { reserve_body, reserve_body },
	.teardown = unreserve_both,
};

static void explore_config(struct pkvmsim_config *cfg)
{
	pkvmsim_config_init(cfg);
	cfg->nr_cpus = 2;
	cfg->arena_pages = 256;
}

/* Every schedule of two reserves, two preemptions: all linearizable. */
static void race_reserves_linearize(void **state)
{
	const struct pkvmsim_strategy dfs = {
		.kind = PKVMSIM_STRATEGY_DFS, .preemptions = 2,
	};
	static struct pkvmsim_explore_result res;
	struct pkvmsim_config cfg;
	int ret;

	(void)state;
	explore_config(&cfg);
	ret = pkvmsim_explore(&cfg, &two_reserves, &dfs, NULL, &res);
	if (ret == 1)
		fail_msg("race window '%s' is open: %s\nreplay: %s",
			 W_RESERVE, res.why, res.replay);
	assert_int_equal(ret, 0);
	assert_true(res.exhausted);
	assert_true(res.schedules > 10);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(race_reserves_linearize),
	};

	/* One test by name, for the mutant builds. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
