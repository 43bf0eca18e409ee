/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pkvmsim program's parts: main.c reads the command line, run.c boots
 * a simulator and runs one scenario on it, scenario.c holds the scenarios,
 * output.c prints what happened, as text or JSON.
 */
#ifndef PKVMSIM_CLI_H
#define PKVMSIM_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pkvmsim/pkvmsim.h>

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

void print_run_text(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res);
void print_run_json(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res);
void print_list_text(FILE *f);
void print_list_json(FILE *f);

/* Mode and profile descriptions for `pkvmsim list` and --help. */
const char *mode_summary(enum pkvmsim_mode mode);
const char *profile_summary(enum pkvmsim_profile profile);

#endif /* PKVMSIM_CLI_H */
