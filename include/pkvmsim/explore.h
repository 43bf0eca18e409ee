/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libpkvmsim's race engine: run a scenario (a setup, N simulated CPUs each
 * running a body, and a final check) under many schedules, chosen by a
 * strategy, until one breaks an invariant or the budget is spent.  A
 * violation comes back as one line that replays it exactly, here or on
 * another machine.
 *
 * Under a controlled strategy the CPUs are fibers on the calling thread,
 * one running at a time, switching only at the simulator's scheduling
 * points (locks, READ_ONCE/WRITE_ONCE, hypercall entry and exit, page
 * ownership changes), so a schedule is a pure function of its choices.
 * Bodies call the public API (<pkvmsim/pkvmsim.h>, <pkvmsim/inspect.h>)
 * on their own CPU; they must not start threads, block, spin waiting for
 * another CPU (only the simulator's points hand the CPU over), or keep
 * state outside their context between schedules.
 *
 * Every function returns 0 or a negative errno, -EINVAL for bad
 * arguments; pkvmsim_explore() and pkvmsim_replay() return 1 for a
 * violation found.
 */
#ifndef PKVMSIM_EXPLORE_H
#define PKVMSIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pkvmsim/pkvmsim.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most CPUs one scenario may run bodies on. */
#define PKVMSIM_EXPLORE_MAX_CPUS	4

/**
 * struct pkvmsim_scenario - a race to explore.
 * @name:	one word, for replay lines and `pkvmsim list`.
 * @window:	the SPEC 9 race window it targets, in a few words.
 * @nr_cpus:	bodies, 1..PKVMSIM_EXPLORE_MAX_CPUS; body i runs on
 *		simulated CPU i (the configuration needs that many).
 * @ctx_size:	bytes of context each schedule gets, zeroed.
 * @setup:	before the bodies, uncontrolled: create VMs, vCPUs...; a
 *		non-zero return stops the exploration with that error.
 * @body:	what each CPU does; the interleaving is the explorer's.
 * @check:	after the bodies: 0 if the outcome is one the scenario
 *		allows, else non-zero with one sentence in @why (the
 *		scenario's own verdict; the oracle's is taken as well).
 *		May be NULL.
 * @teardown:	after @check: give back what @setup took outside the
 *		simulator's VMs (which pkvmsim_destroy() destroys).  May be
 *		NULL.
 */
struct pkvmsim_scenario {
	const char	*name;
	const char	*window;
	unsigned int	nr_cpus;
	size_t		ctx_size;
	int		(*setup)(struct pkvmsim *sim, void *ctx);
	void		(*body[PKVMSIM_EXPLORE_MAX_CPUS])(struct pkvmsim *sim,
							  unsigned int cpu,
							  void *ctx);
	int		(*check)(struct pkvmsim *sim, void *ctx, char *why,
				 size_t len);
	void		(*teardown)(struct pkvmsim *sim, void *ctx);
};

enum pkvmsim_strategy_kind {
	PKVMSIM_STRATEGY_RANDOM,	/* any runnable CPU, uniformly */
	PKVMSIM_STRATEGY_PCT,		/* PCT, bug depth @depth */
	PKVMSIM_STRATEGY_DFS,		/* all schedules, <= @preemptions */
	/*
	 * No control: the bodies run at once on real threads, as in a
	 * stress test (and for ThreadSanitizer); a run cannot be replayed.
	 */
	PKVMSIM_STRATEGY_FREE,
	PKVMSIM_STRATEGY_NR,
};

/**
 * struct pkvmsim_strategy - how schedules are chosen.
 * @kind:	the strategy.
 * @seed:	RANDOM and PCT: schedule r is drawn from @seed + r.
 * @depth:	PCT: the bug depth d >= 1 (d - 1 priority change points).
 * @preemptions: DFS: the preemption bound k, or
 *		PKVMSIM_PREEMPTIONS_UNBOUNDED for every schedule.
 * @reduce:	DFS with no bound: skip a schedule that only reorders steps
 *		of one already run that commute (sleep sets), so that each
 *		class of equivalent schedules runs about once.  Steps commute
 *		when both CPUs are inside a hypercall, at points on different
 *		addresses (locks, loads, stores, page owners) or both loads;
 *		the code between points is taken to be free of data races,
 *		which a free run under ThreadSanitizer checks.  With a bound
 *		it would skip schedules within it: -EINVAL.
 * @shard:	this run's share, 0..@nr_shards - 1 (@nr_shards 0 or 1:
 *		all): random and PCT take every @nr_shards-th schedule
 *		number, DFS a disjoint set of subtrees.  The shards'
 *		schedules together are the unsharded exploration's, so a
 *		CI matrix or a cluster can split one exploration with no
 *		coordination.
 */
struct pkvmsim_strategy {
	enum pkvmsim_strategy_kind	kind;
	uint64_t			seed;
	unsigned int			depth;
	unsigned int			preemptions;
	bool				reduce;
	unsigned int			shard;
	unsigned int			nr_shards;
};

/* struct pkvmsim_strategy's @preemptions for a DFS with no bound. */
#define PKVMSIM_PREEMPTIONS_UNBOUNDED	0xffffffffU

/**
 * struct pkvmsim_budget - when to stop without a violation.
 * @schedules:	at most this many schedules; 0 is no limit.
 * @seconds:	at most this much wall time; 0 is no limit.
 * @max_steps:	a schedule past this many scheduling points is a livelock;
 *		0 is the default (100,000).
 * @pending_file: if set, the replay line of each schedule is written to
 *		this file before it runs, so that one that crashes the
 *		process can still be replayed.
 * @progress:	if set, called about every @progress_seconds (0: 0.2 s)
 *		with the schedules run and the seconds spent so far, and,
 *		for DFS, the decision points of the last schedule with
 *		alternatives left to try (the frontier).
 * @progress_arg: passed to @progress.
 *
 * With no limit at all, only DFS ends (when it has exhausted its space).
 */
struct pkvmsim_budget {
	uint64_t	schedules;
	double		seconds;
	uint64_t	max_steps;
	const char	*pending_file;
	void		(*progress)(void *arg, uint64_t schedules,
				    double seconds, uint64_t frontier);
	void		*progress_arg;
	double		progress_seconds;
};

#define PKVMSIM_REPLAY_MAX	2048
#define PKVMSIM_TRACE_MAX	32768

/**
 * struct pkvmsim_explore_result - what an exploration found.
 * @schedules:	schedules run.
 * @exhausted:	DFS: every schedule within the bound ran.
 * @redundant:	DFS with @reduce: schedules (counted in @schedules) that
 *		turned out to be equivalent to one already run, and were run
 *		to their end without trying anything else.
 * @violation:	a schedule broke something; the rest describes it.
 * @seconds:	wall time spent.
 * @replay:	the line that replays the violating schedule (empty for a
 *		free run, which cannot be replayed).
 * @trace_hash:	its interleaving's hash: a replay must give the same.
 * @why:	the scenario's own verdict, a deadlock or a livelock, if any.
 * @report:	the oracle's and the ledger's findings for that schedule.
 * @trace:	the schedule step by step (CPU, hypercall, point), the VM
 *		table at @flagged_step if any and at the end, for a person
 *		to read.
 * @flagged_step: a traced run's (@trace is written): the step at which
 *		the oracle or the ledger had first recorded a violation, as
 *		@trace numbers them; -1 if none was recorded while the CPUs
 *		ran (the scenario's check, the history, the shutdown, a
 *		deadlock or a livelock found what there is).
 */
struct pkvmsim_explore_result {
	uint64_t		schedules;
	bool			exhausted;
	uint64_t		redundant;
	bool			violation;
	double			seconds;
	char			replay[PKVMSIM_REPLAY_MAX];
	uint64_t		trace_hash;
	char			why[512];
	struct pkvmsim_report	report;
	char			trace[PKVMSIM_TRACE_MAX];
	int64_t			flagged_step;
};

/**
 * pkvmsim_explore() - Run @sc under schedules chosen by @st.
 * @cfg:	the machine of every schedule (mode, profile, CPUs...);
 *		NULL is the default.  Its hvc transport is ignored.
 * @sc:		the scenario.
 * @st:		the strategy.
 * @budget:	when to give up; NULL is no limit (DFS only).
 * @res:	the outcome.
 *
 * Each schedule boots a fresh machine, runs @sc->setup, the bodies under
 * the strategy, @sc->check, @sc->teardown, and shuts the machine down.
 * The first schedule with a violation (the oracle's, the ledger's, the
 * scenario's own, a deadlock or a livelock) ends the exploration.
 *
 * Return: 0 none found within the budget, 1 one found (see @res), or a
 * negative errno (-EINVAL, -EBUSY if a simulator is live, -ENOMEM, or
 * @sc->setup's error).
 */
int pkvmsim_explore(const struct pkvmsim_config *cfg,
		    const struct pkvmsim_scenario *sc,
		    const struct pkvmsim_strategy *st,
		    const struct pkvmsim_budget *budget,
		    struct pkvmsim_explore_result *res);

/**
 * pkvmsim_replay() - Run the one schedule a replay line names.
 * @line:	as pkvmsim_explore() wrote it.
 * @sc:		the scenario it names; NULL looks the name up among the
 *		built-in scenarios (pkvmsim_scenario_find()).
 * @res:	the outcome, as for pkvmsim_explore().
 *
 * A line may also say lenient=1: a choice of its schedule whose CPU
 * cannot run (blocked, or its body done) is then no divergence, the next
 * CPU in order that can run runs instead, so that any string of CPU
 * letters is a schedule (a fuzzer's bytes, say).  @res->replay names the
 * CPUs that did run, and replays strictly.
 *
 * Return: 0 the schedule ran clean, 1 it broke something (as the line
 * said it would, if the code is the same), -EINVAL for a malformed line
 * or a scenario of another name, -ENOENT for an unknown scenario,
 * -ESTALE if the schedule could not be followed (the code changed).
 */
int pkvmsim_replay(const char *line, const struct pkvmsim_scenario *sc,
		   struct pkvmsim_explore_result *res);

/**
 * pkvmsim_replay_json() - pkvmsim_replay(), also writing the schedule to
 * @out as a Chrome/Perfetto trace (JSON trace event format): one track per
 * CPU, hypercalls and lock holds as slices, one time unit per scheduling
 * point, the violation as an instant event.  Open it in ui.perfetto.dev
 * or chrome://tracing.
 *
 * Return: as pkvmsim_replay(); -EIO if @out could not be written.
 */
int pkvmsim_replay_json(const char *line, const struct pkvmsim_scenario *sc,
			FILE *out, struct pkvmsim_explore_result *res);

/* The built-in scenarios, in `pkvmsim list` order; NULL past the end. */
const struct pkvmsim_scenario *pkvmsim_scenario_at(unsigned int i);
/* The built-in scenario called @name, or NULL. */
const struct pkvmsim_scenario *pkvmsim_scenario_find(const char *name);

/* "random", "pct", "dfs", "free"; NULL if invalid. */
const char *pkvmsim_strategy_name(enum pkvmsim_strategy_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* PKVMSIM_EXPLORE_H */
