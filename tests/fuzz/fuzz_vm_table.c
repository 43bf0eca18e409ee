// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vm_table: the hypervisor's VM table against a reference model.
 *
 * The input is a sequence of operations on the table, made one hypercall
 * (or one <pkvmsim/inspect.h> call) at a time by a test host that owns a
 * few struct kvm and struct kvm_vcpu of its own: reserve, unreserve,
 * init_vm, init_vcpu, vCPU load and put, hyp VM get and put, teardown and
 * a TLB flush, on handles drawn to hit the edges (0, 0xfff, 0x1000,
 * 0x10fe, 0x10ff, high bits, 64-bit registers, stale handles of torn-down
 * VMs, handles RESERVED or LIVE right now), with donations and pins that
 * fail: misaligned or not-owned areas, unshared structures, and failures
 * injected below the hypervisor (sim_inject.h).
 *
 * After every operation its answer and the whole table are compared with
 * vm_table_model.c, written from SPEC 1-3 (the table read white-box each
 * time, and through pkvmsim_table_snapshot() after every eighth and the
 * last), and no violation may have been recorded.  At the end of
 * the input the test host gives everything back (puts, teardowns,
 * unreserves, unshares, frees) and the page ledger must balance
 * (pkvmsim_check()).  Any difference prints the operation, its handle and
 * what was expected, and aborts: libFuzzer's convention for a finding.
 *
 * One simulator serves every input: pkvmsim_reset() brings it back to a
 * fresh boot at the cost of the pages the input touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/pkvmsim.h>
#include <pkvmsim/inspect.h>
#include "sim_env.h"
#include "sim_inject.h"
#include "hyp_state.h"
#include "machine.h"
#include "oracle.h"

#include "fuzz_input.h"
#include "vm_table_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR_CPUS_SIM	4
#define ARENA_PAGES	1024UL
/* The last kvm and the last vCPU of each are never shared: pins fail. */
#define NR_KVMS		4
#define NR_VCPUS	4
#define MAX_OPS		512
#define NR_STALE	4

struct hkvm {
	struct kvm	*kvm;
	struct kvm_vcpu	*vcpu[NR_VCPUS];
};

/* An area an init call donates, and what the model may expect of it. */
struct area {
	void		*va;		/* pages to free if it comes back */
	unsigned long	pages;
	uint64_t	hva;		/* what the call passes */
	bool		ok;		/* donatable */
	bool		inject;		/* its donation fails by injection */
};

static struct {
	struct pkvmsim		*sim;
	struct pkvmsim_config	cfg;
	struct vm_table_model	model;
	struct hkvm		kvm[NR_KVMS];
	unsigned int		stale[NR_STALE];
	unsigned int		nr_stale;
	unsigned long		op;
	const char		*opname;
	unsigned int		handle;
	struct pkvmsim_table	table;
	struct pkvmsim_report	report;
	/* PKVMSIM_FUZZ_TRACE set: each operation and answer on stderr. */
	bool			trace;
} h;

static unsigned long pages_for(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

/* --- findings --- */

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_vm_table: operation #%lu %s (handle 0x%x): ",
		h.op, h.opname ? h.opname : "?", h.handle);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (h.sim && pkvmsim_check(h.sim, &h.report))
		fprintf(stderr, "%s", h.report.text);
	abort();
}

static void expect(int got, int want)
{
	if (h.trace)
		fprintf(stderr, "#%lu %s(0x%x) = %d\n", h.op, h.opname,
			h.handle, got);
	if (got != want)
		fail("answered %d, the model expected %d", got, want);
}

/*
 * The table and the records against the model, after every operation:
 * read white-box each time, and through pkvmsim_table_snapshot() after
 * every eighth operation and at the end of the input (@snapshot).
 */
