// SPDX-License-Identifier: GPL-2.0-only
/*
 * What pkvmsim prints: a run's summary and `pkvmsim list`, each as text for
 * a person or as one JSON object for a program.  The text keeps one fact
 * per line, label first, so that a test or grep can pick a line out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const mode_summaries[PKVMSIM_MODE_NR] = {
	[PKVMSIM_MODE_PROTECTED] = "pKVM, finalised: a 255-slot VM table",
	[PKVMSIM_MODE_NVHE] = "nVHE hypervisor, not protected: no VM table",
	[PKVMSIM_MODE_VHE] = "no hypervisor: an HVC panics the host",
};

static const char *const profile_summaries[PKVMSIM_PROFILE_NR] = {
	[PKVMSIM_PROFILE_6_18] = "Linux 6.18: the handle is reserved at VM "
				 "creation, in pKVM mode only",
	[PKVMSIM_PROFILE_V3]   = "v3 of the series: reserve in every mode, "
				 "unreserve in pKVM mode only",
	[PKVMSIM_PROFILE_LAZY] = "before the series: the handle is reserved "
				 "at the first vCPU run",
};

static const char *const strategy_summaries[PKVMSIM_STRATEGY_NR] = {
	[PKVMSIM_STRATEGY_RANDOM] = "any runnable CPU at each scheduling "
				    "point; schedule r from seed + r",
	[PKVMSIM_STRATEGY_PCT]	  = "PCT: random priorities, --depth D - 1 "
				    "change points (default 3)",
	[PKVMSIM_STRATEGY_DFS]	  = "every schedule with at most "
				    "--preemptions K (default 2; all: no "
				    "bound, --reduce skips equivalent ones)",
	[PKVMSIM_STRATEGY_FREE]	  = "no control: the CPUs run at once on "
				    "real threads; no replay",
};

const char *strategy_summary(enum pkvmsim_strategy_kind kind)
{
	const char *s = (unsigned int)kind < PKVMSIM_STRATEGY_NR ?
			strategy_summaries[kind] : NULL;

	/* One the library added since this table was written: no words. */
	return s ? s : "";
}

const char *mode_summary(enum pkvmsim_mode mode)
{
	return (unsigned int)mode < PKVMSIM_MODE_NR ? mode_summaries[mode] :
						      NULL;
}

const char *profile_summary(enum pkvmsim_profile profile)
{
	return (unsigned int)profile < PKVMSIM_PROFILE_NR ?
	       profile_summaries[profile] : NULL;
}

/* The command line that boots the same machine and runs the same thing. */
static void print_replay(FILE *f, const struct cli_opts *opts)
{
	fprintf(f, "pkvmsim run --scenario %s --mode %s --profile %s "
		"--cpus %u", opts->scenario->name,
		pkvmsim_mode_name(opts->cfg.mode),
		pkvmsim_profile_name(opts->cfg.profile), opts->cfg.nr_cpus);
	/* 0: storm's own default, until the table is full. */
	if (opts->vms)
		fprintf(f, " --vms %u", opts->vms);
	fprintf(f, " --iterations %u --seed %" PRIu64, opts->iterations,
		opts->cfg.seed);
	if (opts->cfg.check == PKVMSIM_CHECK_END)
		fprintf(f, " --check end");
}

/* "__pkvm_reserve_vm" for a hypercall number, "#N" for one unnamed. */
static const char *hcall_label(unsigned int nr, char *buf, size_t len)
{
	const char *name = pkvmsim_hcall_name(nr);

	if (name)
		return name;
	snprintf(buf, len, "#%u", nr);
	return buf;
}

static double per_second(unsigned long long n, double elapsed)
{
	return elapsed > 0 ? (double)n / elapsed : 0;
}

/* --- text --- */

