/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * STUBS the stage-2 page-table library down to what the VM lifecycle
 * touches: a PGD of fixed size whose pages the table holds references on.
 * No guest memory is mapped in the simulator.
 */
#ifndef __PKVMSIM_ASM_KVM_PGTABLE_H
#define __PKVMSIM_ASM_KVM_PGTABLE_H

#include "asm/page-def.h"

struct kvm_s2_mmu;

struct kvm_pgtable {
	u32			ia_bits;
	void			*pgd;
	struct kvm_s2_mmu	*mmu;
};

/* Two concatenated level-0 tables: a multi-page PGD, as for a 48-bit IPA. */
#define KVM_PGTABLE_PGD_PAGES	2

static inline unsigned long kvm_pgtable_stage2_pgd_size(u64 vtcr)
{
	(void)vtcr;
	return KVM_PGTABLE_PGD_PAGES * PAGE_SIZE;
}

#endif /* __PKVMSIM_ASM_KVM_PGTABLE_H */
