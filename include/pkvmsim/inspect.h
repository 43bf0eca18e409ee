/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Introspection: see and name what the hypervisor holds.
 *
 * For tests outside libpkvmsim that check the hypervisor's state or attack
 * it with hypercalls the host model would never make:
 *
 * - a snapshot of the VM table (each slot's state, handle, VMID and
 *   reference count, and the host VM a LIVE slot belongs to) and of the
 *   vCPU each simulated CPU has loaded;
 * - references on a hyp VM held across hypercalls, as a hypercall in
 *   flight on another CPU holds one (get_pkvm_hyp_vm()/put_pkvm_hyp_vm());
 * - the host addresses that name a VM's own struct kvm and struct
 *   kvm_vcpu in a raw hypercall (pkvmsim_hvc()), and the sizes of the
 *   areas the hypervisor takes;
 * - host pages from the simulator's arena, to donate in a raw hypercall or
 *   to share with the hypervisor.
 *
 * Every function returns 0 or a negative errno.  A bad argument (NULL, a
 * simulator that is not the live one, a CPU out of range, a VM that was
 * destroyed) is -EINVAL, never a crash.  None of them may run concurrently
 * with pkvmsim_destroy().
 */
#ifndef PKVMSIM_INSPECT_H
#define PKVMSIM_INSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include <pkvmsim/pkvmsim.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Slots in the hypervisor's VM table (KVM_MAX_PVMS). */
#define PKVMSIM_NR_SLOTS	255
/* Handle of slot 0; a slot's handle is its index plus this (SPEC 1). */
#define PKVMSIM_HANDLE_OFFSET	0x1000U
/* Size of a page of the simulator's arena. */
#define PKVMSIM_PAGE_SIZE	4096UL
/* References pkvmsim_hyp_vm_get() holds at most on one hyp VM. */
#define PKVMSIM_MAX_HELD_REFS	1024U

/** enum pkvmsim_slot_state - a VM-table slot (SPEC 2). */
enum pkvmsim_slot_state {
	PKVMSIM_SLOT_FREE,
	PKVMSIM_SLOT_RESERVED,
	PKVMSIM_SLOT_LIVE,
};

/**
 * struct pkvmsim_slot - one slot of the hypervisor's VM table.
 * @state:		FREE, RESERVED or LIVE.
 * @handle:		the handle that names this slot (its index plus
 *			PKVMSIM_HANDLE_OFFSET), whatever its state.
 * @vmid:		LIVE: the hyp VM's VMID (index + 1 if the hyp is
 *			right); 0 otherwise.
 * @refs:		LIVE: references on the hyp VM, the reference count of
 *			the page that holds it (loaded vCPUs, gets in flight,
 *			and @held); 0 otherwise.
 * @held:		of @refs, those held through pkvmsim_hyp_vm_get().
 * @nr_vcpus:		LIVE: the vCPU count the hyp VM was created with.
 * @nr_hyp_vcpus:	LIVE: of those, the hyp vCPUs initialised so far.
 * @hyp_vcpus:		LIVE: bit i set if hyp vCPU i is initialised (the
 *			first 64 only).
 * @is_protected:	LIVE: a protected VM (pkvmsim_vm_create_type()).
 * @vm:			LIVE: pkvmsim_vm_id() of the host VM whose struct
 *			kvm the hyp VM was built from, 0 if no live host VM
 *			has it (e.g. after a raw init_vm with a struct kvm
 *			of the caller's own).
 */
struct pkvmsim_slot {
	enum pkvmsim_slot_state	state;
	unsigned int		handle;
	unsigned int		vmid;
	unsigned int		refs;
	unsigned int		held;
	unsigned int		nr_vcpus;
	unsigned int		nr_hyp_vcpus;
	uint64_t		hyp_vcpus;
	bool			is_protected;
	unsigned long		vm;
};

/**
 * struct pkvmsim_loaded - the hyp vCPU one simulated CPU has loaded.
 * @loaded:	the CPU has a hyp vCPU loaded (pkvm_get_loaded_hyp_vcpu()).
 * @handle:	its VM's handle; 0 if none is loaded, or if the loaded vCPU
 *		belongs to no LIVE slot (which the oracle reports).
 * @vcpu_idx:	its index in that VM; -1 if @handle is 0.
 */
