// SPDX-License-Identifier: GPL-2.0-only
/*
 * References on a hyp VM (SPEC 3 "References", SPEC 4 tlb_flush_vmid,
 * invariant 8).
 *
 * - get_pkvm_hyp_vm / put_pkvm_hyp_vm count on the page holding the hyp VM,
 *   and only a LIVE slot yields a VM.
 * - get_np_pkvm_hyp_vm refuses protected VMs without keeping a reference.
 * - __pkvm_tlb_flush_vmid flushes exactly the VM's VMID and keeps no
 *   reference; it silently does nothing for RESERVED, FREE, garbage and
 *   protected VMs.
 * - Teardown is refused (-EBUSY, WARN) while a get is outstanding.
 *
 * get/put are called directly (white-box) as simulated CPU 0 unless a test
 * says otherwise.
 */
#include <errno.h>

#include "sim_test.h"

static unsigned int host_refs(const void *va)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa(va), &info), 0);
	return info.refcount;
}

/* A live VM with one vCPU, protected iff @prot; returns its handle. */
static pkvm_handle_t create_vm(struct pkvmsim *sim, struct test_vm *vm,
			       bool prot)
{
	test_vm_alloc(sim, vm, 1);
	vm->kvm->arch.pkvm.is_protected = prot;
	assert_true(test_vm_reserve(sim, vm, 0) >= (int)SIM_HANDLE_OFFSET);
	assert_int_equal(test_vm_init(sim, vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, vm, 0, 0), 0);
	return test_vm_handle(vm);
}

static void destroy_vm(struct pkvmsim *sim, struct test_vm *vm)
{
	assert_int_equal(test_vm_teardown(sim, vm, 0), 0);
	test_vm_free(sim, vm, 0);
}

static void tlb_flush_vmid(struct pkvmsim *sim, unsigned int cpu,
			   uint64_t handle)
{
	struct pkvmsim_regs regs;

	regs = sim_hvc_regs(sim, cpu, PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID,
			    handle, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
}

/* SPEC 3 References: get takes one reference on the VM page, put drops it. */
static void get_put_count_references_on_live_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *a, *b;
	struct test_vm vm;
	pkvm_handle_t h;

	h = create_vm(sim, &vm, false);
	assert_int_equal(hyp_vm_refs(h), 0);

	sim_set_this_cpu(0);
	a = get_pkvm_hyp_vm(h);
	assert_ptr_equal(a, live_vm_of(h));
	assert_int_equal(hyp_vm_refs(h), 1);

	/* References nest, from any CPU. */
	sim_set_this_cpu(3);
	b = get_pkvm_hyp_vm(h);
	assert_ptr_equal(b, a);
	assert_int_equal(hyp_vm_refs(h), 2);
	put_pkvm_hyp_vm(b);
	sim_set_this_cpu(0);
	assert_int_equal(hyp_vm_refs(h), 1);
	put_pkvm_hyp_vm(a);
	assert_int_equal(hyp_vm_refs(h), 0);

	/* The get does not touch the host pins. */
	assert_int_equal(host_refs(vm.kvm), 1);
	destroy_vm(sim, &vm);
}

/* SPEC 2 get_vm_by_handle, invariant 7: only a LIVE slot yields a VM. */
static void get_on_reserved_free_or_garbage_is_null(void **state)
{
	static const pkvm_handle_t garbage[] = {
		0, 0xfff, SIM_HANDLE_OFFSET + KVM_MAX_PVMS, 0xffffffffU,
	};
	struct pkvmsim *sim = sim_of(state);
	struct test_vm live, reserved;
	pkvm_handle_t hl, hr;
	unsigned int i;

	hl = create_vm(sim, &live, false);
	test_vm_alloc(sim, &reserved, 1);
	hr = test_vm_reserve(sim, &reserved, 0);
	assert_int_equal(slot_state_of(hr), SLOT_RESERVED);

	sim_set_this_cpu(0);
	assert_null(get_pkvm_hyp_vm(hr));
	assert_null(get_np_pkvm_hyp_vm(hr));
	assert_int_equal(slot_state_of(hr + 1), SLOT_FREE);
	assert_null(get_pkvm_hyp_vm(hr + 1));
	assert_null(get_np_pkvm_hyp_vm(hr + 1));
	for (i = 0; i < ARRAY_SIZE(garbage); i++) {
		assert_null(get_pkvm_hyp_vm(garbage[i]));
		assert_null(get_np_pkvm_hyp_vm(garbage[i]));
	}

	/* Nothing was counted against the live VM either. */
	assert_int_equal(hyp_vm_refs(hl), 0);
	assert_int_equal(slot_state_of(hr), SLOT_RESERVED);

	test_vm_free(sim, &reserved, 0);
	destroy_vm(sim, &live);
}

