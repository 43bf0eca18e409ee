/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES arch/arm64/include/asm/kvm_host.h: the subset of the arm64
 * KVM structures that the pKVM VM lifecycle reads or writes, with the
 * kernel's names.  Both the hyp code and the simulated host use them: the
 * host owns the memory, the hyp reads it through pinned shared pages.
 */
#ifndef __PKVMSIM_ASM_KVM_HOST_H
#define __PKVMSIM_ASM_KVM_HOST_H

#include "linux/types.h"
#include "linux/mutex.h"
#include "asm/kvm_pgtable.h"

typedef unsigned int pkvm_handle_t;

struct kvm_hyp_memcache {
	phys_addr_t	head;
	unsigned long	nr_pages;
};

/*
 * A memcache is a stack of free pages linked through their first word by
 * physical address, so either side can walk it with its own translation.
 */
static inline void push_hyp_memcache(struct kvm_hyp_memcache *mc,
				     phys_addr_t *p,
				     phys_addr_t (*to_pa)(void *virt))
{
	*p = mc->head;
	mc->head = to_pa(p);
	mc->nr_pages++;
}

static inline void *pop_hyp_memcache(struct kvm_hyp_memcache *mc,
				     void *(*to_va)(phys_addr_t phys))
{
	phys_addr_t *p;

	if (!mc->nr_pages)
		return (void *)0;

	p = to_va(mc->head & PAGE_MASK);
	mc->head = *p;
	mc->nr_pages--;
	return p;
}

struct kvm_protected_vm {
	pkvm_handle_t		handle;
	struct kvm_hyp_memcache	teardown_mc;
	struct kvm_hyp_memcache	stage2_teardown_mc;
	bool			is_protected;
	bool			is_created;
};

struct kvm_vmid {
	u64	id;
};

struct kvm_s2_mmu {
	struct kvm_vmid		vmid;
	struct kvm_pgtable	*pgt;
	phys_addr_t		pgd_phys;
	u64			vtcr;
};

struct kvm_arch {
	struct kvm_s2_mmu	mmu;
	/* Serialises VM-wide configuration, including hyp VM creation. */
	struct mutex		config_lock;
	struct kvm_protected_vm	pkvm;
};

/* Bit numbers in kvm_vcpu_arch.features (uapi KVM_ARM_VCPU_*). */
#define KVM_ARM_VCPU_SVE	4

struct kvm_vcpu_arch {
	unsigned long		features;
	struct kvm_hyp_memcache	pkvm_memcache;
	u64			hcr_el2;
};

#endif /* __PKVMSIM_ASM_KVM_HOST_H */
