// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register values for fuzz_hvc: what a hostile host puts in x1..x3.
 * Random 64-bit values alone would almost never name a page of the
 * arena, a slot or a structure the hypervisor reads, so one byte picks a
 * kind of value and the next bytes its details: edge handles, handles and
 * structures of live VMs, pages of the host's own (aligned or not, their
 * physical address or frame number), the hypervisor's view of a page,
 * pages the hypervisor owns, addresses at the very top of the address
 * space or around the arena, or plain numbers.
 */
#include "hvc_fuzz.h"

static const uint64_t edge_handles[] = {
	0, 0x0fff, 0x1000, 0x1001, 0x10fe, 0x10ff, 0x1100, 0x80001000,
	0x100001000ULL, 0xffffffff, 0xffffffffffffffffULL,
};

/* Offsets into a page: its start, inside, its last bytes, past it. */
static const int64_t offsets[] = {
	0, 1, 7, 8, 64, 0xff8, 0xfff, 0x1000, 0x2000, -8, -0x1000,
};

/* A live host VM's arguments, or false. */
static bool vm_args(unsigned int i, struct pkvmsim_vm_args *args)
{
	if (!hf.nr_vms)
		return false;
	return !pkvmsim_vm_hyp_args(hf.vms[i % hf.nr_vms].vm, args);
}

void hf_mine(uint64_t hva, unsigned long nr, bool on)
{
	uint64_t base = (uint64_t)(uintptr_t)sim_arena_host_base();
	unsigned long i, first;

	if (hva < base)
		return;
	first = (hva - base) / SIM_PAGE_SIZE;
	for (i = first; i < first + nr && i < HF_ARENA_PAGES; i++) {
		if (on)
			hf.mine[i / 64] |= 1ULL << (i % 64);
		else
			hf.mine[i / 64] &= ~(1ULL << (i % 64));
	}
}

/* Whether arena page @i is allocated and not the hostile host's own. */
static bool foreign_page(uint64_t i)
{
	struct sim_page_info info;

	if (i >= sim_arena_nr_pages() || (hf.mine[i / 64] >> (i % 64) & 1))
		return false;
	return !sim_ledger_page(SIM_PHYS_BASE + i * SIM_PAGE_SIZE, &info) &&
	       info.allocated;
}

bool hf_tampers(uint64_t x)
{
	uint64_t base = (uint64_t)(uintptr_t)sim_arena_host_base();
	uint64_t bytes = sim_arena_nr_pages() * SIM_PAGE_SIZE;
	unsigned int i, handle;

	for (i = 0; i < hf.nr_vms; i++) {
		handle = pkvmsim_vm_handle(hf.vms[i].vm);
		if (handle && (unsigned int)x == handle)
			return true;
	}
	/* As a host address, a physical address, a frame number. */
	return (x - base < bytes && foreign_page((x - base) / SIM_PAGE_SIZE)) ||
	       (x - SIM_PHYS_BASE < bytes &&
		foreign_page((x - SIM_PHYS_BASE) / SIM_PAGE_SIZE)) ||
	       (x - SIM_PHYS_BASE / SIM_PAGE_SIZE < bytes / SIM_PAGE_SIZE &&
		foreign_page(x - SIM_PHYS_BASE / SIM_PAGE_SIZE));
}

static uint64_t page_of_pool(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);

	if (hf.nr_pages)
		return hf.pages[b % hf.nr_pages].hva;
	if (hf.nr_raw && b & 1)
		return (uint64_t)(uintptr_t)hf.raw[b / 2 % hf.nr_raw].kvm;
	/* The arena's last page: the host's, and never handed out. */
	return (uint64_t)(uintptr_t)sim_arena_host_base() +
	       (sim_arena_nr_pages() - 1) * SIM_PAGE_SIZE;
}

