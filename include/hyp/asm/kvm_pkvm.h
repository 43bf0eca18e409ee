/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES the pKVM constants shared by host and hyp (asm/kvm_pkvm.h). */
#ifndef __PKVMSIM_ASM_KVM_PKVM_H
#define __PKVMSIM_ASM_KVM_PKVM_H

#include "asm/page-def.h"

/* One page of pointers. */
#define KVM_MAX_PVMS	255

#endif /* __PKVMSIM_ASM_KVM_PKVM_H */
