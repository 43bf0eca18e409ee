// SPDX-License-Identifier: GPL-2.0-only
/*
 * The race engine (<pkvmsim/explore.h>) and its built-in scenarios.
 *
 * Every built-in scenario is explored in profile 6.18: exhaustively by
 * DFS with two preemptions where its space is small enough, with one
 * where it is not, and by PCT on a fixed seed and budget; all must be
 * clean.  The profiles that open a window (lazy, v3) must be found on a
 * fixed seed and budget, a found violation must replay to the same trace,
 * bad arguments are refused, and a user's own scenario with a bug in it
 * is caught.
 *
 * The explore_<window> tests are also the tests tests/mutants/ builds
 * against a hypervisor or host with that window opened: they fail with
 * "race window '<window>' is open", the scenario that found it and the
 * line that replays it.
 *
 * PKVMSIM_EXPLORE_QUICK=1 (set for the Valgrind and ThreadSanitizer runs)
 * lowers every DFS bound of 2 to 1 and the PCT budget to 50 schedules.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>
#include "sim_env.h"	/* white-box: the TLB flush records */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Every test's machine: small, so that each schedule boots fast. */
#define ARENA_PAGES	256
#define PCT_SEED	0x5eed
#define PCT_DEPTH	3
#define PCT_SCHEDULES	200

#define W_RESERVE	"reserve: scan and claim of a free slot"
#define W_FIRST_RUN	"concurrent first run"
#define W_NOTIFY	"an MMU notifier's flush racing the first run"
#define W_UNRESERVE	"unreserve racing init_vm"
#define W_DOUBLE_INIT	"concurrent init_vm on one handle"
#define W_LOAD		"vCPU load vs teardown"
#define W_HANDLE_OP	"handle-based operation vs teardown"
#define W_REUSE		"handle/VMID reuse after teardown"
#define W_NAMES		"a notifier names its own VM while a handle is reused"
#define W_V3		"VM create and destroy gated on pKVM mode"
#define W_OWN_NOTIFY	"a VM destroyed while its own notifier runs"

/* Too big for a stack frame; one exploration at a time. */
static struct pkvmsim_explore_result res, again;
static bool quick;

/* --- a crash is a window found too --- */

static char pending[64];	/* the replay line of the schedule running */
static char crash_msg[512];
static size_t crash_len;

static void on_crash(int sig)
{
	char line[PKVMSIM_REPLAY_MAX];
	ssize_t n = 0;
	int fd;

	(void)sig;
	if (write(STDERR_FILENO, crash_msg, crash_len) < 0)
		_exit(3);
	fd = pending[0] ? open(pending, O_RDONLY) : -1;
	if (fd >= 0) {
		n = read(fd, line, sizeof(line));
		close(fd);
	}
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		_exit(3);
	_exit(2);
}

static int group_setup(void **state)
{
	int fd;

	(void)state;
	quick = getenv("PKVMSIM_EXPLORE_QUICK") &&
		strcmp(getenv("PKVMSIM_EXPLORE_QUICK"), "0");
	snprintf(pending, sizeof(pending), "/tmp/pkvmsim-explore-XXXXXX");
	fd = mkstemp(pending);
	if (fd < 0)
		pending[0] = '\0';
	else
		close(fd);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (pending[0])
		unlink(pending);
	return 0;
}

/* --- running a scenario --- */

static const struct pkvmsim_scenario *scenario(const char *name)
{
	const struct pkvmsim_scenario *sc = pkvmsim_scenario_find(name);

	if (!sc)
		fail_msg("no built-in scenario '%s'", name);
	return sc;
}

static void config(struct pkvmsim_config *cfg,
		   const struct pkvmsim_scenario *sc,
		   enum pkvmsim_profile profile, enum pkvmsim_mode mode)
{
	assert_int_equal(pkvmsim_config_init(cfg), 0);
	cfg->profile = profile;
	cfg->mode = mode;
	cfg->nr_cpus = sc->nr_cpus;
	cfg->arena_pages = ARENA_PAGES;
}

static struct pkvmsim_strategy dfs(unsigned int k)
{
	if (quick && k > 1)
		k = 1;
	return (struct pkvmsim_strategy){
		.kind = PKVMSIM_STRATEGY_DFS, .preemptions = k,
	};
}

