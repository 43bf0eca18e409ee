/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the oracle's files share and nothing outside src/check sees: the
 * oracle's state, a call's snapshot, the ghost of each host VM, and the
 * helpers that read the hypervisor's state.  Not installed.
 *
 * One job a file:
 * - oracle.c: the entry points of oracle.h; which calls were alone (the
 *   calls in flight), the host's VM lifecycle (what a failed creation or a
 *   destroy left behind: invariant 3), references held outside
 *   hypercalls; and the three rules that keep the oracle free of false
 *   positives.
 * - ghost.c: the ghost of each host VM's reservation, and what the host
 *   says about its VMs (invariants 3, 10, 11, 13).
 * - judge.c: what the hypervisor did in a call that was alone
 *   (invariants 2, 4-9).
 * - state.c: the whole state, with no call in flight (1, 8, 12).
 * - report.c: the violations.
 *
 * What one file defines for another is named oracle_*, as the entry
 * points are, because the library exports every name that is not static.
 * All of it is called with o->lock held.
 */
#ifndef PKVMSIM_ORACLE_INTERNAL_H
#define PKVMSIM_ORACLE_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * tree.h marks its generated functions __unused, which only the libbsd
 * overlay defines.
 */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
#include <bsd/sys/tree.h>

#include <pkvmsim/pkvmsim.h>
#include "sim_env.h"
#include "hyp_state.h"
#include "oracle.h"

/* Violations kept in full; all are counted. */
#define ORACLE_KEPT		64
#define NR_SLOTS		KVM_MAX_PVMS
/* Pages one call's snapshot follows; more are simply not checked. */
#define SNAP_MAX		48
/* vCPUs of one hyp VM the oracle looks at (hostile VMs may claim more). */
#define SCAN_VCPUS		256

enum {
	NR_SHARE_HYP	= PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP,
	NR_UNSHARE_HYP	= PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
	NR_RESERVE	= PKVMSIM_HCALL_PKVM_RESERVE_VM,
	NR_UNRESERVE	= PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
	NR_INIT_VM	= PKVMSIM_HCALL_PKVM_INIT_VM,
	NR_INIT_VCPU	= PKVMSIM_HCALL_PKVM_INIT_VCPU,
	NR_TEARDOWN	= PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
	NR_VCPU_LOAD	= PKVMSIM_HCALL_PKVM_VCPU_LOAD,
	NR_VCPU_PUT	= PKVMSIM_HCALL_PKVM_VCPU_PUT,
	NR_TLB_FLUSH	= PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID,
};

enum slot_kind { ORA_FREE, ORA_RESERVED, ORA_LIVE };

/* One arena page as the ledger saw it. */
struct page_snap {
	uint64_t	phys;
	int		host_state;
	int		hyp_state;
	unsigned int	refs;
	/* Teardown: the pins it must drop on this page. */
	unsigned int	drop;
};

/* What a call looked like on the way in, if it was alone. */
struct ocall {
	/* Calls on this CPU in flight: more than one voids the record. */
	unsigned int		depth;
	bool			alone;
	/* o->entries right after this call entered. */
	uint64_t		gen;
	bool			have_table;
	struct pkvm_hyp_vm	*slots[NR_SLOTS];
	/* init_vm: the handle the hypervisor will read. */
	unsigned int		handle;
	/* teardown: references on the hyp VM. */
	unsigned int		vm_refs;
	/* Host pages the hypervisor pins (struct kvm, struct kvm_vcpu). */
	unsigned int		nr_pins;
	struct page_snap	pins[SNAP_MAX];
	/* Pages that change hands (donated areas, PGD). */
	unsigned int		nr_pages;
	struct page_snap	pages[SNAP_MAX];
};

/* A host VM, and the ghost of its reservation. */
struct ovm {
	RB_ENTRY(ovm)		node;
	unsigned long		id;
	const struct kvm	*kvm;
	/* The handle it reserved and has not given back; 0: none. */
	unsigned int		res;
	/* The last handle it gave back, and by which call. */
	unsigned int		gave_back;
	const char		*gave_back_by;
	/* init_vm succeeded for @res. */
	bool			init_ok;
	/* The table was seen to hold @res: 1 RESERVED, 2 LIVE with us. */
	int			seen;
	/* Last teardown error for @res, 0 if none failed. */
	int			teardown_err;
	/* @res was already reported against the table. */
	unsigned int		state_reported;
};

RB_HEAD(ovm_tree, ovm);
RB_PROTOTYPE(ovm_tree, ovm, node, ovm_cmp)

struct oracle {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	unsigned int		nr_cpus;
	/* PKVMSIM_CHECK_END: no answer judged, no state after each op. */
	bool			end_only;

	pthread_mutex_t		lock;		/* everything below */
	unsigned long		in_flight;
	uint64_t		entries;
	struct ocall		calls[PKVMSIM_MAX_CPUS];

	struct ovm_tree		vms;
	/* Which host VM holds each handle, by the answers it got; 0: none. */
	unsigned long		held_by[NR_SLOTS];
	/* References held outside hypercalls (oracle_hyp_ref_exit()). */
	unsigned int		held_refs[NR_SLOTS];

	/* Standing faults already reported, so a check does not repeat. */
	const void		*slot_reported[NR_SLOTS];
	const void		*refs_reported[NR_SLOTS];
	const void		*vcpu_reported[NR_SLOTS];
	const void		*cpu_reported[PKVMSIM_MAX_CPUS];

	unsigned long		nr_violations;
	struct pkvmsim_violation kept[ORACLE_KEPT];

