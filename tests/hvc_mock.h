/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A CMocka mock hypercall transport, for testing host code without a
 * hypervisor under it.
 *
 * Install it with pkvmsim_set_hvc(sim, hvc_mock_ops()) (or wrap it in a
 * decorator).  Every hypercall that reaches it then consumes, in order,
 * one expectation and one answer queued by the test:
 *
 *	expect_hvc(PKVMSIM_HCALL_PKVM_RESERVE_VM);
 *	will_return_hvc(0x1000);
 *	expect_hvc_arg(PKVMSIM_HCALL_PKVM_UNRESERVE_VM, 1, 0x1000);
 *	will_return_hvc_none();
 *
 * Expectations (arguments are compared as uint64_t: cast pointers):
 *	expect_hvc(nr)			hypercall number @nr, any arguments
 *	expect_hvc_arg(nr, n, v)	... and argument @n (1..3: x1..x3) = @v
 *	expect_hvc_args(nr, a1, a2, a3)	... and x1..x3 exactly
 *	expect_hvc_on(cpu, nr)		... made from simulated CPU @cpu
 *	expect_hvc_call(.nr = nr, .check = HVC_MOCK_CPU | HVC_MOCK_ARG(2),
 *			.cpu = 1, .arg = { 0, idx, 0 })
 *					any mix of the above
 * The number is decoded from x0 as the hypervisor's dispatcher does (the
 * SMCCC hint bits cleared, the vendor-hyp base taken off), so an id of
 * another SMCCC owner never matches a 6.18 number.
 *
 * Answers:
 *	will_return_hvc(x1)		accepted: x0 = SMCCC_RET_SUCCESS, x1
 *	will_return_hvc_none()		accepted, x1 left alone (the handlers
 *					that write no result: unreserve,
 *					vcpu_load, vcpu_put, tlb_flush_vmid)
 *	will_return_hvc_status(x0)	refused: x0 (e.g. NOT_SUPPORTED),
 *					x1 left alone, as the dispatcher does
 *	will_return_hvc_error(ret)	not delivered: the transport returns
 *					@ret (e.g. -EFAULT), registers untouched
 *
 * A call with no expectation or no answer left, a mismatch, and anything
 * left queued at the end of the test fail the test, as CMocka does for any
 * mock; a mismatched number is reported by name.  Like CMocka itself,
 * the mock is for one thread: make its calls from the test's own thread.
 */
#ifndef PKVMSIM_HVC_MOCK_H
#define PKVMSIM_HVC_MOCK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pkvmsim/hvc.h>

/* The mock transport; its table is static, so it never goes away. */
const struct pkvm_hvc_ops *hvc_mock_ops(void);

/* Which parts of a call an expectation checks. */
#define HVC_MOCK_CPU	(1U << 0)
#define HVC_MOCK_ARG(n)	(1U << (n))		/* n = 1..3 */
#define HVC_MOCK_ARGS	(HVC_MOCK_ARG(1) | HVC_MOCK_ARG(2) | HVC_MOCK_ARG(3))

/**
 * struct hvc_mock_call - one expected hypercall.
 * @nr:		the hypercall number, always checked.
 * @check:	HVC_MOCK_* bits: which of @cpu and @arg to check too.
 * @cpu:	the calling CPU.
 * @arg:	x1..x3 (arg[0] is x1).
 */
struct hvc_mock_call {
	uint64_t	nr;
	unsigned int	check;
	unsigned int	cpu;
	uint64_t	arg[3];
};

enum hvc_mock_answer {
	HVC_MOCK_RESULT,	/* x0 = success, x1 = value */
	HVC_MOCK_NONE,		/* x0 = success */
	HVC_MOCK_STATUS,	/* x0 = value */
	HVC_MOCK_ERROR,		/* transport returns (int)value */
};

/* What the macros below expand to; tests call the macros. */
void _expect_hvc_call(const struct hvc_mock_call *call, const char *file,
		      int line);
void _will_return_hvc(int kind, uint64_t value, const char *file, int line);

#define expect_hvc_call(...)						\
	_expect_hvc_call(&(const struct hvc_mock_call){ __VA_ARGS__ },	\
			 __FILE__, __LINE__)

#define expect_hvc(nr_)							\
	expect_hvc_call(.nr = (nr_))
#define expect_hvc_on(cpu_, nr_)					\
	expect_hvc_call(.nr = (nr_), .check = HVC_MOCK_CPU, .cpu = (cpu_))
#define expect_hvc_args(nr_, a1, a2, a3)				\
	expect_hvc_call(.nr = (nr_), .check = HVC_MOCK_ARGS,		\
			.arg = { (a1), (a2), (a3) })
/* Argument @n outside 1..3 fails the test at the expect. */
#define expect_hvc_arg(nr_, n, value)					\
	_expect_hvc_arg((nr_), (n), (value), __FILE__, __LINE__)
void _expect_hvc_arg(uint64_t nr, unsigned int n, uint64_t value,
		     const char *file, int line);

#define will_return_hvc(x1)						\
	_will_return_hvc(HVC_MOCK_RESULT, (uint64_t)(x1), __FILE__, __LINE__)
#define will_return_hvc_none()						\
	_will_return_hvc(HVC_MOCK_NONE, 0, __FILE__, __LINE__)
#define will_return_hvc_status(x0)					\
	_will_return_hvc(HVC_MOCK_STATUS, (uint64_t)(x0), __FILE__, __LINE__)
#define will_return_hvc_error(ret)					\
	_will_return_hvc(HVC_MOCK_ERROR, (uint64_t)(int64_t)(ret),	\
			 __FILE__, __LINE__)

#endif /* PKVMSIM_HVC_MOCK_H */
