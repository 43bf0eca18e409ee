/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The oracle: checks the invariants of SPEC section 8 while the simulated
 * host and anyone else make hypercalls, and keeps what it finds as
 * structured violations.
 *
 * It sees three things: every hypercall (before and after, with the host
 * VM it is about, if any), the host's VM lifecycle events, and, white-box,
 * the hypervisor's state (the VM table, the per-CPU loaded vCPU, the page
 * ledger).  Checks that depend on the order of concurrent calls are made
 * only when no other hypercall overlapped the one being checked, so the
 * oracle never reports a false violation under real concurrency.  The
 * hooks sit above the transport, so an answer may come from a fault
 * injector or a mock: the hypervisor is judged by the state it changed,
 * never by an errno alone (an injected -ENOMEM looks like a full table).
 *
 * All functions are thread-safe.  Not a public header.
 */
#ifndef PKVMSIM_ORACLE_H
#define PKVMSIM_ORACLE_H

#include <stdarg.h>
#include <stdbool.h>

#include <pkvmsim/pkvmsim.h>

struct kvm;
struct oracle;

/* Create for a machine booted with @cfg; NULL on -ENOMEM. */
struct oracle *oracle_create(const struct pkvmsim_config *cfg);
void oracle_destroy(struct oracle *o);
/* Forget everything, as a new oracle for a machine booted with @cfg. */
void oracle_reset(struct oracle *o, const struct pkvmsim_config *cfg);

/* --- host VM lifecycle --- */

/*
 * Host VM @vm_id (>= 1) begins kvm_arch_init_vm() with @kvm, which stays
 * valid until oracle_vm_destroyed() or a failed oracle_vm_created().
 */
void oracle_vm_register(struct oracle *o, unsigned long vm_id,
			const struct kvm *kvm);
/*
 * VM creation ended with @ret.  On failure the VM is forgotten, after
 * checking it left nothing behind (invariant 3: a reserved handle was
 * unreserved; the host handle is 0).
 */
void oracle_vm_created(struct oracle *o, unsigned long vm_id, int cpu,
		       int ret);
/*
 * kvm_arch_destroy_vm() ended for @vm_id (@kvm still readable); @ret is
 * the teardown's result (0 if there was none).  Checks invariant 3 for
 * the VM (9 is checked at the teardown itself), then forgets it.  A
 * teardown that failed with -EBUSY leaks the slot by design: reported
 * under invariant 3 as such.
 */
void oracle_vm_destroyed(struct oracle *o, unsigned long vm_id, int cpu,
			 int ret);

/* --- hypercalls --- */

/*
 * One hypercall from @cpu, about host VM @vm_id (0: not the host model's,
 * e.g. a raw pkvmsim_hvc()).  @in is what was sent; @out what came back
 * (valid if @ret == 0); @ret what the transport returned.  @reached says
 * the hypervisor itself answered (once), not a decorator or a mock: then
 * the answer's errno is evidence too, not only what the call changed.
 */
void oracle_hvc_enter(struct oracle *o, int cpu, unsigned long vm_id,
		      const struct pkvmsim_regs *in);
void oracle_hvc_exit(struct oracle *o, int cpu, unsigned long vm_id,
		     const struct pkvmsim_regs *in,
		     const struct pkvmsim_regs *out, int ret, bool reached);

/*
 * The host tells the simulated TrustZone about VM @vm_id by @handle (@op
 * names the message): invariant 13 holds for it as for a hypercall.
 */
void oracle_tz_message(struct oracle *o, int cpu, unsigned long vm_id,
		       unsigned int handle, const char *op);

/*
 * A reference on the hyp VM of @handle taken or dropped outside any
 * hypercall, through <pkvmsim/inspect.h>.  The get or put is bracketed as
 * a hypercall is: oracle_hyp_ref_enter() before it (it counts as in
 * flight), oracle_hyp_ref_exit() after it with @delta +1 (taken), -1
 * (dropped) or 0 (none).  Invariant 8 then expects, with nothing in
 * flight, the loaded vCPUs' references plus those held.
 */
void oracle_hyp_ref_enter(struct oracle *o);
void oracle_hyp_ref_exit(struct oracle *o, unsigned int handle, int delta);

/*
 * Whole-state invariants: 1 (each LIVE slot's handle and VMID; each host
 * VM's handle against its slot), 8 (references = loaded vCPUs + held)
 * and 12.
 * Only checks when no hypercall is in flight; returns whether it checked.
 * A standing fault is reported once.
 */
bool oracle_check_state(struct oracle *o);
/*
 * After a host operation: oracle_check_state(), but not under CHECK_END;
 * when a report is asked for: oracle_check_state() under CHECK_END only,
 * whose whole check it is.
 */
void oracle_host_op_done(struct oracle *o);
void oracle_check_end(struct oracle *o);

/*
 * The machine died of a hypervisor BUG: from now on the oracle judges
 * nothing (what a dead machine leaves is no evidence) and only records
 * what oracle_report() is given.
 */
void oracle_machine_dead(struct oracle *o);

/* --- violations --- */

/* Record one violation; @invariant is 1..13 or a PKVMSIM_INV_* value. */
void oracle_report(struct oracle *o, unsigned int invariant,
		   unsigned long vm_id, unsigned int handle, int cpu,
		   const char *op, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Violations recorded so far. */
unsigned long oracle_count(struct oracle *o);
/*
 * oracle_count() without the lock, for a controlled run's scheduling
 * point, where the CPU that stopped there may hold it.  Only meaningful
 * while no other thread can report.
 */
unsigned long oracle_count_peek(const struct oracle *o);
/* Answers judged alone, and whole states checked, so far. */
void oracle_checked(struct oracle *o, unsigned long *judged,
		    unsigned long *state_checks);
/* Copy the first @max violations to @out; returns how many. */
unsigned int oracle_get(struct oracle *o, struct pkvmsim_violation *out,
			unsigned int max);
/*
 * One line, e.g. "invariant 13 (vm 2, handle 0x0, cpu 1,
 * __pkvm_tlb_flush_vmid): names no VM: handle 0"; returns what snprintf()
 * does, -EINVAL for a NULL @v.
 */
int oracle_format(const struct pkvmsim_violation *v, char *buf, size_t len);

#endif /* PKVMSIM_ORACLE_H */