void print_run_text(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res)
{
	const struct run_stats *st = &res->stats;
	const struct pkvmsim_report *rep = &res->report;
	unsigned int i;

	fprintf(f, "pkvmsim: scenario %s, %s mode, profile %s, %u CPU%s, ",
		opts->scenario->name, pkvmsim_mode_name(opts->cfg.mode),
		pkvmsim_profile_name(opts->cfg.profile), opts->cfg.nr_cpus,
		opts->cfg.nr_cpus == 1 ? "" : "s");
	if (opts->vms)
		fprintf(f, "%u VM%s%s", opts->vms, opts->vms == 1 ? "" : "s",
			opts->scenario->vms_per_cpu ? " per CPU" : "");
	else
		fprintf(f, "VMs until the table is full");
	fprintf(f, " x %u iteration%s, seed %" PRIu64 "\n",
		opts->iterations, opts->iterations == 1 ? "" : "s",
		opts->cfg.seed);
	fprintf(f, "  VMs created        %10lu (%lu refused: table full)\n",
		st->vms_created, st->vms_refused);
	fprintf(f, "  VMs destroyed      %10lu\n", st->vms_destroyed);
	fprintf(f, "  vCPUs created      %10lu\n", st->vcpus_created);
	fprintf(f, "  vCPU runs          %10lu\n", st->vcpu_runs);
	fprintf(f, "  MMU notifies       %10lu\n", st->notifies);
	if (opts->scenario->vms_per_cpu) {
		fprintf(f, "  handles            %10lu (%lu reused, after "
			"another VM held them)\n", st->handles,
			st->handles_reused);
		fprintf(f, "  table high-water   %10u slots in use at once (of "
			"255)\n", st->high_water);
		fprintf(f, "  table filled       %10u of %u rounds, emptied "
			"%u\n", st->fills, opts->iterations, st->empties);
	}
	fprintf(f, "  hypercalls         %10" PRIu64 " (after boot)\n",
		res->hypercalls);
	for (i = 0; i <= PKVM_HVC_TRACE_NRS; i++) {
		char buf[16];

		if (!res->by_nr[i])
			continue;
		fprintf(f, "    %-26s %10" PRIu64 "\n",
			i < PKVM_HVC_TRACE_NRS ? hcall_label(i, buf,
							     sizeof(buf)) :
						 "(numbers past the table)",
			res->by_nr[i]);
	}
	fprintf(f, "  invariants checked %10lu answers judged, %lu whole "
		"states%s\n", rep->nr_judged, rep->nr_state_checks,
		opts->cfg.check == PKVMSIM_CHECK_END ? " (--check end)" : "");
	fprintf(f, "  failed operations  %10lu\n", res->nr_failures);
	fprintf(f, "  violations         %10lu\n", rep->nr_violations);
	fprintf(f, "  leaked pages       %10lu\n", rep->nr_leaked_pages);
	fprintf(f, "  warnings           %10lu hyp, %lu host (%lu page "
		"transitions refused)\n", rep->nr_warnings,
		rep->nr_host_warnings, rep->nr_refusals);
	if (res->note[0])
		fprintf(f, "  found              %s\n", res->note);
	fprintf(f, "  elapsed            %10.3f s, %.0f ops/s, %.0f "
		"hypercalls/s\n", res->elapsed,
		per_second(st->ops, res->elapsed),
		per_second(res->hypercalls, res->elapsed));

	if (!run_failed(res)) {
		fprintf(f, "result: PASS\n");
		return;
	}

	/* The report's lines already say "violation: " or name the page. */
	fputs(rep->text, f);
	if (rep->text[0] && rep->text[strlen(rep->text) - 1] != '\n')
		fputc('\n', f);
	if (res->destroy_ret && !res->check_ret)
		fprintf(f, "violation: found at shutdown by pkvmsim_destroy() "
			"(printed above)\n");
	for (i = 0; i < res->nr_failures_kept; i++)
		fprintf(f, "failed: %s\n", res->failures[i]);
	if (res->nr_failures > res->nr_failures_kept)
		fprintf(f, "(%lu more failed operations)\n",
			res->nr_failures - res->nr_failures_kept);

	fprintf(f, "result: FAIL (%lu violation%s, %lu leaked page%s, %lu "
		"failed operation%s)\n", rep->nr_violations,
		rep->nr_violations == 1 ? "" : "s", rep->nr_leaked_pages,
		rep->nr_leaked_pages == 1 ? "" : "s", res->nr_failures,
		res->nr_failures == 1 ? "" : "s");
	fputs("replay: ", f);
	print_replay(f, opts);
	fputc('\n', f);
}