struct pkvmsim_loaded {
	bool		loaded;
	unsigned int	handle;
	int		vcpu_idx;
};

/**
 * struct pkvmsim_table - the hypervisor's VM table and loaded vCPUs.
 * @has_table:		pKVM initialised its table (protected mode only).
 *			Without one every slot reads FREE and the counts
 *			are 0.
 * @nr_free:		FREE slots.
 * @nr_reserved:	RESERVED slots.
 * @nr_live:		LIVE slots.
 * @slots:		slot i has handle PKVMSIM_HANDLE_OFFSET + i.
 * @nr_cpus:		simulated CPUs; @loaded has this many entries.
 * @loaded:		per CPU, the hyp vCPU it has loaded.
 */
struct pkvmsim_table {
	bool			has_table;
	unsigned int		nr_free;
	unsigned int		nr_reserved;
	unsigned int		nr_live;
	struct pkvmsim_slot	slots[PKVMSIM_NR_SLOTS];
	unsigned int		nr_cpus;
	struct pkvmsim_loaded	loaded[PKVMSIM_MAX_CPUS];
};

/**
 * pkvmsim_table_snapshot() - Read the VM table and the loaded vCPUs.
 * @sim:	the simulator.
 * @out:	where to store the snapshot.
 *
 * The slots and reference counts are read in one critical section of
 * vm_table_lock, as the hypervisor's own code reads them, so they are
 * consistent with each other.  Safe from any thread at any time, also
 * while other threads make hypercalls; it then sees the state between
 * two of their critical sections.  A CPU's loaded vCPU is published just
 * after pkvm_load_hyp_vcpu() drops the lock, so while a __pkvm_vcpu_load
 * is in flight @out->loaded may lag its reference by that one step.
 * Taking the lock is a scheduling point for a CPU body run by the
 * controlled scheduler, and none for any other thread.
 *
 * Return: 0, or -EINVAL for bad arguments.
 */
int pkvmsim_table_snapshot(struct pkvmsim *sim, struct pkvmsim_table *out);

/**
 * pkvmsim_slot() - Read one slot of the VM table, as pkvmsim_table_snapshot().
 * @sim:	the simulator.
 * @handle:	any value; only PKVMSIM_HANDLE_OFFSET..+PKVMSIM_NR_SLOTS-1
 *		name a slot.
 * @out:	where to store the slot.
 *
 * Return: 0; -ENOENT if @handle names no slot or there is no table (not
 * protected mode); -EINVAL for bad arguments.
 */
int pkvmsim_slot(struct pkvmsim *sim, unsigned int handle,
		 struct pkvmsim_slot *out);

/**
 * pkvmsim_hyp_vm_get() - Take a reference on a hyp VM, as a handler does
 * with get_pkvm_hyp_vm(), and keep it across hypercalls.
 * @sim:	the simulator.
 * @cpu:	the simulated CPU whose hypervisor takes it; claimed for the
 *		call as a hypercall claims it.
 * @handle:	the VM's handle, any value.
 *
 * Holds @handle's hyp VM as a hypercall in flight would: __pkvm_teardown_vm
 * answers -EBUSY until pkvmsim_hyp_vm_put().  The oracle is told, so it
 * counts the reference as legitimate (invariant 8).
 *
 * A reference still held at pkvmsim_destroy() is left in place: the VM's
 * teardown then fails with -EBUSY as the real hypervisor's would, its slot
 * and pages leak, the held reference is reported as a violation (naming
 * the handle), and pkvmsim_destroy() returns -EUCLEAN.
 *
 * Return: 0; -ENOENT if get_pkvm_hyp_vm() found no LIVE VM (a FREE,
 * RESERVED or out-of-range handle, or no table); -ENOSPC if
 * PKVMSIM_MAX_HELD_REFS are held on it already; -EAGAIN if another thread
 * is using @cpu; -EFAULT once the hypervisor has died of a BUG (see
 * pkvmsim_hvc()); -EINVAL for bad arguments.
 */
int pkvmsim_hyp_vm_get(struct pkvmsim *sim, unsigned int cpu,
		       unsigned int handle);

/**
 * pkvmsim_hyp_vm_get_np() - pkvmsim_hyp_vm_get() with get_np_pkvm_hyp_vm(),
 * which refuses protected VMs (and keeps no reference on them).
 *
 * Return: as pkvmsim_hyp_vm_get(); -ENOENT for a protected VM too.
 */
