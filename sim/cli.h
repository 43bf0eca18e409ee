/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pkvmsim program's parts: main.c reads the command line (with
 * options.c), run.c boots a simulator and runs one scenario on it,
 * scenario.c holds the scenarios, explore.c and replay.c drive the
 * library's race engine, output.c prints what happened, as text or JSON.
 */
#ifndef PKVMSIM_CLI_H
#define PKVMSIM_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/pkvmsim.h>

#define EXIT_VIOLATION	1
#define EXIT_USAGE	2

/* --- the command line (options.c) --- */

extern const char cli_usage[];

enum opt_id {
	OPT_SCENARIO,
	OPT_MODE,
	OPT_PROFILE,
	OPT_CPUS,
	OPT_VMS,
	OPT_ITERATIONS,
	OPT_SEED,
	OPT_JSON,
	OPT_HELP,
	OPT_STRATEGY,
	OPT_DEPTH,
	OPT_PREEMPTIONS,
	OPT_BUDGET,
	OPT_TIME,
	OPT_MAX_STEPS,
	OPT_PAGES,
	OPT_PENDING,
	OPT_TRACE,
	OPT_QUIET,
	OPT_REDUCE,
	OPT_MATRIX,
	OPT_CHECK,
	OPT_JOBS,
	OPT_SHARD,
};

struct cli_option {
	const char	*name;
	enum opt_id	id;
	bool		has_value;
};

/**
 * struct opt_iter - walks a command's options, "--name value" or
 * "--name=value".
 * @cmd:	the command, for messages.
 * @table:	the options it takes, ended by an empty entry.
 * @args:	if set, where arguments that are not options go (room for
 *		@argc); else such an argument is a usage error.
 * @nr_args:	how many went there.
 * @name:	the option just read, without any "=value".
 * @value:	its value, or NULL.
 */
struct opt_iter {
	const char			*cmd;
	const struct cli_option		*table;
	int				argc;
	char				**argv;
	int				i;
	const char			**args;
	int				nr_args;
	char				name[32];
	const char			*value;
};

/*
 * The next option into @idp, with @it->name and @it->value set: returns 1;
 * 0 at the end; or minus an exit status, the message printed.
 */
int opt_next(struct opt_iter *it, enum opt_id *idp);

/* "pkvmsim: <message> (try 'pkvmsim --help')" on stderr; EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Each parse_*() stores the value of option @opt and returns 0, or
 * prints a message naming @opt and returns EXIT_USAGE.
 */
int parse_uint(const char *opt, const char *val, unsigned int min,
	       unsigned int max, unsigned int *out);
int parse_count(const char *opt, const char *val, uint64_t min,
		uint64_t max, uint64_t *out);
int parse_seed(const char *opt, const char *val, uint64_t *out);
int parse_seconds(const char *opt, const char *val, double max,
		  double *out);
int parse_mode(const char *opt, const char *val, enum pkvmsim_mode *out);
int parse_check(const char *opt, const char *val, enum pkvmsim_check *out);
int parse_profile(const char *opt, const char *val,
		  enum pkvmsim_profile *out);
int check_writable(const char *opt, const char *path);

/* Bounds of --vms and --iterations. */
#define CLI_MAX_VMS		255
#define CLI_MAX_ITERATIONS	1000000

struct scenario_ctx;

/**
 * struct scenario - one thing the simulated host can be made to do.
 * @name:		what --scenario takes.
 * @summary:		one line for `pkvmsim list`.
 * @default_vms:	--vms when not given.
 * @default_iterations:	--iterations when not given.
 * @vms_per_cpu:	--vms counts each CPU's VMs, not the whole host's.
 * @run:		drive the host through the public API; the outcome
 *			is the oracle's, not the scenario's.
 */
struct scenario {
	const char	*name;
	const char	*summary;
	unsigned int	default_vms;
	unsigned int	default_iterations;
	bool		vms_per_cpu;
	void		(*run)(struct scenario_ctx *ctx);
};

extern const struct scenario scenarios[];
extern const unsigned int nr_scenarios;

const struct scenario *scenario_find(const char *name);

/* What `pkvmsim run` was asked to do. */
struct cli_opts {
	const struct scenario	*scenario;
	struct pkvmsim_config	cfg;	/* mode, profile, CPUs, seed */
	unsigned int		vms;
	unsigned int		iterations;
	bool			json;
};

/* Host operations a scenario made, and how they went. */
struct run_stats {
	unsigned long	ops;		/* host API calls, all kinds */
	unsigned long	vms_created;
	unsigned long	vms_refused;	/* -ENOMEM: every slot taken */
	unsigned long	vms_destroyed;
	unsigned long	vcpus_created;
	unsigned long	vcpu_runs;
	unsigned long	notifies;
	/* storm: handles the VMs held, and those an earlier VM had held */
	unsigned long	handles;
	unsigned long	handles_reused;
	/*
	 * storm: the most slots in use at once, and the rounds that filled
	 * the table and emptied it, as the table showed them between phases.
	 */
	unsigned int	high_water;
	unsigned int	fills;
	unsigned int	empties;
};

void run_stats_add(struct run_stats *to, const struct run_stats *from);

