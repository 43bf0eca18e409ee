// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host side of the pKVM VM lifecycle (arch/arm64/kvm/pkvm.c, Linux
 * 6.18), with the "lazy" profile's variant of VM creation (the host before
 * the series' last patch, as Linux 6.17 behaves).
 *
 * The kernel's functions take a struct kvm; these take the simulator's
 * struct pkvmsim_vm around it, which is the same thing plus the host-only
 * state the kernel keeps elsewhere.
 */
#include <errno.h>
#include <stdlib.h>

#include "asm/kvm_asm.h"
#include "asm/cpufeature.h"
#include "nvhe/pkvm.h"	/* sizes only: upstream gets them from asm-offsets */
#include "sim_env.h"
#include "machine.h"
#include "host.h"

static bool pkvm_hyp_vm_is_created(struct kvm *kvm)
{
	return READ_ONCE(kvm->arch.pkvm.is_created);
}

static unsigned long nr_pages_of(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

/* alloc_pages_exact(): page-granular host memory the hyp can be given. */
static void *alloc_pages_exact(unsigned long bytes)
{
	return sim_host_alloc_pages(nr_pages_of(bytes));
}

static void free_pages_exact(void *va, unsigned long bytes)
{
	sim_host_free_pages(va, nr_pages_of(bytes));
}

static void free_hyp_memcache(struct kvm_hyp_memcache *mc)
{
	sim_host_free_memcache(&mc->head, &mc->nr_pages);
}

static bool profile_is(struct pkvmsim_vm *vm, enum pkvmsim_profile profile)
{
	return vm->sim->cfg.profile == profile;
}

/**
 * pkvm_init_host_vm() - Reserve the VM's handle at the hypervisor.
 * @vm: the VM being created.
 *
 * Idempotent: a VM that holds a handle already keeps it.
 *
 * Return: 0; -EINVAL once the hyp VM exists; the reserve's error.
 */
int pkvm_init_host_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	long ret;

	if (pkvm_hyp_vm_is_created(kvm))
		return -EINVAL;

	if (READ_ONCE(kvm->arch.pkvm.handle))
		return 0;

	ret = kvm_call_hyp_nvhe(vm, __pkvm_reserve_vm, 0, 0, 0);
	if (ret < 0)
		return (int)ret;

	WRITE_ONCE(kvm->arch.pkvm.handle, (pkvm_handle_t)ret);
	return 0;
}

/* Give back a reservation the lazy profile made at first run. */
static void pkvm_lazy_unreserve(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;

	kvm_call_hyp_nvhe(vm, __pkvm_unreserve_vm, kvm->arch.pkvm.handle,
			  0, 0);
	WRITE_ONCE(kvm->arch.pkvm.handle, 0);
}

static int __pkvm_create_hyp_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	unsigned long pgd_sz, hyp_vm_sz;
	void *pgd, *hyp_vm;
	int ret;

	if (kvm->created_vcpus < 1)
		return -EINVAL;

	/*
	 * Before the series the handle came with the hyp VM, at first run;
	 * if init_vm fails the reservation goes too, so a retry starts
	 * afresh (the simulator's definition of that profile).
	 */
	if (profile_is(vm, PKVMSIM_PROFILE_LAZY)) {
		ret = pkvm_init_host_vm(vm);
		if (ret)
			return ret;
	}

	pgd_sz = kvm_pgtable_stage2_pgd_size(kvm->arch.mmu.vtcr);
	pgd = alloc_pages_exact(pgd_sz);
	if (!pgd) {
		ret = -ENOMEM;
		goto err_unreserve;
	}

	hyp_vm_sz = pkvm_get_hyp_vm_size(kvm->created_vcpus);
	hyp_vm = alloc_pages_exact(hyp_vm_sz);
	if (!hyp_vm) {
		ret = -ENOMEM;
		goto free_pgd;
	}

	/* Donates the memory: the hyp owns it until teardown. */
	ret = (int)kvm_call_hyp_nvhe(vm, __pkvm_init_vm,
				     (u64)(uintptr_t)kvm,
				     (u64)(uintptr_t)hyp_vm,
				     (u64)(uintptr_t)pgd);
	if (ret)
		goto free_vm;

	WRITE_ONCE(kvm->arch.pkvm.is_created, true);
	return 0;

