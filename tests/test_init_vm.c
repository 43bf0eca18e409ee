// SPDX-License-Identifier: GPL-2.0-only
/*
 * __pkvm_init_vm (SPEC 3 "init_vm", invariants 5 and 6):
 *
 * - success turns the host's RESERVED slot LIVE, returns 0, and builds the
 *   hyp VM (handle, vCPU counts, host back-pointer, is_protected, created,
 *   VMID) in the donated, now hyp-owned, VM area and PGD, with the host
 *   struct kvm pinned once;
 * - each failure, in SPEC order (pin, created_vcpus, handle, VM area, PGD,
 *   insert), returns its error and leaves the slot as it was and nothing
 *   donated, pinned or referenced;
 * - the insert failing after the stage-2 was prepared (the v6.18 bug)
 *   hands the PGD back with no reference left on it;
 * - reservations are not bound to a VM or a CPU, an unreserved handle
 *   cannot be initialised, and a reservation survives a failed init.
 *
 * Areas are allocated here rather than by test_vm_init() so that the test
 * can see where they went; the ledger (sim_ledger_page()) says who owns
 * each page and how many references the hypervisor holds on it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"

/* SPEC 1. */
#define SPEC_HANDLE_OFFSET	0x1000U
#define SPEC_MAX_PVMS		255U
#define SPEC_RESERVED_ENTRY	((void *)0xa110ca7edUL)

/* What the host writes into an area before donating it. */
#define AREA_POISON		0xa5

/* The VM area and PGD the host donates at init_vm. */
struct init_areas {
	char		*vm;
	unsigned long	vm_pages;
	char		*pgd;
	unsigned long	pgd_pages;
};

static pkvm_handle_t handle_of(unsigned int idx)
{
	return SPEC_HANDLE_OFFSET + idx;
}

static unsigned long pages_of(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

static int reserve(struct pkvmsim *sim, unsigned int cpu)
{
	return sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);
}

static void unreserve(struct pkvmsim *sim, unsigned int cpu,
		      pkvm_handle_t handle)
{
	sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, handle, 0, 0);
}

/*
 * Allocate and poison the areas for a VM of @nr_vcpus.  One spare page
 * after each, so a misaligned area still lies in host-allocated memory.
 */
static void areas_alloc(struct init_areas *a, int nr_vcpus)
{
	a->vm_pages = pages_of(pkvm_get_hyp_vm_size(nr_vcpus));
	a->pgd_pages = pages_of(kvm_pgtable_stage2_pgd_size(0));
	a->vm = sim_host_alloc_pages(a->vm_pages + 1);
	a->pgd = sim_host_alloc_pages(a->pgd_pages + 1);
	assert_non_null(a->vm);
	assert_non_null(a->pgd);
	memset(a->vm, AREA_POISON, a->vm_pages * SIM_PAGE_SIZE);
	memset(a->pgd, AREA_POISON, a->pgd_pages * SIM_PAGE_SIZE);
}

/* Give back areas the hypervisor did not keep. */
static void areas_free(struct init_areas *a)
{
	assert_int_equal(sim_host_free_pages(a->vm, a->vm_pages + 1), 0);
	assert_int_equal(sim_host_free_pages(a->pgd, a->pgd_pages + 1), 0);
}

/*
 * After a successful init the hyp owns the areas; teardown returns them
 * through the memcaches, which test_vm_teardown() frees.  Only the spare
 * pages stay ours.
 */
static void areas_free_spares(struct init_areas *a)
{
	assert_int_equal(sim_host_free_pages(a->vm + a->vm_pages *
					     SIM_PAGE_SIZE, 1), 0);
	assert_int_equal(sim_host_free_pages(a->pgd + a->pgd_pages *
					     SIM_PAGE_SIZE, 1), 0);
}

static int init_vm_raw(struct pkvmsim *sim, unsigned int cpu,
		       struct kvm *kvm, const void *vm_hva, const void *pgd_hva)
{
	return sim_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_INIT_VM,
		       (uint64_t)(uintptr_t)kvm, (uint64_t)(uintptr_t)vm_hva,
		       (uint64_t)(uintptr_t)pgd_hva);
}

