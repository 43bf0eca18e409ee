// SPDX-License-Identifier: GPL-2.0-only
/*
 * The linearizability checker (src/check/linearize.h), on hand-made
 * histories: sequential ones that are and are not consistent with the
 * table's model, the races of SPEC 9 (reserve pairs, unreserve against
 * init_vm, teardown against load and put, references held between two
 * critical sections), pending calls, the 64-operation limit and bad
 * arguments; then on random sequential runs of a reference model written
 * here from SPEC 2-4, stretched into concurrent histories, and with one
 * answer made wrong.  Needs no simulator: the checker is pure.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "linearize.h"

#define H(i)	(0x1000U + (i))
#define P	LIN_PENDING

#define OP(c, k, ...) \
	((struct lin_op){ .cpu = (c), .kind = LIN_##k, __VA_ARGS__ })
#define RESERVE(c, r, a, b) \
	OP(c, RESERVE, .result = (r), .call = (a), .ret = (b))
#define UNRESERVE(c, h, a, b) \
	OP(c, UNRESERVE, .arg = { h }, .call = (a), .ret = (b))
#define INIT_VM(c, h, n, r, a, b) \
	OP(c, INIT_VM, .kvm = 0xffff000000000000ULL | (h), .kvm_handle = (h), \
	   .created_vcpus = (n), .result = (r), .call = (a), .ret = (b))
#define INIT_VCPU(c, h, i, r, a, b) \
	OP(c, INIT_VCPU, .arg = { h }, .vcpu_idx = (i), .result = (r), \
	   .call = (a), .ret = (b))
#define TEARDOWN(c, h, r, a, b) \
	OP(c, TEARDOWN, .arg = { h }, .result = (r), .call = (a), .ret = (b))
#define LOAD(c, h, i, a, b) \
	OP(c, VCPU_LOAD, .arg = { h, i }, .call = (a), .ret = (b))
#define PUT(c, a, b) \
	OP(c, VCPU_PUT, .call = (a), .ret = (b))
#define FLUSH(c, h, a, b) \
	OP(c, TLB_FLUSH, .arg = { h }, .call = (a), .ret = (b))
#define GET(c, h, r, a, b) \
	OP(c, VM_GET, .arg = { h }, .result = (r), .call = (a), .ret = (b))
#define GET_NP(c, h, r, a, b) \
	OP(c, VM_GET_NP, .arg = { h }, .result = (r), .call = (a), .ret = (b))
#define VM_PUT(c, h, a, b) \
	OP(c, VM_PUT, .arg = { h }, .call = (a), .ret = (b))

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

static void dump(const struct lin_op *ops, unsigned int nr,
		 const struct lin_result *res)
{
	char buf[8192];

	lin_format_history(ops, nr, buf, sizeof(buf));
	print_message("%s%s\n", buf, res->linearizable ? "linearizable" :
		      res->why);
}

/* Check and return the verdict; on a surprise, print the history. */
static bool check(const struct lin_init *init, const struct lin_op *ops,
		  unsigned int nr, bool want, struct lin_result *res)
{
	struct lin_result local;

	if (!res)
		res = &local;
	assert_int_equal(lin_check(init, ops, nr, res), 0);
	if (res->linearizable != want)
		dump(ops, nr, res);
	assert_int_equal(res->linearizable, want);
	if (!want) {
		assert_true(res->stuck >= 0 && (unsigned int)res->stuck < nr);
		assert_true(strlen(res->why) > 0);
	} else {
		assert_int_equal(res->stuck, -1);
	}
	return res->linearizable;
}

#define LINEARIZABLE(init, ops, res)	check(init, ops, NR(ops), true, res)
#define NOT_LINEARIZABLE(init, ops, res) check(init, ops, NR(ops), false, res)

static void init_protected(struct lin_init *init)
{
	lin_init_empty(init, 4, true);
}

static void set_live(struct lin_init *init, unsigned int slot,
		     unsigned int nr_vcpus, uint64_t vcpus, bool prot)
{
	init->slots[slot] = (struct lin_slot){
		.state = LIN_LIVE, .created_vcpus = nr_vcpus,
		.vcpus = vcpus, .is_protected = prot,
	};
}

/* --- sequential histories --- */

static void sequential_lifecycle_is_linearizable(void **state)
{
	struct lin_op ops[] = {
		RESERVE(0, H(0), 1, 2),
		RESERVE(1, H(1), 3, 4),
		INIT_VM(0, H(0), 2, 0, 5, 6),
		INIT_VCPU(0, H(0), 0, 0, 7, 8),
		INIT_VCPU(1, H(0), 0, -EINVAL, 9, 10),
		LOAD(2, H(0), 0, 11, 12),
		LOAD(3, H(0), 0, 13, 14),	/* loaded elsewhere: nothing */
		TEARDOWN(1, H(0), -EBUSY, 15, 16),
		PUT(2, 17, 18),
		TEARDOWN(1, H(0), 0, 19, 20),
		PUT(3, 21, 22),		/* none loaded: nothing */
		TEARDOWN(1, H(0), -ENOENT, 23, 24),
		TEARDOWN(1, H(0), -ENOENT, 25, 26),
		UNRESERVE(0, H(1), 27, 28),
		RESERVE(0, H(0), 29, 30),
		INIT_VM(2, H(0), 1, -ENOMEM, 31, 32),
		INIT_VM(2, H(0), 0, -EINVAL, 33, 34),
		INIT_VCPU(2, H(0), 0, -ENOENT, 35, 36),
		INIT_VM(2, H(0), -1, -ENOMEM, 37, 38),
	};
	struct lin_init init;
	struct lin_result res;
	unsigned int i;

	(void)state;
	init_protected(&init);
	LINEARIZABLE(&init, ops, &res);
	assert_int_equal(res.nr_order, NR(ops));
	for (i = 0; i < NR(ops); i++)
		assert_int_equal(res.order[i], i);
}

