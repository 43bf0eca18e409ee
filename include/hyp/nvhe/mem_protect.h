/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DUPLICATES (in structure) arch/arm64/kvm/hyp/include/nvhe/mem_protect.h:
 * the ownership transitions between host and hypervisor that the VM
 * lifecycle uses.  Guest-memory transitions are not modelled.
 */
#ifndef __PKVMSIM_NVHE_MEM_PROTECT_H
#define __PKVMSIM_NVHE_MEM_PROTECT_H

#include "linux/types.h"
#include "nvhe/memory.h"
#include "nvhe/sim_ledger.h"

struct pkvm_hyp_vm;
struct kvm_hyp_memcache;

int __pkvm_prot_finalize(void);
int __pkvm_host_share_hyp(u64 pfn);
int __pkvm_host_unshare_hyp(u64 pfn);
int __pkvm_host_donate_hyp(u64 pfn, u64 nr_pages);
int __pkvm_hyp_donate_host(u64 pfn, u64 nr_pages);

int hyp_pin_shared_mem(void *from, void *to);
void hyp_unpin_shared_mem(void *from, void *to);

int kvm_guest_prepare_stage2(struct pkvm_hyp_vm *vm, void *pgd);
void destroy_hyp_vm_pgt(struct pkvm_hyp_vm *vm);
void reclaim_pgtable_pages(struct pkvm_hyp_vm *vm,
			   struct kvm_hyp_memcache *mc);

#endif /* __PKVMSIM_NVHE_MEM_PROTECT_H */
