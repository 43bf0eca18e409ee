// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scenarios: what the simulated host is made to do, through the public
 * API only, as a VMM and the kernel's MMU notifiers would.
 *
 * A scenario does not judge the hypervisor: the oracle does, and run.c
 * asks it.  A scenario records only an operation that failed with no
 * reason to (a VMM would have seen an ioctl fail), and exhaust checks the
 * table size that SPEC 1 and 2 promise, which no single call can show.
 */
#define _GNU_SOURCE		/* strerrorname_np() */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario_ops.h"

/* --- the scenarios' dice: splitmix64, one stream per CPU thread --- */

static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The modulo bias is far below anything a scenario could notice. */
unsigned int rng_below(uint64_t *state, unsigned int n)
{
	return (unsigned int)(rng_next(state) % n);
}

/* A random order of 0..@n-1 (Fisher-Yates). */
void shuffle(unsigned int *order, unsigned int n, uint64_t *rng)
{
	unsigned int i, j, tmp;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = rng_below(rng, i);
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

/* --- failures --- */

void scenario_fail(struct scenario_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->nr_failures < RUN_FAILURES_KEPT) {
		va_start(ap, fmt);
		vsnprintf(ctx->failures[ctx->nr_failures], RUN_FAILURE_LEN,
			  fmt, ap);
		va_end(ap);
	}
	ctx->nr_failures++;
	pthread_mutex_unlock(&ctx->lock);
}

const char *errname(int err)
{
	const char *name = strerrorname_np(-err);

	return name ? name : "?";
}

void run_stats_add(struct run_stats *to, const struct run_stats *from)
{
	to->ops += from->ops;
	to->vms_created += from->vms_created;
	to->vms_refused += from->vms_refused;
	to->vms_destroyed += from->vms_destroyed;
	to->vcpus_created += from->vcpus_created;
	to->vcpu_runs += from->vcpu_runs;
	to->notifies += from->notifies;
	to->handles += from->handles;
	to->handles_reused += from->handles_reused;
	if (from->high_water > to->high_water)
		to->high_water = from->high_water;
	to->fills += from->fills;
	to->empties += from->empties;
}

/*
 * --- host operations: count them, and record one that failed ---
 *
 * The VM is named by its report id, so a failure line can be matched with
 * the oracle's violations about the same VM.
 */

int vm_create(struct scenario_ctx *ctx, struct run_stats *st,
	      unsigned int cpu, bool may_be_full,
	      struct pkvmsim_vm **vmp)
{
	int ret;

	st->ops++;
	ret = pkvmsim_vm_create(ctx->sim, cpu, vmp);
	if (!ret)
		st->vms_created++;
	else if (ret == -ENOMEM && may_be_full)
		st->vms_refused++;
	else
		scenario_fail(ctx, "cpu %u: pkvmsim_vm_create() = %d (%s)",
			      cpu, ret, errname(ret));
	return ret;
}

int vcpu_create(struct scenario_ctx *ctx, struct run_stats *st,
		struct pkvmsim_vm *vm, unsigned int cpu,
		unsigned int idx)
{
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	st->ops++;
	ret = pkvmsim_vcpu_create(vm, cpu, idx);
	if (!ret)
		st->vcpus_created++;
	else
		scenario_fail(ctx, "cpu %u: pkvmsim_vcpu_create(vm %lu, "
			      "vcpu %u) = %d (%s)", cpu, id, idx, ret,
			      errname(ret));
	return ret;
}

/* Create vCPUs 0..@n-1; returns how many there are. */
unsigned int vcpus_create(struct scenario_ctx *ctx,
			  struct run_stats *st, struct pkvmsim_vm *vm,
			  unsigned int cpu, unsigned int n)
{
	unsigned int idx;

	for (idx = 0; idx < n; idx++)
		if (vcpu_create(ctx, st, vm, cpu, idx))
			break;
	return idx;
}

