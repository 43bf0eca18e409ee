// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference model of the VM table (vm_table_model.h), from SPEC 1-3:
 *
 * - a handle is its slot's index plus 0x1000, computed in unsigned
 *   arithmetic, so every handle below 0x1000 names no slot;
 * - reserve takes the lowest FREE slot (-ENOMEM if none, -EINVAL with no
 *   table); unreserve frees a RESERVED slot and ignores anything else;
 * - init_vm: pin, vCPU count, handle, the two donations, then the insert,
 *   which needs a RESERVED slot; the slot goes LIVE with VMID index + 1;
 * - init_vcpu: donation first, then the lookup (RESERVED is not found),
 *   the pin, the init, the index against the VM's count, the index free;
 * - a loaded vCPU and a get each hold a reference; teardown refuses a VM
 *   with references (-EBUSY) and frees its slot otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm_table_model.h"

void model_init(struct vm_table_model *m, bool has_table,
		unsigned int nr_cpus)
{
	memset(m, 0, sizeof(*m));
	m->has_table = has_table;
	m->nr_cpus = nr_cpus < MODEL_MAX_CPUS ? nr_cpus : MODEL_MAX_CPUS;
}

int model_slot_of(unsigned int handle)
{
	unsigned int idx = handle - MODEL_HANDLE_OFFSET;

	return idx < MODEL_SLOTS ? (int)idx : -1;
}

/* The LIVE VM @handle names, or NULL (get_vm_by_handle()). */
static struct model_vm *live(struct vm_table_model *m, unsigned int handle)
{
	int idx = model_slot_of(handle);

	if (!m->has_table || idx < 0 || m->state[idx] != MODEL_LIVE)
		return NULL;
	return &m->vm[idx];
}

int model_reserve(struct vm_table_model *m)
{
	unsigned int i;

	if (!m->has_table)
		return -EINVAL;
	for (i = 0; i < MODEL_SLOTS; i++) {
		if (m->state[i] != MODEL_FREE)
			continue;
		m->state[i] = MODEL_RESERVED;
		return (int)(MODEL_HANDLE_OFFSET + i);
	}
	return -ENOMEM;
}

void model_unreserve(struct vm_table_model *m, unsigned int handle)
{
	int idx = model_slot_of(handle);

	if (m->has_table && idx >= 0 && m->state[idx] == MODEL_RESERVED)
		m->state[idx] = MODEL_FREE;
}

int model_init_vm(struct vm_table_model *m, const struct model_init_vm *a)
{
	struct model_vm *vm;
	int idx;

	if (!a->kvm_pinnable)
		return -EPERM;
	if (!a->created_vcpus)
		return -EINVAL;
	if (a->handle < MODEL_HANDLE_OFFSET)
		return -EINVAL;
	if (!a->vm_area_ok || !a->pgd_ok)
		return -ENOMEM;

	idx = model_slot_of(a->handle);
	if (!m->has_table || idx < 0 || m->state[idx] != MODEL_RESERVED)
		return -EINVAL;

	vm = &m->vm[idx];
	memset(vm, 0, sizeof(*vm));
	vm->nr_vcpus = a->created_vcpus;
	vm->is_protected = a->is_protected;
	vm->owner = a->owner;
	m->state[idx] = MODEL_LIVE;
	return 0;
}

int model_init_vcpu(struct vm_table_model *m,
		    const struct model_init_vcpu *a)
{
	struct model_vm *vm;

	if (!a->area_ok)
		return -ENOMEM;
	vm = live(m, a->handle);
	if (!vm)
		return -ENOENT;
	if (!a->vcpu_pinnable)
		return -EBUSY;
	if (a->sve)
		return -EINVAL;
	if (a->vcpu_idx >= vm->nr_vcpus || a->vcpu_idx >= MODEL_MAX_VCPUS ||
	    vm->vcpu_init[a->vcpu_idx])
		return -EINVAL;
	vm->vcpu_init[a->vcpu_idx] = 1;
	vm->nr_init++;
	return 0;
}

void model_vcpu_load(struct vm_table_model *m, unsigned int cpu,
		     unsigned int handle, unsigned int vcpu)
{
	struct model_vm *vm;
	unsigned int c;

	if (!m->has_table || cpu >= m->nr_cpus || m->cpu[cpu].loaded)
		return;
	vm = live(m, handle);
	if (!vm || vcpu >= vm->nr_vcpus || vcpu >= MODEL_MAX_VCPUS ||
	    !vm->vcpu_init[vcpu])
		return;
	for (c = 0; c < m->nr_cpus; c++)
		if (m->cpu[c].loaded &&
		    m->cpu[c].idx == (unsigned int)model_slot_of(handle) &&
		    m->cpu[c].vcpu == vcpu)
			return;
	m->cpu[cpu].loaded = true;
	m->cpu[cpu].idx = (unsigned int)model_slot_of(handle);
	m->cpu[cpu].vcpu = vcpu;
	vm->loaded++;
}

void model_vcpu_put(struct vm_table_model *m, unsigned int cpu)
{
	struct model_cpu *c;

	if (!m->has_table || cpu >= m->nr_cpus || !m->cpu[cpu].loaded)
		return;
	c = &m->cpu[cpu];
	m->vm[c->idx].loaded--;
	c->loaded = false;
}

