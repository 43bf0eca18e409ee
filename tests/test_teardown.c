// SPDX-License-Identifier: GPL-2.0-only
/*
 * __pkvm_teardown_vm (SPEC 3; invariants 7, 8, 9).
 *
 * - Refused (-EBUSY, WARN, slot stays LIVE) while a vCPU is loaded.
 * - On success: slot FREE, the VMID flushed inside the critical section
 *   that frees the slot, every donated page (VM area, vCPU areas, vCPU
 *   memcaches, stage-2 PGD) queued on the host's teardown memcaches and
 *   owned by the host again, every pin released.
 * - The handle (and so the VMID) is reused by the next reserve.
 * - FREE, RESERVED, garbage and already torn down handles: -ENOENT.
 * - Partially initialised VMs, and other VMs left untouched.
 */
#include <errno.h>
#include <string.h>

#include "sim_test.h"
#include "linux/sim_sched.h"

#define PAGES(bytes)	(((bytes) + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE)

/* SPEC 3 init_vm step 4: the hyp VM plus one pointer per vCPU. */
#define VM_AREA_PAGES(n)						\
	PAGES(sizeof(struct pkvm_hyp_vm) +				\
	      (unsigned long)(n) * sizeof(struct pkvm_hyp_vcpu *))
#define VCPU_AREA_PAGES	PAGES(sizeof(struct pkvm_hyp_vcpu))
/* The simulator's stage-2 PGD: two concatenated level-0 tables. */
#define PGD_PAGES	2

static struct sim_page_info page_info(uint64_t phys)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(phys, &info), 0);
	return info;
}

static unsigned int host_refs(const void *va)
{
	return page_info(sim_host_pa(va)).refcount;
}

static void vcpu_load(struct pkvmsim *sim, unsigned int cpu,
		      pkvm_handle_t handle, unsigned int idx)
{
	struct pkvmsim_regs regs = sim_hvc_regs(sim, cpu,
						PKVMSIM_HCALL_PKVM_VCPU_LOAD,
						handle, idx, 0);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
}

static void vcpu_put(struct pkvmsim *sim, unsigned int cpu)
{
	struct pkvmsim_regs regs = sim_hvc_regs(sim, cpu,
						PKVMSIM_HCALL_PKVM_VCPU_PUT,
						0, 0, 0);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
}

static int teardown_hvc(struct pkvmsim *sim, unsigned int cpu,
			uint64_t handle)
{
	return sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, handle, 0, 0);
}

/* Whether host-side memcache @mc holds the page at @phys. */
static bool memcache_holds(const struct kvm_hyp_memcache *mc, uint64_t phys)
{
	uint64_t head = mc->head;
	unsigned long n;

	for (n = 0; n < mc->nr_pages; n++) {
		uint64_t *page = sim_host_va(head & ~(SIM_PAGE_SIZE - 1));

		assert_non_null(page);
		if ((head & ~(SIM_PAGE_SIZE - 1)) == phys)
			return true;
		head = *page;
	}
	return false;
}

/*
 * Every page on @mc is the host's (owned, not shared, unpinned) and, past
 * the link word, zero.
 */
static void assert_memcache_pages_home(const struct kvm_hyp_memcache *mc)
{
	uint64_t head = mc->head;
	unsigned long n, i;

	for (n = 0; n < mc->nr_pages; n++) {
		uint64_t phys = head & ~(SIM_PAGE_SIZE - 1);
		struct sim_page_info info = page_info(phys);
		uint64_t *page = sim_host_va(phys);

		assert_non_null(page);
		assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
		assert_int_equal(info.hyp_state, PKVM_NOPAGE);
		assert_int_equal(info.refcount, 0);
		for (i = 1; i < SIM_PAGE_SIZE / sizeof(*page); i++)
			if (page[i])
				fail_msg("page %#llx word %lu not zeroed",
					 (unsigned long long)phys, i);
		head = *page;
	}
}