int pkvmsim_hyp_vm_get_np(struct pkvmsim *sim, unsigned int cpu,
			  unsigned int handle);

/**
 * pkvmsim_hyp_vm_put() - Drop one reference pkvmsim_hyp_vm_get() took on
 * @handle, with put_pkvm_hyp_vm() on @cpu (any CPU, not necessarily the
 * one that took it).
 *
 * Return: 0; -EINVAL if this API holds no reference on @handle, or for bad
 * arguments; -EAGAIN if another thread is using @cpu; -EFAULT once the
 * hypervisor has died of a BUG.
 */
int pkvmsim_hyp_vm_put(struct pkvmsim *sim, unsigned int cpu,
		       unsigned int handle);

/**
 * pkvmsim_tlb_flushes() - How many times the hypervisor has flushed the
 * TLB of @vmid since the machine booted (a VM's VMID is its slot's index
 * plus one; 0 is the host's).
 *
 * A scenario reads it to see that a VMID was flushed before it was given
 * to another VM (SPEC 9: teardown flushes before it frees the slot).
 *
 * Return: 0 with *@count set; -EINVAL for a @vmid past 255 or bad
 * arguments.
 */
int pkvmsim_tlb_flushes(struct pkvmsim *sim, unsigned int vmid,
			uint64_t *count);

/**
 * struct pkvmsim_vm_args - what a raw hypercall passes to name a host VM's
 * own structures, and the areas the hypervisor takes.
 * @kvm:		host address of the VM's struct kvm: x1 of
 *			__pkvm_init_vm.  Shared with the hypervisor since
 *			VM creation (in pKVM mode).
 * @nr_vcpus:		vCPUs created so far (created_vcpus), what init_vm
 *			reads.
 * @vcpu:		host address of each vCPU's struct kvm_vcpu: x2 of
 *			__pkvm_init_vcpu; 0 past @nr_vcpus.
 * @vm_area_size:	bytes init_vm takes at x2 for a VM of @nr_vcpus
 *			vCPUs (a multiple of PKVMSIM_PAGE_SIZE).
 * @pgd_size:		bytes init_vm takes at x3 for the stage-2 PGD.
 * @vcpu_area_size:	bytes init_vcpu takes at x3 (the whole pages
 *			holding them).
 */
struct pkvmsim_vm_args {
	uint64_t	kvm;
	unsigned int	nr_vcpus;
	uint64_t	vcpu[PKVMSIM_MAX_VCPUS];
	unsigned long	vm_area_size;
	unsigned long	pgd_size;
	unsigned long	vcpu_area_size;
};

/**
 * pkvmsim_vm_hyp_args() - The arguments that name @vm in a raw hypercall.
 * @vm:		a live VM.
 * @out:	where to store them.
 *
 * E.g. a __pkvm_init_vm the host did not send: x1 = @out->kvm, x2 and x3
 * pages from pkvmsim_host_pages_alloc() of @out->vm_area_size and
 * @out->pgd_size bytes.  It succeeds only while @vm's handle is RESERVED;
 * the slot then goes LIVE behind the host's back (the host still believes
 * it only reserved, and the oracle's next whole-state check, after any
 * host operation, reports that as invariant 1).  To end clean, send the
 * raw __pkvm_teardown_vm(handle) before any other host operation on the
 * sim; the hypervisor hands the areas back through @vm's teardown
 * memcaches, which pkvmsim_vm_destroy() frees: do not free them yourself.
 * Not concurrently with pkvmsim_vm_destroy() or pkvmsim_vcpu_create() on
 * @vm.
 *
 * Return: 0, or -EINVAL if @vm is NULL or not a live VM, or @out is NULL.
 */
int pkvmsim_vm_hyp_args(const struct pkvmsim_vm *vm,
			struct pkvmsim_vm_args *out);

/**
 * pkvmsim_host_pages_alloc() - Allocate @nr zeroed host pages from the
 * simulator's arena, host-owned, for a raw hypercall to donate or share.
 * @sim:	the simulator.
 * @nr:		pages, physically contiguous.
 * @hva:	where to store the host address of the first.
 *
 * They must be given back with pkvmsim_host_pages_free() before
 * pkvmsim_destroy(), which otherwise reports them as leaked.
 *
 * Return: 0; -ENOMEM if the arena has no @nr free pages in a row;
 * -EINVAL for bad arguments (@nr == 0 included).
 */
