// SPDX-License-Identifier: GPL-2.0-only
/*
 * The race engine behind <pkvmsim/explore.h>: each schedule boots a fresh
 * machine, runs the scenario's bodies as fibers under the controlled
 * scheduler (src/sched), then asks the scenario, the oracle and the
 * ledger what they saw.  The first violation ends the exploration with
 * the line that replays it (replay.c reads it back).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>
#include "machine.h"
#include "host.h"
#include "sim_env.h"
#include "sched.h"
#include "explore_internal.h"

static const char *const strategy_names[] = {
	[PKVMSIM_STRATEGY_RANDOM]	= "random",
	[PKVMSIM_STRATEGY_PCT]		= "pct",
	[PKVMSIM_STRATEGY_DFS]		= "dfs",
	[PKVMSIM_STRATEGY_FREE]		= "free",
};

const char *pkvmsim_strategy_name(enum pkvmsim_strategy_kind kind)
{
	return (unsigned int)kind < PKVMSIM_STRATEGY_NR ?
	       strategy_names[kind] : NULL;
}

double explore_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- one schedule --- */

struct body_arg {
	struct explore_run	*run;
	unsigned int		cpu;
};

struct explore_run {
	const struct pkvmsim_scenario	*sc;
	struct pkvmsim			*sim;
	void				*ctx;
	struct body_arg			args[PKVMSIM_EXPLORE_MAX_CPUS];
	struct sched_thread		threads[PKVMSIM_EXPLORE_MAX_CPUS];
};

static void body_main(void *arg)
{
	struct body_arg *b = arg;
	struct explore_run *run = b->run;

	run->sc->body[b->cpu](run->sim, b->cpu, run->ctx);
}

static void *free_body_main(void *arg)
{
	struct body_arg *b = arg;

	sim_set_this_cpu((int)b->cpu);
	body_main(arg);
	return NULL;
}