/* Free both teardown memcaches and forget the VM, as the host does. */
static void host_reclaim(struct test_vm *vm)
{
	struct kvm_protected_vm *pkvm = &vm->kvm->arch.pkvm;
	unsigned long n = pkvm->teardown_mc.nr_pages;
	unsigned long s2 = pkvm->stage2_teardown_mc.nr_pages;
	int i;

	assert_int_equal(sim_host_free_memcache(&pkvm->teardown_mc.head,
						&pkvm->teardown_mc.nr_pages),
			 n);
	assert_int_equal(sim_host_free_memcache(
				&pkvm->stage2_teardown_mc.head,
				&pkvm->stage2_teardown_mc.nr_pages), s2);
	pkvm->handle = 0;
	vm->created = false;
	for (i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].initialised = false;
}

static void destroy_vm(struct pkvmsim *sim, struct test_vm *vm)
{
	assert_int_equal(test_vm_teardown(sim, vm, 0), 0);
	test_vm_free(sim, vm, 0);
}

/* Invariant 8: a loaded vCPU makes teardown -EBUSY (WARN), slot LIVE. */
static void teardown_with_loaded_vcpu_is_ebusy_until_put(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long warns, flushes;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_create_live(sim, &vm, 2, 0);
	h = test_vm_handle(&vm);
	vcpu_load(sim, 2, h, 1);
	assert_int_equal(hyp_vm_refs(h), 1);

	warns = sim_warn_count();
	flushes = sim_tlb_flush_count();
	assert_int_equal(teardown_hvc(sim, 0, h), -EBUSY);
	assert_int_equal(sim_warn_count(), warns + 1);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_int_equal(sim_tlb_flush_count(), flushes);
	/* Still loaded, still pinned, memcaches untouched. */
	assert_ptr_equal(loaded_hyp_vcpu[2], live_vm_of(h)->vcpus[1]);
	assert_int_equal(hyp_vm_refs(h), 1);
	assert_int_equal(host_refs(vm.kvm), 1);
	assert_int_equal(host_refs(vm.vcpus[1].vcpu), 1);
	assert_int_equal(vm.kvm->arch.pkvm.teardown_mc.nr_pages, 0);
	assert_int_equal(vm.kvm->arch.pkvm.stage2_teardown_mc.nr_pages, 0);

	vcpu_put(sim, 2);
	assert_int_equal(hyp_vm_refs(h), 0);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_null(loaded_hyp_vcpu[2]);
	test_vm_free(sim, &vm, 0);
}

/*
 * Invariant 9: after teardown every donated page is on the host's teardown
 * memcaches and the host's again, and every pin is released.
 */