void print_list_text(FILE *f)
{
	const struct pkvmsim_scenario *sc;
	unsigned int i;

	fprintf(f, "scenarios:\n");
	for (i = 0; i < nr_scenarios; i++)
		fprintf(f, "  %-18s %s\n", scenarios[i].name,
			scenarios[i].summary);
	fprintf(f, "race scenarios (pkvmsim explore):\n");
	for (i = 0; (sc = pkvmsim_scenario_at(i)); i++)
		fprintf(f, "  %-18s %u CPUs: %s\n", sc->name, sc->nr_cpus,
			sc->window);
	fprintf(f, "strategies (pkvmsim explore --strategy):\n");
	for (i = 0; i < PKVMSIM_STRATEGY_NR; i++)
		if (pkvmsim_strategy_name(i))
			fprintf(f, "  %-18s %s\n", pkvmsim_strategy_name(i),
				strategy_summary(i));
	fprintf(f, "modes:\n");
	for (i = 0; i < PKVMSIM_MODE_NR; i++)
		fprintf(f, "  %-18s %s\n", pkvmsim_mode_name(i),
			mode_summary(i));
	fprintf(f, "profiles:\n");
	for (i = 0; i < PKVMSIM_PROFILE_NR; i++)
		fprintf(f, "  %-18s %s\n", pkvmsim_profile_name(i),
			profile_summary(i));
}

/* --- JSON --- */

/* A JSON string of the first @len bytes of @s. */
static void json_strn(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}

static void json_key(FILE *f, const char *key)
{
	fputs("  ", f);
	json_str(f, key);
	fputs(": ", f);
}

static void json_ulong(FILE *f, const char *key, unsigned long long v)
{
	json_key(f, key);
	fprintf(f, "%llu,\n", v);
}

/* The report's text, one array element per line. */
static void json_lines(FILE *f, const char *text)
{
	const char *nl;
	bool first = true;

	fputc('[', f);
	while (*text) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		fputs(first ? "\n    " : ",\n    ", f);
		json_strn(f, text, (size_t)(nl - text));
		first = false;
		text = *nl ? nl + 1 : nl;
	}
	fputs(first ? "]" : "\n  ]", f);
}

/* The oracle's structured records, as "violation_list": [...],\n. */
static void json_violations(FILE *f, const struct pkvmsim_report *rep)
{
	unsigned int i;

	json_key(f, "violation_list");
	fputc('[', f);
	for (i = 0; i < rep->nr_kept; i++) {
		const struct pkvmsim_violation *v = &rep->violations[i];

		fprintf(f, "%s\n    {\"invariant\": %u, \"vm\": %lu, "
			"\"handle\": %u, \"cpu\": %d, \"op\": ", i ? "," : "",
			v->invariant, v->vm, v->handle, v->cpu);
		json_strn(f, v->op, sizeof(v->op));
		fputs(", \"what\": ", f);
		json_strn(f, v->what, sizeof(v->what));
		fputc('}', f);
	}
	fputs(rep->nr_kept ? "\n  ],\n" : "],\n", f);
}