static struct pkvmsim_strategy pct(uint64_t seed)
{
	return (struct pkvmsim_strategy){
		.kind = PKVMSIM_STRATEGY_PCT, .seed = seed, .depth = PCT_DEPTH,
	};
}

/* Explore @sc; a violation fails the test, naming @window. */
static void explore_clean(const char *window,
			  const struct pkvmsim_scenario *sc,
			  enum pkvmsim_profile profile, enum pkvmsim_mode mode,
			  const struct pkvmsim_strategy *st, uint64_t schedules)
{
	struct pkvmsim_budget budget = {
		.schedules = schedules,
		.pending_file = pending[0] ? pending : NULL,
	};
	/* CMocka's own handlers would lose the window and the replay. */
	struct sigaction crash = { .sa_handler = on_crash }, old[3];
	const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT };
	struct pkvmsim_config cfg;
	unsigned int i;
	int n, ret;

	config(&cfg, sc, profile, mode);
	n = snprintf(crash_msg, sizeof(crash_msg), "race window '%s' is open: "
		     "scenario %s crashed the process; replay: ", window,
		     sc->name);
	crash_len = n > 0 ? (size_t)n : 0;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &crash, &old[i]);
	ret = pkvmsim_explore(&cfg, sc, st, &budget, &res);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	crash_len = 0;
	if (ret == 1)
		fail_msg("race window '%s' is open: scenario %s (%s), profile "
			 "%s, mode %s: %s\n%s; replay: %s", window, sc->name,
			 sc->window, pkvmsim_profile_name(profile),
			 pkvmsim_mode_name(mode), res.why[0] ? res.why :
			 "the oracle or the ledger objected", res.report.text,
			 res.replay);
	assert_int_equal(ret, 0);
	if (st->preemptions == PKVMSIM_PREEMPTIONS_UNBOUNDED)
		print_message("%-24s %s k=all%s: %llu schedules (%llu "
			      "redundant)%s, %.2f s\n", sc->name,
			      pkvmsim_strategy_name(st->kind),
			      st->reduce ? ", reduced" : "",
			      (unsigned long long)res.schedules,
			      (unsigned long long)res.redundant,
			      res.exhausted ? " (exhausted)" : "",
			      res.seconds);
	else
		print_message("%-24s %s k=%u: %llu schedules%s, %.2f s\n",
			      sc->name, pkvmsim_strategy_name(st->kind),
			      st->preemptions,
			      (unsigned long long)res.schedules,
			      res.exhausted ? " (exhausted)" : "",
			      res.seconds);
	assert_true(res.schedules > 0);
	assert_false(res.violation);
	/* DFS with no limit ran its whole space; PCT its whole budget. */
	if (st->kind == PKVMSIM_STRATEGY_DFS && !schedules)
		assert_true(res.exhausted);
	if (st->kind != PKVMSIM_STRATEGY_DFS)
		assert_int_equal(res.schedules, schedules);
}

static void dfs_clean(const char *window, const char *name, unsigned int k)
{
	struct pkvmsim_strategy st = dfs(k);

	explore_clean(window, scenario(name), PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 0);
}

/* Explore @sc, which must break something within the budget. */
static void explore_found(const struct pkvmsim_scenario *sc,
			  enum pkvmsim_profile profile, enum pkvmsim_mode mode,
			  const struct pkvmsim_strategy *st, uint64_t schedules)
{
	struct pkvmsim_budget budget = { .schedules = schedules };
	struct pkvmsim_config cfg;
	int ret;

	config(&cfg, sc, profile, mode);
	ret = pkvmsim_explore(&cfg, sc, st, &budget, &res);
	if (ret != 1)
		fail_msg("scenario %s, profile %s, mode %s: explore returned "
			 "%d after %llu schedules: nothing found", sc->name,
			 pkvmsim_profile_name(profile), pkvmsim_mode_name(mode),
			 ret, (unsigned long long)res.schedules);
	print_message("%-24s %s/%s: found after %llu schedules: %s\n",
		      sc->name, pkvmsim_profile_name(profile),
		      pkvmsim_mode_name(mode),
		      (unsigned long long)res.schedules,
		      res.why[0] ? res.why : res.report.violations[0].what);
	assert_true(res.violation);
	assert_true(res.schedules >= 1 && res.schedules <= schedules);
	assert_non_null(strstr(res.replay, "pkvmsim-replay/1 "));
	assert_non_null(strstr(res.replay, sc->name));
	assert_true(res.trace[0] != '\0');
}