#define RUN_FAILURES_KEPT	16
#define RUN_FAILURE_LEN		160

/**
 * struct scenario_ctx - what a scenario runs against and reports into.
 * @sim:	the live simulator.
 * @opts:	the configuration.
 * @stats:	the scenario's counters (storm sums its threads' here).
 * @lock:	protects the failures, which threads may add.
 * @nr_failures: operations that failed with no reason to, and broken
 *		promises a scenario checks itself (exhaust).
 * @failures:	the first RUN_FAILURES_KEPT of them, one line each.
 * @note:	one line a scenario wants shown, e.g. what exhaust found.
 */
struct scenario_ctx {
	struct pkvmsim		*sim;
	const struct cli_opts	*opts;
	struct run_stats	stats;

	pthread_mutex_t		lock;
	unsigned long		nr_failures;
	char		failures[RUN_FAILURES_KEPT][RUN_FAILURE_LEN];
	char			note[RUN_FAILURE_LEN];
};

void scenario_fail(struct scenario_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Everything `pkvmsim run` prints. */
struct run_result {
	struct run_stats	stats;
	uint64_t		hypercalls;	/* after boot */
	/* ... by number; the last counts the numbers past the others */
	uint64_t		by_nr[PKVM_HVC_TRACE_NRS + 1];
	double			elapsed;	/* seconds of scenario */
	unsigned long		nr_failures;
	unsigned int		nr_failures_kept;
	char		failures[RUN_FAILURES_KEPT][RUN_FAILURE_LEN];
	char			note[RUN_FAILURE_LEN];
	int			check_ret;	/* pkvmsim_check() */
	int			destroy_ret;	/* pkvmsim_destroy() */
	struct pkvmsim_report	report;
};

/*
 * Boot a simulator for @opts, run its scenario, check and shut down.
 * Returns 0 when it ran (whatever it found), or a negative errno when it
 * could not, with a message printed.
 */
int run_scenario(const struct cli_opts *opts, struct run_result *res);

/* Whether @res shows anything wrong. */
bool run_failed(const struct run_result *res);

/*
 * run --matrix (matrix.c): @opts's scenario in every mode and profile,
 * a table of outcomes against the expected ones.  Returns the exit
 * status: 0 every cell as expected, EXIT_VIOLATION otherwise.
 */
int run_matrix(const struct cli_opts *opts);

/* @s as a JSON string, quotes and escapes included (output.c). */
void json_str(FILE *f, const char *s);

void print_run_text(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res);
void print_run_json(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res);
void print_list_text(FILE *f);
void print_list_json(FILE *f);

/* --- the race engine (explore.c, replay.c) --- */

int cmd_explore(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* explore --jobs: worker processes on this machine. */
#define EXPLORE_MAX_JOBS	64

/*
 * pkvmsim_explore() of @st's shard, spread over @jobs worker processes,
 * each a disjoint shard of it; a violation any finds is replayed here to
 * fill @res.  Returns as pkvmsim_explore().
 */
int explore_jobs(const struct pkvmsim_config *cfg,
		 const struct pkvmsim_scenario *sc,
		 const struct pkvmsim_strategy *st,
		 const struct pkvmsim_budget *budget, unsigned int jobs,
		 struct pkvmsim_explore_result *res);

/**
 * struct explore_desc - what an exploration or a replay ran, for output.
 * @command:	"explore" or "replay".
 * @scenario:	the race scenario's name.
 * @mode:	the machine's mode, @profile its profile, @cpus its CPUs.
 * @strategy:	"random", "pct" or "dfs".
 * @seed:	random and PCT: the seed of the first schedule.
 * @depth:	PCT: the bug depth; 0 for the others.
 * @preemptions: DFS: the preemption bound (PKVMSIM_PREEMPTIONS_UNBOUNDED:
 *		none); 0 for the others.
 * @reduce:	DFS: equivalent schedules skipped (sleep sets).
 * @status:	0 nothing found, 1 a violation, -ESTALE a replay line the
 *		code no longer follows.
 * @ended:	why a clean exploration stopped ("exhausted", "budget
 *		spent", "time up"); NULL for a replay.
 * @schedules:	schedules run.
 * @seconds:	wall time of all of them.
 */
struct explore_desc {
	const char	*command;
	char		scenario[64];
	char		mode[16];
	char		profile[16];
	unsigned int	cpus;
	char		strategy[16];
	uint64_t	seed;
	unsigned int	depth;
	unsigned int	preemptions;
	bool		reduce;
	int		status;
	const char	*ended;
	uint64_t	schedules;
	double		seconds;
};

void print_explore_text(FILE *f, const struct explore_desc *d,
			const struct pkvmsim_explore_result *res);
void print_explore_json(FILE *f, const struct explore_desc *d,
			const struct pkvmsim_explore_result *res);

/* What the strategies do, for `pkvmsim list`. */
const char *strategy_summary(enum pkvmsim_strategy_kind kind);

/* Mode and profile descriptions for `pkvmsim list` and --help. */
const char *mode_summary(enum pkvmsim_mode mode);
const char *profile_summary(enum pkvmsim_profile profile);

#endif /* PKVMSIM_CLI_H */