static void sequential_wrong_answers_are_not(void **state)
{
	struct lin_op skip_slot[] = { RESERVE(0, H(1), 1, 2) };
	struct lin_op init_after_unreserve[] = {
		RESERVE(0, H(0), 1, 2),
		UNRESERVE(0, H(0), 3, 4),
		INIT_VM(0, H(0), 1, 0, 5, 6),
	};
	struct lin_op teardown_reserved[] = {
		RESERVE(0, H(0), 1, 2),
		TEARDOWN(0, H(0), 0, 3, 4),
	};
	struct lin_op vcpu_past_count[] = {
		RESERVE(0, H(0), 1, 2),
		INIT_VM(0, H(0), 2, 0, 3, 4),
		INIT_VCPU(0, H(0), 2, 0, 5, 6),
	};
	struct lin_op busy_without_refs[] = {
		RESERVE(0, H(0), 1, 2),
		INIT_VM(0, H(0), 1, 0, 3, 4),
		TEARDOWN(0, H(0), -EBUSY, 5, 6),
	};
	/* A negative count reads as huge: the donation must fail. */
	struct lin_op negative_count[] = {
		RESERVE(0, H(0), 1, 2),
		INIT_VM(0, H(0), -1, 0, 3, 4),
	};
	struct lin_op get_free[] = { GET(0, H(3), 0, 1, 2) };
	struct lin_op put_without_get[] = { VM_PUT(0, H(7), 1, 2) };
	struct lin_op einval_with_table[] = { RESERVE(0, -EINVAL, 1, 2) };
	struct lin_init init;
	struct lin_result res;

	(void)state;
	init_protected(&init);
	set_live(&init, 7, 1, 1, false);

	NOT_LINEARIZABLE(&init, skip_slot, &res);
	assert_int_equal(res.stuck, 0);
	assert_int_equal(res.nr_order, 0);
	assert_non_null(strstr(res.why, "lowest FREE slot was 0x1000"));

	NOT_LINEARIZABLE(&init, init_after_unreserve, &res);
	assert_int_equal(res.stuck, 2);
	assert_int_equal(res.nr_order, 2);
	assert_non_null(strstr(res.why, "slot 0x1000 was FREE"));

	NOT_LINEARIZABLE(&init, teardown_reserved, &res);
	assert_int_equal(res.stuck, 1);
	assert_non_null(strstr(res.why, "RESERVED"));

	NOT_LINEARIZABLE(&init, vcpu_past_count, &res);
	assert_int_equal(res.stuck, 2);
	NOT_LINEARIZABLE(&init, busy_without_refs, &res);
	assert_non_null(strstr(res.why, "0 reference"));
	NOT_LINEARIZABLE(&init, negative_count, &res);
	assert_non_null(strstr(res.why, "reads as 4294967295"));
	NOT_LINEARIZABLE(&init, get_free, &res);
	NOT_LINEARIZABLE(&init, put_without_get, &res);
	assert_non_null(strstr(res.why, "no reference"));
	NOT_LINEARIZABLE(&init, einval_with_table, &res);
}

static void no_table_answers_einval(void **state)
{
	struct lin_op ok[] = {
		RESERVE(0, -EINVAL, 1, 2),
		UNRESERVE(1, H(0), 3, 4),
		INIT_VM(0, H(0), 1, -EINVAL, 5, 6),
		TEARDOWN(0, H(0), -ENOENT, 7, 8),
		LOAD(0, H(0), 0, 9, 10),
		PUT(0, 11, 12),
	};
	struct lin_op enomem[] = { RESERVE(0, -ENOMEM, 1, 2) };
	struct lin_op init_vm[] = { INIT_VM(0, H(0), 1, 0, 1, 2) };
	struct lin_init init;

	(void)state;
	lin_init_empty(&init, 2, false);
	LINEARIZABLE(&init, ok, NULL);
	NOT_LINEARIZABLE(&init, enomem, NULL);
	NOT_LINEARIZABLE(&init, init_vm, NULL);
}

/* --- races --- */

static void overlapping_reserves(void **state)
{
	struct lin_op in_order[] = {
		RESERVE(0, H(0), 1, 3), RESERVE(1, H(1), 2, 4),
	};
	struct lin_op reversed[] = {
		RESERVE(0, H(1), 1, 3), RESERVE(1, H(0), 2, 4),
	};
	struct lin_op same[] = {
		RESERVE(0, H(0), 1, 3), RESERVE(1, H(0), 2, 4),
	};
	/* Not overlapping: the first to return had the lower handle. */
	struct lin_op sequential_reversed[] = {
		RESERVE(0, H(1), 1, 2), RESERVE(1, H(0), 3, 4),
	};
	/* A response and an invocation at one position overlap. */
	struct lin_op touching[] = {
		RESERVE(0, H(1), 1, 3), RESERVE(1, H(0), 3, 4),
	};
	struct lin_init init;
	struct lin_result res;

	(void)state;
	init_protected(&init);
	LINEARIZABLE(&init, in_order, &res);
	LINEARIZABLE(&init, reversed, &res);
	assert_int_equal(res.order[0], 1);
	assert_int_equal(res.order[1], 0);
	NOT_LINEARIZABLE(&init, same, &res);
	assert_non_null(strstr(res.why, "slot 0x1000 was RESERVED") ||
			strstr(res.why, "lowest FREE slot was 0x1001"));
	NOT_LINEARIZABLE(&init, sequential_reversed, &res);
	LINEARIZABLE(&init, touching, &res);
}

