// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controlled scheduler (see sched.h).  A baton passed under one mutex:
 * the thread holding it runs until the strategy names another at a
 * scheduling point, then waits for the baton to come back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "sched.h"
#include "sim_env.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static struct {
	pthread_mutex_t			lock;
	pthread_cond_t			turn_changed;
	const struct sched_thread	*threads;
	const struct sched_strategy	*strategy;
	struct sched_result		*result;
	unsigned int			nr;
	unsigned int			current;
	unsigned int			alive;		/* bitmask */
	unsigned int			blocked;	/* bitmask */
} sched = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.turn_changed = PTHREAD_COND_INITIALIZER,
};

/* Index of the calling thread in the run, or -1 for any other thread. */
static __thread int self = -1;

static unsigned int lowest(unsigned int mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

static void hash_step(unsigned int thread, enum sim_point point)
{
	uint64_t h = sched.result->trace_hash;

	h = (h ^ thread) * FNV_PRIME;
	h = (h ^ (unsigned int)point) * FNV_PRIME;
	sched.result->trace_hash = h;
}

/* Hand the baton to the strategy's choice; wait until it comes back. */
static void switch_from(unsigned int me, enum sim_point point)
{
	unsigned int runnable = sched.alive & ~sched.blocked;
	unsigned int next;

	if (!runnable) {
		fprintf(stderr, "pkvmsim sched: deadlock: every CPU is "
			"blocked on a lock\n");
		abort();
	}

	next = sched.strategy->pick(sched.strategy->ctx, me, runnable, point);
	if (next >= sched.nr || !(runnable & (1U << next)))
		next = lowest(runnable);

	if (next != me) {
		sched.current = next;
		sched.result->switches++;
		pthread_cond_broadcast(&sched.turn_changed);
	}
	while ((sched.alive & (1U << me)) && sched.current != me)
		pthread_cond_wait(&sched.turn_changed, &sched.lock);
}

static void sched_hook(enum sim_point point, const void *addr)
{
	unsigned int me;

	(void)addr;
	if (self < 0)
		return;
	me = (unsigned int)self;

	pthread_mutex_lock(&sched.lock);
	sched.result->steps++;
	sched.result->points[me]++;
	hash_step(me, point);

	if (point == SIM_POINT_LOCK_BLOCKED)
		sched.blocked |= 1U << me;
	else if (point == SIM_POINT_LOCK_RELEASE)
		sched.blocked = 0;	/* waiters retry; losers block again */

	switch_from(me, point);
	/* Back with the baton: a blocked CPU retries its lock. */
	sched.blocked &= ~(1U << me);
	pthread_mutex_unlock(&sched.lock);
}

static void *thread_main(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	const struct sched_thread *t = &sched.threads[me];

	self = (int)me;
	sim_set_this_cpu((int)t->cpu);

	pthread_mutex_lock(&sched.lock);
	while (sched.current != me)
		pthread_cond_wait(&sched.turn_changed, &sched.lock);
	pthread_mutex_unlock(&sched.lock);

	t->fn(t->arg);

	pthread_mutex_lock(&sched.lock);
	sched.alive &= ~(1U << me);
	sched.blocked = 0;
	if (sched.alive) {
		unsigned int next = sched.strategy->pick(sched.strategy->ctx,
							 me, sched.alive,
							 SIM_POINT_NR);

		if (next >= sched.nr || !(sched.alive & (1U << next)))
			next = lowest(sched.alive);
		sched.current = next;
		sched.result->switches++;
		pthread_cond_broadcast(&sched.turn_changed);
	}
	pthread_mutex_unlock(&sched.lock);
	self = -1;
	return NULL;
}

int sched_run(const struct sched_thread *threads, unsigned int nr,
	      const struct sched_strategy *strategy,
	      struct sched_result *result)
{
	pthread_t tids[SCHED_MAX_THREADS];
	unsigned int i;

	if (!threads || !strategy || !result || !nr ||
	    nr > SCHED_MAX_THREADS || strategy->start >= nr)
		return -EINVAL;

	*result = (struct sched_result){ .trace_hash = FNV_OFFSET };

	pthread_mutex_lock(&sched.lock);
	sched.threads = threads;
	sched.strategy = strategy;
	sched.result = result;
	sched.nr = nr;
	sched.current = strategy->start;
	sched.alive = (1U << nr) - 1;
	sched.blocked = 0;
	pthread_mutex_unlock(&sched.lock);

	sim_sched_point_hook = sched_hook;
	for (i = 0; i < nr; i++) {
		if (pthread_create(&tids[i], NULL, thread_main,
				   (void *)(uintptr_t)i)) {
			fprintf(stderr, "pkvmsim sched: pthread_create failed\n");
			abort();
		}
	}
	for (i = 0; i < nr; i++)
		pthread_join(tids[i], NULL);
	sim_sched_point_hook = NULL;
	return 0;
}

static unsigned int preempt_once_pick(void *ctx, unsigned int cur,
				      unsigned int runnable,
				      enum sim_point point)
{
	struct sched_preempt_once *p = ctx;

	if (point != SIM_POINT_NR && cur == p->victim && !p->fired &&
	    ++p->seen == p->at && (runnable & (1U << p->to))) {
		p->fired = true;
		return p->to;
	}
	if (runnable & (1U << cur))
		return cur;
	return lowest(runnable);
}

void sched_preempt_once_init(struct sched_preempt_once *p,
			     unsigned int victim, unsigned int to,
			     unsigned int at, struct sched_strategy *s)
{
	*p = (struct sched_preempt_once){
		.victim = victim, .to = to, .at = at,
	};
	s->start = victim;
	s->pick = preempt_once_pick;
	s->ctx = p;
}

long sched_explore_one_preemption(const struct sched_thread *threads,
				  unsigned int nr,
				  void (*setup)(void *ctx, const char *schedule),
				  void (*check)(void *ctx, const char *schedule),
				  void *ctx)
{
	struct sched_preempt_once p;
	struct sched_strategy s;
	struct sched_result r;
	unsigned int victim, to, at;
	char schedule[96];
	long runs = 0;
	int ret, n;

	for (victim = 0; victim < nr; victim++) {
		for (to = 0; to < nr; to++) {
			if (to == victim)
				continue;
			for (at = 1;; at++) {
				n = snprintf(schedule, sizeof(schedule),
					     "preempt-once victim=%u to=%u at=%u",
					     victim, to, at);
				setup(ctx, schedule);
				sched_preempt_once_init(&p, victim, to, at, &s);
				ret = sched_run(threads, nr, &s, &r);
				if (ret)
					return ret;
				snprintf(schedule + n, sizeof(schedule) - n,
					 " hash=%016llx",
					 (unsigned long long)r.trace_hash);
				check(ctx, schedule);
				runs++;
				/* Past the victim's last point: done. */
				if (!p.fired)
					break;
			}
		}
	}
	return runs;
}
