/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOM (no kernel counterpart): the one lock primitive behind both the
 * hypervisor's hyp_spinlock_t and the host's struct mutex.  It is backed by
 * src/env and remembers which simulated CPU holds it, so that
 * hyp_assert_lock_held() can check the caller (upstream cannot) and a
 * controlled scheduler can see who waits on whom.
 */
#ifndef __PKVMSIM_LINUX_SIM_LOCK_H
#define __PKVMSIM_LINUX_SIM_LOCK_H

#include "linux/types.h"
#include "linux/sim_sched.h"

struct sim_lock {
	unsigned int	locked;
	int		owner;		/* simulated CPU holding it, or -1 */
	/* What the code calls it, for a deadlock's report. */
	const char	*name;
};

#define SIM_LOCK_INIT(n)	{ .locked = 0, .owner = -1, .name = (n) }

/* @name: as the code spells the lock; a leading '&' is dropped. */
void sim_lock_init(struct sim_lock *lock, const char *name);
void sim_lock_acquire_at(struct sim_lock *lock, const char *where);
void sim_lock_release_at(struct sim_lock *lock, const char *where);
/* Macros, so that a trace shows where the lock is taken. */
#define sim_lock_acquire(lock)	sim_lock_acquire_at(lock, SIM_HERE)
#define sim_lock_release(lock)	sim_lock_release_at(lock, SIM_HERE)
bool sim_lock_held_by_this_cpu(const struct sim_lock *lock);

#endif /* __PKVMSIM_LINUX_SIM_LOCK_H */
