// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock behind hyp_spinlock_t and the host's struct mutex.
 *
 * A test-and-set lock on C11 atomics, which ThreadSanitizer understands.
 * Every acquire and release is a scheduling point; a CPU that finds the lock
 * held reports SIM_POINT_LOCK_BLOCKED first, so a controlled scheduler can
 * run the holder instead of letting the waiter spin forever.
 */
#include <sched.h>

#include "sim_env.h"
#include "linux/sim_lock.h"
#include "linux/sim_sched.h"

void sim_lock_init(struct sim_lock *lock, const char *name)
{
	if (name && name[0] == '&')
		name++;
	lock->name = name;
	__atomic_store_n(&lock->owner, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

/* Keep the list of locks a CPU holds while a BUG trap is armed. */
static void trap_note(struct sim_lock *lock, bool taken)
{
	struct sim_bug_trap *trap = sim_bug_trap();
	unsigned int i;

	if (!trap)
		return;
	if (taken) {
		if (trap->nr_held < SIM_BUG_TRAP_LOCKS)
			trap->held[trap->nr_held++] = lock;
		return;
	}
	for (i = trap->nr_held; i-- > 0;) {
		if (trap->held[i] != lock)
			continue;
		trap->held[i] = trap->held[--trap->nr_held];
		break;
	}
}

void sim_lock_acquire_at(struct sim_lock *lock, const char *where)
{
	__sim_sched_point(SIM_POINT_LOCK_ACQUIRE, lock, where);

	/*
	 * Report every failed attempt: under a controlled scheduler the holder
	 * only runs when this CPU says it cannot make progress.
	 */
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)) {
		__sim_sched_point(SIM_POINT_LOCK_BLOCKED, lock, where);
		sched_yield();
	}

	__atomic_store_n(&lock->owner, sim_this_cpu(), __ATOMIC_RELAXED);
	trap_note(lock, true);
}

void sim_lock_release_at(struct sim_lock *lock, const char *where)
{
	trap_note(lock, false);
	__atomic_store_n(&lock->owner, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);

	__sim_sched_point(SIM_POINT_LOCK_RELEASE, lock, where);
}

bool sim_lock_held_by_this_cpu(const struct sim_lock *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == sim_this_cpu();
}
