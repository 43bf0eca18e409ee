// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's VM table and handles (SPEC 1, 2, 3 reserve/unreserve,
 * 4 register truncation, 6 nvhe; invariants 1, 2, 4, 7):
 *
 * - __pkvm_reserve_vm hands out handles 0x1000.. lowest free first, stores
 *   the RESERVED sentinel, and fails -ENOMEM once all 255 slots are taken;
 * - __pkvm_unreserve_vm frees RESERVED slots only and ignores free, live
 *   and garbage handles; a 64-bit x1 is truncated to a 32-bit handle;
 * - lookups (init_vcpu, teardown) never see the sentinel: -ENOENT, as for
 *   free and out-of-range handles;
 * - a live VM's VMID is its slot index plus one;
 * - in nvhe mode there is no table: reserve is -EINVAL, unreserve a no-op.
 *
 * Every call goes through the hypercall ABI; the table is checked
 * white-box through vm_table.  Expected values are the SPEC's constants,
 * spelled out here rather than taken from src/.
 */
#include <errno.h>
#include <string.h>

#include "sim_test.h"

/* SPEC 1. */
#define SPEC_HANDLE_OFFSET	0x1000U
#define SPEC_MAX_PVMS		255U
#define SPEC_RESERVED_ENTRY	((void *)0xa110ca7edUL)

/* Handles that name no slot: below the offset, or past the last slot. */
static const uint64_t garbage_handles[] = {
	0, 0xfff, SPEC_HANDLE_OFFSET + SPEC_MAX_PVMS, 0xffffffff,
};

static pkvm_handle_t handle_of(unsigned int idx)
{
	return SPEC_HANDLE_OFFSET + idx;
}

static int reserve(struct pkvmsim *sim, unsigned int cpu)
{
	return sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);
}

/* Unreserve @x1; x0 must be success and x1 must come back unwritten. */
static void unreserve(struct pkvmsim *sim, unsigned int cpu, uint64_t x1)
{
	struct pkvmsim_regs regs;

	regs = sim_hvc_regs(sim, cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, x1, 0,
			    0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], x1);
}

static int teardown(struct pkvmsim *sim, uint64_t handle)
{
	return sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, handle, 0, 0);
}

/* init_vcpu of @vm's vCPU 0, naming @handle instead of the VM's own. */
static int init_vcpu_as(struct pkvmsim *sim, struct test_vm *vm,
			pkvm_handle_t handle)
{
	pkvm_handle_t own = test_vm_handle(vm);
	int ret;

	vm->kvm->arch.pkvm.handle = handle;
	ret = test_vcpu_init(sim, vm, 0, 0);
	vm->kvm->arch.pkvm.handle = own;
	return ret;
}

/* References the hypervisor holds on the page at host VA @va. */
static unsigned int page_refs(const void *va)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa(va), &info), 0);
	return info.refcount;
}

/* Reserve @n slots, which must be the lowest @n, all free. */
static void reserve_n(struct pkvmsim *sim, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(reserve(sim, i % 4), handle_of(i));
}

static void unreserve_all(struct pkvmsim *sim)
{
	unsigned int i;

	for (i = 0; i < SPEC_MAX_PVMS; i++)
		if (slot_state_of(handle_of(i)) == SLOT_RESERVED)
			unreserve(sim, 0, handle_of(i));
	assert_int_equal(table_count(SLOT_RESERVED), 0);
}

/*
 * The table page holds more pointers than slots: keep one past the last
 * slot too, so a write through an out-of-range handle is noticed.
 */
#define SNAP_SLOTS	(SPEC_MAX_PVMS + 1)

static void table_snapshot(void *snap[SNAP_SLOTS])
{
	memcpy(snap, vm_table, SNAP_SLOTS * sizeof(void *));
}

static void assert_table_unchanged(void *snap[SNAP_SLOTS])
{
	assert_memory_equal(snap, vm_table, SNAP_SLOTS * sizeof(void *));
}

/*
 * SPEC 3 reserve, inv 2: a fresh table hands out 0x1000, 0x1001, ... in
 * order, from any CPU, and each slot holds the RESERVED sentinel.
 */
