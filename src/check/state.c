// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's whole state, read with no hypercall in flight: each
 * LIVE slot's VM (invariant 1), the references on it (8), the loaded
 * vCPUs (12), and each host VM's handle against its slot (1), judged only
 * once the table has been seen to agree with the ghost (the third rule in
 * oracle.c).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "oracle_internal.h"

/* A LIVE slot's hyp VM must carry the slot's handle and VMID (inv. 1). */
void oracle_check_live_slot(struct oracle *o, int cpu, unsigned long vm_id,
			    const char *op, unsigned int idx,
			    struct pkvm_hyp_vm *vm)
{
	unsigned int handle = SIM_HANDLE_OFFSET + idx;

	if (!hyp_ok(vm, sizeof(*vm))) {
		report(o, 1, vm_id, handle, cpu, op,
		       "slot 0x%x points outside hyp memory", handle);
		return;
	}
	if (vm->kvm.arch.pkvm.handle != handle)
		report(o, 1, vm_id, handle, cpu, op,
		       "slot 0x%x holds a VM with handle 0x%x", handle,
		       vm->kvm.arch.pkvm.handle);
	if (vm->kvm.arch.mmu.vmid.id != idx + 1)
		report(o, 1, vm_id, handle, cpu, op,
		       "slot 0x%x holds a VM with VMID %" PRIu64
		       ", not %u", handle, (uint64_t)vm->kvm.arch.mmu.vmid.id,
		       idx + 1);
}

/* --- the whole state, with nothing in flight --- */

/* container_of(), without trusting the vCPU's pointer further. */
static const struct pkvm_hyp_vm *hyp_vm_of(const struct pkvm_hyp_vcpu *hv)
{
	return (const struct pkvm_hyp_vm *)((const char *)hv->vcpu.kvm -
		__builtin_offsetof(struct pkvm_hyp_vm, kvm));
}

static bool is_live_vm(struct pkvm_hyp_vm *const *now,
		       const struct pkvm_hyp_vm *vm)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (now[i] == vm && kind_of(vm) == ORA_LIVE)
			return true;
	return false;
}

/* Whether @hv's back-pointer names a per-CPU slot that holds @hv. */
static bool points_back(const struct pkvm_hyp_vcpu *hv)
{
	uintptr_t first = (uintptr_t)&loaded_hyp_vcpu[0];
	uintptr_t at = (uintptr_t)hv->loaded_hyp_vcpu;

	return at >= first && at < (uintptr_t)&loaded_hyp_vcpu[NR_CPUS] &&
	       !((at - first) % sizeof(loaded_hyp_vcpu[0])) &&
	       __atomic_load_n(hv->loaded_hyp_vcpu, __ATOMIC_RELAXED) == hv;
}

/* Invariants 1, 8 (references) and 12 (loaded vCPUs), slot by slot. */
static void check_slots(struct oracle *o, struct pkvm_hyp_vm *const *now)
{
	const char *op = "check";
	unsigned int i, j;

	for (i = 0; i < NR_SLOTS; i++) {
		struct pkvm_hyp_vm *vm = now[i];
		unsigned int handle = SIM_HANDLE_OFFSET + i;
		unsigned int loaded = 0, nr_vcpus;
		struct page_snap s;

		if (kind_of(vm) != ORA_LIVE)
			continue;
		if (!hyp_ok(vm, sizeof(*vm))) {
			if (o->slot_reported[i] != vm)
				oracle_check_live_slot(o, -1, 0, op, i, vm);
			o->slot_reported[i] = vm;
			continue;
		}
		if (o->slot_reported[i] != vm &&
		    (vm->kvm.arch.pkvm.handle != handle ||
		     vm->kvm.arch.mmu.vmid.id != i + 1)) {
			o->slot_reported[i] = vm;
			oracle_check_live_slot(o, -1, 0, op, i, vm);
		}

		nr_vcpus = hyp_vm_nr_vcpus(vm);
		for (j = 0; j < nr_vcpus; j++) {
			struct pkvm_hyp_vcpu *hv;

			if (!hyp_ok(&vm->vcpus[j], sizeof(vm->vcpus[j])))
				break;
			hv = __atomic_load_n(&vm->vcpus[j], __ATOMIC_RELAXED);
			if (!hv || !hyp_ok(hv, sizeof(*hv)) ||
			    !hv->loaded_hyp_vcpu)
				continue;
			loaded++;
			if (points_back(hv) || o->vcpu_reported[i] == hv)
				continue;
			o->vcpu_reported[i] = hv;
			report(o, 12, 0, handle, -1, op,
			       "vCPU %u of 0x%x says it is loaded, but no "
			       "CPU holds it", j, handle);
		}

		/*
		 * With nothing in flight every get has had its put: the only
		 * references left are the loaded vCPUs' and those held
		 * through <pkvmsim/inspect.h> (invariant 8).
		 */
		if (!page_read(hyp_phys(vm), &s) ||
		    s.refs == loaded + o->held_refs[i] ||
		    o->refs_reported[i] == vm)
			continue;
		o->refs_reported[i] = vm;
		report(o, 8, 0, handle, -1, op,
		       "VM 0x%x holds %u references with %u vCPUs loaded, "
		       "%u held, and no hypercall in flight", handle, s.refs,
		       loaded, o->held_refs[i]);
	}
}