/* init_vm of @vm with @a; marks @vm created on success. */
static int init_vm(struct pkvmsim *sim, unsigned int cpu, struct test_vm *vm,
		   struct init_areas *a)
{
	int ret = init_vm_raw(sim, cpu, vm->kvm, a->vm, a->pgd);

	if (!ret)
		vm->created = true;
	return ret;
}

static struct sim_page_info page_info(const void *host_va)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa(host_va), &info), 0);
	return info;
}

/* Every page is the host's alone: not donated, not shared, no reference. */
static void assert_host_owned(const void *va, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct sim_page_info p =
			page_info((const char *)va + i * SIM_PAGE_SIZE);

		assert_int_equal(p.host_state, PKVM_PAGE_OWNED);
		assert_int_equal(p.hyp_state, PKVM_NOPAGE);
		assert_int_equal(p.refcount, 0);
	}
}

static void assert_hyp_owned(const void *va, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct sim_page_info p =
			page_info((const char *)va + i * SIM_PAGE_SIZE);

		assert_int_equal(p.host_state, PKVM_NOPAGE);
		assert_int_equal(p.hyp_state, PKVM_PAGE_OWNED);
	}
}

/* Pins the hypervisor holds on the host's struct kvm. */
static unsigned int kvm_pins(struct test_vm *vm)
{
	return page_info(vm->kvm).refcount;
}

static void assert_filled(const void *va, int c, unsigned long bytes)
{
	const unsigned char *p = va;
	unsigned long i;

	for (i = 0; i < bytes; i++)
		if (p[i] != c)
			fail_msg("byte %lu is %#x, want %#x", i, p[i], c);
}

/* Areas never donated: the host's, untouched. */
static void assert_areas_untouched(struct init_areas *a)
{
	assert_host_owned(a->vm, a->vm_pages);
	assert_host_owned(a->pgd, a->pgd_pages);
	assert_filled(a->vm, AREA_POISON, a->vm_pages * SIM_PAGE_SIZE);
	assert_filled(a->pgd, AREA_POISON, a->pgd_pages * SIM_PAGE_SIZE);
}

/* Areas donated and handed back: the host's again, and zeroed. */
static void assert_areas_returned(struct init_areas *a)
{
	assert_host_owned(a->vm, a->vm_pages);
	assert_host_owned(a->pgd, a->pgd_pages);
	assert_filled(a->vm, 0, a->vm_pages * SIM_PAGE_SIZE);
	assert_filled(a->pgd, 0, a->pgd_pages * SIM_PAGE_SIZE);
}

static void assert_no_violation(struct pkvmsim *sim)
{
	struct pkvmsim_report *report = malloc(sizeof(*report));

	assert_non_null(report);
	pkvmsim_check(sim, report);
	if (report->nr_violations || report->nr_warnings)
		fail_msg("%lu violation(s), %lu warning(s):\n%s",
			 report->nr_violations, report->nr_warnings,
			 report->text);
	free(report);
}

/* First byte past the arena: not memory at all. */
static void *past_arena(void)
{
	return (char *)sim_arena_host_base() +
	       sim_arena_nr_pages() * SIM_PAGE_SIZE;
}

/* A VM with @nr_vcpus and a reserved handle, areas allocated. */
static void reserved_vm(struct pkvmsim *sim, struct test_vm *vm,
			struct init_areas *a, int nr_vcpus)
{
	test_vm_alloc(sim, vm, nr_vcpus);
	assert_true(test_vm_reserve(sim, vm, 0) >= (int)SPEC_HANDLE_OFFSET);
	areas_alloc(a, nr_vcpus);
}

/*
 * A failed init: error @want, the slot as @slot left it, nothing pinned,
 * nothing referenced.
 */
static void assert_init_fails(struct pkvmsim *sim, struct test_vm *vm,
			      const void *vm_hva, const void *pgd_hva,
			      int want, pkvm_handle_t slot)
{
	void *before = vm_table[slot - SPEC_HANDLE_OFFSET];

	assert_int_equal(init_vm_raw(sim, 1, vm->kvm, vm_hva, pgd_hva), want);
	assert_ptr_equal(vm_table[slot - SPEC_HANDLE_OFFSET], before);
	assert_int_equal(kvm_pins(vm), 0);
	assert_no_violation(sim);
}

