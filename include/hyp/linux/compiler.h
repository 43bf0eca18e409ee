/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <linux/compiler.h>.
 *
 * READ_ONCE()/WRITE_ONCE() are single, untorn accesses as in the kernel,
 * done as relaxed atomics so ThreadSanitizer sees them as intended races.
 * Each one is also a scheduling point: when a controlled scheduler has
 * installed sim_sched_point_hook, it may switch CPUs there.  With no hook
 * installed the cost is one predictable branch.
 */
#ifndef __PKVMSIM_LINUX_COMPILER_H
#define __PKVMSIM_LINUX_COMPILER_H

#include "linux/sim_sched.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/* Guarded: src/env sees these after libc, which defines some of them. */
#ifndef __always_unused
#define __always_unused	__attribute__((__unused__))
#endif
#ifndef __maybe_unused
#define __maybe_unused	__attribute__((__unused__))
#endif
#ifndef __must_check
#define __must_check	__attribute__((__warn_unused_result__))
#endif
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif

#define READ_ONCE(x)							\
({									\
	sim_sched_point(SIM_POINT_READ_ONCE, (const void *)&(x));	\
	__atomic_load_n(&(x), __ATOMIC_RELAXED);			\
})

#define WRITE_ONCE(x, val)						\
do {									\
	sim_sched_point(SIM_POINT_WRITE_ONCE, (const void *)&(x));	\
	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED);		\
} while (0)

#endif /* __PKVMSIM_LINUX_COMPILER_H */
