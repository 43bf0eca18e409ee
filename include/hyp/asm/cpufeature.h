/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES capability and static-key checks: in the kernel they are
 * patched into the hyp image at boot; here they are words in src/env that
 * the simulated boot writes before any hypercall can observe them.
 */
#ifndef __PKVMSIM_ASM_CPUFEATURE_H
#define __PKVMSIM_ASM_CPUFEATURE_H

#include "linux/types.h"

#define ARM64_KVM_PROTECTED_MODE	0
#define ARM64_NCAPS			1

extern bool sim_cpu_caps[ARM64_NCAPS];

static inline bool cpus_have_final_cap(int cap)
{
	return __atomic_load_n(&sim_cpu_caps[cap], __ATOMIC_RELAXED);
}

#define is_protected_kvm_enabled()	\
	cpus_have_final_cap(ARM64_KVM_PROTECTED_MODE)

struct static_key_false {
	bool	enabled;
};

#define static_branch_unlikely(key)	\
	__builtin_expect(__atomic_load_n(&(key)->enabled, __ATOMIC_ACQUIRE), 0)

/* Set by the host just before it finalises pKVM on each CPU. */
extern struct static_key_false kvm_protected_mode_initialized;

#endif /* __PKVMSIM_ASM_CPUFEATURE_H */