	/* What was checked: answers judged, whole states compared. */
	unsigned long		nr_judged;
	unsigned long		nr_state_checks;
	/* The machine died (a hyp BUG): nothing more is judged. */
	bool			dead;
};

/* --- helpers --- */

/* The handle in x1, truncated as DECLARE_REG(pkvm_handle_t) does. */
static inline unsigned int arg_handle(const struct pkvmsim_regs *in)
{
	return (unsigned int)in->x[1];
}

static inline unsigned int handle_idx(unsigned int handle)
{
	return handle - SIM_HANDLE_OFFSET;
}

static inline enum slot_kind kind_of(const struct pkvm_hyp_vm *slot)
{
	if (!slot)
		return ORA_FREE;
	if ((const void *)slot == SIM_RESERVED_ENTRY)
		return ORA_RESERVED;
	return ORA_LIVE;
}

static inline const char *kind_name(enum slot_kind kind)
{
	static const char *const names[] = {
		[ORA_FREE]	= "FREE",
		[ORA_RESERVED]	= "RESERVED",
		[ORA_LIVE]	= "LIVE",
	};

	return names[kind];
}

static inline struct pkvm_hyp_vm **table(void)
{
	return __atomic_load_n(&vm_table, __ATOMIC_ACQUIRE);
}

static inline void table_read(struct pkvm_hyp_vm **tbl,
			      struct pkvm_hyp_vm **out)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		out[i] = __atomic_load_n(&tbl[i], __ATOMIC_RELAXED);
}

static inline uint64_t arena_bytes(void)
{
	return (uint64_t)sim_arena_nr_pages() * SIM_PAGE_SIZE;
}

/* Whether [@p, @p + @size) is hyp memory, so the oracle may read it. */
static inline bool hyp_ok(const void *p, size_t size)
{
	uintptr_t base = (uintptr_t)sim_arena_hyp_base();
	uintptr_t va = (uintptr_t)p;

	return base && va >= base && !(va & 7) &&
	       size <= arena_bytes() && va - base <= arena_bytes() - size;
}

static inline uint64_t hyp_phys(const void *p)
{
	if (!hyp_ok(p, 1))
		return ~0ULL;
	return SIM_PHYS_BASE + ((uintptr_t)p - (uintptr_t)sim_arena_hyp_base());
}

/* kern_hyp_va(), without trusting the hyp-dialect offset. */
static inline const void *hyp_alias(const void *host_va)
{
	uint64_t phys = sim_host_pa(host_va);

	if (phys == ~0ULL)
		return NULL;
	return (const char *)sim_arena_hyp_base() + (phys - SIM_PHYS_BASE);
}

static inline bool page_read(uint64_t phys, struct page_snap *s)
{
	struct sim_page_info info;

	memset(s, 0, sizeof(*s));
	s->phys = phys;
	if (phys == ~0ULL || sim_ledger_page(phys, &info))
		return false;
	s->host_state = info.host_state;
	s->hyp_state = info.hyp_state;
	s->refs = info.refcount;
	return true;
}

static inline unsigned int kvm_handle(const struct ovm *v)
{
	return __atomic_load_n(&v->kvm->arch.pkvm.handle, __ATOMIC_RELAXED);
}

static inline bool kvm_is_created(const struct ovm *v)
{
	return __atomic_load_n(&v->kvm->arch.pkvm.is_created,
			       __ATOMIC_RELAXED);
}

/* The vCPU slots of a hyp VM worth scanning (a hostile count is capped). */
static inline unsigned int hyp_vm_nr_vcpus(const struct pkvm_hyp_vm *vm)
{
	unsigned int nr = (unsigned int)vm->kvm.created_vcpus;

	return nr < SCAN_VCPUS ? nr : SCAN_VCPUS;
}

/* --- violations (report.c) --- */

void oracle_vreport(struct oracle *o, unsigned int invariant,
		    unsigned long vm_id, unsigned int handle, int cpu,
		    const char *op, const char *fmt, va_list ap);

/* With o->lock held. */
static inline void __attribute__((format(printf, 7, 8)))
report(struct oracle *o, unsigned int invariant, unsigned long vm_id,
       unsigned int handle, int cpu, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oracle_vreport(o, invariant, vm_id, handle, cpu, op, fmt, ap);
	va_end(ap);
}

/* --- the ghost of each host VM (ghost.c) --- */

struct ovm *oracle_find_vm(struct oracle *o, unsigned long id);
void oracle_forget_vm(struct oracle *o, struct ovm *v);
void oracle_check_names(struct oracle *o, int cpu, struct ovm *v,
			unsigned int handle, const char *op);
void oracle_host_enter(struct oracle *o, int cpu, struct ovm *v,
		       unsigned long nr, const struct pkvmsim_regs *in,
		       const char *op);
void oracle_host_exit(struct oracle *o, int cpu, struct ovm *v,
		      unsigned long nr, const struct pkvmsim_regs *in,
		      bool delivered, int result, int ret, const char *op);

/* --- what the hypervisor did (judge.c) --- */

void oracle_snapshot(struct ocall *c, struct ovm *v, unsigned long nr,
		     const struct pkvmsim_regs *in);
void oracle_judge(struct oracle *o, int cpu, unsigned long vm_id,
		  struct ovm *v, unsigned long nr, const char *op,
		  const struct ocall *c, const struct pkvmsim_regs *in,
		  bool delivered, int result, bool reached);

/* --- the whole state (state.c) --- */

void oracle_check_live_slot(struct oracle *o, int cpu, unsigned long vm_id,
			    const char *op, unsigned int idx,
			    struct pkvm_hyp_vm *vm);

#endif /* PKVMSIM_ORACLE_INTERNAL_H */