int pkvmsim_host_pages_alloc(struct pkvmsim *sim, unsigned long nr,
			     uint64_t *hva);

/**
 * pkvmsim_host_pages_free() - Give back pages pkvmsim_host_pages_alloc()
 * returned: @hva and @nr exactly as allocated.
 * @sim:	the simulator.
 * @hva:	the address pkvmsim_host_pages_alloc() stored.
 * @nr:		the count it was given.
 *
 * Every page must be home: host-owned, not shared, not pinned, not
 * donated.  The pages are checked before anything is freed, so a refused
 * free changes nothing and records no ledger violation (unless another
 * thread changes the pages in between).
 *
 * Return: 0; -EBUSY if a page is shared with, pinned by or donated to the
 * hypervisor; -EINVAL if [@hva, @nr) is not one allocation of this API
 * still outstanding (already freed, pages the host model or the boot
 * allocated, a partial range), or for bad arguments.
 */
int pkvmsim_host_pages_free(struct pkvmsim *sim, uint64_t hva,
			    unsigned long nr);

/**
 * pkvmsim_host_page_share() - __pkvm_host_share_hyp of the page at @hva,
 * from @cpu through the installed transport (the oracle, a trace or a
 * fault injector see it as a raw call, like pkvmsim_hvc()).
 * @sim:	the simulator.
 * @cpu:	the calling CPU.
 * @hva:	a page-aligned host address of an allocated arena page
 *		(pkvmsim_host_pages_alloc(), or one the host model holds).
 *
 * Outside pKVM mode the call is made all the same: in VHE mode it is a
 * host panic, recorded as a violation (-EFAULT), as for pkvmsim_hvc().
 *
 * Return: the hypervisor's answer, 0 or its negative errno (e.g. -EPERM
 * for a page already shared); -EOPNOTSUPP if the call was refused
 * (x0 != SMCCC_RET_SUCCESS); -EPROTO for an answer that is no errno;
 * -EAGAIN if another thread is using @cpu (pkvmsim_hvc()'s -EBUSY, so
 * that -EBUSY is always the hypervisor's); -EFAULT or a user transport's
 * error as pkvmsim_hvc(); -EINVAL for bad arguments.
 */
int pkvmsim_host_page_share(struct pkvmsim *sim, unsigned int cpu,
			    uint64_t hva);

/**
 * pkvmsim_host_page_unshare() - __pkvm_host_unshare_hyp of the page at
 * @hva, as pkvmsim_host_page_share().
 *
 * Return: as pkvmsim_host_page_share() (e.g. -EBUSY while the hypervisor
 * pins the page, -EPERM for a page not shared).
 */
int pkvmsim_host_page_unshare(struct pkvmsim *sim, unsigned int cpu,
			      uint64_t hva);

/**
 * pkvmsim_reset() - Bring the live simulator back to a fresh boot, cheaply.
 * @sim:	the live simulator.
 * @cfg:	the configuration to boot again with (mode, profile, CPUs,
 *		transport...); its @arena_pages must be the current arena's.
 *		NULL keeps the current configuration and installed transport.
 *
 * What pkvmsim_destroy() then pkvmsim_create() would leave, without their
 * cost: every host VM, every page pkvmsim_host_pages_alloc() handed out,
 * every reference held, every reservation, violation and record is
 * forgotten (no host or hypervisor code runs, nothing is torn down), and
 * the machine boots again.  The arena stays mapped and the cost is in
 * proportion to the pages changed since the last boot, not to the arena,
 * so a fuzzer can start every input from the same state.  A struct
 * pkvmsim_vm * from before the reset is stale: do not use it.  No call may
 * be in flight, nor run concurrently.
 *
 * Return: 0 if the machine was clean before the reset, as pkvmsim_destroy()
 * would have found it with no VM left to destroy: no violation recorded,
 * every page back with the host, the VM table empty, no reference held;
 * -EUCLEAN if not (it is reset all the same); -EINVAL for a @sim that is
 * not live or a @cfg that does not fit, and -EBUSY while a thread uses one
 * of its CPUs (nothing is reset).
 */
int pkvmsim_reset(struct pkvmsim *sim, const struct pkvmsim_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* PKVMSIM_INSPECT_H */