/* Tear down a VM created by init_vm() and free what the test allocated. */
static void destroy_live(struct pkvmsim *sim, struct test_vm *vm,
			 struct init_areas *a)
{
	assert_int_equal(test_vm_teardown(sim, vm, 0), 0);
	areas_free_spares(a);
	test_vm_free(sim, vm, 0);
}

/*
 * SPEC 3 init_vm steps 1-7, inv 5: a RESERVED slot goes LIVE, the call
 * returns 0 (not the handle), and the hyp VM is built in the donated area
 * from the pinned host struct kvm.
 */
static void init_vm_success_makes_reserved_slot_live(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct init_areas a;
	struct test_vm vm;
	pkvm_handle_t h;

	/* Not slot 0, so that a stray handle or VMID shows. */
	assert_int_equal(reserve(sim, 0), handle_of(0));
	reserved_vm(sim, &vm, &a, 3);
	h = test_vm_handle(&vm);
	assert_int_equal(h, handle_of(1));
	assert_int_equal(kvm_pins(&vm), 0);

	assert_int_equal(init_vm(sim, 2, &vm, &a), 0);

	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_int_equal(slot_state_of(handle_of(0)), SLOT_RESERVED);
	hyp_vm = live_vm_of(h);
	assert_int_equal(__hyp_pa(hyp_vm), sim_host_pa(a.vm));
	assert_int_equal(__hyp_pa(hyp_vm->host_kvm), sim_host_pa(vm.kvm));
	assert_int_equal(hyp_vm->kvm.arch.pkvm.handle, h);
	assert_int_equal(hyp_vm->kvm.created_vcpus, 3);
	assert_false(hyp_vm->kvm.arch.pkvm.is_protected);
	assert_true(hyp_vm->kvm.arch.pkvm.is_created);
	assert_int_equal(hyp_vm->kvm.arch.mmu.vmid.id, 1 + 1);
	assert_int_equal(hyp_vm->kvm.arch.mmu.pgd_phys, sim_host_pa(a.pgd));
	/* The area was zeroed: no vCPU yet, whatever the host left there. */
	assert_null(hyp_vm->vcpus[0]);
	assert_null(hyp_vm->vcpus[1]);
	assert_null(hyp_vm->vcpus[2]);
	assert_filled((char *)a.vm + pkvm_get_hyp_vm_size(3) -
		      SIM_PAGE_SIZE / 2, 0, SIM_PAGE_SIZE / 2);

	assert_hyp_owned(a.vm, a.vm_pages);
	assert_hyp_owned(a.pgd, a.pgd_pages);
	assert_int_equal(kvm_pins(&vm), 1);
	/* Host side untouched: the hyp works on its own copy. */
	assert_false(vm.kvm->arch.pkvm.is_created);

	destroy_live(sim, &vm, &a);
	unreserve(sim, 0, handle_of(0));
}

static struct {
	unsigned int		acquires;
	struct pkvm_hyp_vm	*vm;		/* host alias of the VM area */
	bool			built_at_acquire;
	enum slot_state		slot_at_acquire;
	pkvm_handle_t		handle;
} lock_spy;

/* Records each vm_table_lock acquisition and what it found. */
static void init_vm_lock_spy(enum sim_point point, const void *addr,
			     const char *where)
{
	(void)where;
	if (addr != (const void *)&vm_table_lock ||
	    point != SIM_POINT_LOCK_ACQUIRE)
		return;
	if (!lock_spy.acquires++) {
		lock_spy.built_at_acquire =
			lock_spy.vm->kvm.arch.pkvm.is_created &&
			lock_spy.vm->kvm.arch.mmu.pgd_phys;
		lock_spy.slot_at_acquire = slot_state_of(lock_spy.handle);
	}
}

/*
 * SPEC 3: only step 7 takes vm_table_lock, once, and by then the VM is
 * fully built on private memory; the slot is still RESERVED then.
 */
