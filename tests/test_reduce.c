// SPDX-License-Identifier: GPL-2.0-only
/*
 * DFS's reduction (sleep sets, struct sched_config's @reduce) on its own:
 * what commutes, and that an unbounded DFS that reduces still reaches
 * every class of equivalent schedules the plain one does, in fewer runs.
 *
 * The "CPUs" here are scripts of scheduling points (sim_sched_point)
 * inside or outside a fake hypercall, so the classes can be worked out
 * independently of the explorer: two runs are equivalent when each CPU
 * makes the same steps and every two steps that do not commute come in
 * the same order (Mazurkiewicz traces), which the vector clocks below
 * compute from the steps the explorer recorded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"
#include "sched.h"

#define MAX_OPS		8
#define MAX_CPUS	3
#define MAX_RUNS	200000

static int vars[4];
static uint64_t x1;

/* One step of a script: a point on vars[var], or a hypercall bracket. */
struct op {
	enum sim_point	point;
	int		var;
};

#define R(v)	{ SIM_POINT_READ_ONCE, v }
#define W(v)	{ SIM_POINT_WRITE_ONCE, v }
#define LK(v)	{ SIM_POINT_LOCK_ACQUIRE, v }
#define UL(v)	{ SIM_POINT_LOCK_RELEASE, v }
#define PG(v)	{ SIM_POINT_LEDGER, v }
#define IN	{ SIM_POINT_HVC_ENTRY, -1 }
#define OUT	{ SIM_POINT_HVC_EXIT, -1 }
#define END	{ SIM_POINT_NR, 0 }

static const void *op_addr(const struct op *op)
{
	return op->var < 0 ? (const void *)&x1 : (const void *)&vars[op->var];
}

static void script_main(void *arg)
{
	const struct op *op;

	for (op = arg; op->point != SIM_POINT_NR; op++)
		sim_sched_point(op->point, op_addr(op));
}

/* --- what commutes --- */

static void ops_commute_as_documented(void **state)
{
	struct sched_op a = { SIM_POINT_WRITE_ONCE, true, &vars[0] };
	struct sched_op b = { SIM_POINT_WRITE_ONCE, true, &vars[1] };

	(void)state;
	assert_true(sched_ops_commute(&a, &b));
	b.addr = &vars[0];
	assert_false(sched_ops_commute(&a, &b));
	/* Two loads of one address commute; a load and a store do not. */
	a.point = b.point = SIM_POINT_READ_ONCE;
	assert_true(sched_ops_commute(&a, &b));
	b.point = SIM_POINT_LOAD_ACQUIRE;
	assert_true(sched_ops_commute(&a, &b));
	b.point = SIM_POINT_STORE_RELEASE;
	assert_false(sched_ops_commute(&a, &b));
	/* One lock: never. */
	a.point = SIM_POINT_LOCK_ACQUIRE;
	b.point = SIM_POINT_LOCK_RELEASE;
	assert_false(sched_ops_commute(&a, &b));
	b.point = SIM_POINT_LOCK_BLOCKED;
	assert_false(sched_ops_commute(&a, &b));
	/* A page's owner is not the memory at an equal address. */
	b.point = SIM_POINT_LEDGER;
	assert_true(sched_ops_commute(&a, &b));
	a.point = SIM_POINT_LEDGER;
	assert_false(sched_ops_commute(&a, &b));
	/* Outside a hypercall, the host and the oracle: never. */
	a.point = b.point = SIM_POINT_READ_ONCE;
	b.addr = &vars[1];
	a.in_hvc = false;
	assert_false(sched_ops_commute(&a, &b));
	a.in_hvc = true;
	/* Hypercall entries and exits, starts and ends: never. */
	for (a.point = SIM_POINT_HVC_ENTRY; a.point <= SCHED_POINT_END;
	     a.point++) {
		if (a.point == SIM_POINT_LEDGER)
			continue;
		assert_false(sched_ops_commute(&a, &b));
		assert_false(sched_ops_commute(&b, &a));
	}
}

