// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile host (issue 8): whatever register file or API call it makes,
 * it must not crash the process, trigger undefined behaviour, corrupt the
 * table or the ledger, or be handed pages it does not own.
 *
 * - A hypervisor BUG the host reaches (the pin count of one shared vCPU
 *   page overflowing after 65535 init_vcpu) is a violation naming the
 *   call: the machine stops, every later call is refused with -EFAULT,
 *   inspection and pkvmsim_destroy() still work, and the process lives,
 *   on a plain CPU and on a fiber of an exploration, where a CPU waiting
 *   for a lock the dead CPU held finishes instead of hanging.
 *
 * init_vcpu's -ENOMEM on a RESERVED handle is tested in test_oracle.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>
#include "sim_test.h"

#define INIT_VM		PKVMSIM_HCALL_PKVM_INIT_VM
#define INIT_VCPU	PKVMSIM_HCALL_PKVM_INIT_VCPU
#define RESERVE		PKVMSIM_HCALL_PKVM_RESERVE_VM

/* include/hyp/nvhe/memory.h: a page holds at most this many pins. */
#define PIN_MAX		0xffffUL

static unsigned long pages_of(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

static struct pkvmsim *boot(unsigned long arena_pages)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	pkvmsim_config_init(&cfg);
	if (arena_pages)
		cfg.arena_pages = arena_pages;
	/* The machine dies on purpose: its report is read, not printed. */
	cfg.quiet = true;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	return sim;
}

/* @nr host pages, shared with the hypervisor if @share. */
static uint64_t host_pages(struct pkvmsim *sim, unsigned long nr, bool share)
{
	uint64_t hva, i;

	assert_int_equal(pkvmsim_host_pages_alloc(sim, nr, &hva), 0);
	for (i = 0; share && i < nr; i++)
		assert_int_equal(pkvmsim_host_page_share(sim, 0,
					hva + i * SIM_PAGE_SIZE), 0);
	return hva;
}

static int raw(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
	       uint64_t a1, uint64_t a2, uint64_t a3, struct pkvmsim_regs *out)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};
	int ret = pkvmsim_hvc(sim, cpu, &regs);

	if (out)
		*out = regs;
	return ret;
}

static unsigned int pins_of(uint64_t hva)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa((void *)(uintptr_t)hva),
					 &info), 0);
	return info.refcount;
}

/* A hyp VM of @nr_vcpus built by raw calls on a shared struct kvm. */
static unsigned int raw_vm(struct pkvmsim *sim, int nr_vcpus)
{
	unsigned long kvm_pages = pages_of(sizeof(struct kvm));
	uint64_t kvm_hva = host_pages(sim, kvm_pages, true);
	struct kvm *kvm = (struct kvm *)(uintptr_t)kvm_hva;
	unsigned long vm_pages = pages_of(pkvm_get_hyp_vm_size(nr_vcpus));
	unsigned long pgd_pages = pages_of(kvm_pgtable_stage2_pgd_size(0));
	int handle;

	handle = sim_hvc(sim, 0, RESERVE, 0, 0, 0);
	assert_true(handle >= (int)SIM_HANDLE_OFFSET);
	kvm->created_vcpus = nr_vcpus;
	kvm->arch.pkvm.handle = (unsigned int)handle;
	assert_int_equal(sim_hvc(sim, 0, INIT_VM, kvm_hva,
				 host_pages(sim, vm_pages, false),
				 host_pages(sim, pgd_pages, false)), 0);
	return (unsigned int)handle;
}

/* The machine's report holds exactly one violation: the hyp's BUG. */
static void assert_one_bug(struct pkvmsim *sim, const char *op)
{
	struct pkvmsim_report report;

	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 1);
	assert_int_equal(report.violations[0].invariant,
			 PKVMSIM_INV_HYP_CRASH);
	assert_string_equal(report.violations[0].op, op);
	assert_non_null(strstr(report.violations[0].what, "BUG at "
			       "include/hyp/nvhe/memory.h"));
	assert_non_null(strstr(report.violations[0].what, "0xffff"));
	/* A dead machine's pages are not counted as leaks. */
	assert_int_equal(report.nr_leaked_pages, 0);
}

