// SPDX-License-Identifier: GPL-2.0-only
/*
 * The built-in scenarios: each targets one race window of SPEC 9, written
 * against the public API only, as a user's own would be.  The verdict is
 * mostly the oracle's; a scenario checks what only it knows (who should
 * have won).
 *
 * This file holds the host-level races of reserve and first run, and the
 * list of every family: scenario_hostile.c has the raw-hypercall races
 * (init_vm, unreserve, teardown, loads, references), scenario_lifecycle.c
 * whole lifecycles (handle reuse, notifiers, the v3 imbalance).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scenario_common.h"

#define ARRAY_SIZE(a)	SCN_ARRAY_SIZE(a)

/* --- reserve storm: the last free slots, claimed from every CPU --- */

struct storm {
	struct pkvmsim_vm	*vm[PKVMSIM_EXPLORE_MAX_CPUS];
	int			ret[PKVMSIM_EXPLORE_MAX_CPUS];
	unsigned int		filler[PKVMSIM_NR_SLOTS];
	unsigned int		nr_filler;
};

/* Fill the table but for one slot fewer than there are CPUs. */
static int storm_setup_free(struct pkvmsim *sim, void *ctx,
			    unsigned int nr_free)
{
	struct storm *s = ctx;
	int h, ret;

	while (s->nr_filler < PKVMSIM_NR_SLOTS - nr_free) {
		ret = scn_hvc(sim, 0, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0,
			      &h);
		if (ret)
			return ret;
		if (h < 0)
			return h;
		s->filler[s->nr_filler++] = (unsigned int)h;
	}
	return 0;
}

static int storm2_setup(struct pkvmsim *sim, void *ctx)
{
	return storm_setup_free(sim, ctx, 1);
}

static int storm3_setup(struct pkvmsim *sim, void *ctx)
{
	return storm_setup_free(sim, ctx, 2);
}

static void storm_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct storm *s = ctx;

	s->ret[cpu] = pkvmsim_vm_create(sim, cpu, &s->vm[cpu]);
}

/* Every free slot is taken once, by a distinct VM; the rest -ENOMEM. */
static int storm_check(struct pkvmsim *sim, void *ctx, char *why,
		       size_t len, unsigned int nr_cpus, unsigned int nr_free)
{
	struct storm *s = ctx;
	unsigned int i, j, made = 0;

	(void)sim;
	for (i = 0; i < nr_cpus; i++) {
		if (s->ret[i] == -ENOMEM)
			continue;
		if (s->ret[i]) {
			snprintf(why, len, "cpu%u: VM creation failed with %d",
				 i, s->ret[i]);
			return 1;
		}
		made++;
		for (j = 0; j < i; j++) {
			if (!s->ret[j] && pkvmsim_vm_handle(s->vm[i]) ==
					  pkvmsim_vm_handle(s->vm[j])) {
				snprintf(why, len, "cpu%u and cpu%u got the "
					 "same handle 0x%x", j, i,
					 pkvmsim_vm_handle(s->vm[i]));
				return 1;
			}
		}
	}
	if (made != nr_free) {
		snprintf(why, len, "%u VMs created with %u slots free", made,
			 nr_free);
		return 1;
	}
	return 0;
}

static int storm2_check(struct pkvmsim *sim, void *ctx, char *why,
			size_t len)
{
	return storm_check(sim, ctx, why, len, 2, 1);
}

static int storm3_check(struct pkvmsim *sim, void *ctx, char *why,
			size_t len)
{
	return storm_check(sim, ctx, why, len, 3, 2);
}

static void storm_teardown(struct pkvmsim *sim, void *ctx)
{
	struct storm *s = ctx;
	unsigned int i;

	for (i = 0; i < s->nr_filler; i++)
		scn_hvc(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, s->filler[i],
			0, 0, NULL);
}

/* --- first runs: the hyp VM made once, whichever vCPU runs first --- */

struct first_run {
	struct pkvmsim_vm	*vm;
	int			ret[PKVMSIM_EXPLORE_MAX_CPUS];
};

static int first_run_setup(struct pkvmsim *sim, void *ctx,
			   unsigned int nr_vcpus)
{
	struct first_run *f = ctx;
	unsigned int i;
	int ret;

	ret = pkvmsim_vm_create(sim, 0, &f->vm);
	for (i = 0; !ret && i < nr_vcpus; i++)
		ret = pkvmsim_vcpu_create(f->vm, 0, i);
	return ret;
}

static int first_run2_setup(struct pkvmsim *sim, void *ctx)
{
	return first_run_setup(sim, ctx, 2);
}

static int first_run3_setup(struct pkvmsim *sim, void *ctx)
{
	return first_run_setup(sim, ctx, 3);
}

static void first_run_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct first_run *f = ctx;

	(void)sim;
	f->ret[cpu] = pkvmsim_vcpu_run(f->vm, cpu, cpu);
	if (!f->ret[cpu])
		f->ret[cpu] = pkvmsim_vcpu_put(f->vm, cpu, cpu);
}

