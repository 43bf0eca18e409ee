// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic arm64 KVM host paths that touch pKVM (arch/arm64/kvm/arm.c
 * and mmu.c, Linux 6.18): VM init and destroy, vCPU create, load, put and
 * first run, and the MMU notifiers' TLB flush.
 *
 * The three profiles differ only in kvm_arch_init_vm() and in when the
 * handle is reserved (pkvm.c); the modes only in is_protected_kvm_enabled()
 * and in what sharing memory with EL2 means.
 */
#include <errno.h>
#include <stdlib.h>

#include "asm/kvm_asm.h"
#include "asm/cpufeature.h"
#include "sim_env.h"
#include "machine.h"
#include "host.h"

/* bits in the supported-CPU mask */
#define BITS_PER_LONG	(8 * sizeof(long))

/*
 * kvm_share_hyp(): in pKVM mode the hypervisor owns its stage-1, so each
 * page is shared by hypercall; an nVHE host maps EL2 itself and a VHE host
 * is EL2, so neither makes one.
 */
int kvm_share_hyp(struct pkvmsim_vm *vm, void *from, unsigned long nr)
{
	unsigned long i;
	long ret;

	if (!is_protected_kvm_enabled())
		return 0;

	for (i = 0; i < nr; i++) {
		ret = kvm_call_hyp_nvhe(vm, __pkvm_host_share_hyp,
					sim_host_pfn((char *)from +
						     i * SIM_PAGE_SIZE), 0, 0);
		if (ret) {
			kvm_unshare_hyp(vm, from, i);
			return (int)ret;
		}
	}
	return 0;
}

void kvm_unshare_hyp(struct pkvmsim_vm *vm, void *from, unsigned long nr)
{
	unsigned long i;

	if (!is_protected_kvm_enabled())
		return;

	for (i = 0; i < nr; i++) {
		if (kvm_call_hyp_nvhe(vm, __pkvm_host_unshare_hyp,
				      sim_host_pfn((char *)from +
						   i * SIM_PAGE_SIZE), 0, 0))
			host_warn(vm->sim, "__pkvm_host_unshare_hyp failed: "
				  "the hyp still holds the page");
	}
}

/* kvm_init_stage2_mmu(): the host's own stage-2 for the VM. */
static int kvm_init_stage2_mmu(struct pkvmsim_vm *vm)
{
	vm->stage2_pgd = sim_host_alloc_pages(1);
	if (!vm->stage2_pgd)
		return -ENOMEM;
	vm->kvm->arch.mmu.pgd_phys = sim_host_pa(vm->stage2_pgd);
	return 0;
}

static void kvm_free_stage2_pgd(struct pkvmsim_vm *vm)
{
	if (!vm->stage2_pgd)
		return;
	sim_host_free_pages(vm->stage2_pgd, 1);
	vm->stage2_pgd = NULL;
	vm->kvm->arch.mmu.pgd_phys = 0;
}

/* Whether this VM's creation reserves its handle, per profile. */
static bool init_vm_reserves(struct pkvmsim_vm *vm)
{
	switch (vm->sim->cfg.profile) {
	case PKVMSIM_PROFILE_6_18:
		return is_protected_kvm_enabled();
	case PKVMSIM_PROFILE_V3:
		/* The bug v4 fixed: no pKVM-mode gate here. */
		return true;
	default:
		/* Before the series: the handle comes at first run. */
		return false;
	}
}

/**
 * kvm_arch_init_vm() - arm64 part of KVM_CREATE_VM, in the kernel's order.
 * @vm: the VM; vm->kvm is allocated and zeroed.
 *
 * Return: 0; -EINVAL for a protected VM outside pKVM mode; the error of
 * sharing, allocating or reserving, with everything before it undone.
 */
int kvm_arch_init_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	int ret;

	/* As KVM_VM_TYPE_ARM_PROTECTED in later kernels. */
	if (vm->type == PKVMSIM_VM_PROTECTED && !is_protected_kvm_enabled())
		return -EINVAL;

	mutex_init(&kvm->arch.config_lock);
	/* kvm_init_nested(): nothing pKVM depends on. */

	ret = kvm_share_hyp(vm, kvm, vm->kvm_pages);
	if (ret)
		return ret;

	vm->supported_cpus = calloc((PKVMSIM_MAX_CPUS + BITS_PER_LONG - 1) /
				    BITS_PER_LONG, sizeof(long));
	if (!vm->supported_cpus) {
		ret = -ENOMEM;
		goto err_unshare_kvm;
	}

	ret = kvm_init_stage2_mmu(vm);
	if (ret)
		goto err_free_cpumask;

	kvm->arch.pkvm.is_protected = vm->type == PKVMSIM_VM_PROTECTED;

	if (init_vm_reserves(vm)) {
		ret = pkvm_init_host_vm(vm);
		if (ret)
			goto err_uninit_mmu;
	}

	return 0;

