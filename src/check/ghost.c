// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle's ghost of each host VM: the reservation it holds by the
 * answers it got, and which VM holds each handle.  What the host says
 * about its VMs is judged against the ghost from the calls and their
 * answers alone, whatever the transport (the third rule in oracle.c):
 * invariants 3, 10, 11 and 13.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "oracle_internal.h"

static int ovm_cmp(const struct ovm *a, const struct ovm *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_GENERATE(ovm_tree, ovm, node, ovm_cmp)

/* --- the host's VMs --- */

struct ovm *oracle_find_vm(struct oracle *o, unsigned long id)
{
	struct ovm key = { .id = id };

	if (!id)
		return NULL;
	return RB_FIND(ovm_tree, &o->vms, &key);
}

void oracle_forget_vm(struct oracle *o, struct ovm *v)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (o->held_by[i] == v->id)
			o->held_by[i] = 0;
	RB_REMOVE(ovm_tree, &o->vms, v);
	free(v);
}

/* @v gave its reservation back (unreserve or a successful teardown). */
static void give_back(struct ovm *v, const char *how)
{
	v->gave_back = v->res;
	v->gave_back_by = how;
	v->res = 0;
	v->init_ok = false;
	v->seen = 0;
	v->teardown_err = 0;
}

/* --- hypercalls: what the host says (any transport) --- */

/*
 * Invariant 13 for a call or message about @v naming @handle: never 0,
 * never another VM's, never other than its own.  Whether the host's own
 * handle is right is oracle_check_state()'s business.
 */
void oracle_check_names(struct oracle *o, int cpu, struct ovm *v,
			unsigned int handle, const char *op)
{
	unsigned int own = kvm_handle(v);
	unsigned int idx = handle_idx(handle);
	unsigned long holder = idx < NR_SLOTS ? o->held_by[idx] : 0;

	if (!handle)
		report(o, 13, v->id, handle, cpu, op,
		       "names no VM: handle 0");
	else if (holder && holder != v->id)
		report(o, 13, v->id, handle, cpu, op,
		       "names handle 0x%x, which VM %lu holds", handle,
		       holder);
	else if (handle != own)
		report(o, 13, v->id, handle, cpu, op,
		       "names handle 0x%x, not its own (0x%x)", handle, own);
}

void oracle_host_enter(struct oracle *o, int cpu, struct ovm *v,
		       unsigned long nr, const struct pkvmsim_regs *in,
		       const char *op)
{
	unsigned int handle = arg_handle(in);

	switch (nr) {
	case NR_INIT_VM:
		/* The hypervisor reads the handle from the kvm it is given. */
		if (in->x[1] != (uintptr_t)v->kvm) {
			report(o, 13, v->id, 0, cpu, op,
			       "passes struct kvm 0x%" PRIx64 ", not its own",
			       in->x[1]);
			return;
		}
		handle = kvm_handle(v);
		break;
	case NR_UNRESERVE:
	case NR_INIT_VCPU:
	case NR_TEARDOWN:
	case NR_VCPU_LOAD:
	case NR_TLB_FLUSH:
		break;
	default:
		return;
	}
	oracle_check_names(o, cpu, v, handle, op);

	/*
	 * Invariant 3: making the unreserve is what gives a reservation back
	 * (it writes no result to wait for); a second give-back of the same
	 * handle breaks "exactly one".
	 */
	if (nr != NR_UNRESERVE || !handle)
		return;
	if (handle == v->res)
		give_back(v, "unreserve");
	else if (handle == v->gave_back)
		report(o, 3, v->id, handle, cpu, op,
		       "gives back 0x%x a second time (after %s)", handle,
		       v->gave_back_by);
}

void oracle_host_exit(struct oracle *o, int cpu, struct ovm *v,
		      unsigned long nr, const struct pkvmsim_regs *in,
		      bool delivered, int result, int ret, const char *op)
{
	unsigned int handle = arg_handle(in);
	unsigned int idx = handle_idx(handle);

	switch (nr) {
	case NR_RESERVE:
		if (!delivered || result <= 0)
			return;
		/* SPEC 5: pkvm_init_host_vm() never reserves twice. */
		if (v->res)
			report(o, 10, v->id, (unsigned int)result, cpu, op,
			       "reserves again while 0x%x is outstanding",
			       v->res);
		v->res = (unsigned int)result;
		v->init_ok = false;
		v->seen = 0;
		v->teardown_err = 0;
		v->state_reported = 0;
		idx = handle_idx(v->res);
		if (idx < NR_SLOTS)
			o->held_by[idx] = v->id;
		return;
	case NR_INIT_VM:
		if (!delivered || result || in->x[1] != (uintptr_t)v->kvm)
			return;
		if (v->init_ok)
			report(o, 11, v->id, v->res, cpu, op,
			       "a second successful init_vm for reservation "
			       "0x%x", v->res);
		v->init_ok = true;
		return;
	case NR_UNRESERVE:
		/* Unless it has been reserved anew meanwhile. */
		if (idx < NR_SLOTS && o->held_by[idx] == v->id &&
		    handle != v->res)
			o->held_by[idx] = 0;
		return;
	case NR_TEARDOWN:
		if (!handle)
			return;
		if (delivered && !result) {
			if (handle == v->res)
				give_back(v, "teardown");
			else if (handle == v->gave_back)
				report(o, 3, v->id, handle, cpu, op,
				       "gives back 0x%x a second time (after "
				       "%s)", handle, v->gave_back_by);
			if (idx < NR_SLOTS && o->held_by[idx] == v->id &&
			    handle != v->res)
				o->held_by[idx] = 0;
		} else if (handle == v->res) {
			if (delivered)
				v->teardown_err = result;
			else
				v->teardown_err = ret ? ret : -EOPNOTSUPP;
		}
		return;
	default:
		return;
	}
}