void print_run_json(FILE *f, const struct cli_opts *opts,
		    const struct run_result *res)
{
	const struct run_stats *st = &res->stats;
	const struct pkvmsim_report *rep = &res->report;
	unsigned int i, n;

	fputs("{\n", f);
	json_key(f, "scenario");
	json_str(f, opts->scenario->name);
	fputs(",\n", f);
	json_key(f, "mode");
	json_str(f, pkvmsim_mode_name(opts->cfg.mode));
	fputs(",\n", f);
	json_key(f, "profile");
	json_str(f, pkvmsim_profile_name(opts->cfg.profile));
	fputs(",\n", f);
	json_ulong(f, "cpus", opts->cfg.nr_cpus);
	json_ulong(f, "vms", opts->vms);
	json_ulong(f, "iterations", opts->iterations);
	json_ulong(f, "seed", opts->cfg.seed);

	json_ulong(f, "vms_created", st->vms_created);
	json_ulong(f, "vms_refused", st->vms_refused);
	json_ulong(f, "vms_destroyed", st->vms_destroyed);
	json_ulong(f, "vcpus_created", st->vcpus_created);
	json_ulong(f, "vcpu_runs", st->vcpu_runs);
	json_ulong(f, "notifies", st->notifies);
	json_ulong(f, "handles", st->handles);
	json_ulong(f, "handles_reused", st->handles_reused);
	json_ulong(f, "table_high_water", st->high_water);
	json_ulong(f, "table_fills", st->fills);
	json_ulong(f, "table_empties", st->empties);
	json_ulong(f, "operations", st->ops);
	json_ulong(f, "hypercalls", res->hypercalls);
	json_key(f, "hypercalls_by_id");
	fputc('{', f);
	for (i = 0, n = 0; i <= PKVM_HVC_TRACE_NRS; i++) {
		char buf[16];

		if (!res->by_nr[i])
			continue;
		fputs(n++ ? ", " : "", f);
		json_str(f, i < PKVM_HVC_TRACE_NRS ?
			 hcall_label(i, buf, sizeof(buf)) : "other");
		fprintf(f, ": %" PRIu64, res->by_nr[i]);
	}
	fputs("},\n", f);
	json_ulong(f, "answers_judged", rep->nr_judged);
	json_ulong(f, "state_checks", rep->nr_state_checks);
	json_ulong(f, "failed_operations", res->nr_failures);
	json_ulong(f, "violations", rep->nr_violations);
	json_ulong(f, "leaked_pages", rep->nr_leaked_pages);
	json_ulong(f, "hyp_warnings", rep->nr_warnings);
	json_ulong(f, "host_warnings", rep->nr_host_warnings);
	json_ulong(f, "refused_transitions", rep->nr_refusals);
	json_key(f, "elapsed_s");
	fprintf(f, "%.6f,\n", res->elapsed);
	json_key(f, "ops_per_s");
	fprintf(f, "%.0f,\n", per_second(st->ops, res->elapsed));
	json_key(f, "hypercalls_per_s");
	fprintf(f, "%.0f,\n", per_second(res->hypercalls, res->elapsed));
	json_key(f, "check_error");
	fprintf(f, "%d,\n", res->check_ret);
	json_key(f, "shutdown_error");
	fprintf(f, "%d,\n", res->destroy_ret);
	if (res->note[0]) {
		json_key(f, "found");
		json_str(f, res->note);
		fputs(",\n", f);
	}

	json_violations(f, rep);
	json_key(f, "report");
	json_lines(f, rep->text);
	fputs(",\n", f);

	json_key(f, "failures");
	fputc('[', f);
	for (i = 0; i < res->nr_failures_kept; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_str(f, res->failures[i]);
	}
	fputs(res->nr_failures_kept ? "\n  ],\n" : "],\n", f);

	json_key(f, "result");
	json_str(f, run_failed(res) ? "fail" : "pass");
	fputs(",\n", f);
	json_key(f, "replay");
	fputc('"', f);
	print_replay(f, opts);
	fputs("\"\n}\n", f);
}