err_uninit_mmu:
	/* 6.18 leaked the stage-2 here; a later kernel frees it. */
	kvm_free_stage2_pgd(vm);
err_free_cpumask:
	free(vm->supported_cpus);
	vm->supported_cpus = NULL;
err_unshare_kvm:
	kvm_unshare_hyp(vm, kvm, vm->kvm_pages);
	return ret;
}

/**
 * kvm_arch_destroy_vm() - arm64 part of VM destruction.
 * @vm: the VM; its vCPUs are put and no notifier can fire any more.
 *
 * The hypervisor is told only in pKVM mode, in every profile: in v3 that
 * is the imbalance that broke non-protected hosts.
 *
 * Return: 0 or the teardown's error.
 */
int kvm_arch_destroy_vm(struct pkvmsim_vm *vm)
{
	unsigned int i;
	int ret = 0;

	free(vm->supported_cpus);
	vm->supported_cpus = NULL;

	if (is_protected_kvm_enabled())
		ret = pkvm_destroy_hyp_vm(vm);

	/* kvm_destroy_vcpus() */
	for (i = 0; i < PKVMSIM_MAX_VCPUS; i++)
		kvm_arch_vcpu_destroy(vm, &vm->vcpus[i]);

	kvm_free_stage2_pgd(vm);
	kvm_unshare_hyp(vm, vm->kvm, vm->kvm_pages);
	return ret;
}

int kvm_arch_vcpu_create(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	int ret;

	ret = kvm_share_hyp(vm, hv->vcpu, 1);
	if (ret)
		return ret;
	hv->loaded_cpu = -1;
	return 0;
}

void kvm_arch_vcpu_destroy(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	if (!hv->vcpu)
		return;
	kvm_unshare_hyp(vm, hv->vcpu, 1);
	sim_host_free_pages(hv->vcpu, 1);
	hv->vcpu = NULL;
}

/*
 * In pKVM mode every load tells the hypervisor, also before the hyp VM or
 * vCPU exists: it ignores what it cannot find.
 */
void kvm_arch_vcpu_load(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	struct kvm_vcpu *vcpu = hv->vcpu;

	if (!is_protected_kvm_enabled())
		return;

	kvm_call_hyp_nvhe(vm, __pkvm_vcpu_load,
			  READ_ONCE(vm->kvm->arch.pkvm.handle),
			  vcpu->vcpu_idx, vcpu->arch.hcr_el2);
}

void kvm_arch_vcpu_put(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	(void)hv;

	if (!is_protected_kvm_enabled())
		return;

	kvm_call_hyp_nvhe(vm, __pkvm_vcpu_put, 0, 0, 0);
}

/**
 * kvm_arch_vcpu_run_pid_change() - The pKVM part of a vCPU's first run.
 * @vm: the VM.
 * @hv: the vCPU.
 *
 * Return: 0 or the error of creating the hyp VM or vCPU.
 */
int kvm_arch_vcpu_run_pid_change(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	int ret;

	if (!is_protected_kvm_enabled())
		return 0;

	ret = pkvm_create_hyp_vm(vm);
	if (ret)
		return ret;

	return pkvm_create_hyp_vcpu(vm, hv);
}

/*
 * The MMU notifiers' remote TLB flush.  In pKVM mode it names the VM by
 * handle, which is why the handle must exist from VM creation on.  The
 * non-pKVM flush names the VMID, involves no handle and is not modelled.
 */
void kvm_arch_flush_remote_tlbs(struct pkvmsim_vm *vm)
{
	if (!is_protected_kvm_enabled())
		return;

	kvm_call_hyp_nvhe(vm, __pkvm_tlb_flush_vmid,
			  READ_ONCE(vm->kvm->arch.pkvm.handle), 0, 0);
}