static void unreserve_races_init_vm(void **state)
{
	struct lin_op init_wins[] = {
		UNRESERVE(0, H(0), 1, 4), INIT_VM(1, H(0), 1, 0, 2, 3),
	};
	struct lin_op unreserve_wins[] = {
		UNRESERVE(0, H(0), 1, 4), INIT_VM(1, H(0), 1, -EINVAL, 2, 3),
	};
	struct lin_op after_unreserve[] = {
		UNRESERVE(0, H(0), 1, 2), INIT_VM(1, H(0), 1, 0, 3, 4),
	};
	/* The slot was RESERVED throughout: the insert cannot fail. */
	struct lin_op before_unreserve[] = {
		INIT_VM(1, H(0), 1, -EINVAL, 1, 2), UNRESERVE(0, H(0), 3, 4),
	};
	struct lin_op live_survives[] = {
		UNRESERVE(0, H(0), 1, 4), INIT_VM(1, H(0), 1, 0, 2, 3),
		TEARDOWN(2, H(0), 0, 5, 6),
	};
	struct lin_init init;
	struct lin_result res;

	(void)state;
	init_protected(&init);
	init.slots[0].state = LIN_RESERVED;
	LINEARIZABLE(&init, init_wins, &res);
	LINEARIZABLE(&init, unreserve_wins, &res);
	assert_int_equal(res.order[0], 0);
	NOT_LINEARIZABLE(&init, after_unreserve, &res);
	assert_int_equal(res.stuck, 1);
	NOT_LINEARIZABLE(&init, before_unreserve, &res);
	assert_non_null(strstr(res.why, "RESERVED"));
	LINEARIZABLE(&init, live_survives, &res);
}

static void teardown_against_load_and_put(void **state)
{
	/* cpu1 loads vCPU 0 and puts it; cpu0's teardown lands between. */
	struct lin_op busy_between[] = {
		LOAD(1, H(0), 0, 1, 3), PUT(1, 4, 6),
		TEARDOWN(0, H(0), -EBUSY, 2, 5),
	};
	struct lin_op busy_after_put[] = {
		LOAD(1, H(0), 0, 1, 3), PUT(1, 4, 6),
		TEARDOWN(0, H(0), -EBUSY, 7, 8),
	};
	/* Torn down before the load took effect: the load did nothing. */
	struct lin_op freed_first[] = {
		LOAD(1, H(0), 0, 1, 3), PUT(1, 4, 6),
		TEARDOWN(0, H(0), 0, 2, 5),
	};
	/* A load that completed left the vCPU loaded: no teardown. */
	struct lin_op loaded_no_put[] = {
		LOAD(1, H(0), 0, 1, 2), TEARDOWN(0, H(0), 0, 3, 4),
	};
	struct lin_op put_after[] = {
		LOAD(1, H(0), 0, 1, 2), TEARDOWN(0, H(0), 0, 3, 4),
		PUT(1, 5, 6),
	};
	struct lin_op put_before[] = {
		LOAD(1, H(0), 0, 1, 2), PUT(1, 3, 5),
		TEARDOWN(0, H(0), 0, 4, 6),
	};
	struct lin_init init;
	struct lin_result res;

	(void)state;
	init_protected(&init);
	set_live(&init, 0, 2, 1, false);
	LINEARIZABLE(&init, busy_between, &res);
	NOT_LINEARIZABLE(&init, busy_after_put, &res);
	assert_int_equal(res.stuck, 2);
	assert_non_null(strstr(res.why, "with 0 reference"));
	LINEARIZABLE(&init, freed_first, &res);
	NOT_LINEARIZABLE(&init, loaded_no_put, &res);
	assert_non_null(strstr(res.why, "with 1 reference"));
	NOT_LINEARIZABLE(&init, put_after, &res);
	LINEARIZABLE(&init, put_before, &res);
}

static void load_takes_effect_anywhere(void **state)
{
	/* The load spans the init_vcpu: it may load the new vCPU. */
	struct lin_op spans[] = {
		LOAD(0, H(0), 1, 1, 6), INIT_VCPU(1, H(0), 1, 0, 2, 5),
		TEARDOWN(2, H(0), -EBUSY, 7, 8),
	};
	/* It ended before the vCPU existed: it loaded nothing. */
	struct lin_op too_early[] = {
		LOAD(0, H(0), 1, 1, 3), INIT_VCPU(1, H(0), 1, 0, 4, 5),
		TEARDOWN(2, H(0), -EBUSY, 7, 8),
	};
	/* ... or it may not have: both answers of the teardown fit. */
	struct lin_op spans_free[] = {
		LOAD(0, H(0), 1, 1, 6), INIT_VCPU(1, H(0), 1, 0, 2, 5),
		TEARDOWN(2, H(0), 0, 3, 8),
	};
	/* A load on a CPU that holds a vCPU does nothing. */
	struct lin_op cpu_busy[] = {
		LOAD(0, H(0), 0, 1, 2), LOAD(0, H(0), 1, 3, 4),
		PUT(0, 5, 6), TEARDOWN(2, H(0), 0, 7, 8),
	};
	struct lin_init init;

	(void)state;
	init_protected(&init);
	set_live(&init, 0, 2, 1, false);
	LINEARIZABLE(&init, spans, NULL);
	NOT_LINEARIZABLE(&init, too_early, NULL);
	LINEARIZABLE(&init, spans_free, NULL);
	LINEARIZABLE(&init, cpu_busy, NULL);
}

