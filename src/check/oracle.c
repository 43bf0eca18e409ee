// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle: the invariants of SPEC section 8, checked while hypercalls
 * go by (see oracle.h for what it is told and when).  This file holds its
 * entry points and decides which calls were alone; oracle_internal.h
 * lists the files that check the rest.
 *
 * Three rules keep it free of false positives:
 *
 * - Order.  A check that compares the hypervisor's state before and after
 *   a call is made only if the call was *alone*: nothing else was in flight
 *   when it entered and nothing entered before it left.  Two counters under
 *   the oracle's lock decide that: the calls in flight and the calls ever
 *   entered.  Every hyp-state read happens under that lock while the call
 *   is alone (or, for oracle_check_state(), while none is in flight), and a
 *   new call cannot enter meanwhile, so no hypervisor code runs while the
 *   oracle reads: the reads see a still, consistent state, and
 *   ThreadSanitizer sees the hypervisor's writes ordered before them.
 *
 * - Evidence.  The hooks sit above the installed transport, so an answer
 *   may come from a fault injector or a mock and not from the hypervisor.
 *   Neither ever changes hyp state, and an injected answer is always an
 *   error.  So the oracle judges the hypervisor first by what *changed*: a
 *   change the call may not make is a violation; a success that changed
 *   nothing is not judged.  Only when the machine says the hypervisor
 *   itself answered (@reached) is the errno judged too (judge_answer():
 *   e.g. -ENOMEM with a FREE slot, an unreserve that left its RESERVED
 *   slot); a made-up answer never is.
 *
 * - The host's word.  What the host model sends about a VM (invariants 3,
 *   10, 11, 13) is judged from the calls and their answers alone, with a
 *   ghost of each VM's reservation, whatever the transport.  The host's
 *   VM against the table (oracle_check_state()) is judged only once the
 *   table has been seen to agree with that reservation, so a mock's made-up
 *   handle is never held against the table.
 *
 * The lock is a pthread mutex held only for short, non-blocking work: it
 * is never held across a hypercall or a hyp lock, and the oracle has no
 * scheduling point, so a controlled scheduler never parks its holder.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "oracle_internal.h"

/* SPEC 4: the SVE hint bit the dispatcher clears. */
#define SMCCC_HINT		(1ULL << 16)

/* --- helpers --- */

static unsigned long hcall_nr(uint64_t x0)
{
	return (unsigned long)((x0 & ~SMCCC_HINT) - PKVMSIM_HVC_ID(0));
}

static const char *hcall_name(unsigned long nr)
{
	const char *name = pkvmsim_hcall_name(nr);

	return name ? name : "(unknown hypercall)";
}

/* Hypercalls only pKVM has (SPEC 3, 4): none is made outside pKVM mode. */
static bool is_pkvm_hcall(unsigned long nr)
{
	return nr == NR_SHARE_HYP || nr == NR_UNSHARE_HYP ||
	       (nr >= NR_RESERVE && nr <= NR_TLB_FLUSH);
}

/* The handler's int result, as it wrote it to x1 (sign-extended). */
static int result_of(const struct pkvmsim_regs *out)
{
	return (int)(int64_t)out->x[1];
}

static bool cpu_ok(int cpu)
{
	return cpu >= 0 && cpu < PKVMSIM_MAX_CPUS;
}

/* --- life and death --- */

struct oracle *oracle_create(const struct pkvmsim_config *cfg)
{
	struct pkvmsim_config defaults;
	struct oracle *o;

	if (!cfg) {
		pkvmsim_config_init(&defaults);
		cfg = &defaults;
	}

	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->mode = cfg->mode;
	o->profile = cfg->profile;
	o->nr_cpus = cfg->nr_cpus < PKVMSIM_MAX_CPUS ? cfg->nr_cpus :
						       PKVMSIM_MAX_CPUS;
	o->end_only = cfg->check == PKVMSIM_CHECK_END;
	RB_INIT(&o->vms);
	pthread_mutex_init(&o->lock, NULL);
	return o;
}

