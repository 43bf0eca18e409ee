// SPDX-License-Identifier: GPL-2.0-only
/* Control for declare_reg_twice.c: distinct registers must build. */
#include <nvhe/trap_handler.h>

void handle_two_args(struct kvm_cpu_context *host_ctxt);

void handle_two_args(struct kvm_cpu_context *host_ctxt)
{
	DECLARE_REG(unsigned long, a, host_ctxt, 1);
	DECLARE_REG(unsigned long, b, host_ctxt, 2);

	cpu_reg(host_ctxt, 1) = a + b;
}