/* Whether the last exploration's report holds a violation of @inv. */
static bool reported(unsigned int inv)
{
	unsigned int i;

	for (i = 0; i < res.report.nr_kept; i++)
		if (res.report.violations[i].invariant == inv)
			return true;
	return false;
}

/* --- the built-in scenarios, clean in 6.18, window by window --- */

static void explore_lists_scenarios(void **state)
{
	static const char *const expected[] = {
		"reserve-storm", "reserve-storm-3", "first-run",
		"first-run-3", "notify-vs-first-run", "notify-vs-first-run-3",
		"init-vm-vs-unreserve", "init-vm-vs-unreserve-3",
		"teardown-vs-load", "teardown-vs-load-3", "teardown-vs-flush",
		"teardown-vs-flush-3", "handle-reuse", "handle-reuse-3",
		"destroy-vs-notify", "destroy-vs-own-notify",
		"destroy-vs-notify-3", "v3-imbalance", "v3-imbalance-3",
	};
	const struct pkvmsim_scenario *sc;
	unsigned int i, j;

	(void)state;
	for (i = 0; (sc = pkvmsim_scenario_at(i)); i++) {
		assert_non_null(sc->name);
		assert_non_null(sc->window);
		assert_true(strlen(sc->window) > 10);
		assert_true(sc->nr_cpus >= 2 &&
			    sc->nr_cpus <= PKVMSIM_EXPLORE_MAX_CPUS);
		for (j = 0; j < sc->nr_cpus; j++)
			assert_non_null(sc->body[j]);
		assert_ptr_equal(pkvmsim_scenario_find(sc->name), sc);
		for (j = 0; j < i; j++)
			assert_string_not_equal(pkvmsim_scenario_at(j)->name,
						sc->name);
	}
	assert_int_equal(i, ARRAY_SIZE(expected));
	for (i = 0; i < ARRAY_SIZE(expected); i++)
		assert_non_null(pkvmsim_scenario_find(expected[i]));
	assert_null(pkvmsim_scenario_at(i));
	assert_null(pkvmsim_scenario_find("no-such-scenario"));
	assert_null(pkvmsim_scenario_find(NULL));
}

/*
 * Each window's scenarios, exhaustively by DFS: with two preemptions where
 * that takes at most about 3 s in a debug build (up to 32k schedules),
 * else with one (the k = 2 sizes are given).  The last free slot(s)
 * claimed from every CPU (3 CPUs at k = 2: 17k schedules, 45 s: each boots
 * a table with 253 slots taken).
 */
static void explore_reserve_storm(void **state)
{
	(void)state;
	dfs_clean(W_RESERVE, "reserve-storm", 2);
	dfs_clean(W_RESERVE, "reserve-storm-3", 1);
}

/* First runs of a VM's vCPUs (3 CPUs at k = 2: 521k schedules). */
static void explore_first_run(void **state)
{
	(void)state;
	dfs_clean(W_FIRST_RUN, "first-run", 2);
	dfs_clean(W_FIRST_RUN, "first-run-3", 1);
}

/* The series' window (3 CPUs at k = 2: 121k schedules, 17 s). */
static void explore_notify_vs_first_run(void **state)
{
	(void)state;
	dfs_clean(W_NOTIFY, "notify-vs-first-run", 2);
	dfs_clean(W_NOTIFY, "notify-vs-first-run-3", 1);
}

static void explore_init_vm_vs_unreserve(void **state)
{
	(void)state;
	dfs_clean(W_UNRESERVE, "init-vm-vs-unreserve", 2);
}

/* Two init_vm and an unreserve (32k schedules). */
static void explore_init_vm_vs_init_vm(void **state)
{
	(void)state;
	dfs_clean(W_DOUBLE_INIT, "init-vm-vs-unreserve-3", 2);
}

static void explore_teardown_vs_load(void **state)
{
	(void)state;
	dfs_clean(W_LOAD, "teardown-vs-load", 2);
	dfs_clean(W_LOAD, "teardown-vs-load-3", 2);
}

