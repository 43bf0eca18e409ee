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
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>		/* strtonum() */

#include "cli.h"

#define EXIT_VIOLATION	1
#define EXIT_USAGE	2

static const char usage[] =
"usage: pkvmsim [RUN OPTIONS]\n"
"       pkvmsim run [--scenario NAME] [--mode M] [--profile P] [--cpus N]\n"
"                   [--vms N] [--iterations N] [--seed S] [--json]\n"
"       pkvmsim list [--json]\n"
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
"  --vms N          VMs alive at once (per CPU in storm; unused by\n"
"                   exhaust), 1..255 (default: the scenario's)\n"
"  --iterations N   rounds of the scenario, 1..1000000 (default: the\n"
"                   scenario's)\n"
"  --seed S         seed of the scenario's choices, decimal or 0x hex\n"
"                   (default 0)\n"
"  --json           print one JSON object instead of the summary\n"
"\n"
"`pkvmsim list` shows the scenarios, modes and profiles.\n"
"\n"
"Exit status: 0 no violation; 1 a violation or a failed operation (printed,\n"
"with a replay line); 2 a bad command line or a machine that cannot boot.\n";

/* Commands the design has and this program does not have yet. */
static const char *const unimplemented[] = {
	"explore", "replay", "shell", "script",
};

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
};

struct cli_option {
	const char	*name;
	enum opt_id	id;
	bool		has_value;
};

static const struct cli_option run_options[] = {
	{ "--scenario",		OPT_SCENARIO,	true },
	{ "--mode",		OPT_MODE,	true },
	{ "--profile",		OPT_PROFILE,	true },
	{ "--cpus",		OPT_CPUS,	true },
	{ "--vms",		OPT_VMS,	true },
	{ "--iterations",	OPT_ITERATIONS,	true },
	{ "--seed",		OPT_SEED,	true },
	{ "--json",		OPT_JSON,	false },
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

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pkvmsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'pkvmsim --help')\n", stderr);
	return EXIT_USAGE;
}

static int parse_uint(const char *opt, const char *val, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	const char *errstr;
	long long n;

	n = strtonum(val, min, max, &errstr);
	if (errstr) {
		if (!strcmp(errstr, "invalid"))
			errstr = "not a number";
		return usage_error("%s: '%s' is %s (%u..%u)", opt, val,
				   errstr, min, max);
	}
	*out = (unsigned int)n;
	return 0;
}

/* All of a uint64_t, which strtonum()'s long long cannot hold. */
static int parse_seed(const char *opt, const char *val, uint64_t *out)
{
	const char *digits = val;
	unsigned long long n;
	char *end;
	int base = 10;

	if (!strncmp(val, "0x", 2) || !strncmp(val, "0X", 2)) {
		digits = val + 2;
		base = 16;
	}
	/* strtoull() would take a sign or blanks, and negate. */
	if (!*digits || *digits == '-' || *digits == '+' || *digits == ' ' ||
	    (*digits >= '\t' && *digits <= '\r'))
		goto bad;

	errno = 0;
	n = strtoull(digits, &end, base);
	if (*end)
		goto bad;
	if (errno == ERANGE)
		return usage_error("%s: '%s' is too large (0..%" PRIu64 ")",
				   opt, val, UINT64_MAX);
	*out = n;
	return 0;
bad:
	return usage_error("%s: '%s' is not a number (decimal, or hex with "
			   "0x)", opt, val);
}

static int parse_mode(const char *opt, const char *val,
		      enum pkvmsim_mode *out)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_MODE_NR; i++) {
		if (!strcmp(val, pkvmsim_mode_name(i))) {
			*out = i;
			return 0;
		}
	}
	return usage_error("%s: unknown mode '%s' (protected, nvhe, vhe)",
			   opt, val);
}

static int parse_profile(const char *opt, const char *val,
			 enum pkvmsim_profile *out)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_PROFILE_NR; i++) {
		if (!strcmp(val, pkvmsim_profile_name(i))) {
			*out = i;
			return 0;
		}
	}
	return usage_error("%s: unknown profile '%s' (6.18, v3, lazy)", opt,
			   val);
}

static int parse_scenario(const char *opt, const char *val,
			  const struct scenario **out)
{
	*out = scenario_find(val);
	if (*out)
		return 0;
	return usage_error("%s: unknown scenario '%s' (see 'pkvmsim list')",
			   opt, val);
}

/**
 * struct opt_iter - walks a command's options, "--name value" or
 * "--name=value".
 * @cmd:	the command, for messages.
 * @table:	the options it takes.
 */
struct opt_iter {
	const char			*cmd;
	const struct cli_option		*table;
	int				argc;
	char				**argv;
	int				i;
	char				name[32];
	const char			*value;
};

/*
 * The next option into @idp, with @it->name and @it->value set: returns 1;
 * 0 at the end; or minus an exit status, the message printed.
 */
static int opt_next(struct opt_iter *it, enum opt_id *idp)
{
	const struct cli_option *o;
	const char *arg, *eq;
	size_t len;

	if (it->i >= it->argc)
		return 0;
	arg = it->argv[it->i++];
	if (arg[0] != '-')
		return -usage_error("%s: unexpected argument '%s'", it->cmd,
				    arg);

	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (o = it->table; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, arg, len))
			break;
	if (!o->name || len >= sizeof(it->name))
		return -usage_error("%s: unknown option '%.*s'", it->cmd,
				    (int)len, arg);
	memcpy(it->name, arg, len);
	it->name[len] = '\0';

	it->value = NULL;
	if (!o->has_value) {
		if (eq)
			return -usage_error("%s: option '%s' takes no value",
					    it->cmd, it->name);
	} else if (eq) {
		it->value = eq + 1;
	} else if (it->i < it->argc && strncmp(it->argv[it->i], "--", 2)) {
		/* "--cpus --vms 2" misses a value; it does not mean "--vms". */
		it->value = it->argv[it->i++];
	}
	if (o->has_value && (!it->value || !*it->value))
		return -usage_error("%s: option '%s' needs a value", it->cmd,
				    it->name);

	*idp = o->id;
	return 1;
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
			fputs(usage, stdout);
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
	const char *vms = NULL, *iterations = NULL;
	struct run_result *res;
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
			break;
		case OPT_PROFILE:
			ret = parse_profile(it.name, it.value,
					    &opts.cfg.profile);
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
			fputs(usage, stdout);
			return 0;
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
	unsigned int i;

	/* No command, or options only: the default scenario. */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") &&
			 strcmp(argv[1], "-h")))
		return cmd_run("pkvmsim", argc - 1, argv + 1);

	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run("run", argc - 2, argv + 2);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc - 2, argv + 2);

	for (i = 0; i < sizeof(unimplemented) / sizeof(unimplemented[0]); i++)
		if (!strcmp(cmd, unimplemented[i])) {
			fprintf(stderr, "pkvmsim: %s: not yet implemented\n",
				cmd);
			return EXIT_USAGE;
		}
	return usage_error("unknown command '%s'", cmd);
}