/* A fresh machine after a dead one runs clean: nothing stayed held. */
static void assert_next_machine_clean(void)
{
	struct pkvmsim_vm *vm;
	struct pkvmsim *sim;

	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	assert_int_equal(pkvmsim_vm_create(sim, 1, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 1, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* --- a hypervisor BUG the host reaches --- */

/*
 * The finding as the fuzzer made it: one host vCPU page, shared once, is
 * named by 65535 init_vcpu (its vcpu_idx rewritten each time) of a VM
 * with 65536 vCPUs; each pins the page once more, and the next pin hits
 * hyp_page_ref_inc()'s BUG_ON, as it does upstream.  The call that hits
 * it answers -EFAULT, the BUG is the one violation, and the machine takes
 * no call after it.
 */
static void pin_count_overflow_stops_the_machine(void **state)
{
	const unsigned long nr = PIN_MAX + 1;
	struct pkvmsim *sim = boot(PIN_MAX + 1024);
	struct pkvmsim_regs regs;
	struct kvm_vcpu *vcpu;
	uint64_t vcpu_hva, areas;
	unsigned int handle;
	unsigned long i;

	(void)state;
	handle = raw_vm(sim, (int)nr);
	vcpu_hva = host_pages(sim, 1, true);
	vcpu = (struct kvm_vcpu *)(uintptr_t)vcpu_hva;
	areas = host_pages(sim, nr, false);

	for (i = 0; i < PIN_MAX; i++) {
		vcpu->vcpu_idx = (int)i;
		if (sim_hvc(sim, 0, INIT_VCPU, handle, vcpu_hva,
			    areas + i * SIM_PAGE_SIZE))
			fail_msg("init_vcpu %lu failed", i);
	}
	assert_int_equal(pins_of(vcpu_hva), PIN_MAX);

	vcpu->vcpu_idx = (int)PIN_MAX;
	assert_int_equal(raw(sim, 1, INIT_VCPU, handle, vcpu_hva,
			     areas + PIN_MAX * SIM_PAGE_SIZE, &regs), -EFAULT);
	assert_one_bug(sim, "__pkvm_init_vcpu");

	/* Stopped: refused, and no second violation for it. */
	assert_int_equal(raw(sim, 0, RESERVE, 0, 0, 0, NULL), -EFAULT);
	assert_one_bug(sim, "__pkvm_init_vcpu");
	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
	assert_next_machine_clean();
}

/*
 * The same BUG reached cheaply: the pins a long run would have taken are
 * put on the page directly (white-box), so one init_vcpu hits the BUG_ON
 * with vm_table_lock, host_mmu_lock and pkvm_pgd_lock held.
 */
static uint64_t pinned_to_the_limit(struct pkvmsim *sim)
{
	uint64_t hva = host_pages(sim, 1, true);
	uint64_t phys = sim_host_pa((void *)(uintptr_t)hva);

	hyp_vmemmap[(phys - sim_memstart) / SIM_PAGE_SIZE].refcount = PIN_MAX;
	return hva;
}

/*
 * After the BUG: the dead CPU let go of the hyp locks, so inspection
 * works; every call that would run the machine answers -EFAULT and adds
 * no violation; pkvmsim_destroy() frees everything (ASan and Valgrind
 * would see a leak) and reports the BUG.
 */
static void dead_machine_refuses_everything(void **state)
{
	struct pkvmsim *sim = boot(0);
	struct pkvmsim_table table;
	struct pkvmsim_vm *vm, *other;
	uint64_t vcpu_hva, area;
	unsigned int handle;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	handle = pkvmsim_vm_handle(vm);
	vcpu_hva = pinned_to_the_limit(sim);
	area = host_pages(sim, 1, false);

	assert_int_equal(raw(sim, 2, INIT_VCPU, handle, vcpu_hva, area, NULL),
			 -EFAULT);
	assert_one_bug(sim, "__pkvm_init_vcpu");
	assert_false(vm_table_lock.lock.locked);
	assert_false(host_mmu_lock.lock.locked);
	assert_false(pkvm_pgd_lock.lock.locked);

	assert_int_equal(pkvmsim_table_snapshot(sim, &table), 0);
	assert_int_equal(table.nr_live, 1);
	assert_int_equal(raw(sim, 2, RESERVE, 0, 0, 0, NULL), -EFAULT);
	assert_int_equal(pkvmsim_vm_create(sim, 1, &other), -EFAULT);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), -EFAULT);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), -EFAULT);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), -EFAULT);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 1, handle), -EFAULT);
	assert_int_equal(pkvmsim_host_page_share(sim, 1, area), -EFAULT);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), -EFAULT);
	assert_one_bug(sim, "__pkvm_init_vcpu");

	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
	assert_next_machine_clean();
}