static void reserve_returns_lowest_handles_in_order(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(reserve(sim, 3 - i), handle_of(i));
		assert_ptr_equal(vm_table[i], SPEC_RESERVED_ENTRY);
		assert_int_equal(slot_state_of(handle_of(i)), SLOT_RESERVED);
	}
	assert_int_equal(table_count(SLOT_RESERVED), 4);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS - 4);
	assert_int_equal(table_count(SLOT_LIVE), 0);

	unreserve_all(sim);
}

/*
 * Inv 1, 2: all 255 slots can be reserved, with distinct handles that map
 * one-to-one onto slots; the 256th reserve is -ENOMEM and changes nothing.
 */
static void reserve_fills_all_slots_then_enomem(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *snap[SNAP_SLOTS];
	bool seen[SPEC_MAX_PVMS] = { false };
	unsigned int i;

	for (i = 0; i < SPEC_MAX_PVMS; i++) {
		int h = reserve(sim, i % 4);
		unsigned int idx = (unsigned int)h - SPEC_HANDLE_OFFSET;

		assert_in_range(h, SPEC_HANDLE_OFFSET,
				SPEC_HANDLE_OFFSET + SPEC_MAX_PVMS - 1);
		assert_false(seen[idx]);
		seen[idx] = true;
		assert_ptr_equal(vm_table[idx], SPEC_RESERVED_ENTRY);
	}
	assert_int_equal(table_count(SLOT_RESERVED), SPEC_MAX_PVMS);

	table_snapshot(snap);
	assert_int_equal(reserve(sim, 0), -ENOMEM);
	assert_int_equal(reserve(sim, 1), -ENOMEM);
	assert_table_unchanged(snap);

	unreserve_all(sim);
}

/*
 * SPEC 2 find_free_vm_table_entry: after unreserves the next reserve takes
 * the lowest free slot, not the next unused one.
 */
static void reserve_reuses_lowest_unreserved_handle(void **state)
{
	struct pkvmsim *sim = sim_of(state);

	reserve_n(sim, 5);
	unreserve(sim, 0, handle_of(3));
	unreserve(sim, 1, handle_of(1));
	assert_int_equal(slot_state_of(handle_of(1)), SLOT_FREE);
	assert_int_equal(slot_state_of(handle_of(3)), SLOT_FREE);

	assert_int_equal(reserve(sim, 2), handle_of(1));
	assert_int_equal(reserve(sim, 2), handle_of(3));
	assert_int_equal(reserve(sim, 2), handle_of(5));

	unreserve_all(sim);
}

/*
 * Inv 2: with the table full, unreserving a middle handle makes exactly
 * that handle the next one reserved, and the table is full again after.
 */
static void reserve_full_table_reuses_unreserved_middle_handle(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	pkvm_handle_t middle = handle_of(SPEC_MAX_PVMS / 2);

	reserve_n(sim, SPEC_MAX_PVMS);
	assert_int_equal(reserve(sim, 0), -ENOMEM);

	unreserve(sim, 1, middle);
	assert_int_equal(table_count(SLOT_FREE), 1);
	assert_int_equal(reserve(sim, 2), middle);
	assert_int_equal(reserve(sim, 3), -ENOMEM);

	unreserve_all(sim);
}

/*
 * Inv 2, 9: live slots are skipped by the scan, and a torn-down VM's slot
 * is the lowest free one again.
 */
static void reserve_skips_live_slots_and_reuses_torn_down(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm a, b;
	pkvm_handle_t ha;

	test_vm_create_live(sim, &a, 1, 0);
	test_vm_create_live(sim, &b, 1, 1);
	ha = test_vm_handle(&a);
	assert_int_equal(ha, handle_of(0));
	assert_int_equal(test_vm_handle(&b), handle_of(1));

	assert_int_equal(reserve(sim, 2), handle_of(2));

	assert_int_equal(test_vm_teardown(sim, &a, 0), 0);
	assert_int_equal(slot_state_of(ha), SLOT_FREE);
	assert_int_equal(reserve(sim, 3), ha);

	assert_int_equal(test_vm_teardown(sim, &b, 0), 0);
	test_vm_free(sim, &a, 0);
	test_vm_free(sim, &b, 0);
	unreserve_all(sim);
}

