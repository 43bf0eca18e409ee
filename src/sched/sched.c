// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controlled scheduler (see sched.h): simulated CPUs as fibers on the
 * caller's thread, reused from run to run.  At each scheduling point the
 * running fiber asks the strategy who goes next and, if that is another,
 * switches to it directly: no kernel, no lock, no thread per run.
 *
 * The simulator's thread-local state (which CPU this is, the hypercall in
 * flight) is per fiber: each switch saves the leaving fiber's copy and
 * puts back the arriving one's (SIM_FIBER_LOCAL in sim_env.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_env.h"
#include "linux/sim_lock.h"
#include "fiber.h"
#include "strategy.h"
#include "sched.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
/* Enough for the hypervisor and host paths with sanitizers on. */
#define FIBER_STACK	(1UL << 20)

struct sched_explorer {
	struct strategy			strategy;
	unsigned int			nr;
	uint64_t			max_steps;

	struct fiber			main;
	pthread_t			main_thread;
	bool				main_ready;
	struct fiber			fibers[SCHED_MAX_THREADS];
	unsigned char			locals[SCHED_MAX_THREADS + 1]
					      [SIM_FIBER_LOCALS_BYTES];

	/* The run in progress. */
	const struct sched_thread	*threads;
	struct sched_result		*res;
	unsigned int			cur;
	unsigned int			alive;		/* bitmask */
	unsigned int			blocked;	/* bitmask */
	const struct sim_lock		*waits_on[SCHED_MAX_THREADS];
	struct sched_step		*steps;
	uint64_t			nr_steps, cap_steps;
	bool				ended;

	/* What each thread does when it next runs (strategy_pick()). */
	struct sched_op			pending[SCHED_MAX_THREADS];
	bool				in_hvc[SCHED_MAX_THREADS];

	void				(*watch)(void *arg, uint64_t step);
	void				*watch_arg;
	bool				in_watch;
};

/* The exploration running on this thread, if any. */
static __thread struct sched_explorer *running;
/* Any exploration running at all, for threads outside its control. */
static struct sched_explorer *live;

static const char *const kind_names[] = {
	[SCHED_RANDOM]	= "random",
	[SCHED_PCT]	= "pct",
	[SCHED_DFS]	= "dfs",
	[SCHED_REPLAY]	= "replay",
};

const char *sched_kind_name(enum sched_kind kind)
{
	return (unsigned int)kind < SCHED_KIND_NR ? kind_names[kind] : NULL;
}

/* --- fiber-local state --- */

static void locals_save(unsigned char *to)
{
	const struct sim_fiber_local *l;
	unsigned int i, n = sim_fiber_locals(&l);
	size_t off = 0;

	for (i = 0; i < n; off += l[i].size, i++)
		memcpy(to + off, l[i].addr(), l[i].size);
}

static void locals_load(const unsigned char *from)
{
	const struct sim_fiber_local *l;
	unsigned int i, n = sim_fiber_locals(&l);
	size_t off = 0;

	for (i = 0; i < n; off += l[i].size, i++)
		memcpy(l[i].addr(), from + off, l[i].size);
}

/* Slot of the caller's own thread in x->locals. */
#define MAIN_SLOT	SCHED_MAX_THREADS

static void switch_to(struct sched_explorer *x, unsigned int me,
		      unsigned int next, bool dying)
{
	locals_save(x->locals[me]);
	if (next == MAIN_SLOT) {
		locals_load(x->locals[MAIN_SLOT]);
		fiber_switch(&x->fibers[me], &x->main, dying);
	} else {
		x->cur = next;
		locals_load(x->locals[next]);
		fiber_switch(&x->fibers[me], &x->fibers[next], dying);
	}
}

/* --- steps --- */