void print_list_json(FILE *f)
{
	const struct pkvmsim_scenario *sc;
	unsigned int i, n;

	fputs("{\n  \"scenarios\": [", f);
	for (i = 0; i < nr_scenarios; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, scenarios[i].name);
		fputs(", \"description\": ", f);
		json_str(f, scenarios[i].summary);
		fprintf(f, ", \"default_vms\": %u, \"default_iterations\": "
			"%u}", scenarios[i].default_vms,
			scenarios[i].default_iterations);
	}
	fputs("\n  ],\n  \"race_scenarios\": [", f);
	for (i = 0; (sc = pkvmsim_scenario_at(i)); i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, sc->name);
		fputs(", \"window\": ", f);
		json_str(f, sc->window);
		fprintf(f, ", \"cpus\": %u}", sc->nr_cpus);
	}
	fputs("\n  ],\n  \"strategies\": [", f);
	for (i = 0, n = 0; i < PKVMSIM_STRATEGY_NR; i++) {
		if (!pkvmsim_strategy_name(i))
			continue;
		fprintf(f, "%s\n    {\"name\": ", n++ ? "," : "");
		json_str(f, pkvmsim_strategy_name(i));
		fputs(", \"description\": ", f);
		json_str(f, strategy_summary(i));
		fputc('}', f);
	}
	fputs("\n  ],\n  \"modes\": [", f);
	for (i = 0; i < PKVMSIM_MODE_NR; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, pkvmsim_mode_name(i));
		fputs(", \"description\": ", f);
		json_str(f, mode_summary(i));
		fputc('}', f);
	}
	fputs("\n  ],\n  \"profiles\": [", f);
	for (i = 0; i < PKVMSIM_PROFILE_NR; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, pkvmsim_profile_name(i));
		fputs(", \"description\": ", f);
		json_str(f, profile_summary(i));
		fputc('}', f);
	}
	fputs("\n  ]\n}\n", f);
}

/* --- explore and replay --- */

static bool is_replay(const struct explore_desc *d)
{
	return !strcmp(d->command, "replay");
}

/* Whether @res describes one schedule: a violation, or any replay. */
static bool explore_ran(const struct explore_desc *d)
{
	return d->status || is_replay(d);
}

static const char *explore_verdict(const struct explore_desc *d)
{
	return d->status == 1 ? "fail" : d->status ? "stale" : "pass";
}

/* @text, ending in one newline, if it is not empty. */
static void put_block(FILE *f, const char *text)
{
	size_t len = strlen(text);

	fputs(text, f);
	if (len && text[len - 1] != '\n')
		fputc('\n', f);
}

void print_explore_text(FILE *f, const struct explore_desc *d,
			const struct pkvmsim_explore_result *res)
{
	const char *outcome;

	/* First, alone on its line, and out before anything can go wrong. */
	if (explore_ran(d) && res->replay[0]) {
		fprintf(f, "replay: %s\n", res->replay);
		fflush(f);
	}

	fprintf(f, "pkvmsim %s: scenario %s, %s mode, profile %s, %u CPU%s, "
		"strategy %s", d->command, d->scenario, d->mode, d->profile,
		d->cpus, d->cpus == 1 ? "" : "s", d->strategy);
	if (!strcmp(d->strategy, "dfs") &&
	    d->preemptions == PKVMSIM_PREEMPTIONS_UNBOUNDED)
		fprintf(f, ", no preemption bound%s",
			d->reduce ? ", equivalent schedules skipped" : "");
	else if (!strcmp(d->strategy, "dfs"))
		fprintf(f, ", up to %u preemption%s", d->preemptions,
			d->preemptions == 1 ? "" : "s");
	else if (!strcmp(d->strategy, "pct"))
		fprintf(f, ", depth %u, seed %" PRIu64, d->depth, d->seed);
	else if (!strcmp(d->strategy, "random"))
		fprintf(f, ", seed %" PRIu64, d->seed);
	fputc('\n', f);

	if (d->status == 1 && !res->replay[0])
		outcome = "the last broke something; it cannot be replayed";
	else if (d->status == 1)
		outcome = is_replay(d) ? "it broke something, again" :
					 "the last broke something";
	else if (d->status)
		outcome = "it did not follow the line";
	else if (is_replay(d))
		outcome = "it ran clean";
	else if (d->ended && !strcmp(d->ended, "exhausted"))
		outcome = "exhausted: every one within the bound ran";
	else
		outcome = d->ended ? d->ended : "";
	fprintf(f, "  schedules          %10" PRIu64 " (%s)\n", d->schedules,
		outcome);
	if (d->reduce)
		fprintf(f, "  redundant          %10" PRIu64 " (equivalent to "
			"one already run)\n", res->redundant);
	fprintf(f, "  elapsed            %10.3f s, %.0f schedules/s\n",
		d->seconds, per_second(d->schedules, d->seconds));

	if (explore_ran(d)) {
		/* Without a line (a free run) there is no schedule to hash. */
		if (res->replay[0])
			fprintf(f, "  trace hash         %016" PRIx64 "\n",
				res->trace_hash);
		if (res->why[0])
			fprintf(f, "why: %s\n", res->why);
		/* The report's lines say "violation: " or name the page. */
		put_block(f, res->report.text);
		put_block(f, res->trace);
	}
	fprintf(f, "result: %s\n", d->status == 1 ? "FAIL" :
		d->status ? "STALE" : "PASS");
	/* Again at the end, as a command: the trace pushed it far up. */
	if (d->status == 1 && !is_replay(d) && res->replay[0])
		fprintf(f, "to replay: pkvmsim replay %s\n", res->replay);
}