static void teardown_returns_every_page_through_memcaches(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	uint64_t vm_phys, pgd_phys, vcpu_phys[3];
	struct kvm_protected_vm *pkvm;
	struct pkvm_hyp_vm *hyp_vm;
	struct sim_tlb_flush last;
	struct test_vm vm;
	pkvm_handle_t h;
	unsigned long i;

	test_vm_create_live(sim, &vm, 3, 0);
	h = test_vm_handle(&vm);
	pkvm = &vm.kvm->arch.pkvm;
	hyp_vm = live_vm_of(h);
	vm_phys = hyp_virt_to_phys(hyp_vm);
	pgd_phys = hyp_vm->kvm.arch.mmu.pgd_phys;
	for (i = 0; i < 3; i++)
		vcpu_phys[i] = hyp_virt_to_phys(hyp_vm->vcpus[i]);
	assert_int_equal(host_refs(vm.kvm), 1);
	/* Stand-in for stage-2 entries: hyp data that must not leak. */
	memset(hyp_phys_to_virt(pgd_phys), 0xa5, PGD_PAGES * SIM_PAGE_SIZE);

	assert_int_equal(teardown_hvc(sim, 1, h), 0);

	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_true(sim_tlb_flush_last(&last));
	assert_int_equal(last.vmid, h - SIM_HANDLE_OFFSET + 1);

	assert_int_equal(pkvm->teardown_mc.nr_pages,
			 VM_AREA_PAGES(3) + 3 * VCPU_AREA_PAGES);
	assert_int_equal(pkvm->stage2_teardown_mc.nr_pages, PGD_PAGES);
	for (i = 0; i < VM_AREA_PAGES(3); i++)
		assert_true(memcache_holds(&pkvm->teardown_mc,
					   vm_phys + i * SIM_PAGE_SIZE));
	for (i = 0; i < 3; i++)
		assert_true(memcache_holds(&pkvm->teardown_mc, vcpu_phys[i]));
	for (i = 0; i < PGD_PAGES; i++)
		assert_true(memcache_holds(&pkvm->stage2_teardown_mc,
					   pgd_phys + i * SIM_PAGE_SIZE));
	assert_memcache_pages_home(&pkvm->teardown_mc);
	assert_memcache_pages_home(&pkvm->stage2_teardown_mc);

	/* Pins released: the host may unshare (test_vm_free asserts it). */
	assert_int_equal(host_refs(vm.kvm), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(host_refs(vm.vcpus[i].vcpu), 0);

	host_reclaim(&vm);
	test_vm_free(sim, &vm, 0);
}

static struct {
	unsigned int	acquires;
	unsigned int	releases;
	unsigned long	flushes_at_acquire;
	unsigned long	flushes_at_release;
	enum slot_state	slot_at_release;
	pkvm_handle_t	handle;
} spy;

/* Observes the first vm_table_lock critical section of a teardown. */
static void teardown_spy(enum sim_point point, const void *addr,
			 const char *where)
{
	(void)where;
	if (addr != (const void *)&vm_table_lock)
		return;
	if (point == SIM_POINT_LOCK_ACQUIRE && !spy.acquires++)
		spy.flushes_at_acquire = sim_tlb_flush_count();
	if (point == SIM_POINT_LOCK_RELEASE && !spy.releases++) {
		spy.flushes_at_release = sim_tlb_flush_count();
		spy.slot_at_release = slot_state_of(spy.handle);
	}
}

/*
 * SPEC 3 teardown, SPEC 9 (handle/VMID reuse): the VMID is flushed in the
 * same vm_table_lock critical section that frees the slot, so no reserve
 * can reuse the slot (and VMID) before the flush.
 */
static void teardown_flushes_vmid_before_slot_is_reusable(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct sim_tlb_flush last;
	struct test_vm a, b;
	pkvm_handle_t hb;
	unsigned long before;

	test_vm_create_live(sim, &a, 1, 0);
	test_vm_create_live(sim, &b, 1, 0);
	hb = test_vm_handle(&b);
	assert_int_equal(hb, SIM_HANDLE_OFFSET + 1);

	memset(&spy, 0, sizeof(spy));
	spy.handle = hb;
	before = sim_tlb_flush_count();
	__atomic_store_n(&sim_sched_point_hook, teardown_spy, __ATOMIC_RELAXED);
	assert_int_equal(teardown_hvc(sim, 3, hb), 0);
	__atomic_store_n(&sim_sched_point_hook, NULL, __ATOMIC_RELAXED);

	/* Exactly one flush, of VMID 2 (index 1 + 1), from the caller. */
	assert_int_equal(sim_tlb_flush_count(), before + 1);
	assert_true(sim_tlb_flush_last(&last));
	assert_int_equal(last.vmid, 2);
	assert_int_equal(last.cpu, 3);

	assert_true(spy.acquires >= 1);
	assert_int_equal(spy.flushes_at_acquire, before);
	assert_int_equal(spy.flushes_at_release, before + 1);
	assert_int_equal(spy.slot_at_release, SLOT_FREE);

	host_reclaim(&b);
	test_vm_free(sim, &b, 0);
	destroy_vm(sim, &a);
}

/* Invariant 9: the freed handle is the next reserved, with the same VMID. */
static void teardown_handle_is_reused_with_same_vmid(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm a, b, c;
	pkvm_handle_t ha;

	test_vm_create_live(sim, &a, 1, 0);
	test_vm_create_live(sim, &b, 1, 0);
	ha = test_vm_handle(&a);
	assert_int_equal(ha, SIM_HANDLE_OFFSET);
	assert_int_equal(live_vm_of(ha)->kvm.arch.mmu.vmid.id, 1);

	destroy_vm(sim, &a);
	assert_int_equal(slot_state_of(ha), SLOT_FREE);

	test_vm_alloc(sim, &c, 2);
	assert_int_equal(test_vm_reserve(sim, &c, 0), ha);
	assert_int_equal(test_vm_init(sim, &c, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &c, 1, 0), 0);
	assert_int_equal(slot_state_of(ha), SLOT_LIVE);
	assert_int_equal(hyp_virt_to_phys(live_vm_of(ha)->host_kvm),
			 sim_host_pa(c.kvm));
	assert_int_equal(live_vm_of(ha)->kvm.arch.mmu.vmid.id, 1);
	assert_int_equal(live_vm_of(ha)->kvm.created_vcpus, 2);

	vcpu_load(sim, 0, ha, 1);
	assert_ptr_equal(loaded_hyp_vcpu[0], live_vm_of(ha)->vcpus[1]);
	vcpu_put(sim, 0);

	destroy_vm(sim, &c);
	destroy_vm(sim, &b);
}

/* SPEC 3 teardown, invariant 7: FREE, RESERVED, garbage -> -ENOENT. */
static void teardown_of_free_reserved_or_garbage_handle_is_enoent(void **state)
{
	static const uint64_t garbage[] = {
		0, 0xfff, SIM_HANDLE_OFFSET + KVM_MAX_PVMS, 0xffffffffULL,
	};
	struct pkvmsim *sim = sim_of(state);
	unsigned long warns, flushes;
	struct test_vm vm;
	pkvm_handle_t h;
	unsigned int i;

	warns = sim_warn_count();
	flushes = sim_tlb_flush_count();

	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_FREE);
	assert_int_equal(teardown_hvc(sim, 0, SIM_HANDLE_OFFSET), -ENOENT);
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_FREE);

	test_vm_alloc(sim, &vm, 1);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(teardown_hvc(sim, 0, h), -ENOENT);
	assert_int_equal(slot_state_of(h), SLOT_RESERVED);

	for (i = 0; i < ARRAY_SIZE(garbage); i++)
		assert_int_equal(teardown_hvc(sim, 0, garbage[i]), -ENOENT);

	assert_int_equal(sim_warn_count(), warns);
	assert_int_equal(sim_tlb_flush_count(), flushes);
	assert_int_equal(table_count(SLOT_RESERVED), 1);
	assert_int_equal(table_count(SLOT_LIVE), 0);

	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 teardown: the second teardown of one handle -> -ENOENT. */
