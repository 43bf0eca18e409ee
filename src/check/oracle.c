// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle: the invariants of SPEC section 8, checked while hypercalls
 * go by (see oracle.h for what it is told and when).
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
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* SPEC 4: the SVE hint bit the dispatcher clears. */
#define SMCCC_HINT		(1ULL << 16)

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

static int ovm_cmp(const struct ovm *a, const struct ovm *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

RB_HEAD(ovm_tree, ovm);
RB_GENERATE_STATIC(ovm_tree, ovm, node, ovm_cmp)

struct oracle {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	unsigned int		nr_cpus;

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
};

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

/* The handle in x1, truncated as DECLARE_REG(pkvm_handle_t) does. */
static unsigned int arg_handle(const struct pkvmsim_regs *in)
{
	return (unsigned int)in->x[1];
}

static unsigned int handle_idx(unsigned int handle)
{
	return handle - SIM_HANDLE_OFFSET;
}

/* The handler's int result, as it wrote it to x1 (sign-extended). */
static int result_of(const struct pkvmsim_regs *out)
{
	return (int)(int64_t)out->x[1];
}

static enum slot_kind kind_of(const struct pkvm_hyp_vm *slot)
{
	if (!slot)
		return ORA_FREE;
	if ((const void *)slot == SIM_RESERVED_ENTRY)
		return ORA_RESERVED;
	return ORA_LIVE;
}

static const char *kind_name(enum slot_kind kind)
{
	static const char *const names[] = {
		[ORA_FREE]	= "FREE",
		[ORA_RESERVED]	= "RESERVED",
		[ORA_LIVE]	= "LIVE",
	};

	return names[kind];
}

static struct pkvm_hyp_vm **table(void)
{
	return __atomic_load_n(&vm_table, __ATOMIC_ACQUIRE);
}

static void table_read(struct pkvm_hyp_vm **tbl, struct pkvm_hyp_vm **out)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		out[i] = __atomic_load_n(&tbl[i], __ATOMIC_RELAXED);
}

static uint64_t arena_bytes(void)
{
	return (uint64_t)sim_arena_nr_pages() * SIM_PAGE_SIZE;
}

/* Whether [@p, @p + @size) is hyp memory, so the oracle may read it. */
static bool hyp_ok(const void *p, size_t size)
{
	uintptr_t base = (uintptr_t)sim_arena_hyp_base();
	uintptr_t va = (uintptr_t)p;

	return base && va >= base && !(va & 7) &&
	       size <= arena_bytes() && va - base <= arena_bytes() - size;
}

static uint64_t hyp_phys(const void *p)
{
	if (!hyp_ok(p, 1))
		return ~0ULL;
	return SIM_PHYS_BASE + ((uintptr_t)p - (uintptr_t)sim_arena_hyp_base());
}

/* kern_hyp_va(), without trusting the hyp-dialect offset. */
static const void *hyp_alias(const void *host_va)
{
	uint64_t phys = sim_host_pa(host_va);

	if (phys == ~0ULL)
		return NULL;
	return (const char *)sim_arena_hyp_base() + (phys - SIM_PHYS_BASE);
}

static bool page_read(uint64_t phys, struct page_snap *s)
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

