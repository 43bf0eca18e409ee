// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim: the command line of libpkvmsim.
 *
 * Reads the command and its options, and turns what happened into the
 * exit status: 0 no violation, 1 a violation was found (and printed, with
 * the command that replays it), 2 the command line or the set-up was bad,
 * with a message naming what.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "console.h"

const char cli_usage[] =
"usage: pkvmsim [RUN OPTIONS]\n"
"       pkvmsim run [--scenario NAME] [--mode M] [--profile P] [--cpus N]\n"
"                   [--vms N] [--iterations N] [--seed S]\n"
"                   [--check calls|end] [--json]\n"
"       pkvmsim run --matrix [--scenario NAME] [--cpus N] [--vms N]\n"
"                   [--iterations N] [--seed S] [--json]\n"
"       pkvmsim explore --scenario NAME --strategy random|pct|dfs|free\n"
"                   [--depth D] [--preemptions K] [--budget N] [--time S]\n"
"                   [--seed S] [--mode M] [--profile P] [--cpus N]\n"
"                   [--pages N] [--max-steps N] [--pending FILE]\n"
"                   [--trace FILE.json] [--jobs N] [--shard I/N]\n"
"                   [--reduce] [--json] [--quiet]\n"
"       pkvmsim replay LINE [--trace FILE.json] [--json]\n"
"       pkvmsim list [--json]\n"
"       pkvmsim shell [--mode M] [--profile P] [--cpus N] [--seed S]\n"
"       pkvmsim script FILE [--mode M] [--profile P] [--cpus N] [--seed S]\n"
"       pkvmsim --help\n"
"\n"
"Runs the pKVM VM table of Linux 6.18 under a simulated host kernel and\n"
"checks every hypercall against the invariants of its specification.\n"
"With no command, runs the default scenario: a VM lifecycle storm on real\n"
"threads, in protected mode, profile 6.18.\n"
"\n"
"run options:\n"
"  --scenario NAME  storm (default), lifecycle, exhaust, notify-before-run\n"
"  --mode M         protected (default), nvhe, vhe\n"
"  --profile P      6.18 (default), v3, lazy\n"
"  --cpus N         simulated CPUs, 1..16 (default 4)\n"
"  --vms N          VMs alive at once, 1..255 (per CPU in storm, which\n"
"                   without it fills the table every round; unused by\n"
"                   exhaust)\n"
"  --iterations N   rounds of the scenario, 1..1000000 (default: the\n"
"                   scenario's)\n"
"  --seed S         seed of the scenario's choices, decimal or 0x hex\n"
"                   (default 0)\n"
"  --json           print one JSON object instead of the summary\n"
"  --check C        calls (default): the oracle judges every hypercall's\n"
"                   answer and the whole state after every host\n"
"                   operation; end: the whole state once, at the end\n"
"                   (cheaper; sees less)\n"
"  --matrix         run the scenario in every mode and profile and print\n"
"                   a table of outcomes against the expected ones: 6.18\n"
"                   clean everywhere; v3 failing in nvhe and vhe; lazy\n"
"                   failing in protected mode; exit 1 if any cell differs\n"
"\n"
"explore runs a race scenario under schedule after schedule, one CPU at a\n"
"time, until one goes wrong; it prints first the line that replays that\n"
"schedule ('replay: pkvmsim-replay/1 ...'), then what broke and the\n"
"schedule step by step.  explore options:\n"
"  --scenario NAME  a race scenario (see 'pkvmsim list'); required\n"
"  --strategy S     random: any runnable CPU at each point; pct: random\n"
"                   priorities with D - 1 change points; dfs: every\n"
"                   schedule with at most K preemptions; free: real\n"
"                   threads, uncontrolled, no replay; required\n"
"  --depth D        pct: the bug depth, 1..16 (default 3)\n"
"  --preemptions K  dfs: the preemption bound, 0..64 or all (default 2)\n"
"  --reduce         dfs with --preemptions all: skip schedules that only\n"
"                   reorder steps that commute (sleep sets); each class\n"
"                   of equivalent schedules runs about once\n"
"  --budget N       stop after N schedules\n"
"  --time S         stop after S seconds (decimals allowed); random and\n"
"                   pct need --budget or --time, dfs without either stops\n"
"                   when it has run every schedule within its bound\n"
"  --seed S         random and pct: schedule r is drawn from S + r\n"
"                   (default 0)\n"
"  --mode M, --profile P  as for run\n"
"  --cpus N         simulated CPUs, at least the scenario's (default: the\n"
"                   scenario's), at most 16\n"
"  --pages N        simulated memory in 4 KiB pages, 16..1048576\n"
"                   (default 256: a small machine boots fast)\n"
"  --max-steps N    a schedule past N scheduling points is a livelock\n"
"                   (default 100000)\n"
"  --pending FILE   write each schedule's replay line to FILE before it\n"
"                   runs, so that one that crashes pkvmsim can be replayed\n"
"  --trace FILE     on a violation, also write its schedule to FILE as a\n"
"                   Chrome/Perfetto trace (open it in ui.perfetto.dev)\n"
"  --jobs N         N worker processes, each a disjoint part of the\n"
"                   exploration (1..64; default 1)\n"
"  --shard I/N      explore only part I of N (from 0): N runs, on as\n"
"                   many machines, cover the whole exploration once\n"
"  --json           print one JSON object instead of the text\n"
"  --quiet          no progress line (shown only when stderr is a\n"
"                   terminal)\n"
"\n"
"replay runs the one schedule LINE names (the line explore printed after\n"
"'replay: ', quoted or not) and prints what explore printed; --trace and\n"
"--json as for explore.\n"
"\n"
"`pkvmsim list` shows the scenarios, race scenarios, strategies, modes and\n"
"profiles.\n"
"\n"
"shell is a hypercall console over a live simulator: raw hypercalls\n"
"(reserve, teardown H, hvc ID ARGS...), the host's ioctls (vm create,\n"
"vcpu run VM IDX, ...), the table, the ledger and the oracle, one result\n"
"line per command; script FILE runs the same commands from FILE, and its\n"
"'expect' lines make it a test.  'pkvmsim shell --help' lists them.\n"
"\n"
"Exit status: 0 no violation; 1 a violation or a failed operation (printed,\n"
"with a replay line), a replay line that the code no longer follows, or a\n"
"script that failed (an expect, or a violation it did not expect);\n"
"2 a bad command line or replay line, or a machine that cannot boot.\n";

