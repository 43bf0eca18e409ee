/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The strategies behind struct sched_explorer: who runs at each point of a
 * run, and which run comes next.  Private to src/sched.
 */
#ifndef PKVMSIM_SCHED_STRATEGY_H
#define PKVMSIM_SCHED_STRATEGY_H

#include "sched.h"

#define SCHED_NONE	0xffU
#define PCT_MAX_DEPTH	16

/* One decision of a DFS run. */
struct dfs_node {
	uint8_t		runnable;
	uint8_t		cur;		/* who reached the point; SCHED_NONE */
	uint8_t		chosen;
	uint8_t		tried;		/* choices run from this prefix */
	uint8_t		dflt;		/* the choice without preemption */
	uint8_t		sleep;		/* reduce: threads asleep here */
	uint32_t	pre;		/* preemptions before this decision */
	uint32_t	devs;		/* choices other than @dflt before it */
};

struct strategy {
	struct sched_config	cfg;
	unsigned int		nr;		/* threads */
	uint64_t		run;		/* the next run's number */
	uint64_t		last_run;
	uint64_t		step;		/* between this shard's runs */
	uint64_t		rng;
	bool			exhausted;
	bool			owned;		/* the last run is this shard's */
	bool			calibrating;	/* PCT: this run measures n */

	/* DFS: the decisions of the last run; the first @prefix replay. */
	struct dfs_node		*stack;
	uint64_t		len, cap, prefix;
	uint64_t		preemptions, devs;
	/*
	 * reduce: the sleep set of the next new node; whether this run is
	 * redundant (a node had every runnable thread asleep); how many were.
	 */
	uint8_t			next_sleep;
	bool			redundant;
	uint64_t		nr_redundant;

	/* PCT */
	unsigned int		prio[SCHED_MAX_THREADS];
	uint64_t		change[PCT_MAX_DEPTH];
	uint64_t		pct_steps;

	/* REPLAY; then without preemption if @go_on. */
	uint8_t			*choices;
	uint64_t		nr_choices;
	bool			go_on;
};

int strategy_init(struct strategy *s, const struct sched_config *cfg,
		  unsigned int nr);
void strategy_fini(struct strategy *s);

/* Prepare the next run; false if the exploration is exhausted. */
bool strategy_begin(struct strategy *s);

/*
 * Who runs after step @step, reached by @cur (SCHED_NONE at the start),
 * with @runnable able to, each thread t about to do @pending[t].
 * SCHED_NONE: the replayed choice is not runnable (the run diverged).
 */
unsigned int strategy_pick(struct strategy *s, uint64_t step,
			   unsigned int cur, unsigned int runnable,
			   const struct sched_op *pending);

/* The run ended after @steps steps (and was complete if @complete). */
void strategy_end(struct strategy *s, uint64_t steps, bool complete);

uint64_t strategy_frontier(const struct strategy *s);

/* DFS: the next run's replayed choices, as a schedule ending in '+'. */
int strategy_prefix_format(const struct strategy *s, char *buf, size_t len);

/* Append "t" or "tN" for @run choices of thread @t at @buf + *@used. */
void schedule_append(char *buf, size_t len, size_t *used, unsigned int t,
		     uint64_t run);

#endif /* PKVMSIM_SCHED_STRATEGY_H */
