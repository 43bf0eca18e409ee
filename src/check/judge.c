// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the hypervisor did in one hypercall, judged only if the call was
 * alone (the first rule in oracle.c): the table and the pages the call may
 * touch, read as it enters, against what is there as it leaves.  A change
 * the call may not make is a violation; its errno is judged only when the
 * hypervisor itself answered (the second rule).  Invariants 2 and 4 to 9,
 * and 1 for a slot that no call may write.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "oracle_internal.h"

/* --- helpers --- */

/*
 * Add the pages of [@phys, @phys + @size) to @arr, each with @drop pins to
 * lose; a page already there gains @drop.
 */
static void snap_phys(struct page_snap *arr, unsigned int *nr, uint64_t phys,
		      uint64_t size, unsigned int drop)
{
	uint64_t first, last, p;
	unsigned int i;

	if (phys == ~0ULL || !size)
		return;
	first = phys & ~(uint64_t)(SIM_PAGE_SIZE - 1);
	last = (phys + size - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
	for (p = first; p <= last; p += SIM_PAGE_SIZE) {
		for (i = 0; i < *nr && arr[i].phys != p; i++)
			;
		if (i < *nr) {
			arr[i].drop += drop;
			continue;
		}
		if (*nr == SNAP_MAX || !page_read(p, &arr[*nr]))
			return;
		arr[(*nr)++].drop = drop;
	}
}

/* @host_va is the host's word, any value: only integers until checked. */
static void snap_host(struct page_snap *arr, unsigned int *nr,
		      uint64_t host_va, uint64_t size, unsigned int drop)
{
	uint64_t last = host_va + size - 1;

	/* Both ends in the arena, or the range is not (all) memory. */
	if (!size || last < host_va ||
	    sim_host_pa((const void *)(uintptr_t)last) == ~0ULL)
		return;
	snap_phys(arr, nr, sim_host_pa((const void *)(uintptr_t)host_va),
		  size, drop);
}

static void snap_hyp(struct page_snap *arr, unsigned int *nr,
		     const void *hyp_va, uint64_t size, unsigned int drop)
{
	if (!hyp_ok(hyp_va, size))
		return;
	snap_phys(arr, nr, hyp_phys(hyp_va), size, drop);
}

static bool page_changed(const struct page_snap *s)
{
	struct page_snap now;

	return page_read(s->phys, &now) &&
	       (now.host_state != s->host_state ||
		now.hyp_state != s->hyp_state || now.refs != s->refs);
}

static bool any_page_changed(const struct page_snap *arr, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (page_changed(&arr[i]))
			return true;
	return false;
}

/* --- hypercalls: what the hypervisor did (alone, real changes only) --- */

static void snap_init_vm(struct ocall *c, struct ovm *v,
			 const struct pkvmsim_regs *in)
{
	const struct kvm *kvm = (const struct kvm *)(uintptr_t)in->x[1];
	bool own = v && v->kvm == kvm;
	int nr_vcpus = 1;

	/* A raw call's struct kvm is not the oracle's to read. */
	if (own) {
		c->handle = kvm_handle(v);
		nr_vcpus = __atomic_load_n(&kvm->created_vcpus,
					   __ATOMIC_RELAXED);
		if (nr_vcpus < 1 || nr_vcpus > SCAN_VCPUS)
			nr_vcpus = 1;
	}
	snap_host(c->pins, &c->nr_pins, in->x[1], sizeof(*kvm), 0);
	snap_host(c->pages, &c->nr_pages, in->x[2],
		  pkvm_get_hyp_vm_size(nr_vcpus), 0);
	snap_host(c->pages, &c->nr_pages, in->x[3],
		  kvm_pgtable_stage2_pgd_size(0), 0);
}

static void snap_teardown(struct ocall *c, const struct pkvmsim_regs *in)
{
	unsigned int idx = handle_idx(arg_handle(in));
	struct pkvm_hyp_vm *vm;
	unsigned int i, nr_vcpus;

	if (idx >= NR_SLOTS || kind_of(c->slots[idx]) != ORA_LIVE)
		return;
	vm = c->slots[idx];
	if (!hyp_ok(vm, sizeof(*vm)))
		return;

	/*
	 * Read now: a successful teardown zeroes all of this.  Each host page
	 * loses one pin per hyp object that pinned it.
	 */
	snap_hyp(c->pages, &c->nr_pages, vm, 1, 0);
	c->vm_refs = c->nr_pages ? c->pages[0].refs : 0;
	snap_hyp(c->pins, &c->nr_pins, vm->host_kvm, sizeof(struct kvm), 1);

	/*
	 * Every vCPU, not the capped scan: one host page pinned by more hyp
	 * vCPUs than that still loses all their pins.  The VM's own memory
	 * bounds the walk.
	 */
	nr_vcpus = (unsigned int)vm->kvm.created_vcpus;
	for (i = 0; i < nr_vcpus; i++) {
		struct pkvm_hyp_vcpu *hv;

		if (!hyp_ok(&vm->vcpus[i], sizeof(vm->vcpus[i])))
			break;
		hv = __atomic_load_n(&vm->vcpus[i], __ATOMIC_RELAXED);
		if (!hv || !hyp_ok(hv, sizeof(*hv)))
			continue;
		snap_hyp(c->pins, &c->nr_pins, hv->host_vcpu,
			 sizeof(struct kvm_vcpu), 1);
		snap_hyp(c->pages, &c->nr_pages, hv, sizeof(*hv), 0);
	}
	snap_hyp(c->pages, &c->nr_pages, vm,
		 pkvm_get_hyp_vm_size(vm->kvm.created_vcpus), 0);
	if (vm->pgt.pgd)
		snap_hyp(c->pages, &c->nr_pages, vm->pgt.pgd,
			 kvm_pgtable_stage2_pgd_size(0), 0);
}

void oracle_snapshot(struct ocall *c, struct ovm *v, unsigned long nr,
		     const struct pkvmsim_regs *in)
{
	struct pkvm_hyp_vm **tbl = table();

	if (!tbl)
		return;
	table_read(tbl, c->slots);
	c->have_table = true;

	switch (nr) {
	case NR_INIT_VM:
		snap_init_vm(c, v, in);
		break;
	case NR_INIT_VCPU:
		snap_host(c->pages, &c->nr_pages, in->x[3],
			  sizeof(struct pkvm_hyp_vcpu), 0);
		break;
	case NR_TEARDOWN:
		snap_teardown(c, in);
		break;
	}
}

/* What slot @idx held when @c's call entered; FREE out of range. */
static enum slot_kind kind_before(const struct ocall *c, unsigned int idx)
{
	return idx < NR_SLOTS ? kind_of(c->slots[idx]) : ORA_FREE;
}

/*
 * Report every slot @c's call changed other than @allowed (an index, or
 * NR_SLOTS for none) going @from -> @to.  Returns the number of changes.
 */
static unsigned int check_changes(struct oracle *o, int cpu,
				  unsigned long vm_id, const char *op,
				  unsigned int invariant,
				  const struct ocall *c,
				  struct pkvm_hyp_vm *const *now,
				  unsigned int allowed, enum slot_kind from,
				  enum slot_kind to)
{
	unsigned int i, changes = 0;

	for (i = 0; i < NR_SLOTS; i++) {
		enum slot_kind was = kind_of(c->slots[i]);
		enum slot_kind is = kind_of(now[i]);

		if (now[i] == c->slots[i])
			continue;
		changes++;
		if (i == allowed && was == from && is == to)
			continue;
		report(o, invariant, vm_id, SIM_HANDLE_OFFSET + i, cpu, op,
		       "changed slot 0x%x: %s -> %s%s",
		       SIM_HANDLE_OFFSET + i, kind_name(was), kind_name(is),
		       was == ORA_LIVE && is == ORA_LIVE ?
				" (another VM)" : "");
	}
	return changes;
}

static void judge_reserve(struct oracle *o, int cpu, unsigned long vm_id,
			  struct ovm *v, const char *op, const struct ocall *c,
			  struct pkvm_hyp_vm *const *now, bool ok, int result)
{
	unsigned int handle = (unsigned int)result;
	unsigned int idx = handle_idx(handle);
	unsigned int i, changes;

	if (!ok) {
		/* A failed reserve changes nothing. */
		check_changes(o, cpu, vm_id, op, 2, c, now, NR_SLOTS,
			      ORA_FREE, ORA_FREE);
		return;
	}

	changes = check_changes(o, cpu, vm_id, op, 2, c, now, idx, ORA_FREE,
				ORA_RESERVED);
	if (!changes)
		return;
	if (idx >= NR_SLOTS) {
		report(o, 2, vm_id, handle, cpu, op,
		       "returned 0x%x, outside the table", handle);
		return;
	}
	for (i = 0; i < idx; i++) {
		if (kind_of(c->slots[i]) != ORA_FREE)
			continue;
		report(o, 2, vm_id, handle, cpu, op,
		       "returned 0x%x while the lower slot 0x%x was FREE",
		       handle, SIM_HANDLE_OFFSET + i);
		break;
	}
	if (v && v->res == handle && kind_of(now[idx]) == ORA_RESERVED)
		v->seen = 1;
}

static void judge_init_vm(struct oracle *o, int cpu, unsigned long vm_id,
			  struct ovm *v, const char *op, const struct ocall *c,
			  struct pkvm_hyp_vm *const *now,
			  const struct pkvmsim_regs *in, bool ok)
{
	const struct kvm *kvm = (const struct kvm *)(uintptr_t)in->x[1];
	bool own = v && v->kvm == kvm;
	unsigned int idx = NR_SLOTS, i, changes;
	struct page_snap s;

	if (!ok) {
		/* Invariant 6: slot as it was, nothing donated or pinned. */
		check_changes(o, cpu, vm_id, op, 6, c, now, NR_SLOTS,
			      ORA_FREE, ORA_FREE);
		for (i = 0; i < c->nr_pins; i++) {
			if (!page_changed(&c->pins[i]))
				continue;
			page_read(c->pins[i].phys, &s);
			report(o, 6, vm_id, c->handle, cpu, op,
			       "failed, but the host kvm page 0x%" PRIx64
			       " has %u pins, %u before", s.phys, s.refs,
			       c->pins[i].refs);
		}
		for (i = 0; i < c->nr_pages; i++) {
			if (!page_changed(&c->pages[i]))
				continue;
			page_read(c->pages[i].phys, &s);
			report(o, 6, vm_id, c->handle, cpu, op,
			       "failed, but donated page 0x%" PRIx64 " is now "
			       "host %s, hyp %s, %u refs", s.phys,
			       sim_page_state_name(s.host_state),
			       sim_page_state_name(s.hyp_state), s.refs);
		}
		return;
	}

	/* Success.  Which slot: the host's own handle, or the one it took. */
	if (own) {
		idx = handle_idx(c->handle);
	} else {
		for (i = 0; i < NR_SLOTS; i++)
			if (now[i] != c->slots[i]) {
				idx = i;
				break;
			}
	}
	changes = check_changes(o, cpu, vm_id, op, 5, c, now, idx,
				ORA_RESERVED, ORA_LIVE);
	if (!changes && !any_page_changed(c->pins, c->nr_pins) &&
	    !any_page_changed(c->pages, c->nr_pages))
		return;		/* the answer did not come from the hyp */

	if (idx >= NR_SLOTS) {
		report(o, 5, vm_id, c->handle, cpu, op,
		       own ? "succeeded for handle 0x%x, which names no slot" :
			     "succeeded, but no slot went LIVE (handle 0x%x)",
		       c->handle);
	} else if (kind_of(now[idx]) != ORA_LIVE) {
		report(o, 5, vm_id, SIM_HANDLE_OFFSET + idx, cpu, op,
		       "succeeded, but slot 0x%x is %s",
		       SIM_HANDLE_OFFSET + idx, kind_name(kind_of(now[idx])));
	} else {
		if (kind_of(c->slots[idx]) != ORA_RESERVED)
			report(o, 5, vm_id, SIM_HANDLE_OFFSET + idx, cpu, op,
			       "succeeded on a slot that was %s",
			       kind_name(kind_of(c->slots[idx])));
		oracle_check_live_slot(o, cpu, vm_id, op, idx, now[idx]);
		if (hyp_ok(now[idx], sizeof(*now[idx])) &&
		    (const void *)now[idx]->host_kvm != hyp_alias(kvm))
			report(o, 5, vm_id, SIM_HANDLE_OFFSET + idx, cpu, op,
			       "slot 0x%x went LIVE for another struct kvm",
			       SIM_HANDLE_OFFSET + idx);
		else if (own && v->res == c->handle)
			v->seen = 2;
	}

	for (i = 0; i < c->nr_pins; i++) {
		if (!page_read(c->pins[i].phys, &s) ||
		    s.refs == c->pins[i].refs + 1)
			continue;
		report(o, 5, vm_id, c->handle, cpu, op,
		       "succeeded, but the host kvm page 0x%" PRIx64
		       " has %u pins, %u before", s.phys, s.refs,
		       c->pins[i].refs);
	}
	for (i = 0; i < c->nr_pages; i++) {
		if (!page_read(c->pages[i].phys, &s) ||
		    (s.host_state == PKVM_NOPAGE &&
		     s.hyp_state == PKVM_PAGE_OWNED))
			continue;
		report(o, 5, vm_id, c->handle, cpu, op,
		       "succeeded, but page 0x%" PRIx64 " was not donated "
		       "(host %s, hyp %s)", s.phys,
		       sim_page_state_name(s.host_state),
		       sim_page_state_name(s.hyp_state));
	}
}

static void judge_init_vcpu(struct oracle *o, int cpu, unsigned long vm_id,
			    const char *op, const struct ocall *c,
			    struct pkvm_hyp_vm *const *now,
			    const struct pkvmsim_regs *in, bool ok)
{
	unsigned int handle = arg_handle(in);
	unsigned int idx = handle_idx(handle);
	enum slot_kind was = kind_before(c, idx);

	check_changes(o, cpu, vm_id, op, was == ORA_RESERVED ? 7 : 1, c, now,
		      NR_SLOTS, ORA_FREE, ORA_FREE);

	/*
	 * Invariant 7: lookup never yields the sentinel.  A success is the
	 * hypervisor's only if it kept the vCPU area.
	 */
	if (ok && was != ORA_LIVE && any_page_changed(c->pages, c->nr_pages))
		report(o, 7, vm_id, handle, cpu, op,
		       "succeeded on a %s slot", kind_name(was));
}

static void judge_teardown(struct oracle *o, int cpu, unsigned long vm_id,
			   const char *op, const struct ocall *c,
			   struct pkvm_hyp_vm *const *now,
			   const struct pkvmsim_regs *in, bool ok)
{
	unsigned int handle = arg_handle(in);
	unsigned int idx = handle_idx(handle);
	enum slot_kind was = kind_before(c, idx);
	unsigned int invariant = was == ORA_RESERVED ? 7 :
				 was == ORA_LIVE && c->vm_refs ? 8 : 9;
	bool evidence;
	struct page_snap s;
	unsigned int i;

	/* Only a successful teardown of an unreferenced LIVE VM frees it. */
	evidence = check_changes(o, cpu, vm_id, op, invariant, c, now,
				 ok && invariant == 9 ? idx : NR_SLOTS,
				 ORA_LIVE, ORA_FREE) != 0;
	if (!ok || was != ORA_LIVE)
		return;

	evidence = evidence || any_page_changed(c->pins, c->nr_pins);
	if (!evidence)
		return;		/* the answer did not come from the hyp */

	if (c->vm_refs) {
		/* Invariant 8 (a changed slot is reported above). */
		if (now[idx] == c->slots[idx])
			report(o, 8, vm_id, handle, cpu, op,
			       "succeeded with %u references held",
			       c->vm_refs);
		return;
	}

	/* Invariant 9: slot FREE, every pin dropped, every page home. */
	if (now[idx] == c->slots[idx])
		report(o, 9, vm_id, handle, cpu, op,
		       "succeeded, but slot 0x%x is still %s", handle,
		       kind_name(was));
	for (i = 0; i < c->nr_pins; i++) {
		if (!page_read(c->pins[i].phys, &s) ||
		    s.refs + c->pins[i].drop == c->pins[i].refs)
			continue;
		report(o, 9, vm_id, handle, cpu, op,
		       "host page 0x%" PRIx64 " has %u pins after teardown, "
		       "expected %u", s.phys, s.refs,
		       c->pins[i].refs - c->pins[i].drop);
	}
	for (i = 0; i < c->nr_pages; i++) {
		if (!page_read(c->pages[i].phys, &s) ||
		    (s.host_state == PKVM_PAGE_OWNED &&
		     s.hyp_state == PKVM_NOPAGE && !s.refs))
			continue;
		report(o, 9, vm_id, handle, cpu, op,
		       "page 0x%" PRIx64 " is not back with the host (host "
		       "%s, hyp %s, %u refs)", s.phys,
		       sim_page_state_name(s.host_state),
		       sim_page_state_name(s.hyp_state), s.refs);
	}
}

/*
 * The hypervisor itself answered: its errno must fit the state the call
 * found (@c, read while the call was alone), as SPEC 3 says.
 */
static void judge_answer(struct oracle *o, int cpu, unsigned long vm_id,
			 unsigned long nr, const char *op,
			 const struct ocall *c, struct pkvm_hyp_vm *const *now,
			 unsigned int handle, int result)
{
	unsigned int idx = handle_idx(handle), i;
	enum slot_kind was = kind_before(c, idx);

	switch (nr) {
	case NR_RESERVE:
		if (result != -ENOMEM)
			break;
		for (i = 0; i < NR_SLOTS; i++) {
			if (kind_of(c->slots[i]) != ORA_FREE)
				continue;
			report(o, 2, vm_id, 0, cpu, op, "-ENOMEM while slot "
			       "0x%x was FREE", SIM_HANDLE_OFFSET + i);
			break;
		}
		break;
	case NR_UNRESERVE:
		if (was == ORA_RESERVED && kind_of(now[idx]) != ORA_FREE)
			report(o, 4, vm_id, handle, cpu, op,
			       "left RESERVED slot 0x%x %s", handle,
			       kind_name(kind_of(now[idx])));
		break;
	case NR_INIT_VCPU:
	case NR_TEARDOWN:
		/*
		 * init_vcpu takes the vCPU area before it looks the handle
		 * up, so pages it cannot take answer -ENOMEM first.
		 */
		if (was == ORA_RESERVED && result != -ENOENT &&
		    !(nr == NR_INIT_VCPU && result == -ENOMEM))
			report(o, 7, vm_id, handle, cpu, op, "answered %d "
			       "on a RESERVED slot, not -ENOENT", result);
		else if (nr == NR_TEARDOWN && was == ORA_LIVE &&
			 c->vm_refs && result != -EBUSY)
			report(o, 8, vm_id, handle, cpu, op, "answered %d "
			       "with %u references held, not -EBUSY", result,
			       c->vm_refs);
		break;
	}
}

void oracle_judge(struct oracle *o, int cpu, unsigned long vm_id,
		  struct ovm *v, unsigned long nr, const char *op,
		  const struct ocall *c, const struct pkvmsim_regs *in,
		  bool delivered, int result, bool reached)
{
	struct pkvm_hyp_vm *now[NR_SLOTS];
	struct pkvm_hyp_vm **tbl = table();
	unsigned int handle = arg_handle(in);

	if (!tbl)
		return;
	table_read(tbl, now);
	if (reached)
		judge_answer(o, cpu, vm_id, nr, op, c, now, handle, result);

	switch (nr) {
	case NR_RESERVE:
		judge_reserve(o, cpu, vm_id, v, op, c, now,
			      delivered && result >= 0, result);
		break;
	case NR_UNRESERVE:
		/* Invariant 4: only RESERVED -> FREE, of the named slot. */
		check_changes(o, cpu, vm_id, op, 4, c, now, handle_idx(handle),
			      ORA_RESERVED, ORA_FREE);
		break;
	case NR_INIT_VM:
		judge_init_vm(o, cpu, vm_id, v, op, c, now, in,
			      delivered && !result);
		break;
	case NR_INIT_VCPU:
		judge_init_vcpu(o, cpu, vm_id, op, c, now, in,
				delivered && !result);
		break;
	case NR_TEARDOWN:
		judge_teardown(o, cpu, vm_id, op, c, now, in,
			       delivered && !result);
		break;
	default:
		/* Nothing else writes a slot. */
		check_changes(o, cpu, vm_id, op, 1, c, now, NR_SLOTS,
			      ORA_FREE, ORA_FREE);
		break;
	}
}