static int record(struct sched_explorer *x, unsigned int thread,
		  unsigned int point, const void *addr, const char *where)
{
	struct sched_result *r = x->res;

	if (x->nr_steps == x->cap_steps) {
		uint64_t cap = x->cap_steps ? 2 * x->cap_steps : 1024;
		struct sched_step *steps = realloc(x->steps,
						   cap * sizeof(*steps));

		if (!steps)
			return -ENOMEM;
		x->steps = steps;
		x->cap_steps = cap;
	}
	x->steps[x->nr_steps++] = (struct sched_step){
		.thread = (uint8_t)thread,
		.point = (uint8_t)point,
		.next = SCHED_NONE,
		.addr = addr,
		.hcall = thread < SCHED_MAX_THREADS ? sim_this_hcall() : NULL,
		.where = where,
	};
	if (point == SIM_POINT_HVC_ENTRY || point == SIM_POINT_HVC_EXIT)
		x->steps[x->nr_steps - 1].x1 = *(const uint64_t *)addr;
	if (point == SIM_POINT_LOCK_ACQUIRE || point == SIM_POINT_LOCK_RELEASE ||
	    point == SIM_POINT_LOCK_BLOCKED)
		x->steps[x->nr_steps - 1].lock =
			((const struct sim_lock *)addr)->name ?: "a lock";
	r->trace_hash = (r->trace_hash ^ thread) * FNV_PRIME;
	r->trace_hash = (r->trace_hash ^ point) * FNV_PRIME;
	r->steps = x->nr_steps;
	return 0;
}

static void end_run(struct sched_explorer *x, unsigned int me,
		    enum sched_outcome outcome)
{
	x->res->outcome = outcome;
	x->ended = true;
	switch_to(x, me, MAIN_SLOT, false);
	/* Never back: the run is abandoned where it stands. */
	abort();
}

static void deadlock(struct sched_explorer *x, unsigned int me)
{
	struct sched_result *r = x->res;
	size_t len = sizeof(r->why), used;
	unsigned int t;

	used = (size_t)snprintf(r->why, len, "deadlock: no CPU can run;");
	for (t = 0; t < x->nr && used < len; t++) {
		const struct sim_lock *l = x->waits_on[t];

		if (!(x->alive & (1U << t)) || !l)
			continue;
		used += (size_t)snprintf(r->why + used, len - used,
			" cpu%u waits for %s, held by cpu%d;",
			x->threads[t].cpu, l->name ? l->name : "a lock",
			__atomic_load_n(&l->owner, __ATOMIC_RELAXED));
	}
	end_run(x, me, SCHED_DEADLOCK);
}

/*
 * Thread @me passed @point (SCHED_POINT_START/END included): ask who goes
 * next and hand over.  Returns when @me has the baton again (never after
 * SCHED_POINT_END).
 */
static void decide(struct sched_explorer *x, unsigned int me,
		   unsigned int point, const void *addr, const char *where)
{
	struct sched_result *r = x->res;
	unsigned int runnable, next;
	struct sched_step *step;

	if (record(x, me, point, addr, where)) {
		snprintf(r->why, sizeof(r->why), "out of memory for steps");
		end_run(x, me, SCHED_LIVELOCK);
	}
	if (x->watch) {
		x->in_watch = true;
		x->watch(x->watch_arg, x->nr_steps - 1);
		x->in_watch = false;
	}
	if (x->nr_steps > x->max_steps) {
		snprintf(r->why, sizeof(r->why), "livelock: still running "
			 "after %llu scheduling points (the bound)",
			 (unsigned long long)x->max_steps);
		end_run(x, me, SCHED_LIVELOCK);
	}

	/* Only a DFS that reduces asks what each thread does next. */
	if (x->strategy.cfg.reduce) {
		if (point == SIM_POINT_HVC_EXIT)
			x->in_hvc[me] = false;
		x->pending[me] = (struct sched_op){
			.point = (uint8_t)point, .in_hvc = x->in_hvc[me],
			.addr = addr,
		};
		if (point == SIM_POINT_HVC_ENTRY)
			x->in_hvc[me] = true;
	}

	if (point == SIM_POINT_LOCK_BLOCKED) {
		x->blocked |= 1U << me;
		x->waits_on[me] = addr;
	} else if (point == SIM_POINT_LOCK_RELEASE ||
		   point == SCHED_POINT_END) {
		/* Waiters retry; the losers block again. */
		x->blocked = 0;
	}

	runnable = x->alive & ~x->blocked;
	if (!runnable) {
		if (!x->alive) {
			step = &x->steps[x->nr_steps - 1];
			step->next = MAIN_SLOT;
			switch_to(x, me, MAIN_SLOT, true);
			abort();
		}
		deadlock(x, me);
	}

	next = strategy_pick(&x->strategy, x->nr_steps - 1,
			     point == SCHED_POINT_START ? SCHED_NONE : me,
			     runnable, x->pending);
	if (next == SCHED_NONE) {
		snprintf(r->why, sizeof(r->why), "the replayed schedule "
			 "diverged at step %llu: its choice could not run",
			 (unsigned long long)(x->nr_steps - 1));
		end_run(x, me, SCHED_DIVERGED);
	}

	step = &x->steps[x->nr_steps - 1];
	step->next = (uint8_t)next;
	step->runnable = (uint8_t)runnable;
	if (next == me)
		return;

	r->switches++;
	if (point != SCHED_POINT_START && (runnable & (1U << me)))
		r->preemptions++;
	switch_to(x, me, next, point == SCHED_POINT_END);
	/* Back with the baton: a blocked CPU retries its lock. */
	x->blocked &= ~(1U << me);
	x->waits_on[me] = NULL;
}

