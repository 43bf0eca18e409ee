// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "sim_test.h"

static int setup_mode(void **state, enum pkvmsim_mode mode)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.mode = mode;
	ret = pkvmsim_create(&cfg, &sim);
	if (ret) {
		print_error("pkvmsim_create: %s\n", strerror(-ret));
		return -1;
	}
	*state = sim;
	return 0;
}

int sim_setup_protected(void **state)
{
	return setup_mode(state, PKVMSIM_MODE_PROTECTED);
}

int sim_setup_nvhe(void **state)
{
	return setup_mode(state, PKVMSIM_MODE_NVHE);
}

int sim_setup_vhe(void **state)
{
	return setup_mode(state, PKVMSIM_MODE_VHE);
}

int sim_teardown_clean(void **state)
{
	int ret = pkvmsim_destroy(*state);

	*state = NULL;
	if (ret)
		print_error("pkvmsim_destroy: %s (see the leak report)\n",
			    strerror(-ret));
	return ret ? -1 : 0;
}

int sim_teardown_any(void **state)
{
	pkvmsim_destroy(*state);
	*state = NULL;
	return 0;
}

struct pkvmsim_regs sim_hvc_regs(struct pkvmsim *sim, unsigned int cpu,
				 unsigned long nr, uint64_t a1, uint64_t a2,
				 uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};

	assert_int_equal(pkvmsim_hvc(sim, cpu, &regs), 0);
	return regs;
}

int sim_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
	    uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pkvmsim_regs regs = sim_hvc_regs(sim, cpu, nr, a1, a2, a3);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	return (int)regs.x[1];
}

enum slot_state slot_state_of(pkvm_handle_t handle)
{
	unsigned int idx = handle - SIM_HANDLE_OFFSET;
	void *slot;

	if (!vm_table)
		return SLOT_NO_TABLE;
	assert_true(idx < KVM_MAX_PVMS);
	slot = vm_table[idx];
	if (!slot)
		return SLOT_FREE;
	if (slot == SIM_RESERVED_ENTRY)
		return SLOT_RESERVED;
	return SLOT_LIVE;
}

struct pkvm_hyp_vm *live_vm_of(pkvm_handle_t handle)
{
	assert_int_equal(slot_state_of(handle), SLOT_LIVE);
	return vm_table[handle - SIM_HANDLE_OFFSET];
}

unsigned int table_count(enum slot_state state)
{
	unsigned int i, n = 0;

	for (i = 0; i < KVM_MAX_PVMS; i++)
		n += slot_state_of(SIM_HANDLE_OFFSET + i) == state;
	return n;
}

int hyp_vm_refs(pkvm_handle_t handle)
{
	return hyp_page_count(live_vm_of(handle));
}

jmp_buf sim_bug_jmp;

void sim_bug_longjmp(const char *file, int line, const char *cond)
{
	(void)file;
	(void)line;
	(void)cond;
	longjmp(sim_bug_jmp, 1);
}

/* --- the test host --- */

static void share_pages(struct pkvmsim *sim, void *va, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		assert_int_equal(sim_hvc(sim, 0,
					 PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP,
					 sim_host_pfn((char *)va +
						      i * SIM_PAGE_SIZE),
					 0, 0), 0);
}

static void unshare_and_free(struct pkvmsim *sim, void *va, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		assert_int_equal(sim_hvc(sim, 0,
					 PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
					 sim_host_pfn((char *)va +
						      i * SIM_PAGE_SIZE),
					 0, 0), 0);
	assert_int_equal(sim_host_free_pages(va, nr), 0);
}

static unsigned long pages_for(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

void test_vm_alloc(struct pkvmsim *sim, struct test_vm *vm, int nr_vcpus)
{
	int i;

	assert_true(nr_vcpus >= 0 && nr_vcpus <= TEST_MAX_VCPUS);
	memset(vm, 0, sizeof(*vm));
	vm->kvm_pages = pages_for(sizeof(struct kvm));
	vm->kvm = sim_host_alloc_pages(vm->kvm_pages);
	assert_non_null(vm->kvm);
	vm->kvm->created_vcpus = nr_vcpus;
	vm->nr_vcpus = nr_vcpus;
	share_pages(sim, vm->kvm, vm->kvm_pages);

	for (i = 0; i < nr_vcpus; i++) {
		struct kvm_vcpu *vcpu = sim_host_alloc_pages(1);

		assert_non_null(vcpu);
		vcpu->kvm = vm->kvm;
		vcpu->vcpu_id = i;
		vcpu->vcpu_idx = i;
		share_pages(sim, vcpu, 1);
		vm->vcpus[i].vcpu = vcpu;
	}
}

int test_vm_reserve(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu)
{
	int ret = sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);

	if (ret > 0)
		vm->kvm->arch.pkvm.handle = (pkvm_handle_t)ret;
	return ret;
}

