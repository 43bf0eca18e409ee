// SPDX-License-Identifier: GPL-2.0-only
/*
 * <pkvmsim/inspect.h>, the machine's half: the VM table and the loaded
 * vCPUs as the hypervisor holds them, and references on a hyp VM held
 * across hypercalls.  Which host VM a LIVE slot belongs to is the host's
 * to say (src/host/raw.c): the machine gives the address of the struct
 * kvm the slot was built from.
 *
 * The machine may look at hyp state white-box (hyp_state.h) and run hyp
 * functions on a simulated CPU, as el2_enter() does for a hypercall.
 * Everything read from hyp memory is bounds-checked against the arena
 * first, as the oracle does: the hypervisor's own pointers are trusted no
 * further than that.
 *
 * Locking: the table is read under vm_table_lock, which is where the
 * hypervisor changes slots, vCPU pointers and references, so a snapshot is
 * consistent with itself.  The lock is taken as any hyp code takes it:
 * from a thread outside the controlled scheduler that is no scheduling
 * point (the hook ignores such threads) and only makes the caller wait
 * for a critical section in flight.  The reader is no simulated CPU, so it
 * holds the lock as CPU -1: hyp_assert_lock_held() on a CPU never mistakes
 * the reader's hold for its own.  No other lock is held with it but the
 * ledger's, which the hypervisor also takes under it, and refs_lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "sim_env.h"
#include "hyp_state.h"
#include "machine.h"
#include "oracle.h"
#include "linearize.h"

_Static_assert(PKVMSIM_NR_SLOTS == KVM_MAX_PVMS, "KVM_MAX_PVMS");
_Static_assert(PKVMSIM_HANDLE_OFFSET == SIM_HANDLE_OFFSET, "HANDLE_OFFSET");
_Static_assert(PKVMSIM_PAGE_SIZE == SIM_PAGE_SIZE, "page size");
_Static_assert(PKVMSIM_MAX_CPUS <= NR_CPUS, "per-CPU loaded vCPUs");

/* vCPU slots of one hyp VM worth scanning (a hostile count is capped). */
#define SCAN_VCPUS	256U

/*
 * sim->inspect.  Never held across a scheduling point (nor a hyp lock
 * taken), so a controlled scheduler never parks a CPU holding it.
 */
static pthread_mutex_t refs_lock = PTHREAD_MUTEX_INITIALIZER;

static bool sim_ok(const struct pkvmsim *sim)
{
	return sim && sim == machine_live();
}

/* Whether [@p, @p + @size) is hyp memory, aligned for a pointer. */
static bool hyp_ok(const void *p, size_t size)
{
	uintptr_t base = (uintptr_t)sim_arena_hyp_base();
	uintptr_t va = (uintptr_t)p;
	uint64_t bytes = (uint64_t)sim_arena_nr_pages() * SIM_PAGE_SIZE;

	return base && va >= base && !(va & 7) && size <= bytes &&
	       va - base <= bytes - size;
}

static uint64_t hyp_phys(const void *p)
{
	return SIM_PHYS_BASE + ((uintptr_t)p - (uintptr_t)sim_arena_hyp_base());
}

static enum pkvmsim_slot_state state_of(const struct pkvm_hyp_vm *vm)
{
	if (!vm)
		return PKVMSIM_SLOT_FREE;
	if ((const void *)vm == SIM_RESERVED_ENTRY)
		return PKVMSIM_SLOT_RESERVED;
	return PKVMSIM_SLOT_LIVE;
}

static unsigned int nr_vcpus_of(const struct pkvm_hyp_vm *vm)
{
	unsigned int nr = (unsigned int)vm->kvm.created_vcpus;

	return nr < SCAN_VCPUS ? nr : SCAN_VCPUS;
}

/* vm->vcpus[@idx] if it is readable, else NULL. */
static struct pkvm_hyp_vcpu *vcpu_at(const struct pkvm_hyp_vm *vm,
				     unsigned int idx)
{
	struct pkvm_hyp_vcpu *hv;

	if (!hyp_ok(&vm->vcpus[idx], sizeof(vm->vcpus[idx])))
		return NULL;
	hv = __atomic_load_n(&vm->vcpus[idx], __ATOMIC_ACQUIRE);
	return hv && hyp_ok(hv, sizeof(*hv)) ? hv : NULL;
}

/*
 * Fill @out for slot @idx holding @vm, with vm_table_lock held.  @kvm gets
 * the host struct kvm a LIVE VM was built from (hyp VA), to resolve later.
 */
