// SPDX-License-Identifier: GPL-2.0-only
/*
 * The controlled scheduler on its own (src/sched): strategies, replay,
 * deadlock and livelock, threads outside its control, fiber-local state.
 *
 * The "CPUs" here are small functions that pass scheduling points
 * directly (sim_sched_point) and take struct sim_lock locks, so every
 * expectation can be worked out by hand or by the independent enumerator
 * below.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"
#include "linux/sim_lock.h"
#include "sched.h"

/* --- synthetic CPUs --- */

struct toy {
	unsigned int	points;		/* scheduling points it passes */
	unsigned int	id;
	int		cpu_seen_bad;	/* sim_this_cpu() was not its own */
};

static int shared;

static void toy_main(void *arg)
{
	struct toy *t = arg;
	unsigned int i;

	for (i = 0; i < t->points; i++) {
		sim_sched_point(SIM_POINT_READ_ONCE, &shared);
		if (sim_this_cpu() != (int)t->id)
			t->cpu_seen_bad++;
	}
}

static long run_all(const struct sched_config *cfg,
		    const struct sched_thread *threads, unsigned int nr,
		    uint64_t *hashes, long max_hashes)
{
	struct sched_explorer *x;
	struct sched_result res;
	long runs = 0;
	int ret;

	assert_int_equal(sched_explorer_create(cfg, nr, &x), 0);
	while ((ret = sched_explorer_run(x, threads, &res)) == 1) {
		assert_int_equal(res.outcome, SCHED_OK);
		assert_false(res.outside);
		if (runs < max_hashes)
			hashes[runs] = res.trace_hash;
		runs++;
		assert_true(runs < 1000000);
	}
	assert_int_equal(ret, 0);
	assert_true(sched_explorer_exhausted(x));
	sched_explorer_destroy(x);
	return runs;
}

/*
 * The oracle for DFS: a recursive count of the decision sequences with
 * at most @k preemptions, written from the definition (a preemption is
 * choosing another CPU while the one at the point could go on), not from
 * the explorer's code.  @left[t] is the points thread t has yet to pass.
 */
static long count_schedules(unsigned int nr, unsigned int *left,
			    unsigned int alive, int cur, unsigned int k)
{
	long total = 0;
	unsigned int t;

	if (!alive)
		return 1;
	for (t = 0; t < nr; t++) {
		bool preempts = cur >= 0 && (alive & (1U << cur)) &&
				t != (unsigned int)cur;
		unsigned int bit = 1U << t;

		if (!(alive & bit) || (preempts && !k))
			continue;
		/* t passes its next point, or ends. */
		if (left[t]) {
			left[t]--;
			total += count_schedules(nr, left, alive, (int)t,
						 k - preempts);
			left[t]++;
		} else {
			total += count_schedules(nr, left, alive & ~bit,
						 (int)t, k - preempts);
		}
	}
	return total;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* DFS runs exactly the schedules within the bound, each once. */
static void dfs_runs_every_schedule_once(void **state)
{
	static const unsigned int shapes[][3] = {
		{ 2, 1, 0 }, { 3, 3, 0 }, { 5, 2, 0 }, { 2, 2, 2 },
		{ 4, 0, 0 }, { 6, 5, 0 },
	};
	static uint64_t hashes[200000];
	struct toy toys[3];
	struct sched_thread threads[3];
	unsigned int s, k, i, nr;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(shapes); s++) {
		nr = shapes[s][2] ? 3 : shapes[s][1] ? 2 : 1;
		for (i = 0; i < nr; i++) {
			toys[i] = (struct toy){ .points = shapes[s][i], .id = i };
			threads[i] = (struct sched_thread){
				.fn = toy_main, .arg = &toys[i], .cpu = i,
			};
		}
		for (k = 0; k <= 3; k++) {
			struct sched_config cfg = {
				.kind = SCHED_DFS, .preemptions = k,
			};
			unsigned int left[3] = {
				shapes[s][0], shapes[s][1], shapes[s][2],
			};
			long want = count_schedules(nr, left, (1U << nr) - 1,
						    -1, k);
			long got = run_all(&cfg, threads, nr, hashes,
					   ARRAY_SIZE(hashes));

			if (got != want)
				fail_msg("shape %u/%u/%u k=%u: %ld schedules, "
					 "expected %ld", shapes[s][0],
					 shapes[s][1], shapes[s][2], k, got,
					 want);
			/* Distinct interleavings, not one run many times. */
			qsort(hashes, (size_t)got, sizeof(*hashes), cmp_u64);
			for (i = 1; i < got; i++)
				assert_true(hashes[i] != hashes[i - 1]);
			for (i = 0; i < nr; i++)
				assert_int_equal(toys[i].cpu_seen_bad, 0);
		}
	}
}

