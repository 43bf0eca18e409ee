/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * White-box access to the hypervisor's file-scope state, for the machine
 * (which resets it between simulators), the oracle and tests (which
 * inspect it).  It sits with src/env, beside the hypervisor at the bottom
 * of the layers, so that every layer that may look inside can include it;
 * src/hyp itself never does (it sees include/hyp/ only).  The host model
 * must never include this: it talks to the hyp by HVC only.
 */
#ifndef PKVMSIM_HYP_STATE_H
#define PKVMSIM_HYP_STATE_H

#include "asm/kvm_asm.h"
#include "asm/kvm_mmu.h"
#include "nvhe/mem_protect.h"
#include "nvhe/pkvm.h"
#include "nvhe/trap_handler.h"

/* Mirrors the private constants of src/hyp/pkvm.c. */
#define SIM_HANDLE_OFFSET	0x1000U
#define SIM_RESERVED_ENTRY	((void *)0xa110ca7edUL)

extern struct pkvm_hyp_vm **vm_table;
extern hyp_spinlock_t vm_table_lock;
extern hyp_spinlock_t host_mmu_lock;
extern hyp_spinlock_t pkvm_pgd_lock;
DECLARE_PER_CPU(struct pkvm_hyp_vcpu *, loaded_hyp_vcpu);
DECLARE_PER_CPU(bool, host_stage2_enabled);

#endif /* PKVMSIM_HYP_STATE_H */
