// SPDX-License-Identifier: GPL-2.0-only
/*
 * <pkvmsim/inspect.h>: seeing and naming what the hypervisor holds.
 *
 * - The table snapshot: slot states, handles, VMIDs, references and the
 *   host VM of a LIVE slot, and the vCPU each CPU has loaded, through a
 *   VM's life (first run loads the vCPU, SPEC 5 clarified).
 * - References held across hypercalls: they block teardown (invariant 8)
 *   and the oracle counts them as legitimate; get_np refuses protected VMs.
 * - Raw hypercalls naming a VM's own structures: an init_vm the host did
 *   not send, on its RESERVED handle, and what it takes to end clean.
 * - Host pages: allocation, sharing with the hypervisor and the ledger.
 * - Every bad argument: -EINVAL, -ENOENT, -EBUSY, -EAGAIN, never a crash.
 *
 * Only the public API is used, except where a test says it looks at the
 * ledger (white-box) to show an effect the API cannot.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "sim_test.h"
#include "machine.h"

#define HC(x)		PKVMSIM_HCALL_##x
#define H0		PKVMSIM_HANDLE_OFFSET
#define NR_CPUS_SIM	PKVMSIM_DEFAULT_CPUS

/* Big for a stack frame; one test runs at a time. */
static struct pkvmsim_table table;
static struct pkvmsim_report report;

static struct pkvmsim_table *snap(struct pkvmsim *sim)
{
	memset(&table, 0xa5, sizeof(table));
	assert_int_equal(pkvmsim_table_snapshot(sim, &table), 0);
	assert_int_equal(table.nr_free + table.nr_reserved + table.nr_live,
			 table.has_table ? PKVMSIM_NR_SLOTS : 0);
	return &table;
}

static struct pkvmsim_slot slot(struct pkvmsim *sim, unsigned int handle)
{
	struct pkvmsim_slot s;

	assert_int_equal(pkvmsim_slot(sim, handle, &s), 0);
	assert_int_equal(s.handle, handle);
	return s;
}

/* A raw hypercall from @cpu; it must be delivered.  Returns (int)x1. */
static int raw(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
	       uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};

	assert_int_equal(pkvmsim_hvc(sim, cpu, &regs), 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	return (int)(int64_t)regs.x[1];
}

static unsigned long pages_of(unsigned long bytes)
{
	return (bytes + PKVMSIM_PAGE_SIZE - 1) / PKVMSIM_PAGE_SIZE;
}

/* A VM with @nr_vcpus vCPUs, created on CPU 0, never run. */
static struct pkvmsim_vm *new_vm(struct pkvmsim *sim, unsigned int nr_vcpus,
				 enum pkvmsim_vm_type type)
{
	struct pkvmsim_vm *vm;
	unsigned int i;

	assert_int_equal(pkvmsim_vm_create_type(sim, 0, type, &vm), 0);
	for (i = 0; i < nr_vcpus; i++)
		assert_int_equal(pkvmsim_vcpu_create(vm, 0, i), 0);
	return vm;
}

/* A VM whose hyp VM exists, nothing loaded: run vCPU 0 once and put it. */
static struct pkvmsim_vm *live_vm(struct pkvmsim *sim,
				  enum pkvmsim_vm_type type)
{
	struct pkvmsim_vm *vm = new_vm(sim, 1, type);

	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);
	return vm;
}

/* Violations recorded so far (pages away from home are not counted). */
static unsigned long violations(struct pkvmsim *sim)
{
	pkvmsim_check(sim, &report);
	if (report.nr_violations)
		print_error("%s", report.text);
	return report.nr_violations;
}

/* White-box: the ledger's view of the host page at @hva. */
static struct sim_page_info page_info(uint64_t hva)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa((void *)(uintptr_t)hva),
					 &info), 0);
	return info;
}

/* --- the snapshot --- */

static void snapshot_of_empty_table(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_table *t = snap(sim);
	struct pkvmsim_slot s;
	unsigned int i;

	assert_true(t->has_table);
	assert_int_equal(t->nr_free, PKVMSIM_NR_SLOTS);
	assert_int_equal(t->nr_reserved, 0);
	assert_int_equal(t->nr_live, 0);
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
		assert_int_equal(t->slots[i].state, PKVMSIM_SLOT_FREE);
		assert_int_equal(t->slots[i].handle, H0 + i);
		assert_int_equal(t->slots[i].vmid, 0);
		assert_int_equal(t->slots[i].refs, 0);
		assert_int_equal(t->slots[i].held, 0);
		assert_int_equal(t->slots[i].vm, 0);
	}
	assert_int_equal(t->nr_cpus, NR_CPUS_SIM);
	for (i = 0; i < PKVMSIM_MAX_CPUS; i++) {
		assert_false(t->loaded[i].loaded);
		assert_int_equal(t->loaded[i].handle, 0);
		assert_int_equal(t->loaded[i].vcpu_idx, -1);
	}

	s = slot(sim, H0 + PKVMSIM_NR_SLOTS - 1);
	assert_int_equal(s.state, PKVMSIM_SLOT_FREE);
}