/* An atomicity bug: a read and a write that must not be split. */
struct counter {
	int	value;
	int	lost;
};

static struct counter counter;

static void racy_increment(void *arg)
{
	int v;

	(void)arg;
	sim_sched_point(SIM_POINT_READ_ONCE, &counter.value);
	v = counter.value;
	sim_sched_point(SIM_POINT_WRITE_ONCE, &counter.value);
	counter.value = v + 1;
}

static bool counter_run(struct sched_explorer *x,
			const struct sched_thread *threads,
			struct sched_result *res)
{
	counter.value = 0;
	assert_int_equal(sched_explorer_run(x, threads, res), 1);
	return counter.value != 2;
}

/* DFS finds it with one preemption, not with none; PCT with depth 2. */
static void strategies_find_a_lost_update(void **state)
{
	const struct sched_thread threads[] = {
		{ .fn = racy_increment, .cpu = 0 },
		{ .fn = racy_increment, .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_DFS };
	struct sched_explorer *x;
	struct sched_result res;
	unsigned int found, runs;

	(void)state;
	for (cfg.preemptions = 0; cfg.preemptions <= 1; cfg.preemptions++) {
		assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
		found = 0;
		while (!sched_explorer_exhausted(x))
			found += counter_run(x, threads, &res);
		sched_explorer_destroy(x);
		if (cfg.preemptions)
			assert_true(found > 0);
		else
			assert_int_equal(found, 0);
	}

	cfg = (struct sched_config){ .kind = SCHED_PCT, .depth = 2,
				     .seed = 1 };
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	for (found = 0, runs = 0; runs < 200 && !found; runs++)
		found += counter_run(x, threads, &res);
	assert_true(found);
	assert_true(sched_explorer_pct_steps(x) >= 4);
	sched_explorer_destroy(x);

	cfg = (struct sched_config){ .kind = SCHED_RANDOM, .seed = 7 };
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	for (found = 0, runs = 0; runs < 200 && !found; runs++)
		found += counter_run(x, threads, &res);
	assert_true(found);
	sched_explorer_destroy(x);
}

/* PCT with depth 1 never preempts: priorities alone decide. */
static void pct_depth_1_never_preempts(void **state)
{
	struct toy toys[2] = { { .points = 5, .id = 0 },
			       { .points = 5, .id = 1 } };
	const struct sched_thread threads[] = {
		{ .fn = toy_main, .arg = &toys[0], .cpu = 0 },
		{ .fn = toy_main, .arg = &toys[1], .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_PCT, .depth = 1 };
	struct sched_explorer *x;
	struct sched_result res;
	int i;

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	for (i = 0; i < 20; i++) {
		assert_int_equal(sched_explorer_run(x, threads, &res), 1);
		assert_int_equal(res.preemptions, 0);
		assert_int_equal(res.switches, 1);
	}
	sched_explorer_destroy(x);
	cfg.depth = 0;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -EINVAL);
}

/* A random run's schedule replays it; a broken one diverges. */
static void replay_reproduces_and_detects_divergence(void **state)
{
	struct toy toys[2] = { { .points = 7, .id = 0 },
			       { .points = 4, .id = 1 } };
	const struct sched_thread threads[] = {
		{ .fn = toy_main, .arg = &toys[0], .cpu = 0 },
		{ .fn = toy_main, .arg = &toys[1], .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_RANDOM, .seed = 42 };
	struct sched_explorer *x;
	struct sched_result res, again;
	char line[256], line2[256];
	uint8_t choices[64];

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	assert_int_equal(sched_explorer_run(x, threads, &res), 1);
	assert_true(sched_schedule_format(x, line, sizeof(line)) > 0);
	sched_explorer_destroy(x);
	assert_true(res.switches > 1);
	assert_int_equal(sched_schedule_parse(line, NULL, 0),
			 (long)res.steps - 1);

	cfg = (struct sched_config){ .kind = SCHED_REPLAY, .schedule = line };
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	assert_int_equal(sched_explorer_run(x, threads, &again), 1);
	assert_int_equal(again.outcome, SCHED_OK);
	assert_true(again.trace_hash == res.trace_hash);
	assert_true(sched_schedule_format(x, line2, sizeof(line2)) > 0);
	assert_string_equal(line2, line);
	assert_int_equal(sched_explorer_run(x, threads, &again), 0);
	sched_explorer_destroy(x);

	/* Thread 1 past its end: the choice cannot be made. */
	cfg.schedule = "b20a20";
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	assert_int_equal(sched_explorer_run(x, threads, &again), 1);
	assert_int_equal(again.outcome, SCHED_DIVERGED);
	assert_non_null(strstr(again.why, "diverged"));
	sched_explorer_destroy(x);

	/* Malformed schedules. */
	assert_int_equal(sched_schedule_parse("a3b", choices, 64), 4);
	assert_int_equal(choices[3], 1);
	assert_int_equal(sched_schedule_parse("", choices, 64), 0);
	assert_int_equal(sched_schedule_parse("a0", choices, 64), -EINVAL);
	assert_int_equal(sched_schedule_parse("a-1", choices, 64), -EINVAL);
	assert_int_equal(sched_schedule_parse("z", choices, 64), -EINVAL);
	assert_int_equal(sched_schedule_parse("a 2", choices, 64), -EINVAL);
	assert_int_equal(sched_schedule_parse("a99999999999999999999",
					      choices, 64), -EINVAL);
	assert_int_equal(sched_schedule_parse("a65", choices, 64), -E2BIG);
	assert_int_equal(sched_schedule_parse(NULL, choices, 64), -EINVAL);
	cfg.schedule = "q";
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -EINVAL);
	/* Longer than any run may be: refused, not allocated. */
	cfg.schedule = "a99999999999";
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -E2BIG);
	cfg.schedule = "a20";
	cfg.max_steps = 10;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -E2BIG);
}