/*
 * With no preemption bound, and equivalent schedules skipped, two windows
 * of a hostile host are small enough to run whole: every schedule, not
 * only those with at most two preemptions (5 and 11 s in a debug build;
 * skipped where the simulator is 10-50x slower).
 */
static void explore_whole(const char *window, const char *name)
{
	const struct pkvmsim_strategy st = {
		.kind = PKVMSIM_STRATEGY_DFS,
		.preemptions = PKVMSIM_PREEMPTIONS_UNBOUNDED,
		.reduce = true,
	};

	if (quick)
		skip();
	explore_clean(window, scenario(name), PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 0);
	assert_true(res.exhausted);
}

static void explore_whole_init_vm_vs_unreserve(void **state)
{
	(void)state;
	explore_whole(W_UNRESERVE, "init-vm-vs-unreserve");
}

static void explore_whole_teardown_vs_load(void **state)
{
	(void)state;
	explore_whole(W_LOAD, "teardown-vs-load");
}

static void explore_teardown_vs_flush(void **state)
{
	(void)state;
	dfs_clean(W_HANDLE_OP, "teardown-vs-flush", 2);
	dfs_clean(W_HANDLE_OP, "teardown-vs-flush-3", 2);
}

/*
 * A VM that goes LIVE on A's handle does so on A's VMID: the scenario
 * checks, with pkvmsim_tlb_flushes(), that A's teardown had flushed it
 * (SPEC 9: the flush before the slot is freed).
 */
static void explore_handle_reuse(void **state)
{
	(void)state;
	/* 3 CPUs at k = 2: more than 600k schedules. */
	dfs_clean(W_REUSE, "handle-reuse", 2);
	dfs_clean(W_REUSE, "handle-reuse-3", 1);
}

/* (3 CPUs at k = 2: 68k schedules, 13 s.) */
static void explore_destroy_vs_notify(void **state)
{
	(void)state;
	dfs_clean(W_NAMES, "destroy-vs-notify", 2);
	dfs_clean(W_NAMES, "destroy-vs-notify-3", 1);
}

/*
 * The host must not free a VM a call on another CPU is still using: a
 * destroy answers -EAGAIN while the VM's notifier is in flight.
 */
static void explore_destroy_vs_own_notify(void **state)
{
	(void)state;
	dfs_clean(W_OWN_NOTIFY, "destroy-vs-own-notify", 2);
}

/*
 * Clean in 6.18 in every mode: outside pKVM mode no pKVM hypercall at all.
 * (Protected mode at k = 2: 53k schedules, 7 s, for 2 CPUs; 725k+ for 3.)
 */
static void explore_v3_imbalance(void **state)
{
	static const enum pkvmsim_mode modes[] = {
		PKVMSIM_MODE_NVHE, PKVMSIM_MODE_VHE,
	};
	static const char *const names[] = { "v3-imbalance", "v3-imbalance-3" };
	struct pkvmsim_strategy k1 = dfs(1), k2 = dfs(2);
	unsigned int i, m;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		for (m = 0; m < ARRAY_SIZE(modes); m++)
			explore_clean(W_V3, scenario(names[i]),
				      PKVMSIM_PROFILE_6_18, modes[m], &k2, 0);
		explore_clean(W_V3, scenario(names[i]), PKVMSIM_PROFILE_6_18,
			      PKVMSIM_MODE_PROTECTED, &k1, 0);
	}
}

/* PCT on a fixed seed and budget, every scenario. */
static void explore_pct_every_scenario(void **state)
{
	const struct pkvmsim_scenario *sc;
	struct pkvmsim_strategy st = pct(PCT_SEED);
	unsigned int i;

	(void)state;
	for (i = 0; (sc = pkvmsim_scenario_at(i)); i++)
		explore_clean(sc->window, sc, PKVMSIM_PROFILE_6_18,
			      PKVMSIM_MODE_PROTECTED, &st,
			      quick ? 50 : PCT_SCHEDULES);
}

/*
 * Free mode: every scenario's bodies at once on real threads, as a stress
 * test would run them, and as ThreadSanitizer (the tsan preset runs this
 * program) must see them clean: the simulator's own shared state takes
 * real concurrency, not only the controlled scheduler's.
 */