/*
 * Inv 1: with live and reserved slots mixed, every handle the host holds
 * names its own slot, the live VM there carries the same handle, and no
 * two handles share a slot.
 */
static void handles_and_slots_are_a_bijection(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vms[3];
	int reserved[3];
	unsigned int i, j, idx;

	for (i = 0; i < 3; i++) {
		reserved[i] = reserve(sim, i);
		test_vm_create_live(sim, &vms[i], 1, i);
	}
	/* A hole, refilled by the next reservation. */
	unreserve(sim, 0, reserved[1]);
	assert_int_equal(reserve(sim, 0), reserved[1]);

	for (i = 0; i < 3; i++) {
		pkvm_handle_t h = test_vm_handle(&vms[i]);

		idx = h - SPEC_HANDLE_OFFSET;
		assert_true(idx < SPEC_MAX_PVMS);
		assert_int_equal(live_vm_of(h)->kvm.arch.pkvm.handle, h);
		assert_ptr_equal(vm_table[idx], live_vm_of(h));
		for (j = 0; j < 3; j++) {
			assert_int_not_equal(h, (pkvm_handle_t)reserved[j]);
			if (j != i)
				assert_int_not_equal(h,
					test_vm_handle(&vms[j]));
		}
		assert_ptr_equal(vm_table[reserved[i] - SPEC_HANDLE_OFFSET],
				 SPEC_RESERVED_ENTRY);
	}
	assert_int_equal(table_count(SLOT_LIVE), 3);
	assert_int_equal(table_count(SLOT_RESERVED), 3);

	for (i = 0; i < 3; i++) {
		assert_int_equal(test_vm_teardown(sim, &vms[i], 0), 0);
		test_vm_free(sim, &vms[i], 0);
	}
	unreserve_all(sim);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
}

/* SPEC 3 unreserve, inv 4: a RESERVED slot goes back to FREE. */
static void unreserve_frees_reserved_slot(void **state)
{
	struct pkvmsim *sim = sim_of(state);

	reserve_n(sim, 2);
	unreserve(sim, 2, handle_of(0));
	assert_null(vm_table[0]);
	assert_int_equal(slot_state_of(handle_of(0)), SLOT_FREE);
	assert_int_equal(slot_state_of(handle_of(1)), SLOT_RESERVED);

	unreserve(sim, 3, handle_of(1));
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
}

/* Inv 4: unreserving a FREE slot (never or no longer reserved) is ignored. */
static void unreserve_ignores_free_slot(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *snap[SNAP_SLOTS];

	reserve_n(sim, 3);
	unreserve(sim, 0, handle_of(1));

	table_snapshot(snap);
	unreserve(sim, 0, handle_of(1));	/* again */
	unreserve(sim, 1, handle_of(3));	/* never reserved */
	unreserve(sim, 2, handle_of(SPEC_MAX_PVMS - 1));
	assert_table_unchanged(snap);
	assert_int_equal(table_count(SLOT_RESERVED), 2);

	/* Still a hole the next reserve fills. */
	assert_int_equal(reserve(sim, 0), handle_of(1));
	unreserve_all(sim);
}

/*
 * Inv 4, SPEC 9 "unreserve racing init_vm": unreserve of a LIVE handle
 * leaves the VM in its slot and fully usable.
 */
static void unreserve_ignores_live_slot(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	hyp_vm = live_vm_of(h);

	unreserve(sim, 1, h);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_ptr_equal(live_vm_of(h), hyp_vm);

	/* Still found by handle: a second vCPU joins, then teardown. */
	assert_int_equal(test_vcpu_init(sim, &vm, 1, 1), 0);
	assert_non_null(hyp_vm->vcpus[1]);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	test_vm_free(sim, &vm, 0);
}

/*
 * Inv 4, SPEC 1: garbage handles (below 0x1000, past the last slot) are
 * ignored without touching any slot, whatever state the slots are in.
 */
