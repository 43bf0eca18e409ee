// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay lines: everything needed to run one schedule again, on one line
 * of key=value words, e.g.
 *
 *   pkvmsim-replay/1 lib=0.1.0 scenario=reserve-storm mode=protected
 *   profile=6.18 cpus=2 pages=256 strategy=dfs seed=0 depth=0 k=2 run=14
 *   max-steps=0 schedule=a31b12a40 hash=9f0c2a61d07e33b5
 *
 * (one line).  The schedule, when there is one, is the whole truth: the
 * CPU that ran after each scheduling point.  A line written before its
 * run (budget->pending_file) has either the strategy's own coordinates
 * (random and PCT: seed, run and n) or, for DFS, the choices replayed
 * before the run goes on without preemption (schedule=...+).  A line
 * written by hand or by a fuzzer may say lenient=1: a choice of its
 * schedule that cannot run then passes to the next CPU that can, and the
 * line of the run (what pkvmsim_replay() gives back) names the CPUs that
 * did run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/explore.h>
#include "explore_internal.h"

#define LINE_MAGIC	"pkvmsim-replay/1"
#define LIB_VERSION	"0.1.0"

int explore_line(const struct pkvmsim_config *cfg,
		 const struct pkvmsim_scenario *sc,
		 const struct pkvmsim_strategy *st,
		 const struct sched_explorer *x,
		 const struct pkvmsim_explore_result *res, char *buf,
		 size_t len)
{
	uint64_t run = sched_explorer_next_run(x);
	char k[16];
	size_t used;
	int n;

	if (st->preemptions == PKVMSIM_PREEMPTIONS_UNBOUNDED)
		snprintf(k, sizeof(k), "all");
	else
		snprintf(k, sizeof(k), "%u", st->preemptions);
	n = snprintf(buf, len, LINE_MAGIC " lib=" LIB_VERSION " scenario=%s "
		     "mode=%s profile=%s cpus=%u pages=%lu strategy=%s "
		     "seed=%" PRIu64 " depth=%u k=%s run=%" PRIu64
		     " n=%" PRIu64 " max-steps=%" PRIu64, sc->name,
		     pkvmsim_mode_name(cfg->mode),
		     pkvmsim_profile_name(cfg->profile), cfg->nr_cpus,
		     cfg->arena_pages, pkvmsim_strategy_name(st->kind),
		     st->seed, st->depth, k,
		     res ? sched_explorer_last_run(x) : run,
		     sched_explorer_pct_steps(x),
		     sched_explorer_max_steps(x));
	if (n < 0 || (size_t)n >= len)
		return n;
	used = (size_t)n;

	if (res) {
		used += (size_t)snprintf(buf + used, len - used, " schedule=");
		if (used < len)
			used += (size_t)sched_schedule_format(x, buf + used,
							      len - used);
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used,
						 " hash=%016" PRIx64,
						 res->trace_hash);
	} else if (st->kind == PKVMSIM_STRATEGY_DFS) {
		used += (size_t)snprintf(buf + used, len - used, " schedule=");
		if (used < len)
			used += (size_t)sched_explorer_prefix(x, buf + used,
							      len - used);
	}
	return (int)used;
}

/* --- reading a line back --- */

struct line {
	char		scenario[128];
	char		schedule[PKVMSIM_REPLAY_MAX];
	bool		has_hash;
	uint64_t	hash;
	bool		lenient;
	struct pkvmsim_strategy st;
	uint64_t	run, n;
	uint64_t	max_steps;
	struct pkvmsim_config cfg;
};

static int parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static int parse_enum(const char *s, const char *(*name)(unsigned int),
		      unsigned int nr, unsigned int *out)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const char *n = name(i);

		if (n && !strcmp(n, s)) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *mode_name(unsigned int i)
{
	return pkvmsim_mode_name((enum pkvmsim_mode)i);
}

static const char *profile_name(unsigned int i)
{
	return pkvmsim_profile_name((enum pkvmsim_profile)i);
}

static const char *strategy_name(unsigned int i)
{
	return pkvmsim_strategy_name((enum pkvmsim_strategy_kind)i);
}