int vcpu_run(struct scenario_ctx *ctx, struct run_stats *st,
	     struct pkvmsim_vm *vm, unsigned int cpu, unsigned int idx)
{
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	st->ops++;
	ret = pkvmsim_vcpu_run(vm, cpu, idx);
	if (!ret)
		st->vcpu_runs++;
	else
		scenario_fail(ctx, "cpu %u: pkvmsim_vcpu_run(vm %lu, vcpu %u) "
			      "= %d (%s)", cpu, id, idx, ret, errname(ret));
	return ret;
}

int vcpu_put(struct scenario_ctx *ctx, struct run_stats *st,
	     struct pkvmsim_vm *vm, unsigned int cpu, unsigned int idx)
{
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	st->ops++;
	ret = pkvmsim_vcpu_put(vm, cpu, idx);
	if (ret)
		scenario_fail(ctx, "cpu %u: pkvmsim_vcpu_put(vm %lu, vcpu %u) "
			      "= %d (%s)", cpu, id, idx, ret, errname(ret));
	return ret;
}

int mmu_notify(struct scenario_ctx *ctx, struct run_stats *st,
	       struct pkvmsim_vm *vm, unsigned int cpu)
{
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	st->ops++;
	ret = pkvmsim_mmu_notify(vm, cpu);
	if (!ret)
		st->notifies++;
	else
		scenario_fail(ctx, "cpu %u: pkvmsim_mmu_notify(vm %lu) = %d "
			      "(%s)", cpu, id, ret, errname(ret));
	return ret;
}

/*
 * The VM is gone afterwards whatever the result, bar a bad argument or a
 * CPU claimed by another thread, which no scenario does: each CPU is one
 * thread's.
 */
int vm_destroy(struct scenario_ctx *ctx, struct run_stats *st,
	       struct pkvmsim_vm *vm, unsigned int cpu)
{
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	st->ops++;
	ret = pkvmsim_vm_destroy(vm, cpu);
	if (ret != -EINVAL)
		st->vms_destroyed++;
	if (ret)
		scenario_fail(ctx, "cpu %u: pkvmsim_vm_destroy(vm %lu) = %d "
			      "(%s)", cpu, id, ret, errname(ret));
	return ret;
}

/* --- lifecycle and notify-before-run: one CPU after another --- */

/**
 * struct flow - a VMM's life of a VM, step by step.
 * @nr_vcpus:		vCPUs per VM.
 * @notify_after:	also fire the notifier once the VMs have run.
 */
struct flow {
	unsigned int	nr_vcpus;
	bool		notify_after;
};

/* The CPU vCPU @idx runs on: a different one per vCPU while there are. */
static unsigned int flow_cpu(const struct scenario_ctx *ctx, unsigned int idx)
{
	return idx % ctx->opts->cfg.nr_cpus;
}

/* Run every vCPU of @vm, each on its own CPU where possible, then put. */
static void flow_run(struct scenario_ctx *ctx, struct pkvmsim_vm *vm,
		     unsigned int nr_vcpus)
{
	struct run_stats *st = &ctx->stats;
	bool loaded[PKVMSIM_MAX_VCPUS] = { false };
	unsigned int idx, j;

	for (idx = 0; idx < nr_vcpus; idx++) {
		unsigned int cpu = flow_cpu(ctx, idx);

		/* A CPU holds one loaded vCPU: put the one it has. */
		for (j = 0; j < idx; j++) {
			if (loaded[j] && flow_cpu(ctx, j) == cpu) {
				vcpu_put(ctx, st, vm, cpu, j);
				loaded[j] = false;
			}
		}
		loaded[idx] = !vcpu_run(ctx, st, vm, cpu, idx);
	}
	for (idx = 0; idx < nr_vcpus; idx++)
		if (loaded[idx])
			vcpu_put(ctx, st, vm, flow_cpu(ctx, idx), idx);
}

/*
 * All VMs are created before any runs, so that with --vms above one the
 * handles are held side by side, then run, then destroyed.
 */
