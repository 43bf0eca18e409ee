// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pluggable hypercall ABI (DESIGN "The pluggable hypercall ABI",
 * SPEC 4), through pkvmsim_set_hvc() and pkvmsim_hvc():
 *
 * - fault injection: the nth call of a number or of any number, calls a
 *   predicate picks; the answer is the hypervisor's own for a failing
 *   handler (x0 = success, x1 = -errno); a failed call never reaches the
 *   transport below; injection is deterministic; bad arguments;
 * - tracing: cpu, number, registers in and out, in completion order; the
 *   capacity bound; clear; one formatted line per call; bad arguments;
 * - composition: trace over fault over smccc, fault over trace, decorators
 *   over a user's transport and over the CMocka mock, on real threads;
 * - the built-in transports: direct refuses what the dispatcher refuses;
 * - the mock itself: expectations and answers consumed in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hvc_mock.h"
#include "sim_test.h"

/* SPEC 1: the first handle the hypervisor gives out, and the slot count. */
#define FIRST_HANDLE	0x1000ULL
#define SPEC_MAX_PVMS	255U

/* SPEC 4: the SMCCC SVE hint bit the dispatcher ignores. */
#define SVE_HINT	(1ULL << 16)

/* A value no handler produces: shows a register was not written. */
#define X_POISON	0xdeadbeefcafef00dULL

#define RESERVE		PKVMSIM_HCALL_PKVM_RESERVE_VM
#define UNRESERVE	PKVMSIM_HCALL_PKVM_UNRESERVE_VM
#define TEARDOWN	PKVMSIM_HCALL_PKVM_TEARDOWN_VM

static void install(struct pkvmsim *sim, const struct pkvm_hvc_ops *ops)
{
	assert_int_equal(pkvmsim_set_hvc(sim, ops), 0);
}

/* A raw x0 the transport must deliver; the answer as it came. */
static struct pkvmsim_regs call(struct pkvmsim *sim, unsigned int cpu,
				uint64_t x0, uint64_t x1)
{
	struct pkvmsim_regs regs = { .x = { x0, x1, 0, 0 } };

	assert_int_equal(pkvmsim_hvc(sim, cpu, &regs), 0);
	return regs;
}

/* An accepted call's result, as the host wrapper evaluates it. */
static int result(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
		  uint64_t x1)
{
	return sim_hvc(sim, cpu, nr, x1, 0, 0);
}

/* Give back every reservation, through the real ABI. */
static void unreserve_all(struct pkvmsim *sim)
{
	unsigned int i;

	install(sim, NULL);
	for (i = 0; i < SPEC_MAX_PVMS; i++)
		if (slot_state_of(FIRST_HANDLE + i) == SLOT_RESERVED)
			result(sim, 0, UNRESERVE, FIRST_HANDLE + i);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
}

/*
 * A user's own transport: counts the calls it gets, then passes them on,
 * or answers x1 = cpu itself if there is nothing below.
 */
struct counting {
	struct pkvm_hvc_ops		ops;
	const struct pkvm_hvc_ops	*lower;
	unsigned long			calls;
};

static int counting_hvc(void *ctx, unsigned int cpu,
			struct pkvmsim_regs *regs)
{
	struct counting *c = ctx;

	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	if (c->lower)
		return pkvm_hvc_call(c->lower, cpu, regs);
	regs->x[0] = PKVMSIM_SMCCC_RET_SUCCESS;
	regs->x[1] = cpu;
	return 0;
}

static void counting_init(struct counting *c, const struct pkvm_hvc_ops *lower)
{
	*c = (struct counting){
		.ops = { .name = "counting", .hvc = counting_hvc, .ctx = c },
		.lower = lower,
	};
}

static unsigned long counting_calls(struct counting *c)
{
	return __atomic_load_n(&c->calls, __ATOMIC_RELAXED);
}

static struct pkvm_hvc_fault *fault_over(const struct pkvm_hvc_ops *lower)
{
	struct pkvm_hvc_fault *fault = NULL;

	assert_int_equal(pkvm_hvc_fault_create(lower, &fault), 0);
	assert_non_null(fault);
	return fault;
}

static struct pkvm_hvc_trace *trace_over(const struct pkvm_hvc_ops *lower,
					 size_t capacity)
{
	struct pkvm_hvc_trace *trace = NULL;

	assert_int_equal(pkvm_hvc_trace_create(lower, capacity, &trace), 0);
	assert_non_null(trace);
	return trace;
}

static struct pkvm_hvc_trace_entry entry_at(struct pkvm_hvc_trace *trace,
					    size_t i)
{
	struct pkvm_hvc_trace_entry e;

	assert_int_equal(pkvm_hvc_trace_get(trace, i, &e), 0);
	return e;
}

