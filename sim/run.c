// SPDX-License-Identifier: GPL-2.0-only
/*
 * One run: boot a simulator, count its hypercalls, run a scenario on it,
 * and ask the library what went wrong.  The verdict is the oracle's
 * (pkvmsim_check(), then pkvmsim_destroy() for what shutdown finds), plus
 * any operation the scenario saw fail.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool run_failed(const struct run_result *res)
{
	return res->check_ret || res->destroy_ret || res->nr_failures;
}

int run_scenario(const struct cli_opts *opts, struct run_result *res)
{
	struct scenario_ctx ctx = { .opts = opts };
	struct pkvm_hvc_trace *trace;
	unsigned int i;
	double start;
	int ret;

	memset(res, 0, sizeof(*res));

	/*
	 * A trace that keeps no entries is a hypercall counter.  Boot-time
	 * calls bypass any installed transport, so it counts the scenario's.
	 */
	ret = pkvm_hvc_trace_create(pkvm_hvc_smccc(), 0, &trace);
	if (ret) {
		fprintf(stderr, "pkvmsim: cannot create the hypercall "
			"counter: %s\n", strerror(-ret));
		return ret;
	}

	ret = pkvmsim_create(&opts->cfg, &ctx.sim);
	if (ret) {
		fprintf(stderr, "pkvmsim: cannot boot the simulated machine: "
			"%s\n", strerror(-ret));
		pkvm_hvc_trace_destroy(trace);
		return ret;
	}
	ret = pkvmsim_set_hvc(ctx.sim, pkvm_hvc_trace_ops(trace));
	if (ret) {
		fprintf(stderr, "pkvmsim: cannot install the hypercall "
			"counter: %s\n", strerror(-ret));
		pkvmsim_destroy(ctx.sim);
		pkvm_hvc_trace_destroy(trace);
		return ret;
	}
	pthread_mutex_init(&ctx.lock, NULL);

	start = now();
	opts->scenario->run(&ctx);
	res->elapsed = now() - start;

	res->hypercalls = pkvm_hvc_trace_count(trace);
	for (i = 0; i <= PKVM_HVC_TRACE_NRS; i++)
		res->by_nr[i] = pkvm_hvc_trace_count_nr(trace, i);
	res->check_ret = pkvmsim_check(ctx.sim, &res->report);
	/* It prints what it finds itself: to stderr, before our summary. */
	res->destroy_ret = pkvmsim_destroy(ctx.sim);
	/* Only now: shutdown destroys any VM left, through the counter. */
	pkvm_hvc_trace_destroy(trace);

	res->stats = ctx.stats;
	res->nr_failures = ctx.nr_failures;
	res->nr_failures_kept = ctx.nr_failures < RUN_FAILURES_KEPT ?
				(unsigned int)ctx.nr_failures :
				RUN_FAILURES_KEPT;
	for (i = 0; i < res->nr_failures_kept; i++)
		memcpy(res->failures[i], ctx.failures[i], RUN_FAILURE_LEN);
	memcpy(res->note, ctx.note, sizeof(res->note));
	pthread_mutex_destroy(&ctx.lock);
	return 0;
}