static int parse_word(struct line *l, const char *key, const char *val)
{
	uint64_t v;
	unsigned int e = 0;
	int ret;

	if (!strcmp(key, "lib"))
		return 0;	/* another version may still replay */
	if (!strcmp(key, "scenario"))
		return snprintf(l->scenario, sizeof(l->scenario), "%s", val) <
		       (int)sizeof(l->scenario) ? 0 : -EINVAL;
	if (!strcmp(key, "schedule"))
		return snprintf(l->schedule, sizeof(l->schedule), "%s", val) <
		       (int)sizeof(l->schedule) ? 0 : -EINVAL;
	if (!strcmp(key, "mode")) {
		ret = parse_enum(val, mode_name, PKVMSIM_MODE_NR, &e);
		l->cfg.mode = (enum pkvmsim_mode)e;
		return ret;
	}
	if (!strcmp(key, "profile")) {
		ret = parse_enum(val, profile_name, PKVMSIM_PROFILE_NR, &e);
		l->cfg.profile = (enum pkvmsim_profile)e;
		return ret;
	}
	if (!strcmp(key, "strategy")) {
		ret = parse_enum(val, strategy_name, PKVMSIM_STRATEGY_NR, &e);
		l->st.kind = (enum pkvmsim_strategy_kind)e;
		return ret;
	}
	if (!strcmp(key, "hash")) {
		l->has_hash = true;
		return parse_u64(val, 16, &l->hash);
	}

	if (!strcmp(key, "k") && !strcmp(val, "all")) {
		l->st.preemptions = PKVMSIM_PREEMPTIONS_UNBOUNDED;
		return 0;
	}
	ret = parse_u64(val, 10, &v);
	if (ret)
		return ret;
	if (!strcmp(key, "cpus") && v <= PKVMSIM_MAX_CPUS)
		l->cfg.nr_cpus = (unsigned int)v;
	else if (!strcmp(key, "pages") && v <= PKVMSIM_MAX_ARENA_PAGES)
		l->cfg.arena_pages = (unsigned long)v;
	else if (!strcmp(key, "seed"))
		l->st.seed = v;
	else if (!strcmp(key, "depth") && v <= 16)
		l->st.depth = (unsigned int)v;
	else if (!strcmp(key, "k") && v <= 64)
		l->st.preemptions = (unsigned int)v;
	else if (!strcmp(key, "run"))
		l->run = v;
	else if (!strcmp(key, "n"))
		l->n = v;
	else if (!strcmp(key, "max-steps"))
		l->max_steps = v;
	else if (!strcmp(key, "lenient") && v <= 1)
		l->lenient = v;
	else
		return -EINVAL;
	return 0;
}

static int parse_line(const char *text, struct line *l)
{
	char *copy, *word, *save = NULL;
	int ret = 0;

	memset(l, 0, sizeof(*l));
	pkvmsim_config_init(&l->cfg);
	l->st.kind = PKVMSIM_STRATEGY_NR;

	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	word = strtok_r(copy, " \t\r\n", &save);
	if (!word || strcmp(word, LINE_MAGIC))
		ret = -EINVAL;
	while (!ret && (word = strtok_r(NULL, " \t\r\n", &save))) {
		char *eq = strchr(word, '=');

		if (!eq) {
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		ret = parse_word(l, word, eq + 1);
	}
	free(copy);
	if (!ret && (!l->scenario[0] || l->st.kind == PKVMSIM_STRATEGY_NR))
		ret = -EINVAL;
	return ret;
}

int pkvmsim_replay(const char *text, const struct pkvmsim_scenario *sc,
		   struct pkvmsim_explore_result *res)
{
	return replay_line(text, sc, res, true, NULL);
}

int pkvmsim_replay_json(const char *text, const struct pkvmsim_scenario *sc,
			FILE *out, struct pkvmsim_explore_result *res)
{
	if (!out)
		return -EINVAL;
	return replay_line(text, sc, res, true, out);
}

int replay_line(const char *text, const struct pkvmsim_scenario *sc,
		struct pkvmsim_explore_result *res, bool trace, FILE *json)
{
	struct sched_config scfg;
	struct sched_explorer *x;
	struct line *l;
	bool bad = false;
	double start;
	int ret;

	if (!text || !res)
		return -EINVAL;
	l = malloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	ret = parse_line(text, l);
	if (ret)
		goto out;
	if (!sc) {
		sc = pkvmsim_scenario_find(l->scenario);
		ret = -ENOENT;
		if (!sc)
			goto out;
	}
	ret = -EINVAL;
	if (strcmp(sc->name, l->scenario))
		goto out;
	l->cfg.quiet = true;
	ret = explore_check_args(&l->cfg, sc);
	if (ret)
		goto out;

	scfg = (struct sched_config){
		.seed = l->st.seed,
		.depth = l->st.depth,
		.preemptions = l->st.preemptions,
		.max_steps = l->max_steps,
		.run = l->run,
		.pct_steps = l->n,
	};
	if (l->schedule[0]) {
		scfg.kind = SCHED_REPLAY;
		scfg.schedule = l->schedule;
		scfg.lenient = l->lenient;
	} else if (l->st.kind == PKVMSIM_STRATEGY_RANDOM) {
		scfg.kind = SCHED_RANDOM;
	} else if (l->st.kind == PKVMSIM_STRATEGY_PCT) {
		scfg.kind = SCHED_PCT;
	} else {
		goto out;	/* a DFS run is named by its schedule */
	}

	memset(res, 0, sizeof(*res));
	ret = sched_explorer_create(&scfg, sc->nr_cpus, &x);
	if (ret)
		goto out;
	start = explore_now();
	ret = explore_one(&l->cfg, sc, x, res, trace, &bad);
	res->seconds = explore_now() - start;
	if (ret == 1) {
		res->schedules = 1;
		res->violation = bad;
		explore_line(&l->cfg, sc, &l->st, x, res, res->replay,
			     sizeof(res->replay));
		ret = bad ? 1 : 0;
		if (json && explore_write_json(x, res, json))
			ret = -EIO;
		else if (strstr(res->why, "diverged"))
			ret = -ESTALE;
		else if (l->has_hash && l->hash != res->trace_hash) {
			snprintf(res->why, sizeof(res->why), "the replay's "
				 "trace hash is %016" PRIx64 ", the line's "
				 "%016" PRIx64 ": the code or the scenario "
				 "changed", res->trace_hash, l->hash);
			ret = -ESTALE;
		}
	} else if (!ret) {
		ret = -EINVAL;
	}
	sched_explorer_destroy(x);
out:
	free(l);
	return ret;
}
