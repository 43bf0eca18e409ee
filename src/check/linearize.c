// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linearizability of VM-table histories (see linearize.h).
 *
 * The search is Wing & Gong's: repeatedly pick an operation that may take
 * effect next (every operation that returned before it was called has
 * already taken effect), apply it to the sequential model, and backtrack
 * when the model refuses its answer.  Lowe's memoisation prunes a
 * (set of operations placed, model state) pair seen before.
 *
 * Two things keep the model state small enough to copy, hash and compare
 * at every step, whatever the table holds:
 *
 * - Only slots some operation names can change: a reserve changes the
 *   slot its answer names, everything else the slot of its handle.  A
 *   slot no operation names keeps its initial state, so only the lowest
 *   such FREE slot matters (to reserve).  A pending reserve names no slot,
 *   so each one adds the next unnamed FREE slot, the one it would take.
 * - An operation's effect is fixed by the state and its answer.  Where the
 *   answer is unknown (pending), a call that failed is the same as one
 *   never placed, so only the call that took effect is tried.
 *
 * An operation that holds a reference between two critical sections (a
 * TLB flush, a get_np refused for a protected VM) takes two steps: the get
 * puts it in the state's @holding set, the put takes it out, and only then
 * is it placed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lin_internal.h"

/* Past this much memo the search goes on without remembering more. */
#define CACHE_BYTES	(64UL << 20)

/* Unsigned, as the hypervisor's: a handle below the offset wraps. */
static unsigned int slot_of(unsigned int handle)
{
	return handle - LIN_HANDLE_OFFSET;
}

static struct mstate *state_at(const struct ctx *c, unsigned int depth)
{
	return (struct mstate *)(c->states + depth * c->size);
}

/* The multiplies do not wait for each other: this runs at every step. */
static uint64_t hash(const void *p, size_t size)
{
	uint64_t h = 0, w;
	size_t off;

	for (off = 0; off < size; off += sizeof(w)) {
		memcpy(&w, (const char *)p + off, sizeof(w));
		h ^= w * 0x9e3779b97f4a7c15ULL;
		h = h << 27 | h >> 37;
	}
	h = (h ^ h >> 31) * 0xff51afd7ed558ccdULL;
	return (h ^ h >> 33) | 1;	/* 0 marks an empty entry */
}

/* The entry of @s if it is there, else the empty one it would take. */
static char *cache_find(const struct ctx *c, uint64_t h, const void *s)
{
	const struct cache *k = &c->cache;
	uint32_t j;
	uint64_t eh;
	char *e;

	for (j = h & k->mask;; j = (j + 1) & k->mask) {
		e = k->e + j * k->esize;
		memcpy(&eh, e, sizeof(eh));
		if (!eh || (eh == h && !memcmp(e + 8, s, c->size)))
			return e;
	}
}

static bool cache_grow(struct ctx *c)
{
	struct cache *k = &c->cache, old = *k;
	uint64_t h;
	uint32_t j;
	char *e;

	if (2 * (old.mask + 1) * k->esize > CACHE_BYTES)
		return false;
	k->e = calloc(2 * (old.mask + 1), k->esize);
	if (!k->e) {
		k->e = old.e;
		return false;
	}
	k->mask = 2 * old.mask + 1;
	for (j = 0; j <= old.mask; j++) {
		e = old.e + j * k->esize;
		memcpy(&h, e, sizeof(h));
		if (h)
			memcpy(cache_find(c, h, e + 8), e, k->esize);
	}
	free(old.e);
	return true;
}

/* Return: false if @s was seen before. */
static bool cache_insert(struct ctx *c, const struct mstate *s)
{
	struct cache *k = &c->cache;
	uint64_t h = hash(s, c->size), eh;
	char *e = cache_find(c, h, s);

	memcpy(&eh, e, sizeof(eh));
	if (eh)
		return false;
	if (k->full)
		return true;
	memcpy(e, &h, sizeof(h));
	memcpy(e + 8, s, c->size);
	if (2 * ++k->nr > k->mask && !cache_grow(c))
		k->full = true;	/* half full: lookups still end */
	return true;
}

static bool search(struct ctx *c, unsigned int depth)
{
	const struct mstate *s = state_at(c, depth);
	struct mstate *next = state_at(c, depth + 1);
	bool all = (s->done & c->complete) == c->complete;
	unsigned int k, i;
	uint64_t bit;

	if (++c->nodes > LIN_MAX_NODES)
		return false;
	if (depth > c->best || all) {
		c->best = depth;
		memcpy(c->best_path, c->path, depth);
	}
	if (all)
		return true;
	if (!cache_insert(c, s))
		return false;

	for (k = 0; k < c->nr; k++) {
		i = c->by_ret[k];
		bit = 1ULL << i;
		if ((s->done & bit) || (c->before[i] & ~s->done))
			continue;
		memcpy(next, s, c->size);
		if (!lin_step(c, next, i, NULL, 0))
			continue;
		/* A pending call that changed nothing might as well not be. */
		if (!(c->complete & bit) && !memcmp(next, s, c->size))
			continue;
		if (!(next->holding & bit))
			next->done |= bit;
		c->path[depth] = i;
		if (search(c, depth + 1))
			return true;
	}
	return false;
}