static void init_vm_takes_table_lock_once_to_insert(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;

	reserved_vm(sim, &vm, &a, 1);
	memset(&lock_spy, 0, sizeof(lock_spy));
	lock_spy.vm = (struct pkvm_hyp_vm *)a.vm;
	lock_spy.handle = test_vm_handle(&vm);
	__atomic_store_n(&sim_sched_point_hook, init_vm_lock_spy,
			 __ATOMIC_RELAXED);
	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	__atomic_store_n(&sim_sched_point_hook, NULL, __ATOMIC_RELAXED);

	assert_int_equal(lock_spy.acquires, 1);
	assert_true(lock_spy.built_at_acquire);
	assert_int_equal(lock_spy.slot_at_acquire, SLOT_RESERVED);
	destroy_live(sim, &vm, &a);
}

/* SPEC 3 init_vm step 5: is_protected is copied from the host VM. */
static void init_vm_copies_is_protected(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct init_areas a;
	struct test_vm vm;

	reserved_vm(sim, &vm, &a, 1);
	vm.kvm->arch.pkvm.is_protected = true;
	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	hyp_vm = live_vm_of(test_vm_handle(&vm));
	assert_true(hyp_vm->kvm.arch.pkvm.is_protected);
	destroy_live(sim, &vm, &a);
}

/*
 * SPEC 3 init_vm: the handle is not an argument but read from the host
 * VM, so with several slots reserved the VM lands in the one it names.
 */
static void init_vm_uses_handle_from_host_kvm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	unsigned int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(reserve(sim, 0), handle_of(i));
	test_vm_alloc(sim, &vm, 1);
	areas_alloc(&a, 1);
	vm.kvm->arch.pkvm.handle = handle_of(2);

	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	assert_int_equal(slot_state_of(handle_of(2)), SLOT_LIVE);
	assert_ptr_equal(vm_table[0], SPEC_RESERVED_ENTRY);
	assert_ptr_equal(vm_table[1], SPEC_RESERVED_ENTRY);
	assert_int_equal(live_vm_of(handle_of(2))->kvm.arch.mmu.vmid.id, 3);

	destroy_live(sim, &vm, &a);
	unreserve(sim, 0, handle_of(0));
	unreserve(sim, 0, handle_of(1));
}

/*
 * SPEC 3 init_vm step 1, inv 6: a host struct kvm never shared with the
 * hypervisor cannot be pinned: the pin's -EPERM, nothing donated.
 */
static void init_vm_unshared_host_kvm_is_eperm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long kvm_pages = pages_of(sizeof(struct kvm));
	struct init_areas a;
	struct kvm *kvm;
	int h;

	h = reserve(sim, 0);
	kvm = sim_host_alloc_pages(kvm_pages);
	assert_non_null(kvm);
	kvm->created_vcpus = 1;
	kvm->arch.pkvm.handle = h;
	areas_alloc(&a, 1);

	assert_int_equal(init_vm_raw(sim, 0, kvm, a.vm, a.pgd), -EPERM);
	assert_ptr_equal(vm_table[0], SPEC_RESERVED_ENTRY);
	assert_host_owned(kvm, kvm_pages);
	assert_areas_untouched(&a);
	assert_no_violation(sim);

	areas_free(&a);
	assert_int_equal(sim_host_free_pages(kvm, kvm_pages), 0);
	unreserve(sim, 0, h);
}

/*
 * SPEC 3 init_vm step 2 (clarified), inv 6: the count is read as unsigned.
 * 0 is -EINVAL; a negative count reads as a huge one, passes that check
 * and fails the donation of its VM area with -ENOMEM.  Either way the kvm
 * is unpinned and nothing is donated.
 */
static void init_vm_bad_created_vcpus(void **state)
{
	static const struct {
		int	created_vcpus;
		int	err;
	} bad[] = {
		{ 0,		-EINVAL },
		{ -1,		-ENOMEM },
		{ INT_MIN,	-ENOMEM },
	};
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	unsigned int i;

	reserved_vm(sim, &vm, &a, 1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vm.kvm->created_vcpus = bad[i].created_vcpus;
		assert_init_fails(sim, &vm, a.vm, a.pgd, bad[i].err,
				  test_vm_handle(&vm));
		assert_areas_untouched(&a);
	}

	areas_free(&a);
	test_vm_free(sim, &vm, 0);
	assert_int_equal(table_count(SLOT_FREE), SPEC_MAX_PVMS);
}