static void explore_free_every_scenario(void **state)
{
	const struct pkvmsim_strategy st = { .kind = PKVMSIM_STRATEGY_FREE };
	const struct pkvmsim_scenario *sc;
	unsigned int i;

	(void)state;
	for (i = 0; (sc = pkvmsim_scenario_at(i)); i++)
		explore_clean(sc->window, sc, PKVMSIM_PROFILE_6_18,
			      PKVMSIM_MODE_PROTECTED, &st, quick ? 5 : 20);
}

/* --- the profiles that open a window are found --- */

/*
 * Profile lazy: the handle comes at the first run, so TrustZone is told of
 * a VM, and a notifier that fires before the first run flushes, naming
 * handle 0 (invariant 13).
 */
static void explore_lazy_found(void **state)
{
	static const char *const names[] = {
		"notify-vs-first-run", "notify-vs-first-run-3",
		"destroy-vs-notify", "destroy-vs-notify-3",
	};
	struct pkvmsim_strategy st = pct(PCT_SEED);
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		explore_found(scenario(names[i]), PKVMSIM_PROFILE_LAZY,
			      PKVMSIM_MODE_PROTECTED, &st, 20);
		assert_true(reported(13));
		assert_non_null(strstr(res.replay, "profile=lazy"));
	}
}

/*
 * Profile v3: creation reserves in every mode, so an nVHE host makes a
 * pKVM hypercall (invariant 3) and a VHE host panics.
 */
static void explore_v3_found(void **state)
{
	static const char *const names[] = { "v3-imbalance", "v3-imbalance-3" };
	struct pkvmsim_strategy st = pct(PCT_SEED);
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		explore_found(scenario(names[i]), PKVMSIM_PROFILE_V3,
			      PKVMSIM_MODE_NVHE, &st, 20);
		assert_true(reported(3));
		assert_non_null(strstr(res.why, "-22"));
		explore_found(scenario(names[i]), PKVMSIM_PROFILE_V3,
			      PKVMSIM_MODE_VHE, &st, 20);
		assert_true(reported(PKVMSIM_INV_HOST_PANIC));
	}
	/* In pKVM mode v3 is 6.18. */
	st = dfs(1);
	explore_clean(W_V3, scenario("v3-imbalance"), PKVMSIM_PROFILE_V3,
		      PKVMSIM_MODE_PROTECTED, &st, 0);
}

/* --- a user's own scenario, with a bug in its expectations --- */

struct first_wins {
	int	handle[2];
};

static void first_wins_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct first_wins *f = ctx;
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM) },
	};

	if (!pkvmsim_hvc(sim, cpu, &regs))
		f->handle[cpu] = (int)regs.x[1];
}

/* The bug: CPU 0 is assumed to reserve first, and so get the lowest. */
static int first_wins_check(struct pkvmsim *sim, void *ctx, char *why,
			    size_t len)
{
	struct first_wins *f = ctx;

	(void)sim;
	if (f->handle[0] == PKVMSIM_HANDLE_OFFSET)
		return 0;
	snprintf(why, len, "cpu0 reserved 0x%x, not 0x%x", f->handle[0],
		 PKVMSIM_HANDLE_OFFSET);
	return 1;
}

static void first_wins_teardown(struct pkvmsim *sim, void *ctx)
{
	struct first_wins *f = ctx;
	unsigned int cpu;

	for (cpu = 0; cpu < 2; cpu++) {
		struct pkvmsim_regs regs = {
			.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_UNRESERVE_VM),
			       (uint64_t)f->handle[cpu] },
		};

		if (f->handle[cpu] > 0)
			pkvmsim_hvc(sim, 0, &regs);
	}
}

static const struct pkvmsim_scenario first_wins = {
	.name = "cpu0-reserves-first",
	.window = "a user's scenario that assumes CPU 0 reserves first",
	.nr_cpus = 2,
	.ctx_size = sizeof(struct first_wins),
	.body = { first_wins_body, first_wins_body },
	.check = first_wins_check,
	.teardown = first_wins_teardown,
};