/* The bodies at once on real threads: no control, no replay. */
static int run_free(struct explore_run *run, struct sched_result *sr)
{
	pthread_t tids[PKVMSIM_EXPLORE_MAX_CPUS];
	unsigned int i, started;
	int ret = 0;

	*sr = (struct sched_result){ .outcome = SCHED_OK };
	for (started = 0; started < run->sc->nr_cpus; started++) {
		if (pthread_create(&tids[started], NULL, free_body_main,
				   &run->args[started])) {
			ret = -EAGAIN;
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	/* A body that never ran leaves the run unfinished: not a verdict. */
	return ret ? ret : 1;
}

static const char *const point_names[] = {
	[SIM_POINT_LOCK_ACQUIRE]	= "lock",
	[SIM_POINT_LOCK_RELEASE]	= "unlock",
	[SIM_POINT_LOCK_BLOCKED]	= "blocked on",
	[SIM_POINT_READ_ONCE]		= "READ_ONCE",
	[SIM_POINT_WRITE_ONCE]		= "WRITE_ONCE",
	[SIM_POINT_LOAD_ACQUIRE]	= "smp_load_acquire",
	[SIM_POINT_STORE_RELEASE]	= "smp_store_release",
	[SIM_POINT_HVC_ENTRY]		= "hvc entry",
	[SIM_POINT_HVC_EXIT]		= "hvc exit",
	[SIM_POINT_LEDGER]		= "page",
	[SCHED_POINT_START]		= "start",
	[SCHED_POINT_END]		= "end",
};

static void trace_append(struct pkvmsim_explore_result *res, size_t *used,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void trace_append(struct pkvmsim_explore_result *res, size_t *used,
			 const char *fmt, ...)
{
	size_t len = sizeof(res->trace);
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(res->trace + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

/* "src/hyp/pkvm.c:123" of a full path. */
static const char *short_where(const char *where)
{
	const char *src = strstr(where, "/src/");
	const char *inc = strstr(where, "/include/");

	if (src)
		return src + 1;
	if (inc)
		return inc + 1;
	return where;
}

/* The steps of the run just ended, one line each, for a person. */
static void trace_steps(struct sched_explorer *x,
			struct pkvmsim_explore_result *res, size_t *used)
{
	const struct sched_step *steps;
	uint64_t nr, i;

	steps = sched_explorer_steps(x, &nr);
	trace_append(res, used, "step  cpu  hypercall              point "
		     "(where)\n");
	for (i = 0; steps && i < nr; i++) {
		const struct sched_step *s = &steps[i];
		const char *point = s->point < ARRAY_SIZE(point_names) &&
				    point_names[s->point] ?
				    point_names[s->point] : "?";

		if (s->thread >= SCHED_MAX_THREADS) {
			trace_append(res, used, "%5llu  -    -                      "
				     "start: cpu%u runs first\n",
				     (unsigned long long)i, s->next);
			continue;
		}
		trace_append(res, used, "%5llu  cpu%u %-22s %s",
			     (unsigned long long)i, s->thread,
			     s->hcall ? s->hcall : "(host)", point);
		if (s->lock)
			trace_append(res, used, " %s", s->lock);
		if (s->point == SIM_POINT_HVC_ENTRY)
			trace_append(res, used, " x1=%#llx",
				     (unsigned long long)s->x1);
		else if (s->point == SIM_POINT_HVC_EXIT && (int)s->x1 < 0)
			trace_append(res, used, " = %d", (int)s->x1);
		else if (s->point == SIM_POINT_HVC_EXIT)
			trace_append(res, used, " = %#llx",
				     (unsigned long long)s->x1);
		if (s->where)
			trace_append(res, used, " (%s)", short_where(s->where));
		if (s->next < SCHED_MAX_THREADS && s->next != s->thread)
			trace_append(res, used, "  -> cpu%u", s->next);
		if ((int64_t)i == res->flagged_step)
			trace_append(res, used, "  <== first violation "
				     "recorded");
		trace_append(res, used, "\n");
	}
}

static const char *const slot_names[] = {
	[PKVMSIM_SLOT_FREE]	= "FREE",
	[PKVMSIM_SLOT_RESERVED]	= "RESERVED",
	[PKVMSIM_SLOT_LIVE]	= "LIVE",
};

/* The slots in use and the loaded vCPUs of @t, as they were @when. */
static void trace_table(const struct pkvmsim_table *t, const char *when,
			struct pkvmsim_explore_result *res, size_t *used)
{
	unsigned int i;

	trace_append(res, used, "VM table %s: %u reserved, %u live\n", when,
		     t->nr_reserved, t->nr_live);
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
		const struct pkvmsim_slot *s = &t->slots[i];

		if (s->state == PKVMSIM_SLOT_FREE)
			continue;
		trace_append(res, used, "  slot 0x%x %s vmid %u refs %u "
			     "vcpus %u/%u vm %lu\n", s->handle,
			     slot_names[s->state], s->vmid, s->refs,
			     s->nr_hyp_vcpus, s->nr_vcpus, s->vm);
	}
	for (i = 0; i < t->nr_cpus; i++) {
		if (t->loaded[i].loaded)
			trace_append(res, used, "  cpu%u has vCPU %d of 0x%x "
				     "loaded\n", i, t->loaded[i].vcpu_idx,
				     t->loaded[i].handle);
	}
}

static void trace_table_now(struct pkvmsim *sim, const char *when,
			    struct pkvmsim_explore_result *res, size_t *used)
{
	struct pkvmsim_table *t = malloc(sizeof(*t));

	if (t && !pkvmsim_table_snapshot(sim, t))
		trace_table(t, when, res, used);
	free(t);
}

/*
 * Where a traced run first went wrong: the step at which the oracle or
 * the ledger first held a violation, and the table as that step left it,
 * which the end of the run may have tidied away.
 */
struct first_violation {
	struct pkvmsim		*sim;
	unsigned long		before;	/* violations when the CPUs started */
	int64_t			step;	/* -1 until one is seen */
	struct pkvmsim_table	*table;	/* at @step, or NULL */
};

static void first_violation_watch(void *arg, uint64_t step)
{
	struct first_violation *fv = arg;

	if (fv->step >= 0 || machine_violations_peek(fv->sim) == fv->before)
		return;
	fv->step = (int64_t)step;
	if (fv->table && host_table_peek(fv->sim, fv->table)) {
		free(fv->table);
		fv->table = NULL;
	}
}

/* The run's steps, then the table where it first went wrong, if it did. */
static void trace_run(struct sched_explorer *x, struct first_violation *fv,
		      struct pkvmsim_explore_result *res, size_t *used)
{
	char when[96];

	res->flagged_step = fv->step;
	trace_steps(x, res, used);
	if (fv->step < 0 || !fv->table)
		return;
	snprintf(when, sizeof(when), "at step %lld, where the first "
		 "violation was recorded", (long long)fv->step);
	trace_table(fv->table, when, res, used);
}

/* See explore_internal.h. */
int explore_one(const struct pkvmsim_config *cfg,
		const struct pkvmsim_scenario *sc, struct sched_explorer *x,
		struct pkvmsim_explore_result *res, bool trace, bool *bad)
{
	struct sched_result sr;
	struct explore_run run = { .sc = sc };
	struct first_violation fv = { .step = -1 };
	char *history = NULL;
	size_t used = 0;
	unsigned int i;
	int ret;

	*bad = false;
	res->flagged_step = -1;
	ret = pkvmsim_create(cfg, &run.sim);
	if (ret)
		return ret;
	run.ctx = calloc(1, sc->ctx_size ? sc->ctx_size : 1);
	if (!run.ctx) {
		pkvmsim_destroy(run.sim);
		return -ENOMEM;
	}
	if (sc->setup) {
		ret = sc->setup(run.sim, run.ctx);
		if (ret) {
			if (sc->teardown)
				sc->teardown(run.sim, run.ctx);
			host_sim_destroy(run.sim, &res->report);
			free(run.ctx);
			return ret < 0 ? ret : -EINVAL;
		}
	}
	for (i = 0; i < sc->nr_cpus; i++) {
		run.args[i] = (struct body_arg){ .run = &run, .cpu = i };
		run.threads[i] = (struct sched_thread){
			.fn = body_main, .arg = &run.args[i], .cpu = i,
		};
	}

	if (trace && x) {
		fv.sim = run.sim;
		fv.before = machine_violations_peek(run.sim);
		fv.table = malloc(sizeof(*fv.table));
		sched_explorer_watch(x, first_violation_watch, &fv);
	}
	ret = history_start(run.sim);
	if (!ret)
		ret = x ? sched_explorer_run(x, run.threads, &sr) :
			  run_free(&run, &sr);
	if (x)
		sched_explorer_watch(x, NULL, NULL);
	if (ret <= 0) {
		free(fv.table);
		if (sc->teardown)
			sc->teardown(run.sim, run.ctx);
		host_sim_destroy(run.sim, &res->report);
		free(run.ctx);
		return ret;
	}

	res->trace_hash = sr.trace_hash;
	res->why[0] = '\0';
	/* Another shard's schedule, run only to learn the tree. */
	if (x && !sched_explorer_owned(x) && sr.outcome == SCHED_OK) {
		history_cancel(run.sim);
		if (sc->teardown)
			sc->teardown(run.sim, run.ctx);
		host_sim_destroy(run.sim, &res->report);
		free(run.ctx);
		free(fv.table);
		return 2;
	}
	if (sr.outcome != SCHED_OK) {
		/* The CPUs stopped mid-flight: nothing can be torn down. */
		snprintf(res->why, sizeof(res->why), "%s", sr.why);
		memset(&res->report, 0, sizeof(res->report));
		if (trace) {
			trace_run(x, &fv, res, &used);
			/* Its CPUs hold what they hold: read, don't lock. */
			machine_mark_stopped(run.sim);
			trace_table_now(run.sim, "where the run stopped", res,
					&used);
		}
		host_sim_abandon(run.sim);
		free(run.ctx);
		free(fv.table);
		*bad = true;
		return 1;
	}
	if (sr.outside)
		snprintf(res->why, sizeof(res->why), "a thread outside the "
			 "scheduler's control made a move during the run: it "
			 "may not replay");

	if (sc->check && sc->check(run.sim, run.ctx, res->why,
				   sizeof(res->why)))
		*bad = true;
	history = trace ? calloc(1, PKVMSIM_TRACE_MAX / 2) : NULL;
	/* The scenario's verdict first; its teardown is not in the history. */
	if (*bad)
		history_cancel(run.sim);
	else if (history_stop(run.sim, res->why, sizeof(res->why), history,
			      history ? PKVMSIM_TRACE_MAX / 2 : 0))
		*bad = true;
	/* The table as the bodies left it, before anything is given back. */
	if (trace) {
		trace_run(x, &fv, res, &used);
		trace_table_now(run.sim, "after the last step", res, &used);
		if (history && history[0])
			trace_append(res, &used, "hypercall history:\n%s",
				     history);
	}
	free(history);
	free(fv.table);
	if (sc->teardown)
		sc->teardown(run.sim, run.ctx);
	if (host_sim_destroy(run.sim, &res->report))
		*bad = true;
	if (sr.outside)
		*bad = true;
	free(run.ctx);
	return 1;
}

/* --- the exploration --- */

static int sched_config_of(const struct pkvmsim_strategy *st,
			   const struct pkvmsim_budget *budget,
			   struct sched_config *sc)
{
	*sc = (struct sched_config){
		.kind = SCHED_RANDOM,
		.seed = st->seed,
		.depth = st->depth,
		.preemptions = st->preemptions,
		.reduce = st->reduce,
		.max_steps = budget ? budget->max_steps : 0,
		.shard = st->shard,
		.nr_shards = st->nr_shards,
	};
	if (st->nr_shards > 1 && st->shard >= st->nr_shards)
		return -EINVAL;
	switch (st->kind) {
	case PKVMSIM_STRATEGY_RANDOM:
		sc->kind = SCHED_RANDOM;
		return 0;
	case PKVMSIM_STRATEGY_PCT:
		sc->kind = SCHED_PCT;
		return st->depth ? 0 : -EINVAL;
	case PKVMSIM_STRATEGY_DFS:
		sc->kind = SCHED_DFS;
		return 0;
	case PKVMSIM_STRATEGY_FREE:
		return 0;
	default:
		return -EINVAL;
	}
}

int explore_check_args(const struct pkvmsim_config *cfg,
		       const struct pkvmsim_scenario *sc)
{
	unsigned int i;

	if (!sc || !sc->name || !sc->name[0] || !sc->nr_cpus ||
	    sc->nr_cpus > PKVMSIM_EXPLORE_MAX_CPUS ||
	    cfg->nr_cpus < sc->nr_cpus)
		return -EINVAL;
	for (i = 0; i < sc->nr_cpus; i++)
		if (!sc->body[i])
			return -EINVAL;
	/* The name goes into a replay line between spaces. */
	if (strpbrk(sc->name, " \t\n="))
		return -EINVAL;
	return 0;
}

/*
 * Run the violating schedule once more, from its replay line, to write
 * its trace: the exploration itself keeps no trace, which would cost more
 * than the run.  A second run that differs is a determinism failure,
 * and said so.
 */
static void trace_again(const struct pkvmsim_scenario *sc,
			struct pkvmsim_explore_result *res)
{
	struct pkvmsim_explore_result *again = malloc(sizeof(*again));
	int ret;

	if (!again)
		return;
	ret = replay_line(res->replay, sc, again, true, NULL);
	if (ret == 1 && again->trace_hash == res->trace_hash) {
		memcpy(res->trace, again->trace, sizeof(res->trace));
		res->flagged_step = again->flagged_step;
	} else
		snprintf(res->trace, sizeof(res->trace), "the schedule did not "
			 "replay (%d): %s\n", ret, again->why);
	free(again);
}

static double report_every(const struct pkvmsim_budget *budget)
{
	return budget && budget->progress_seconds > 0 ?
	       budget->progress_seconds : 0.2;
}

/* Write @line to @path, replacing what was there. */
static void write_pending(const char *path, const char *line)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "%s\n", line);
	fclose(f);
}

int pkvmsim_explore(const struct pkvmsim_config *cfg,
		    const struct pkvmsim_scenario *sc,
		    const struct pkvmsim_strategy *st,
		    const struct pkvmsim_budget *budget,
		    struct pkvmsim_explore_result *res)
{
	struct pkvmsim_config mcfg;
	struct sched_config scfg;
	struct sched_explorer *x, *runner;
	double start, limit, next_report;
	bool bad = false;
	int ret;

	if (!st || !res)
		return -EINVAL;
	if (cfg)
		mcfg = *cfg;
	else
		pkvmsim_config_init(&mcfg);
	mcfg.hvc = NULL;
	mcfg.quiet = true;
	ret = explore_check_args(&mcfg, sc);
	if (ret)
		return ret;
	ret = sched_config_of(st, budget, &scfg);
	if (ret)
		return ret;
	/* Nothing would end it. */
	if (st->kind != PKVMSIM_STRATEGY_DFS &&
	    (!budget || (!budget->schedules && budget->seconds <= 0)))
		return -EINVAL;

	memset(res, 0, sizeof(*res));
	ret = sched_explorer_create(&scfg, sc->nr_cpus, &x);
	if (ret)
		return ret;
	/* A free run has no scheduler: the explorer only names runs. */
	runner = st->kind == PKVMSIM_STRATEGY_FREE ? NULL : x;

	start = explore_now();
	limit = budget && budget->seconds > 0 ? start + budget->seconds : 0;
	next_report = start + report_every(budget);
	for (;;) {
		if (budget && budget->progress && explore_now() >= next_report) {
			double now = explore_now();

			budget->progress(budget->progress_arg, res->schedules,
					 now - start,
					 sched_explorer_frontier(x));
			next_report = now + report_every(budget);
		}
		if (budget && budget->schedules &&
		    res->schedules >= budget->schedules)
			break;
		if (limit && explore_now() >= limit)
			break;
		if (sched_explorer_exhausted(x))
			break;
		if (budget && budget->pending_file && runner) {
			explore_line(&mcfg, sc, st, x, NULL, res->replay,
				     sizeof(res->replay));
			write_pending(budget->pending_file, res->replay);
		}
		ret = explore_one(&mcfg, sc, runner, res, false, &bad);
		if (ret <= 0)
			break;
		if (ret == 2)
			continue;
		res->schedules++;
		if (bad)
			break;
	}
	res->seconds = explore_now() - start;
	res->exhausted = runner && sched_explorer_exhausted(x) && !bad;
	res->redundant = sched_explorer_redundant(x);
	res->violation = bad;
	res->replay[0] = '\0';
	if (bad && runner)
		explore_line(&mcfg, sc, st, x, res, res->replay,
			     sizeof(res->replay));
	sched_explorer_destroy(x);
	if (ret < 0)
		return ret;
	if (bad && runner)
		trace_again(sc, res);
	return bad ? 1 : 0;
}