void test_vm_areas_alloc(struct test_vm *vm)
{
	vm->vm_pages = pages_for(pkvm_get_hyp_vm_size(vm->nr_vcpus));
	vm->pgd_pages = pages_for(kvm_pgtable_stage2_pgd_size(0));
	vm->vm_area = sim_host_alloc_pages(vm->vm_pages);
	vm->pgd = sim_host_alloc_pages(vm->pgd_pages);
	assert_non_null(vm->vm_area);
	assert_non_null(vm->pgd);
}

int test_vm_areas_settle(struct test_vm *vm, int ret)
{
	if (ret) {
		assert_int_equal(sim_host_free_pages(vm->vm_area,
						     vm->vm_pages), 0);
		assert_int_equal(sim_host_free_pages(vm->pgd, vm->pgd_pages),
				 0);
	} else {
		vm->created = true;
	}
	vm->vm_area = NULL;
	vm->pgd = NULL;
	return ret;
}

int test_vm_init(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu)
{
	test_vm_areas_alloc(vm);
	return test_vm_areas_settle(vm,
		sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_INIT_VM,
			(uint64_t)(uintptr_t)vm->kvm,
			(uint64_t)(uintptr_t)vm->vm_area,
			(uint64_t)(uintptr_t)vm->pgd));
}

int test_vcpu_init(struct pkvmsim *sim, struct test_vm *vm, int idx,
		   unsigned int cpu)
{
	struct test_vcpu *tv = &vm->vcpus[idx];
	void *area = sim_host_alloc_pages(
		pages_for(sizeof(struct pkvm_hyp_vcpu)));
	int ret;

	assert_non_null(area);
	ret = sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_INIT_VCPU,
		      test_vm_handle(vm), (uint64_t)(uintptr_t)tv->vcpu,
		      (uint64_t)(uintptr_t)area);
	if (ret)
		assert_int_equal(sim_host_free_pages(area,
			pages_for(sizeof(struct pkvm_hyp_vcpu))), 0);
	else
		tv->initialised = true;
	return ret;
}

void test_vm_reclaim(struct test_vm *vm)
{
	struct kvm_protected_vm *pkvm = &vm->kvm->arch.pkvm;
	int i;

	sim_host_free_memcache(&pkvm->teardown_mc.head,
			       &pkvm->teardown_mc.nr_pages);
	sim_host_free_memcache(&pkvm->stage2_teardown_mc.head,
			       &pkvm->stage2_teardown_mc.nr_pages);
	assert_int_equal(pkvm->teardown_mc.nr_pages, 0);
	assert_int_equal(pkvm->stage2_teardown_mc.nr_pages, 0);
	/* Other threads' oracles may read it. */
	__atomic_store_n(&pkvm->handle, 0, __ATOMIC_RELAXED);
	vm->created = false;
	for (i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].initialised = false;
}

int test_vm_teardown(struct pkvmsim *sim, struct test_vm *vm,
		     unsigned int cpu)
{
	int ret;

	ret = sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
		      vm->kvm->arch.pkvm.handle, 0, 0);
	if (!ret)
		test_vm_reclaim(vm);
	return ret;
}

void test_vm_free(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu)
{
	int i;

	if (!vm->created && vm->kvm->arch.pkvm.handle)
		sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
			vm->kvm->arch.pkvm.handle, 0, 0);
	for (i = 0; i < vm->nr_vcpus; i++)
		unshare_and_free(sim, vm->vcpus[i].vcpu, 1);
	unshare_and_free(sim, vm->kvm, vm->kvm_pages);
	memset(vm, 0, sizeof(*vm));
}

void test_vm_create_live(struct pkvmsim *sim, struct test_vm *vm,
			 int nr_vcpus, unsigned int cpu)
{
	int i;

	test_vm_alloc(sim, vm, nr_vcpus);
	assert_true(test_vm_reserve(sim, vm, cpu) >= (int)SIM_HANDLE_OFFSET);
	assert_int_equal(test_vm_init(sim, vm, cpu), 0);
	for (i = 0; i < nr_vcpus; i++)
		assert_int_equal(test_vcpu_init(sim, vm, i, cpu), 0);
}