static void snapshot_after_reserve(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *a, *b;
	struct pkvmsim_table *t;

	a = new_vm(sim, 1, PKVMSIM_VM_NORMAL);
	b = new_vm(sim, 0, PKVMSIM_VM_NORMAL);
	assert_int_equal(pkvmsim_vm_handle(a), H0);
	assert_int_equal(pkvmsim_vm_handle(b), H0 + 1);

	t = snap(sim);
	assert_int_equal(t->nr_reserved, 2);
	assert_int_equal(t->nr_live, 0);
	assert_int_equal(t->nr_free, PKVMSIM_NR_SLOTS - 2);
	assert_int_equal(t->slots[0].state, PKVMSIM_SLOT_RESERVED);
	assert_int_equal(t->slots[0].handle, H0);
	assert_int_equal(t->slots[1].state, PKVMSIM_SLOT_RESERVED);
	assert_int_equal(t->slots[1].handle, H0 + 1);
	/* A reservation is no VM yet: no VMID, no references, no owner. */
	assert_int_equal(t->slots[0].vmid, 0);
	assert_int_equal(t->slots[0].refs, 0);
	assert_int_equal(t->slots[0].vm, 0);
	assert_int_equal(t->slots[2].state, PKVMSIM_SLOT_FREE);

	/* Unreserved at destroy: the slot is FREE again. */
	assert_int_equal(pkvmsim_vm_destroy(a, 0), 0);
	assert_int_equal(slot(sim, H0).state, PKVMSIM_SLOT_FREE);
	assert_int_equal(slot(sim, H0 + 1).state, PKVMSIM_SLOT_RESERVED);
	assert_int_equal(pkvmsim_vm_destroy(b, 0), 0);
	assert_int_equal(snap(sim)->nr_free, PKVMSIM_NR_SLOTS);
}

/*
 * The first run creates the hyp VM and then loads the vCPU, which holds
 * a reference until it is put (SPEC 5, KVM_RUN order).
 */
static void snapshot_through_runs_and_puts(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *other = new_vm(sim, 1, PKVMSIM_VM_NORMAL);
	struct pkvmsim_vm *vm = new_vm(sim, 2, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	struct pkvmsim_table *t;
	struct pkvmsim_slot s;
	unsigned int cpu;

	assert_int_equal(h, H0 + 1);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);

	t = snap(sim);
	s = t->slots[1];
	assert_int_equal(s.state, PKVMSIM_SLOT_LIVE);
	assert_int_equal(s.handle, h);
	assert_int_equal(s.vmid, 1 + 1);		/* index + 1 */
	assert_int_equal(s.refs, 1);
	assert_int_equal(s.held, 0);
	assert_int_equal(s.nr_vcpus, 2);
	assert_int_equal(s.nr_hyp_vcpus, 1);
	assert_false(s.is_protected);
	assert_int_equal(s.vm, pkvmsim_vm_id(vm));
	assert_int_equal(t->slots[0].state, PKVMSIM_SLOT_RESERVED);
	assert_int_equal(t->nr_live, 1);
	assert_int_equal(t->nr_reserved, 1);
	for (cpu = 0; cpu < NR_CPUS_SIM; cpu++) {
		assert_int_equal(t->loaded[cpu].loaded, cpu == 1);
		assert_int_equal(t->loaded[cpu].handle, cpu == 1 ? h : 0);
		assert_int_equal(t->loaded[cpu].vcpu_idx, cpu == 1 ? 0 : -1);
	}

	/* The second vCPU's first run, elsewhere: two references. */
	assert_int_equal(pkvmsim_vcpu_run(vm, 3, 1), 0);
	t = snap(sim);
	assert_int_equal(t->slots[1].refs, 2);
	assert_int_equal(t->slots[1].nr_hyp_vcpus, 2);
	assert_true(t->loaded[3].loaded);
	assert_int_equal(t->loaded[3].handle, h);
	assert_int_equal(t->loaded[3].vcpu_idx, 1);

	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), 0);
	t = snap(sim);
	assert_int_equal(t->slots[1].refs, 1);
	assert_false(t->loaded[1].loaded);
	assert_int_equal(t->loaded[1].vcpu_idx, -1);
	assert_true(t->loaded[3].loaded);

	assert_int_equal(pkvmsim_vcpu_put(vm, 3, 1), 0);
	assert_int_equal(slot(sim, h).refs, 0);

	/* A later run loads again, now on CPU 2. */
	assert_int_equal(pkvmsim_vcpu_run(vm, 2, 1), 0);
	t = snap(sim);
	assert_int_equal(t->slots[1].refs, 1);
	assert_int_equal(t->loaded[2].handle, h);
	assert_int_equal(t->loaded[2].vcpu_idx, 1);
	assert_int_equal(pkvmsim_vcpu_put(vm, 2, 1), 0);

	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_FREE);
	assert_int_equal(pkvmsim_vm_destroy(other, 0), 0);
	assert_int_equal(violations(sim), 0);
}

