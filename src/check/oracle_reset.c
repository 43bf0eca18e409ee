// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle forgets everything, as a new one would know nothing, for a
 * machine booted again in place (pkvmsim_reset()).  Cheaper than
 * oracle_destroy() and oracle_create(): the per-CPU call records, the
 * bulk of the oracle, are rewritten by each call as it enters.
 */
#include "oracle_internal.h"

void oracle_reset(struct oracle *o, const struct pkvmsim_config *cfg)
{
	struct ovm *v, *next;
	unsigned int cpu;

	if (!o || !cfg)
		return;

	pthread_mutex_lock(&o->lock);
	RB_FOREACH_SAFE(v, ovm_tree, &o->vms, next)
		oracle_forget_vm(o, v);
	o->mode = cfg->mode;
	o->profile = cfg->profile;
	o->nr_cpus = cfg->nr_cpus < PKVMSIM_MAX_CPUS ? cfg->nr_cpus :
						       PKVMSIM_MAX_CPUS;
	o->in_flight = 0;
	o->entries = 0;
	for (cpu = 0; cpu < PKVMSIM_MAX_CPUS; cpu++) {
		o->calls[cpu].depth = 0;
		o->calls[cpu].alone = false;
	}
	memset(o->held_by, 0, sizeof(o->held_by));
	memset(o->held_refs, 0, sizeof(o->held_refs));
	memset(o->slot_reported, 0, sizeof(o->slot_reported));
	memset(o->refs_reported, 0, sizeof(o->refs_reported));
	memset(o->vcpu_reported, 0, sizeof(o->vcpu_reported));
	memset(o->cpu_reported, 0, sizeof(o->cpu_reported));
	o->nr_violations = 0;
	o->nr_judged = 0;
	o->nr_state_checks = 0;
	o->end_only = cfg->check == PKVMSIM_CHECK_END;
	o->dead = false;
	pthread_mutex_unlock(&o->lock);
}