/* Entry @i of @trace must format as @want. */
static void assert_line(struct pkvm_hvc_trace *trace, size_t i,
			const char *want)
{
	struct pkvm_hvc_trace_entry e = entry_at(trace, i);
	char line[160];

	assert_int_equal(pkvm_hvc_trace_format(&e, line, sizeof(line)),
			 strlen(want));
	assert_string_equal(line, want);
}

/* --- fault injection --- */

/* Only the 2nd reserve fails; other numbers are not counted. */
static void fault_nth_fails_only_that_call_of_that_number(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());

	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 2, -ENOSPC), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(result(sim, 0, TEARDOWN, FIRST_HANDLE + 5), -ENOENT);
	assert_int_equal(result(sim, 1, RESERVE, 0), -ENOSPC);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE + 1);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE + 2);

	assert_int_equal(pkvm_hvc_fault_injected(fault), 1);
	assert_int_equal(table_count(SLOT_RESERVED), 3);
	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

/* nr = -1: the 3rd call fails whatever its number, and only that one. */
static void fault_nth_of_any_number(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());

	assert_int_equal(pkvm_hvc_fault_nth(fault, -1, 3, -EBUSY), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	result(sim, 1, UNRESERVE, FIRST_HANDLE);
	/* A FREE slot: the hypervisor would say -ENOENT. */
	assert_int_equal(result(sim, 2, TEARDOWN, FIRST_HANDLE), -EBUSY);
	assert_int_equal(result(sim, 2, TEARDOWN, FIRST_HANDLE), -ENOENT);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 1);

	/* Arming again counts from zero again. */
	assert_int_equal(pkvm_hvc_fault_nth(fault, -1, 2, -EPERM), 0);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(result(sim, 0, RESERVE, 0), -EPERM);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 2);

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

static int pred_calls;

/* Picks the reserves CPU 1 makes; @ctx is the CPU. */
static int pick_reserve_on(void *ctx, unsigned int cpu,
			   const struct pkvmsim_regs *regs)
{
	pred_calls++;
	return cpu == *(unsigned int *)ctx &&
	       regs->x[0] == PKVMSIM_HVC_ID(RESERVE);
}

/* Every call the predicate picks fails; the predicate sees every call. */
static void fault_match_fails_every_picked_call(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	unsigned int victim = 1;
	int i;

	pred_calls = 0;
	assert_int_equal(pkvm_hvc_fault_match(fault, pick_reserve_on, &victim,
					      -EAGAIN), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	for (i = 0; i < 3; i++)
		assert_int_equal(result(sim, 1, RESERVE, 0), -EAGAIN);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	result(sim, 1, UNRESERVE, FIRST_HANDLE);

	assert_int_equal(pkvm_hvc_fault_injected(fault), 3);
	assert_int_equal(pred_calls, 5);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);

	/* An nth rule replaces the predicate and counts from zero. */
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 2, -EINVAL), 0);
	assert_int_equal(result(sim, 1, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(result(sim, 1, RESERVE, 0), -EINVAL);
	assert_int_equal(result(sim, 1, RESERVE, 0), FIRST_HANDLE + 1);
	assert_int_equal(pred_calls, 5);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 4);

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

/* A cleared injector lets everything through, and can be armed again. */
static void fault_clear_disarms(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	unsigned int cpu1 = 1;

	assert_int_equal(pkvm_hvc_fault_clear(NULL), -EINVAL);
	assert_int_equal(pkvm_hvc_fault_match(fault, pick_reserve_on, &cpu1,
					      -EIO), 0);
	install(sim, pkvm_hvc_fault_ops(fault));
	assert_int_equal(result(sim, 1, RESERVE, 0), -EIO);

	assert_int_equal(pkvm_hvc_fault_clear(fault), 0);
	assert_int_equal(result(sim, 1, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 1);

	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, -ENOSPC), 0);
	assert_int_equal(result(sim, 0, RESERVE, 0), -ENOSPC);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE + 1);
	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

/*
 * SPEC 4: a handler's error comes back as x0 = SMCCC_RET_SUCCESS and the
 * sign-extended errno in x1; x2 and x3 are not written.  An injected
 * -ENOMEM must be indistinguishable from the real one of a full table.
 */
static void fault_answer_is_the_hypervisors(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	const struct pkvmsim_regs in = {
		.x = { PKVMSIM_HVC_ID(RESERVE), X_POISON, 2, 3 },
	};
	struct pkvmsim_regs real = in, injected = in;
	unsigned int i;

	for (i = 0; i < SPEC_MAX_PVMS; i++)
		assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE + i);
	assert_int_equal(pkvmsim_hvc(sim, 0, &real), 0);
	assert_int_equal(real.x[1], (uint64_t)-ENOMEM);
	unreserve_all(sim);

	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, -ENOMEM), 0);
	install(sim, pkvm_hvc_fault_ops(fault));
	assert_int_equal(pkvmsim_hvc(sim, 0, &injected), 0);
	assert_memory_equal(&injected, &real, sizeof(real));
	assert_int_equal(injected.x[0], PKVMSIM_SMCCC_RET_SUCCESS);

	install(sim, NULL);
	pkvm_hvc_fault_destroy(fault);
}