/* Outside pKVM mode there is no table, and nothing to take. */
static void no_table_outside_pkvm_mode(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_table *t = snap(sim);
	struct pkvmsim_slot s;
	unsigned int i;

	assert_false(t->has_table);
	assert_int_equal(t->nr_free, 0);
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++)
		assert_int_equal(t->slots[i].state, PKVMSIM_SLOT_FREE);
	assert_int_equal(pkvmsim_slot(sim, H0, &s), -ENOENT);
	/* get_vm_by_handle() has no NULL-table check: never called. */
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, H0), -ENOENT);
	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 0, H0 + 7), -ENOENT);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, H0), -EINVAL);
	assert_int_equal(violations(sim), 0);
}

static void no_table_in_nvhe_mode(void **state)
{
	no_table_outside_pkvm_mode(state);
}

static void no_table_in_vhe_mode(void **state)
{
	no_table_outside_pkvm_mode(state);
}

/* --- references --- */

/* Invariant 8: a held reference makes teardown -EBUSY until it is put. */
static void held_reference_blocks_teardown(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	unsigned long warnings;
	struct pkvmsim_slot s;

	assert_int_equal(slot(sim, h).refs, 0);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 3, h), 0);
	s = slot(sim, h);
	assert_int_equal(s.refs, 1);
	assert_int_equal(s.held, 1);

	/* The hypervisor refuses a teardown (and WARNs). */
	pkvmsim_check(sim, &report);
	warnings = report.nr_warnings;
	assert_int_equal(raw(sim, 2, HC(PKVM_TEARDOWN_VM), h, 0, 0), -EBUSY);
	pkvmsim_check(sim, &report);
	assert_int_equal(report.nr_warnings, warnings + 1);
	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_LIVE);

	/*
	 * References nest, from any CPU, and add to a loaded vCPU's; the
	 * oracle checks the whole state after each host operation and counts
	 * the held ones as legitimate.
	 */
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	s = slot(sim, h);
	assert_int_equal(s.refs, 3);
	assert_int_equal(s.held, 2);
	assert_int_equal(pkvmsim_mmu_notify(vm, 2), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), 0);
	assert_int_equal(violations(sim), 0);

	/* Put on a CPU other than the one that took it. */
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 1, h), 0);
	assert_int_equal(slot(sim, h).refs, 1);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 3, h), 0);
	s = slot(sim, h);
	assert_int_equal(s.refs, 0);
	assert_int_equal(s.held, 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 3, h), -EINVAL);
	assert_int_equal(slot(sim, h).refs, 0);

	/* Now the host's own teardown goes through. */
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_FREE);
	assert_int_equal(violations(sim), 0);
}