free_vm:
	free_pages_exact(hyp_vm, hyp_vm_sz);
free_pgd:
	free_pages_exact(pgd, pgd_sz);
err_unreserve:
	if (profile_is(vm, PKVMSIM_PROFILE_LAZY))
		pkvm_lazy_unreserve(vm);
	return ret;
}

/**
 * pkvm_create_hyp_vm() - Create the hyp VM once, whichever vCPU runs first.
 * @vm: the VM.
 *
 * Concurrent first runs serialise on config_lock and re-check is_created,
 * so exactly one of them makes the hyp VM.
 *
 * Return: 0 or the error of creating it.
 */
int pkvm_create_hyp_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	int ret = 0;

	mutex_lock(&kvm->arch.config_lock);
	if (!pkvm_hyp_vm_is_created(kvm))
		ret = __pkvm_create_hyp_vm(vm);
	mutex_unlock(&kvm->arch.config_lock);

	return ret;
}

static int __pkvm_create_hyp_vcpu(struct pkvmsim_vm *vm,
				  struct host_vcpu *hv)
{
	unsigned long hyp_vcpu_sz = sizeof(struct pkvm_hyp_vcpu);
	void *hyp_vcpu;
	int ret;

	hyp_vcpu = alloc_pages_exact(hyp_vcpu_sz);
	if (!hyp_vcpu)
		return -ENOMEM;

	ret = (int)kvm_call_hyp_nvhe(vm, __pkvm_init_vcpu,
				     vm->kvm->arch.pkvm.handle,
				     (u64)(uintptr_t)hv->vcpu,
				     (u64)(uintptr_t)hyp_vcpu);
	if (ret)
		free_pages_exact(hyp_vcpu, hyp_vcpu_sz);

	return ret;
}

/**
 * pkvm_create_hyp_vcpu() - Create the hyp copy of one vCPU, once.
 * @vm: its VM, whose hyp VM exists.
 * @hv: the vCPU.
 *
 * Return: 0 or the error of __pkvm_init_vcpu.
 */
int pkvm_create_hyp_vcpu(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	struct kvm *kvm = vm->kvm;
	int ret = 0;

	mutex_lock(&kvm->arch.config_lock);
	if (!hv->pkvm_finalized) {
		ret = __pkvm_create_hyp_vcpu(vm, hv);
		if (!ret)
			hv->pkvm_finalized = true;
	}
	mutex_unlock(&kvm->arch.config_lock);

	return ret;
}

/*
 * Exactly one of teardown (hyp VM created) and unreserve (handle reserved,
 * no hyp VM) per reservation; then the host forgets the handle, even if
 * the teardown failed and the slot leaks.
 */
static int __pkvm_destroy_hyp_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	pkvm_handle_t handle = READ_ONCE(kvm->arch.pkvm.handle);
	int ret = 0;

	if (pkvm_hyp_vm_is_created(kvm)) {
		ret = (int)kvm_call_hyp_nvhe(vm, __pkvm_teardown_vm, handle,
					     0, 0);
		if (ret)
			host_warn(vm->sim, "__pkvm_teardown_vm failed: the "
				  "VM's slot and memory stay with the hyp");
	} else if (handle) {
		kvm_call_hyp_nvhe(vm, __pkvm_unreserve_vm, handle, 0, 0);
	}

	WRITE_ONCE(kvm->arch.pkvm.handle, 0);
	WRITE_ONCE(kvm->arch.pkvm.is_created, false);
	free_hyp_memcache(&kvm->arch.pkvm.teardown_mc);
	free_hyp_memcache(&kvm->arch.pkvm.stage2_teardown_mc);

	return ret;
}

/**
 * pkvm_destroy_hyp_vm() - Tear down or unreserve the VM at the hypervisor.
 * @vm: the VM.
 *
 * Return: 0, or the teardown's error (upstream only warns; the simulator
 * also returns it so the caller can report it).
 */
int pkvm_destroy_hyp_vm(struct pkvmsim_vm *vm)
{
	struct kvm *kvm = vm->kvm;
	int ret;

	mutex_lock(&kvm->arch.config_lock);
	ret = __pkvm_destroy_hyp_vm(vm);
	mutex_unlock(&kvm->arch.config_lock);

	return ret;
}