static int validate(const struct lin_init *init, const struct lin_op *ops,
		    unsigned int nr)
{
	unsigned int i, j, cpu;

	if (!init->nr_cpus || init->nr_cpus > LIN_MAX_CPUS)
		return -EINVAL;
	for (cpu = 0; cpu < init->nr_cpus; cpu++) {
		i = slot_of(init->loaded[cpu].handle);
		j = init->loaded[cpu].vcpu_idx;
		if (!init->loaded[cpu].loaded)
			continue;
		if (i >= LIN_NR_SLOTS || j >= LIN_MAX_VCPUS ||
		    init->slots[i].state != LIN_LIVE ||
		    !(init->slots[i].vcpus & (1ULL << j)))
			return -EINVAL;
		for (j = 0; j < cpu; j++) {
			if (init->loaded[j].loaded &&
			    init->loaded[j].handle ==
			    init->loaded[cpu].handle &&
			    init->loaded[j].vcpu_idx ==
			    init->loaded[cpu].vcpu_idx)
				return -EINVAL;	/* one vCPU, two CPUs */
		}
	}
	for (i = 0; i < nr; i++) {
		if (ops[i].cpu < 0 ||
		    (unsigned int)ops[i].cpu >= init->nr_cpus ||
		    ops[i].kind >= LIN_NR_KINDS ||
		    (ops[i].ret != LIN_PENDING && ops[i].ret <= ops[i].call))
			return -EINVAL;
		if (ops[i].kind == LIN_INIT_VCPU &&
		    ops[i].vcpu_idx >= LIN_MAX_VCPUS &&
		    (ops[i].ret == LIN_PENDING || !ops[i].result))
			return -ERANGE;
	}
	return 0;
}

static unsigned int name(struct ctx *c, unsigned int t)
{
	if (t >= LIN_NR_SLOTS)
		return NONE;
	if (c->map[t] == NONE) {
		c->map[t] = c->nr_named;
		c->tidx[c->nr_named++] = t;
	}
	return c->map[t];
}

/* Name the slots, describe the VMs and order the operations. */
static void setup(struct ctx *c)
{
	const struct lin_init *init = c->init;
	const struct lin_op *op;
	unsigned int i, j, t, pending_reserves = 0;

	memset(c->map, NONE, sizeof(c->map));
	for (i = 0; i < c->nr; i++) {
		op = &c->ops[i];
		c->by_ret[i] = i;
		for (j = 0; j < c->nr; j++) {
			if (c->ops[j].ret < op->call)
				c->before[i] |= 1ULL << j;
		}
		if (op->ret != LIN_PENDING)
			c->complete |= 1ULL << i;
		else if (op->kind == LIN_RESERVE)
			pending_reserves++;
		c->named[i] = op->kind == LIN_VCPU_PUT ||
			      (op->kind == LIN_RESERVE &&
			       op->ret == LIN_PENDING) ? NONE :
			      name(c, slot_of(lin_op_handle(op)));
		c->vm_vcpus[1 + i] = (unsigned int)op->created_vcpus;
		c->vm_prot[1 + i] = op->is_protected;
	}
	/* Earliest response first: that call has the fewest options. */
	for (i = 1; i < c->nr; i++) {
		for (j = i; j && c->ops[c->by_ret[j - 1]].ret >
			       c->ops[c->by_ret[j]].ret; j--) {
			t = c->by_ret[j];
			c->by_ret[j] = c->by_ret[j - 1];
			c->by_ret[j - 1] = t;
		}
	}
	for (i = 0; i < init->nr_cpus; i++) {
		if (init->loaded[i].loaded)
			name(c, slot_of(init->loaded[i].handle));
	}
	c->static_free = LIN_NR_SLOTS;
	for (t = 0; t < LIN_NR_SLOTS && init->has_table; t++) {
		if (init->slots[t].state != LIN_FREE || c->map[t] != NONE)
			continue;
		if (!pending_reserves) {
			c->static_free = t;
			break;
		}
		name(c, t);
		pending_reserves--;
	}
	c->size = sizeof(struct mstate) + c->nr_named * sizeof(struct mslot);
}

/*
 * Only the slots the history names are checked for consistency: reading
 * all of them would cost more than a short history's search.
 */