/* get_np_pkvm_hyp_vm() refuses a protected VM and keeps no reference. */
static void get_np_refuses_protected_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *pvm = live_vm(sim, PKVMSIM_VM_PROTECTED);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	unsigned int ph = pkvmsim_vm_handle(pvm);
	unsigned int h = pkvmsim_vm_handle(vm);
	struct pkvmsim_slot s;

	s = slot(sim, ph);
	assert_int_equal(s.state, PKVMSIM_SLOT_LIVE);
	assert_true(s.is_protected);
	assert_false(slot(sim, h).is_protected);

	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 0, ph), -ENOENT);
	s = slot(sim, ph);
	assert_int_equal(s.refs, 0);
	assert_int_equal(s.held, 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, ph), -EINVAL);

	/* The plain get takes it; get_np takes a non-protected VM. */
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, ph), 0);
	assert_int_equal(slot(sim, ph).refs, 1);
	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 1, h), 0);
	assert_int_equal(slot(sim, h).held, 1);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, ph), 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), 0);
	assert_int_equal(slot(sim, ph).refs, 0);
	assert_int_equal(slot(sim, h).refs, 0);

	assert_int_equal(pkvmsim_vm_destroy(pvm, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(violations(sim), 0);
}

/* Only a LIVE slot yields a reference; any handle value is safe. */
static void get_needs_a_live_slot(void **state)
{
	static const unsigned int bad[] = {
		0, 1, H0 - 1, H0 + PKVMSIM_NR_SLOTS, 0x10ff, 0xffffffffU,
		0x80001000U,
	};
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = new_vm(sim, 1, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	size_t i;

	/* RESERVED, then FREE. */
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h), -ENOENT);
	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 0, h), -ENOENT);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h + 1), -ENOENT);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), -EINVAL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pkvmsim_slot s;

		assert_int_equal(pkvmsim_hyp_vm_get(sim, 1, bad[i]), -ENOENT);
		assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 1, bad[i]),
				 -ENOENT);
		assert_int_equal(pkvmsim_hyp_vm_put(sim, 1, bad[i]), -EINVAL);
		assert_int_equal(pkvmsim_slot(sim, bad[i], &s), -ENOENT);
	}

	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(snap(sim)->nr_free, PKVMSIM_NR_SLOTS);
}

/* Held references are bounded, far below the page count's 16 bits. */
static void held_references_are_bounded(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	unsigned int i;

	for (i = 0; i < PKVMSIM_MAX_HELD_REFS; i++)
		assert_int_equal(pkvmsim_hyp_vm_get(sim, i % NR_CPUS_SIM, h),
				 0);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h), -ENOSPC);
	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, 0, h), -ENOSPC);
	assert_int_equal(slot(sim, h).refs, PKVMSIM_MAX_HELD_REFS);
	for (i = 0; i < PKVMSIM_MAX_HELD_REFS; i++)
		assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), -EINVAL);
	assert_int_equal(slot(sim, h).refs, 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

/* A CPU another thread is using is not taken over (white-box claim). */
static void busy_cpu_is_not_taken(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	uint64_t page;

	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &page), 0);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 1, h), 0);

	__atomic_store_n(&sim->cpu_busy[2], 1, __ATOMIC_RELEASE);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 2, h), -EAGAIN);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 2, h), -EAGAIN);
	assert_int_equal(pkvmsim_host_page_share(sim, 2, page), -EAGAIN);
	__atomic_store_n(&sim->cpu_busy[2], 0, __ATOMIC_RELEASE);

	assert_int_equal(slot(sim, h).held, 1);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 2, h), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, page, 1), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

/*
 * A reference still held at shutdown: the VM's teardown fails -EBUSY as
 * the hypervisor's would, the slot leaks, and pkvmsim_destroy() says so
 * instead of crashing.  The next simulator starts with nothing held.
 */
static void held_reference_at_destroy_is_reported(void **state)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;
	struct pkvmsim_vm *vm;
	unsigned int h;

	(void)state;
	pkvmsim_config_init(&cfg);
	cfg.quiet = true;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	h = pkvmsim_vm_handle(vm);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h), 0);
	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);

	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	assert_int_equal(snap(sim)->nr_free, PKVMSIM_NR_SLOTS);
	vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	assert_int_equal(pkvmsim_vm_handle(vm), h);
	assert_int_equal(slot(sim, h).held, 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), -EINVAL);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* --- raw hypercalls that name a VM's own structures --- */