static void flow(struct scenario_ctx *ctx, const struct flow *f)
{
	struct run_stats *st = &ctx->stats;
	unsigned int nr_vms = ctx->opts->vms;
	unsigned int notify_cpu = flow_cpu(ctx, 1);
	struct pkvmsim_vm **vms;
	unsigned int *nr_vcpus;
	unsigned int it, i, n;

	vms = calloc(nr_vms, sizeof(*vms));
	nr_vcpus = calloc(nr_vms, sizeof(*nr_vcpus));
	if (!vms || !nr_vcpus) {
		scenario_fail(ctx, "%s: out of memory",
			      ctx->opts->scenario->name);
		goto out;
	}

	for (it = 0; it < ctx->opts->iterations; it++) {
		for (i = n = 0; i < nr_vms; i++) {
			if (vm_create(ctx, st, 0, false, &vms[n]))
				continue;
			nr_vcpus[n] = vcpus_create(ctx, st, vms[n], 0,
						   f->nr_vcpus);
			/*
			 * From another CPU, as a notifier fires wherever
			 * the mm is touched: before the first run.
			 */
			mmu_notify(ctx, st, vms[n], notify_cpu);
			n++;
		}
		for (i = 0; i < n; i++) {
			flow_run(ctx, vms[i], nr_vcpus[i]);
			if (f->notify_after)
				mmu_notify(ctx, st, vms[i], notify_cpu);
		}
		for (i = 0; i < n; i++)
			vm_destroy(ctx, st, vms[i], 0);
	}
out:
	free(nr_vcpus);
	free(vms);
}

static void lifecycle(struct scenario_ctx *ctx)
{
	static const struct flow f = { .nr_vcpus = 2, .notify_after = true };

	flow(ctx, &f);
}

static void notify_before_run(struct scenario_ctx *ctx)
{
	static const struct flow f = { .nr_vcpus = 1 };

	flow(ctx, &f);
}

/* --- exhaust: fill the VM table, empty it, fill one slot again --- */

/*
 * Half the VMs run, so that half the slots are LIVE and half RESERVED, as
 * on a real host; a host that reserves at first run (lazy) fills the table
 * only with those, so it may take twice the table and more.
 */
#define EXHAUST_ATTEMPTS	(4 * KVM_MAX_PVMS)

/*
 * Give @vm one vCPU and run it once.  Returns -ENOMEM if the first run
 * found the table full, which is not a failure here.
 */
static int exhaust_run(struct scenario_ctx *ctx, struct pkvmsim_vm *vm,
		       unsigned int cpu)
{
	struct run_stats *st = &ctx->stats;
	unsigned long id = pkvmsim_vm_id(vm);
	int ret;

	if (vcpus_create(ctx, st, vm, cpu, 1) != 1)
		return -EINVAL;
	st->ops++;
	ret = pkvmsim_vcpu_run(vm, cpu, 0);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		scenario_fail(ctx, "cpu %u: pkvmsim_vcpu_run(vm %lu, vcpu 0) "
			      "= %d (%s)", cpu, id, ret, errname(ret));
		return ret;
	}
	st->vcpu_runs++;
	return vcpu_put(ctx, st, vm, cpu, 0);
}