/*
 * SPEC 1, 3 init_vm step 3: a handle below 0x1000 (0 = "no handle") is
 * -EINVAL before anything is donated, even with a slot reserved.
 */
static void init_vm_handle_below_offset_is_einval(void **state)
{
	static const pkvm_handle_t bad[] = { 0, 1, SPEC_HANDLE_OFFSET - 1 };
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	pkvm_handle_t h;
	unsigned int i;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vm.kvm->arch.pkvm.handle = bad[i];
		assert_init_fails(sim, &vm, a.vm, a.pgd, -EINVAL, h);
		assert_areas_untouched(&a);
	}
	vm.kvm->arch.pkvm.handle = h;

	areas_free(&a);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 3 init_vm step 7, inv 5/6: a handle in range whose slot was never
 * reserved is -EINVAL; the slot stays FREE, the areas come back zeroed.
 */
static void init_vm_never_reserved_handle_is_einval(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;

	assert_int_equal(reserve(sim, 0), handle_of(0));
	test_vm_alloc(sim, &vm, 1);
	areas_alloc(&a, 1);
	vm.kvm->arch.pkvm.handle = handle_of(1);

	assert_init_fails(sim, &vm, a.vm, a.pgd, -EINVAL, handle_of(1));
	assert_int_equal(slot_state_of(handle_of(1)), SLOT_FREE);
	assert_ptr_equal(vm_table[0], SPEC_RESERVED_ENTRY);
	assert_areas_returned(&a);

	vm.kvm->arch.pkvm.handle = 0;
	areas_free(&a);
	test_vm_free(sim, &vm, 0);
	unreserve(sim, 0, handle_of(0));
}

/*
 * SPEC 1, 3 init_vm step 7: a handle past the last slot is -EINVAL with
 * every slot untouched (a full table of reservations around it).
 */
static void init_vm_out_of_range_handle_is_einval(void **state)
{
	static const pkvm_handle_t bad[] = {
		SPEC_HANDLE_OFFSET + SPEC_MAX_PVMS,
		SPEC_HANDLE_OFFSET + 300,
		0xffffffff,
	};
	struct pkvmsim *sim = sim_of(state);
	void *snap[SPEC_MAX_PVMS + 1];
	struct init_areas a;
	struct test_vm vm;
	unsigned int i;

	for (i = 0; i < SPEC_MAX_PVMS; i++)
		assert_int_equal(reserve(sim, 0), handle_of(i));
	memcpy(snap, vm_table, sizeof(snap));
	test_vm_alloc(sim, &vm, 1);
	areas_alloc(&a, 1);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vm.kvm->arch.pkvm.handle = bad[i];
		assert_int_equal(init_vm_raw(sim, i % 4, vm.kvm, a.vm, a.pgd),
				 -EINVAL);
		assert_memory_equal(snap, vm_table, sizeof(snap));
		assert_int_equal(kvm_pins(&vm), 0);
		assert_areas_returned(&a);
		memset(a.vm, AREA_POISON, a.vm_pages * SIM_PAGE_SIZE);
		memset(a.pgd, AREA_POISON, a.pgd_pages * SIM_PAGE_SIZE);
	}
	assert_no_violation(sim);

	vm.kvm->arch.pkvm.handle = 0;
	areas_free(&a);
	test_vm_free(sim, &vm, 0);
	for (i = 0; i < SPEC_MAX_PVMS; i++)
		unreserve(sim, 0, handle_of(i));
}

/*
 * SPEC 3 init_vm step 4, inv 6: a VM area the host may not donate is
 * -ENOMEM, with the PGD untouched: misaligned, not host-owned (the shared
 * struct kvm), already donated (another VM's area), not memory.
 */