/* Invariant 12: each CPU's loaded vCPU is its own and points back. */
static void check_cpus(struct oracle *o, struct pkvm_hyp_vm *const *now)
{
	struct pkvm_hyp_vcpu *seen[PKVMSIM_MAX_CPUS] = { NULL };
	const char *op = "check";
	unsigned int cpu, other;

	for (cpu = 0; cpu < o->nr_cpus && cpu < NR_CPUS; cpu++) {
		struct pkvm_hyp_vcpu *hv =
			__atomic_load_n(&loaded_hyp_vcpu[cpu],
					__ATOMIC_RELAXED);

		seen[cpu] = hv;
		if (!hv || o->cpu_reported[cpu] == hv)
			continue;
		if (!hyp_ok(hv, sizeof(*hv))) {
			o->cpu_reported[cpu] = hv;
			report(o, 12, 0, 0, (int)cpu, op,
			       "CPU %u's loaded vCPU is outside hyp memory",
			       cpu);
			continue;
		}
		for (other = 0; other < cpu; other++) {
			if (seen[other] != hv)
				continue;
			o->cpu_reported[cpu] = hv;
			report(o, 12, 0, 0, (int)cpu, op,
			       "CPUs %u and %u hold the same vCPU", other,
			       cpu);
			break;
		}
		if (o->cpu_reported[cpu] == hv)
			continue;
		if (hv->loaded_hyp_vcpu != &loaded_hyp_vcpu[cpu]) {
			o->cpu_reported[cpu] = hv;
			report(o, 12, 0, 0, (int)cpu, op,
			       "CPU %u's loaded vCPU does not point back to "
			       "it", cpu);
			continue;
		}
		/* A loaded vCPU pins its VM: teardown must have refused. */
		if (!is_live_vm(now, hyp_vm_of(hv))) {
			o->cpu_reported[cpu] = hv;
			report(o, 8, 0, 0, (int)cpu, op,
			       "CPU %u holds a vCPU of a VM that is not LIVE",
			       cpu);
		}
	}
}

/*
 * Invariant 1, the table against the host's VMs.  Each VM is judged only
 * on the reservation the oracle saw it get, and only once the table has
 * been seen to hold it: until then a mismatch may be a mock's answer.
 */
static void check_vms(struct oracle *o, struct pkvm_hyp_vm *const *now)
{
	struct ovm *owner[NR_SLOTS] = { NULL };
	const char *op = "check";
	struct ovm *v;

	RB_FOREACH(v, ovm_tree, &o->vms) {
		unsigned int handle = kvm_handle(v);
		unsigned int idx = handle_idx(handle);
		struct pkvm_hyp_vm *slot;
		bool match;

		/* Between a give-back and the host clearing its handle. */
		if (!handle || (!v->res && handle == v->gave_back))
			continue;
		if (handle != v->res) {
			if (v->state_reported == handle)
				continue;
			v->state_reported = handle;
			report(o, 1, v->id, handle, -1, op,
			       "the host handle 0x%x is not the one the VM "
			       "reserved (0x%x)", handle, v->res);
			continue;
		}
		if (idx >= NR_SLOTS)
			continue;

		slot = now[idx];
		if (v->init_ok)
			match = kind_of(slot) == ORA_LIVE &&
				hyp_ok(slot, sizeof(*slot)) &&
				(const void *)slot->host_kvm ==
					hyp_alias(v->kvm);
		else
			match = kind_of(slot) == ORA_RESERVED;
		if (match) {
			v->seen = v->init_ok ? 2 : 1;
			if (owner[idx] && v->state_reported != handle) {
				v->state_reported = handle;
				report(o, 1, v->id, handle, -1, op,
				       "VMs %lu and %lu both hold handle 0x%x",
				       owner[idx]->id, v->id, handle);
			}
			owner[idx] = v;
		} else if (v->init_ok && v->seen < 2 &&
			   kind_of(slot) == ORA_RESERVED) {
			/*
			 * init_vm answered success but the slot never went
			 * LIVE: the answer came from above the hypervisor.
			 */
			continue;
		} else if (v->seen && v->state_reported != handle) {
			v->state_reported = handle;
			report(o, 1, v->id, handle, -1, op,
			       "the VM holds 0x%x (%s) but its slot is %s%s",
			       handle, v->init_ok ? "created" : "reserved",
			       kind_name(kind_of(slot)),
			       kind_of(slot) == ORA_LIVE ?
					" with another VM" : "");
		}

		if (kvm_is_created(v) && !v->init_ok &&
		    v->state_reported != handle) {
			v->state_reported = handle;
			report(o, 1, v->id, handle, -1, op,
			       "the host marks the VM created, but no init_vm "
			       "succeeded for 0x%x", handle);
		}
	}
}

void oracle_host_op_done(struct oracle *o)
{
	if (o && !o->end_only)
		oracle_check_state(o);
}

void oracle_check_end(struct oracle *o)
{
	if (o && o->end_only)
		oracle_check_state(o);
}

bool oracle_check_state(struct oracle *o)
{
	struct pkvm_hyp_vm *now[NR_SLOTS];
	struct pkvm_hyp_vm **tbl;

	if (!o)
		return false;

	pthread_mutex_lock(&o->lock);
	if (o->in_flight || o->dead) {
		pthread_mutex_unlock(&o->lock);
		return false;
	}
	tbl = table();
	if (tbl)
		table_read(tbl, now);
	else
		memset(now, 0, sizeof(now));
	if (tbl)
		check_slots(o, now);
	check_cpus(o, now);
	if (tbl && o->mode == PKVMSIM_MODE_PROTECTED)
		check_vms(o, now);
	o->nr_state_checks++;
	pthread_mutex_unlock(&o->lock);
	return true;
}