/* "key": "s", or "key": null for nothing; a member that is not last. */
static void json_str_or_null(FILE *f, const char *key, const char *s)
{
	json_key(f, key);
	if (s && s[0])
		json_str(f, s);
	else
		fputs("null", f);
	fputs(",\n", f);
}

void print_explore_json(FILE *f, const struct explore_desc *d,
			const struct pkvmsim_explore_result *res)
{
	bool ran = explore_ran(d);
	char hash[17];

	fputs("{\n", f);
	json_str_or_null(f, "command", d->command);
	json_str_or_null(f, "scenario", d->scenario);
	json_str_or_null(f, "mode", d->mode);
	json_str_or_null(f, "profile", d->profile);
	json_ulong(f, "cpus", d->cpus);
	json_str_or_null(f, "strategy", d->strategy);
	json_ulong(f, "seed", d->seed);
	json_ulong(f, "depth", d->depth);
	if (d->preemptions == PKVMSIM_PREEMPTIONS_UNBOUNDED)
		json_str_or_null(f, "preemptions", "all");
	else
		json_ulong(f, "preemptions", d->preemptions);
	json_key(f, "reduce");
	fprintf(f, "%s,\n", d->reduce ? "true" : "false");
	json_ulong(f, "schedules", d->schedules);
	json_ulong(f, "redundant", res->redundant);
	json_key(f, "seconds");
	fprintf(f, "%.6f,\n", d->seconds);
	json_key(f, "schedules_per_s");
	fprintf(f, "%.0f,\n", per_second(d->schedules, d->seconds));
	json_key(f, "exhausted");
	fprintf(f, "%s,\n", d->ended && !strcmp(d->ended, "exhausted") ?
		"true" : "false");
	json_str_or_null(f, "ended", d->ended);
	json_key(f, "violation");
	fprintf(f, "%s,\n", d->status == 1 ? "true" : "false");
	json_str_or_null(f, "result", explore_verdict(d));
	json_str_or_null(f, "replay", ran ? res->replay : NULL);
	json_str_or_null(f, "why", ran ? res->why : NULL);
	/* A string: a 64-bit number is not safe in every JSON reader. */
	snprintf(hash, sizeof(hash), "%016" PRIx64, res->trace_hash);
	json_str_or_null(f, "trace_hash",
			 ran && res->replay[0] ? hash : NULL);
	json_violations(f, &res->report);
	json_key(f, "report");
	json_lines(f, ran ? res->report.text : "");
	fputs(",\n", f);
	json_key(f, "trace");
	json_lines(f, ran ? res->trace : "");
	fputs("\n}\n", f);
}
