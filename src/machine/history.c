// SPDX-License-Identifier: GPL-2.0-only
/*
 * The history of a run's VM-table hypercalls, for the linearizability
 * check (src/check/linearize.c): each call's CPU, arguments and answer,
 * and where its invocation and its response fall in one sequence shared
 * by all CPUs.  The initial state is the table when recording starts.
 *
 * What the hypervisor reads from host memory during a call (init_vm: the
 * handle, the vCPU count, the VM type; init_vcpu: the vCPU's index) is
 * read here as the call enters.  The simulator's host does not change it
 * meanwhile; a hostile raw caller might, and would then get a model that
 * disagrees with the hypervisor: that is the caller's doing.
 *
 * Only answers the hypervisor itself gave are kept; a call a transport
 * made up, refused or cut short is dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "sim_env.h"
#include "asm/kvm_host.h"
#include "linux/kvm_host.h"
#include "machine.h"
#include "linearize.h"

struct history {
	pthread_mutex_t		lock;
	bool			on;
	bool			overflow;
	uint64_t		seq;
	unsigned int		nr;
	struct lin_op		ops[LIN_MAX_OPS];
	bool			keep[LIN_MAX_OPS];
	struct lin_init		init;
};

static int kind_of(unsigned long nr)
{
	switch (nr) {
	case PKVMSIM_HCALL_PKVM_RESERVE_VM:	return LIN_RESERVE;
	case PKVMSIM_HCALL_PKVM_UNRESERVE_VM:	return LIN_UNRESERVE;
	case PKVMSIM_HCALL_PKVM_INIT_VM:	return LIN_INIT_VM;
	case PKVMSIM_HCALL_PKVM_INIT_VCPU:	return LIN_INIT_VCPU;
	case PKVMSIM_HCALL_PKVM_TEARDOWN_VM:	return LIN_TEARDOWN;
	case PKVMSIM_HCALL_PKVM_VCPU_LOAD:	return LIN_VCPU_LOAD;
	case PKVMSIM_HCALL_PKVM_VCPU_PUT:	return LIN_VCPU_PUT;
	case PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID:	return LIN_TLB_FLUSH;
	default:				return -1;
	}
}

/*
 * Host memory the hypervisor would read, if it is host memory at all and
 * aligned for a struct of @align (the host's word: integers until then).
 */
static const void *host_ptr(uint64_t va, size_t size, size_t align)
{
	uint64_t pa = sim_host_pa((const void *)(uintptr_t)va);
	uint64_t last = va + size - 1;

	if (pa == ~0ULL || (va & (align - 1)) || last < va ||
	    sim_host_pa((const void *)(uintptr_t)last) != pa + size - 1)
		return NULL;
	return (const void *)(uintptr_t)va;
}

static void read_host(struct lin_op *op)
{
	const struct kvm *kvm;
	const struct kvm_vcpu *vcpu;

	if (op->kind == LIN_INIT_VM) {
		op->kvm = op->arg[0];
		kvm = host_ptr(op->arg[0], sizeof(*kvm), _Alignof(struct kvm));
		if (!kvm)
			return;
		op->kvm_handle = __atomic_load_n(&kvm->arch.pkvm.handle,
						 __ATOMIC_RELAXED);
		op->created_vcpus = __atomic_load_n(&kvm->created_vcpus,
						    __ATOMIC_RELAXED);
		op->is_protected = __atomic_load_n(&kvm->arch.pkvm.is_protected,
						   __ATOMIC_RELAXED);
	} else if (op->kind == LIN_INIT_VCPU) {
		vcpu = host_ptr(op->arg[1], sizeof(*vcpu),
				_Alignof(struct kvm_vcpu));
		if (vcpu)
			op->vcpu_idx = (unsigned int)__atomic_load_n(
				&vcpu->vcpu_idx, __ATOMIC_RELAXED);
	}
}

static int init_from_table(struct pkvmsim *sim, struct lin_init *init)
{
	struct pkvmsim_table *t = malloc(sizeof(*t));
	unsigned int i;
	int ret;

	if (!t)
		return -ENOMEM;
	ret = pkvmsim_table_snapshot(sim, t);
	if (ret) {
		free(t);
		return ret;
	}
	lin_init_empty(init, sim->cfg.nr_cpus, t->has_table);
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
		const struct pkvmsim_slot *s = &t->slots[i];
		struct lin_slot *l = &init->slots[i];

		l->state = s->state == PKVMSIM_SLOT_LIVE ? LIN_LIVE :
			   s->state == PKVMSIM_SLOT_RESERVED ? LIN_RESERVED :
			   LIN_FREE;
		l->created_vcpus = s->nr_vcpus;
		l->vcpus = s->hyp_vcpus;
		l->refs = s->refs;
		l->is_protected = s->is_protected;
	}
	for (i = 0; i < t->nr_cpus && i < LIN_MAX_CPUS; i++) {
		init->loaded[i].loaded = t->loaded[i].loaded;
		init->loaded[i].handle = t->loaded[i].handle;
		init->loaded[i].vcpu_idx = (unsigned int)t->loaded[i].vcpu_idx;
	}
	free(t);
	return 0;
}

