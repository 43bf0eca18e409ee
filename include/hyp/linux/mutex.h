/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <linux/mutex.h>: a host mutex is a struct sim_lock, so the
 * controlled scheduler sees host locks as it sees hyp locks.  The hyp code
 * only needs the type (it is embedded in struct kvm_arch).
 */
#ifndef __PKVMSIM_LINUX_MUTEX_H
#define __PKVMSIM_LINUX_MUTEX_H

#include "linux/sim_lock.h"

struct mutex {
	struct sim_lock	lock;
};

#define mutex_init(m)			sim_lock_init(&(m)->lock, #m)
#define mutex_lock(m)			sim_lock_acquire(&(m)->lock)
#define mutex_unlock(m)			sim_lock_release(&(m)->lock)
#define lockdep_assert_held(m)		\
	BUG_ON(!sim_lock_held_by_this_cpu(&(m)->lock))

#endif /* __PKVMSIM_LINUX_MUTEX_H */
