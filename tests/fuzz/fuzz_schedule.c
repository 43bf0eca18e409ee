// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_schedule: the bytes choose the controlled scheduler's decisions for
 * one of the built-in two- and three-CPU scenarios, so that a corpus file
 * is an interleaving.
 *
 * The first byte picks the scenario, the second the host profile (and,
 * for the scenarios that run in every mode, the mode); every further byte
 * is a run of steps of one CPU: CPU (byte mod CPUs), for 1 + (byte / CPUs)
 * mod 16 scheduling points.  The schedule goes to pkvmsim_replay() as a
 * replay line with lenient=1 (a choice whose CPU cannot run passes to the
 * next that can, so every input is an interleaving) and a trailing '+'
 * (after the bytes, the running CPU goes on without preemption).  The run
 * is judged as any exploration's: the oracle, the ledger, the scenario's
 * own check, the linearizability of its hypercall history, deadlock and
 * livelock.
 *
 * A finding is a violation in profile 6.18 (and in v3 in pKVM mode, which
 * is 6.18 there), printed with the replay line of the interleaving as it
 * ran, for `pkvmsim replay`.  Profiles lazy and v3 (outside pKVM mode)
 * contain the bugs SPEC 7 describes and fail on many schedules: there a
 * violation is expected and only a crash is a finding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/explore.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Room in a replay line for the schedule, with its other words. */
#define SCHEDULE_MAX	(PKVMSIM_REPLAY_MAX - 512)
#define ARENA_PAGES	256

static struct pkvmsim_explore_result res;
static char line[PKVMSIM_REPLAY_MAX];
static char schedule[SCHEDULE_MAX];

static unsigned int nr_scenarios(void)
{
	unsigned int n = 0;

	while (pkvmsim_scenario_at(n))
		n++;
	return n;
}

/* Whether @sc makes and destroys VMs in any mode (the v3 imbalance). */
static bool any_mode(const struct pkvmsim_scenario *sc)
{
	return !strncmp(sc->name, "v3-imbalance", 12);
}

/* The schedule: a run of one CPU per byte, then '+'. */
static void build_schedule(struct fuzz_input *in, unsigned int nr_cpus)
{
	size_t used = 0;
	int n;

	while (fuzz_more(in) && used + 8 < sizeof(schedule)) {
		unsigned int b = fuzz_u8(in);
		unsigned int run = 1 + b / nr_cpus % 16;

		n = snprintf(schedule + used, sizeof(schedule) - used,
			     run > 1 ? "%c%u" : "%c", 'a' + b % nr_cpus, run);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	snprintf(schedule + used, sizeof(schedule) - used, "+");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum pkvmsim_profile profiles[] = {
		PKVMSIM_PROFILE_6_18, PKVMSIM_PROFILE_6_18,
		PKVMSIM_PROFILE_LAZY, PKVMSIM_PROFILE_V3,
	};
	static const enum pkvmsim_mode modes[] = {
		PKVMSIM_MODE_PROTECTED, PKVMSIM_MODE_PROTECTED,
		PKVMSIM_MODE_NVHE, PKVMSIM_MODE_VHE,
	};
	struct fuzz_input in = { data, size };
	const struct pkvmsim_scenario *sc;
	enum pkvmsim_profile profile;
	enum pkvmsim_mode mode;
	unsigned int b;
	bool expected;
	int ret;

	if (size < 2)
		return 0;
	sc = pkvmsim_scenario_at(fuzz_u8(&in) % nr_scenarios());
	b = fuzz_u8(&in);
	profile = profiles[b % 4];
	mode = any_mode(sc) ? modes[b / 4 % 4] : PKVMSIM_MODE_PROTECTED;
	build_schedule(&in, sc->nr_cpus);

	snprintf(line, sizeof(line), "pkvmsim-replay/1 scenario=%s mode=%s "
		 "profile=%s cpus=%u pages=%u strategy=dfs seed=0 depth=0 k=0 "
		 "run=0 lenient=1 schedule=%s", sc->name,
		 pkvmsim_mode_name(mode), pkvmsim_profile_name(profile),
		 sc->nr_cpus, ARENA_PAGES, schedule);
	if (getenv("PKVMSIM_FUZZ_TRACE"))
		fprintf(stderr, "%s\n", line);

	ret = pkvmsim_replay(line, NULL, &res);
	expected = profile == PKVMSIM_PROFILE_LAZY ||
		   (profile == PKVMSIM_PROFILE_V3 &&
		    mode != PKVMSIM_MODE_PROTECTED);
	if (ret == 1 && !expected) {
		fprintf(stderr, "fuzz_schedule: scenario %s (%s), profile %s, "
			"mode %s: %s\n%s\nreplay: %s\n%s\n", sc->name,
			sc->window, pkvmsim_profile_name(profile),
			pkvmsim_mode_name(mode), res.why[0] ? res.why :
			"the oracle or the ledger objected", res.report.text,
			res.replay, res.trace);
		abort();
	}
	if (ret < 0 && !expected) {
		/*
		 * Lenient, a schedule cannot diverge, and every set-up works
		 * in 6.18 (in lazy and v3 some need what those hosts lack).
		 */
		fprintf(stderr, "fuzz_schedule: pkvmsim_replay(\"%s\") = %d: "
			"%s\n", line, ret, res.why);
		abort();
	}
	return 0;
}
