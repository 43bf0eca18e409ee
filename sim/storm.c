// SPDX-License-Identifier: GPL-2.0-only
/*
 * storm: the lifecycle under load.  One real thread per CPU, no scheduler
 * in between; each round, every CPU creates VMs until the table is full
 * (or --vms each), runs them, fires their notifiers and destroys them, so
 * that the -ENOMEM path and handle reuse are exercised every round.
 *
 * The phases of a round are separated by barriers, so that the table can
 * be read whole in between: full after the creations (where the host
 * reserves at creation), empty after the destructions.  Within a phase
 * the CPUs race each other freely.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pkvmsim/inspect.h>
#include "cli.h"
#include "scenario_ops.h"

/* The bar redrawn on a terminal, in characters. */
#define BAR_WIDTH	30

struct storm_vm {
	struct pkvmsim_vm	*vm;
	unsigned int		nr_vcpus;
};

struct storm {
	struct scenario_ctx	*ctx;
	/* The threads wait at @gate until @barrier counts those that run. */
	pthread_mutex_t		gate_lock;
	pthread_cond_t		gate;
	bool			go;
	pthread_barrier_t	barrier;
	bool			fill;		/* no --vms: until full */
	bool			full_at_create;	/* the host reserves then */
	bool			progress;	/* a bar on stderr */
	/* Creations left this round, taken by the CPUs as they go. */
	int			to_create;
	/* Each handle some VM held, for reuse; one byte per slot. */
	uint8_t			seen[KVM_MAX_PVMS];
};

struct storm_cpu {
	struct storm		*storm;
	unsigned int		cpu;
	uint64_t		rng;
	struct run_stats	stats;
	struct storm_vm		*vms;
	unsigned int		*order;
	unsigned int		nr_vms, cap, attempts;
	pthread_t		thread;
};

/*
 * Whether this CPU may try to create one more VM this round: attempts,
 * not VMs, are counted, so that a host whose creations all fail (v3 in
 * nVHE mode) ends its round.
 */
static bool may_create(struct storm_cpu *sc)
{
	if (sc->attempts++ == sc->cap)
		return false;
	if (!sc->storm->fill)
		return true;
	return __atomic_sub_fetch(&sc->storm->to_create, 1,
				  __ATOMIC_RELAXED) >= 0;
}

static void create_phase(struct storm_cpu *sc)
{
	struct scenario_ctx *ctx = sc->storm->ctx;
	struct run_stats *st = &sc->stats;
	int ret;

	sc->nr_vms = 0;
	sc->attempts = 0;
	while (may_create(sc)) {
		struct storm_vm *v = &sc->vms[sc->nr_vms];

		/* A full table is the point, not a failure. */
		ret = vm_create(ctx, st, sc->cpu, true, &v->vm);
		if (ret == -ENOMEM)
			break;
		if (ret)
			continue;
		sc->nr_vms++;
		v->nr_vcpus = vcpus_create(ctx, st, v->vm, sc->cpu,
					   1 + rng_below(&sc->rng, 3));
		/* The notifier is live from creation on: the series' window. */
		if (rng_below(&sc->rng, 2))
			mmu_notify(ctx, st, v->vm, sc->cpu);
	}
}

/*
 * In a random order: one VM in four never runs, so that destroy must give
 * its reservation back (unreserve, not teardown).  Half the rounds the
 * last VM keeps a vCPU loaded for destroy to put: a CPU holds one loaded
 * vCPU, so no other VM could run on it after that.
 */
