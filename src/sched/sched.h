/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The controlled scheduler: simulated CPUs as fibers on the calling
 * thread, exactly one of which runs at a time, handing the baton on at the
 * scheduling points the kernel-dialect primitives report
 * (linux/sim_sched.h).  A strategy picks who runs at each point, so a run
 * is a pure function of the strategy's choices and replays exactly from
 * them.
 *
 * A CPU that finds a lock held reports SIM_POINT_LOCK_BLOCKED and is not
 * picked again until some CPU releases a lock.  No CPU able to run while
 * some wait on locks is a deadlock; a run past the step bound a livelock;
 * both end the run at once and are reported with the locks and holders or
 * the bound.  Such a run leaves its CPUs where they stood (locks held), so
 * the state they worked on must be thrown away, not torn down.
 */
#ifndef PKVMSIM_SCHED_H
#define PKVMSIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux/sim_sched.h"

#define SCHED_MAX_THREADS	8
/* DFS: no preemption bound (with @reduce, see struct sched_config). */
#define SCHED_UNBOUNDED		0xffffffffU
/* The default step bound of a run: past it, a livelock. */
#define SCHED_DEFAULT_MAX_STEPS	100000
/* A step's point when a thread starts or ends rather than at a point. */
#define SCHED_POINT_START	SIM_POINT_NR
#define SCHED_POINT_END		(SIM_POINT_NR + 1)

struct sched_thread {
	void		(*fn)(void *arg);
	void		*arg;
	unsigned int	cpu;	/* the simulated CPU it runs as */
};

enum sched_kind {
	SCHED_RANDOM,	/* uniform over the runnable CPUs at every point */
	SCHED_PCT,	/* probabilistic concurrency testing, depth d */
	SCHED_DFS,	/* every schedule with at most k preemptions */
	SCHED_REPLAY,	/* one given schedule */
	SCHED_KIND_NR,
};

/**
 * struct sched_config - how to explore.
 * @kind:	the strategy.
 * @seed:	RANDOM and PCT: run r uses a generator seeded from @seed + r.
 * @depth:	PCT: the bug depth d (d - 1 priority change points); >= 1.
 * @preemptions: DFS: the preemption bound k.
 * @max_steps:	the step bound of one run; 0 is SCHED_DEFAULT_MAX_STEPS.
 * @schedule:	REPLAY: the schedule, as sched_schedule_format() wrote it;
 *		a trailing '+' goes on without preemption after its end.  One
 *		longer than the step bound is refused (-E2BIG).
 * @lenient:	REPLAY: a choice that cannot run (its CPU is blocked or
 *		done) is not a divergence: the next CPU after it, in order,
 *		that can run runs instead.  So any string of letters is a
 *		schedule, which is how a fuzzer's bytes choose one.
 * @run:	RANDOM and PCT: the number of the first run, so that one run
 *		of a long exploration can be run again on its own.
 * @pct_steps:	PCT: the n to draw change points from; 0 measures it with
 *		a first, plain run (priorities from @seed alone).
 * @reduce:	DFS with no bound (@preemptions SCHED_UNBOUNDED): skip a
 *		schedule that only reorders steps that commute (sleep sets,
 *		Godefroid 1996), so that each class of equivalent schedules
 *		runs about once; see sched_ops_commute() for what commutes.
 *		Not with a bound, where it would skip schedules within it
 *		(Coons, Musuvathi, McKinley, OOPSLA 2013).
 * @shard:	this explorer's share of the exploration, 0..@nr_shards - 1
 *		(@nr_shards 0 or 1: all of it).  RANDOM and PCT take every
 *		@nr_shards-th run number; DFS takes the subtrees whose first
 *		deviation from the run without preemption hashes to @shard
 *		(that run itself is shard 0's).  The shards' runs together
 *		are the whole exploration's, each once.
 */
struct sched_config {
	enum sched_kind	kind;
	uint64_t	seed;
	unsigned int	depth;
	unsigned int	preemptions;
	uint64_t	max_steps;
	const char	*schedule;
	bool		lenient;
	uint64_t	run;
	uint64_t	pct_steps;
	bool		reduce;
	unsigned int	shard;
	unsigned int	nr_shards;
};

/*
 * What a CPU does when it next runs: the operation of the point it
 * stopped at, the address it is about, and whether the CPU is inside a
 * hypercall's dispatch (between its HVC_ENTRY and HVC_EXIT points).
 */
struct sched_op {
	uint8_t		point;		/* enum sim_point or SCHED_POINT_* */
	bool		in_hvc;
	const void	*addr;
};

/*
 * Whether the steps of two CPUs about to do @a and @b give the same state
 * in either order.  Only where that is known: both CPUs inside a
 * hypercall's dispatch (outside it, the host, the oracle and the history
 * read and write shared state between points), at a lock, load, store or
 * page-ownership point, on different addresses or both loads.  The code
 * between two points is taken to touch only what its points say or what
 * a lock held across it protects: no data race, which the free mode under
 * ThreadSanitizer checks.
 */
bool sched_ops_commute(const struct sched_op *a, const struct sched_op *b);

enum sched_outcome {
	SCHED_OK,		/* every thread ran to its end */
	SCHED_DEADLOCK,		/* none could run; some waited on locks */
	SCHED_LIVELOCK,		/* the step bound was reached */
	SCHED_DIVERGED,		/* a replayed choice could not be made */
};

