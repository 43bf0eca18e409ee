// SPDX-License-Identifier: GPL-2.0-only
/*
 * MUST NOT BUILD: x1 is declared twice in one scope, the copy-paste slip
 * patch 1 of the series turns into a build error.
 */
#include <nvhe/trap_handler.h>

void handle_two_args(struct kvm_cpu_context *host_ctxt);

void handle_two_args(struct kvm_cpu_context *host_ctxt)
{
	DECLARE_REG(unsigned long, a, host_ctxt, 1);
	DECLARE_REG(unsigned long, b, host_ctxt, 1);

	cpu_reg(host_ctxt, 1) = a + b;
}
