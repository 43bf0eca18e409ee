/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES arch/arm64/kvm/hyp/include/nvhe/spinlock.h.
 *
 * Same API as the hypervisor's ticket lock; backed by struct sim_lock.
 * hyp_assert_lock_held() is always on here (upstream only with
 * CONFIG_NVHE_EL2_DEBUG) and checks that *this* CPU holds the lock, not
 * merely that someone does.
 */
#ifndef __PKVMSIM_NVHE_SPINLOCK_H
#define __PKVMSIM_NVHE_SPINLOCK_H

#include "linux/sim_lock.h"
#include "asm/bug.h"

typedef struct hyp_spinlock {
	struct sim_lock	lock;
} hyp_spinlock_t;

#define __HYP_SPIN_LOCK_UNLOCKED(x)	{ .lock = SIM_LOCK_INIT(#x) }
#define DEFINE_HYP_SPINLOCK(x)		\
	hyp_spinlock_t x = __HYP_SPIN_LOCK_UNLOCKED(x)

/* A macro, as upstream's, so that the lock keeps the name it is given. */
#define hyp_spin_lock_init(l)		sim_lock_init(&(l)->lock, #l)

/* Macros, unlike upstream's functions, so a trace shows the caller. */
#define hyp_spin_lock(l)		sim_lock_acquire(&(l)->lock)
#define hyp_spin_unlock(l)		sim_lock_release(&(l)->lock)

static inline bool hyp_spin_is_locked_by_me(hyp_spinlock_t *lock)
{
	return sim_lock_held_by_this_cpu(&lock->lock);
}

#define hyp_assert_lock_held(lock)	BUG_ON(!hyp_spin_is_locked_by_me(lock))

#endif /* __PKVMSIM_NVHE_SPINLOCK_H */
