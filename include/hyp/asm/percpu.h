/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES the per-CPU accessors: a per-CPU variable is an array indexed
 * by the simulated CPU the calling thread is running as (src/env).
 */
#ifndef __PKVMSIM_ASM_PERCPU_H
#define __PKVMSIM_ASM_PERCPU_H

#include "linux/compiler.h"

/* Upper bound on simulated CPUs; pkvmsim refuses configurations above it. */
#define NR_CPUS		16

int hyp_smp_processor_id(void);

#define DEFINE_PER_CPU(type, name)	__typeof__(type) name[NR_CPUS]
#define DECLARE_PER_CPU(type, name)	extern __typeof__(type) name[NR_CPUS]

#define per_cpu_ptr(ptr, cpu)		(&(*(ptr))[(cpu)])
#define this_cpu_ptr(ptr)		per_cpu_ptr(ptr, hyp_smp_processor_id())
#define __this_cpu_read(var)		READ_ONCE(*this_cpu_ptr(&(var)))
#define __this_cpu_write(var, val)	WRITE_ONCE(*this_cpu_ptr(&(var)), (val))

#endif /* __PKVMSIM_ASM_PERCPU_H */