static void verify(bool snapshot)
{
	char why[256];

	if (oracle_count(h.sim->oracle) ||
	    sim_ledger_count(SIM_LEDGER_VIOLATION))
		fail("a violation was recorded");
	if (model_peek(&h.model, h.sim, why, sizeof(why)))
		fail("the table differs from the model: %s", why);
	if (!snapshot && h.op % 8)
		return;
	if (pkvmsim_table_snapshot(h.sim, &h.table))
		fail("pkvmsim_table_snapshot failed");
	if (model_compare(&h.model, &h.table, why, sizeof(why)))
		fail("the snapshot differs from the model: %s", why);
}

/* --- the test host: hypercalls, pages --- */

/* Hypercall @nr from @cpu; the dispatcher must take it.  Returns x1. */
static int hvc(unsigned int cpu, unsigned long nr, uint64_t a1, uint64_t a2,
	       uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};
	int ret = pkvmsim_hvc(h.sim, cpu, &regs);

	if (ret)
		fail("pkvmsim_hvc(%lu) failed: %d", nr, ret);
	if (regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		fail("hypercall %lu refused: x0 = %#llx", nr,
		     (unsigned long long)regs.x[0]);
	return (int)(int64_t)regs.x[1];
}

static void *alloc_pages(unsigned long nr)
{
	void *va = sim_host_alloc_pages(nr);

	if (!va)
		fail("the test host is out of arena pages (%lu)", nr);
	return va;
}

static void free_pages(void *va, unsigned long nr)
{
	if (sim_host_free_pages(va, nr))
		fail("page %p did not come back to the host", va);
}

static void share(void *va, bool on)
{
	int ret = hvc(0, on ? PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP :
			      PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
		      sim_host_pfn(va), 0, 0);

	if (ret)
		fail("%s of a test host page failed: %d",
		     on ? "share" : "unshare", ret);
}

static bool kvm_shared(unsigned int k)
{
	return k < NR_KVMS - 1;
}

static bool vcpu_shared(unsigned int v)
{
	return v < NR_VCPUS - 1;
}

/* The test host's struct kvm @k, made (and shared) on first use. */
static struct kvm *kvm_of(unsigned int k)
{
	struct hkvm *hk = &h.kvm[k];

	if (!hk->kvm) {
		hk->kvm = alloc_pages(pages_for(sizeof(struct kvm)));
		if (kvm_shared(k))
			share(hk->kvm, true);
	}
	return hk->kvm;
}

static struct kvm_vcpu *vcpu_of(unsigned int k, unsigned int v)
{
	struct hkvm *hk = &h.kvm[k];

	if (!hk->vcpu[v]) {
		hk->vcpu[v] = alloc_pages(1);
		hk->vcpu[v]->kvm = kvm_of(k);
		if (vcpu_shared(v))
			share(hk->vcpu[v], true);
	}
	return hk->vcpu[v];
}

/* Area variants: most good, the others refused by the donation. */
static void area_get(struct area *a, unsigned int kind, unsigned long bytes,
		     bool fits)
{
	memset(a, 0, sizeof(*a));
	switch (kind % 8) {
	case 5:		/* misaligned: not PAGE_ALIGNED */
		a->pages = 1;
		a->va = alloc_pages(1);
		a->hva = (uint64_t)(uintptr_t)a->va + 64;
		return;
	case 6:		/* shared with the hyp, so not the host's to give */
		a->hva = (uint64_t)(uintptr_t)kvm_of(0);
		return;
	case 7:		/* a good area whose donation is made to fail */
		a->inject = true;
		break;
	default:
		break;
	}
	/* An area for a huge vCPU count cannot be: one page, refused. */
	a->pages = fits ? pages_for(bytes) : 1;
	a->va = alloc_pages(a->pages);
	a->hva = (uint64_t)(uintptr_t)a->va;
	a->ok = fits && !a->inject;
}

/* After the call: a refused area is the host's again. */
static void area_put(struct area *a, int ret)
{
	if (ret && a->va)
		free_pages(a->va, a->pages);
}