static void second_teardown_of_same_handle_is_enoent(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	unsigned long flushes;
	pkvm_handle_t h;

	test_vm_create_live(sim, &vm, 1, 0);
	h = test_vm_handle(&vm);
	assert_int_equal(teardown_hvc(sim, 0, h), 0);
	flushes = sim_tlb_flush_count();

	assert_int_equal(teardown_hvc(sim, 1, h), -ENOENT);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(sim_tlb_flush_count(), flushes);
	/* Nothing was queued twice. */
	assert_int_equal(vm.kvm->arch.pkvm.teardown_mc.nr_pages,
			 VM_AREA_PAGES(1) + VCPU_AREA_PAGES);
	assert_int_equal(vm.kvm->arch.pkvm.stage2_teardown_mc.nr_pages,
			 PGD_PAGES);

	host_reclaim(&vm);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 3 teardown: pages in a vCPU's memcache go back to the host too, on
 * the stage-2 teardown memcache.
 */
static void teardown_drains_vcpu_memcache(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct kvm_hyp_memcache *vcpu_mc;
	struct kvm_protected_vm *pkvm;
	struct sim_page_info info;
	struct test_vm vm;
	uint64_t phys;
	pkvm_handle_t h;
	void *page;

	test_vm_create_live(sim, &vm, 2, 0);
	h = test_vm_handle(&vm);
	pkvm = &vm.kvm->arch.pkvm;

	page = sim_host_alloc_pages(1);
	assert_non_null(page);
	phys = sim_host_pa(page);
	sim_set_this_cpu(0);
	assert_int_equal(__pkvm_host_donate_hyp(sim_host_pfn(page), 1), 0);
	info = page_info(phys);
	assert_int_equal(info.hyp_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.host_state, PKVM_NOPAGE);

	vcpu_mc = &live_vm_of(h)->vcpus[1]->vcpu.arch.pkvm_memcache;
	push_hyp_memcache(vcpu_mc, (phys_addr_t *)hyp_phys_to_virt(phys),
			  hyp_virt_to_phys);
	assert_int_equal(vcpu_mc->nr_pages, 1);

	assert_int_equal(teardown_hvc(sim, 0, h), 0);

	info = page_info(phys);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);
	assert_int_equal(info.refcount, 0);
	/* SPEC 3 (clarified): with the stage-2's pages, not the VM's. */
	assert_true(memcache_holds(&pkvm->stage2_teardown_mc, phys));
	assert_false(memcache_holds(&pkvm->teardown_mc, phys));
	assert_int_equal(pkvm->teardown_mc.nr_pages,
			 VM_AREA_PAGES(2) + 2 * VCPU_AREA_PAGES);
	assert_int_equal(pkvm->stage2_teardown_mc.nr_pages, PGD_PAGES + 1);

	/* Freeing the memcaches frees the drained page too. */
	host_reclaim(&vm);
	test_vm_free(sim, &vm, 0);
}