static void unreserve_ignores_garbage_handles(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *snap[SNAP_SLOTS];
	struct test_vm vm;
	unsigned int i;

	test_vm_create_live(sim, &vm, 1, 0);	/* slot 0 LIVE */
	assert_int_equal(reserve(sim, 0), handle_of(1));
	assert_int_equal(reserve(sim, 0), handle_of(2));
	unreserve(sim, 0, handle_of(1));	/* slot 1 FREE, 2 RESERVED */

	/*
	 * White-box: plant the sentinel just past the last slot, where an
	 * off-by-one range check on 0x1000 + 255 would find and clear it.
	 */
	vm_table[SPEC_MAX_PVMS] = SPEC_RESERVED_ENTRY;
	table_snapshot(snap);
	for (i = 0; i < ARRAY_SIZE(garbage_handles); i++) {
		unreserve(sim, i % 4, garbage_handles[i]);
		assert_table_unchanged(snap);
	}
	vm_table[SPEC_MAX_PVMS] = NULL;

	/* A full table: still nothing to free. */
	while (reserve(sim, 0) > 0)
		;
	table_snapshot(snap);
	for (i = 0; i < ARRAY_SIZE(garbage_handles); i++) {
		unreserve(sim, i % 4, garbage_handles[i]);
		assert_table_unchanged(snap);
	}

	unreserve_all(sim);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 1/4 DECLARE_REG: the handle in x1 is truncated to 32 bits, so
 * x1 = 0x1_0000_1000 unreserves 0x1000.
 */
static void unreserve_truncates_x1_to_32_bits(void **state)
{
	struct pkvmsim *sim = sim_of(state);

	reserve_n(sim, 2);

	unreserve(sim, 0, 0x100000000ULL | handle_of(0));
	assert_int_equal(slot_state_of(handle_of(0)), SLOT_FREE);
	assert_int_equal(slot_state_of(handle_of(1)), SLOT_RESERVED);

	unreserve(sim, 1, 0xffffffff00000000ULL | handle_of(1));
	assert_int_equal(slot_state_of(handle_of(1)), SLOT_FREE);
}

/*
 * Inv 7: lookup never yields the sentinel.  init_vcpu and teardown on a
 * RESERVED handle are -ENOENT; the slot stays reserved, the vCPU area
 * comes back, the host vCPU is not left pinned, and no TLB is flushed.
 */
static void lookup_of_reserved_handle_is_enoent(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long flushes;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 1);
	reserve_n(sim, 1);
	h = test_vm_reserve(sim, &vm, 1);
	assert_int_equal(h, handle_of(1));

	flushes = sim_tlb_flush_count();
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), -ENOENT);
	assert_int_equal(page_refs(vm.vcpus[0].vcpu), 0);
	assert_int_equal(teardown(sim, h), -ENOENT);
	assert_int_equal(sim_tlb_flush_count(), flushes);

	assert_ptr_equal(vm_table[1], SPEC_RESERVED_ENTRY);
	assert_int_equal(table_count(SLOT_RESERVED), 2);

	test_vm_free(sim, &vm, 0);	/* unreserves h */
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	unreserve_all(sim);
}

/*
 * SPEC 2 get_vm_by_handle: a FREE slot, never used or freed again, is
 * -ENOENT for init_vcpu and teardown too.
 */
static void lookup_of_free_handle_is_enoent(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *snap[SNAP_SLOTS];
	struct test_vm vm;

	test_vm_alloc(sim, &vm, 1);
	reserve_n(sim, 2);
	unreserve(sim, 0, handle_of(0));	/* 0 freed, 2 never used */

	table_snapshot(snap);
	assert_int_equal(init_vcpu_as(sim, &vm, handle_of(0)), -ENOENT);
	assert_int_equal(init_vcpu_as(sim, &vm, handle_of(2)), -ENOENT);
	assert_int_equal(teardown(sim, handle_of(0)), -ENOENT);
	assert_int_equal(teardown(sim, handle_of(2)), -ENOENT);
	assert_int_equal(page_refs(vm.vcpus[0].vcpu), 0);
	assert_table_unchanged(snap);

	test_vm_free(sim, &vm, 0);
	unreserve_all(sim);
}

/*
 * SPEC 1/2: out-of-range handles (below 0x1000 wraps to a huge index, or
 * past slot 254) are -ENOENT for init_vcpu and teardown, with a full
 * table of live and reserved slots around.
 */
