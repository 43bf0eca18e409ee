/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES the HCR_EL2 bits the vCPU-load hypercall propagates. */
#ifndef __PKVMSIM_ASM_KVM_ARM_H
#define __PKVMSIM_ASM_KVM_ARM_H

#define HCR_TWI		(1UL << 13)
#define HCR_TWE		(1UL << 14)

#endif /* __PKVMSIM_ASM_KVM_ARM_H */