static void reserve_enomem(void **state)
{
	/* Slot 5 was FREE throughout: the table was never full. */
	struct lin_op free_throughout[] = {
		RESERVE(1, -ENOMEM, 1, 2),
	};
	/* The unreserve freed the only slot: -ENOMEM came first. */
	struct lin_op racing_unreserve[] = {
		UNRESERVE(0, H(5), 1, 4), RESERVE(1, -ENOMEM, 2, 3),
	};
	struct lin_op after_unreserve[] = {
		UNRESERVE(0, H(5), 1, 2), RESERVE(1, -ENOMEM, 3, 4),
	};
	struct lin_op takes_it[] = {
		UNRESERVE(0, H(5), 1, 4), RESERVE(1, H(5), 2, 3),
	};
	struct lin_init init;
	struct lin_result res;
	unsigned int i;

	(void)state;
	init_protected(&init);
	for (i = 0; i < LIN_NR_SLOTS; i++)
		init.slots[i].state = LIN_RESERVED;
	init.slots[5].state = LIN_FREE;
	NOT_LINEARIZABLE(&init, free_throughout, &res);
	assert_non_null(strstr(res.why, "lowest FREE slot was 0x1005"));

	init.slots[5].state = LIN_RESERVED;
	LINEARIZABLE(&init, racing_unreserve, NULL);
	NOT_LINEARIZABLE(&init, after_unreserve, NULL);
	LINEARIZABLE(&init, takes_it, NULL);
}

static void references_between_critical_sections(void **state)
{
	/* A flush holds a reference between its get and its put. */
	struct lin_op flush_busy[] = {
		FLUSH(0, H(0), 1, 4), TEARDOWN(1, H(0), -EBUSY, 2, 3),
	};
	struct lin_op flush_done[] = {
		FLUSH(0, H(0), 1, 2), TEARDOWN(1, H(0), -EBUSY, 3, 4),
	};
	/* So does get_np refusing a protected VM. */
	struct lin_op np_refused[] = {
		GET_NP(0, H(1), -ENOENT, 1, 4),
		TEARDOWN(1, H(1), -EBUSY, 2, 3),
	};
	struct lin_op np_protected[] = { GET_NP(0, H(1), 0, 1, 2) };
	struct lin_op np_normal[] = {
		GET_NP(0, H(0), 0, 1, 2),
		TEARDOWN(1, H(0), -EBUSY, 3, 4),
		VM_PUT(2, H(0), 5, 6),
		TEARDOWN(1, H(0), 0, 7, 8),
		GET(1, H(0), -ENOENT, 9, 10),
	};
	struct lin_op get_protected[] = {
		GET(0, H(1), 0, 1, 2), TEARDOWN(1, H(1), -EBUSY, 3, 4),
		VM_PUT(0, H(1), 5, 6), TEARDOWN(1, H(1), 0, 7, 8),
	};
	struct lin_init init;
	struct lin_result res;

	(void)state;
	init_protected(&init);
	set_live(&init, 0, 1, 0, false);
	set_live(&init, 1, 1, 0, true);
	LINEARIZABLE(&init, flush_busy, NULL);
	NOT_LINEARIZABLE(&init, flush_done, NULL);
	LINEARIZABLE(&init, np_refused, NULL);
	NOT_LINEARIZABLE(&init, np_protected, &res);
	assert_non_null(strstr(res.why, "protected"));
	LINEARIZABLE(&init, np_normal, NULL);
	LINEARIZABLE(&init, get_protected, NULL);
}

static void initial_state_counts(void **state)
{
	/* cpu2 has vCPU 1 loaded and a get is held: two puts to free. */
	struct lin_op ops[] = {
		TEARDOWN(0, H(9), -EBUSY, 1, 2),
		PUT(2, 3, 4),
		TEARDOWN(0, H(9), -EBUSY, 5, 6),
		VM_PUT(1, H(9), 7, 8),
		TEARDOWN(0, H(9), 0, 9, 10),
		RESERVE(1, H(0), 11, 12),
		RESERVE(1, H(9), 13, 14),
	};
	struct lin_init init;
	unsigned int i;

	(void)state;
	init_protected(&init);
	for (i = 0; i < 9; i++)
		init.slots[i].state = LIN_RESERVED;
	init.slots[0].state = LIN_FREE;
	set_live(&init, 9, 4, 0x3, false);
	init.slots[9].refs = 2;
	init.loaded[2].loaded = true;
	init.loaded[2].handle = H(9);
	init.loaded[2].vcpu_idx = 1;
	LINEARIZABLE(&init, ops, NULL);
	ops[4].result = -EBUSY;
	NOT_LINEARIZABLE(&init, ops, NULL);
}