static void run_phase(struct storm_cpu *sc)
{
	struct scenario_ctx *ctx = sc->storm->ctx;
	struct run_stats *st = &sc->stats;
	unsigned int i, r, idx, rounds;
	bool leave_loaded;

	shuffle(sc->order, sc->nr_vms, &sc->rng);
	for (i = 0; i < sc->nr_vms; i++) {
		struct storm_vm *v = &sc->vms[sc->order[i]];

		rounds = rng_below(&sc->rng, 4) ? 1 + rng_below(&sc->rng, 2) :
						  0;
		leave_loaded = i == sc->nr_vms - 1 && rng_below(&sc->rng, 2);
		for (r = 0; r < rounds; r++) {
			for (idx = 0; idx < v->nr_vcpus; idx++) {
				if (vcpu_run(ctx, st, v->vm, sc->cpu, idx))
					continue;
				if (leave_loaded && r == rounds - 1 &&
				    idx == v->nr_vcpus - 1)
					continue;
				vcpu_put(ctx, st, v->vm, sc->cpu, idx);
			}
		}
		if (rng_below(&sc->rng, 2))
			mmu_notify(ctx, st, v->vm, sc->cpu);
	}
}

static void destroy_phase(struct storm_cpu *sc)
{
	struct storm *s = sc->storm;
	struct run_stats *st = &sc->stats;
	unsigned int i, handle;

	for (i = 0; i < sc->nr_vms; i++) {
		struct storm_vm *v = &sc->vms[sc->order[i]];

		/* Whatever the profile, by now the handle is taken or never. */
		handle = pkvmsim_vm_handle(v->vm);
		if (handle >= HANDLE_OFFSET &&
		    handle < HANDLE_OFFSET + KVM_MAX_PVMS) {
			st->handles++;
			if (__atomic_exchange_n(&s->seen[handle -
							 HANDLE_OFFSET], 1,
						__ATOMIC_RELAXED))
				st->handles_reused++;
		}
		vm_destroy(s->ctx, st, v->vm, sc->cpu);
	}
	sc->nr_vms = 0;
}

/* Slots in use now, or -1 with no table to read. */
static int slots_in_use(struct storm *s)
{
	struct pkvmsim_table *t = malloc(sizeof(*t));
	int used = -1;

	if (t && !pkvmsim_table_snapshot(s->ctx->sim, t) && t->has_table)
		used = (int)(t->nr_reserved + t->nr_live);
	free(t);
	return used;
}

static void draw_progress(struct storm *s, unsigned int done)
{
	unsigned int total = s->ctx->opts->iterations;
	unsigned int fill = done * BAR_WIDTH / total;

	fprintf(stderr, "\r  [%-*.*s] round %u/%u", BAR_WIDTH, fill,
		"##############################", done, total);
	if (done == total)
		fprintf(stderr, "\r%*s\r", BAR_WIDTH + 32, "");
	fflush(stderr);
}

/*
 * Between phases, on CPU 0's thread with the others waiting: the table
 * after the creations (full, where the host reserves at creation), after
 * the runs (its high-water mark) and after the destructions (empty).
 */
enum storm_point { AFTER_CREATE, AFTER_RUN, AFTER_DESTROY };

static void between_phases(struct storm_cpu *sc, enum storm_point at,
			   unsigned int round)
{
	struct storm *s = sc->storm;
	struct run_stats *st = &sc->stats;
	int used = slots_in_use(s);

	if (used < 0)
		return;
	if ((unsigned int)used > st->high_water)
		st->high_water = (unsigned int)used;
	switch (at) {
	case AFTER_CREATE:
		if (!s->fill || !s->full_at_create)
			break;
		if (used == KVM_MAX_PVMS)
			st->fills++;
		else
			scenario_fail(s->ctx, "storm: round %u: %d slots in "
				      "use once every CPU met -ENOMEM, "
				      "expected %u", round, used,
				      KVM_MAX_PVMS);
		break;
	case AFTER_RUN:
		break;
	case AFTER_DESTROY:
		if (used == 0)
			st->empties++;
		else
			scenario_fail(s->ctx, "storm: round %u: %d slots "
				      "still in use with every VM destroyed",
				      round, used);
		break;
	}
}

/* Every CPU waits; then CPU 0 alone looks at the table, then all go on. */
static void phase_end(struct storm_cpu *sc, enum storm_point at,
		      unsigned int round)
{
	pthread_barrier_wait(&sc->storm->barrier);
	if (sc->cpu == 0)
		between_phases(sc, at, round);
	pthread_barrier_wait(&sc->storm->barrier);
}