/* A failed call reaches neither a user's transport nor the hypervisor. */
static void faulted_call_never_reaches_the_lower_transport(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct counting user;
	struct pkvm_hvc_fault *fault;

	counting_init(&user, pkvm_hvc_smccc());
	fault = fault_over(&user.ops);
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, -ENOMEM), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	assert_int_equal(result(sim, 0, RESERVE, 0), -ENOMEM);
	assert_int_equal(counting_calls(&user), 0);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);

	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(counting_calls(&user), 1);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_RESERVED);

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

/* The number is decoded as the dispatcher does: the hint bit is ignored. */
static void fault_counts_a_hinted_call_by_its_number(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	struct pkvmsim_regs regs;

	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 2, -E2BIG), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	regs = call(sim, 0, PKVMSIM_HVC_ID(RESERVE) | SVE_HINT, 0);
	assert_int_equal(regs.x[1], FIRST_HANDLE);
	regs = call(sim, 0, PKVMSIM_HVC_ID(RESERVE) | SVE_HINT, 0);
	assert_int_equal(regs.x[1], (uint64_t)-E2BIG);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 1);

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

#define DET_CALLS	6
#define DET_LINE	128

/*
 * A fixed sequence over trace(fault(smccc)) with the 4th call failed,
 * formatted one line per call.  Leaves the table empty.
 */
static void det_run(struct pkvmsim *sim, char lines[DET_CALLS][DET_LINE])
{
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_fault_ops(fault),
						  DET_CALLS);
	struct pkvm_hvc_trace_entry e;
	size_t i;

	assert_int_equal(pkvm_hvc_fault_nth(fault, -1, 4, -ENOMEM), 0);
	install(sim, pkvm_hvc_trace_ops(trace));

	call(sim, 0, PKVMSIM_HVC_ID(RESERVE), 0);
	call(sim, 1, PKVMSIM_HVC_ID(RESERVE), 0);
	call(sim, 0, PKVMSIM_HVC_ID(UNRESERVE), FIRST_HANDLE);
	call(sim, 2, PKVMSIM_HVC_ID(RESERVE), 0);
	call(sim, 3, PKVMSIM_HVC_ID(RESERVE), 0);
	call(sim, 1, PKVMSIM_HVC_ID(TEARDOWN), FIRST_HANDLE + 1);

	assert_int_equal(pkvm_hvc_trace_count(trace), DET_CALLS);
	for (i = 0; i < DET_CALLS; i++) {
		assert_int_equal(pkvm_hvc_trace_get(trace, i, &e), 0);
		assert_true(pkvm_hvc_trace_format(&e, lines[i], DET_LINE) <
			    DET_LINE);
	}
	unreserve_all(sim);
	pkvm_hvc_trace_destroy(trace);
	pkvm_hvc_fault_destroy(fault);
}

/* Two identical runs fail the same call and so see the same handles. */
static void fault_injection_is_deterministic(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	char first[DET_CALLS][DET_LINE], second[DET_CALLS][DET_LINE];

	memset(first, 0, sizeof(first));
	memset(second, 0, sizeof(second));
	det_run(sim, first);
	det_run(sim, second);

	assert_memory_equal(first, second, sizeof(first));
	assert_string_equal(first[3],
			    "cpu2 __pkvm_reserve_vm() = -12 (ENOMEM)");
	/* The failed reserve took no slot: the next one reuses 0x1000. */
	assert_string_equal(first[4], "cpu3 __pkvm_reserve_vm() = 0x1000");
}

/* Bad arguments are -EINVAL, never a crash; a rejected rule arms nothing. */
static void fault_rejects_bad_arguments(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const struct pkvm_hvc_ops no_hvc = { .name = "empty" };
	struct pkvm_hvc_fault *fault = NULL;
	unsigned int cpu = 0;

	assert_int_equal(pkvm_hvc_fault_create(NULL, &fault), -EINVAL);
	assert_int_equal(pkvm_hvc_fault_create(&no_hvc, &fault), -EINVAL);
	assert_int_equal(pkvm_hvc_fault_create(pkvm_hvc_smccc(), NULL),
			 -EINVAL);
	assert_null(fault);
	assert_null(pkvm_hvc_fault_ops(NULL));
	assert_int_equal(pkvm_hvc_fault_injected(NULL), 0);
	pkvm_hvc_fault_destroy(NULL);
	assert_int_equal(pkvm_hvc_fault_nth(NULL, RESERVE, 1, -EINVAL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_fault_match(NULL, pick_reserve_on, &cpu,
					      -EINVAL), -EINVAL);

	fault = fault_over(pkvm_hvc_smccc());
	assert_int_equal(pkvm_hvc_fault_nth(fault, -2, 1, -EINVAL), -EINVAL);
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 0, -EINVAL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, 0), -EINVAL);
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, EINVAL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_fault_match(fault, NULL, NULL, -EINVAL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_fault_match(fault, pick_reserve_on, &cpu,
					      0), -EINVAL);
	assert_int_equal(pkvm_hvc_call(pkvm_hvc_fault_ops(fault), 0, NULL),
			 -EINVAL);

	install(sim, pkvm_hvc_fault_ops(fault));
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 0);

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
}