/* --- pending calls --- */

static void pending_calls(void **state)
{
	/* A pending reserve took 0x1000 ... or has not yet. */
	struct lin_op took[] = {
		RESERVE(0, 0, 1, P), RESERVE(1, H(1), 2, 3),
	};
	struct lin_op not_yet[] = {
		RESERVE(0, 0, 1, P), RESERVE(1, H(0), 2, 3),
	};
	struct lin_op skipped[] = {
		RESERVE(0, 0, 1, P), RESERVE(1, H(2), 2, 3),
	};
	/* It took effect only after it was called. */
	struct lin_op before_call[] = {
		RESERVE(1, H(1), 1, 2), RESERVE(0, 0, 3, P),
	};
	/* A pending init_vm and teardown may have run. */
	struct lin_op init_ran[] = {
		RESERVE(0, H(0), 1, 2), INIT_VM(0, H(0), 1, 0, 3, P),
		TEARDOWN(1, H(0), 0, 4, 5), RESERVE(1, H(0), 6, 7),
	};
	struct lin_op all_pending[] = {
		TEARDOWN(1, H(3), 0, 1, P), INIT_VCPU(2, H(3), 0, 0, 2, P),
		GET(3, H(3), 0, 3, P),
	};
	struct lin_init init;

	(void)state;
	init_protected(&init);
	LINEARIZABLE(&init, took, NULL);
	LINEARIZABLE(&init, not_yet, NULL);
	NOT_LINEARIZABLE(&init, skipped, NULL);
	NOT_LINEARIZABLE(&init, before_call, NULL);
	LINEARIZABLE(&init, init_ran, NULL);
	LINEARIZABLE(&init, all_pending, NULL);

	/* Slot 0 is LIVE: the pending reserve takes 0x1001, none named. */
	set_live(&init, 0, 1, 0, false);
	skipped[1].result = H(2);
	LINEARIZABLE(&init, skipped, NULL);
	skipped[1].result = H(3);
	NOT_LINEARIZABLE(&init, skipped, NULL);
}

/* --- limits and arguments --- */

static void sixty_four_operations(void **state)
{
	struct lin_op ops[LIN_MAX_OPS + 1];
	struct lin_init init;
	struct lin_result res;
	unsigned int i;

	(void)state;
	init_protected(&init);
	/* All overlapping: only ascending handles explain them. */
	for (i = 0; i < LIN_MAX_OPS; i++)
		ops[i] = RESERVE(i % 4, H(LIN_MAX_OPS - 1 - i), i + 1,
				 LIN_MAX_OPS + 1 + i);
	assert_int_equal(lin_check(&init, ops, LIN_MAX_OPS, &res), 0);
	assert_true(res.linearizable);
	assert_int_equal(res.nr_order, LIN_MAX_OPS);
	assert_int_equal(res.order[0], LIN_MAX_OPS - 1);

	ops[10].result = H(LIN_MAX_OPS);
	assert_int_equal(lin_check(&init, ops, LIN_MAX_OPS, &res), 0);
	assert_false(res.linearizable);

	ops[LIN_MAX_OPS] = RESERVE(0, H(LIN_MAX_OPS), 200, 201);
	assert_int_equal(lin_check(&init, ops, LIN_MAX_OPS + 1, &res),
			 -E2BIG);

	/*
	 * 62 flushes in flight at once, and two reserves that cannot both
	 * be right: every subset of flushes placed is a state to refute.
	 */
	for (i = 0; i < LIN_MAX_OPS - 2; i++)
		ops[i] = FLUSH(i % 16, H(200), i + 1, 100 + i);
	ops[i++] = RESERVE(0, H(0), 70, 200);
	ops[i++] = RESERVE(1, H(0), 71, 201);
	init.nr_cpus = 16;
	assert_int_equal(lin_check(&init, ops, LIN_MAX_OPS, &res),
			 -ETIMEDOUT);
	/* Two CPUs' worth of them is quick to refute. */
	memmove(ops + 2, ops + LIN_MAX_OPS - 2, 2 * sizeof(ops[0]));
	assert_int_equal(lin_check(&init, ops, 4, &res), 0);
	assert_false(res.linearizable);
}