int history_start(struct pkvmsim *sim)
{
	struct history *h = sim->history;
	int ret;

	if (!h) {
		h = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		pthread_mutex_init(&h->lock, NULL);
		sim->history = h;
	}
	ret = init_from_table(sim, &h->init);
	if (ret)
		return ret;
	h->nr = 0;
	h->seq = 0;
	h->overflow = false;
	h->on = true;
	return 0;
}

/* A slot for a call entering now, or -1. */
static int history_add(struct history *h, unsigned int cpu,
		       unsigned int kind)
{
	int slot = -1;

	pthread_mutex_lock(&h->lock);
	if (h->on && h->nr < LIN_MAX_OPS) {
		slot = (int)h->nr++;
		h->ops[slot] = (struct lin_op){
			.cpu = (int)cpu,
			.kind = kind,
			.call = ++h->seq,
			.ret = LIN_PENDING,
		};
		h->keep[slot] = false;
	} else if (h->on) {
		h->overflow = true;
	}
	pthread_mutex_unlock(&h->lock);
	return slot;
}

int history_call(struct pkvmsim *sim, unsigned int cpu,
		 const struct pkvmsim_regs *in)
{
	struct history *h = sim->history;
	int kind, slot;

	if (!h || !__atomic_load_n(&h->on, __ATOMIC_RELAXED))
		return -1;
	kind = kind_of(machine_hcall_nr(in->x[0]));
	if (kind < 0)
		return -1;
	slot = history_add(h, cpu, (unsigned int)kind);
	if (slot < 0)
		return -1;
	/* Only this CPU writes its slot until it returns. */
	memcpy(h->ops[slot].arg, &in->x[1], sizeof(h->ops[slot].arg));
	read_host(&h->ops[slot]);
	return slot;
}

void history_return(struct pkvmsim *sim, int slot,
		    const struct pkvmsim_regs *out, bool real)
{
	struct history *h = sim->history;

	if (!h || slot < 0)
		return;
	pthread_mutex_lock(&h->lock);
	/* Refused by the dispatcher, or made up: not the hypervisor's. */
	if (real && out->x[0] == PKVMSIM_SMCCC_RET_SUCCESS) {
		h->ops[slot].result = (int64_t)(int)out->x[1];
		h->ops[slot].ret = ++h->seq;
		h->keep[slot] = true;
	}
	pthread_mutex_unlock(&h->lock);
}

int history_ref_call(struct pkvmsim *sim, unsigned int cpu,
		     unsigned int kind, unsigned int handle)
{
	struct history *h = sim->history;
	int slot;

	if (!h || !__atomic_load_n(&h->on, __ATOMIC_RELAXED))
		return -1;
	slot = history_add(h, cpu, kind);
	if (slot >= 0)
		h->ops[slot].arg[0] = handle;
	return slot;
}

void history_ref_return(struct pkvmsim *sim, int slot, int result)
{
	struct history *h = sim->history;

	if (!h || slot < 0)
		return;
	pthread_mutex_lock(&h->lock);
	h->ops[slot].result = result;
	h->ops[slot].ret = ++h->seq;
	h->keep[slot] = true;
	pthread_mutex_unlock(&h->lock);
}

int history_stop(struct pkvmsim *sim, char *why, size_t len, char *text,
		 size_t text_len)
{
	struct history *h = sim->history;
	struct lin_op ops[LIN_MAX_OPS];
	struct lin_result *res;
	unsigned int i, nr = 0;
	int ret;

	if (!h || !h->on)
		return 0;
	pthread_mutex_lock(&h->lock);
	h->on = false;
	for (i = 0; i < h->nr; i++)
		if (h->keep[i])
			ops[nr++] = h->ops[i];
	pthread_mutex_unlock(&h->lock);
	/* Too long to check; or the machine died and that is the verdict. */
	if (h->overflow || machine_dead(sim))
		return 0;

	res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	ret = lin_check(&h->init, ops, nr, res);
	if (!ret && !res->linearizable) {
		if (why && len)
			snprintf(why, len, "not linearizable: %s", res->why);
		if (text && text_len)
			lin_format_history(ops, nr, text, text_len);
		ret = 1;
	} else if (ret) {
		/* A history the checker cannot decide is no verdict. */
		ret = 0;
	}
	free(res);
	return ret;
}

void history_cancel(struct pkvmsim *sim)
{
	struct history *h = sim->history;

	if (h)
		__atomic_store_n(&h->on, false, __ATOMIC_RELAXED);
}

void history_free(struct pkvmsim *sim)
{
	struct history *h = sim->history;

	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h);
	sim->history = NULL;
}
