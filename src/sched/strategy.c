// SPDX-License-Identifier: GPL-2.0-only
/*
 * Strategies of the controlled scheduler.
 *
 * - RANDOM: at each point, any runnable CPU, uniformly.
 * - PCT (Burckhardt et al., ASPLOS 2010): each CPU gets a random priority
 *   above d; d - 1 change points are drawn from the n steps a run takes
 *   (n measured once by a first, plain run, then fixed so that every shard
 *   draws alike); at the i-th change point the running CPU drops to
 *   priority i.
 *   The highest-priority runnable CPU runs.  A bug of depth d is found by
 *   a run with probability at least 1 / (t * n^(d-1)) for t CPUs.
 * - DFS: stateless depth-first search over the choices at each point,
 *   counting a preemption when a CPU that could go on is made to stop
 *   (CHESS's context bound).  Each run replays the previous run's choices
 *   up to its deepest decision with an untried alternative within the
 *   bound, takes that alternative, then runs without preemption.  When no
 *   such decision is left, every schedule within the bound has run.
 *   With no bound it may reduce: a thread whose subtree at a node has
 *   been explored sleeps in its later siblings' subtrees until a step
 *   that does not commute with its own wakes it, and is not tried while
 *   asleep.  A node where every runnable thread sleeps begins a schedule
 *   equivalent to one already run: the run goes on without alternatives.
 * - REPLAY: the choices of a schedule string, one per step (leniently:
 *   a choice that cannot run passes to the next CPU that can).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

/* splitmix64: small, fast, and well mixed even from adjacent seeds. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

static unsigned int lowest(unsigned int mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

/* The @i-th set bit of @mask (from 0). */
static unsigned int nth_bit(unsigned int mask, unsigned int i)
{
	while (i--)
		mask &= mask - 1;
	return lowest(mask);
}

/* The first CPU after @t, in order and round again, that can run. */
static unsigned int next_runnable(unsigned int t, unsigned int runnable,
				  unsigned int nr)
{
	unsigned int i, c;

	for (i = 1; i <= nr; i++) {
		c = (t + i) % nr;
		if (runnable & (1U << c))
			return c;
	}
	return SCHED_NONE;
}

/* Go on with the current CPU if it can; else the lowest that can. */
static unsigned int keep_going(unsigned int cur, unsigned int runnable)
{
	if (cur != SCHED_NONE && (runnable & (1U << cur)))
		return cur;
	return lowest(runnable);
}

/*
 * A schedule longer than the step bound could never be followed: refuse
 * it before allocating room for it (a pasted line may say a9999999999).
 */
static int replay_init(struct strategy *s, const char *schedule,
		       uint64_t max_steps)
{
	size_t len;
	char *copy;
	long n;

	if (!schedule)
		return -EINVAL;
	len = strlen(schedule);
	copy = strdup(schedule);
	if (!copy)
		return -ENOMEM;
	if (len && copy[len - 1] == '+') {
		copy[len - 1] = '\0';
		s->go_on = true;
	}
	n = sched_schedule_parse(copy, NULL, 0);
	if (n > 0 && (uint64_t)n > max_steps + 1)
		n = -E2BIG;
	if (n >= 0) {
		s->choices = malloc(n ? (size_t)n : 1);
		if (!s->choices)
			n = -ENOMEM;
		else
			n = sched_schedule_parse(copy, s->choices,
						 (uint64_t)n);
	}
	free(copy);
	if (n < 0)
		return (int)n;
	s->nr_choices = (uint64_t)n;
	return 0;
}