static void bad_arguments(void **state)
{
	struct lin_op ok = RESERVE(0, H(0), 1, 2), op;
	struct lin_init init, bad;
	struct lin_result res;
	char buf[16];

	(void)state;
	init_protected(&init);
	assert_int_equal(lin_check(NULL, &ok, 1, &res), -EINVAL);
	assert_int_equal(lin_check(&init, NULL, 1, &res), -EINVAL);
	assert_int_equal(lin_check(&init, &ok, 1, NULL), -EINVAL);
	assert_int_equal(lin_check(&init, NULL, 0, &res), 0);
	assert_true(res.linearizable);

	op = ok;
	op.kind = LIN_NR_KINDS;
	assert_int_equal(lin_check(&init, &op, 1, &res), -EINVAL);
	op = ok;
	op.cpu = -1;
	assert_int_equal(lin_check(&init, &op, 1, &res), -EINVAL);
	op.cpu = 4;
	assert_int_equal(lin_check(&init, &op, 1, &res), -EINVAL);
	op = ok;
	op.ret = op.call;
	assert_int_equal(lin_check(&init, &op, 1, &res), -EINVAL);
	op = INIT_VCPU(0, H(0), LIN_MAX_VCPUS, 0, 1, 2);
	assert_int_equal(lin_check(&init, &op, 1, &res), -ERANGE);
	op.result = -EINVAL;
	assert_int_equal(lin_check(&init, &op, 1, &res), 0);

	bad = init;
	bad.nr_cpus = 0;
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	bad.nr_cpus = LIN_MAX_CPUS + 1;
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	lin_init_empty(&bad, 4, false);
	bad.slots[3].state = LIN_RESERVED;	/* no table, yet reserved */
	op = UNRESERVE(0, H(3), 1, 2);
	assert_int_equal(lin_check(&bad, &op, 1, &res), -EINVAL);
	/* Slots the history does not name are not read. */
	assert_int_equal(lin_check(&bad, &ok, 1, &res), 0);
	bad = init;
	bad.loaded[1].loaded = true;		/* on a FREE slot */
	bad.loaded[1].handle = H(0);
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	set_live(&bad, 0, 1, 1, false);		/* refs below loads */
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	bad.slots[0].refs = 1;
	assert_int_equal(lin_check(&bad, &ok, 1, &res), 0);
	bad.loaded[2] = bad.loaded[1];		/* one vCPU on two CPUs */
	bad.slots[0].refs = 2;
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	bad = init;
	set_live(&bad, 0, 1, 0x2, false);	/* vCPU past the count */
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);
	bad.slots[0].state = 3;
	assert_int_equal(lin_check(&bad, &ok, 1, &res), -EINVAL);

	assert_int_equal(lin_format_history(NULL, 1, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(lin_format_history(&ok, 1, NULL, 1), -EINVAL);
}

static void format_history(void **state)
{
	struct lin_op ops[] = {
		RESERVE(1, H(1), 3, 6),
		TEARDOWN(0, 0x100001000ULL, -EBUSY, 4, 7),
		INIT_VM(2, H(1), 2, 0, 5, P),
		LOAD(3, H(1), 1, 8, 9),
		OP(0, VM_PUT, .arg = { H(1) }, .call = 10, .ret = 11),
	};
	char buf[1024], small[20];
	int len;

	(void)state;
	len = lin_format_history(ops, NR(ops), buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_non_null(strstr(buf,
		" 0: cpu1 __pkvm_reserve_vm() = 0x1001 [3, 6]\n"));
	assert_non_null(strstr(buf,
		" 1: cpu0 __pkvm_teardown_vm(0x100001000) = -EBUSY [4, 7]\n"));
	assert_non_null(strstr(buf, "__pkvm_init_vm(kvm 0xffff000000001001: "
				    "handle 0x1001, created_vcpus 2) = ? "
				    "[5, pending]\n"));
	assert_non_null(strstr(buf, "cpu3 __pkvm_vcpu_load(0x1001, 1) [8, 9]"));
	assert_non_null(strstr(buf, "put_pkvm_hyp_vm(0x1001) [10, 11]"));

	assert_int_equal(lin_format_history(ops, NR(ops), small,
					    sizeof(small)), len);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(lin_format_history(ops, NR(ops), NULL, 0), len);
}

/* --- a reference model, and random runs of it --- */

struct ref {
	unsigned int	st[LIN_NR_SLOTS];
	unsigned int	nr_vcpus[LIN_NR_SLOTS];
	uint64_t	vcpus[LIN_NR_SLOTS];
	unsigned int	refs[LIN_NR_SLOTS];
	unsigned int	held[LIN_NR_SLOTS];
	bool		prot[LIN_NR_SLOTS];
	int		loaded[LIN_MAX_CPUS];	/* slot, or -1 */
	unsigned int	loaded_idx[LIN_MAX_CPUS];
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static unsigned int rnd_below(unsigned int n)
{
	return rnd() % n;
}

/* The answers the hypervisor may give to @op in @r (SPEC 3). */
static unsigned int ref_answers(const struct ref *r, const struct lin_op *op,
				int64_t *out)
{
	unsigned int s = (uint32_t)op->arg[0] - 0x1000, i, n = 0;
	bool live = s < LIN_NR_SLOTS && r->st[s] == LIN_LIVE;

	switch (op->kind) {
	case LIN_RESERVE:
		for (i = 0; i < LIN_NR_SLOTS && r->st[i] != LIN_FREE; i++)
			;
		out[n++] = i < LIN_NR_SLOTS ? (int64_t)H(i) : -ENOMEM;
		break;
	case LIN_INIT_VM:
		s = op->kvm_handle - 0x1000;
		out[n++] = -EPERM;
		if (!op->created_vcpus || op->kvm_handle < 0x1000) {
			out[n++] = -EINVAL;
			break;
		}
		out[n++] = -ENOMEM;
		if (s < LIN_NR_SLOTS && r->st[s] == LIN_RESERVED)
			out[n++] = 0;
		else
			out[n++] = -EINVAL;
		break;
	case LIN_INIT_VCPU:
		out[n++] = -ENOMEM;
		if (!live) {
			out[n++] = -ENOENT;
			break;
		}
		out[n++] = -EBUSY;
		out[n++] = -EINVAL;
		if (op->vcpu_idx < r->nr_vcpus[s] &&
		    !(r->vcpus[s] & (1ULL << op->vcpu_idx)))
			out[n++] = 0;
		break;
	case LIN_TEARDOWN:
		out[n++] = !live ? -ENOENT : r->refs[s] ? -EBUSY : 0;
		break;
	case LIN_VM_GET:
		out[n++] = live ? 0 : -ENOENT;
		break;
	case LIN_VM_GET_NP:
		out[n++] = live && !r->prot[s] ? 0 : -ENOENT;
		break;
	}
	return n;
}

static void ref_apply(struct ref *r, const struct lin_op *op)
{
	unsigned int s = (uint32_t)op->arg[0] - 0x1000, idx = op->arg[1];
	bool live = s < LIN_NR_SLOTS && r->st[s] == LIN_LIVE;
	int c = op->cpu, o;

	switch (op->kind) {
	case LIN_RESERVE:
		if (op->result > 0)
			r->st[op->result - 0x1000] = LIN_RESERVED;
		break;
	case LIN_UNRESERVE:
		if (s < LIN_NR_SLOTS && r->st[s] == LIN_RESERVED)
			r->st[s] = LIN_FREE;
		break;
	case LIN_INIT_VM:
		if (op->result)
			break;
		s = op->kvm_handle - 0x1000;
		r->st[s] = LIN_LIVE;
		r->nr_vcpus[s] = op->created_vcpus;
		r->prot[s] = op->is_protected;
		r->vcpus[s] = 0;
		break;
	case LIN_INIT_VCPU:
		if (!op->result)
			r->vcpus[s] |= 1ULL << op->vcpu_idx;
		break;
	case LIN_TEARDOWN:
		if (!op->result)
			r->st[s] = LIN_FREE;
		break;
	case LIN_VCPU_LOAD:
		if (r->loaded[c] >= 0 || !live || idx >= 64 ||
		    !(r->vcpus[s] & (1ULL << idx)))
			break;
		for (o = 0; o < LIN_MAX_CPUS; o++) {
			if (r->loaded[o] == (int)s && r->loaded_idx[o] == idx)
				return;
		}
		r->loaded[c] = s;
		r->loaded_idx[c] = idx;
		r->refs[s]++;
		break;
	case LIN_VCPU_PUT:
		if (r->loaded[c] >= 0)
			r->refs[r->loaded[c]]--;
		r->loaded[c] = -1;
		break;
	case LIN_VM_GET:
	case LIN_VM_GET_NP:
		if (!op->result) {
			r->refs[s]++;
			r->held[s]++;
		}
		break;
	case LIN_VM_PUT:
		r->refs[s]--;
		r->held[s]--;
		break;
	}
}

/* A random call about the first few slots, or now and then garbage. */
static struct lin_op random_op(const struct ref *r, unsigned int nr_cpus)
{
	static const uint64_t handles[] = {
		H(0), H(1), H(2), H(3), 0, 0x1ffff, 0x100001001ULL,
	};
	uint64_t h = handles[rnd_below(4) ? rnd_below(4) :
			     rnd_below(NR(handles))];
	struct lin_op op = { .cpu = rnd_below(nr_cpus) };
	unsigned int s = (uint32_t)h - 0x1000;

	op.kind = rnd_below(LIN_NR_KINDS);
	op.arg[0] = h;
	op.arg[1] = rnd_below(3);
	op.kvm_handle = h;
	op.created_vcpus = rnd_below(8) ? 1 + rnd_below(3) : 0;
	op.is_protected = rnd_below(2);
	op.vcpu_idx = rnd_below(4);
	if (op.kind == LIN_VM_PUT &&
	    (s >= LIN_NR_SLOTS || r->st[s] != LIN_LIVE || !r->held[s]))
		op.kind = LIN_VM_GET;	/* a put needs a get */
	return op;
}

/*
 * @nr calls run one after the other on a fresh table; the answer is
 * mostly the one the state dictates, sometimes a resource failure.
 */
static void random_run(struct lin_op *ops, unsigned int nr,
		       unsigned int nr_cpus)
{
	struct ref r = { 0 };
	int64_t ans[8];
	unsigned int i, n;

	memset(r.loaded, -1, sizeof(r.loaded));
	for (i = 0; i < nr; i++) {
		ops[i] = random_op(&r, nr_cpus);
		n = ref_answers(&r, &ops[i], ans);
		if (n)
			ops[i].result = ans[rnd_below(4) ? n - 1 :
					    rnd_below(n)];
		ops[i].call = 2 * i + 1;
		ops[i].ret = 2 * i + 2;
		ref_apply(&r, &ops[i]);
	}
}

/* Is @v an answer the reference allows for ops[@k] after ops[0..k)? */
static bool ref_allows(const struct lin_op *ops, unsigned int k, int64_t v)
{
	struct ref r = { 0 };
	int64_t ans[8];
	unsigned int i, n;

	memset(r.loaded, -1, sizeof(r.loaded));
	for (i = 0; i < k; i++)
		ref_apply(&r, &ops[i]);
	n = ref_answers(&r, &ops[k], ans);
	for (i = 0; i < n; i++) {
		if (ans[i] == v)
			return true;
	}
	return false;
}

static void random_sequential_runs(void **state)
{
	static const int64_t wrong[] = {
		0, -ENOENT, -EINVAL, -EBUSY, -ENOMEM, -EPERM, H(0), H(1),
		H(3), -EFAULT,
	};
	struct lin_op ops[40];
	struct lin_init init;
	struct lin_result res;
	unsigned int run, nr, k, caught = 0, stretched = 0;
	uint64_t seed;
	int64_t v;

	(void)state;
	lin_init_empty(&init, 3, true);
	for (run = 0; run < 2000; run++) {
		seed = rnd_state = 0x9e3779b97f4a7c15ULL * (run + 1);
		nr = 1 + rnd_below(NR(ops));
		random_run(ops, nr, init.nr_cpus);
		if (!check(&init, ops, nr, true, &res))
			print_message("seed %#llx\n", (unsigned long long)seed);

		/* Widened intervals keep the run's own order valid. */
		for (k = 0; k < nr; k++) {
			if (!rnd_below(3))
				ops[k].call -= rnd_below(ops[k].call);
			ops[k].ret += rnd_below(3) ? 0 : 1 + rnd_below(20);
		}
		check(&init, ops, nr, true, &res);
		stretched++;

		random_run(ops, nr, init.nr_cpus);
		k = rnd_below(nr);
		if (ops[k].kind == LIN_UNRESERVE || ops[k].kind == LIN_VM_PUT ||
		    (ops[k].kind >= LIN_VCPU_LOAD &&
		     ops[k].kind <= LIN_TLB_FLUSH))
			continue;	/* no answer to get wrong */
		v = wrong[rnd_below(NR(wrong))];
		if (ref_allows(ops, k, v))
			continue;
		ops[k].result = v;
		check(&init, ops, nr, false, &res);
		assert_int_equal(res.stuck, k);
		assert_int_equal(res.nr_order, k);
		caught++;
	}
	print_message("%u stretched runs linearizable, %u wrong answers "
		      "caught\n", stretched, caught);
	assert_true(caught > 500);
}

/* --- cost --- */

/* Time lin_check() on one history for about 20 ms, however slow the run. */
static double ns_per_check(const struct lin_init *init,
			   const struct lin_op *ops, unsigned int nr,
			   unsigned long *nodes)
{
	struct lin_result res;
	struct timespec a, b;
	unsigned long i, loops = 0;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (i = 0; i < 64; i++)
			assert_int_equal(lin_check(init, ops, nr, &res), 0);
		loops += i;
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	} while (ns < 20e6);
	*nodes = res.nodes;
	return ns / loops;
}

/*
 * Four CPUs each run the life of a VM of their own: reserve, init_vm,
 * init_vcpu, load, a flush of another CPU's VM, put, teardown, unreserve.
 * A CPU's calls overlap the other CPUs' calls of the same step and of the
 * steps before and after; the CPU that returns first got the highest
 * handle, so the search must try more than one order.
 */
static void concurrent_history(struct lin_op *ops, unsigned int nr)
{
	unsigned int i, cpu, round, h;

	for (i = 0; i < nr; i++) {
		cpu = i % 4;
		round = i / 4;
		h = H(3 - cpu);
		switch (round % 8) {
		case 0:
			ops[i] = RESERVE(cpu, h, 0, 0);
			break;
		case 1:
			ops[i] = INIT_VM(cpu, h, 1, 0, 0, 0);
			break;
		case 2:
			ops[i] = INIT_VCPU(cpu, h, 0, 0, 0, 0);
			break;
		case 3:
			ops[i] = LOAD(cpu, h, 0, 0, 0);
			break;
		case 4:
			ops[i] = FLUSH(cpu, H(cpu), 0, 0);
			break;
		case 5:
			ops[i] = PUT(cpu, 0, 0);
			break;
		case 6:
			ops[i] = TEARDOWN(cpu, h, 0, 0, 0);
			break;
		case 7:
			ops[i] = UNRESERVE(cpu, h, 0, 0);
			break;
		}
		ops[i].call = 10 * round + 1 + cpu;
		ops[i].ret = 10 * round + 10 + cpu;
	}
}

static void cost(void **state)
{
	struct lin_op ops[30];
	struct lin_init init;
	struct lin_result res;
	unsigned long nodes;
	unsigned int n;
	double ns;

	(void)state;
	init_protected(&init);
	for (n = 10; n <= 30; n += 20) {
		concurrent_history(ops, n);
		check(&init, ops, n, true, &res);
		ns = ns_per_check(&init, ops, n, &nodes);
		print_message("%u-op concurrent history: %.0f ns per check, "
			      "%lu states\n", n, ns, nodes);
	}
	ops[29].kind = LIN_RESERVE;	/* a late wrong answer */
	ops[29].result = H(7);
	check(&init, ops, 30, false, &res);
	ns = ns_per_check(&init, ops, 30, &nodes);
	print_message("30-op non-linearizable: %.0f ns per check, %lu states\n",
		      ns, nodes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sequential_lifecycle_is_linearizable),
		cmocka_unit_test(sequential_wrong_answers_are_not),
		cmocka_unit_test(no_table_answers_einval),
		cmocka_unit_test(overlapping_reserves),
		cmocka_unit_test(unreserve_races_init_vm),
		cmocka_unit_test(teardown_against_load_and_put),
		cmocka_unit_test(load_takes_effect_anywhere),
		cmocka_unit_test(reserve_enomem),
		cmocka_unit_test(references_between_critical_sections),
		cmocka_unit_test(initial_state_counts),
		cmocka_unit_test(pending_calls),
		cmocka_unit_test(sixty_four_operations),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(format_history),
		cmocka_unit_test(random_sequential_runs),
		cmocka_unit_test(cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