static void vm_hyp_args_name_the_vm(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = new_vm(sim, 3, PKVMSIM_VM_NORMAL);
	struct pkvmsim_vm_args args, args0;
	struct pkvmsim_vm *none = new_vm(sim, 0, PKVMSIM_VM_NORMAL);
	unsigned int i;

	memset(&args, 0xa5, sizeof(args));
	assert_int_equal(pkvmsim_vm_hyp_args(vm, &args), 0);
	assert_int_not_equal(args.kvm, 0);
	assert_int_equal(args.kvm % PKVMSIM_PAGE_SIZE, 0);
	assert_int_equal(args.nr_vcpus, 3);
	for (i = 0; i < PKVMSIM_MAX_VCPUS; i++) {
		if (i < 3)
			assert_int_not_equal(args.vcpu[i], 0);
		else
			assert_int_equal(args.vcpu[i], 0);
	}
	assert_int_not_equal(args.vcpu[0], args.vcpu[1]);
	assert_true(args.vm_area_size >= PKVMSIM_PAGE_SIZE);
	assert_int_equal(args.vm_area_size % PKVMSIM_PAGE_SIZE, 0);
	assert_true(args.pgd_size >= PKVMSIM_PAGE_SIZE);
	assert_true(args.vcpu_area_size >= PKVMSIM_PAGE_SIZE);

	assert_int_equal(pkvmsim_vm_hyp_args(none, &args0), 0);
	assert_int_equal(args0.nr_vcpus, 0);
	assert_true(args0.vm_area_size <= args.vm_area_size);
	assert_int_not_equal(args0.kvm, args.kvm);

	assert_int_equal(pkvmsim_vm_destroy(none, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

/*
 * An __pkvm_init_vm the host did not send, naming the VM's own struct
 * kvm while its handle is RESERVED, with areas the test allocated: the
 * slot goes LIVE for that VM.  A second one is refused (invariant 5) and
 * its areas come back; a raw init_vcpu names the VM's vCPU; a raw teardown
 * gives everything back through the VM's teardown memcaches, which the
 * host frees when the VM is destroyed.
 */
static void raw_init_vm_on_reserved_handle(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = new_vm(sim, 1, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	unsigned long vm_pages, pgd_pages, vcpu_pages;
	uint64_t area, pgd, area2, pgd2, vcpu_area;
	struct pkvmsim_vm_args args;
	struct pkvmsim_slot s;

	assert_int_equal(pkvmsim_vm_hyp_args(vm, &args), 0);
	vm_pages = pages_of(args.vm_area_size);
	pgd_pages = pages_of(args.pgd_size);
	vcpu_pages = pages_of(args.vcpu_area_size);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, vm_pages, &area), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, pgd_pages, &pgd), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, vm_pages, &area2), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, pgd_pages, &pgd2), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, vcpu_pages,
						  &vcpu_area), 0);

	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_RESERVED);
	assert_int_equal(raw(sim, 1, HC(PKVM_INIT_VM), args.kvm, area, pgd),
			 0);
	s = slot(sim, h);
	assert_int_equal(s.state, PKVMSIM_SLOT_LIVE);
	assert_int_equal(s.vmid, h - H0 + 1);
	assert_int_equal(s.nr_vcpus, 1);
	assert_int_equal(s.nr_hyp_vcpus, 0);
	assert_int_equal(s.refs, 0);
	assert_int_equal(s.vm, pkvmsim_vm_id(vm));
	/* The host was not told. */
	assert_false(pkvmsim_vm_is_created(vm));

	/* Donated: the hypervisor's now, and not the test's to free. */
	assert_int_equal(pkvmsim_host_pages_free(sim, area, vm_pages), -EBUSY);
	assert_int_equal(pkvmsim_host_pages_free(sim, pgd, pgd_pages), -EBUSY);

	/* The same areas again cannot be donated twice. */
	assert_int_equal(raw(sim, 1, HC(PKVM_INIT_VM), args.kvm, area, pgd),
			 -ENOMEM);
	/* Fresh areas reach the insert, which refuses a LIVE slot. */
	assert_int_equal(raw(sim, 2, HC(PKVM_INIT_VM), args.kvm, area2, pgd2),
			 -EINVAL);
	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_LIVE);
	assert_int_equal(pkvmsim_host_pages_free(sim, area2, vm_pages), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, pgd2, pgd_pages), 0);

	/* The VM's own vCPU, by its host address. */
	assert_int_equal(raw(sim, 0, HC(PKVM_INIT_VCPU), h, args.vcpu[0],
			     vcpu_area), 0);
	assert_int_equal(slot(sim, h).nr_hyp_vcpus, 1);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 3, h), 0);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 3, h), 0);

	/* End clean: a raw teardown before any other host operation. */
	assert_int_equal(raw(sim, 0, HC(PKVM_TEARDOWN_VM), h, 0, 0), 0);
	assert_int_equal(slot(sim, h).state, PKVMSIM_SLOT_FREE);
	assert_int_equal(violations(sim), 0);

	/* The host unreserves (ignored) and frees the teardown memcaches. */
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, area, vm_pages),
			 -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, vcpu_area, vcpu_pages),
			 -EINVAL);
	assert_int_equal(violations(sim), 0);
}

/* --- host pages --- */

