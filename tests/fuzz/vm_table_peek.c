// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM table as the hypervisor holds it, read white-box (hyp_state.h),
 * against the model: what pkvmsim_table_snapshot() reports, read in a
 * fraction of its time.  fuzz_vm_table compares this after every
 * operation, and the snapshot itself after every eighth and at the end of
 * each input, so that both agree with the model.  Single-threaded: no
 * hypercall may be in flight.
 */
#include <stdio.h>

#include "hyp_state.h"
#include "machine.h"
#include "vm_table_model.h"

#define DIFF(...)						\
	do {							\
		snprintf(why, len, __VA_ARGS__);		\
		return 1;					\
	} while (0)

static const char *const names[] = { "FREE", "RESERVED", "LIVE" };

static int peek_live(const struct model_vm *m, const struct pkvm_hyp_vm *vm,
		     const struct inspect_refs *held, unsigned int i,
		     char *why, size_t len)
{
	unsigned int handle = MODEL_HANDLE_OFFSET + i, j, nr;

	if (vm->kvm.arch.mmu.vmid.id != i + 1)
		DIFF("slot 0x%x: VMID %llu, expected %u", handle,
		     (unsigned long long)vm->kvm.arch.mmu.vmid.id, i + 1);
	if ((unsigned int)hyp_page_count((void *)vm) != m->loaded + m->held)
		DIFF("slot 0x%x: %d references, expected %u (%u loaded, %u "
		     "held)", handle, hyp_page_count((void *)vm),
		     m->loaded + m->held, m->loaded, m->held);
	if (held->held[i] != m->held)
		DIFF("slot 0x%x: %u references held, expected %u", handle,
		     held->held[i], m->held);
	nr = (unsigned int)vm->kvm.created_vcpus;
	if (nr != m->nr_vcpus)
		DIFF("slot 0x%x: %u vCPUs, expected %u", handle, nr,
		     m->nr_vcpus);
	if (vm->kvm.arch.pkvm.is_protected != m->is_protected)
		DIFF("slot 0x%x: is_protected %d, expected %d", handle,
		     vm->kvm.arch.pkvm.is_protected, m->is_protected);
	for (j = 0; j < nr && j < MODEL_MAX_VCPUS; j++)
		if (!vm->vcpus[j] != !m->vcpu_init[j])
			DIFF("slot 0x%x: hyp vCPU %u %s, expected %s", handle,
			     j, vm->vcpus[j] ? "set" : "unset",
			     m->vcpu_init[j] ? "set" : "unset");
	return 0;
}

int model_peek(const struct vm_table_model *m, const struct pkvmsim *sim,
	       char *why, size_t len)
{
	struct pkvm_hyp_vm **tbl = vm_table;
	unsigned int i, cpu;

	if (!tbl != !m->has_table)
		DIFF("has_table %d, expected %d", !!tbl, m->has_table);
	for (i = 0; tbl && i < MODEL_SLOTS; i++) {
		struct pkvm_hyp_vm *vm = tbl[i];
		enum model_state s = !vm ? MODEL_FREE :
				     (void *)vm == SIM_RESERVED_ENTRY ?
				     MODEL_RESERVED : MODEL_LIVE;

		if (s != m->state[i])
			DIFF("slot 0x%x is %s, expected %s",
			     MODEL_HANDLE_OFFSET + i, names[s],
			     names[m->state[i]]);
		if (s == MODEL_LIVE &&
		    peek_live(&m->vm[i], vm, &sim->inspect, i, why, len))
			return 1;
	}
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct model_cpu *c = &m->cpu[cpu];
		struct pkvm_hyp_vcpu *hv = loaded_hyp_vcpu[cpu];

		if (!hv != !c->loaded)
			DIFF("cpu%u: loaded %d, expected %d", cpu, !!hv,
			     c->loaded);
		if (hv && hv != tbl[c->idx]->vcpus[c->vcpu])
			DIFF("cpu%u: the loaded vCPU is not vCPU %u of 0x%x",
			     cpu, c->vcpu, MODEL_HANDLE_OFFSET + c->idx);
	}
	return 0;
}