int model_get(struct vm_table_model *m, unsigned int handle, bool np)
{
	struct model_vm *vm;

	if (!m->has_table || model_slot_of(handle) < 0)
		return -ENOENT;
	vm = live(m, handle);
	if (vm && vm->held >= MODEL_MAX_HELD)
		return -ENOSPC;
	if (!vm || (np && vm->is_protected))
		return -ENOENT;
	vm->held++;
	return 0;
}

int model_put(struct vm_table_model *m, unsigned int handle)
{
	struct model_vm *vm = live(m, handle);

	if (!vm || !vm->held)
		return -EINVAL;
	vm->held--;
	return 0;
}

int model_teardown(struct vm_table_model *m, unsigned int handle)
{
	struct model_vm *vm = live(m, handle);

	if (!vm)
		return -ENOENT;
	if (vm->loaded || vm->held)
		return -EBUSY;
	m->state[model_slot_of(handle)] = MODEL_FREE;
	return 0;
}

static const char *state_name(unsigned int s)
{
	switch (s) {
	case MODEL_FREE:
		return "FREE";
	case MODEL_RESERVED:
		return "RESERVED";
	case MODEL_LIVE:
		return "LIVE";
	}
	return "?";
}

#define DIFF(...)						\
	do {							\
		snprintf(why, len, __VA_ARGS__);		\
		return 1;					\
	} while (0)

static int compare_live(const struct model_vm *vm,
			const struct pkvmsim_slot *s, unsigned int i,
			char *why, size_t len)
{
	uint64_t bits = 0;
	unsigned int j;

	for (j = 0; j < 64 && j < MODEL_MAX_VCPUS; j++)
		if (vm->vcpu_init[j])
			bits |= 1ULL << j;
	if (s->vmid != i + 1)
		DIFF("slot 0x%x: VMID %u, expected %u", s->handle, s->vmid,
		     i + 1);
	if (s->refs != vm->loaded + vm->held)
		DIFF("slot 0x%x: %u references, expected %u (%u loaded, %u "
		     "held)", s->handle, s->refs, vm->loaded + vm->held,
		     vm->loaded, vm->held);
	if (s->held != vm->held)
		DIFF("slot 0x%x: %u references held, expected %u", s->handle,
		     s->held, vm->held);
	if (s->nr_vcpus != vm->nr_vcpus)
		DIFF("slot 0x%x: %u vCPUs, expected %u", s->handle,
		     s->nr_vcpus, vm->nr_vcpus);
	if (s->nr_hyp_vcpus != vm->nr_init || s->hyp_vcpus != bits)
		DIFF("slot 0x%x: hyp vCPUs %u (%#" PRIx64 "), expected %u "
		     "(%#" PRIx64 ")", s->handle, s->nr_hyp_vcpus,
		     s->hyp_vcpus, vm->nr_init, bits);
	if (s->is_protected != vm->is_protected)
		DIFF("slot 0x%x: is_protected %d, expected %d", s->handle,
		     s->is_protected, vm->is_protected);
	return 0;
}

int model_compare(const struct vm_table_model *m,
		  const struct pkvmsim_table *t, char *why, size_t len)
{
	unsigned int i, n[3] = { 0 };

	if (t->has_table != m->has_table)
		DIFF("has_table %d, expected %d", t->has_table, m->has_table);
	for (i = 0; i < MODEL_SLOTS; i++) {
		const struct pkvmsim_slot *s = &t->slots[i];
		enum model_state want = m->has_table ? m->state[i] :
						       MODEL_FREE;

		if (s->handle != MODEL_HANDLE_OFFSET + i)
			DIFF("slot %u has handle 0x%x, expected 0x%x", i,
			     s->handle, MODEL_HANDLE_OFFSET + i);
		if ((unsigned int)s->state != (unsigned int)want)
			DIFF("slot 0x%x is %s, expected %s", s->handle,
			     state_name(s->state), state_name(want));
		n[want]++;
		if (want == MODEL_LIVE && compare_live(&m->vm[i], s, i, why,
						       len))
			return 1;
		if (want != MODEL_LIVE && (s->vmid || s->refs || s->held))
			DIFF("%s slot 0x%x: VMID %u, %u refs, %u held",
			     state_name(want), s->handle, s->vmid, s->refs,
			     s->held);
	}
	if (m->has_table && (t->nr_free != n[MODEL_FREE] ||
			     t->nr_reserved != n[MODEL_RESERVED] ||
			     t->nr_live != n[MODEL_LIVE]))
		DIFF("counts free/reserved/live %u/%u/%u, expected %u/%u/%u",
		     t->nr_free, t->nr_reserved, t->nr_live, n[MODEL_FREE],
		     n[MODEL_RESERVED], n[MODEL_LIVE]);
	for (i = 0; i < m->nr_cpus; i++) {
		const struct pkvmsim_loaded *l = &t->loaded[i];
		const struct model_cpu *c = &m->cpu[i];

		if (l->loaded != c->loaded)
			DIFF("cpu%u: loaded %d, expected %d", i, l->loaded,
			     c->loaded);
		if (c->loaded && (l->handle != MODEL_HANDLE_OFFSET + c->idx ||
				  l->vcpu_idx != (int)c->vcpu))
			DIFF("cpu%u: loaded vCPU %d of 0x%x, expected %u of "
			     "0x%x", i, l->vcpu_idx, l->handle, c->vcpu,
			     MODEL_HANDLE_OFFSET + c->idx);
	}
	return 0;
}