static void sched_hook(enum sim_point point, const void *addr,
		       const char *where)
{
	struct sched_explorer *x = running;

	if (!x) {
		/* A thread the scheduler does not run, mid-run. */
		x = __atomic_load_n(&live, __ATOMIC_ACQUIRE);
		if (x && x->res)
			__atomic_store_n(&x->res->outside, true,
					 __ATOMIC_RELAXED);
		return;
	}
	if (x->ended || x->in_watch)
		return;
	decide(x, x->cur, point, addr, where);
}

static void fiber_main(void)
{
	struct sched_explorer *x = running;
	unsigned int me = x->cur;
	const struct sched_thread *t = &x->threads[me];

	fiber_entered();
	sim_set_this_cpu((int)t->cpu);
	t->fn(t->arg);

	x->alive &= ~(1U << me);
	decide(x, me, SCHED_POINT_END, NULL, NULL);
	abort();
}

/* --- the explorer --- */

int sched_explorer_create(const struct sched_config *cfg,
			  unsigned int nr_threads, struct sched_explorer **xp)
{
	struct sched_explorer *x;
	unsigned int i;
	int ret;

	if (!cfg || !xp || !nr_threads || nr_threads > SCHED_MAX_THREADS)
		return -EINVAL;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->nr = nr_threads;
	x->max_steps = cfg->max_steps ? cfg->max_steps :
			SCHED_DEFAULT_MAX_STEPS;
	ret = strategy_init(&x->strategy, cfg, nr_threads);
	if (ret) {
		free(x);
		return ret;
	}
	for (i = 0; i < nr_threads; i++) {
		ret = fiber_create(&x->fibers[i], FIBER_STACK);
		if (ret) {
			while (i--)
				fiber_destroy(&x->fibers[i]);
			strategy_fini(&x->strategy);
			free(x);
			return ret;
		}
	}
	*xp = x;
	return 0;
}

void sched_explorer_watch(struct sched_explorer *x,
			  void (*fn)(void *arg, uint64_t step), void *arg)
{
	if (!x)
		return;
	x->watch = fn;
	x->watch_arg = arg;
}

void sched_explorer_destroy(struct sched_explorer *x)
{
	unsigned int i;

	if (!x)
		return;
	for (i = 0; i < x->nr; i++)
		fiber_destroy(&x->fibers[i]);
	strategy_fini(&x->strategy);
	free(x->steps);
	free(x);
}

int sched_explorer_run(struct sched_explorer *x,
		       const struct sched_thread *threads,
		       struct sched_result *res)
{
	unsigned int i;
	int ret;