/* --- classes of schedules --- */

static uint64_t fnv(uint64_t h, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 0x100000001b3ULL;
	return h;
}

/*
 * The class of the run @x just made: each CPU's steps, each with the
 * vector clock of the steps before it that it does not commute with.  A
 * recorded step of CPU t ends the step t took from its previous point,
 * whose operation is that point's.
 */
static uint64_t run_class(struct sched_explorer *x, unsigned int nr)
{
	struct event {
		unsigned int	cpu;
		struct sched_op	op;
		uint32_t	vc[MAX_CPUS];
	} *ev;
	struct sched_op pending[MAX_CPUS];
	bool in_hvc[MAX_CPUS] = { false };
	const struct sched_step *steps;
	uint64_t nr_steps, i, n = 0, h = 0xcbf29ce484222325ULL;
	unsigned int t, c;

	steps = sched_explorer_steps(x, &nr_steps);
	ev = calloc(nr_steps ? nr_steps : 1, sizeof(*ev));
	assert_non_null(ev);
	for (t = 0; t < nr; t++)
		pending[t] = (struct sched_op){ .point = SCHED_POINT_START };

	for (i = 0; i < nr_steps; i++) {
		const struct sched_step *s = &steps[i];
		struct event *e;
		uint64_t j;

		if (s->thread >= nr)
			continue;
		e = &ev[n];
		e->cpu = s->thread;
		e->op = pending[s->thread];
		/* After its own last step, and after what it must follow. */
		for (j = n; j--;) {
			if (ev[j].cpu == e->cpu) {
				memcpy(e->vc, ev[j].vc, sizeof(e->vc));
				break;
			}
		}
		for (j = 0; j < n; j++) {
			if (ev[j].cpu == e->cpu ||
			    sched_ops_commute(&ev[j].op, &e->op))
				continue;
			for (c = 0; c < nr; c++)
				if (ev[j].vc[c] > e->vc[c])
					e->vc[c] = ev[j].vc[c];
		}
		e->vc[e->cpu]++;
		n++;

		if (s->point == SIM_POINT_HVC_EXIT)
			in_hvc[s->thread] = false;
		pending[s->thread] = (struct sched_op){
			.point = s->point, .in_hvc = in_hvc[s->thread],
			.addr = s->addr,
		};
		if (s->point == SIM_POINT_HVC_ENTRY)
			in_hvc[s->thread] = true;
	}

	/* CPU by CPU, step by step: the order within a CPU is its own. */
	for (t = 0; t < nr; t++) {
		for (i = 0; i < n; i++) {
			if (ev[i].cpu != t)
				continue;
			h = fnv(h, ev[i].op.point);
			h = fnv(h, (uintptr_t)ev[i].op.addr);
			for (c = 0; c < nr; c++)
				h = fnv(h, ev[i].vc[c]);
		}
		h = fnv(h, ~0ULL);
	}
	free(ev);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop repeats; the number of distinct values. */
static long distinct(uint64_t *v, long n)
{
	long i, m = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (!m || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

/* Every run of an unbounded DFS of @nr scripts; their classes in @classes. */
static long explore(const struct op *const *scripts, unsigned int nr,
		    bool reduce, uint64_t *classes, uint64_t *redundant)
{
	struct sched_config cfg = {
		.kind = SCHED_DFS, .preemptions = SCHED_UNBOUNDED,
		.reduce = reduce,
	};
	struct sched_thread threads[MAX_CPUS];
	struct sched_explorer *x;
	struct sched_result res;
	long runs = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++)
		threads[i] = (struct sched_thread){
			.fn = script_main, .arg = (void *)scripts[i], .cpu = i,
		};
	assert_int_equal(sched_explorer_create(&cfg, nr, &x), 0);
	while ((ret = sched_explorer_run(x, threads, &res)) == 1) {
		assert_int_equal(res.outcome, SCHED_OK);
		assert_true(runs < MAX_RUNS);
		classes[runs++] = run_class(x, nr);
	}
	assert_int_equal(ret, 0);
	assert_true(sched_explorer_exhausted(x));
	*redundant = sched_explorer_redundant(x);
	sched_explorer_destroy(x);
	return runs;
}

struct shape {
	const char	*name;
	unsigned int	nr;
	struct op	ops[MAX_CPUS][MAX_OPS];
	bool		reduces;	/* some steps commute */
};

static const struct shape shapes[] = {
	{ "disjoint stores", 2, {
		{ IN, W(0), W(1), OUT, END },
		{ IN, W(2), W(3), OUT, END } }, true },
	{ "one shared variable", 2, {
		{ IN, R(0), W(1), R(2), OUT, END },
		{ IN, W(1), R(3), OUT, END } }, true },
	/* Three CPUs, kept small: ThreadSanitizer's fibers are slow. */
	{ "loads of one variable", 3, {
		{ IN, R(0), OUT, END },
		{ IN, R(0), OUT, END },
		{ R(0), END } }, true },
	{ "locks and pages", 2, {
		{ IN, LK(0), W(1), UL(0), PG(2), OUT, END },
		{ IN, PG(3), LK(0), R(1), UL(0), OUT, END } }, true },
	{ "all on one variable", 2, {
		{ IN, W(0), W(0), OUT, END },
		{ IN, W(0), R(0), OUT, END } }, false },
	{ "host side only", 2, {
		{ W(0), W(1), END },
		{ W(2), W(3), END } }, false },
};

/*
 * An unbounded DFS that reduces reaches exactly the classes the plain one
 * does, fewer times; with nothing that commutes it runs the same.
 */
static void reduce_keeps_every_class(void **state)
{
	static uint64_t plain[MAX_RUNS], reduced[MAX_RUNS];
	const struct op *scripts[MAX_CPUS];
	unsigned int s, i;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(shapes); s++) {
		const struct shape *sh = &shapes[s];
		uint64_t redundant, none;
		long n_plain, n_reduced, c_plain, c_reduced, k;

		for (i = 0; i < sh->nr; i++)
			scripts[i] = sh->ops[i];
		n_plain = explore(scripts, sh->nr, false, plain, &none);
		n_reduced = explore(scripts, sh->nr, true, reduced,
				    &redundant);
		c_plain = distinct(plain, n_plain);
		c_reduced = distinct(reduced, n_reduced);
		print_message("%-22s %6ld schedules, %4ld classes; reduced: "
			      "%5ld schedules (%llu redundant), %4ld classes\n",
			      sh->name, n_plain, c_plain, n_reduced,
			      (unsigned long long)redundant, c_reduced);
		assert_int_equal(none, 0);
		if (c_reduced != c_plain)
			fail_msg("%s: %ld classes reduced, %ld plain",
				 sh->name, c_reduced, c_plain);
		for (k = 0; k < c_plain; k++)
			assert_true(plain[k] == reduced[k]);
		if (sh->reduces) {
			assert_true(n_reduced < n_plain);
		} else {
			assert_int_equal(n_reduced, n_plain);
			assert_int_equal(c_plain, n_plain);
		}
		/* At most one redundant run per class beyond its first. */
		assert_true((uint64_t)n_reduced - redundant <=
			    (uint64_t)c_plain);
	}
}

/* Sleep sets under a preemption bound would skip schedules within it. */
static void reduce_needs_an_unbounded_dfs(void **state)
{
	struct sched_config cfg = {
		.kind = SCHED_DFS, .preemptions = 2, .reduce = true,
	};
	struct sched_explorer *x;

	(void)state;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -EINVAL);
	cfg.kind = SCHED_PCT;
	cfg.depth = 2;
	cfg.preemptions = SCHED_UNBOUNDED;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), -EINVAL);
	cfg.kind = SCHED_DFS;
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	sched_explorer_destroy(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ops_commute_as_documented),
		cmocka_unit_test(reduce_keeps_every_class),
		cmocka_unit_test(reduce_needs_an_unbounded_dfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