int strategy_init(struct strategy *s, const struct sched_config *cfg,
		  unsigned int nr)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->nr = nr;
	s->pct_steps = cfg->pct_steps;
	s->step = cfg->nr_shards > 1 ? cfg->nr_shards : 1;
	if (cfg->nr_shards > 1 && cfg->shard >= cfg->nr_shards)
		return -EINVAL;
	s->run = cfg->run;
	if (cfg->kind == SCHED_RANDOM || cfg->kind == SCHED_PCT)
		s->run += cfg->shard;

	/* Sleep sets under a bound would skip schedules within it. */
	if (cfg->reduce && (cfg->kind != SCHED_DFS ||
			    cfg->preemptions != SCHED_UNBOUNDED))
		return -EINVAL;
	switch (cfg->kind) {
	case SCHED_RANDOM:
	case SCHED_DFS:
		return 0;
	case SCHED_PCT:
		if (!cfg->depth || cfg->depth > PCT_MAX_DEPTH)
			return -EINVAL;
		return 0;
	case SCHED_REPLAY:
		return replay_init(s, cfg->schedule, cfg->max_steps ?
				   cfg->max_steps : SCHED_DEFAULT_MAX_STEPS);
	default:
		return -EINVAL;
	}
}

void strategy_fini(struct strategy *s)
{
	free(s->stack);
	free(s->choices);
	s->stack = NULL;
	s->choices = NULL;
}

/* Distinct priorities d .. d + nr - 1 in random order; change points. */
static void pct_begin(struct strategy *s)
{
	unsigned int i, j, d = s->cfg.depth;

	for (i = 0; i < s->nr; i++)
		s->prio[i] = d + i;
	for (i = s->nr - 1; i > 0; i--) {
		unsigned int t;

		j = (unsigned int)rng_below(&s->rng, i + 1);
		t = s->prio[i];
		s->prio[i] = s->prio[j];
		s->prio[j] = t;
	}
	/* A run that measures n has no change point. */
	for (i = 0; i + 1 < d; i++)
		s->change[i] = s->calibrating ? 0 :
			       1 + rng_below(&s->rng, s->pct_steps);
}

/* The shard a DFS subtree belongs to, by its first deviation. */
static unsigned int dfs_owner(const struct strategy *s, uint64_t j,
			      unsigned int t)
{
	uint64_t h = j * SCHED_MAX_THREADS + t;

	return (unsigned int)(rng_next(&h) % s->step);
}

/* Whether the run about to replay s->stack[0..prefix) is this shard's. */
static bool dfs_owned(const struct strategy *s)
{
	uint64_t j;

	for (j = 0; j < s->prefix; j++) {
		const struct dfs_node *n = &s->stack[j];

		if (n->chosen != n->dflt)
			return dfs_owner(s, j, n->chosen) == s->cfg.shard;
	}
	return s->cfg.shard == 0;
}

bool strategy_begin(struct strategy *s)
{
	if (s->exhausted)
		return false;

	s->owned = true;
	s->last_run = s->run;
	switch (s->cfg.kind) {
	case SCHED_RANDOM:
		s->rng = s->cfg.seed + s->run;
		s->run += s->step;
		break;
	case SCHED_PCT:
		/* Every shard measures n alike, from the seed alone. */
		s->calibrating = !s->pct_steps;
		s->rng = s->calibrating ? s->cfg.seed : s->cfg.seed + s->run;
		pct_begin(s);
		if (!s->calibrating)
			s->run += s->step;
		break;
	case SCHED_DFS:
		s->preemptions = 0;
		s->devs = 0;
		s->next_sleep = 0;
		s->redundant = false;
		s->owned = dfs_owned(s);
		s->run++;
		break;
	case SCHED_REPLAY:
		if (s->run != s->cfg.run)
			return false;
		s->run++;
		break;
	default:
		return false;
	}
	return true;
}

static int dfs_push(struct strategy *s, const struct dfs_node *n)
{
	if (s->len == s->cap) {
		uint64_t cap = s->cap ? 2 * s->cap : 256;
		struct dfs_node *stack = realloc(s->stack,
						 cap * sizeof(*stack));

		if (!stack)
			return -ENOMEM;
		s->stack = stack;
		s->cap = cap;
	}
	s->stack[s->len++] = *n;
	return 0;
}

static bool is_preemption(unsigned int cur, unsigned int runnable,
			  unsigned int next)
{
	return cur != SCHED_NONE && (runnable & (1U << cur)) && next != cur;
}

