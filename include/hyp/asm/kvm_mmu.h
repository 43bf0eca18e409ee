/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES kern_hyp_va(): upstream patches a mask-and-rotate at boot;
 * here the host and hyp aliases of the arena are a fixed distance apart.
 */
#ifndef __PKVMSIM_ASM_KVM_MMU_H
#define __PKVMSIM_ASM_KVM_MMU_H

extern unsigned long sim_hyp_va_offset;

static inline unsigned long __kern_hyp_va(unsigned long v)
{
	return v + sim_hyp_va_offset;
}

#define kern_hyp_va(v)	((__typeof__(v))(__kern_hyp_va((unsigned long)(v))))

#endif /* __PKVMSIM_ASM_KVM_MMU_H */