/* SPEC 3 get_np_pkvm_hyp_vm: refuses a protected VM, keeps no reference. */
static void get_np_refuses_protected_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t h;

	h = create_vm(sim, &vm, true);
	assert_true(live_vm_of(h)->kvm.arch.pkvm.is_protected);

	sim_set_this_cpu(0);
	assert_null(get_np_pkvm_hyp_vm(h));
	assert_int_equal(hyp_vm_refs(h), 0);

	/* The plain get still works on it. */
	hyp_vm = get_pkvm_hyp_vm(h);
	assert_ptr_equal(hyp_vm, live_vm_of(h));
	assert_int_equal(hyp_vm_refs(h), 1);
	put_pkvm_hyp_vm(hyp_vm);
	assert_int_equal(hyp_vm_refs(h), 0);

	destroy_vm(sim, &vm);
}

/* SPEC 3 get_np_pkvm_hyp_vm: a non-protected VM is referenced like get. */
static void get_np_accepts_non_protected_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t h;

	h = create_vm(sim, &vm, false);

	sim_set_this_cpu(0);
	hyp_vm = get_np_pkvm_hyp_vm(h);
	assert_ptr_equal(hyp_vm, live_vm_of(h));
	assert_int_equal(hyp_vm_refs(h), 1);
	put_pkvm_hyp_vm(hyp_vm);
	assert_int_equal(hyp_vm_refs(h), 0);

	destroy_vm(sim, &vm);
}

/* SPEC 4 tlb_flush_vmid: flushes VMID = index + 1, keeps no reference. */
static void tlb_flush_vmid_flushes_that_vmid_only(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct sim_tlb_flush last;
	struct test_vm a, b;
	pkvm_handle_t ha, hb;
	unsigned long before;

	ha = create_vm(sim, &a, false);
	hb = create_vm(sim, &b, false);
	/* Invariant 2: lowest free index first. */
	assert_int_equal(ha, SIM_HANDLE_OFFSET);
	assert_int_equal(hb, SIM_HANDLE_OFFSET + 1);

	before = sim_tlb_flush_count();
	tlb_flush_vmid(sim, 2, hb);
	assert_int_equal(sim_tlb_flush_count(), before + 1);
	assert_true(sim_tlb_flush_last(&last));
	assert_int_equal(last.vmid, 2);
	assert_int_equal(last.cpu, 2);
	assert_int_equal(hyp_vm_refs(hb), 0);
	assert_int_equal(hyp_vm_refs(ha), 0);

	/* The handle is truncated to 32 bits (SPEC 1). */
	tlb_flush_vmid(sim, 1, 0x100000000ULL | ha);
	assert_int_equal(sim_tlb_flush_count(), before + 2);
	assert_true(sim_tlb_flush_last(&last));
	assert_int_equal(last.vmid, 1);
	assert_int_equal(last.cpu, 1);
	assert_int_equal(hyp_vm_refs(ha), 0);

	destroy_vm(sim, &a);
	destroy_vm(sim, &b);
}

