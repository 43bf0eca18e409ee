// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vm_table's test host (vm_table_fuzz.h): it makes the hypercalls,
 * owns a few struct kvm and struct kvm_vcpu shared with the hypervisor
 * (the last of each never shared, so that pins fail), gives init calls
 * areas that are good, misaligned, not its own or made to fail, draws
 * handles at the edges, and checks every answer and the table against
 * the model.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_table_fuzz.h"

struct vm_table_fuzz h;

unsigned long vt_pages_for(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

/* --- findings --- */

void vt_fail(const char *fmt, ...)
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

void vt_expect(int got, int want)
{
	if (h.trace)
		fprintf(stderr, "#%lu %s(0x%x) = %d\n", h.op, h.opname,
			h.handle, got);
	if (got != want)
		vt_fail("answered %d, the model expected %d", got, want);
}

/*
 * The table and the records against the model, after every operation:
 * read white-box each time, and through pkvmsim_table_snapshot() after
 * every eighth operation and at the end of the input (@snapshot).
 */
void vt_verify(bool snapshot)
{
	char why[256];

	if (oracle_count(h.sim->oracle) ||
	    sim_ledger_count(SIM_LEDGER_VIOLATION))
		vt_fail("a violation was recorded");
	if (model_peek(&h.model, h.sim, why, sizeof(why)))
		vt_fail("the table differs from the model: %s", why);
	if (!snapshot && h.op % 8)
		return;
	if (pkvmsim_table_snapshot(h.sim, &h.table))
		vt_fail("pkvmsim_table_snapshot failed");
	if (model_compare(&h.model, &h.table, why, sizeof(why)))
		vt_fail("the snapshot differs from the model: %s", why);
}

/* --- the test host: hypercalls, pages --- */

/* Hypercall @nr from @cpu; the dispatcher must take it.  Returns x1. */
int vt_hvc(unsigned int cpu, unsigned long nr, uint64_t a1, uint64_t a2,
	       uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};
	int ret = pkvmsim_hvc(h.sim, cpu, &regs);

	if (ret)
		vt_fail("pkvmsim_hvc(%lu) failed: %d", nr, ret);
	if (regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		vt_fail("hypercall %lu refused: x0 = %#llx", nr,
		     (unsigned long long)regs.x[0]);
	return (int)(int64_t)regs.x[1];
}

static void *alloc_pages(unsigned long nr)
{
	void *va = sim_host_alloc_pages(nr);

	if (!va)
		vt_fail("the test host is out of arena pages (%lu)", nr);
	return va;
}

void vt_free_pages(void *va, unsigned long nr)
{
	if (sim_host_free_pages(va, nr))
		vt_fail("page %p did not come back to the host", va);
}

void vt_share(void *va, bool on)
{
	int ret = vt_hvc(0, on ? PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP :
			      PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
		      sim_host_pfn(va), 0, 0);

	if (ret)
		vt_fail("%s of a test host page failed: %d",
		     on ? "share" : "unshare", ret);
}

bool vt_kvm_shared(unsigned int k)
{
	return k < NR_KVMS - 1;
}

bool vt_vcpu_shared(unsigned int v)
{
	return v < NR_VCPUS - 1;
}

/* The test host's struct kvm @k, made (and shared) on first use. */
struct kvm *vt_kvm_of(unsigned int k)
{
	struct hkvm *hk = &h.kvm[k];

	if (!hk->kvm) {
		hk->kvm = alloc_pages(vt_pages_for(sizeof(struct kvm)));
		if (vt_kvm_shared(k))
			vt_share(hk->kvm, true);
	}
	return hk->kvm;
}

struct kvm_vcpu *vt_vcpu_of(unsigned int k, unsigned int v)
{
	struct hkvm *hk = &h.kvm[k];

	if (!hk->vcpu[v]) {
		hk->vcpu[v] = alloc_pages(1);
		hk->vcpu[v]->kvm = vt_kvm_of(k);
		if (vt_vcpu_shared(v))
			vt_share(hk->vcpu[v], true);
	}
	return hk->vcpu[v];
}

/* Area variants: most good, the others refused by the donation. */
void vt_area_get(struct area *a, unsigned int kind, unsigned long bytes,
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
		a->hva = (uint64_t)(uintptr_t)vt_kvm_of(0);
		return;
	case 7:		/* a good area whose donation is made to fail */
		a->inject = true;
		break;
	default:
		break;
	}
	/* An area for a huge vCPU count cannot be: one page, refused. */
	a->pages = fits ? vt_pages_for(bytes) : 1;
	a->va = alloc_pages(a->pages);
	a->hva = (uint64_t)(uintptr_t)a->va;
	a->ok = fits && !a->inject;
}

/* After the call: a refused area is the host's again. */
void vt_area_put(struct area *a, int ret)
{
	if (ret && a->va)
		vt_free_pages(a->va, a->pages);
}

/* Free what the teardown memcaches of struct kvm @k hold. */
void vt_reclaim(int k)
{
	struct kvm_protected_vm *pkvm;

	if (k < 0 || k >= NR_KVMS || !h.kvm[k].kvm)
		vt_fail("teardown of a VM of no struct kvm of the test host");
	pkvm = &h.kvm[k].kvm->arch.pkvm;
	sim_host_free_memcache(&pkvm->teardown_mc.head,
			       &pkvm->teardown_mc.nr_pages);
	sim_host_free_memcache(&pkvm->stage2_teardown_mc.head,
			       &pkvm->stage2_teardown_mc.nr_pages);
	if (pkvm->teardown_mc.nr_pages || pkvm->stage2_teardown_mc.nr_pages)
		vt_fail("pages of a torn-down VM could not be freed");
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

void vt_forget_handle(unsigned int handle)
{
	h.stale[h.nr_stale++ % NR_STALE] = handle;
}

/* A handle: an edge, a stale one, or one RESERVED or LIVE right now. */
unsigned int vt_pick_handle(struct fuzz_input *in)
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
uint64_t vt_handle_reg(struct fuzz_input *in, unsigned int handle)
{
	uint8_t hi = fuzz_u8(in);

	return (uint64_t)handle | (hi & 1 ? (uint64_t)hi << 32 : 0);
}

unsigned int vt_pick_cpu(struct fuzz_input *in)
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

unsigned int vt_pick_vcpu_count(struct fuzz_input *in)
{
	return (unsigned int)vcpu_counts[fuzz_below(in,
				sizeof(vcpu_counts) / sizeof(vcpu_counts[0]))];
}

unsigned int vt_pick_vcpu_index(struct fuzz_input *in)
{
	return vcpu_indexes[fuzz_below(in, sizeof(vcpu_indexes) /
					       sizeof(vcpu_indexes[0]))];
}