/* --- tracing --- */

static void assert_entry(const struct pkvm_hvc_trace_entry *e, uint64_t seq,
			 unsigned int cpu, uint64_t nr,
			 const struct pkvmsim_regs *in, uint64_t x0,
			 uint64_t x1)
{
	assert_int_equal(e->seq, seq);
	assert_int_equal(e->cpu, cpu);
	assert_int_equal(e->nr, nr);
	assert_memory_equal(e->in, in->x, sizeof(e->in));
	assert_int_equal(e->x0, x0);
	assert_int_equal(e->x1, x1);
	assert_int_equal(e->ret, 0);
}

/* Each call: its cpu, number, registers in and answer, in order. */
static void trace_records_calls_in_order(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_smccc(), 8);
	const struct pkvmsim_regs reserve = {
		.x = { PKVMSIM_HVC_ID(RESERVE) | SVE_HINT, X_POISON, 7, 8 },
	};
	const struct pkvmsim_regs unreserve = {
		.x = { PKVMSIM_HVC_ID(UNRESERVE), FIRST_HANDLE, 0, 0 },
	};
	const struct pkvmsim_regs unmodelled = {
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_KVM_VCPU_RUN), 1, 2, 3 },
	};
	struct pkvmsim_regs regs;
	struct pkvm_hvc_trace_entry e;

	install(sim, pkvm_hvc_trace_ops(trace));
	regs = reserve;
	assert_int_equal(pkvmsim_hvc(sim, 2, &regs), 0);
	regs = unreserve;
	assert_int_equal(pkvmsim_hvc(sim, 1, &regs), 0);
	regs = unmodelled;
	assert_int_equal(pkvmsim_hvc(sim, 3, &regs), 0);

	assert_int_equal(pkvm_hvc_trace_count(trace), 3);
	/* By number, the SVE hint bit cleared. */
	assert_int_equal(pkvm_hvc_trace_count_nr(trace, RESERVE), 1);
	assert_int_equal(pkvm_hvc_trace_count_nr(trace, UNRESERVE), 1);
	assert_int_equal(pkvm_hvc_trace_count_nr(trace,
				PKVMSIM_HCALL_KVM_VCPU_RUN), 1);
	assert_int_equal(pkvm_hvc_trace_count_nr(trace,
				PKVMSIM_HCALL_PKVM_TEARDOWN_VM), 0);
	assert_int_equal(pkvm_hvc_trace_count_nr(NULL, RESERVE), 0);
	e = entry_at(trace, 0);
	assert_entry(&e, 0, 2, RESERVE, &reserve, PKVMSIM_SMCCC_RET_SUCCESS,
		     FIRST_HANDLE);
	e = entry_at(trace, 1);
	assert_entry(&e, 1, 1, UNRESERVE, &unreserve,
		     PKVMSIM_SMCCC_RET_SUCCESS, FIRST_HANDLE);
	e = entry_at(trace, 2);
	assert_entry(&e, 2, 3, PKVMSIM_HCALL_KVM_VCPU_RUN, &unmodelled,
		     PKVMSIM_SMCCC_RET_NOT_SUPPORTED, 1);
	assert_int_equal(pkvm_hvc_trace_get(trace, 3, &e), -ENOENT);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);

	install(sim, NULL);
	pkvm_hvc_trace_destroy(trace);
}

/* Past the capacity, calls are counted but not kept; the first stay. */
static void trace_keeps_up_to_capacity(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_smccc(), 2);
	struct pkvm_hvc_trace *none = trace_over(pkvm_hvc_trace_ops(trace),
						 0);
	struct pkvm_hvc_trace_entry e;
	unsigned int i;

	install(sim, pkvm_hvc_trace_ops(none));
	for (i = 0; i < 5; i++)
		assert_int_equal(result(sim, i % 4, RESERVE, 0),
				 FIRST_HANDLE + i);

	assert_int_equal(pkvm_hvc_trace_count(trace), 5);
	assert_int_equal(pkvm_hvc_trace_count(none), 5);
	assert_int_equal(pkvm_hvc_trace_get(none, 0, &e), -ENOENT);
	for (i = 0; i < 2; i++) {
		e = entry_at(trace, i);
		assert_int_equal(e.seq, i);
		assert_int_equal(e.x1, FIRST_HANDLE + i);
	}
	assert_int_equal(pkvm_hvc_trace_get(trace, 2, &e), -ENOENT);
	assert_int_equal(pkvm_hvc_trace_get(trace, 4, &e), -ENOENT);

	unreserve_all(sim);
	pkvm_hvc_trace_destroy(none);
	pkvm_hvc_trace_destroy(trace);
}