static void init_vm_vm_area_not_donatable_is_enomem(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a, other_a;
	struct test_vm vm, other;
	const void *bad[4];
	unsigned int i;

	reserved_vm(sim, &other, &other_a, 1);
	assert_int_equal(init_vm(sim, 0, &other, &other_a), 0);
	reserved_vm(sim, &vm, &a, 1);

	bad[0] = a.vm + 64;
	bad[1] = vm.kvm;
	bad[2] = other_a.vm;
	bad[3] = past_arena();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_init_fails(sim, &vm, bad[i], a.pgd, -ENOMEM,
				  test_vm_handle(&vm));
		assert_int_equal(slot_state_of(test_vm_handle(&vm)),
				 SLOT_RESERVED);
		assert_areas_untouched(&a);
	}
	/* The other VM's area was not disturbed. */
	assert_hyp_owned(other_a.vm, other_a.vm_pages);
	assert_int_equal(page_info(vm.kvm).host_state, PKVM_PAGE_SHARED_OWNED);

	areas_free(&a);
	test_vm_free(sim, &vm, 0);
	destroy_live(sim, &other, &other_a);
}

/*
 * SPEC 3 init_vm step 4, inv 6: a PGD the host may not donate is -ENOMEM,
 * and the VM area, already taken, comes back zeroed.  Variants:
 * misaligned, the VM area itself, another VM's PGD, not memory.
 */
static void init_vm_pgd_not_donatable_is_enomem(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a, other_a;
	struct test_vm vm, other;
	const void *bad[4];
	unsigned int i;

	reserved_vm(sim, &other, &other_a, 1);
	assert_int_equal(init_vm(sim, 0, &other, &other_a), 0);
	reserved_vm(sim, &vm, &a, 1);

	bad[0] = a.pgd + 64;
	bad[1] = a.vm;
	bad[2] = other_a.pgd;
	bad[3] = past_arena();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_init_fails(sim, &vm, a.vm, bad[i], -ENOMEM,
				  test_vm_handle(&vm));
		assert_int_equal(slot_state_of(test_vm_handle(&vm)),
				 SLOT_RESERVED);
		assert_host_owned(a.vm, a.vm_pages);
		assert_host_owned(a.pgd, a.pgd_pages);
		assert_filled(a.vm, 0, a.vm_pages * SIM_PAGE_SIZE);
		memset(a.vm, AREA_POISON, a.vm_pages * SIM_PAGE_SIZE);
	}
	assert_hyp_owned(other_a.pgd, other_a.pgd_pages);

	areas_free(&a);
	test_vm_free(sim, &vm, 0);
	destroy_live(sim, &other, &other_a);
}

/*
 * Inv 5: a second init_vm for a LIVE handle (the same host VM again) is
 * -EINVAL; all newly donated memory comes back, the pin it took is
 * dropped, and the live VM is untouched.
 */
static void init_vm_second_init_on_live_handle_is_einval(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a, again;
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 2);
	h = test_vm_handle(&vm);
	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	hyp_vm = live_vm_of(h);
	assert_int_equal(kvm_pins(&vm), 1);

	areas_alloc(&again, 2);
	assert_int_equal(init_vm_raw(sim, 1, vm.kvm, again.vm, again.pgd),
			 -EINVAL);
	assert_ptr_equal(live_vm_of(h), hyp_vm);
	assert_int_equal(kvm_pins(&vm), 1);
	assert_areas_returned(&again);
	assert_no_violation(sim);

	/* The live VM still works. */
	assert_non_null(hyp_vm->vcpus[0]);
	assert_int_equal(hyp_vm->kvm.arch.pkvm.handle, h);
	assert_int_equal(test_vcpu_init(sim, &vm, 1, 1), 0);
	assert_hyp_owned(a.vm, a.vm_pages);
	assert_hyp_owned(a.pgd, a.pgd_pages);

	areas_free(&again);
	destroy_live(sim, &vm, &a);
}

/*
 * Inv 5, SPEC 9 "hostile init_vm": another host VM naming a LIVE handle
 * cannot replace the VM there; its own struct kvm is left unpinned.
 */
static void init_vm_foreign_kvm_cannot_replace_live_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a, b_areas;
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm, b;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);
	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	hyp_vm = live_vm_of(h);

	test_vm_alloc(sim, &b, 1);
	areas_alloc(&b_areas, 1);
	b.kvm->arch.pkvm.handle = h;
	assert_init_fails(sim, &b, b_areas.vm, b_areas.pgd, -EINVAL, h);
	assert_ptr_equal(live_vm_of(h), hyp_vm);
	assert_int_equal(__hyp_pa(hyp_vm->host_kvm), sim_host_pa(vm.kvm));
	assert_int_equal(kvm_pins(&vm), 1);
	assert_areas_returned(&b_areas);

	b.kvm->arch.pkvm.handle = 0;
	areas_free(&b_areas);
	test_vm_free(sim, &b, 0);
	destroy_live(sim, &vm, &a);
}