static void exhaust_round(struct scenario_ctx *ctx, struct pkvmsim_vm **vms,
			  unsigned int *order, uint64_t *rng)
{
	bool protected = ctx->opts->cfg.mode == PKVMSIM_MODE_PROTECTED;
	unsigned int nr_cpus = ctx->opts->cfg.nr_cpus;
	struct run_stats *st = &ctx->stats;
	unsigned int i, n = 0, held = 0, handle = 0;
	struct pkvmsim_vm *vm;
	bool full = false;
	int ret;

	for (i = 0; i < EXHAUST_ATTEMPTS && !full; i++) {
		unsigned int cpu = i % nr_cpus;

		ret = vm_create(ctx, st, cpu, true, &vms[n]);
		if (ret == -ENOMEM)
			full = true;
		if (ret)
			break;
		vm = vms[n++];
		if (rng_below(rng, 2) && exhaust_run(ctx, vm, cpu) == -ENOMEM)
			full = true;
		if (pkvmsim_vm_handle(vm))
			held++;
	}

	/*
	 * SPEC 1 and 2: 255 slots in pKVM mode, then -ENOMEM, whenever the
	 * host reserves.  Outside it there is no table to run out of.
	 */
	if (protected && (!full || held != KVM_MAX_PVMS))
		scenario_fail(ctx, "exhaust: %u VMs held a handle when %s; "
			      "expected %u (KVM_MAX_PVMS), then -ENOMEM",
			      held, full ? "-ENOMEM came" : "it gave up",
			      KVM_MAX_PVMS);
	if (!protected && (full || held))
		scenario_fail(ctx, "exhaust: %s mode has no VM table, yet %u "
			      "VMs held a handle%s",
			      pkvmsim_mode_name(ctx->opts->cfg.mode), held,
			      full ? ", then -ENOMEM came" : "");

	shuffle(order, n, rng);
	for (i = 0; i < n; i++)
		vm_destroy(ctx, st, vms[order[i]], i % nr_cpus);

	/*
	 * With the table empty again, the lowest handle comes back first.
	 * Every profile has taken one by the end of the first run.
	 */
	if (vm_create(ctx, st, 0, false, &vm))
		return;
	if (!exhaust_run(ctx, vm, 0)) {
		handle = pkvmsim_vm_handle(vm);
		if (handle != (protected ? HANDLE_OFFSET : 0))
			scenario_fail(ctx, "exhaust: with the table empty the "
				      "next VM got handle %#x, expected %#x",
				      handle, protected ? HANDLE_OFFSET : 0);
	}
	vm_destroy(ctx, st, vm, 0);

	snprintf(ctx->note, sizeof(ctx->note),
		 "%u VMs, %u holding a handle%s, then handle %#x with the "
		 "table empty", n, held,
		 full ? " when -ENOMEM came" : " (no limit met)", handle);
}

static void exhaust(struct scenario_ctx *ctx)
{
	uint64_t rng = ctx->opts->cfg.seed;
	struct pkvmsim_vm **vms;
	unsigned int *order;
	unsigned int it;

	vms = calloc(EXHAUST_ATTEMPTS, sizeof(*vms));
	order = calloc(EXHAUST_ATTEMPTS, sizeof(*order));
	if (!vms || !order) {
		scenario_fail(ctx, "exhaust: out of memory");
		goto out;
	}
	for (it = 0; it < ctx->opts->iterations; it++)
		exhaust_round(ctx, vms, order, &rng);
out:
	free(order);
	free(vms);
}

const struct scenario scenarios[] = {
	{
		.name = "storm",
		.summary = "VM lifecycle storm: a thread per CPU creates VMs "
			   "until the table is full (or --vms each), runs, "
			   "notifies and destroys them, round after round",
		.default_vms = 0,
		.default_iterations = 8,
		.vms_per_cpu = true,
		.run = storm,
	},
	{
		.name = "lifecycle",
		.summary = "one VM, two vCPUs: create, notify, run on CPUs 0 "
			   "and 1, put, notify, destroy",
		.default_vms = 1,
		.default_iterations = 1,
		.run = lifecycle,
	},
	{
		.name = "exhaust",
		.summary = "create and run VMs until the table is full (255), "
			   "destroy them, check handle 0x1000 comes back",
		.default_vms = 1,
		.default_iterations = 1,
		.run = exhaust,
	},
	{
		.name = "notify-before-run",
		.summary = "an MMU notifier fires before the first run: the "
			   "window the series closes",
		.default_vms = 1,
		.default_iterations = 1,
		.run = notify_before_run,
	},
};

const unsigned int nr_scenarios = sizeof(scenarios) / sizeof(scenarios[0]);

const struct scenario *scenario_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_scenarios; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}