/* After a clear the trace starts again at seq 0, with room again. */
static void trace_clear_starts_over(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_smccc(), 2);
	struct pkvm_hvc_trace_entry e;

	install(sim, pkvm_hvc_trace_ops(trace));
	result(sim, 0, RESERVE, 0);
	result(sim, 0, RESERVE, 0);
	result(sim, 0, RESERVE, 0);
	pkvm_hvc_trace_clear(trace);
	assert_int_equal(pkvm_hvc_trace_count(trace), 0);
	assert_int_equal(pkvm_hvc_trace_count_nr(trace, RESERVE), 0);
	assert_int_equal(pkvm_hvc_trace_get(trace, 0, &e), -ENOENT);

	result(sim, 1, UNRESERVE, FIRST_HANDLE + 2);
	assert_int_equal(pkvm_hvc_trace_count(trace), 1);
	e = entry_at(trace, 0);
	assert_int_equal(e.seq, 0);
	assert_int_equal(e.cpu, 1);
	assert_int_equal(e.nr, UNRESERVE);
	assert_int_equal(pkvm_hvc_trace_get(trace, 1, &e), -ENOENT);

	unreserve_all(sim);
	pkvm_hvc_trace_destroy(trace);
}

/* SPEC 4's result conventions, one line per call. */
static void trace_formats_lines(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_smccc(), 8);

	install(sim, pkvm_hvc_trace_ops(trace));
	call(sim, 0, PKVMSIM_HVC_ID(RESERVE), 0);
	call(sim, 1, PKVMSIM_HVC_ID(UNRESERVE), FIRST_HANDLE);
	call(sim, 0, PKVMSIM_HVC_ID(TEARDOWN), FIRST_HANDLE);
	call(sim, 3, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT), 0);
	call(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_PUT), 0);
	call(sim, 2, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID),
	     FIRST_HANDLE);
	call(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_NR), 0);

	assert_line(trace, 0, "cpu0 __pkvm_reserve_vm() = 0x1000");
	assert_line(trace, 1, "cpu1 __pkvm_unreserve_vm(0x1000)");
	assert_line(trace, 2, "cpu0 __pkvm_teardown_vm(0x1000) = -2 (ENOENT)");
	/* Below the minimum id once finalised. */
	assert_line(trace, 3, "cpu3 __pkvm_init(0x0, 0x0) = NOT_SUPPORTED");
	assert_line(trace, 4, "cpu0 __pkvm_vcpu_put()");
	assert_line(trace, 5, "cpu2 __pkvm_tlb_flush_vmid(0x1000)");
	assert_line(trace, 6,
		    "cpu0 hvc[0xc6000023](0x0, 0x0, 0x0) = NOT_SUPPORTED");

	install(sim, NULL);
	pkvm_hvc_trace_destroy(trace);
}

/*
 * Over the mock: a transport that fails, a result no errno names, the
 * arguments a handler reads past x3, and a line cut short by the buffer.
 */
static void trace_formats_transport_errors(void **state)
{
	struct pkvm_hvc_trace *trace = trace_over(hvc_mock_ops(), 4);
	const struct pkvm_hvc_ops *ops = pkvm_hvc_trace_ops(trace);
	struct pkvmsim_regs init_vm = {
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VM), 1, 2, 3 },
	};
	struct pkvmsim_regs reserve = { .x = { PKVMSIM_HVC_ID(RESERVE) } };
	struct pkvmsim_regs share = {
		.x = { PKVMSIM_HVC_ID(10), 0x40, 0x80, 1 },
	};
	const char *want = "cpu1 __pkvm_reserve_vm() = -200";
	struct pkvm_hvc_trace_entry e;
	char small[8];

	(void)state;
	expect_hvc(PKVMSIM_HCALL_PKVM_INIT_VM);
	will_return_hvc_error(-EFAULT);
	expect_hvc(RESERVE);
	will_return_hvc(-200);
	expect_hvc(10);
	will_return_hvc(0);

	assert_int_equal(pkvm_hvc_call(ops, 0, &init_vm), -EFAULT);
	assert_int_equal(pkvm_hvc_call(ops, 1, &reserve), 0);
	assert_int_equal(pkvm_hvc_call(ops, 0, &share), 0);

	assert_int_equal(entry_at(trace, 0).ret, -EFAULT);
	assert_line(trace, 0, "cpu0 __pkvm_init_vm(0x1, 0x2, 0x3) -> "
			      "transport error -14 (EFAULT)");
	assert_line(trace, 1, want);
	assert_line(trace, 2, "cpu0 __pkvm_host_share_guest(0x40, 0x80, 0x1, "
			      "...) = 0");

	e = entry_at(trace, 1);
	assert_int_equal(pkvm_hvc_trace_format(&e, small, sizeof(small)),
			 strlen(want));
	assert_string_equal(small, "cpu1 __");
	assert_int_equal(pkvm_hvc_trace_format(&e, NULL, 0), strlen(want));

	pkvm_hvc_trace_destroy(trace);
}