/* An exploration: CPU 0 dies of the BUG while CPU 1 flushes the VM. */
struct bug_race {
	struct pkvmsim_vm	*vm;
	unsigned int		handle;
	uint64_t		vcpu;
	uint64_t		area;
};

static int bug_race_setup(struct pkvmsim *sim, void *ctx)
{
	struct bug_race *r = ctx;
	int ret;

	ret = pkvmsim_vm_create(sim, 0, &r->vm);
	if (!ret)
		ret = pkvmsim_vcpu_create(r->vm, 0, 0);
	if (!ret)
		ret = pkvmsim_vcpu_run(r->vm, 0, 0);
	if (!ret)
		ret = pkvmsim_vcpu_put(r->vm, 0, 0);
	if (ret)
		return ret;
	r->handle = pkvmsim_vm_handle(r->vm);
	r->vcpu = pinned_to_the_limit(sim);
	r->area = host_pages(sim, 1, false);
	return 0;
}

static void bug_race_dies(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct bug_race *r = ctx;

	raw(sim, cpu, INIT_VCPU, r->handle, r->vcpu, r->area, NULL);
}

static void bug_race_flushes(struct pkvmsim *sim, unsigned int cpu,
			     void *ctx)
{
	struct bug_race *r = ctx;

	(void)sim;
	pkvmsim_mmu_notify(r->vm, cpu);
}

static const struct pkvmsim_scenario bug_race = {
	.name = "hyp-bug-vs-flush",
	.window = "a hyp BUG with vm_table_lock held, another CPU waiting",
	.nr_cpus = 2,
	.ctx_size = sizeof(struct bug_race),
	.setup = bug_race_setup,
	.body = { bug_race_dies, bug_race_flushes },
};

/*
 * Under the controlled scheduler the BUG unwinds the fiber it hit: each
 * schedule ends with the BUG reported as its violation, never a deadlock,
 * a livelock or an abort.  Some schedules park CPU 1 on vm_table_lock
 * while CPU 0 holds it; the dead CPU lets go and CPU 1 finishes.
 */
static void bug_on_a_fiber_ends_the_schedule(void **state)
{
	struct pkvmsim_explore_result *res = malloc(sizeof(*res));
	struct pkvmsim_strategy st = { .kind = PKVMSIM_STRATEGY_RANDOM };
	struct pkvmsim_budget budget = { .schedules = 1 };
	unsigned int waited = 0;
	struct pkvmsim_config cfg;

	(void)state;
	assert_non_null(res);
	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 2;
	for (st.seed = 0; st.seed < 24; st.seed++) {
		assert_int_equal(pkvmsim_explore(&cfg, &bug_race, &st, &budget,
						 res), 1);
		assert_true(res->violation);
		/* No deadlock, livelock or history verdict: the BUG is all. */
		assert_string_equal(res->why, "");
		assert_int_equal(res->report.nr_violations, 1);
		assert_int_equal(res->report.violations[0].invariant,
				 PKVMSIM_INV_HYP_CRASH);
		assert_string_equal(res->report.violations[0].op,
				    "__pkvm_init_vcpu");
		waited += strstr(res->trace, "cpu1 __pkvm_tlb_flush_vmid  "
				 "blocked on vm_table_lock") != NULL;
	}
	assert_true(waited > 0);
	free(res);
	assert_next_machine_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_count_overflow_stops_the_machine),
		cmocka_unit_test(dead_machine_refuses_everything),
		cmocka_unit_test(bug_on_a_fiber_ends_the_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