static void read_slot(struct pkvmsim *sim, unsigned int idx,
		      const struct pkvm_hyp_vm *vm, struct pkvmsim_slot *out,
		      const void **kvm)
{
	struct sim_page_info info;
	unsigned int j;

	memset(out, 0, sizeof(*out));
	*kvm = NULL;
	out->state = state_of(vm);
	out->handle = SIM_HANDLE_OFFSET + idx;
	if (out->state != PKVMSIM_SLOT_LIVE || !hyp_ok(vm, sizeof(*vm)))
		return;

	out->vmid = (unsigned int)vm->kvm.arch.mmu.vmid.id;
	out->nr_vcpus = (unsigned int)vm->kvm.created_vcpus;
	out->is_protected = vm->kvm.arch.pkvm.is_protected;
	for (j = 0; j < nr_vcpus_of(vm); j++) {
		if (!vcpu_at(vm, j))
			continue;
		out->nr_hyp_vcpus++;
		if (j < 64)
			out->hyp_vcpus |= 1ULL << j;
	}
	if (!sim_ledger_page(hyp_phys(vm), &info))
		out->refs = info.refcount;
	out->held = sim->inspect.held[idx];
	*kvm = vm->host_kvm;
}

/* Take vm_table_lock as an observer, not as the caller's CPU. */
static int table_lock(void)
{
	int prev_cpu = sim_this_cpu();

	sim_set_this_cpu(-1);
	hyp_spin_lock(&vm_table_lock);
	return prev_cpu;
}

static void table_unlock(int prev_cpu)
{
	hyp_spin_unlock(&vm_table_lock);
	sim_set_this_cpu(prev_cpu);
}

/* The host address of the struct kvm at hyp VA @hyp_kvm, or NULL. */
static const void *host_kvm_of(const void *hyp_kvm)
{
	if (!hyp_kvm || !hyp_ok(hyp_kvm, 1))
		return NULL;
	return sim_host_va(hyp_phys(hyp_kvm));
}

/* The LIVE VM's vCPU @hv is, as a handle and index; false if none. */
static bool find_vcpu(struct pkvm_hyp_vm **tbl,
		      const struct pkvm_hyp_vcpu *hv, struct pkvmsim_loaded *l)
{
	unsigned int i, j;

	for (i = 0; i < KVM_MAX_PVMS; i++) {
		struct pkvm_hyp_vm *vm = __atomic_load_n(&tbl[i],
							 __ATOMIC_RELAXED);

		if (state_of(vm) != PKVMSIM_SLOT_LIVE ||
		    !hyp_ok(vm, sizeof(*vm)))
			continue;
		for (j = 0; j < nr_vcpus_of(vm); j++) {
			if (vcpu_at(vm, j) != hv)
				continue;
			l->handle = SIM_HANDLE_OFFSET + i;
			l->vcpu_idx = (int)j;
			return true;
		}
	}
	return false;
}

int machine_table_read(struct pkvmsim *sim, struct pkvmsim_table *out,
		       const void **kvm)
{
	const void *kvms[KVM_MAX_PVMS];
	struct pkvm_hyp_vm **tbl;
	unsigned int i, cpu;
	int prev_cpu;

	if (!sim_ok(sim) || !out || !kvm)
		return -EINVAL;

	memset(out, 0, sizeof(*out));
	memset(kvm, 0, KVM_MAX_PVMS * sizeof(*kvm));
	out->nr_cpus = sim->cfg.nr_cpus;
	for (cpu = 0; cpu < PKVMSIM_MAX_CPUS; cpu++)
		out->loaded[cpu].vcpu_idx = -1;
	for (i = 0; i < KVM_MAX_PVMS; i++)
		out->slots[i].handle = SIM_HANDLE_OFFSET + i;

	prev_cpu = sim->stopped ? sim_this_cpu() : table_lock();
	pthread_mutex_lock(&refs_lock);
	tbl = __atomic_load_n(&vm_table, __ATOMIC_ACQUIRE);
	out->has_table = tbl != NULL;
	for (i = 0; tbl && i < KVM_MAX_PVMS; i++) {
		read_slot(sim, i, __atomic_load_n(&tbl[i], __ATOMIC_RELAXED),
			  &out->slots[i], &kvms[i]);
		switch (out->slots[i].state) {
		case PKVMSIM_SLOT_FREE:
			out->nr_free++;
			break;
		case PKVMSIM_SLOT_RESERVED:
			out->nr_reserved++;
			break;
		case PKVMSIM_SLOT_LIVE:
			out->nr_live++;
			break;
		}
	}
	pthread_mutex_unlock(&refs_lock);
	for (cpu = 0; cpu < out->nr_cpus; cpu++) {
		struct pkvm_hyp_vcpu *hv =
			__atomic_load_n(&loaded_hyp_vcpu[cpu],
					__ATOMIC_RELAXED);

		if (!hv)
			continue;
		out->loaded[cpu].loaded = true;
		if (!tbl || !find_vcpu(tbl, hv, &out->loaded[cpu])) {
			out->loaded[cpu].handle = 0;
			out->loaded[cpu].vcpu_idx = -1;
		}
	}
	if (!sim->stopped)
		table_unlock(prev_cpu);

	/* Host addresses after the hyp lock: nothing else is held with it. */
	for (i = 0; tbl && i < KVM_MAX_PVMS; i++)
		kvm[i] = host_kvm_of(kvms[i]);
	return 0;
}