/* Bad arguments are -EINVAL (or -ENOMEM for a size), never a crash. */
static void trace_rejects_bad_arguments(void **state)
{
	const struct pkvm_hvc_ops no_hvc = { .name = "empty" };
	struct pkvm_hvc_trace *trace = NULL;
	struct pkvm_hvc_trace_entry e = { 0 };
	char buf[16];

	(void)state;
	assert_int_equal(pkvm_hvc_trace_create(NULL, 1, &trace), -EINVAL);
	assert_int_equal(pkvm_hvc_trace_create(&no_hvc, 1, &trace), -EINVAL);
	assert_int_equal(pkvm_hvc_trace_create(hvc_mock_ops(), 1, NULL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_trace_create(hvc_mock_ops(), SIZE_MAX,
					       &trace), -ENOMEM);
	assert_null(trace);
	assert_null(pkvm_hvc_trace_ops(NULL));
	assert_int_equal(pkvm_hvc_trace_count(NULL), 0);
	assert_int_equal(pkvm_hvc_trace_get(NULL, 0, &e), -EINVAL);
	pkvm_hvc_trace_clear(NULL);
	pkvm_hvc_trace_destroy(NULL);
	assert_int_equal(pkvm_hvc_trace_format(NULL, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_trace_format(&e, NULL, sizeof(buf)),
			 -EINVAL);

	trace = trace_over(hvc_mock_ops(), 1);
	assert_int_equal(pkvm_hvc_trace_get(trace, 0, NULL), -EINVAL);
	assert_int_equal(pkvm_hvc_call(pkvm_hvc_trace_ops(trace), 0, NULL),
			 -EINVAL);
	assert_int_equal(pkvm_hvc_trace_count(trace), 0);
	pkvm_hvc_trace_destroy(trace);
}

/* --- composition --- */

/* The trace above the injector sees the failed answer; the table does not. */
static void trace_over_fault_over_smccc(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_smccc());
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_fault_ops(fault),
						  4);

	assert_string_equal(pkvm_hvc_trace_ops(trace)->name,
			    "trace(fault(smccc))");
	assert_int_equal(pkvm_hvc_fault_nth(fault, RESERVE, 1, -ENOMEM), 0);
	install(sim, pkvm_hvc_trace_ops(trace));

	assert_int_equal(result(sim, 0, RESERVE, 0), -ENOMEM);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);

	assert_int_equal(pkvm_hvc_trace_count(trace), 2);
	assert_line(trace, 0, "cpu0 __pkvm_reserve_vm() = -12 (ENOMEM)");
	assert_line(trace, 1, "cpu0 __pkvm_reserve_vm() = 0x1000");

	unreserve_all(sim);
	pkvm_hvc_trace_destroy(trace);
	pkvm_hvc_fault_destroy(fault);
}

/* The other way round, a trace below the injector never sees the call. */
static void fault_over_trace_hides_the_failed_call(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace *trace = trace_over(pkvm_hvc_smccc(), 4);
	struct pkvm_hvc_fault *fault = fault_over(pkvm_hvc_trace_ops(trace));

	assert_int_equal(pkvm_hvc_fault_nth(fault, -1, 2, -EIO), 0);
	install(sim, pkvm_hvc_fault_ops(fault));

	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(result(sim, 1, UNRESERVE, FIRST_HANDLE), -EIO);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_RESERVED);

	assert_int_equal(pkvm_hvc_trace_count(trace), 1);
	assert_line(trace, 0, "cpu0 __pkvm_reserve_vm() = 0x1000");

	unreserve_all(sim);
	pkvm_hvc_fault_destroy(fault);
	pkvm_hvc_trace_destroy(trace);
}

#define THREADS		4
#define THREAD_CALLS	500

struct caller {
	pthread_t			thread;
	const struct pkvm_hvc_ops	*ops;
	unsigned int			cpu;
	unsigned int			failed;
};

static void *caller_fn(void *arg)
{
	struct caller *c = arg;
	unsigned int i;

	for (i = 0; i < THREAD_CALLS; i++) {
		struct pkvmsim_regs regs = {
			.x = { PKVMSIM_HVC_ID(RESERVE), 0, 0, 0 },
		};

		if (pkvm_hvc_call(c->ops, c->cpu, &regs))
			c->failed++;
		else if (regs.x[1] == (uint64_t)-EBUSY)
			c->failed++;
		else if (regs.x[1] != c->cpu)
			c->failed += 1000;
	}
	return NULL;
}

/*
 * Real threads through trace(fault(user)): exactly one call is the nth,
 * it never reaches the user's transport, and every call gets its own seq.
 */