/* Share and unshare by hypercall, through the installed transport. */
static void share_unshare_a_page(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hvc_trace_entry e;
	struct pkvm_hvc_trace *trace;
	struct sim_page_info info;
	uint64_t page;

	assert_int_equal(pkvm_hvc_trace_create(pkvm_hvc_smccc(), 16, &trace),
			 0);
	assert_int_equal(pkvmsim_set_hvc(sim, pkvm_hvc_trace_ops(trace)), 0);

	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &page), 0);
	info = page_info(page);
	assert_true(info.allocated);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);

	assert_int_equal(pkvmsim_host_page_share(sim, 1, page), 0);
	info = page_info(page);
	assert_int_equal(info.host_state, PKVM_PAGE_SHARED_OWNED);
	assert_int_equal(info.hyp_state, PKVM_PAGE_SHARED_BORROWED);
	assert_int_equal(pkvm_hvc_trace_count(trace), 1);
	assert_int_equal(pkvm_hvc_trace_get(trace, 0, &e), 0);
	assert_int_equal(e.cpu, 1);
	assert_int_equal(e.nr, HC(PKVM_HOST_SHARE_HYP));
	assert_int_equal(e.in[1], sim_host_pa((void *)(uintptr_t)page) /
				  PKVMSIM_PAGE_SIZE);

	/* Shared: not home, so not freed, and no ledger violation. */
	assert_int_equal(pkvmsim_host_pages_free(sim, page, 1), -EBUSY);
	assert_true(page_info(page).allocated);
	assert_int_equal(pkvmsim_host_page_share(sim, 2, page), -EPERM);
	assert_int_equal(violations(sim), 0);

	assert_int_equal(pkvmsim_host_page_unshare(sim, 2, page), 0);
	info = page_info(page);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);
	assert_int_equal(pkvmsim_host_page_unshare(sim, 2, page), -EPERM);
	assert_int_equal(pkvm_hvc_trace_count(trace), 4);
	assert_int_equal(pkvm_hvc_trace_get(trace, 2, &e), 0);
	assert_int_equal(e.nr, HC(PKVM_HOST_UNSHARE_HYP));

	assert_int_equal(pkvmsim_host_pages_free(sim, page, 1), 0);
	assert_false(page_info(page).allocated);
	assert_int_equal(pkvmsim_host_pages_free(sim, page, 1), -EINVAL);
	/* Freed: not an allocated page to share any more. */
	assert_int_equal(pkvmsim_host_page_share(sim, 0, page), -EINVAL);
	assert_int_equal(pkvm_hvc_trace_count(trace), 4);
	assert_int_equal(violations(sim), 0);

	assert_int_equal(pkvmsim_set_hvc(sim, NULL), 0);
	pkvm_hvc_trace_destroy(trace);
}

/* The hypervisor pins a shared struct kvm: its unshare answers -EBUSY. */
static void unshare_of_pinned_page_is_busy(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	struct pkvmsim_vm_args args;

	assert_int_equal(pkvmsim_vm_hyp_args(vm, &args), 0);
	assert_int_equal(pkvmsim_host_page_unshare(sim, 0, args.kvm), -EBUSY);
	/* Not the test's pages, whatever their state. */
	assert_int_equal(pkvmsim_host_pages_free(sim, args.kvm, 1), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, args.vcpu[0], 1),
			 -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(violations(sim), 0);
}

static void pages_alloc_and_free_checks(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	uint64_t a, b, none = 0x1234;

	assert_int_equal(pkvmsim_host_pages_alloc(NULL, 1, &a), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 0, &a), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, NULL), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, ULONG_MAX, &none),
			 -ENOMEM);
	assert_int_equal(pkvmsim_host_pages_alloc(sim,
			 PKVMSIM_DEFAULT_ARENA_PAGES, &none), -ENOMEM);
	assert_int_equal(none, 0x1234);

	assert_int_equal(pkvmsim_host_pages_alloc(sim, 3, &a), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &b), 0);
	assert_int_not_equal(a, b);
	assert_true(page_info(a + 2 * PKVMSIM_PAGE_SIZE).allocated);

	/* Only whole allocations, as they were handed out. */
	assert_int_equal(pkvmsim_host_pages_free(sim, a, 2), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, a, 4), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, a + PKVMSIM_PAGE_SIZE,
						 2), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, a + 8, 3), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, a, 0), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, 0, 1), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, ~0ULL, 1), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim,
			 (uint64_t)(uintptr_t)&none, 1), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(NULL, a, 3), -EINVAL);
	assert_true(page_info(a).allocated);

	assert_int_equal(pkvmsim_host_pages_free(sim, a, 3), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, a, 3), -EINVAL);
	assert_int_equal(pkvmsim_host_pages_free(sim, b, 1), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, b, 1), -EINVAL);
	assert_int_equal(violations(sim), 0);
}