static void snap_host(struct page_snap *arr, unsigned int *nr,
		      const void *host_va, uint64_t size, unsigned int drop)
{
	uint64_t end = sim_host_pa((const char *)host_va + size - 1);

	/* Both ends in the arena, or the range is not (all) memory. */
	if (end == ~0ULL)
		return;
	snap_phys(arr, nr, sim_host_pa(host_va), size, drop);
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

static bool cpu_ok(int cpu)
{
	return cpu >= 0 && cpu < PKVMSIM_MAX_CPUS;
}

static struct ovm *find_vm(struct oracle *o, unsigned long id)
{
	struct ovm key = { .id = id };

	if (!id)
		return NULL;
	return RB_FIND(ovm_tree, &o->vms, &key);
}

static unsigned int kvm_handle(const struct ovm *v)
{
	return __atomic_load_n(&v->kvm->arch.pkvm.handle, __ATOMIC_RELAXED);
}

static bool kvm_is_created(const struct ovm *v)
{
	return __atomic_load_n(&v->kvm->arch.pkvm.is_created,
			       __ATOMIC_RELAXED);
}

/* --- violations --- */

static void vreport(struct oracle *o, unsigned int invariant,
		    unsigned long vm_id, unsigned int handle, int cpu,
		    const char *op, const char *fmt, va_list ap)
{
	struct pkvmsim_violation *v;
	struct pkvmsim_violation scratch;
	char line[320];

	v = o->nr_violations < ORACLE_KEPT ? &o->kept[o->nr_violations] :
					     &scratch;
	o->nr_violations++;

	memset(v, 0, sizeof(*v));
	v->invariant = invariant;
	v->vm = vm_id;
	v->handle = handle;
	v->cpu = cpu;
	snprintf(v->op, sizeof(v->op), "%s", op ? op : "-");
	vsnprintf(v->what, sizeof(v->what), fmt, ap);

	if (getenv("PKVMSIM_VERBOSE")) {
		oracle_format(v, line, sizeof(line));
		fprintf(stderr, "pkvmsim: oracle: %s\n", line);
	}
}

/* With o->lock held. */
static void __attribute__((format(printf, 7, 8)))
report(struct oracle *o, unsigned int invariant, unsigned long vm_id,
       unsigned int handle, int cpu, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(o, invariant, vm_id, handle, cpu, op, fmt, ap);
	va_end(ap);
}

void oracle_report(struct oracle *o, unsigned int invariant,
		   unsigned long vm_id, unsigned int handle, int cpu,
		   const char *op, const char *fmt, ...)
{
	va_list ap;

	if (!o || !fmt)
		return;
	pthread_mutex_lock(&o->lock);
	va_start(ap, fmt);
	vreport(o, invariant, vm_id, handle, cpu, op, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&o->lock);
}

unsigned long oracle_count(struct oracle *o)
{
	unsigned long n;

	if (!o)
		return 0;
	pthread_mutex_lock(&o->lock);
	n = o->nr_violations;
	pthread_mutex_unlock(&o->lock);
	return n;
}

unsigned int oracle_get(struct oracle *o, struct pkvmsim_violation *out,
			unsigned int max)
{
	unsigned long n;

	if (!o || !out)
		return 0;
	pthread_mutex_lock(&o->lock);
	n = o->nr_violations < ORACLE_KEPT ? o->nr_violations : ORACLE_KEPT;
	if (n > max)
		n = max;
	memcpy(out, o->kept, n * sizeof(*out));
	pthread_mutex_unlock(&o->lock);
	return (unsigned int)n;
}

int oracle_format(const struct pkvmsim_violation *v, char *buf, size_t len)
{
	char label[24];

	if (!v || (!buf && len))
		return -EINVAL;

	switch (v->invariant) {
	case PKVMSIM_INV_HOST_PANIC:
		snprintf(label, sizeof(label), "host panic");
		break;
	case PKVMSIM_INV_HYP_CRASH:
		snprintf(label, sizeof(label), "hyp crash");
		break;
	case PKVMSIM_INV_LEDGER:
		snprintf(label, sizeof(label), "ledger");
		break;
	default:
		snprintf(label, sizeof(label), "invariant %u", v->invariant);
		break;
	}
	return snprintf(buf, len, "%s (vm %lu, handle 0x%x, cpu %d, %s): %s",
			label, v->vm, v->handle, v->cpu, v->op, v->what);
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
	RB_INIT(&o->vms);
	pthread_mutex_init(&o->lock, NULL);
	return o;
}

static void forget_vm(struct oracle *o, struct ovm *v)
{
	unsigned int i;

	for (i = 0; i < NR_SLOTS; i++)
		if (o->held_by[i] == v->id)
			o->held_by[i] = 0;
	RB_REMOVE(ovm_tree, &o->vms, v);
	free(v);
}

void oracle_destroy(struct oracle *o)
{
	struct ovm *v, *next;

	if (!o)
		return;
	RB_FOREACH_SAFE(v, ovm_tree, &o->vms, next)
		forget_vm(o, v);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* --- the host's VMs --- */

void oracle_vm_register(struct oracle *o, unsigned long vm_id,
			const struct kvm *kvm)
{
	struct ovm *v;

	if (!o || !vm_id || !kvm)
		return;

	pthread_mutex_lock(&o->lock);
	v = find_vm(o, vm_id);
	if (v)
		forget_vm(o, v);
	v = calloc(1, sizeof(*v));
	if (v) {
		v->id = vm_id;
		v->kvm = kvm;
		RB_INSERT(ovm_tree, &o->vms, v);
	}
	pthread_mutex_unlock(&o->lock);
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

void oracle_vm_created(struct oracle *o, unsigned long vm_id, int cpu,
		       int ret)
{
	const char *op = "kvm_arch_init_vm";
	unsigned int handle;
	struct ovm *v;

	if (!o)
		return;

	pthread_mutex_lock(&o->lock);
	v = find_vm(o, vm_id);
	if (!v || !ret)
		goto out;

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
	forget_vm(o, v);
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
	v = find_vm(o, vm_id);
	if (!v)
		goto out;

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
	forget_vm(o, v);
out:
	pthread_mutex_unlock(&o->lock);
}

/* --- hypercalls: what the host says (any transport) --- */

/*
 * Invariant 13 for a call or message about @v naming @handle: never 0,
 * never another VM's, never other than its own.  Whether the host's own
 * handle is right is oracle_check_state()'s business.
 */
static void check_names(struct oracle *o, int cpu, struct ovm *v,
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

static void host_enter(struct oracle *o, int cpu, struct ovm *v,
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
	check_names(o, cpu, v, handle, op);

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

static void host_exit(struct oracle *o, int cpu, struct ovm *v,
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

/* --- hypercalls: what the hypervisor did (alone, real changes only) --- */

/* The vCPU slots of a hyp VM worth scanning (a hostile count is capped). */
static unsigned int hyp_vm_nr_vcpus(const struct pkvm_hyp_vm *vm)
{
	unsigned int nr = (unsigned int)vm->kvm.created_vcpus;

	return nr < SCAN_VCPUS ? nr : SCAN_VCPUS;
}

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
	snap_host(c->pins, &c->nr_pins, kvm, sizeof(*kvm), 0);
	snap_host(c->pages, &c->nr_pages, (const void *)(uintptr_t)in->x[2],
		  pkvm_get_hyp_vm_size(nr_vcpus), 0);
	snap_host(c->pages, &c->nr_pages, (const void *)(uintptr_t)in->x[3],
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

	nr_vcpus = hyp_vm_nr_vcpus(vm);
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

static void snapshot(struct ocall *c, struct ovm *v, unsigned long nr,
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
		snap_host(c->pages, &c->nr_pages,
			  (const void *)(uintptr_t)in->x[3],
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

/* A LIVE slot's hyp VM must carry the slot's handle and VMID (inv. 1). */
static void check_live_slot(struct oracle *o, int cpu, unsigned long vm_id,
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
		check_live_slot(o, cpu, vm_id, op, idx, now[idx]);
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

static void judge(struct oracle *o, int cpu, unsigned long vm_id,
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

	v = find_vm(o, vm_id);
	if (vm_id && o->mode != PKVMSIM_MODE_PROTECTED && is_pkvm_hcall(nr))
		report(o, 3, vm_id, 0, cpu, op,
		       "pKVM hypercall about a VM in %s mode (profile %s%s)",
		       pkvmsim_mode_name(o->mode) ?: "?",
		       pkvmsim_profile_name(o->profile) ?: "?",
		       o->profile == PKVMSIM_PROFILE_V3 && nr == NR_RESERVE ?
				": the reserve is not gated on pKVM mode" :
				"");
	else if (v && o->mode == PKVMSIM_MODE_PROTECTED)
		host_enter(o, cpu, v, nr, in, op);

	if (c && c->alone)
		snapshot(c, v, nr, in);
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

	v = find_vm(o, vm_id);
	if (v && o->mode == PKVMSIM_MODE_PROTECTED)
		host_exit(o, cpu, v, nr, in, delivered, result, ret, op);
	if (alone && c->have_table)
		judge(o, cpu, vm_id, v, nr, op, c, in, delivered, result,
		      reached && delivered);

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
	v = find_vm(o, vm_id);
	if (v && o->mode == PKVMSIM_MODE_PROTECTED)
		check_names(o, cpu, v, handle, op ? op : "tz");
	pthread_mutex_unlock(&o->lock);
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
				check_live_slot(o, -1, 0, op, i, vm);
			o->slot_reported[i] = vm;
			continue;
		}
		if (o->slot_reported[i] != vm &&
		    (vm->kvm.arch.pkvm.handle != handle ||
		     vm->kvm.arch.mmu.vmid.id != i + 1)) {
			o->slot_reported[i] = vm;
			check_live_slot(o, -1, 0, op, i, vm);
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

bool oracle_check_state(struct oracle *o)
{
	struct pkvm_hyp_vm *now[NR_SLOTS];
	struct pkvm_hyp_vm **tbl;

	if (!o)
		return false;

	pthread_mutex_lock(&o->lock);
	if (o->in_flight) {
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
	pthread_mutex_unlock(&o->lock);
	return true;
}