/* One scheduling point as a run passed it. */
struct sched_step {
	uint8_t		thread;		/* who reached it */
	uint8_t		point;		/* enum sim_point or SCHED_POINT_* */
	uint8_t		next;		/* who ran after it */
	uint8_t		runnable;	/* who could have */
	const void	*addr;		/* what the point is about */
	const char	*hcall;		/* the hypercall it is in, or NULL */
	const char	*lock;		/* a lock point's lock, by name */
	const char	*where;		/* "file:line" of the point */
	uint64_t	x1;		/* HVC_ENTRY/EXIT: argument, result */
};

/**
 * struct sched_result - one run.
 * @outcome:	how it ended.
 * @steps:	scheduling points passed.
 * @switches:	times the baton changed hands.
 * @preemptions: switches away from a CPU that could have gone on.
 * @trace_hash:	FNV-1a of (thread, point) of every step: equal hashes,
 *		same interleaving.
 * @outside:	a thread the scheduler does not control passed a point
 *		during the run: the run may not replay.
 * @why:	for any outcome but SCHED_OK, one sentence saying why.
 */
struct sched_result {
	enum sched_outcome	outcome;
	uint64_t		steps;
	uint64_t		switches;
	uint64_t		preemptions;
	uint64_t		trace_hash;
	bool			outside;
	char			why[320];
};

struct sched_explorer;

/*
 * An exploration of @nr_threads CPUs under @cfg, with the fibers they run
 * on (created once, reused by every run).  0, -EINVAL or -ENOMEM.
 */
int sched_explorer_create(const struct sched_config *cfg,
			  unsigned int nr_threads, struct sched_explorer **xp);
void sched_explorer_destroy(struct sched_explorer *x);

/*
 * Run the exploration's next schedule of @threads (as many as it was
 * created for) on the calling thread.  Returns 1 if a schedule ran (see
 * @res), 0 if the exploration is exhausted and nothing ran, -EINVAL.
 */
int sched_explorer_run(struct sched_explorer *x,
		       const struct sched_thread *threads,
		       struct sched_result *res);

/* DFS: every schedule within the bound has run. */
bool sched_explorer_exhausted(const struct sched_explorer *x);
/*
 * DFS with @reduce: runs that turned out to reorder only commuting steps
 * of a run already made (every CPU able to run was asleep at some point);
 * each ran to its end without trying an alternative.
 */
uint64_t sched_explorer_redundant(const struct sched_explorer *x);
/* DFS: decision points of the last run with alternatives left to try. */
uint64_t sched_explorer_frontier(const struct sched_explorer *x);
/* PCT: the number of steps the change points are drawn from. */
uint64_t sched_explorer_pct_steps(const struct sched_explorer *x);
/* The step bound of a run: past it, a livelock. */
uint64_t sched_explorer_max_steps(const struct sched_explorer *x);
/* RANDOM and PCT: the number of the next run, and of the last. */
uint64_t sched_explorer_next_run(const struct sched_explorer *x);
uint64_t sched_explorer_last_run(const struct sched_explorer *x);
/*
 * Whether the last run is this shard's.  A DFS shard other than 0 runs
 * the schedule without preemption once, not its own, to learn the tree.
 */
bool sched_explorer_owned(const struct sched_explorer *x);
/*
 * DFS: the choices the next run replays before it goes on without
 * preemption, as a REPLAY schedule ending in '+' (so that a run that
 * crashes the process can still be replayed).  As sched_schedule_format().
 */
int sched_explorer_prefix(const struct sched_explorer *x, char *buf,
			  size_t len);

/*
 * Call @fn(@arg, step) at every step of the runs to come, on the CPU that
 * reached the step, before the strategy picks who goes next (NULL: stop).
 * @fn sees the state exactly as that step left it, so it can record the
 * step at which something first went wrong.  It must not take a lock a
 * CPU may hold; a scheduling point it passes is ignored.
 */
void sched_explorer_watch(struct sched_explorer *x,
			  void (*fn)(void *arg, uint64_t step), void *arg);

/* The last run's steps (valid until the next run). */
const struct sched_step *sched_explorer_steps(const struct sched_explorer *x,
					      uint64_t *nr);

/*
 * The last run's schedule, compact: the CPU that ran after each point, as
 * a letter (a = thread 0) with a repeat count, e.g. "a14b3a9".  Returns
 * what snprintf() does, or -EINVAL.
 */
int sched_schedule_format(const struct sched_explorer *x, char *buf,
			  size_t len);

/*
 * Parse a schedule into @choices (at most @max; NULL only counts);
 * returns the number of choices, -EINVAL for a malformed one, -E2BIG
 * past @max.
 */
long sched_schedule_parse(const char *s, uint8_t *choices, uint64_t max);

/* "random", "pct", "dfs", "replay"; NULL for a bad kind. */
const char *sched_kind_name(enum sched_kind kind);

/*
 * Explore every schedule of @threads with at most one preemption (DFS,
 * k = 1): @setup before each run, @check after it; both get a one-line
 * description that replays the run (@check's also carries the trace
 * hash).  Returns the number of schedules run, or a negative errno:
 * -EDEADLK or -ELOOP for a run that deadlocked or livelocked (printed to
 * stderr with its replay line; its state is not checked, nor torn down).
 */
long sched_explore_one_preemption(const struct sched_thread *threads,
				  unsigned int nr,
				  void (*setup)(void *ctx, const char *schedule),
				  void (*check)(void *ctx, const char *schedule),
				  void *ctx);

#endif /* PKVMSIM_SCHED_H */