/* A point whose step touches only what its address names. */
static bool names_what_it_touches(unsigned int point)
{
	switch (point) {
	case SIM_POINT_LOCK_ACQUIRE: case SIM_POINT_LOCK_RELEASE:
	case SIM_POINT_LOCK_BLOCKED: case SIM_POINT_READ_ONCE:
	case SIM_POINT_WRITE_ONCE: case SIM_POINT_LOAD_ACQUIRE:
	case SIM_POINT_STORE_RELEASE: case SIM_POINT_LEDGER:
		return true;
	default:
		return false;
	}
}

static bool is_load(unsigned int point)
{
	return point == SIM_POINT_READ_ONCE || point == SIM_POINT_LOAD_ACQUIRE;
}

bool sched_ops_commute(const struct sched_op *a, const struct sched_op *b)
{
	bool a_ledger = a->point == SIM_POINT_LEDGER;
	bool b_ledger = b->point == SIM_POINT_LEDGER;

	if (!a->in_hvc || !b->in_hvc || !names_what_it_touches(a->point) ||
	    !names_what_it_touches(b->point))
		return false;
	/* A page's owner (the ledger) and the memory are different things. */
	if (a_ledger != b_ledger || a->addr != b->addr)
		return true;
	return is_load(a->point) && is_load(b->point);
}

/*
 * reduce: the sleep set below node @n, whose @n->chosen is about to run:
 * the threads asleep at @n or explored there before, those whose next
 * step commutes with @n->chosen's.
 */
static uint8_t dfs_child_sleep(const struct dfs_node *n,
			       const struct sched_op *pending)
{
	unsigned int asleep = (n->sleep | n->tried) & ~(1U << n->chosen);
	uint8_t child = 0;

	while (asleep) {
		unsigned int t = lowest(asleep);

		asleep &= asleep - 1;
		if (sched_ops_commute(&pending[t], &pending[n->chosen]))
			child |= (uint8_t)(1U << t);
	}
	return child;
}

static unsigned int dfs_pick(struct strategy *s, uint64_t step,
			     unsigned int cur, unsigned int runnable,
			     const struct sched_op *pending)
{
	struct dfs_node n;

	if (step < s->prefix) {
		n = s->stack[step];
		/* The same prefix must offer the same choices. */
		if (n.runnable != runnable || n.cur != (uint8_t)cur)
			return SCHED_NONE;
		s->preemptions += is_preemption(cur, runnable, n.chosen);
		s->devs += n.chosen != n.dflt;
		if (s->cfg.reduce)
			s->next_sleep = dfs_child_sleep(&n, pending);
		return n.chosen;
	}

	n = (struct dfs_node){
		.runnable = (uint8_t)runnable,
		.cur = (uint8_t)cur,
		.sleep = (uint8_t)(s->next_sleep & runnable),
		.pre = (uint32_t)s->preemptions,
		.devs = (uint32_t)s->devs,
	};
	if (s->cfg.reduce && !(runnable & ~n.sleep))
		s->redundant = true;
	n.chosen = (uint8_t)keep_going(cur, s->redundant ? runnable :
					    runnable & ~n.sleep);
	n.dflt = n.chosen;
	/* A sleeping thread is never tried; nothing is, past a redundancy. */
	n.tried = (uint8_t)((1U << n.chosen) | n.sleep);
	if (s->redundant)
		n.tried = (uint8_t)runnable;
	if (s->cfg.reduce)
		s->next_sleep = dfs_child_sleep(&n, pending);
	if (dfs_push(s, &n))
		return SCHED_NONE;
	return n.chosen;
}

/*
 * The cheapest untried choice at node @j within the bound, or SCHED_NONE.
 * A first deviation that hashes to another shard is that shard's subtree:
 * never ours to try.
 */
static unsigned int dfs_alternative(const struct strategy *s, uint64_t j)
{
	const struct dfs_node *n = &s->stack[j];
	unsigned int left = n->runnable & ~n->tried;

	while (left) {
		unsigned int t = lowest(left);

		left &= left - 1;
		if (n->pre + is_preemption(n->cur, n->runnable, t) >
		    s->cfg.preemptions)
			continue;
		if (!n->devs && dfs_owner(s, j, t) != s->cfg.shard)
			continue;
		return t;
	}
	return SCHED_NONE;
}