static int init_state(struct ctx *c, struct mstate *s0)
{
	const struct lin_init *init = c->init;
	const struct lin_slot *sl;
	unsigned int i, n, vm;

	memset(s0, 0, c->size);
	memset(s0->slot, NONE, sizeof(s0->slot));
	for (n = 0; n < c->nr_named; n++) {
		sl = &init->slots[c->tidx[n]];
		if (sl->state > LIN_LIVE ||
		    (sl->state != LIN_FREE && !init->has_table) ||
		    (sl->state == LIN_LIVE &&
		     ((sl->created_vcpus < LIN_MAX_VCPUS &&
		       sl->vcpus >> sl->created_vcpus) ||
		      sl->refs > UINT32_MAX - LIN_MAX_OPS)))
			return -EINVAL;
		s0->s[n].state = sl->state;
		if (sl->state != LIN_LIVE)
			continue;
		vm = 1 + LIN_MAX_OPS + n;
		c->vm_vcpus[vm] = sl->created_vcpus;
		c->vm_prot[vm] = sl->is_protected;
		s0->s[n].vm = vm;
		s0->s[n].vcpus = sl->vcpus;
		s0->s[n].held = sl->refs;
	}
	for (i = 0; i < init->nr_cpus; i++) {
		if (!init->loaded[i].loaded)
			continue;
		n = c->map[slot_of(init->loaded[i].handle)];
		s0->slot[i] = n;
		s0->vcpu[i] = init->loaded[i].vcpu_idx;
		if (!s0->s[n].held--)	/* that reference is the load's */
			return -EINVAL;
	}
	return 0;
}

/* Replay the longest partial linearization and say what stopped it. */
static void explain(struct ctx *c, struct lin_result *res)
{
	struct mstate *s = state_at(c, 1);
	char op[150], reason[160] = "no reason found";
	unsigned int d, i;
	int stuck = -1;

	memcpy(s, state_at(c, 0), c->size);
	for (d = 0; d < c->best; d++) {
		i = c->best_path[d];
		lin_step(c, s, i, NULL, 0);
		if (!(s->holding & (1ULL << i)))
			s->done |= 1ULL << i;
	}
	/*
	 * Of the calls not placed, the first to return can always be tried
	 * next, and nothing else can be placed without it: the model
	 * refused it.
	 */
	for (i = 0; i < c->nr; i++) {
		if ((c->complete & ~s->done & (1ULL << i)) &&
		    (stuck < 0 || c->ops[i].ret < c->ops[stuck].ret))
			stuck = i;
	}
	if (stuck < 0)
		return;
	res->stuck = stuck;
	lin_step(c, s, stuck, reason, sizeof(reason));
	lin_fmt_op(op, sizeof(op), &c->ops[stuck]);
	snprintf(res->why, sizeof(res->why),
		 "%s cannot take effect after the longest partial "
		 "linearization found (%u of %u operations): %s",
		 op, res->nr_order, c->nr, reason);
}

void lin_init_empty(struct lin_init *init, unsigned int nr_cpus,
		    bool has_table)
{
	if (!init)
		return;
	memset(init, 0, sizeof(*init));
	init->nr_cpus = nr_cpus;
	init->has_table = has_table;
}

int lin_check(const struct lin_init *init, const struct lin_op *ops,
	      unsigned int nr, struct lin_result *res)
{
	struct ctx c = { .init = init, .ops = ops, .nr = nr };
	unsigned int i, depth = nr;
	uint64_t placed = 0;
	int ret;
	bool ok;

	if (!init || !res || (nr && !ops))
		return -EINVAL;
	if (nr > LIN_MAX_OPS)
		return -E2BIG;
	ret = validate(init, ops, nr);
	if (ret)
		return ret;

	for (i = 0; i < nr; i++)
		depth += ops[i].kind == LIN_TLB_FLUSH ||
			 ops[i].kind == LIN_VM_GET_NP;
	setup(&c);
	c.cache.esize = 8 + c.size;
	/* Room for a search that never backtracks, at most half full. */
	for (c.cache.mask = 15; c.cache.mask < 2 * depth + 2;)
		c.cache.mask = 2 * c.cache.mask + 1;
	c.cache.e = calloc(c.cache.mask + 1, c.cache.esize);
	c.states = malloc((depth + 1) * c.size);
	if (!c.states || !c.cache.e) {
		free(c.cache.e);
		free(c.states);
		return -ENOMEM;
	}

	ret = init_state(&c, state_at(&c, 0));
	if (ret)
		goto out;
	ok = search(&c, 0);
	if (c.nodes > LIN_MAX_NODES) {
		ret = -ETIMEDOUT;
		goto out;
	}
	memset(res, 0, sizeof(*res));
	res->linearizable = ok;
	res->stuck = -1;
	res->nodes = c.nodes;
	for (i = 0; i < c.best; i++) {
		if (!(placed & (1ULL << c.best_path[i])))
			res->order[res->nr_order++] = c.best_path[i];
		placed |= 1ULL << c.best_path[i];
	}
	if (!ok)
		explain(&c, res);
out:
	free(c.cache.e);
	free(c.states);
	return ret;
}
