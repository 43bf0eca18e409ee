/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES kern_hyp_va().  Upstream patches in a mask-and-rotate at boot
 * that keeps the low bits of a kernel VA and puts the hypervisor's tag
 * above them, so whatever value the host passes lands in the hypervisor's
 * VA range.  Here the host and hyp aliases of the arena are a fixed
 * distance apart: the arena translates exactly, and any other value lands
 * in a window of 2^SIM_HYP_VA_BITS bytes just past the hyp alias, where
 * no memory is (its offset is kept modulo the window, so alignment is
 * too).  Nothing the host sends lands near the top of the address space,
 * so pointer arithmetic on it (such as host_kvm + 1) cannot wrap, as it
 * cannot upstream.
 */
#ifndef __PKVMSIM_ASM_KVM_MMU_H
#define __PKVMSIM_ASM_KVM_MMU_H

/*
 * The host alias of the arena, the distance to the hyp alias, and the
 * arena's size in bytes.
 */
extern unsigned long sim_host_va_base;
extern unsigned long sim_hyp_va_offset;
extern unsigned long sim_hyp_va_size;

#define SIM_HYP_VA_BITS		39

static inline unsigned long __kern_hyp_va(unsigned long v)
{
	unsigned long off = v - sim_host_va_base;

	if (off >= sim_hyp_va_size)
		off = sim_hyp_va_size + (off & ((1UL << SIM_HYP_VA_BITS) - 1));

	return sim_host_va_base + sim_hyp_va_offset + off;
}

#define kern_hyp_va(v)	((__typeof__(v))(__kern_hyp_va((unsigned long)(v))))

#endif /* __PKVMSIM_ASM_KVM_MMU_H */