	if (!x || !threads || !res || running)
		return -EINVAL;
	if (!strategy_begin(&x->strategy))
		return 0;

	/* Reading a thread's stack bounds parses /proc: once per thread. */
	if (!x->main_ready || !pthread_equal(x->main_thread, pthread_self())) {
		ret = fiber_init_thread(&x->main);
		if (ret)
			return ret;
		x->main_thread = pthread_self();
		x->main_ready = true;
	}

	*res = (struct sched_result){ .trace_hash = FNV_OFFSET };
	x->threads = threads;
	x->res = res;
	x->alive = (1U << x->nr) - 1;
	x->blocked = 0;
	x->nr_steps = 0;
	x->ended = false;
	memset(x->waits_on, 0, sizeof(x->waits_on));
	memset(x->in_hvc, 0, sizeof(x->in_hvc));
	for (i = 0; i < x->nr; i++)
		x->pending[i] = (struct sched_op){ .point = SCHED_POINT_START };

	/* Each CPU starts with the caller's thread-local state. */
	locals_save(x->locals[MAIN_SLOT]);
	for (i = 0; i < x->nr; i++) {
		memcpy(x->locals[i], x->locals[MAIN_SLOT],
		       sizeof(x->locals[i]));
		fiber_start_at(&x->fibers[i], fiber_main);
	}

	running = x;
	__atomic_store_n(&live, x, __ATOMIC_RELEASE);
	sim_sched_point_hook = sched_hook;

	/* The first choice: who starts. */
	x->cur = strategy_pick(&x->strategy, 0, SCHED_NONE, x->alive,
			       x->pending);
	if (x->cur >= x->nr) {
		x->cur = 0;
		res->outcome = SCHED_DIVERGED;
		snprintf(res->why, sizeof(res->why), "the replayed schedule "
			 "diverged at its first choice");
	} else {
		record(x, SCHED_NONE, SCHED_POINT_START, NULL, NULL);
		x->steps[0].next = (uint8_t)x->cur;
		x->steps[0].runnable = (uint8_t)x->alive;
		locals_load(x->locals[x->cur]);
		fiber_switch(&x->main, &x->fibers[x->cur], false);
	}

	sim_sched_point_hook = NULL;
	__atomic_store_n(&live, NULL, __ATOMIC_RELEASE);
	running = NULL;
	locals_load(x->locals[MAIN_SLOT]);

	strategy_end(&x->strategy, x->nr_steps, res->outcome == SCHED_OK);
	return 1;
}

bool sched_explorer_exhausted(const struct sched_explorer *x)
{
	return x && x->strategy.exhausted;
}

uint64_t sched_explorer_redundant(const struct sched_explorer *x)
{
	return x ? x->strategy.nr_redundant : 0;
}

uint64_t sched_explorer_frontier(const struct sched_explorer *x)
{
	return x ? strategy_frontier(&x->strategy) : 0;
}

uint64_t sched_explorer_pct_steps(const struct sched_explorer *x)
{
	return x ? x->strategy.pct_steps : 0;
}

uint64_t sched_explorer_max_steps(const struct sched_explorer *x)
{
	return x ? x->max_steps : 0;
}

uint64_t sched_explorer_next_run(const struct sched_explorer *x)
{
	return x ? x->strategy.run : 0;
}

uint64_t sched_explorer_last_run(const struct sched_explorer *x)
{
	return x ? x->strategy.last_run : 0;
}

bool sched_explorer_owned(const struct sched_explorer *x)
{
	return x && x->strategy.owned;
}

int sched_explorer_prefix(const struct sched_explorer *x, char *buf,
			  size_t len)
{
	if (!x || !buf || !len)
		return -EINVAL;
	return strategy_prefix_format(&x->strategy, buf, len);
}

const struct sched_step *sched_explorer_steps(const struct sched_explorer *x,
					      uint64_t *nr)
{
	if (!x || !nr)
		return NULL;
	*nr = x->nr_steps;
	return x->steps;
}