int machine_slot_read(struct pkvmsim *sim, unsigned int handle,
		      struct pkvmsim_slot *out, const void **kvm)
{
	unsigned int idx = handle - SIM_HANDLE_OFFSET;
	struct pkvm_hyp_vm **tbl;
	const void *hyp_kvm = NULL;
	int prev_cpu, ret = 0;

	if (!sim_ok(sim) || !out || !kvm)
		return -EINVAL;

	prev_cpu = sim->stopped ? sim_this_cpu() : table_lock();
	pthread_mutex_lock(&refs_lock);
	tbl = __atomic_load_n(&vm_table, __ATOMIC_ACQUIRE);
	if (!tbl || idx >= KVM_MAX_PVMS)
		ret = -ENOENT;
	else
		read_slot(sim, idx, __atomic_load_n(&tbl[idx],
						    __ATOMIC_RELAXED),
			  out, &hyp_kvm);
	pthread_mutex_unlock(&refs_lock);
	if (!sim->stopped)
		table_unlock(prev_cpu);

	*kvm = ret ? NULL : host_kvm_of(hyp_kvm);
	return ret;
}

/*
 * Run on @cpu's hypervisor as el2_enter() does: one thread per CPU at a
 * time, the ledger's records naming @what as the operation in flight.
 */