/* Invariant 9: a VM with only some vCPUs initialised tears down cleanly. */
static void teardown_with_some_vcpus_uninitialised(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct kvm_protected_vm *pkvm;
	struct test_vm vm;
	pkvm_handle_t h;
	int i;

	test_vm_alloc(sim, &vm, 4);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 2, 1), 0);
	pkvm = &vm.kvm->arch.pkvm;

	assert_int_equal(teardown_hvc(sim, 0, h), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(pkvm->teardown_mc.nr_pages,
			 VM_AREA_PAGES(4) + 2 * VCPU_AREA_PAGES);
	assert_int_equal(pkvm->stage2_teardown_mc.nr_pages, PGD_PAGES);
	assert_memcache_pages_home(&pkvm->teardown_mc);
	assert_int_equal(host_refs(vm.kvm), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(host_refs(vm.vcpus[i].vcpu), 0);

	host_reclaim(&vm);
	test_vm_free(sim, &vm, 0);

	/* A VM with no vCPU initialised at all. */
	test_vm_alloc(sim, &vm, 2);
	assert_int_equal(test_vm_reserve(sim, &vm, 0), h);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	pkvm = &vm.kvm->arch.pkvm;
	assert_int_equal(teardown_hvc(sim, 0, h), 0);
	assert_int_equal(pkvm->teardown_mc.nr_pages, VM_AREA_PAGES(2));
	assert_int_equal(pkvm->stage2_teardown_mc.nr_pages, PGD_PAGES);
	host_reclaim(&vm);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 teardown: tearing down VM A leaves VM B live and loadable. */
static void teardown_of_one_vm_leaves_other_live(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_b;
	struct sim_tlb_flush last;
	struct test_vm a, b;
	pkvm_handle_t ha, hb;

	test_vm_create_live(sim, &a, 2, 0);
	test_vm_create_live(sim, &b, 2, 0);
	ha = test_vm_handle(&a);
	hb = test_vm_handle(&b);
	hyp_b = live_vm_of(hb);

	destroy_vm(sim, &a);
	assert_true(sim_tlb_flush_last(&last));
	assert_int_equal(last.vmid, ha - SIM_HANDLE_OFFSET + 1);

	assert_int_equal(slot_state_of(ha), SLOT_FREE);
	assert_int_equal(slot_state_of(hb), SLOT_LIVE);
	assert_ptr_equal(live_vm_of(hb), hyp_b);
	assert_int_equal(hyp_b->kvm.arch.mmu.vmid.id,
			 hb - SIM_HANDLE_OFFSET + 1);
	assert_int_equal(host_refs(b.kvm), 1);
	assert_int_equal(host_refs(b.vcpus[0].vcpu), 1);
	assert_int_equal(host_refs(b.vcpus[1].vcpu), 1);

	vcpu_load(sim, 1, hb, 1);
	assert_ptr_equal(loaded_hyp_vcpu[1], hyp_b->vcpus[1]);
	assert_int_equal(hyp_vm_refs(hb), 1);
	vcpu_put(sim, 1);
	assert_int_equal(hyp_vm_refs(hb), 0);

	destroy_vm(sim, &b);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(teardown_with_loaded_vcpu_is_ebusy_until_put),
		SIM_TEST(teardown_returns_every_page_through_memcaches),
		SIM_TEST(teardown_flushes_vmid_before_slot_is_reusable),
		SIM_TEST(teardown_handle_is_reused_with_same_vmid),
		SIM_TEST(teardown_of_free_reserved_or_garbage_handle_is_enoent),
		SIM_TEST(second_teardown_of_same_handle_is_enoent),
		SIM_TEST(teardown_drains_vcpu_memcache),
		SIM_TEST(teardown_with_some_vcpus_uninitialised),
		SIM_TEST(teardown_of_one_vm_leaves_other_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
