/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DUPLICATES (in structure, not text) arch/arm64/kvm/hyp/include/nvhe/pkvm.h:
 * the hypervisor's private copies of a VM and a vCPU, and the VM-table API.
 */
#ifndef __PKVMSIM_NVHE_PKVM_H
#define __PKVMSIM_NVHE_PKVM_H

#include "linux/kvm_host.h"
#include "asm/kvm_pkvm.h"
#include "asm/percpu.h"
#include "nvhe/spinlock.h"

struct pkvm_hyp_vcpu {
	struct kvm_vcpu		vcpu;

	/* The host's vCPU, pinned while this hyp vCPU exists. */
	struct kvm_vcpu		*host_vcpu;

	/* The per-CPU slot this vCPU is loaded into, or NULL. */
	struct pkvm_hyp_vcpu	**loaded_hyp_vcpu;
};

struct pkvm_hyp_vm {
	struct kvm		kvm;

	/* The host's VM, pinned while this hyp VM exists. */
	struct kvm		*host_kvm;

	/* The guest stage-2 page table. */
	struct kvm_pgtable	pgt;

	/* Protects the guest stage-2 against concurrent updates. */
	hyp_spinlock_t		lock;

	struct pkvm_hyp_vcpu	*vcpus[];
};

static inline struct pkvm_hyp_vm *
pkvm_hyp_vcpu_to_hyp_vm(struct pkvm_hyp_vcpu *hyp_vcpu)
{
	return container_of(hyp_vcpu->vcpu.kvm, struct pkvm_hyp_vm, kvm);
}

static inline bool pkvm_hyp_vm_is_protected(struct pkvm_hyp_vm *hyp_vm)
{
	return hyp_vm->kvm.arch.pkvm.is_protected;
}

static inline bool pkvm_hyp_vcpu_is_protected(struct pkvm_hyp_vcpu *hyp_vcpu)
{
	return pkvm_hyp_vm_is_protected(pkvm_hyp_vcpu_to_hyp_vm(hyp_vcpu));
}

/* Size of the area the host donates for a hyp VM with @nr_vcpus vCPUs. */
static inline unsigned long pkvm_get_hyp_vm_size(unsigned int nr_vcpus)
{
	return PAGE_ALIGN(sizeof(struct pkvm_hyp_vm) +
			  (unsigned long)nr_vcpus * sizeof(struct pkvm_hyp_vcpu *));
}

int __pkvm_init(phys_addr_t phys, unsigned long size);
void pkvm_hyp_vm_table_init(void *tbl);

int __pkvm_reserve_vm(void);
void __pkvm_unreserve_vm(pkvm_handle_t handle);
int __pkvm_init_vm(struct kvm *host_kvm, unsigned long vm_hva,
		   unsigned long pgd_hva);
int __pkvm_init_vcpu(pkvm_handle_t handle, struct kvm_vcpu *host_vcpu,
		     unsigned long vcpu_hva);
int __pkvm_teardown_vm(pkvm_handle_t handle);

struct pkvm_hyp_vcpu *pkvm_load_hyp_vcpu(pkvm_handle_t handle,
					 unsigned int vcpu_idx);
void pkvm_put_hyp_vcpu(struct pkvm_hyp_vcpu *hyp_vcpu);
struct pkvm_hyp_vcpu *pkvm_get_loaded_hyp_vcpu(void);

struct pkvm_hyp_vm *get_pkvm_hyp_vm(pkvm_handle_t handle);
struct pkvm_hyp_vm *get_np_pkvm_hyp_vm(pkvm_handle_t handle);
void put_pkvm_hyp_vm(struct pkvm_hyp_vm *hyp_vm);

#endif /* __PKVMSIM_NVHE_PKVM_H */