/* A host address the hypervisor owns: the carve-out, or the arena's. */
static uint64_t hyp_owned(void)
{
	if (hf.sim->carveout)
		return (uint64_t)(uintptr_t)hf.sim->carveout;
	return (uint64_t)(uintptr_t)sim_arena_host_base();
}

/* The hypervisor's address of the page at host address @hva. */
static uint64_t hyp_alias(uint64_t hva)
{
	uint64_t phys = sim_host_pa((void *)(uintptr_t)hva);

	if (phys == ~0ULL)
		return hva;
	return (uint64_t)(uintptr_t)sim_arena_hyp_base() +
	       (phys - SIM_PHYS_BASE);
}

unsigned int hf_handle(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);
	struct pkvmsim_vm_args args;

	switch (b % 8) {
	case 0:
	case 1:
		return (unsigned int)edge_handles[fuzz_below(in,
						ARRAY_SIZE(edge_handles))];
	case 2:
		if (hf.nr_vms && vm_args(b, &args))
			return pkvmsim_vm_handle(hf.vms[b % hf.nr_vms].vm);
		return 0x1000;
	case 3:
		if (hf.nr_raw)
			return hf.raw[b % hf.nr_raw].handle;
		return 0x1001;
	default:
		return 0x1000 + fuzz_u8(in);
	}
}

uint64_t hf_value(struct fuzz_input *in)
{
	unsigned int kind = fuzz_u8(in);
	struct pkvmsim_vm_args args;
	uint64_t base = (uint64_t)(uintptr_t)sim_arena_host_base();
	uint64_t bytes = sim_arena_nr_pages() * SIM_PAGE_SIZE;
	int64_t off;

	switch (kind % 16) {
	case 0:
		return 0;
	case 1:
		return fuzz_u8(in);
	case 2:
		return edge_handles[fuzz_below(in, ARRAY_SIZE(edge_handles))];
	case 3:
		return hf_handle(in);
	case 4:		/* a page of the host's own, or near it */
		off = offsets[fuzz_below(in, ARRAY_SIZE(offsets))];
		return page_of_pool(in) + (uint64_t)off;
	case 5:		/* its frame number, as share and unshare take */
		return sim_host_pfn((void *)(uintptr_t)page_of_pool(in));
	case 6:		/* a host VM's struct kvm or vCPU */
		if (!vm_args(fuzz_u8(in), &args))
			return base;
		if (!(kind & 0x10) || !args.nr_vcpus)
			return args.kvm;
		return args.vcpu[fuzz_u8(in) % args.nr_vcpus];
	case 7:		/* the hostile host's own struct kvm or vCPU */
		if (!hf.nr_raw)
			return page_of_pool(in);
		off = kind & 0x10 ? 0 : offsets[fuzz_below(in,
						ARRAY_SIZE(offsets))];
		return (uint64_t)(uintptr_t)(kind & 0x20 ?
			(void *)hf.raw[fuzz_u8(in) % hf.nr_raw].vcpu :
			(void *)hf.raw[fuzz_u8(in) % hf.nr_raw].kvm) +
		       (uint64_t)off;
	case 8:		/* the hypervisor's address of a page, not the host's */
		return hyp_alias(page_of_pool(in));
	case 9:		/* a page the hypervisor owns */
		return kind & 0x10 ? sim_host_pfn((void *)(uintptr_t)
						  hyp_owned()) : hyp_owned();
	case 10:	/* the top of the address space: wraps */
		return ~0ULL - (fuzz_u8(in) & 0xf8) - (kind & 0x10 ? 0 : 7);
	case 11:	/* around the arena: just below, at the end, past */
		off = offsets[fuzz_below(in, ARRAY_SIZE(offsets))];
		return (kind & 0x10 ? base + bytes : base) + (uint64_t)off;
	case 12:	/* a physical address, as __pkvm_init takes */
		return sim_host_pa((void *)(uintptr_t)page_of_pool(in));
	case 13:
		return fuzz_u32(in);
	default:
		return fuzz_u64(in);
	}
}