static void share_checks_its_arguments(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	uint64_t page, freed;

	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &page), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &freed), 0);
	assert_int_equal(pkvmsim_host_pages_free(sim, freed, 1), 0);

	assert_int_equal(pkvmsim_host_page_share(NULL, 0, page), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, NR_CPUS_SIM, page),
			 -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, UINT_MAX, page),
			 -EINVAL);
	assert_int_equal(pkvmsim_host_page_unshare(sim, PKVMSIM_MAX_CPUS,
						   page), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, 0, page + 8), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, 0, ~0ULL), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, 0,
			 (uint64_t)(uintptr_t)&page), -EINVAL);
	assert_int_equal(pkvmsim_host_page_share(sim, 0, freed), -EINVAL);
	assert_int_equal(pkvmsim_host_page_unshare(sim, 0, freed), -EINVAL);
	assert_int_equal(page_info(page).host_state, PKVM_PAGE_OWNED);

	assert_int_equal(pkvmsim_host_pages_free(sim, page, 1), 0);
	assert_int_equal(violations(sim), 0);
}

/* --- bad arguments --- */

/*
 * The VMID flushes a scenario can count: a notifier's flush and the
 * teardown's, on the VM's own VMID only.
 */
static void tlb_flushes_are_counted_per_vmid(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	unsigned int vmid = pkvmsim_vm_handle(vm) - PKVMSIM_HANDLE_OFFSET + 1;
	uint64_t n, other;

	assert_int_equal(pkvmsim_tlb_flushes(sim, vmid, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(pkvmsim_tlb_flushes(sim, vmid, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(pkvmsim_tlb_flushes(sim, vmid, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pkvmsim_tlb_flushes(sim, vmid + 1, &other), 0);
	assert_int_equal(other, 0);

	assert_int_equal(pkvmsim_tlb_flushes(sim, 256, &n), -EINVAL);
	assert_int_equal(pkvmsim_tlb_flushes(sim, UINT_MAX, &n), -EINVAL);
	assert_int_equal(pkvmsim_tlb_flushes(sim, vmid, NULL), -EINVAL);
	assert_int_equal(pkvmsim_tlb_flushes(NULL, vmid, &n), -EINVAL);
}

static void bad_arguments_are_refused(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim *stale = (struct pkvmsim *)&table;
	struct pkvmsim_vm *vm = live_vm(sim, PKVMSIM_VM_NORMAL);
	struct pkvmsim_vm *gone = new_vm(sim, 1, PKVMSIM_VM_NORMAL);
	unsigned int h = pkvmsim_vm_handle(vm);
	struct pkvmsim_vm_args args;
	struct pkvmsim_slot s;
	uint64_t page;

	assert_int_equal(pkvmsim_table_snapshot(NULL, &table), -EINVAL);
	assert_int_equal(pkvmsim_table_snapshot(sim, NULL), -EINVAL);
	assert_int_equal(pkvmsim_table_snapshot(stale, &table), -EINVAL);

	assert_int_equal(pkvmsim_slot(NULL, h, &s), -EINVAL);
	assert_int_equal(pkvmsim_slot(stale, h, &s), -EINVAL);
	assert_int_equal(pkvmsim_slot(sim, h, NULL), -EINVAL);
	assert_int_equal(pkvmsim_slot(sim, 0, &s), -ENOENT);
	assert_int_equal(pkvmsim_slot(sim, 0xffffffffU, &s), -ENOENT);
	assert_int_equal(pkvmsim_slot(sim, H0 + PKVMSIM_NR_SLOTS, &s),
			 -ENOENT);
	assert_int_equal(pkvmsim_slot(sim, H0 - 1, &s), -ENOENT);

	assert_int_equal(pkvmsim_hyp_vm_get(NULL, 0, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get(stale, 0, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, NR_CPUS_SIM, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, PKVMSIM_MAX_CPUS, h),
			 -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, UINT_MAX, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get_np(sim, UINT_MAX, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_get_np(NULL, 0, h), -EINVAL);
	assert_int_equal(slot(sim, h).refs, 0);

	assert_int_equal(pkvmsim_hyp_vm_get(sim, 0, h), 0);
	assert_int_equal(pkvmsim_hyp_vm_put(NULL, 0, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_put(stale, 0, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, NR_CPUS_SIM, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, UINT_MAX, h), -EINVAL);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h + 1), -EINVAL);
	assert_int_equal(slot(sim, h).refs, 1);
	assert_int_equal(pkvmsim_hyp_vm_put(sim, 0, h), 0);

	assert_int_equal(pkvmsim_vm_hyp_args(NULL, &args), -EINVAL);
	assert_int_equal(pkvmsim_vm_hyp_args(vm, NULL), -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(gone, 0), 0);
	/* Compared, never dereferenced. */
	assert_int_equal(pkvmsim_vm_hyp_args(gone, &args), -EINVAL);
	assert_int_equal(pkvmsim_vm_hyp_args((struct pkvmsim_vm *)&table,
					     &args), -EINVAL);

	assert_int_equal(pkvmsim_host_pages_alloc(stale, 1, &page), -EINVAL);
	assert_int_equal(pkvmsim_host_page_unshare(stale, 0, 0), -EINVAL);

	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(violations(sim), 0);
}

/* --- concurrency --- */

struct storm {
	struct pkvmsim		*sim;
	unsigned int		handle;	/* held on and off by the prober */
	int			go;	/* the prober is running */
	int			stop;	/* the lifecycles are done */
	unsigned long		probes;
};

/* VM lifecycles on CPUs 0 and 1: the oracle checks after each step. */
static void *lifecycles(void *arg)
{
	struct storm *st = arg;
	unsigned int i;

	while (!__atomic_load_n(&st->go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (i = 0; i < 40; i++) {
		struct pkvmsim_vm *vm;

		if (pkvmsim_vm_create(st->sim, i % 2, &vm))
			abort();
		if (pkvmsim_vcpu_create(vm, i % 2, 0) ||
		    pkvmsim_vcpu_run(vm, i % 2, 0) ||
		    pkvmsim_mmu_notify(vm, (i + 1) % 2) ||
		    pkvmsim_vcpu_put(vm, i % 2, 0) ||
		    pkvmsim_vm_destroy(vm, (i + 1) % 2))
			abort();
	}
	__atomic_store_n(&st->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Snapshots taken while other threads make hypercalls are consistent, and
 * references taken and dropped meanwhile never look like a leak to the
 * oracle (invariant 8), which checks concurrently.
 */
static void snapshot_and_references_during_lifecycles(void **state)
{
	struct storm st = { .sim = sim_of(state) };
	struct pkvmsim_vm *vm = live_vm(st.sim, PKVMSIM_VM_NORMAL);
	pthread_t thread;

	st.handle = pkvmsim_vm_handle(vm);
	assert_int_equal(pthread_create(&thread, NULL, lifecycles, &st), 0);
	do {
		struct pkvmsim_table *t;
		unsigned int i;

		__atomic_store_n(&st.go, 1, __ATOMIC_RELEASE);

		t = snap(st.sim);
		for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
			struct pkvmsim_slot *s = &t->slots[i];

			if (s->state != PKVMSIM_SLOT_LIVE)
				continue;
			assert_int_equal(s->vmid, i + 1);
			assert_true(s->refs >= s->held);
			assert_true(s->refs <= s->held + NR_CPUS_SIM);
		}
		assert_int_equal(pkvmsim_hyp_vm_get(st.sim, 3, st.handle), 0);
		assert_int_equal(pkvmsim_hyp_vm_get(st.sim, 2, st.handle), 0);
		assert_int_equal(pkvmsim_hyp_vm_put(st.sim, 3, st.handle), 0);
		assert_int_equal(pkvmsim_hyp_vm_put(st.sim, 2, st.handle), 0);
		st.probes++;
	} while (!__atomic_load_n(&st.stop, __ATOMIC_ACQUIRE));
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_true(st.probes > 0);

	assert_int_equal(slot(st.sim, st.handle).refs, 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(violations(st.sim), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(snapshot_of_empty_table),
		SIM_TEST(snapshot_after_reserve),
		SIM_TEST(snapshot_through_runs_and_puts),
		SIM_TEST_MODE(no_table_in_nvhe_mode, nvhe),
		SIM_TEST_MODE(no_table_in_vhe_mode, vhe),
		SIM_TEST(held_reference_blocks_teardown),
		SIM_TEST(get_np_refuses_protected_vm),
		SIM_TEST(get_needs_a_live_slot),
		SIM_TEST(held_references_are_bounded),
		SIM_TEST(busy_cpu_is_not_taken),
		cmocka_unit_test(held_reference_at_destroy_is_reported),
		SIM_TEST(vm_hyp_args_name_the_vm),
		SIM_TEST(raw_init_vm_on_reserved_handle),
		SIM_TEST(share_unshare_a_page),
		SIM_TEST(unshare_of_pinned_page_is_busy),
		SIM_TEST(pages_alloc_and_free_checks),
		SIM_TEST(share_checks_its_arguments),
		SIM_TEST(tlb_flushes_are_counted_per_vmid),
		SIM_TEST(bad_arguments_are_refused),
		SIM_TEST(snapshot_and_references_during_lifecycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