static void explore_user_scenario_bug(void **state)
{
	const struct pkvmsim_budget budget = { .schedules = 10 };
	struct pkvmsim_strategy st = dfs(0);

	(void)state;
	/* DFS without preemption: CPU 0 first, then CPU 1 first. */
	explore_found(&first_wins, PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 10);
	assert_int_equal(res.schedules, 2);
	assert_string_equal(res.why, "cpu0 reserved 0x1001, not 0x1000");
	/* The hypervisor did nothing wrong: the verdict is the scenario's. */
	assert_int_equal(res.report.nr_violations, 0);
	assert_non_null(strstr(res.replay, "scenario=cpu0-reserves-first"));

	/* PCT finds it as well. */
	st = pct(PCT_SEED);
	explore_found(&first_wins, PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 50);
	assert_int_equal(res.report.nr_violations, 0);

	/* And DFS with no bound, reduced; its line replays. */
	st = dfs(0);
	st.preemptions = PKVMSIM_PREEMPTIONS_UNBOUNDED;
	st.reduce = true;
	explore_found(&first_wins, PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 100);
	assert_non_null(strstr(res.replay, " k=all "));
	memset(&again, 0, sizeof(again));
	assert_int_equal(pkvmsim_replay(res.replay, &first_wins, &again), 1);
	assert_int_equal(again.trace_hash, res.trace_hash);

	/* Not under a bound, nor for another strategy. */
	st.preemptions = 2;
	assert_int_equal(pkvmsim_explore(NULL, &first_wins, &st, &budget,
					 &res), -EINVAL);
	st = pct(PCT_SEED);
	st.reduce = true;
	assert_int_equal(pkvmsim_explore(NULL, &first_wins, &st, &budget,
					 &res), -EINVAL);
}

/* --- where a run first went wrong --- */

/*
 * In profile lazy the TrustZone hears of a VM before it has a handle:
 * the oracle records that at KVM_CREATE_VM, mid-run, and the first run
 * then inserts the VM, so the table where it went wrong (empty) is not
 * the table at the end (one LIVE slot).
 */
struct late_handle {
	struct pkvmsim_vm	*vm;
};

static void late_handle_body(struct pkvmsim *sim, unsigned int cpu,
			     void *ctx)
{
	struct late_handle *l = ctx;

	if (cpu != 0 || pkvmsim_vm_create(sim, cpu, &l->vm))
		return;
	if (!pkvmsim_vcpu_create(l->vm, cpu, 0) &&
	    !pkvmsim_vcpu_run(l->vm, cpu, 0))
		pkvmsim_vcpu_put(l->vm, cpu, 0);
}

static void late_handle_teardown(struct pkvmsim *sim, void *ctx)
{
	struct late_handle *l = ctx;

	(void)sim;
	if (l->vm)
		pkvmsim_vm_destroy(l->vm, 0);
}

static const struct pkvmsim_scenario late_handle = {
	.name = "late-handle",
	.window = "a VM known to the TrustZone before it has a handle",
	.nr_cpus = 2,
	.ctx_size = sizeof(struct late_handle),
	.body = { late_handle_body, late_handle_body },
	.teardown = late_handle_teardown,
};

/* Whether the file @f, as written so far, holds @text. */
static bool json_holds(FILE *f, const char *text)
{
	char *buf;
	long len;
	bool found;

	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	found = strstr(buf, text) != NULL;
	free(buf);
	return found;
}