/*
 * The line written before a DFS run (its replayed choices, then on
 * without preemption) replays that run: a run that kills the process can
 * still be reproduced.
 */
static void dfs_prefix_replays_the_coming_run(void **state)
{
	struct toy toys[2] = { { .points = 5, .id = 0 },
			       { .points = 4, .id = 1 } };
	const struct sched_thread threads[] = {
		{ .fn = toy_main, .arg = &toys[0], .cpu = 0 },
		{ .fn = toy_main, .arg = &toys[1], .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_DFS, .preemptions = 2 };
	struct sched_explorer *x, *y;
	struct sched_result res, again;
	char prefix[256];
	int runs = 0;

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	while (!sched_explorer_exhausted(x)) {
		struct sched_config replay = { .kind = SCHED_REPLAY,
					       .schedule = prefix };

		assert_true(sched_explorer_prefix(x, prefix,
						  sizeof(prefix)) > 0);
		assert_int_equal(prefix[strlen(prefix) - 1], '+');
		assert_int_equal(sched_explorer_run(x, threads, &res), 1);
		assert_int_equal(sched_explorer_create(&replay, 2, &y), 0);
		assert_int_equal(sched_explorer_run(y, threads, &again), 1);
		sched_explorer_destroy(y);
		assert_int_equal(again.outcome, SCHED_OK);
		assert_true(again.trace_hash == res.trace_hash);
		runs++;
	}
	sched_explorer_destroy(x);
	assert_true(runs > 10);
}

/* Two locks taken in opposite orders. */
static struct sim_lock lock_a = SIM_LOCK_INIT("lock_a");
static struct sim_lock lock_b = SIM_LOCK_INIT("lock_b");

static void take_ab(void *arg)
{
	(void)arg;
	sim_lock_acquire(&lock_a);
	sim_lock_acquire(&lock_b);
	sim_lock_release(&lock_b);
	sim_lock_release(&lock_a);
}

static void take_ba(void *arg)
{
	(void)arg;
	sim_lock_acquire(&lock_b);
	sim_lock_acquire(&lock_a);
	sim_lock_release(&lock_a);
	sim_lock_release(&lock_b);
}

/* A deadlock ends the run and names each lock and its holder. */
static void deadlock_is_reported_with_locks_and_holders(void **state)
{
	const struct sched_thread threads[] = {
		{ .fn = take_ab, .cpu = 0 },
		{ .fn = take_ba, .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_DFS, .preemptions = 1 };
	struct sched_explorer *x;
	struct sched_result res;
	long runs = 0;

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	for (;;) {
		sim_lock_init(&lock_a, "lock_a");
		sim_lock_init(&lock_b, "lock_b");
		assert_int_equal(sched_explorer_run(x, threads, &res), 1);
		runs++;
		if (res.outcome != SCHED_OK)
			break;
		assert_false(sched_explorer_exhausted(x));
	}
	sched_explorer_destroy(x);

	assert_int_equal(res.outcome, SCHED_DEADLOCK);
	assert_true(runs > 1);
	assert_non_null(strstr(res.why, "deadlock"));
	assert_non_null(strstr(res.why, "cpu0 waits for lock_b, held by "
				       "cpu1"));
	assert_non_null(strstr(res.why, "cpu1 waits for lock_a, held by "
				       "cpu0"));
}

static int stop_flag;

static void spin_until_stopped(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop_flag, __ATOMIC_RELAXED))
		sim_sched_point(SIM_POINT_READ_ONCE, &stop_flag);
}

