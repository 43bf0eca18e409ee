/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES arch/arm64/kvm/hyp/include/nvhe/memory.h.
 *
 * Physical memory is the simulator's page arena (src/env).  It is mapped
 * twice: once where the host sees it and once where the hypervisor sees it,
 * so a host pointer the hyp forgot to pass through kern_hyp_va() is not a
 * hyp address and __hyp_pa() of it falls outside memory.
 *
 * struct hyp_page holds only the reference count; the page *state* that
 * upstream keeps in the host stage-2 and hyp stage-1 page tables lives in
 * the page ledger (nvhe/sim_ledger.h).  Every reference change is recorded
 * there with the operation that made it, so a leaked pin names its taker.
 */
#ifndef __PKVMSIM_NVHE_MEMORY_H
#define __PKVMSIM_NVHE_MEMORY_H

#include "asm/page-def.h"
#include "asm/bug.h"
#include "linux/types.h"

struct hyp_page {
	unsigned short	refcount;
};

/* hyp_vmemmap[0] describes the page at physical address sim_memstart. */
extern struct hyp_page *hyp_vmemmap;
extern phys_addr_t sim_memstart;
extern s64 hyp_physvirt_offset;

void sim_ledger_note(phys_addr_t phys, const char *what);

#define __hyp_pa(virt)	((phys_addr_t)((unsigned long)(virt) + hyp_physvirt_offset))
#define __hyp_va(phys)	((void *)(unsigned long)((phys_addr_t)(phys) - hyp_physvirt_offset))

#define hyp_phys_to_pfn(phys)	((phys) >> PAGE_SHIFT)
#define hyp_pfn_to_phys(pfn)	((phys_addr_t)((pfn) << PAGE_SHIFT))
#define hyp_phys_to_page(phys)	(&hyp_vmemmap[((phys) - sim_memstart) >> PAGE_SHIFT])
#define hyp_virt_to_page(virt)	hyp_phys_to_page(__hyp_pa(virt))
#define hyp_virt_to_pfn(virt)	hyp_phys_to_pfn(__hyp_pa(virt))

#define hyp_page_to_pfn(page)	\
	((phys_addr_t)((struct hyp_page *)(page) - hyp_vmemmap) + (sim_memstart >> PAGE_SHIFT))
#define hyp_page_to_phys(page)	hyp_pfn_to_phys(hyp_page_to_pfn(page))
#define hyp_page_to_virt(page)	__hyp_va(hyp_page_to_phys(page))

static inline phys_addr_t hyp_virt_to_phys(void *virt)
{
	return __hyp_pa(virt);
}

static inline void *hyp_phys_to_virt(phys_addr_t phys)
{
	return __hyp_va(phys);
}

static inline int hyp_page_count(void *addr)
{
	struct hyp_page *p = hyp_virt_to_page(addr);

	return __atomic_load_n(&p->refcount, __ATOMIC_RELAXED);
}

static inline void hyp_page_ref_inc(struct hyp_page *p)
{
	BUG_ON(p->refcount == 0xffff);
	__atomic_store_n(&p->refcount, p->refcount + 1, __ATOMIC_RELAXED);
	sim_ledger_note(hyp_page_to_phys(p), "ref+");
}

static inline void hyp_page_ref_dec(struct hyp_page *p)
{
	BUG_ON(!p->refcount);
	__atomic_store_n(&p->refcount, p->refcount - 1, __ATOMIC_RELAXED);
	sim_ledger_note(hyp_page_to_phys(p), "ref-");
}

static inline int hyp_page_ref_dec_and_test(struct hyp_page *p)
{
	hyp_page_ref_dec(p);
	return p->refcount == 0;
}

#endif /* __PKVMSIM_NVHE_MEMORY_H */