static void explore_trace_first_violation(void **state)
{
	struct pkvmsim_strategy st = dfs(0);
	char mark[128], *line;
	FILE *json;

	(void)state;
	explore_found(&late_handle, PKVMSIM_PROFILE_LAZY,
		      PKVMSIM_MODE_PROTECTED, &st, 1);
	assert_true(reported(13));
	assert_true(res.flagged_step > 0);

	/* The step is marked in the trace, at its own number. */
	line = strstr(res.trace, "<== first violation recorded");
	assert_non_null(line);
	while (line > res.trace && line[-1] != '\n')
		line--;
	snprintf(mark, sizeof(mark), "%5lld  cpu0 ",
		 (long long)res.flagged_step);
	assert_memory_equal(line, mark, strlen(mark));
	/* Before the first run inserted the VM, and after. */
	snprintf(mark, sizeof(mark), "VM table at step %lld, where the first "
		 "violation was recorded: 0 reserved, 0 live\n",
		 (long long)res.flagged_step);
	assert_non_null(strstr(res.trace, mark));
	assert_non_null(strstr(res.trace, "VM table after the last step: "
			       "0 reserved, 1 live\n"));

	/* A replay finds the same step, and puts the instant event there. */
	json = tmpfile();
	assert_non_null(json);
	memset(&again, 0, sizeof(again));
	assert_int_equal(pkvmsim_replay_json(res.replay, &late_handle, json,
					     &again), 1);
	assert_int_equal(again.flagged_step, res.flagged_step);
	assert_string_equal(again.trace, res.trace);
	snprintf(mark, sizeof(mark), "{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,"
		 "\"tid\":0,\"ts\":%lld,", (long long)res.flagged_step);
	assert_true(json_holds(json, mark));
	fclose(json);

	/* Nothing recorded while the CPUs ran: no step is flagged. */
	explore_found(&first_wins, PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 10);
	assert_int_equal(res.flagged_step, -1);
	assert_null(strstr(res.trace, "first violation recorded"));
}

/* --- replay --- */

/* Replaying @line twice gives the violation and trace of the original. */
static void replays_exactly(const char *line,
			    const struct pkvmsim_scenario *sc, uint64_t hash)
{
	int i;

	for (i = 0; i < 2; i++) {
		memset(&again, 0, sizeof(again));
		assert_int_equal(pkvmsim_replay(line, sc, &again), 1);
		assert_true(again.violation);
		assert_int_equal(again.schedules, 1);
		if (again.trace_hash != hash)
			fail_msg("replay %d of %s: trace hash %016llx, not "
				 "%016llx", i, line,
				 (unsigned long long)again.trace_hash,
				 (unsigned long long)hash);
	}
}

static void explore_replay_deterministic(void **state)
{
	struct pkvmsim_strategy st = pct(PCT_SEED);
	char line[PKVMSIM_REPLAY_MAX];
	uint64_t hash;

	(void)state;
	/* A built-in scenario, found by PCT in profile lazy. */
	explore_found(scenario("notify-vs-first-run-3"), PKVMSIM_PROFILE_LAZY,
		      PKVMSIM_MODE_PROTECTED, &st, 20);
	snprintf(line, sizeof(line), "%s", res.replay);
	hash = res.trace_hash;
	replays_exactly(line, NULL, hash);
	replays_exactly(line, scenario("notify-vs-first-run-3"), hash);
	assert_true(again.report.nr_violations > 0);

	/* A user's scenario, found by DFS: its line names its schedule. */
	st = dfs(0);
	explore_found(&first_wins, PKVMSIM_PROFILE_6_18,
		      PKVMSIM_MODE_PROTECTED, &st, 10);
	snprintf(line, sizeof(line), "%s", res.replay);
	assert_non_null(strstr(line, "schedule="));
	replays_exactly(line, &first_wins, res.trace_hash);
	assert_string_equal(again.why, res.why);
	/* Not a built-in: the line alone does not name a scenario we have. */
	assert_int_equal(pkvmsim_replay(line, NULL, &again), -ENOENT);
	/* Another scenario than the line's. */
	assert_int_equal(pkvmsim_replay(line, scenario("first-run"), &again),
			 -EINVAL);
}

/* --- bad arguments --- */

static void noop_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	(void)sim;
	(void)cpu;
	(void)ctx;
}

static int failing_setup(struct pkvmsim *sim, void *ctx)
{
	(void)sim;
	(void)ctx;
	return -ENOSPC;
}

