// SPDX-License-Identifier: GPL-2.0-only
/*
 * A race test of one's own: two CPUs reserve a VM handle at once, and
 * every interleaving with up to two preemptions must give them different
 * handles.  Exit status: 0 none broke it, 1 one did (its replay line is
 * printed first), 2 the exploration could not run.
 */
#include <stdio.h>

#include <pkvmsim/explore.h>

struct ctx {
	int handle[2];
};

static int hvc(struct pkvmsim *sim, unsigned int cpu, int nr, int arg)
{
	struct pkvmsim_regs regs = { .x = { PKVMSIM_HVC_ID(nr), arg } };

	return pkvmsim_hvc(sim, cpu, &regs) ? -1 : (int)regs.x[1];
}

static void reserve(struct pkvmsim *sim, unsigned int cpu, void *arg)
{
	struct ctx *c = arg;

	c->handle[cpu] = hvc(sim, cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0);
}

static int distinct(struct pkvmsim *sim, void *arg, char *why, size_t len)
{
	struct ctx *c = arg;

	(void)sim;
	if (c->handle[0] != c->handle[1])
		return 0;
	snprintf(why, len, "both CPUs reserved handle 0x%x", c->handle[0]);
	return 1;
}

/* Nothing may be left reserved at shutdown. */
static void give_back(struct pkvmsim *sim, void *arg)
{
	struct ctx *c = arg;

	hvc(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, c->handle[0]);
	hvc(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, c->handle[1]);
}

int main(void)
{
	static const struct pkvmsim_scenario race = {
		.name = "my-reserve-race",
		.window = "two reserves at once",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct ctx),
		.body = { reserve, reserve },
		.check = distinct,
		.teardown = give_back,
	};
	const struct pkvmsim_strategy dfs = {
		.kind = PKVMSIM_STRATEGY_DFS, .preemptions = 2,
	};
	static struct pkvmsim_explore_result res;
	struct pkvmsim_config cfg;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.arena_pages = 256;
	ret = pkvmsim_explore(&cfg, &race, &dfs, NULL, &res);
	if (ret < 0)
		return 2;
	if (ret) {
		printf("replay: %s\n%s\n%s", res.replay, res.why,
		       res.report.text);
		return 1;
	}
	printf("%llu schedules, no violation%s\n",
	       (unsigned long long)res.schedules,
	       res.exhausted ? " (exhausted)" : "");
	return 0;
}
