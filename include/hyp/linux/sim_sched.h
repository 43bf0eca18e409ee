/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOM (no kernel counterpart): the scheduling points of the simulator.
 *
 * Every kernel-dialect primitive that can observe or change shared state
 * (locks, READ_ONCE/WRITE_ONCE, barriers, hypercall entry/exit, page-ledger
 * transitions) calls sim_sched_point().  src/env leaves the hook NULL; a
 * controlled scheduler installs one to serialise simulated CPUs and choose
 * who runs next.  This is how the scheduler hooks in without a change to
 * src/hyp.
 */
#ifndef __PKVMSIM_LINUX_SIM_SCHED_H
#define __PKVMSIM_LINUX_SIM_SCHED_H

enum sim_point {
	SIM_POINT_LOCK_ACQUIRE,
	SIM_POINT_LOCK_RELEASE,
	SIM_POINT_LOCK_BLOCKED,		/* lock is held: the scheduler must switch */
	SIM_POINT_READ_ONCE,
	SIM_POINT_WRITE_ONCE,
	SIM_POINT_LOAD_ACQUIRE,
	SIM_POINT_STORE_RELEASE,
	SIM_POINT_HVC_ENTRY,		/* addr: the u64 x1, an argument */
	SIM_POINT_HVC_EXIT,		/* addr: the u64 x1, the result */
	SIM_POINT_LEDGER,
	SIM_POINT_NR,
};

#define __SIM_STR(x)	#x
#define SIM_STR(x)	__SIM_STR(x)
/* Where a point is in the source, as "file:line", for traces. */
#define SIM_HERE	__FILE__ ":" SIM_STR(__LINE__)

extern void (*sim_sched_point_hook)(enum sim_point point, const void *addr,
				    const char *where);

static inline void __sim_sched_point(enum sim_point point, const void *addr,
				     const char *where)
{
	void (*hook)(enum sim_point, const void *, const char *) =
		__atomic_load_n(&sim_sched_point_hook, __ATOMIC_RELAXED);

	if (__builtin_expect(hook != 0, 0))
		hook(point, addr, where);
}

/* A macro, so that the point is where the primitive is used. */
#define sim_sched_point(point, addr)	\
	__sim_sched_point(point, addr, SIM_HERE)

#endif /* __PKVMSIM_LINUX_SIM_SCHED_H */
