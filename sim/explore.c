// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim explore: the library's race engine (<pkvmsim/explore.h>) on the
 * command line.  It runs a built-in race scenario under schedule after
 * schedule until one breaks something, and prints the line that replays
 * it (replay.c) first, on a line of its own, so that nothing after it (a
 * long report, a crash while writing the trace) can lose it: it is how a
 * failure is handed to someone else.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* A small machine boots fast, and no race scenario needs a big one. */
#define EXPLORE_PAGES		256UL
/* The fewest the library boots on. */
#define EXPLORE_MIN_PAGES	16UL
#define PCT_DEFAULT_DEPTH	3
/* The largest depth and bound a replay line may carry. */
#define PCT_MAX_DEPTH		16
#define DFS_DEFAULT_PREEMPTIONS	2
#define DFS_MAX_PREEMPTIONS	64
/* --time: a year is more than anyone waits. */
#define EXPLORE_MAX_SECONDS	(366.0 * 24 * 3600)
/* The progress line is redrawn at most five times a second. */
#define PROGRESS_PERIOD		0.2

static const struct cli_option explore_options[] = {
	{ "--scenario",		OPT_SCENARIO,		true },
	{ "--strategy",		OPT_STRATEGY,		true },
	{ "--depth",		OPT_DEPTH,		true },
	{ "--preemptions",	OPT_PREEMPTIONS,	true },
	{ "--budget",		OPT_BUDGET,		true },
	{ "--time",		OPT_TIME,		true },
	{ "--seed",		OPT_SEED,		true },
	{ "--mode",		OPT_MODE,		true },
	{ "--profile",		OPT_PROFILE,		true },
	{ "--cpus",		OPT_CPUS,		true },
	{ "--pages",		OPT_PAGES,		true },
	{ "--max-steps",	OPT_MAX_STEPS,		true },
	{ "--pending",		OPT_PENDING,		true },
	{ "--trace",		OPT_TRACE,		true },
	{ "--json",		OPT_JSON,		false },
	{ "--quiet",		OPT_QUIET,		false },
	{ "--reduce",		OPT_REDUCE,		false },
	{ "--jobs",		OPT_JOBS,		true },
	{ "--shard",		OPT_SHARD,		true },
	{ "--help",		OPT_HELP,		false },
	{ "-h",			OPT_HELP,		false },
	{ 0 },
};

/* What `pkvmsim explore` was asked to do. */
struct explore_opts {
	const struct pkvmsim_scenario	*sc;
	struct pkvmsim_config		cfg;
	struct pkvmsim_strategy		st;
	struct pkvmsim_budget		budget;
	const char			*trace;
	bool				json;
	bool				quiet;
	unsigned int			jobs;
};

/* Options given, for the checks that involve more than one. */
struct explore_given {
	bool	strategy, depth, preemptions, seed, cpus;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_strategy(const char *opt, const char *val,
			  enum pkvmsim_strategy_kind *out)
{
	char names[64] = "";
	unsigned int i;

	for (i = 0; i < PKVMSIM_STRATEGY_NR; i++) {
		const char *name = pkvmsim_strategy_name(i);

		if (!name)
			continue;
		if (!strcmp(val, name)) {
			*out = i;
			return 0;
		}
		/* The library's list, which may grow. */
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", names[0] ? ", " : "", name);
	}
	return usage_error("%s: unknown strategy '%s' (%s)", opt, val, names);
}

/* "i/N": shard i of N, 0 <= i < N <= 65536. */
static int parse_shard(const char *opt, const char *val,
		       struct pkvmsim_strategy *st)
{
	char *slash = strchr(val, '/');
	char index[16];
	size_t len;