/* SPEC 4 tlb_flush_vmid: RESERVED, FREE, garbage, protected: no flush. */
static void tlb_flush_vmid_ignores_reserved_free_and_protected(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm prot, reserved;
	pkvm_handle_t hp, hr;
	unsigned long before;

	hp = create_vm(sim, &prot, true);
	test_vm_alloc(sim, &reserved, 1);
	hr = test_vm_reserve(sim, &reserved, 0);
	assert_int_equal(slot_state_of(hr), SLOT_RESERVED);
	assert_int_equal(slot_state_of(hr + 1), SLOT_FREE);

	before = sim_tlb_flush_count();
	tlb_flush_vmid(sim, 0, hr);
	tlb_flush_vmid(sim, 0, hr + 1);
	tlb_flush_vmid(sim, 0, 0);
	tlb_flush_vmid(sim, 0, SIM_HANDLE_OFFSET + KVM_MAX_PVMS);
	tlb_flush_vmid(sim, 0, hp);
	assert_int_equal(sim_tlb_flush_count(), before);
	assert_int_equal(hyp_vm_refs(hp), 0);
	assert_int_equal(slot_state_of(hr), SLOT_RESERVED);

	test_vm_free(sim, &reserved, 0);
	destroy_vm(sim, &prot);
}

/* Invariant 8: an outstanding get makes teardown -EBUSY with a WARN. */
static void teardown_with_outstanding_get_is_ebusy(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	unsigned long warns, flushes;
	struct test_vm vm;
	pkvm_handle_t h;

	h = create_vm(sim, &vm, false);

	sim_set_this_cpu(1);
	hyp_vm = get_pkvm_hyp_vm(h);
	sim_set_this_cpu(0);
	assert_non_null(hyp_vm);

	warns = sim_warn_count();
	flushes = sim_tlb_flush_count();
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, h,
				 0, 0), -EBUSY);
	assert_int_equal(sim_warn_count(), warns + 1);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_ptr_equal(live_vm_of(h), hyp_vm);
	assert_int_equal(hyp_vm_refs(h), 1);
	/* Nothing of the VM was touched: no flush, pins kept. */
	assert_int_equal(sim_tlb_flush_count(), flushes);
	assert_int_equal(host_refs(vm.kvm), 1);
	assert_int_equal(host_refs(vm.vcpus[0].vcpu), 1);

	sim_set_this_cpu(1);
	put_pkvm_hyp_vm(hyp_vm);
	sim_set_this_cpu(0);
	assert_int_equal(hyp_vm_refs(h), 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(sim_warn_count(), warns + 1);
	test_vm_free(sim, &vm, 0);
}

/* Invariant 8: a loaded vCPU and a get both hold off teardown. */
static void teardown_waits_for_both_load_and_get(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct pkvmsim_regs regs;
	unsigned long warns;
	struct test_vm vm;
	pkvm_handle_t h;

	h = create_vm(sim, &vm, false);
	regs = sim_hvc_regs(sim, 2, PKVMSIM_HCALL_PKVM_VCPU_LOAD, h, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	sim_set_this_cpu(0);
	hyp_vm = get_pkvm_hyp_vm(h);
	assert_int_equal(hyp_vm_refs(h), 2);

	warns = sim_warn_count();
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, h,
				 0, 0), -EBUSY);
	put_pkvm_hyp_vm(hyp_vm);
	assert_int_equal(hyp_vm_refs(h), 1);
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, h,
				 0, 0), -EBUSY);
	assert_int_equal(sim_warn_count(), warns + 2);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);

	regs = sim_hvc_regs(sim, 2, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(hyp_vm_refs(h), 0);
	destroy_vm(sim, &vm);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(get_put_count_references_on_live_vm),
		SIM_TEST(get_on_reserved_free_or_garbage_is_null),
		SIM_TEST(get_np_refuses_protected_vm),
		SIM_TEST(get_np_accepts_non_protected_vm),
		SIM_TEST(tlb_flush_vmid_flushes_that_vmid_only),
		SIM_TEST(tlb_flush_vmid_ignores_reserved_free_and_protected),
		SIM_TEST(teardown_with_outstanding_get_is_ebusy),
		SIM_TEST(teardown_waits_for_both_load_and_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