/*
 * SPEC 3 init_vm, the v6.18 bug: step 7 failing after step 6 prepared the
 * stage-2 must drop the stage-2's references before the PGD goes back.
 * The PGD returns zeroed with no reference and the ledger records no
 * violation ("hyp gives up a page it holds references on").
 */
static void init_vm_insert_failure_returns_pgd_unreferenced(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report *report;
	struct init_areas a;
	struct test_vm vm;
	unsigned long i;

	test_vm_alloc(sim, &vm, 1);
	areas_alloc(&a, 1);
	/* In range, so steps 1-6 succeed; FREE, so step 7 fails. */
	vm.kvm->arch.pkvm.handle = handle_of(7);

	assert_int_equal(init_vm_raw(sim, 0, vm.kvm, a.vm, a.pgd), -EINVAL);
	assert_int_equal(slot_state_of(handle_of(7)), SLOT_FREE);
	for (i = 0; i < a.pgd_pages; i++) {
		struct sim_page_info p = page_info(a.pgd + i * SIM_PAGE_SIZE);

		assert_int_equal(p.refcount, 0);
		assert_int_equal(p.host_state, PKVM_PAGE_OWNED);
		assert_int_equal(p.hyp_state, PKVM_NOPAGE);
	}
	assert_areas_returned(&a);
	assert_int_equal(kvm_pins(&vm), 0);

	report = malloc(sizeof(*report));
	assert_non_null(report);
	pkvmsim_check(sim, report);
	if (report->nr_violations)
		fail_msg("insert failure left %lu violation(s):\n%s",
			 report->nr_violations, report->text);
	assert_int_equal(report->nr_warnings, 0);
	free(report);

	vm.kvm->arch.pkvm.handle = 0;
	areas_free(&a);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 2 "the hypervisor does not tie a reservation to a VM": a handle
 * reserved on CPU 0, not by this VM, can be filled from CPU 1.
 */
static void init_vm_any_caller_fills_any_reserved_slot(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	int h;

	h = reserve(sim, 0);
	assert_int_equal(h, handle_of(0));
	test_vm_alloc(sim, &vm, 1);
	areas_alloc(&a, 1);
	vm.kvm->arch.pkvm.handle = h;

	assert_int_equal(init_vm(sim, 1, &vm, &a), 0);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_int_equal(__hyp_pa(live_vm_of(h)->host_kvm),
			 sim_host_pa(vm.kvm));
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 2), 0);

	destroy_live(sim, &vm, &a);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
}

/*
 * SPEC 9 "unreserve racing init_vm", inv 6: once the host unreserved the
 * handle, init_vm on it is -EINVAL and nothing leaks.
 */
static void init_vm_after_unreserve_is_einval(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);
	unreserve(sim, 0, h);
	assert_int_equal(slot_state_of(h), SLOT_FREE);

	assert_init_fails(sim, &vm, a.vm, a.pgd, -EINVAL, h);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_areas_returned(&a);

	vm.kvm->arch.pkvm.handle = 0;
	areas_free(&a);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 3 "RESERVED stays reserved; the host unreserves later": after a
 * failed init the slot is still RESERVED and the host can unreserve it.
 */
static void init_vm_failure_keeps_reservation_for_unreserve(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);
	assert_init_fails(sim, &vm, a.vm, a.vm, -ENOMEM, h);
	assert_ptr_equal(vm_table[h - SPEC_HANDLE_OFFSET],
			 SPEC_RESERVED_ENTRY);

	unreserve(sim, 2, h);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(reserve(sim, 0), h);
	unreserve(sim, 0, h);

	vm.kvm->arch.pkvm.handle = 0;
	areas_free(&a);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 5 __pkvm_create_hyp_vm "handle stays reserved": a failed init can
 * be retried on the same reservation and then succeeds.
 */
