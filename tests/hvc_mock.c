// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMocka mock transport (see hvc_mock.h).
 *
 * Each call checks five parameters (nr, cpu, x1, x2, x3) and takes two
 * values off its answer queue (kind, value).  Every expectation queues all
 * five checks, "any" for the ones it leaves open, so the queues move in
 * step and the nth call is always checked against the nth expectation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <pkvmsim/pkvmsim.h>
#include "hvc_mock.h"
#include "asm/kvm_asm.h"

#define MOCK_FN	"hvc_mock_hvc"

/* The hypercall number, decoded as handle_host_hcall() does (SPEC 4). */
static uint64_t mock_nr_of(uint64_t x0)
{
	return (x0 & ~(uint64_t)ARM_SMCCC_CALL_HINTS) - KVM_HOST_SMCCC_ID(0);
}

static void nr_label(uint64_t nr, char *buf, size_t len)
{
	const char *name = pkvmsim_hcall_name((unsigned long)nr);

	if (nr < PKVMSIM_HCALL_NR && name)
		snprintf(buf, len, "%s (%" PRIu64 ")", name, nr);
	else
		snprintf(buf, len, "unknown number %#" PRIx64, nr);
}

/* check_expected() for the number, with names in the failure message. */
static int check_nr(const LargestIntegralType got,
		    const LargestIntegralType want)
{
	char g[64], w[64];

	if (got == want)
		return 1;
	nr_label(got, g, sizeof(g));
	nr_label(want, w, sizeof(w));
	print_error("hypercall %s, expected %s\n", g, w);
	return 0;
}

static int hvc_mock_hvc(void *ctx, unsigned int cpu,
			struct pkvmsim_regs *regs)
{
	uint64_t nr, x1, x2, x3;
	int kind;
	uint64_t value;

	(void)ctx;
	assert_non_null(regs);

	nr = mock_nr_of(regs->x[0]);
	x1 = regs->x[1];
	x2 = regs->x[2];
	x3 = regs->x[3];
	check_expected(nr);
	check_expected(cpu);
	check_expected(x1);
	check_expected(x2);
	check_expected(x3);

	kind = (int)mock();
	value = (uint64_t)mock();
	switch (kind) {
	case HVC_MOCK_RESULT:
		regs->x[0] = PKVMSIM_SMCCC_RET_SUCCESS;
		regs->x[1] = value;
		return 0;
	case HVC_MOCK_NONE:
		regs->x[0] = PKVMSIM_SMCCC_RET_SUCCESS;
		return 0;
	case HVC_MOCK_STATUS:
		regs->x[0] = value;
		return 0;
	case HVC_MOCK_ERROR:
		return (int)(int64_t)value;
	}
	fail_msg("hvc mock: answer of unknown kind %d (queued with "
		 "will_return() instead of will_return_hvc*()?)", kind);
	return -EINVAL;
}

static const struct pkvm_hvc_ops mock_ops = {
	.name = "mock",
	.hvc = hvc_mock_hvc,
};

const struct pkvm_hvc_ops *hvc_mock_ops(void)
{
	return &mock_ops;
}

/* Queue a check of one parameter, or "any" if @checked is false. */
static void expect_param(const char *param, bool checked, uint64_t value,
			 const char *file, int line)
{
	if (checked)
		_expect_value(MOCK_FN, param, file, line, value, 1);
	else
		_expect_any(MOCK_FN, param, file, line, 1);
}

void _expect_hvc_call(const struct hvc_mock_call *call, const char *file,
		      int line)
{
	static const char *const args[] = { "x1", "x2", "x3" };
	unsigned int i;

	_expect_check(MOCK_FN, "nr", file, line, check_nr, call->nr, NULL, 1);
	expect_param("cpu", call->check & HVC_MOCK_CPU, call->cpu, file, line);
	for (i = 0; i < 3; i++)
		expect_param(args[i], call->check & HVC_MOCK_ARG(i + 1),
			     call->arg[i], file, line);
}

void _expect_hvc_arg(uint64_t nr, unsigned int n, uint64_t value,
		     const char *file, int line)
{
	struct hvc_mock_call call = { .nr = nr };

	if (n < 1 || n > 3) {
		print_error("expect_hvc_arg: argument %u, want 1..3\n", n);
		_fail(file, line);
		return;
	}
	call.check = HVC_MOCK_ARG(n);
	call.arg[n - 1] = value;
	_expect_hvc_call(&call, file, line);
}

void _will_return_hvc(int kind, uint64_t value, const char *file, int line)
{
	_will_return(MOCK_FN, file, line, (LargestIntegralType)kind, 1);
	_will_return(MOCK_FN, file, line, value, 1);
}