static void decorators_are_thread_safe(void **state)
{
	const unsigned long total = THREADS * THREAD_CALLS;
	struct counting user;
	struct pkvm_hvc_fault *fault;
	struct pkvm_hvc_trace *trace;
	struct caller callers[THREADS];
	unsigned int i, failed = 0, busy = 0;

	(void)state;
	counting_init(&user, NULL);
	fault = fault_over(&user.ops);
	trace = trace_over(pkvm_hvc_fault_ops(fault), total);
	assert_int_equal(pkvm_hvc_fault_nth(fault, -1, total / 2, -EBUSY), 0);

	for (i = 0; i < THREADS; i++) {
		callers[i] = (struct caller){
			.ops = pkvm_hvc_trace_ops(trace), .cpu = i,
		};
		assert_int_equal(pthread_create(&callers[i].thread, NULL,
						caller_fn, &callers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(callers[i].thread, NULL), 0);
		failed += callers[i].failed;
	}

	assert_int_equal(failed, 1);
	assert_int_equal(pkvm_hvc_fault_injected(fault), 1);
	assert_int_equal(counting_calls(&user), total - 1);
	assert_int_equal(pkvm_hvc_trace_count(trace), total);
	for (i = 0; i < total; i++) {
		struct pkvm_hvc_trace_entry e = entry_at(trace, i);

		assert_int_equal(e.seq, i);
		assert_true(e.cpu < THREADS);
		if (e.x1 == (uint64_t)-EBUSY)
			busy++;
		else
			assert_int_equal(e.x1, e.cpu);
	}
	assert_int_equal(busy, 1);

	pkvm_hvc_trace_destroy(trace);
	pkvm_hvc_fault_destroy(fault);
}

/* --- the built-in transports --- */

/*
 * SPEC 4, hvc.h: after finalisation the dispatcher refuses every boot-only
 * id; direct leaves the dispatcher's code out, never its refusals.  The
 * carve-out offered is a valid one: a __pkvm_init that reached its handler
 * would take it and replace the live table.  Ids with no handler or past
 * the table are refused by both too; x1 is left as it was.
 */
static void direct_refuses_what_smccc_refuses(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const struct pkvm_hvc_ops *const transports[] = {
		pkvm_hvc_smccc(), pkvm_hvc_direct(),
	};
	struct pkvm_hyp_vm **table = vm_table;
	struct sim_page_info info;
	unsigned int t, nr;
	uint64_t phys;
	void *page;

	page = sim_host_alloc_pages(1);
	assert_non_null(page);
	phys = sim_host_pa(page);
	assert_int_equal(result(sim, 0, RESERVE, 0), FIRST_HANDLE);

	for (t = 0; t < 2; t++) {
		install(sim, transports[t]);
		for (nr = 0; nr < PKVMSIM_HCALL_PKVM_PROT_FINALIZE; nr++) {
			struct pkvmsim_regs regs = {
				.x = { PKVMSIM_HVC_ID(nr), phys, SIM_PAGE_SIZE,
				       0 },
			};

			assert_int_equal(pkvmsim_hvc(sim, 1, &regs), 0);
			if (regs.x[0] != PKVMSIM_SMCCC_RET_NOT_SUPPORTED ||
			    regs.x[1] != phys)
				fail_msg("%s: id %u (%s) answered x0 %#llx "
					 "x1 %#llx", transports[t]->name, nr,
					 pkvmsim_hcall_name(nr),
					 (unsigned long long)regs.x[0],
					 (unsigned long long)regs.x[1]);
		}
		assert_int_equal(call(sim, 0, PKVMSIM_HVC_ID(
			PKVMSIM_HCALL_KVM_VCPU_RUN), X_POISON).x[0],
			PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
		assert_int_equal(call(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_NR),
				      X_POISON).x[1], X_POISON);
	}

	/* The live table and its reservation stand; the page is the host's. */
	assert_ptr_equal(vm_table, table);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_RESERVED);
	assert_int_equal(sim_ledger_page(phys, &info), 0);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);

	/* The lifecycle calls behave as through the dispatcher. */
	assert_int_equal(result(sim, 1, RESERVE, 0), FIRST_HANDLE + 1);
	result(sim, 1, UNRESERVE, FIRST_HANDLE + 1);
	result(sim, 1, UNRESERVE, FIRST_HANDLE);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);

	assert_string_equal(pkvm_hvc_direct()->name, "direct");
	assert_string_equal(pkvm_hvc_smccc()->name, "smccc");
	install(sim, NULL);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/*
 * SPEC 4: outside protected mode the minimum id is 0, so both transports
 * hand __pkvm_init to its handler, which refuses a misaligned carve-out.
 */
static void nvhe_direct_dispatches_as_smccc(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const uint64_t init = PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT);
	struct pkvmsim_regs regs;

	regs = call(sim, 0, init, 1);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], (uint64_t)-EINVAL);
	install(sim, pkvm_hvc_direct());
	regs = call(sim, 0, init, 1);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], (uint64_t)-EINVAL);
	install(sim, NULL);
	assert_null(vm_table);
}

