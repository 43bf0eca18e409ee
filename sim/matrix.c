// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim run --matrix: one scenario in every mode and every profile, and
 * a table of the outcomes, each against what the series says it should
 * be.  6.18 holds everywhere; the historic bugs show where they were and
 * nowhere else: v3 reserves a handle whatever the mode, so every VM
 * creation in nVHE or VHE mode fails; a lazy host (the handle at the
 * first vCPU run) tells the TrustZone of a VM, and lets a notifier name
 * it, before it has a handle, in pKVM mode.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A finding, cut to fit the table's last column. */
#define FINDING_WIDTH	60

struct cell {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	bool			expect_fail;
	bool			failed;
	unsigned long		violations;
	unsigned long		failures;
	unsigned long		leaked;
	char			finding[RUN_FAILURE_LEN];
};

static bool expect_fail(enum pkvmsim_mode mode, enum pkvmsim_profile profile)
{
	if (profile == PKVMSIM_PROFILE_V3)
		return mode != PKVMSIM_MODE_PROTECTED;
	if (profile == PKVMSIM_PROFILE_LAZY)
		return mode == PKVMSIM_MODE_PROTECTED;
	return false;
}

static void first_finding(const struct run_result *res, char *buf,
			  size_t len)
{
	const struct pkvmsim_report *rep = &res->report;

	if (rep->nr_kept)
		snprintf(buf, len, "invariant %u: %.120s",
			 rep->violations[0].invariant, rep->violations[0].what);
	else if (res->nr_failures_kept)
		snprintf(buf, len, "%s", res->failures[0]);
	else if (run_failed(res))
		snprintf(buf, len, "found at shutdown");
	else
		buf[0] = '\0';
}

static int run_cell(const struct cli_opts *base, struct cell *c,
		    struct run_result *res)
{
	struct cli_opts opts = *base;
	int ret;

	opts.cfg.mode = c->mode;
	opts.cfg.profile = c->profile;
	/* The table says what each run found; no report of its own. */
	opts.cfg.quiet = true;
	ret = run_scenario(&opts, res);
	if (ret)
		return ret;
	c->expect_fail = expect_fail(c->mode, c->profile);
	c->failed = run_failed(res);
	c->violations = res->report.nr_violations;
	c->failures = res->nr_failures;
	c->leaked = res->report.nr_leaked_pages;
	first_finding(res, c->finding, sizeof(c->finding));
	return 0;
}

static void print_text(FILE *f, const struct cli_opts *opts,
		       const struct cell *cells, unsigned int n,
		       unsigned int as_expected)
{
	unsigned int i;

	fprintf(f, "pkvmsim run --matrix: scenario %s, %u CPU%s, seed %"
		PRIu64 "\n", opts->scenario->name, opts->cfg.nr_cpus,
		opts->cfg.nr_cpus == 1 ? "" : "s", opts->cfg.seed);
	fprintf(f, "  %-10s %-8s %-8s %-6s %10s %7s %7s  %s\n", "mode",
		"profile", "expected", "result", "violations", "failed",
		"leaked", "first finding");
	for (i = 0; i < n; i++) {
		const struct cell *c = &cells[i];

		fprintf(f, "  %-10s %-8s %-8s %-6s %10lu %7lu %7lu  %.*s%s\n",
			pkvmsim_mode_name(c->mode),
			pkvmsim_profile_name(c->profile),
			c->expect_fail ? "FAIL" : "PASS",
			c->failed ? "FAIL" : "PASS", c->violations,
			c->failures, c->leaked, FINDING_WIDTH, c->finding,
			c->failed != c->expect_fail ? "  <- unexpected" : "");
	}
	fprintf(f, "matrix: %s (%u of %u cells as expected)\n",
		as_expected == n ? "as expected" : "NOT as expected",
		as_expected, n);
}

static void print_json(FILE *f, const struct cli_opts *opts,
		       const struct cell *cells, unsigned int n,
		       unsigned int as_expected)
{
	unsigned int i;

	fputs("{\n  \"scenario\": ", f);
	json_str(f, opts->scenario->name);
	fprintf(f, ",\n  \"cpus\": %u,\n  \"seed\": %" PRIu64 ",\n"
		"  \"cells\": [", opts->cfg.nr_cpus, opts->cfg.seed);
	for (i = 0; i < n; i++) {
		const struct cell *c = &cells[i];

		fprintf(f, "%s\n    {\"mode\": \"%s\", \"profile\": \"%s\", "
			"\"expected\": \"%s\", \"result\": \"%s\", "
			"\"violations\": %lu, \"failed_operations\": %lu, "
			"\"leaked_pages\": %lu, \"first_finding\": ",
			i ? "," : "", pkvmsim_mode_name(c->mode),
			pkvmsim_profile_name(c->profile),
			c->expect_fail ? "fail" : "pass",
			c->failed ? "fail" : "pass", c->violations,
			c->failures, c->leaked);
		json_str(f, c->finding);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"as_expected\": %s\n}\n",
		as_expected == n ? "true" : "false");
}

int run_matrix(const struct cli_opts *opts)
{
	struct cell cells[PKVMSIM_MODE_NR * PKVMSIM_PROFILE_NR];
	unsigned int mode, profile, n = 0, as_expected = 0;
	struct run_result *res = malloc(sizeof(*res));

	if (!res) {
		fprintf(stderr, "pkvmsim: out of memory\n");
		return EXIT_USAGE;
	}
	for (mode = 0; mode < PKVMSIM_MODE_NR; mode++) {
		for (profile = 0; profile < PKVMSIM_PROFILE_NR; profile++) {
			struct cell *c = &cells[n];

			memset(c, 0, sizeof(*c));
			c->mode = mode;
			c->profile = profile;
			if (run_cell(opts, c, res)) {
				free(res);
				return EXIT_USAGE;
			}
			as_expected += c->failed == c->expect_fail;
			n++;
		}
	}
	free(res);

	if (opts->json)
		print_json(stdout, opts, cells, n, as_expected);
	else
		print_text(stdout, opts, cells, n, as_expected);
	return as_expected == n ? 0 : EXIT_VIOLATION;
}