	if (!slash || slash == val || (len = (size_t)(slash - val)) >=
					 sizeof(index))
		return usage_error("%s: '%s' is not i/N (shard i of N, from "
				   "0)", opt, val);
	memcpy(index, val, len);
	index[len] = '\0';
	if (parse_uint(opt, slash + 1, 1, 65536, &st->nr_shards) ||
	    parse_uint(opt, index, 0, 65535, &st->shard))
		return EXIT_USAGE;
	if (st->shard >= st->nr_shards)
		return usage_error("%s: shard %u of %u: i must be below N",
				   opt, st->shard, st->nr_shards);
	return 0;
}

static bool takes_seed(enum pkvmsim_strategy_kind kind)
{
	return kind == PKVMSIM_STRATEGY_RANDOM || kind == PKVMSIM_STRATEGY_PCT;
}

static int parse_race_scenario(const char *opt, const char *val,
			       const struct pkvmsim_scenario **out)
{
	*out = pkvmsim_scenario_find(val);
	if (*out)
		return 0;
	if (scenario_find(val))
		return usage_error("%s: '%s' is a scenario of 'pkvmsim run', "
				   "not a race scenario (see 'pkvmsim list')",
				   opt, val);
	return usage_error("%s: unknown race scenario '%s' (see 'pkvmsim "
			   "list')", opt, val);
}

static int explore_option(struct explore_opts *o, struct explore_given *g,
			  const struct opt_iter *it, enum opt_id id)
{
	const char *name = it->name, *val = it->value;
	uint64_t n;
	int ret;

	switch (id) {
	case OPT_SCENARIO:
		return parse_race_scenario(name, val, &o->sc);
	case OPT_STRATEGY:
		g->strategy = true;
		return parse_strategy(name, val, &o->st.kind);
	case OPT_DEPTH:
		g->depth = true;
		return parse_uint(name, val, 1, PCT_MAX_DEPTH, &o->st.depth);
	case OPT_PREEMPTIONS:
		g->preemptions = true;
		if (!strcmp(val, "all")) {
			o->st.preemptions = PKVMSIM_PREEMPTIONS_UNBOUNDED;
			return 0;
		}
		return parse_uint(name, val, 0, DFS_MAX_PREEMPTIONS,
				  &o->st.preemptions);
	case OPT_BUDGET:
		return parse_count(name, val, 1, UINT64_MAX,
				   &o->budget.schedules);
	case OPT_TIME:
		return parse_seconds(name, val, EXPLORE_MAX_SECONDS,
				     &o->budget.seconds);
	case OPT_SEED:
		g->seed = true;
		return parse_seed(name, val, &o->st.seed);
	case OPT_MODE:
		return parse_mode(name, val, &o->cfg.mode);
	case OPT_PROFILE:
		return parse_profile(name, val, &o->cfg.profile);
	case OPT_CPUS:
		g->cpus = true;
		return parse_uint(name, val, 1, PKVMSIM_MAX_CPUS,
				  &o->cfg.nr_cpus);
	case OPT_PAGES:
		ret = parse_count(name, val, EXPLORE_MIN_PAGES,
				  PKVMSIM_MAX_ARENA_PAGES, &n);
		o->cfg.arena_pages = (unsigned long)n;
		return ret;
	case OPT_MAX_STEPS:
		return parse_count(name, val, 1, UINT64_MAX,
				   &o->budget.max_steps);
	case OPT_PENDING:
		o->budget.pending_file = val;
		return check_writable(name, val);
	case OPT_TRACE:
		o->trace = val;
		return check_writable(name, val);
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_REDUCE:
		o->st.reduce = true;
		return 0;
	case OPT_JOBS:
		return parse_uint(name, val, 1, EXPLORE_MAX_JOBS, &o->jobs);
	case OPT_SHARD:
		return parse_shard(name, val, &o->st);
	default:	/* OPT_HELP is the caller's; the rest are run's */
		return usage_error("explore: unknown option '%s'", name);
	}
}

/* What no single option can be checked for. */
static int explore_check(struct explore_opts *o,
			 const struct explore_given *g)
{
	const char *strategy = pkvmsim_strategy_name(o->st.kind);

	if (!o->sc)
		return usage_error("explore: --scenario is required (see "
				   "'pkvmsim list')");
	if (!g->strategy)
		return usage_error("explore: --strategy is required (see "
				   "'pkvmsim list')");
	if (!g->cpus)
		o->cfg.nr_cpus = o->sc->nr_cpus;
	else if (o->cfg.nr_cpus < o->sc->nr_cpus)
		return usage_error("--cpus: scenario %s runs on %u CPUs, more "
				   "than %u", o->sc->name, o->sc->nr_cpus,
				   o->cfg.nr_cpus);

	if (g->depth && o->st.kind != PKVMSIM_STRATEGY_PCT)
		return usage_error("--depth: only --strategy pct takes a bug "
				   "depth, not %s", strategy);
	if (g->preemptions && o->st.kind != PKVMSIM_STRATEGY_DFS)
		return usage_error("--preemptions: only --strategy dfs takes "
				   "a preemption bound, not %s", strategy);
	if (g->seed && !takes_seed(o->st.kind))
		return usage_error("--seed: only --strategy random and pct "
				   "take a seed, not %s", strategy);
	if (o->trace && !takes_seed(o->st.kind) &&
	    o->st.kind != PKVMSIM_STRATEGY_DFS)
		return usage_error("--trace: a run of --strategy %s cannot be "
				   "replayed, so it has no trace", strategy);
	if (o->st.kind == PKVMSIM_STRATEGY_PCT && !g->depth)
		o->st.depth = PCT_DEFAULT_DEPTH;
	if (o->st.kind == PKVMSIM_STRATEGY_DFS && !g->preemptions)
		o->st.preemptions = DFS_DEFAULT_PREEMPTIONS;
	if (o->st.reduce && (o->st.kind != PKVMSIM_STRATEGY_DFS ||
			     o->st.preemptions != PKVMSIM_PREEMPTIONS_UNBOUNDED))
		return usage_error("--reduce: needs --strategy dfs "
				   "--preemptions all (under a bound it would "
				   "skip schedules within it)");

	/* DFS ends by itself; the others would run for ever. */
	if (o->st.kind != PKVMSIM_STRATEGY_DFS && !o->budget.schedules &&
	    o->budget.seconds <= 0)
		return usage_error("explore: --strategy %s needs --budget N "
				   "or --time S", strategy);
	return 0;
}

/* --- progress, on a terminal --- */

struct progress {
	bool	on;
	double	last;	/* when it was drawn */
	int	width;	/* of what is on the screen, to blank it */
};

static void progress_draw(struct progress *p, const struct explore_opts *o,
			  uint64_t done, double elapsed, uint64_t frontier)
{
	char line[160];
	int n;

	n = snprintf(line, sizeof(line), "explore %s, %s: %" PRIu64
		     " schedules", o->sc->name,
		     pkvmsim_strategy_name(o->st.kind), done);
	if (o->budget.schedules && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " of %"
			      PRIu64, o->budget.schedules);
	if (n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", %.0f/s",
			      elapsed > 0 ? (double)done / elapsed : 0);
	if (o->budget.seconds > 0 && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      ", %.0f s left", o->budget.seconds > elapsed ?
			      o->budget.seconds - elapsed : 0);
	if (o->st.kind == PKVMSIM_STRATEGY_DFS && n > 0 &&
	    (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n,
			      ", frontier %" PRIu64, frontier);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	/* Blank what a longer line before left. */
	fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0,
		"");
	if (n > p->width)
		p->width = n;
	p->last = now();
}

static void progress_clear(struct progress *p)
{
	if (p->width)
		fprintf(stderr, "\r%*s\r", p->width, "");
	p->width = 0;
}

/* --- exploring --- */

struct progress_ctx {
	struct progress			p;
	const struct explore_opts	*o;
};

/* The library's progress callback: redraw the line. */
static void on_progress(void *arg, uint64_t schedules, double seconds,
			uint64_t frontier)
{
	struct progress_ctx *c = arg;

	progress_draw(&c->p, c->o, schedules, seconds, frontier);
}

/*
 * One pkvmsim_explore() call, the progress line drawn from its callback
 * on a terminal.  Returns as pkvmsim_explore(), @d filled in.
 */
static int explore_run(const struct explore_opts *o,
		       struct pkvmsim_explore_result *res,
		       struct explore_desc *d)
{
	struct progress_ctx c = {
		.p.on = !o->quiet && !o->json && isatty(STDERR_FILENO),
		.o = o,
	};
	struct pkvmsim_budget b = o->budget;
	double start = now();
	int ret;