/* Free what the teardown memcaches of struct kvm @k hold. */
static void reclaim(int k)
{
	struct kvm_protected_vm *pkvm;

	if (k < 0 || k >= NR_KVMS || !h.kvm[k].kvm)
		fail("teardown of a VM of no struct kvm of the test host");
	pkvm = &h.kvm[k].kvm->arch.pkvm;
	sim_host_free_memcache(&pkvm->teardown_mc.head,
			       &pkvm->teardown_mc.nr_pages);
	sim_host_free_memcache(&pkvm->stage2_teardown_mc.head,
			       &pkvm->stage2_teardown_mc.nr_pages);
	if (pkvm->teardown_mc.nr_pages || pkvm->stage2_teardown_mc.nr_pages)
		fail("pages of a torn-down VM could not be freed");
}

/* --- handles --- */

static unsigned int nth_in_state(enum model_state state, unsigned int n,
				 unsigned int fallback)
{
	unsigned int i, count = 0;

	for (i = 0; i < MODEL_SLOTS; i++)
		count += h.model.state[i] == state;
	if (!count)
		return fallback;
	n %= count;
	for (i = 0; i < MODEL_SLOTS; i++)
		if (h.model.state[i] == state && !n--)
			break;
	return MODEL_HANDLE_OFFSET + i;
}

static void forget_handle(unsigned int handle)
{
	h.stale[h.nr_stale++ % NR_STALE] = handle;
}

/* A handle: an edge, a stale one, or one RESERVED or LIVE right now. */
static unsigned int pick_handle(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);

	switch (b % 16) {
	case 0:
		return 0;
	case 1:
		return 0x0fff;
	case 2:
		return 0x1000;
	case 3:
		return 0x10fe;
	case 4:
		return 0x10ff;
	case 5:
		return 0x80001000;
	case 6:
		return 0xffffffff;
	case 7:		/* a slot's handle with a high bit set */
		return (0x1000 + fuzz_u8(in)) | 1U << (16 + (b >> 4));
	case 8:
	case 9:
		if (!h.nr_stale)
			return 0x1000;
		return h.stale[fuzz_u8(in) % (h.nr_stale < NR_STALE ?
					       h.nr_stale : NR_STALE)];
	case 10:
	case 11:
		return nth_in_state(MODEL_RESERVED, fuzz_u8(in), 0x1000);
	case 12:
	case 13:
	case 14:
		return nth_in_state(MODEL_LIVE, fuzz_u8(in), 0x1000);
	default:
		return 0x1000 + fuzz_u8(in);
	}
}

/* x1 for @handle: sometimes with bits 32-63 set, which DECLARE_REG drops. */
static uint64_t handle_reg(struct fuzz_input *in, unsigned int handle)
{
	uint8_t hi = fuzz_u8(in);

	return (uint64_t)handle | (hi & 1 ? (uint64_t)hi << 32 : 0);
}

static unsigned int pick_cpu(struct fuzz_input *in)
{
	return fuzz_below(in, NR_CPUS_SIM);
}

/* created_vcpus as the host writes it: 0, small, the limit, or huge. */
static const int vcpu_counts[] = {
	1, 2, 3, 4, 0, 8, 64, (int)MODEL_MAX_VCPUS, -1, 0x7fffffff,
	0x10000000,
};

static const unsigned int vcpu_indexes[] = {
	0, 1, 2, 3, 7, 63, 64, MODEL_MAX_VCPUS - 1, MODEL_MAX_VCPUS,
	0xffffffff,
};

/* --- operations --- */

static void op_begin(const char *name, unsigned int handle)
{
	h.opname = name;
	h.handle = handle;
}

static void op_reserve(struct fuzz_input *in, unsigned int count)
{
	unsigned int cpu = pick_cpu(in);

	op_begin("reserve", 0);
	while (count--) {
		int want = model_reserve(&h.model);

		expect(hvc(cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0), want);
		if (want < 0)
			break;
	}
}

