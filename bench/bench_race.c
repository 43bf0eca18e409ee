// SPDX-License-Identifier: GPL-2.0-only
/*
 * How fast the race engine finds a race, strategy by strategy, against
 * free-running threads given the same wall time.  Built against the real
 * library it measures throughput (nothing to find); built against a
 * mutant (tests/mutants) it measures how soon each strategy finds the
 * window the mutant opens.  Prints one markdown row per scenario and
 * strategy; asserts nothing about time.
 *
 *	bench_race [-s SECONDS] [-l LABEL] SCENARIO[:PROFILE[:MODE]]...
 *
 * Columns: schedules per second; schedules and milliseconds to the first
 * violation ("-" if none within the budget; "exhausted" if DFS ran out of
 * schedules first); and, in the free row, the cost of one controlled
 * schedule (the last controlled row's) as a multiple of one free-running
 * run of the same scenario.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/explore.h>

struct strategy_row {
	const char			*name;
	struct pkvmsim_strategy		st;
};

static const struct strategy_row rows[] = {
	{ "dfs k=1",	{ .kind = PKVMSIM_STRATEGY_DFS, .preemptions = 1 } },
	{ "dfs k=2",	{ .kind = PKVMSIM_STRATEGY_DFS, .preemptions = 2 } },
	{ "pct d=2",	{ .kind = PKVMSIM_STRATEGY_PCT, .depth = 2 } },
	{ "pct d=3",	{ .kind = PKVMSIM_STRATEGY_PCT, .depth = 3 } },
	{ "random",	{ .kind = PKVMSIM_STRATEGY_RANDOM } },
	{ "free",	{ .kind = PKVMSIM_STRATEGY_FREE } },
};

static int parse_target(char *arg, const struct pkvmsim_scenario **sc,
			struct pkvmsim_config *cfg)
{
	char *profile = strchr(arg, ':'), *mode = NULL;
	unsigned int i;

	pkvmsim_config_init(cfg);
	cfg->arena_pages = 256;
	if (profile) {
		*profile++ = '\0';
		mode = strchr(profile, ':');
		if (mode)
			*mode++ = '\0';
	}
	*sc = pkvmsim_scenario_find(arg);
	if (!*sc)
		return -ENOENT;
	cfg->nr_cpus = (*sc)->nr_cpus;
	for (i = 0; profile && i < PKVMSIM_PROFILE_NR; i++)
		if (!strcmp(profile, pkvmsim_profile_name(i)))
			cfg->profile = (enum pkvmsim_profile)i;
	for (i = 0; mode && i < PKVMSIM_MODE_NR; i++)
		if (!strcmp(mode, pkvmsim_mode_name(i)))
			cfg->mode = (enum pkvmsim_mode)i;
	return 0;
}

static void bench(const char *label, const struct pkvmsim_scenario *sc,
		  const struct pkvmsim_config *cfg, double seconds)
{
	static struct pkvmsim_explore_result res;
	struct pkvmsim_budget budget = { .seconds = seconds };
	double controlled = 0, rate;
	char profile[48] = "";
	unsigned int i;
	int ret;

	if (cfg->profile != PKVMSIM_PROFILE_6_18 ||
	    cfg->mode != PKVMSIM_MODE_PROTECTED)
		snprintf(profile, sizeof(profile), " (%s, %s)",
			 pkvmsim_profile_name(cfg->profile),
			 pkvmsim_mode_name(cfg->mode));

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char found[64] = "-";

		ret = pkvmsim_explore(cfg, sc, &rows[i].st, &budget, &res);
		if (ret < 0) {
			printf("| %s | %s%s | %s | error %d | | |\n", label,
			       sc->name, profile, rows[i].name, ret);
			continue;
		}
		rate = res.seconds > 0 ? (double)res.schedules / res.seconds :
					 0;
		if (ret == 1)
			snprintf(found, sizeof(found), "%llu in %.1f ms",
				 (unsigned long long)res.schedules,
				 res.seconds * 1e3);
		else if (res.exhausted)
			snprintf(found, sizeof(found), "- (exhausted, %llu)",
				 (unsigned long long)res.schedules);
		/* The last controlled row's rate is the baseline's peer. */
		if (rows[i].st.kind != PKVMSIM_STRATEGY_FREE) {
			if (rate > 0)
				controlled = rate;
			printf("| %s | %s%s | %s | %.0f | %s | |\n", label,
			       sc->name, profile, rows[i].name, rate, found);
		} else {
			printf("| %s | %s%s | %s | %.0f | %s | %.2fx |\n",
			       label, sc->name, profile, rows[i].name, rate,
			       found, controlled > 0 ? rate / controlled : 0);
		}
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	const struct pkvmsim_scenario *sc;
	struct pkvmsim_config cfg;
	const char *label = "real";
	double seconds = 1;
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-s"))
			seconds = strtod(argv[i + 1], NULL);
		else if (!strcmp(argv[i], "-l"))
			label = argv[i + 1];
		else
			break;
	}
	if (i >= argc || seconds <= 0) {
		fprintf(stderr, "usage: bench_race [-s SECONDS] [-l LABEL] "
			"SCENARIO[:PROFILE[:MODE]]...\n");
		return 2;
	}

	printf("| build | scenario | strategy | schedules/s | first violation "
	       "| controlled schedule cost (x one free run) |\n"
	       "|---|---|---|---|---|---|\n");
	for (; i < argc; i++) {
		if (parse_target(argv[i], &sc, &cfg)) {
			fprintf(stderr, "bench_race: %s: no such scenario\n",
				argv[i]);
			return 2;
		}
		bench(label, sc, &cfg, seconds);
	}
	return 0;
}
