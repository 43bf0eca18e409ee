/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * STUBS TLB maintenance: there is no TLB.  Each flush is recorded by
 * src/env so tests can check a VMID was flushed before its slot was freed.
 */
#ifndef __PKVMSIM_ASM_TLBFLUSH_H
#define __PKVMSIM_ASM_TLBFLUSH_H

#include "asm/kvm_host.h"

void sim_tlb_flush_vmid(u64 vmid);

static inline void __kvm_tlb_flush_vmid(struct kvm_s2_mmu *mmu)
{
	sim_tlb_flush_vmid(mmu->vmid.id);
}

#endif /* __PKVMSIM_ASM_TLBFLUSH_H */