static const struct cli_option run_options[] = {
	{ "--scenario",		OPT_SCENARIO,	true },
	{ "--mode",		OPT_MODE,	true },
	{ "--profile",		OPT_PROFILE,	true },
	{ "--cpus",		OPT_CPUS,	true },
	{ "--vms",		OPT_VMS,	true },
	{ "--iterations",	OPT_ITERATIONS,	true },
	{ "--seed",		OPT_SEED,	true },
	{ "--json",		OPT_JSON,	false },
	{ "--matrix",		OPT_MATRIX,	false },
	{ "--check",		OPT_CHECK,	true },
	{ "--help",		OPT_HELP,	false },
	{ "-h",			OPT_HELP,	false },
	{ 0 },
};

static const struct cli_option list_options[] = {
	{ "--json",		OPT_JSON,	false },
	{ "--help",		OPT_HELP,	false },
	{ "-h",			OPT_HELP,	false },
	{ 0 },
};

static int parse_scenario(const char *opt, const char *val,
			  const struct scenario **out)
{
	*out = scenario_find(val);
	if (*out)
		return 0;
	if (pkvmsim_scenario_find(val))
		return usage_error("%s: '%s' is a race scenario: try 'pkvmsim "
				   "explore --scenario %s'", opt, val, val);
	return usage_error("%s: unknown scenario '%s' (see 'pkvmsim list')",
			   opt, val);
}