static void *storm_thread(void *arg)
{
	struct storm_cpu *sc = arg;
	struct storm *s = sc->storm;
	unsigned int round, total = s->ctx->opts->iterations;

	pthread_mutex_lock(&s->gate_lock);
	while (!s->go)
		pthread_cond_wait(&s->gate, &s->gate_lock);
	pthread_mutex_unlock(&s->gate_lock);

	for (round = 0; round < total; round++) {
		if (sc->cpu == 0)
			/* Enough for -ENOMEM to reach every CPU. */
			__atomic_store_n(&s->to_create, KVM_MAX_PVMS +
					 (s->full_at_create ?
					  (int)s->ctx->opts->cfg.nr_cpus : 0),
					 __ATOMIC_RELAXED);
		pthread_barrier_wait(&s->barrier);
		create_phase(sc);
		phase_end(sc, AFTER_CREATE, round);
		run_phase(sc);
		phase_end(sc, AFTER_RUN, round);
		destroy_phase(sc);
		phase_end(sc, AFTER_DESTROY, round);
		if (sc->cpu == 0 && s->progress)
			draw_progress(s, round + 1);
	}
	return NULL;
}

void storm(struct scenario_ctx *ctx)
{
	const struct cli_opts *opts = ctx->opts;
	unsigned int nr_cpus = opts->cfg.nr_cpus;
	struct storm_cpu *cpus;
	struct storm *s;
	unsigned int cpu, started = 0;
	int ret;

	s = calloc(1, sizeof(*s));
	cpus = calloc(nr_cpus, sizeof(*cpus));
	if (!s || !cpus) {
		scenario_fail(ctx, "storm: out of memory");
		goto out;
	}
	s->ctx = ctx;
	s->fill = !opts->vms;
	s->full_at_create = opts->cfg.mode == PKVMSIM_MODE_PROTECTED &&
			    opts->cfg.profile != PKVMSIM_PROFILE_LAZY;
	s->progress = !opts->json && isatty(STDERR_FILENO);
	pthread_mutex_init(&s->gate_lock, NULL);
	pthread_cond_init(&s->gate, NULL);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct storm_cpu *sc = &cpus[cpu];

		sc->storm = s;
		sc->cpu = cpu;
		/* Each CPU its own stream, so one seed replays them all. */
		sc->rng = opts->cfg.seed + cpu;
		/* One CPU alone takes every slot, then meets -ENOMEM. */
		sc->cap = s->fill ? KVM_MAX_PVMS + 1 : opts->vms;
		sc->vms = calloc(sc->cap, sizeof(*sc->vms));
		sc->order = calloc(sc->cap, sizeof(*sc->order));
		if (!sc->vms || !sc->order) {
			scenario_fail(ctx, "storm: out of memory");
			goto out_gate;
		}
	}
	for (started = 0; started < nr_cpus; started++) {
		ret = pthread_create(&cpus[started].thread, NULL,
				     storm_thread, &cpus[started]);
		if (ret) {
			scenario_fail(ctx, "storm: cannot start the thread of "
				      "cpu %u: %s", started, strerror(ret));
			break;
		}
	}
	/* The CPUs that did start storm on their own. */
	if (started)
		pthread_barrier_init(&s->barrier, NULL, started);
	pthread_mutex_lock(&s->gate_lock);
	s->go = true;
	pthread_cond_broadcast(&s->gate);
	pthread_mutex_unlock(&s->gate_lock);
	for (cpu = 0; cpu < started; cpu++) {
		pthread_join(cpus[cpu].thread, NULL);
		run_stats_add(&ctx->stats, &cpus[cpu].stats);
	}
	if (started)
		pthread_barrier_destroy(&s->barrier);
out_gate:
	pthread_cond_destroy(&s->gate);
	pthread_mutex_destroy(&s->gate_lock);
out:
	for (cpu = 0; cpu < nr_cpus && cpus; cpu++) {
		free(cpus[cpu].order);
		free(cpus[cpu].vms);
	}
	free(cpus);
	free(s);
}