static void lookup_of_out_of_range_handle_is_enoent(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *snap[SNAP_SLOTS];
	struct test_vm vm;
	unsigned int i;

	test_vm_create_live(sim, &vm, 1, 0);
	while (reserve(sim, 0) > 0)
		;

	table_snapshot(snap);
	for (i = 0; i < ARRAY_SIZE(garbage_handles); i++) {
		pkvm_handle_t h = (pkvm_handle_t)garbage_handles[i];

		assert_int_equal(teardown(sim, h), -ENOENT);
		assert_int_equal(init_vcpu_as(sim, &vm, h), -ENOENT);
		assert_table_unchanged(snap);
	}

	unreserve_all(sim);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 1, inv 1: a live VM's VMID is its slot index + 1 (never 0, the
 * host's), for the first slot, the last (254), and refilled holes.
 */
static void vmid_is_slot_index_plus_one(void **state)
{
	static const unsigned int want_idx[] = { 0, SPEC_MAX_PVMS - 1, 1, 127 };
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vms[ARRAY_SIZE(want_idx)];
	unsigned int i, j;

	test_vm_create_live(sim, &vms[0], 1, 0);
	for (i = 1; i < SPEC_MAX_PVMS - 1; i++)
		assert_int_equal(reserve(sim, 1), handle_of(i));
	test_vm_create_live(sim, &vms[1], 1, 2);
	unreserve(sim, 0, handle_of(1));
	test_vm_create_live(sim, &vms[2], 1, 3);
	unreserve(sim, 0, handle_of(127));
	test_vm_create_live(sim, &vms[3], 1, 0);

	for (i = 0; i < ARRAY_SIZE(want_idx); i++) {
		pkvm_handle_t h = test_vm_handle(&vms[i]);
		u64 vmid = live_vm_of(h)->kvm.arch.mmu.vmid.id;

		assert_int_equal(h, handle_of(want_idx[i]));
		assert_int_equal(vmid, want_idx[i] + 1);
		assert_int_not_equal(vmid, 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(vmid, live_vm_of(
				test_vm_handle(&vms[j]))->kvm.arch.mmu.vmid.id);
	}

	for (i = 0; i < ARRAY_SIZE(want_idx); i++) {
		assert_int_equal(test_vm_teardown(sim, &vms[i], 0), 0);
		test_vm_free(sim, &vms[i], 0);
	}
	unreserve_all(sim);
}

/*
 * SPEC 2/6 nvhe: no table.  Reserve is -EINVAL, unreserve is a no-op that
 * still answers x0 = success without writing x1, and the table stays NULL.
 */
static void nvhe_reserve_einval_unreserve_noop(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned int cpu;

	assert_null(vm_table);
	for (cpu = 0; cpu < 2; cpu++) {
		assert_int_equal(reserve(sim, cpu), -EINVAL);
		unreserve(sim, cpu, SPEC_HANDLE_OFFSET);
		unreserve(sim, cpu, 0);
		unreserve(sim, cpu, 0xffffffff);
	}
	assert_null(vm_table);
	assert_int_equal(slot_state_of(SPEC_HANDLE_OFFSET), SLOT_NO_TABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(reserve_returns_lowest_handles_in_order),
		SIM_TEST(reserve_fills_all_slots_then_enomem),
		SIM_TEST(reserve_reuses_lowest_unreserved_handle),
		SIM_TEST(reserve_full_table_reuses_unreserved_middle_handle),
		SIM_TEST(reserve_skips_live_slots_and_reuses_torn_down),
		SIM_TEST(handles_and_slots_are_a_bijection),
		SIM_TEST(unreserve_frees_reserved_slot),
		SIM_TEST(unreserve_ignores_free_slot),
		SIM_TEST(unreserve_ignores_live_slot),
		SIM_TEST(unreserve_ignores_garbage_handles),
		SIM_TEST(unreserve_truncates_x1_to_32_bits),
		SIM_TEST(lookup_of_reserved_handle_is_enoent),
		SIM_TEST(lookup_of_free_handle_is_enoent),
		SIM_TEST(lookup_of_out_of_range_handle_is_enoent),
		SIM_TEST(vmid_is_slot_index_plus_one),
		SIM_TEST_MODE(nvhe_reserve_einval_unreserve_noop, nvhe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