/* --- the mock --- */

/*
 * Host-only use: the mock answers in the order the test queued, checks
 * what each expectation asks, and the hypervisor sees nothing.
 */
static void mock_answers_in_order(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	install(sim, hvc_mock_ops());

	expect_hvc(RESERVE);
	will_return_hvc(FIRST_HANDLE + 7);
	expect_hvc_arg(UNRESERVE, 1, FIRST_HANDLE + 7);
	will_return_hvc_none();
	expect_hvc_on(2, TEARDOWN);
	will_return_hvc(-ENOENT);
	expect_hvc_args(PKVMSIM_HCALL_PKVM_INIT_VM, 1, 2, 3);
	will_return_hvc_status(PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
	expect_hvc_call(.nr = PKVMSIM_HCALL_PKVM_VCPU_LOAD,
			.check = HVC_MOCK_CPU | HVC_MOCK_ARG(2),
			.cpu = 3, .arg = { 0, 1, 0 });
	will_return_hvc_error(-EFAULT);

	/* The hint bit does not change the number, as in the dispatcher. */
	regs = call(sim, 0, PKVMSIM_HVC_ID(RESERVE) | SVE_HINT, X_POISON);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], FIRST_HANDLE + 7);
	regs = call(sim, 1, PKVMSIM_HVC_ID(UNRESERVE), FIRST_HANDLE + 7);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], FIRST_HANDLE + 7);
	assert_int_equal(result(sim, 2, TEARDOWN, FIRST_HANDLE), -ENOENT);
	regs = sim_hvc_regs(sim, 0, PKVMSIM_HCALL_PKVM_INIT_VM, 1, 2, 3);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(regs.x[1], 1);
	regs = (struct pkvmsim_regs){
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_LOAD),
		       FIRST_HANDLE, 1, 0 },
	};
	assert_int_equal(pkvmsim_hvc(sim, 3, &regs), -EFAULT);

	/* Nothing reached the hypervisor. */
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
	install(sim, NULL);
}

/* DESIGN: the transport is part of the configuration, from boot on. */
static void config_installs_the_transport(void **state)
{
	const struct pkvm_hvc_ops no_fn = { .name = "broken" };
	struct pkvm_hvc_trace *trace;
	struct pkvm_hvc_trace_entry e;
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	(void)state;
	assert_int_equal(pkvm_hvc_trace_create(pkvm_hvc_smccc(), 8, &trace),
			 0);
	pkvmsim_config_init(&cfg);
	cfg.hvc = &no_fn;
	assert_int_equal(pkvmsim_create(&cfg, &sim), -EINVAL);

	cfg.hvc = pkvm_hvc_trace_ops(trace);
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	/* Boot took the built-in path: nothing traced yet. */
	assert_int_equal(pkvm_hvc_trace_count(trace), 0);
	assert_int_equal(result(sim, 1, RESERVE, 0), FIRST_HANDLE);
	assert_int_equal(pkvm_hvc_trace_count(trace), 1);
	assert_int_equal(pkvm_hvc_trace_get(trace, 0, &e), 0);
	assert_int_equal(e.cpu, 1);
	assert_int_equal(e.nr, RESERVE);
	/* No result: x1 comes back as sent. */
	assert_int_equal(result(sim, 1, UNRESERVE, FIRST_HANDLE), FIRST_HANDLE);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
	assert_int_equal(pkvmsim_destroy(sim), 0);
	pkvm_hvc_trace_destroy(trace);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(fault_nth_fails_only_that_call_of_that_number),
		SIM_TEST(fault_nth_of_any_number),
		SIM_TEST(fault_match_fails_every_picked_call),
		SIM_TEST(fault_answer_is_the_hypervisors),
		SIM_TEST(faulted_call_never_reaches_the_lower_transport),
		SIM_TEST(fault_counts_a_hinted_call_by_its_number),
		SIM_TEST(fault_injection_is_deterministic),
		SIM_TEST(fault_rejects_bad_arguments),
		SIM_TEST(fault_clear_disarms),
		SIM_TEST(trace_records_calls_in_order),
		SIM_TEST(trace_keeps_up_to_capacity),
		SIM_TEST(trace_clear_starts_over),
		SIM_TEST(trace_formats_lines),
		cmocka_unit_test(trace_formats_transport_errors),
		cmocka_unit_test(trace_rejects_bad_arguments),
		SIM_TEST(trace_over_fault_over_smccc),
		SIM_TEST(fault_over_trace_hides_the_failed_call),
		cmocka_unit_test(decorators_are_thread_safe),
		SIM_TEST(direct_refuses_what_smccc_refuses),
		SIM_TEST_MODE(nvhe_direct_dispatches_as_smccc, nvhe),
		SIM_TEST(mock_answers_in_order),
		cmocka_unit_test(config_installs_the_transport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