static int el2_claim(struct pkvmsim *sim, unsigned int cpu, const char *what,
		     int *prev_cpu)
{
	/* A dead machine runs no hyp code (el2_enter() refuses it too). */
	if (machine_dead(sim))
		return -EFAULT;
	if (__atomic_exchange_n(&sim->cpu_busy[cpu], 1, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	*prev_cpu = sim_this_cpu();
	sim_set_this_cpu((int)cpu);
	sim_set_this_hcall(what);
	return 0;
}

static void el2_release(struct pkvmsim *sim, unsigned int cpu, int prev_cpu)
{
	sim_set_this_hcall(NULL);
	sim_set_this_cpu(prev_cpu);
	__atomic_store_n(&sim->cpu_busy[cpu], 0, __ATOMIC_RELEASE);
}

static int hyp_vm_get(struct pkvmsim *sim, unsigned int cpu,
		      unsigned int handle, bool np)
{
	unsigned int idx = handle - SIM_HANDLE_OFFSET;
	struct pkvm_hyp_vm *vm;
	int prev_cpu, ret, slot;

	if (!sim_ok(sim) || cpu >= sim->cfg.nr_cpus)
		return -EINVAL;
	/*
	 * get_vm_by_handle() has no NULL-table check: a hypervisor that never
	 * initialised pKVM would crash on an in-range handle.
	 */
	if (!__atomic_load_n(&vm_table, __ATOMIC_ACQUIRE) ||
	    idx >= KVM_MAX_PVMS)
		return -ENOENT;

	pthread_mutex_lock(&refs_lock);
	ret = sim->inspect.held[idx] >= PKVMSIM_MAX_HELD_REFS ? -ENOSPC : 0;
	pthread_mutex_unlock(&refs_lock);
	if (ret)
		return ret;

	ret = el2_claim(sim, cpu, np ? "get_np_pkvm_hyp_vm" :
				       "get_pkvm_hyp_vm", &prev_cpu);
	if (ret)
		return ret;
	oracle_hyp_ref_enter(sim->oracle);
	slot = history_ref_call(sim, cpu, np ? LIN_VM_GET_NP : LIN_VM_GET,
				handle);
	vm = np ? get_np_pkvm_hyp_vm(handle) : get_pkvm_hyp_vm(handle);
	history_ref_return(sim, slot, vm ? 0 : -ENOENT);
	if (vm) {
		pthread_mutex_lock(&refs_lock);
		sim->inspect.held[idx]++;
		sim->inspect.vm[idx] = vm;
		pthread_mutex_unlock(&refs_lock);
	}
	oracle_hyp_ref_exit(sim->oracle, handle, vm ? 1 : 0);
	el2_release(sim, cpu, prev_cpu);
	return vm ? 0 : -ENOENT;
}

int pkvmsim_hyp_vm_get(struct pkvmsim *sim, unsigned int cpu,
		       unsigned int handle)
{
	return hyp_vm_get(sim, cpu, handle, false);
}

int pkvmsim_hyp_vm_get_np(struct pkvmsim *sim, unsigned int cpu,
			  unsigned int handle)
{
	return hyp_vm_get(sim, cpu, handle, true);
}

int pkvmsim_hyp_vm_put(struct pkvmsim *sim, unsigned int cpu,
		       unsigned int handle)
{
	unsigned int idx = handle - SIM_HANDLE_OFFSET;
	struct pkvm_hyp_vm *vm = NULL;
	int prev_cpu, ret;

	if (!sim_ok(sim) || cpu >= sim->cfg.nr_cpus || idx >= KVM_MAX_PVMS)
		return -EINVAL;

	ret = el2_claim(sim, cpu, "put_pkvm_hyp_vm", &prev_cpu);
	if (ret)
		return ret;

	/* The reference is ours until the put: the VM stays in its slot. */
	pthread_mutex_lock(&refs_lock);
	if (sim->inspect.held[idx]) {
		sim->inspect.held[idx]--;
		vm = sim->inspect.vm[idx];
	}
	pthread_mutex_unlock(&refs_lock);

	if (vm) {
		oracle_hyp_ref_enter(sim->oracle);
		ret = history_ref_call(sim, cpu, LIN_VM_PUT, handle);
		put_pkvm_hyp_vm(vm);
		history_ref_return(sim, ret, 0);
		oracle_hyp_ref_exit(sim->oracle, handle, -1);
	}
	el2_release(sim, cpu, prev_cpu);
	return vm ? 0 : -EINVAL;
}

void inspect_fini(struct pkvmsim *sim)
{
	unsigned int i;

	pthread_mutex_lock(&refs_lock);
	/* A dead machine's references are no finding: they just go. */
	for (i = 0; !machine_dead(sim) && i < KVM_MAX_PVMS; i++) {
		if (!sim->inspect.held[i])
			continue;
		oracle_report(sim->oracle, 8, 0, SIM_HANDLE_OFFSET + i, -1,
			      "pkvmsim_destroy", "%u reference%s taken with "
			      "pkvmsim_hyp_vm_get() still held on 0x%x: its "
			      "teardown must fail with -EBUSY and the slot "
			      "leak", sim->inspect.held[i],
			      sim->inspect.held[i] == 1 ? "" : "s",
			      SIM_HANDLE_OFFSET + i);
	}
	memset(&sim->inspect, 0, sizeof(sim->inspect));
	pthread_mutex_unlock(&refs_lock);
}

int pkvmsim_tlb_flushes(struct pkvmsim *sim, unsigned int vmid,
			uint64_t *count)
{
	if (!sim_ok(sim) || !count || vmid >= SIM_TLB_VMIDS)
		return -EINVAL;
	*count = sim_tlb_flush_count_vmid(vmid);
	return 0;
}

void machine_mark_stopped(struct pkvmsim *sim)
{
	if (sim_ok(sim))
		sim->stopped = true;
}

unsigned long machine_violations_peek(struct pkvmsim *sim)
{
	if (!sim_ok(sim))
		return 0;
	return oracle_count_peek(sim->oracle) +
	       sim_ledger_count(SIM_LEDGER_VIOLATION);
}

int machine_table_peek(struct pkvmsim *sim, struct pkvmsim_table *out,
		       const void **kvm)
{
	bool stopped;
	int ret;

	if (!sim_ok(sim))
		return -EINVAL;
	/* Read as a stopped run is read: the CPU here may hold the lock. */
	stopped = sim->stopped;
	sim->stopped = true;
	ret = machine_table_read(sim, out, kvm);
	sim->stopped = stopped;
	return ret;
}