static void op_unreserve(struct fuzz_input *in)
{
	unsigned int handle = pick_handle(in);
	int idx = model_slot_of(handle);
	bool frees = h.model.has_table && idx >= 0 &&
		     h.model.state[idx] == MODEL_RESERVED;

	op_begin("unreserve", handle);
	model_unreserve(&h.model, handle);
	hvc(pick_cpu(in), PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
	    handle_reg(in, handle), 0, 0);
	if (frees)
		forget_handle(handle);
}

/*
 * How an init call's pages behave, from one byte each: the area kind
 * (area_get()), the pin made to fail, the feature bit.
 */
#define HOW_INJECT_PIN(b)	(((b) & 0x38) == 0x38)
#define HOW_FLAG(b)		(((b) & 0xc0) == 0xc0)

static void op_init_vm(struct fuzz_input *in)
{
	unsigned int k = fuzz_below(in, NR_KVMS);
	unsigned int handle = pick_handle(in);
	unsigned int nr = (unsigned int)vcpu_counts[fuzz_below(in,
				sizeof(vcpu_counts) / sizeof(vcpu_counts[0]))];
	unsigned int how = fuzz_u8(in), how_pgd = fuzz_u8(in);
	bool fits = nr <= MODEL_MAX_VCPUS;
	bool protected_vm = HOW_FLAG(how);
	struct model_init_vm a;
	struct area vm_area, pgd;
	struct kvm *kvm;
	int want, ret;

	op_begin("__pkvm_init_vm", handle);
	if (!h.model.has_table)
		return;		/* a hypervisor crash in nVHE: not this test */

	kvm = kvm_of(k);
	kvm->created_vcpus = (int)nr;
	kvm->arch.pkvm.handle = handle;
	kvm->arch.pkvm.is_protected = protected_vm;
	area_get(&vm_area, how, pkvm_get_hyp_vm_size(nr), fits);
	area_get(&pgd, how_pgd, kvm_pgtable_stage2_pgd_size(0), true);

	a = (struct model_init_vm){
		.kvm_pinnable = kvm_shared(k) && !HOW_INJECT_PIN(how),
		.created_vcpus = nr,
		.handle = handle,
		.vm_area_ok = vm_area.ok,
		.pgd_ok = pgd.ok,
		.is_protected = protected_vm,
		.owner = (int)k,
	};
	want = model_init_vm(&h.model, &a);

	if (HOW_INJECT_PIN(how))
		sim_inject_arm(SIM_INJECT_PIN, 0, 1);
	if (vm_area.inject || pgd.inject)
		sim_inject_arm(SIM_INJECT_DONATE, vm_area.inject ? 0 : 1, 1);
	ret = hvc(pick_cpu(in), PKVMSIM_HCALL_PKVM_INIT_VM,
		  (uint64_t)(uintptr_t)kvm, vm_area.hva, pgd.hva);
	sim_inject_reset();
	expect(ret, want);
	area_put(&vm_area, ret);
	area_put(&pgd, ret);
}

static void op_init_vcpu(struct fuzz_input *in)
{
	unsigned int handle = pick_handle(in);
	unsigned int k = fuzz_below(in, NR_KVMS);
	unsigned int v = fuzz_below(in, NR_VCPUS);
	unsigned int idx = vcpu_indexes[fuzz_below(in,
				sizeof(vcpu_indexes) / sizeof(vcpu_indexes[0]))];
	unsigned int how = fuzz_u8(in);
	struct model_init_vcpu a;
	struct kvm_vcpu *vcpu;
	struct area area;
	int want, ret;

	op_begin("__pkvm_init_vcpu", handle);
	if (!h.model.has_table)
		return;

	vcpu = vcpu_of(k, v);
	vcpu->vcpu_idx = (int)idx;
	vcpu->arch.features = HOW_FLAG(how) ? 1UL << KVM_ARM_VCPU_SVE : 0;
	area_get(&area, how, sizeof(struct pkvm_hyp_vcpu), true);

	a = (struct model_init_vcpu){
		.handle = handle,
		.area_ok = area.ok,
		.vcpu_pinnable = vcpu_shared(v) && !HOW_INJECT_PIN(how),
		.sve = HOW_FLAG(how),
		.vcpu_idx = idx,
	};
	want = model_init_vcpu(&h.model, &a);

	if (HOW_INJECT_PIN(how))
		sim_inject_arm(SIM_INJECT_PIN, 0, 1);
	if (area.inject)
		sim_inject_arm(SIM_INJECT_DONATE, 0, 1);
	ret = hvc(pick_cpu(in), PKVMSIM_HCALL_PKVM_INIT_VCPU,
		  handle_reg(in, handle), (uint64_t)(uintptr_t)vcpu, area.hva);
	sim_inject_reset();
	expect(ret, want);
	area_put(&area, ret);
}