static int first_run_check(struct pkvmsim *sim, void *ctx, char *why,
			   size_t len)
{
	struct first_run *f = ctx;
	unsigned int i;

	(void)sim;
	for (i = 0; i < PKVMSIM_EXPLORE_MAX_CPUS; i++) {
		if (!f->ret[i])
			continue;
		snprintf(why, len, "cpu%u: first run failed with %d", i,
			 f->ret[i]);
		return 1;
	}
	return 0;
}

/* --- a notifier's flush racing the first run --- */

struct notify {
	struct pkvmsim_vm	*vm;
	int			ret[PKVMSIM_EXPLORE_MAX_CPUS];
};

static int notify_setup_vcpus(struct pkvmsim *sim, void *ctx,
			      unsigned int nr_vcpus)
{
	struct notify *n = ctx;
	unsigned int i;
	int ret;

	ret = pkvmsim_vm_create(sim, 0, &n->vm);
	for (i = 0; !ret && i < nr_vcpus; i++)
		ret = pkvmsim_vcpu_create(n->vm, 0, i);
	return ret;
}

static int notify_setup(struct pkvmsim *sim, void *ctx)
{
	return notify_setup_vcpus(sim, ctx, 1);
}

static int notify3_setup(struct pkvmsim *sim, void *ctx)
{
	return notify_setup_vcpus(sim, ctx, 2);
}

/* First run of vCPU @cpu on CPU @cpu, then put. */
static void notify_run_body(struct pkvmsim *sim, unsigned int cpu,
			    void *ctx)
{
	struct notify *n = ctx;

	(void)sim;
	n->ret[cpu] = pkvmsim_vcpu_run(n->vm, cpu, cpu);
	if (!n->ret[cpu])
		n->ret[cpu] = pkvmsim_vcpu_put(n->vm, cpu, cpu);
}

static void notify_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct notify *n = ctx;

	(void)sim;
	n->ret[cpu] = pkvmsim_mmu_notify(n->vm, cpu);
}

/*
 * Every call succeeds.  Whether the notifier named the VM (invariant 13:
 * never handle 0) is the oracle's verdict: in profile lazy the VM has no
 * handle before its first run, and TrustZone is told of it with handle 0
 * at creation already, so that profile fails in every schedule.
 */
static int notify_check(struct pkvmsim *sim, void *ctx, char *why,
			size_t len)
{
	struct notify *n = ctx;
	unsigned int cpu;

	(void)sim;
	for (cpu = 0; cpu < PKVMSIM_EXPLORE_MAX_CPUS; cpu++) {
		if (!n->ret[cpu])
			continue;
		snprintf(why, len, "cpu%u: first run or notifier failed with "
			 "%d", cpu, n->ret[cpu]);
		return 1;
	}
	return 0;
}

static const struct pkvmsim_scenario scenarios[] = {
	{
		.name = "reserve-storm",
		.window = "reserve: the last free slot, claimed by two CPUs",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct storm),
		.setup = storm2_setup,
		.body = { storm_body, storm_body },
		.check = storm2_check,
		.teardown = storm_teardown,
	},
	{
		.name = "reserve-storm-3",
		.window = "reserve: the last two free slots, claimed by three "
			  "CPUs",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct storm),
		.setup = storm3_setup,
		.body = { storm_body, storm_body, storm_body },
		.check = storm3_check,
		.teardown = storm_teardown,
	},
	{
		.name = "first-run",
		.window = "concurrent first run of two vCPUs of one VM",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct first_run),
		.setup = first_run2_setup,
		.body = { first_run_body, first_run_body },
		.check = first_run_check,
	},
	{
		.name = "first-run-3",
		.window = "concurrent first run of three vCPUs of one VM",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct first_run),
		.setup = first_run3_setup,
		.body = { first_run_body, first_run_body, first_run_body },
		.check = first_run_check,
	},
	{
		.name = "notify-vs-first-run",
		.window = "an MMU notifier's flush racing the first run (open "
			  "in profile lazy)",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct notify),
		.setup = notify_setup,
		.body = { notify_run_body, notify_body },
		.check = notify_check,
	},
	{
		.name = "notify-vs-first-run-3",
		.window = "an MMU notifier's flush racing the first runs of two "
			  "vCPUs (open in profile lazy)",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct notify),
		.setup = notify3_setup,
		.body = { notify_run_body, notify_run_body, notify_body },
		.check = notify_check,
	},
};

/* The families, in `pkvmsim list` order. */
static const struct {
	const struct pkvmsim_scenario	*sc;
	const unsigned int		*nr;
} families[] = {
	{ scenarios, NULL },
	{ scenario_hostile, &scenario_hostile_nr },
	{ scenario_lifecycle, &scenario_lifecycle_nr },
};

const struct pkvmsim_scenario *pkvmsim_scenario_at(unsigned int i)
{
	unsigned int f, nr;

	for (f = 0; f < ARRAY_SIZE(families); f++) {
		nr = families[f].nr ? *families[f].nr : ARRAY_SIZE(scenarios);
		if (i < nr)
			return &families[f].sc[i];
		i -= nr;
	}
	return NULL;
}

const struct pkvmsim_scenario *pkvmsim_scenario_find(const char *name)
{
	const struct pkvmsim_scenario *sc;
	unsigned int i;

	for (i = 0; name && (sc = pkvmsim_scenario_at(i)); i++)
		if (!strcmp(sc->name, name))
			return sc;
	return NULL;
}