/* A CPU that never ends is a livelock at the step bound, not a hang. */
static void livelock_stops_at_the_step_bound(void **state)
{
	const struct sched_thread threads[] = {
		{ .fn = spin_until_stopped, .cpu = 0 },
	};
	struct sched_config cfg = { .kind = SCHED_RANDOM, .max_steps = 500 };
	struct sched_explorer *x;
	struct sched_result res;
	int i;

	(void)state;
	stop_flag = 0;
	assert_int_equal(sched_explorer_create(&cfg, 1, &x), 0);
	/* The fibers are reused after an abandoned run. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(sched_explorer_run(x, threads, &res), 1);
		assert_int_equal(res.outcome, SCHED_LIVELOCK);
		assert_int_equal(res.steps, 501);
		assert_non_null(strstr(res.why, "livelock"));
	}
	sched_explorer_destroy(x);
}

static void *outsider_main(void *arg)
{
	(void)arg;
	sim_sched_point(SIM_POINT_READ_ONCE, &shared);
	return NULL;
}

static void start_outsider(void *arg)
{
	pthread_t tid;

	(void)arg;
	assert_int_equal(pthread_create(&tid, NULL, outsider_main, NULL), 0);
	assert_int_equal(pthread_join(tid, NULL), 0);
}

/* A thread the scheduler does not run, acting mid-run, is reported. */
static void thread_outside_control_is_reported(void **state)
{
	struct toy toy = { .points = 3, .id = 1 };
	const struct sched_thread threads[] = {
		{ .fn = start_outsider, .cpu = 0 },
		{ .fn = toy_main, .arg = &toy, .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_DFS };
	struct sched_explorer *x;
	struct sched_result res;

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	assert_int_equal(sched_explorer_run(x, threads, &res), 1);
	assert_true(res.outside);
	sched_explorer_destroy(x);

	/* And after the run, outside threads are nobody's business. */
	outsider_main(NULL);
}

/* Trace hashes of every run of @cfg (owned runs only), sorted. */
static long shard_runs(struct sched_config *cfg,
		       const struct sched_thread *threads, uint64_t *hashes,
		       long max, long budget)
{
	struct sched_explorer *x;
	struct sched_result res;
	long n = 0, runs = 0;

	assert_int_equal(sched_explorer_create(cfg, 2, &x), 0);
	while ((!budget || runs < budget) &&
	       sched_explorer_run(x, threads, &res) == 1) {
		runs++;
		if (!sched_explorer_owned(x))
			continue;
		assert_true(n < max);
		hashes[n++] = res.trace_hash;
	}
	sched_explorer_destroy(x);
	qsort(hashes, (size_t)n, sizeof(*hashes), cmp_u64);
	return n;
}

/*
 * The shards of an exploration run its schedules between them, each once
 * (DFS), or the same numbered schedules (random, PCT): what a CI matrix
 * splitting one exploration relies on.
 */
static void shards_split_the_exploration(void **state)
{
	struct toy toys[2] = { { .points = 6, .id = 0 },
			       { .points = 5, .id = 1 } };
	const struct sched_thread threads[] = {
		{ .fn = toy_main, .arg = &toys[0], .cpu = 0 },
		{ .fn = toy_main, .arg = &toys[1], .cpu = 1 },
	};
	static const struct sched_config kinds[] = {
		{ .kind = SCHED_DFS, .preemptions = 2 },
		{ .kind = SCHED_RANDOM, .seed = 3 },
		{ .kind = SCHED_PCT, .seed = 5, .depth = 3 },
	};
	static uint64_t whole[4096], parts[4096];
	unsigned int k, shard, nr_shards = 3;
	long n_whole, n_parts, i;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct sched_config cfg = kinds[k];
		/*
		 * Random and PCT never end: 30 numbered runs in all, after
		 * PCT's run that measures n.
		 */
		long budget = cfg.kind == SCHED_DFS ? 0 : 30;

		n_whole = shard_runs(&cfg, threads, whole, 4096,
				     budget ? budget + (cfg.kind == SCHED_PCT)
					    : 0);
		n_parts = 0;
		for (shard = 0; shard < nr_shards; shard++) {
			cfg.shard = shard;
			cfg.nr_shards = nr_shards;
			n_parts += shard_runs(&cfg, threads, parts + n_parts,
					      4096 - n_parts,
					      budget ? budget / nr_shards +
						       (cfg.kind == SCHED_PCT)
						     : 0);
		}
		qsort(parts, (size_t)n_parts, sizeof(*parts), cmp_u64);
		if (cfg.kind == SCHED_DFS) {
			/* Disjoint, and together the whole. */
			assert_int_equal(n_parts, n_whole);
			assert_memory_equal(parts, whole,
					    n_whole * sizeof(*whole));
			continue;
		}
		/* PCT's measuring run is every shard's: compare as sets. */
		for (i = 0; i < n_whole; i++)
			assert_non_null(bsearch(&whole[i], parts,
						(size_t)n_parts,
						sizeof(*parts), cmp_u64));
		for (i = 0; i < n_parts; i++)
			assert_non_null(bsearch(&parts[i], whole,
						(size_t)n_whole,
						sizeof(*whole), cmp_u64));
	}

	{
		struct sched_config cfg = { .kind = SCHED_DFS, .shard = 3,
					    .nr_shards = 3 };
		struct sched_explorer *x;

		assert_int_equal(sched_explorer_create(&cfg, 2, &x), -EINVAL);
	}
}

static void bad_arguments(void **state)
{
	struct sched_config cfg = { .kind = SCHED_DFS };
	struct sched_explorer *x;
	struct sched_result res;
	char buf[8];

	(void)state;
	assert_int_equal(sched_explorer_create(NULL, 1, &x), -EINVAL);
	assert_int_equal(sched_explorer_create(&cfg, 0, &x), -EINVAL);
	assert_int_equal(sched_explorer_create(&cfg, SCHED_MAX_THREADS + 1,
					       &x), -EINVAL);
	assert_int_equal(sched_explorer_create(&cfg, 1, NULL), -EINVAL);
	cfg.kind = SCHED_KIND_NR;
	assert_int_equal(sched_explorer_create(&cfg, 1, &x), -EINVAL);
	cfg.kind = SCHED_REPLAY;
	assert_int_equal(sched_explorer_create(&cfg, 1, &x), -EINVAL);
	assert_int_equal(sched_explorer_run(NULL, NULL, &res), -EINVAL);
	assert_int_equal(sched_schedule_format(NULL, buf, sizeof(buf)),
			 -EINVAL);
	assert_null(sched_kind_name(SCHED_KIND_NR));
	assert_string_equal(sched_kind_name(SCHED_PCT), "pct");
	sched_explorer_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dfs_runs_every_schedule_once),
		cmocka_unit_test(strategies_find_a_lost_update),
		cmocka_unit_test(pct_depth_1_never_preempts),
		cmocka_unit_test(replay_reproduces_and_detects_divergence),
		cmocka_unit_test(dfs_prefix_replays_the_coming_run),
		cmocka_unit_test(deadlock_is_reported_with_locks_and_holders),
		cmocka_unit_test(livelock_stops_at_the_step_bound),
		cmocka_unit_test(thread_outside_control_is_reported),
		cmocka_unit_test(shards_split_the_exploration),
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