static int cmd_list(int argc, char **argv)
{
	struct opt_iter it = {
		.cmd = "list", .table = list_options,
		.argc = argc, .argv = argv,
	};
	bool json = false;
	enum opt_id id;
	int ret;

	while ((ret = opt_next(&it, &id)) > 0) {
		if (id == OPT_HELP) {
			fputs(cli_usage, stdout);
			return 0;
		}
		json = true;
	}
	if (ret < 0)
		return -ret;

	if (json)
		print_list_json(stdout);
	else
		print_list_text(stdout);
	return 0;
}

static int cmd_run(const char *cmd, int argc, char **argv)
{
	struct opt_iter it = {
		.cmd = cmd, .table = run_options,
		.argc = argc, .argv = argv,
	};
	const char *vms = NULL, *iterations = NULL, *mode_or_profile = NULL;
	struct run_result *res;
	bool matrix = false;
	struct cli_opts opts;
	enum opt_id id;
	int ret;

	memset(&opts, 0, sizeof(opts));
	pkvmsim_config_init(&opts.cfg);
	opts.scenario = &scenarios[0];

	while ((ret = opt_next(&it, &id)) > 0) {
		switch (id) {
		case OPT_SCENARIO:
			ret = parse_scenario(it.name, it.value,
					     &opts.scenario);
			break;
		case OPT_MODE:
			ret = parse_mode(it.name, it.value, &opts.cfg.mode);
			mode_or_profile = it.name;
			break;
		case OPT_PROFILE:
			ret = parse_profile(it.name, it.value,
					    &opts.cfg.profile);
			mode_or_profile = it.name;
			break;
		case OPT_MATRIX:
			matrix = true;
			ret = 0;
			break;
		case OPT_CHECK:
			ret = parse_check(it.name, it.value, &opts.cfg.check);
			break;
		case OPT_CPUS:
			ret = parse_uint(it.name, it.value, 1,
					 PKVMSIM_MAX_CPUS, &opts.cfg.nr_cpus);
			break;
		case OPT_VMS:
			ret = parse_uint(it.name, it.value, 1, CLI_MAX_VMS,
					 &opts.vms);
			vms = it.value;
			break;
		case OPT_ITERATIONS:
			ret = parse_uint(it.name, it.value, 1,
					 CLI_MAX_ITERATIONS, &opts.iterations);
			iterations = it.value;
			break;
		case OPT_SEED:
			ret = parse_seed(it.name, it.value, &opts.cfg.seed);
			break;
		case OPT_JSON:
			opts.json = true;
			ret = 0;
			break;
		case OPT_HELP:
			fputs(cli_usage, stdout);
			return 0;
		default:	/* explore's options: not in run_options */
			ret = usage_error("%s: unknown option '%s'", cmd,
					  it.name);
			break;
		}
		if (ret)
			return ret;
	}
	if (ret < 0)
		return -ret;

	if (!vms)
		opts.vms = opts.scenario->default_vms;
	if (!iterations)
		opts.iterations = opts.scenario->default_iterations;
	if (matrix && mode_or_profile)
		return usage_error("%s: --matrix runs every mode and profile",
				   mode_or_profile);
	if (matrix)
		return run_matrix(&opts);

	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "pkvmsim: out of memory\n");
		return EXIT_USAGE;
	}
	if (run_scenario(&opts, res)) {
		free(res);
		return EXIT_USAGE;
	}

	/* stderr carries the library's own shutdown report, if any. */
	fflush(stderr);
	if (opts.json)
		print_run_json(stdout, &opts, res);
	else
		print_run_text(stdout, &opts, res);
	ret = run_failed(res) ? EXIT_VIOLATION : 0;
	free(res);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd;

	/* No command, or options only: the default scenario. */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") &&
			 strcmp(argv[1], "-h")))
		return cmd_run("pkvmsim", argc - 1, argv + 1);

	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run("run", argc - 2, argv + 2);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 2, argv + 2);
	if (!strcmp(cmd, "explore"))
		return cmd_explore(argc - 2, argv + 2);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(cmd, "shell"))
		return cmd_shell(argc - 2, argv + 2);
	if (!strcmp(cmd, "script"))
		return cmd_script(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", cmd);
}