	if (c.p.on && o->jobs <= 1) {
		b.progress = on_progress;
		b.progress_arg = &c;
		b.progress_seconds = PROGRESS_PERIOD;
	}
	if (o->jobs > 1)
		ret = explore_jobs(&o->cfg, o->sc, &o->st, &b, o->jobs, res);
	else
		ret = pkvmsim_explore(&o->cfg, o->sc, &o->st, &b, res);
	progress_clear(&c.p);
	d->schedules = res->schedules;
	d->seconds = now() - start;
	if (res->exhausted)
		d->ended = "exhausted";
	else if (o->budget.schedules && res->schedules >= o->budget.schedules)
		d->ended = "budget spent";
	else
		d->ended = "time up";
	return ret;
}

/*
 * Write the Chrome/Perfetto trace of the schedule @line names to @path,
 * running it once more.  Returns 0, or -errno with a message printed.
 */
static int write_trace(const char *path, const char *line, uint64_t hash)
{
	struct pkvmsim_explore_result *again;
	FILE *f;
	int ret;

	again = malloc(sizeof(*again));
	if (!again)
		return -ENOMEM;
	f = fopen(path, "w");
	if (!f) {
		ret = -errno;
		fprintf(stderr, "pkvmsim: --trace: cannot write '%s': %s\n",
			path, strerror(-ret));
		free(again);
		return ret;
	}
	ret = pkvmsim_replay_json(line, NULL, f, again);
	if (fclose(f) && ret >= 0)
		ret = -EIO;
	if (ret < 0)
		fprintf(stderr, "pkvmsim: --trace: cannot write '%s': %s\n",
			path, strerror(-ret));
	else if (ret != 1 || again->trace_hash != hash)
		/* Written, but of a schedule that went otherwise. */
		fprintf(stderr, "pkvmsim: --trace: '%s' shows a run that "
			"went otherwise (trace hash %016" PRIx64 ", not %016"
			PRIx64 "): the schedule does not replay\n", path,
			again->trace_hash, hash);
	free(again);
	return ret < 0 ? ret : 0;
}

static void print_result(const struct explore_opts *o,
			 const struct explore_desc *d,
			 const struct pkvmsim_explore_result *res)
{
	if (o->json)
		print_explore_json(stdout, d, res);
	else
		print_explore_text(stdout, d, res);
	fflush(stdout);
}

int cmd_explore(int argc, char **argv)
{
	struct opt_iter it = {
		.cmd = "explore", .table = explore_options,
		.argc = argc, .argv = argv,
	};
	struct pkvmsim_explore_result *res;
	struct explore_given g = { 0 };
	struct explore_desc d = { .command = "explore" };
	struct explore_opts o;
	enum opt_id id;
	int ret;

	memset(&o, 0, sizeof(o));
	pkvmsim_config_init(&o.cfg);
	o.cfg.arena_pages = EXPLORE_PAGES;
	while ((ret = opt_next(&it, &id)) > 0) {
		if (id == OPT_HELP) {
			fputs(cli_usage, stdout);
			return 0;
		}
		ret = explore_option(&o, &g, &it, id);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return -ret;
	ret = explore_check(&o, &g);
	if (ret)
		return ret;

	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "pkvmsim: out of memory\n");
		return EXIT_USAGE;
	}
	ret = explore_run(&o, res, &d);
	if (ret < 0) {
		/* Mostly the scenario's set-up, refused by this machine. */
		fprintf(stderr, "pkvmsim: explore: scenario %s cannot run in "
			"%s mode, profile %s, %u CPUs, %lu pages: %s%s\n",
			o.sc->name, pkvmsim_mode_name(o.cfg.mode),
			pkvmsim_profile_name(o.cfg.profile), o.cfg.nr_cpus,
			o.cfg.arena_pages, strerror(-ret),
			ret == -ENOMEM ? " (try more --pages)" : "");
		free(res);
		return EXIT_USAGE;
	}

	snprintf(d.scenario, sizeof(d.scenario), "%s", o.sc->name);
	snprintf(d.mode, sizeof(d.mode), "%s",
		 pkvmsim_mode_name(o.cfg.mode));
	snprintf(d.profile, sizeof(d.profile), "%s",
		 pkvmsim_profile_name(o.cfg.profile));
	snprintf(d.strategy, sizeof(d.strategy), "%s",
		 pkvmsim_strategy_name(o.st.kind));
	d.cpus = o.cfg.nr_cpus;
	d.seed = o.st.seed;
	d.depth = o.st.depth;
	d.preemptions = o.st.preemptions;
	d.reduce = o.st.reduce;
	d.status = ret;
	print_result(&o, &d, res);

	/* After the replay line is out: this runs the schedule again. */
	if (ret == 1 && o.trace &&
	    !write_trace(o.trace, res->replay, res->trace_hash) && !o.json)
		printf("perfetto trace: %s (open it in ui.perfetto.dev)\n",
		       o.trace);
	free(res);
	return ret ? EXIT_VIOLATION : 0;
}
