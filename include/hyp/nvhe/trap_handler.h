/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DUPLICATES arch/arm64/kvm/hyp/include/nvhe/trap_handler.h: the saved host
 * register file and DECLARE_REG().
 *
 * DECLARE_REG() also declares a dummy variable named after the register
 * number, so naming the same register twice in one scope is a redeclaration
 * and does not compile (patch 1 of the series).  tests/build/ holds a
 * source that must fail to build for exactly that reason.
 */
#ifndef __PKVMSIM_NVHE_TRAP_HANDLER_H
#define __PKVMSIM_NVHE_TRAP_HANDLER_H

#include "linux/compiler.h"
#include "linux/types.h"

struct user_pt_regs {
	u64	regs[31];
	u64	sp;
	u64	pc;
	u64	pstate;
};

struct kvm_cpu_context {
	struct user_pt_regs	regs;
};

#define cpu_reg(ctxt, r)	(ctxt)->regs.regs[r]

#define DECLARE_REG(type, name, ctxt, reg)				\
	__always_unused int ___declare_reg_x##reg;			\
	type name = (type)cpu_reg(ctxt, (reg))

typedef void (*hcall_t)(struct kvm_cpu_context *);

void handle_host_hcall(struct kvm_cpu_context *host_ctxt);

/* Not static as upstream: the "direct" transport calls handlers by id. */
extern const hcall_t host_hcall[];
extern const unsigned long host_hcall_nr;

#endif /* __PKVMSIM_NVHE_TRAP_HANDLER_H */