static void op_vcpu_load(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	unsigned int handle = pick_handle(in);
	unsigned int idx = vcpu_indexes[fuzz_below(in,
				sizeof(vcpu_indexes) / sizeof(vcpu_indexes[0]))];

	op_begin("__pkvm_vcpu_load", handle);
	model_vcpu_load(&h.model, cpu, handle, idx);
	hvc(cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, handle_reg(in, handle), idx,
	    fuzz_u8(in) & 1 ? ~0ULL : 0);
}

static void op_vcpu_put(unsigned int cpu)
{
	op_begin("__pkvm_vcpu_put", 0);
	model_vcpu_put(&h.model, cpu);
	hvc(cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
}

static void op_get(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	unsigned int handle = pick_handle(in);
	bool np = fuzz_u8(in) & 1;

	op_begin(np ? "pkvmsim_hyp_vm_get_np" : "pkvmsim_hyp_vm_get", handle);
	expect(np ? pkvmsim_hyp_vm_get_np(h.sim, cpu, handle) :
		    pkvmsim_hyp_vm_get(h.sim, cpu, handle),
	       model_get(&h.model, handle, np));
}

static void op_put(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	unsigned int handle = pick_handle(in);

	op_begin("pkvmsim_hyp_vm_put", handle);
	expect(pkvmsim_hyp_vm_put(h.sim, cpu, handle),
	       model_put(&h.model, handle));
}

static void teardown(unsigned int cpu, unsigned int handle, uint64_t reg)
{
	int idx = model_slot_of(handle);
	int owner = idx >= 0 ? h.model.vm[idx].owner : -1;
	int want, ret;

	op_begin("__pkvm_teardown_vm", handle);
	if (!h.model.has_table)
		return;
	want = model_teardown(&h.model, handle);
	ret = hvc(cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, reg, 0, 0);
	expect(ret, want);
	if (!ret) {
		reclaim(owner);
		forget_handle(handle);
	}
}

static void op_teardown(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	unsigned int handle = pick_handle(in);

	teardown(cpu, handle, handle_reg(in, handle));
}

static void op_tlb_flush(struct fuzz_input *in)
{
	unsigned int handle = pick_handle(in);

	op_begin("__pkvm_tlb_flush_vmid", handle);
	hvc(pick_cpu(in), PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID,
	    handle_reg(in, handle), 0, 0);
}

/* --- one input --- */

static void sim_boot(bool nvhe, bool direct)
{
	struct pkvmsim_config cfg;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.mode = nvhe ? PKVMSIM_MODE_NVHE : PKVMSIM_MODE_PROTECTED;
	cfg.nr_cpus = NR_CPUS_SIM;
	cfg.arena_pages = ARENA_PAGES;
	cfg.hvc = direct ? pkvm_hvc_direct() : NULL;
	cfg.quiet = true;

	/* give_back() reset it last: this one is clean. */
	ret = h.sim ? pkvmsim_reset(h.sim, &cfg) : pkvmsim_create(&cfg,
								   &h.sim);
	if (ret)
		fail("booting the simulator failed: %d", ret);
	h.trace = getenv("PKVMSIM_FUZZ_TRACE");
	h.cfg = cfg;
	model_init(&h.model, !nvhe, NR_CPUS_SIM);
}

/*
 * Give back every page: put the loaded vCPUs and the references held,
 * tear every LIVE VM down, unshare and free the test host's structures;
 * then the ledger must balance.  RESERVED slots hold no page: the reset
 * forgets them, and must say it found them (-EUCLEAN) exactly when the
 * model has some, and nothing else amiss.
 */
static void give_back(void)
{
	unsigned int i, cpu, k, v, reserved = 0;
	int ret;

	h.op++;
	for (cpu = 0; cpu < NR_CPUS_SIM; cpu++)
		if (h.model.cpu[cpu].loaded)
			op_vcpu_put(cpu);
	for (i = 0; i < MODEL_SLOTS; i++) {
		op_begin("pkvmsim_hyp_vm_put", MODEL_HANDLE_OFFSET + i);
		while (h.model.state[i] == MODEL_LIVE && h.model.vm[i].held)
			expect(pkvmsim_hyp_vm_put(h.sim, 0,
						  MODEL_HANDLE_OFFSET + i),
			       model_put(&h.model, MODEL_HANDLE_OFFSET + i));
	}
	for (i = 0; i < MODEL_SLOTS; i++) {
		if (h.model.state[i] == MODEL_LIVE)
			teardown(0, MODEL_HANDLE_OFFSET + i,
				 MODEL_HANDLE_OFFSET + i);
		reserved += h.model.state[i] == MODEL_RESERVED;
	}
	op_begin("give back", 0);
	verify(true);

	for (k = 0; k < NR_KVMS; k++) {
		struct hkvm *hk = &h.kvm[k];

		for (v = 0; v < NR_VCPUS; v++) {
			if (!hk->vcpu[v])
				continue;
			if (vcpu_shared(v))
				share(hk->vcpu[v], false);
			free_pages(hk->vcpu[v], 1);
		}
		if (hk->kvm) {
			if (kvm_shared(k))
				share(hk->kvm, false);
			free_pages(hk->kvm, pages_for(sizeof(struct kvm)));
		}
	}
	memset(h.kvm, 0, sizeof(h.kvm));

	if (pkvmsim_check(h.sim, &h.report))
		fail("the page ledger does not balance:\n%s", h.report.text);
	op_begin("pkvmsim_reset", 0);
	ret = pkvmsim_reset(h.sim, NULL);
	if (ret != (reserved ? -EUCLEAN : 0))
		fail("pkvmsim_reset() = %d with %u slots RESERVED", ret,
		     reserved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t mode = fuzz_u8(&in);

	memset(&h.stale, 0, sizeof(h.stale));
	h.nr_stale = 0;
	h.op = 0;
	sim_boot((mode & 0x0f) == 0x0f, mode & 0x10);

	while (fuzz_more(&in) && h.op < MAX_OPS) {
		unsigned int op = fuzz_u8(&in);

		h.op++;
		switch (op % 16) {
		case 0:
		case 1:
			op_reserve(&in, 1);
			break;
		case 2: {
			/* A few, or (0xff) every slot left and one more. */
			unsigned int n = fuzz_u8(&in);

			op_reserve(&in, n == 0xff ? MODEL_SLOTS + 1 :
					1 + (n & 0x0f));
			break;
		}
		case 3:
			op_unreserve(&in);
			break;
		case 4:
		case 5:
			op_init_vm(&in);
			break;
		case 6:
		case 7:
			op_init_vcpu(&in);
			break;
		case 8:
		case 9:
			op_vcpu_load(&in);
			break;
		case 10:
			op_vcpu_put(pick_cpu(&in));
			break;
		case 11:
			op_get(&in);
			break;
		case 12:
			op_put(&in);
			break;
		case 13:
		case 14:
			op_teardown(&in);
			break;
		default:
			op_tlb_flush(&in);
			break;
		}
		verify(false);
	}
	give_back();
	return 0;
}
