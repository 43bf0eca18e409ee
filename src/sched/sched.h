/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The controlled scheduler: simulated CPUs as pthreads, exactly one of
 * which runs at a time, handing the baton on at the scheduling points the
 * kernel-dialect primitives report (linux/sim_sched.h).  A strategy picks
 * who runs at each point, so a run is a pure function of the strategy and
 * replays exactly.
 *
 * A CPU that finds a lock held reports SIM_POINT_LOCK_BLOCKED and is not
 * picked again until some CPU releases a lock.
 */
#ifndef PKVMSIM_SCHED_H
#define PKVMSIM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "linux/sim_sched.h"

#define SCHED_MAX_THREADS	8

struct sched_thread {
	void		(*fn)(void *arg);
	void		*arg;
	unsigned int	cpu;	/* the simulated CPU it runs as */
};

/*
 * pick() returns the thread to run next: a bit set in @runnable (which
 * always has at least one).  @cur is the thread at the point; it is not in
 * @runnable if it just blocked or finished.
 */
struct sched_strategy {
	unsigned int	start;		/* the thread that runs first */
	unsigned int	(*pick)(void *ctx, unsigned int cur,
				unsigned int runnable, enum sim_point point);
	void		*ctx;
};

struct sched_result {
	uint64_t	steps;		/* scheduling points passed */
	unsigned int	points[SCHED_MAX_THREADS];
	unsigned int	switches;
	uint64_t	trace_hash;	/* FNV-1a of (thread, point) per step */
};

/* Run @nr threads to completion under @strategy.  Returns 0 or -EINVAL. */
int sched_run(const struct sched_thread *threads, unsigned int nr,
	      const struct sched_strategy *strategy,
	      struct sched_result *result);

/*
 * Strategy: start @victim and let it run until its @at-th scheduling
 * point, then switch to @to once; otherwise keep the current thread running and, when it
 * blocks or ends, run the lowest-numbered runnable one.
 */
struct sched_preempt_once {
	unsigned int	victim;
	unsigned int	to;
	unsigned int	at;
	unsigned int	seen;
	bool		fired;
};

void sched_preempt_once_init(struct sched_preempt_once *p,
			     unsigned int victim, unsigned int to,
			     unsigned int at, struct sched_strategy *s);

/*
 * Explore every schedule with at most one preemption: for each ordered
 * pair (victim, to) and each point of the victim, call @setup, run with
 * that preemption, then call @check.  Both get a one-line description of
 * the schedule that replays it (@check's also carries the trace hash).
 * Returns the number of schedules run, or a negative errno.
 */
long sched_explore_one_preemption(const struct sched_thread *threads,
				  unsigned int nr,
				  void (*setup)(void *ctx, const char *schedule),
				  void (*check)(void *ctx, const char *schedule),
				  void *ctx);

#endif /* PKVMSIM_SCHED_H */