/* Set up the next run: the deepest decision with an alternative left. */
static void dfs_end(struct strategy *s)
{
	uint64_t j = s->len;

	while (j--) {
		struct dfs_node *n = &s->stack[j];
		unsigned int t = dfs_alternative(s, j);

		if (t == SCHED_NONE)
			continue;
		n->chosen = (uint8_t)t;
		n->tried |= (uint8_t)(1U << t);
		s->len = j + 1;
		s->prefix = j + 1;
		return;
	}
	s->len = 0;
	s->prefix = 0;
	s->exhausted = true;
}

static unsigned int pct_pick(struct strategy *s, uint64_t step,
			     unsigned int cur, unsigned int runnable)
{
	unsigned int i, best = SCHED_NONE, best_prio = 0;

	for (i = 0; cur != SCHED_NONE && i + 1 < s->cfg.depth; i++) {
		if (s->change[i] == step + 1)
			s->prio[cur] = i + 1;
	}
	for (i = 0; i < s->nr; i++) {
		if ((runnable & (1U << i)) && s->prio[i] >= best_prio) {
			best = i;
			best_prio = s->prio[i];
		}
	}
	return best;
}

unsigned int strategy_pick(struct strategy *s, uint64_t step,
			   unsigned int cur, unsigned int runnable,
			   const struct sched_op *pending)
{
	unsigned int t;

	switch (s->cfg.kind) {
	case SCHED_RANDOM:
		return nth_bit(runnable, (unsigned int)rng_below(
			&s->rng, (uint64_t)__builtin_popcount(runnable)));
	case SCHED_PCT:
		return pct_pick(s, step, cur, runnable);
	case SCHED_DFS:
		return dfs_pick(s, step, cur, runnable, pending);
	case SCHED_REPLAY:
		if (step >= s->nr_choices)
			return s->go_on ? keep_going(cur, runnable) :
					  SCHED_NONE;
		t = s->choices[step];
		if (t < s->nr && (runnable & (1U << t)))
			return t;
		return s->cfg.lenient ? next_runnable(t % s->nr, runnable,
						      s->nr) : SCHED_NONE;
	default:
		return SCHED_NONE;
	}
}

void strategy_end(struct strategy *s, uint64_t steps, bool complete)
{
	switch (s->cfg.kind) {
	case SCHED_PCT:
		/* n stays fixed, so that shards draw alike. */
		if (s->calibrating)
			s->pct_steps = steps ? steps : 1;
		s->calibrating = false;
		break;
	case SCHED_DFS:
		/* An unfinished run's decisions cannot be trusted to recur. */
		if (!complete) {
			s->exhausted = true;
			break;
		}
		s->nr_redundant += s->redundant;
		dfs_end(s);
		break;
	default:
		break;
	}
}

uint64_t strategy_frontier(const struct strategy *s)
{
	uint64_t j, n = 0;

	if (s->cfg.kind != SCHED_DFS)
		return 0;
	for (j = 0; j < s->len; j++)
		n += dfs_alternative(s, j) != SCHED_NONE;
	return n;
}

void schedule_append(char *buf, size_t len, size_t *used, unsigned int t,
		     uint64_t run)
{
	size_t room = *used < len ? len - *used : 0;
	int n;

	if (run == 1)
		n = snprintf(buf + *used, room, "%c", 'a' + t);
	else
		n = snprintf(buf + *used, room, "%c%llu", 'a' + t,
			     (unsigned long long)run);
	*used += (size_t)n;
}

int strategy_prefix_format(const struct strategy *s, char *buf, size_t len)
{
	uint64_t i, run;
	size_t used = 0;

	if (s->cfg.kind != SCHED_DFS)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; i < s->prefix; i += run) {
		uint8_t t = s->stack[i].chosen;

		for (run = 1; i + run < s->prefix &&
			      s->stack[i + run].chosen == t; run++)
			;
		schedule_append(buf, len, &used, t, run);
	}
	used += (size_t)snprintf(buf + (used < len ? used : len),
				 used < len ? len - used : 0, "+");
	return (int)used;
}