static void explore_bad_arguments(void **state)
{
	const struct pkvmsim_scenario good = {
		.name = "noop", .window = "nothing", .nr_cpus = 2,
		.body = { noop_body, noop_body },
	};
	struct pkvmsim_strategy st = dfs(1);
	struct pkvmsim_budget budget = { .schedules = 5 };
	struct pkvmsim_scenario sc;
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	(void)state;
	config(&cfg, &good, PKVMSIM_PROFILE_6_18, PKVMSIM_MODE_PROTECTED);
	/* The good one runs: two schedules without preemption... */
	st = dfs(0);
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, NULL, &res), 0);
	assert_int_equal(res.schedules, 2);
	assert_true(res.exhausted);
	st = dfs(1);

	assert_int_equal(pkvmsim_explore(&cfg, NULL, &st, &budget, &res),
			 -EINVAL);
	assert_int_equal(pkvmsim_explore(&cfg, &good, NULL, &budget, &res),
			 -EINVAL);
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, &budget, NULL),
			 -EINVAL);

	sc = good;
	sc.name = NULL;
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);
	sc.name = "";
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);
	sc.name = "two words";
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);
	sc = good;
	sc.nr_cpus = 0;
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);
	sc.nr_cpus = PKVMSIM_EXPLORE_MAX_CPUS + 1;
	assert_int_equal(pkvmsim_explore(NULL, &sc, &st, &budget, &res),
			 -EINVAL);
	sc = good;
	sc.body[1] = NULL;
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);
	/* More bodies than the machine has CPUs. */
	sc = good;
	sc.nr_cpus = 3;
	sc.body[2] = noop_body;
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, &budget, &res),
			 -EINVAL);

	/* Strategies. */
	st.kind = PKVMSIM_STRATEGY_NR;
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, &budget, &res),
			 -EINVAL);
	assert_null(pkvmsim_strategy_name(PKVMSIM_STRATEGY_NR));
	assert_string_equal(pkvmsim_strategy_name(PKVMSIM_STRATEGY_PCT),
			    "pct");
	st = pct(1);
	st.depth = 0;
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, &budget, &res),
			 -EINVAL);
	/* Nothing would end a random or PCT exploration. */
	st = pct(1);
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, NULL, &res),
			 -EINVAL);
	budget = (struct pkvmsim_budget){ 0 };
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, &budget, &res),
			 -EINVAL);

	/* The setup's error stops the exploration. */
	sc = good;
	sc.setup = failing_setup;
	st = dfs(1);
	assert_int_equal(pkvmsim_explore(&cfg, &sc, &st, NULL, &res),
			 -ENOSPC);

	/* One simulator per process: not while another is live. */
	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	assert_int_equal(pkvmsim_explore(&cfg, &good, &st, NULL, &res),
			 -EBUSY);
	assert_int_equal(pkvmsim_destroy(sim), 0);

	/* Replay lines. */
	assert_int_equal(pkvmsim_replay(NULL, NULL, &res), -EINVAL);
	assert_int_equal(pkvmsim_replay("pkvmsim-replay/1 scenario=noop "
					"strategy=dfs", &good, NULL), -EINVAL);
	assert_int_equal(pkvmsim_replay("not a replay line", NULL, &res),
			 -EINVAL);
	assert_int_equal(pkvmsim_replay("pkvmsim-replay/1 scenario=noop "
					"strategy=dfs cpus=many", &good, &res),
			 -EINVAL);
	assert_int_equal(pkvmsim_replay("pkvmsim-replay/1 scenario=nosuch "
					"strategy=pct depth=3 seed=1", NULL,
					&res), -ENOENT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(explore_lists_scenarios),
		cmocka_unit_test(explore_destroy_vs_own_notify),
		cmocka_unit_test(explore_free_every_scenario),
		cmocka_unit_test(explore_bad_arguments),
		cmocka_unit_test(explore_user_scenario_bug),
		cmocka_unit_test(explore_replay_deterministic),
		cmocka_unit_test(explore_trace_first_violation),
		cmocka_unit_test(explore_lazy_found),
		cmocka_unit_test(explore_v3_found),
		cmocka_unit_test(explore_reserve_storm),
		cmocka_unit_test(explore_first_run),
		cmocka_unit_test(explore_notify_vs_first_run),
		cmocka_unit_test(explore_init_vm_vs_unreserve),
		cmocka_unit_test(explore_init_vm_vs_init_vm),
		cmocka_unit_test(explore_teardown_vs_load),
		cmocka_unit_test(explore_teardown_vs_flush),
		cmocka_unit_test(explore_whole_init_vm_vs_unreserve),
		cmocka_unit_test(explore_whole_teardown_vs_load),
		cmocka_unit_test(explore_handle_reuse),
		cmocka_unit_test(explore_destroy_vs_notify),
		cmocka_unit_test(explore_v3_imbalance),
		cmocka_unit_test(explore_pct_every_scenario),
	};

	/* One test by name, for the mutant builds. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
