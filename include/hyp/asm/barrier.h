/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <asm/barrier.h>: release stores and acquire loads are C11
 * atomics (which is what TSan understands) and scheduling points.
 */
#ifndef __PKVMSIM_ASM_BARRIER_H
#define __PKVMSIM_ASM_BARRIER_H

#include "linux/compiler.h"

#define smp_store_release(p, v)						\
do {									\
	sim_sched_point(SIM_POINT_STORE_RELEASE, (const void *)(p));	\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE);			\
} while (0)

#define smp_load_acquire(p)						\
({									\
	sim_sched_point(SIM_POINT_LOAD_ACQUIRE, (const void *)(p));	\
	__atomic_load_n((p), __ATOMIC_ACQUIRE);				\
})

#endif /* __PKVMSIM_ASM_BARRIER_H */