void oracle_destroy(struct oracle *o)
{
	struct ovm *v, *next;

	if (!o)
		return;
	RB_FOREACH_SAFE(v, ovm_tree, &o->vms, next)
		oracle_forget_vm(o, v);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

void oracle_machine_dead(struct oracle *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->dead = true;
	pthread_mutex_unlock(&o->lock);
}

/* --- the host's VMs --- */

void oracle_vm_register(struct oracle *o, unsigned long vm_id,
			const struct kvm *kvm)
{
	struct ovm *v;

	if (!o || !vm_id || !kvm)
		return;

	pthread_mutex_lock(&o->lock);
	v = oracle_find_vm(o, vm_id);
	if (v)
		oracle_forget_vm(o, v);
	v = calloc(1, sizeof(*v));
	if (v) {
		v->id = vm_id;
		v->kvm = kvm;
		RB_INSERT(ovm_tree, &o->vms, v);
	}
	pthread_mutex_unlock(&o->lock);
}

void oracle_vm_created(struct oracle *o, unsigned long vm_id, int cpu,
		       int ret)
{
	const char *op = "kvm_arch_init_vm";
	unsigned int handle;
	struct ovm *v;

	if (!o)
		return;

	pthread_mutex_lock(&o->lock);
	v = oracle_find_vm(o, vm_id);
	if (!v || !ret)
		goto out;
	if (o->dead)
		goto forget;

	/* A failed creation must leave nothing behind (SPEC 5, inv. 3). */
	if (v->res)
		report(o, 3, vm_id, v->res, cpu, op,
		       "creation failed (%d) but reservation 0x%x was never "
		       "unreserved: the slot leaks", ret, v->res);
	handle = kvm_handle(v);
	if (handle)
		report(o, 3, vm_id, handle, cpu, op,
		       "creation failed (%d) but the host handle is still 0x%x",
		       ret, handle);
forget:
	oracle_forget_vm(o, v);
out:
	pthread_mutex_unlock(&o->lock);
}

void oracle_vm_destroyed(struct oracle *o, unsigned long vm_id, int cpu,
			 int ret)
{
	const char *op = "kvm_arch_destroy_vm";
	unsigned int handle;
	struct ovm *v;
	int err;

	if (!o)
		return;

	pthread_mutex_lock(&o->lock);
	v = oracle_find_vm(o, vm_id);
	if (!v)
		goto out;
	if (o->dead)
		goto forget;

	err = v->teardown_err ? v->teardown_err : ret;
	if (v->res && err == -EBUSY)
		report(o, 3, vm_id, v->res, cpu, op,
		       "teardown failed with -EBUSY: the LIVE slot of 0x%x "
		       "leaks (by design; the host forgets the handle)",
		       v->res);
	else if (v->res && err)
		report(o, 3, vm_id, v->res, cpu, op,
		       "teardown failed with %d: the slot of 0x%x leaks",
		       err, v->res);
	else if (v->res)
		report(o, 3, vm_id, v->res, cpu, op,
		       "reservation 0x%x was neither unreserved nor torn down",
		       v->res);

	handle = kvm_handle(v);
	if (handle)
		report(o, 3, vm_id, handle, cpu, op,
		       "the host handle is still 0x%x after destroy", handle);
	if (kvm_is_created(v))
		report(o, 3, vm_id, handle, cpu, op,
		       "the host still marks the VM created after destroy");
forget:
	oracle_forget_vm(o, v);
out:
	pthread_mutex_unlock(&o->lock);
}

/* --- hypercalls --- */

void oracle_hvc_enter(struct oracle *o, int cpu, unsigned long vm_id,
		      const struct pkvmsim_regs *in)
{
	struct ocall *c = NULL;
	unsigned long nr;
	const char *op;
	struct ovm *v;

	if (!o || !in)
		return;
	nr = hcall_nr(in->x[0]);
	op = hcall_name(nr);

	pthread_mutex_lock(&o->lock);
	o->in_flight++;
	o->entries++;
	if (cpu_ok(cpu)) {
		c = &o->calls[cpu];
		c->depth++;
		c->alone = o->in_flight == 1 && c->depth == 1;
		c->gen = o->entries;
		c->have_table = false;
		c->handle = 0;
		c->vm_refs = 0;
		c->nr_pins = 0;
		c->nr_pages = 0;
	}

	v = oracle_find_vm(o, vm_id);
	if (o->dead) {
		/* No call reaches a dead machine: nothing to judge. */
	} else if (vm_id && o->mode != PKVMSIM_MODE_PROTECTED &&
		 is_pkvm_hcall(nr))
		report(o, 3, vm_id, 0, cpu, op,
		       "pKVM hypercall about a VM in %s mode (profile %s%s)",
		       pkvmsim_mode_name(o->mode) ?: "?",
		       pkvmsim_profile_name(o->profile) ?: "?",
		       o->profile == PKVMSIM_PROFILE_V3 && nr == NR_RESERVE ?
				": the reserve is not gated on pKVM mode" :
				"");
	else if (v && o->mode == PKVMSIM_MODE_PROTECTED)
		oracle_host_enter(o, cpu, v, nr, in, op);

	if (c && c->alone && !o->dead && !o->end_only)
		oracle_snapshot(c, v, nr, in);
	pthread_mutex_unlock(&o->lock);
}

void oracle_hvc_exit(struct oracle *o, int cpu, unsigned long vm_id,
		     const struct pkvmsim_regs *in,
		     const struct pkvmsim_regs *out, int ret, bool reached)
{
	struct ocall *c = NULL;
	bool alone, delivered;
	unsigned long nr;
	const char *op;
	struct ovm *v;
	int result;

	if (!o || !in)
		return;
	nr = hcall_nr(in->x[0]);
	op = hcall_name(nr);
	delivered = !ret && out && out->x[0] == PKVMSIM_SMCCC_RET_SUCCESS;
	result = delivered ? result_of(out) : 0;

	pthread_mutex_lock(&o->lock);
	if (cpu_ok(cpu))
		c = &o->calls[cpu];
	alone = c && c->depth == 1 && c->alone && c->gen == o->entries;

	v = oracle_find_vm(o, vm_id);
	if (v && o->mode == PKVMSIM_MODE_PROTECTED && !o->dead)
		oracle_host_exit(o, cpu, v, nr, in, delivered, result, ret, op);
	if (alone && c->have_table && !o->dead) {
		o->nr_judged++;
		oracle_judge(o, cpu, vm_id, v, nr, op, c, in, delivered, result,
			     reached && delivered);
	}

	if (c && c->depth) {
		c->depth--;
		c->alone = false;
	}
	if (o->in_flight)
		o->in_flight--;
	pthread_mutex_unlock(&o->lock);
}

void oracle_tz_message(struct oracle *o, int cpu, unsigned long vm_id,
		       unsigned int handle, const char *op)
{
	struct ovm *v;

	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	v = oracle_find_vm(o, vm_id);
	if (v && o->mode == PKVMSIM_MODE_PROTECTED && !o->dead)
		oracle_check_names(o, cpu, v, handle, op ? op : "tz");
	pthread_mutex_unlock(&o->lock);
}

/* --- references held outside hypercalls --- */

/*
 * <pkvmsim/inspect.h> holds references across hypercalls: its get or put
 * is in flight like a hypercall, and what it holds afterwards is expected.
 */
void oracle_hyp_ref_enter(struct oracle *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->in_flight++;
	o->entries++;
	pthread_mutex_unlock(&o->lock);
}

void oracle_hyp_ref_exit(struct oracle *o, unsigned int handle, int delta)
{
	unsigned int idx = handle_idx(handle);

	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	if (idx < NR_SLOTS && delta > 0)
		o->held_refs[idx]++;
	else if (idx < NR_SLOTS && delta < 0 && o->held_refs[idx])
		o->held_refs[idx]--;
	if (o->in_flight)
		o->in_flight--;
	pthread_mutex_unlock(&o->lock);
}