static void init_vm_retry_after_failure_succeeds(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct init_areas a;
	struct test_vm vm;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);
	assert_init_fails(sim, &vm, a.vm, past_arena(), -ENOMEM, h);
	vm.kvm->created_vcpus = 0;
	assert_init_fails(sim, &vm, a.vm, a.pgd, -EINVAL, h);
	vm.kvm->created_vcpus = 1;

	assert_int_equal(init_vm(sim, 1, &vm, &a), 0);
	assert_int_equal(live_vm_of(h)->kvm.arch.pkvm.handle, h);
	assert_int_equal(kvm_pins(&vm), 1);
	destroy_live(sim, &vm, &a);
}

/*
 * SPEC 3 init_vm order: the pin comes before created_vcpus, the handle
 * check before any donation, the donations before the insert.  Each pair
 * of faults yields the earlier step's error.
 */
static void init_vm_checks_in_spec_order(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long kvm_pages = pages_of(sizeof(struct kvm));
	struct init_areas a;
	struct test_vm vm;
	struct kvm *unshared;
	pkvm_handle_t h;

	reserved_vm(sim, &vm, &a, 1);
	h = test_vm_handle(&vm);

	/* 1 before 2: unshared kvm with no vCPUs. */
	unshared = sim_host_alloc_pages(kvm_pages);
	assert_non_null(unshared);
	unshared->arch.pkvm.handle = h;
	assert_int_equal(init_vm_raw(sim, 0, unshared, a.vm, a.pgd), -EPERM);
	assert_int_equal(sim_host_free_pages(unshared, kvm_pages), 0);

	/* 3 before 4: bad handle and bad VM area. */
	vm.kvm->arch.pkvm.handle = 0;
	assert_init_fails(sim, &vm, past_arena(), a.pgd, -EINVAL, h);
	assert_areas_untouched(&a);

	/* 4 before 7: never-reserved slot and bad PGD. */
	vm.kvm->arch.pkvm.handle = handle_of(SPEC_MAX_PVMS - 1);
	assert_init_fails(sim, &vm, a.vm, a.pgd + 8, -ENOMEM,
			  handle_of(SPEC_MAX_PVMS - 1));
	assert_int_equal(slot_state_of(handle_of(SPEC_MAX_PVMS - 1)),
			 SLOT_FREE);

	/* 4 before 7: a LIVE slot and a bad VM area. */
	vm.kvm->arch.pkvm.handle = h;
	assert_int_equal(init_vm(sim, 0, &vm, &a), 0);
	{
		struct init_areas again;

		areas_alloc(&again, 1);
		assert_int_equal(init_vm_raw(sim, 0, vm.kvm, again.vm + 8,
					     again.pgd), -ENOMEM);
		assert_int_equal(kvm_pins(&vm), 1);
		assert_areas_untouched(&again);
		areas_free(&again);
	}
	assert_int_equal(slot_state_of(h), SLOT_LIVE);

	destroy_live(sim, &vm, &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(init_vm_success_makes_reserved_slot_live),
		SIM_TEST(init_vm_takes_table_lock_once_to_insert),
		SIM_TEST(init_vm_copies_is_protected),
		SIM_TEST(init_vm_uses_handle_from_host_kvm),
		SIM_TEST(init_vm_unshared_host_kvm_is_eperm),
		SIM_TEST(init_vm_bad_created_vcpus),
		SIM_TEST(init_vm_handle_below_offset_is_einval),
		SIM_TEST(init_vm_never_reserved_handle_is_einval),
		SIM_TEST(init_vm_out_of_range_handle_is_einval),
		SIM_TEST(init_vm_vm_area_not_donatable_is_enomem),
		SIM_TEST(init_vm_pgd_not_donatable_is_enomem),
		SIM_TEST(init_vm_second_init_on_live_handle_is_einval),
		SIM_TEST(init_vm_foreign_kvm_cannot_replace_live_vm),
		SIM_TEST(init_vm_insert_failure_returns_pgd_unreferenced),
		SIM_TEST(init_vm_any_caller_fills_any_reserved_slot),
		SIM_TEST(init_vm_after_unreserve_is_einval),
		SIM_TEST(init_vm_failure_keeps_reservation_for_unreserve),
		SIM_TEST(init_vm_retry_after_failure_succeeds),
		SIM_TEST(init_vm_checks_in_spec_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
