// SPDX-License-Identifier: GPL-2.0-only
/*
 * Booting the simulated machine in each mode, and the simulator's life
 * cycle (SPEC 6, DESIGN "State, processes and scale", "Public C API"):
 * - protected: the VM table in the boot carve-out, every CPU finalised,
 *   the minimum hypercall id in force;
 * - nvhe: no table; reserve/unreserve/load/put/flush answer at once, and
 *   the calls that would crash the hypervisor are violations, not run;
 * - vhe: every HVC is a host panic, recorded and not run;
 * - pkvmsim_create()/pkvmsim_destroy()/pkvmsim_check() arguments, one
 *   live simulator per process, state reset between simulators, and the
 *   leak report of a VM left alive;
 * - mode and profile names.
 */
#include <errno.h>
#include <string.h>

#include "sim_test.h"
#include "asm/kvm_mmu.h"
#include "nvhe/memory.h"

#define X1_POISON	0xdeadbeefcafef00dULL
#define FIRST_HANDLE	0x1000U

static int create_mode(enum pkvmsim_mode mode, struct pkvmsim **simp)
{
	struct pkvmsim_config cfg;

	assert_int_equal(pkvmsim_config_init(&cfg), 0);
	cfg.mode = mode;
	return pkvmsim_create(&cfg, simp);
}

/* Fixture for tests that create their simulators themselves. */
static int no_sim_setup(void **state)
{
	*state = NULL;
	return 0;
}

/* Destroy whatever the test left live in *state, whatever its state. */
static int no_sim_teardown(void **state)
{
	if (*state)
		pkvmsim_destroy(*state);
	*state = NULL;
	return 0;
}

/* A raw hypercall; returns pkvmsim_hvc()'s verdict, leaves regs in @regs. */
static int hvc(struct pkvmsim *sim, unsigned int cpu, uint64_t x0,
	       uint64_t x1, uint64_t x2, uint64_t x3,
	       struct pkvmsim_regs *regs)
{
	*regs = (struct pkvmsim_regs){ .x = { x0, x1, x2, x3 } };
	return pkvmsim_hvc(sim, cpu, regs);
}

static void assert_report_has(struct pkvmsim *sim, unsigned long violations,
			      const char *a, const char *b)
{
	struct pkvmsim_report report;

	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, violations);
	if (a && !strstr(report.text, a))
		fail_msg("report lacks \"%s\":\n%s", a, report.text);
	if (b && !strstr(report.text, b))
		fail_msg("report lacks \"%s\":\n%s", b, report.text);
}

static void assert_page_home(const void *host_va)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa(host_va), &info), 0);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);
	assert_int_equal(info.refcount, 0);
}

/* --- protected --- */

/*
 * SPEC 6 / pkvmsim_create(): protected mode has a 255-slot table, all FREE,
 * in a page pKVM took from the host at __pkvm_init.
 */
static void protected_boot_has_table_in_hyp_page(void **state)
{
	struct sim_page_info info;
	uint64_t phys;

	(void)state;

	assert_non_null(vm_table);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);

	phys = hyp_virt_to_phys(vm_table);
	assert_int_equal(phys % SIM_PAGE_SIZE, 0);
	assert_int_equal(sim_ledger_page(phys, &info), 0);
	assert_int_equal(info.hyp_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.host_state, PKVM_NOPAGE);
	/* The table is reached through the hyp view, not the host's. */
	assert_ptr_equal((char *)sim_host_va(phys) + sim_hyp_va_offset,
			 (char *)vm_table);
}

/*
 * SPEC 4: a protected boot finalises every CPU and sets the flag that
 * raises the minimum id, so __pkvm_init is refused from then on.
 */
static void protected_boot_finalises_every_cpu(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm **table = vm_table;
	struct pkvmsim_regs regs;
	unsigned int cpu;

	for (cpu = 0; cpu < PKVMSIM_DEFAULT_CPUS; cpu++)
		assert_true(host_stage2_enabled[cpu]);
	for (; cpu < NR_CPUS; cpu++)
		assert_false(host_stage2_enabled[cpu]);

	assert_int_equal(hvc(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT),
			     X1_POISON, SIM_PAGE_SIZE, 0, &regs), 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(regs.x[1], X1_POISON);
	assert_ptr_equal(vm_table, table);
	assert_int_equal(sim_warn_count(), 0);
}

/* --- nvhe --- */

/*
 * SPEC 6 nvhe: no table; reserve -> -EINVAL, unreserve does nothing,
 * vcpu_load/put/tlb_flush_vmid return at once (no result, no flush).
 */
static void nvhe_table_calls_answer_at_once(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;
	unsigned long nr;

	assert_null(vm_table);

	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_RESERVE_VM,
				 0, 0, 0), -EINVAL);

	for (nr = PKVMSIM_HCALL_PKVM_UNRESERVE_VM;
	     nr <= PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID; nr++) {
		if (nr >= PKVMSIM_HCALL_PKVM_INIT_VM &&
		    nr <= PKVMSIM_HCALL_PKVM_TEARDOWN_VM)
			continue;
		regs = sim_hvc_regs(sim, 1, nr, FIRST_HANDLE, 0, 0);
		assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
		assert_int_equal(regs.x[1], FIRST_HANDLE);
	}
	assert_null(vm_table);
	assert_null(loaded_hyp_vcpu[1]);
	assert_int_equal(sim_tlb_flush_count(), 0);
}

/*
 * SPEC 6 nvhe: init_vm, init_vcpu and teardown would crash the real
 * hypervisor; pkvmsim_hvc() records a violation naming the call, returns
 * -EFAULT and runs nothing: no page changes hands.
 */
static void nvhe_crash_call(struct pkvmsim *sim, unsigned long nr)
{
	const char *name = pkvmsim_hcall_name(nr);
	struct pkvmsim_regs regs;
	void *kvm, *area, *pgd;

	kvm = sim_host_alloc_pages(1);
	area = sim_host_alloc_pages(1);
	pgd = sim_host_alloc_pages(2);
	assert_non_null(kvm);
	assert_non_null(area);
	assert_non_null(pgd);

	if (nr == PKVMSIM_HCALL_PKVM_INIT_VM)
		assert_int_equal(hvc(sim, 0, PKVMSIM_HVC_ID(nr),
				     (uintptr_t)kvm, (uintptr_t)area,
				     (uintptr_t)pgd, &regs), -EFAULT);
	else if (nr == PKVMSIM_HCALL_PKVM_INIT_VCPU)
		assert_int_equal(hvc(sim, 0, PKVMSIM_HVC_ID(nr), FIRST_HANDLE,
				     (uintptr_t)kvm, (uintptr_t)area, &regs),
				 -EFAULT);
	else
		assert_int_equal(hvc(sim, 0, PKVMSIM_HVC_ID(nr), FIRST_HANDLE,
				     0, 0, &regs), -EFAULT);

	/* Not executed: the registers are as the host left them. */
	assert_int_equal(regs.x[0], PKVMSIM_HVC_ID(nr));
	assert_report_has(sim, 1, name, NULL);

	assert_page_home(kvm);
	assert_page_home(area);
	assert_page_home(pgd);
	assert_page_home((char *)pgd + SIM_PAGE_SIZE);
	assert_int_equal(sim_ledger_count(SIM_LEDGER_REFUSED), 0);
	assert_null(vm_table);

	assert_int_equal(sim_host_free_pages(kvm, 1), 0);
	assert_int_equal(sim_host_free_pages(area, 1), 0);
	assert_int_equal(sim_host_free_pages(pgd, 2), 0);
}

static void nvhe_init_vm_is_a_hyp_crash(void **state)
{
	nvhe_crash_call(sim_of(state), PKVMSIM_HCALL_PKVM_INIT_VM);
}

static void nvhe_init_vcpu_is_a_hyp_crash(void **state)
{
	nvhe_crash_call(sim_of(state), PKVMSIM_HCALL_PKVM_INIT_VCPU);
}

static void nvhe_teardown_is_a_hyp_crash(void **state)
{
	nvhe_crash_call(sim_of(state), PKVMSIM_HCALL_PKVM_TEARDOWN_VM);
}

/*
 * SPEC 2: with no table, the insert refuses (-EINVAL).  No hypercall can
 * get there (the machine stops init_vm in nVHE as a crash), so call the
 * hypervisor function itself, as the real one would run, on a host VM
 * that is otherwise fine: it must fail at the insert and give back all.
 */
static void nvhe_insert_without_table_is_einval(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long vm_pages = pkvm_get_hyp_vm_size(1) / SIM_PAGE_SIZE;
	struct kvm *kvm = sim_host_alloc_pages(1);
	void *vm_area = sim_host_alloc_pages(vm_pages);
	void *pgd = sim_host_alloc_pages(KVM_PGTABLE_PGD_PAGES);
	struct sim_page_info info;

	assert_non_null(kvm);
	assert_non_null(vm_area);
	assert_non_null(pgd);
	assert_null(vm_table);
	kvm->created_vcpus = 1;
	kvm->arch.pkvm.handle = FIRST_HANDLE;
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP,
				 sim_host_pfn(kvm), 0, 0), 0);

	sim_set_this_cpu(0);
	assert_int_equal(__pkvm_init_vm(kern_hyp_va(kvm),
					(unsigned long)vm_area,
					(unsigned long)pgd), -EINVAL);

	assert_int_equal(sim_ledger_page(sim_host_pa(kvm), &info), 0);
	assert_int_equal(info.refcount, 0);
	assert_int_equal(sim_ledger_page(sim_host_pa(pgd), &info), 0);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.refcount, 0);
	assert_int_equal(sim_ledger_page(sim_host_pa(vm_area), &info), 0);
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);

	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
				 sim_host_pfn(kvm), 0, 0), 0);
	assert_int_equal(sim_host_free_pages(kvm, 1), 0);
	assert_int_equal(sim_host_free_pages(vm_area, vm_pages), 0);
	assert_int_equal(sim_host_free_pages(pgd, KVM_PGTABLE_PGD_PAGES), 0);
}

/* --- vhe --- */

/*
 * SPEC 6 vhe: an HVC has no hypervisor to go to and panics the host; it is
 * recorded with the call's name and not executed.
 */
static void vhe_any_hvc_is_a_host_panic(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	assert_int_equal(hvc(sim, 0,
			     PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM),
			     X1_POISON, 0, 0, &regs), -EFAULT);
	assert_int_equal(regs.x[0],
			 PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM));
	assert_int_equal(regs.x[1], X1_POISON);
	assert_report_has(sim, 1, "host panic", "__pkvm_reserve_vm");

	/* Even an id nobody handles: the trap itself is the panic. */
	assert_int_equal(hvc(sim, 3, PKVMSIM_HVC_ID(200), 0, 0, 0, &regs),
			 -EFAULT);
	assert_report_has(sim, 2, "host panic", NULL);

	assert_int_equal(hvc(sim, 1,
			     PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_PUT),
			     0, 0, 0, &regs), -EFAULT);
	assert_report_has(sim, 3, "__pkvm_vcpu_put", NULL);

	assert_null(vm_table);
	assert_false(host_stage2_enabled[0]);
}

/* --- the simulator's life cycle --- */

/* DESIGN "State": one live simulator per process; a second is -EBUSY. */
static void second_live_simulator_is_ebusy(void **state)
{
	struct pkvmsim *other = (struct pkvmsim *)&other;

	assert_int_equal(create_mode(PKVMSIM_MODE_NVHE, &other), -EBUSY);
	assert_ptr_equal(other, (struct pkvmsim *)&other);
	assert_int_equal(pkvmsim_create(NULL, &other), -EBUSY);
	/* The live one is untouched. */
	assert_non_null(vm_table);
	assert_int_equal(sim_hvc(sim_of(state), 0,
				 PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0),
			 (int)FIRST_HANDLE);
	sim_hvc(sim_of(state), 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
		FIRST_HANDLE, 0, 0);
}

static void expect_einval(const char *what, const struct pkvmsim_config *cfg)
{
	struct pkvmsim *sim = NULL;

	if (pkvmsim_create(cfg, &sim) != -EINVAL)
		fail_msg("%s was not refused", what);
	assert_null(sim);
}

/* pkvmsim.h: a configuration outside the documented bounds is -EINVAL. */
static void bad_configs_are_einval(void **state)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	(void)state;

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 0;
	expect_einval("nr_cpus 0", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = PKVMSIM_MAX_CPUS + 1;
	expect_einval("nr_cpus 17", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.mode = (enum pkvmsim_mode)99;
	expect_einval("mode 99", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.mode = PKVMSIM_MODE_NR;
	expect_einval("mode NR", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.profile = (enum pkvmsim_profile)99;
	expect_einval("profile 99", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.arena_pages = 0;
	expect_einval("arena of 0 pages", &cfg);

	/* No room for the carve-out and a VM. */
	pkvmsim_config_init(&cfg);
	cfg.arena_pages = 1;
	expect_einval("arena of 1 page", &cfg);

	pkvmsim_config_init(&cfg);
	cfg.arena_pages = PKVMSIM_MAX_ARENA_PAGES + 1;
	expect_einval("arena above the maximum", &cfg);

	assert_int_equal(pkvmsim_create(NULL, NULL), -EINVAL);
	assert_int_equal(pkvmsim_config_init(NULL), -EINVAL);

	/* Nothing was left live by the refusals. */
	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* pkvmsim.h: the bounds themselves are valid configurations. */
static void config_bounds_are_accepted(void **state)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	(void)state;

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = PKVMSIM_MAX_CPUS;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	assert_true(host_stage2_enabled[PKVMSIM_MAX_CPUS - 1]);
	assert_int_equal(sim_hvc(sim, PKVMSIM_MAX_CPUS - 1,
				 PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0),
			 (int)FIRST_HANDLE);
	sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, FIRST_HANDLE, 0, 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 1;
	cfg.mode = PKVMSIM_MODE_NVHE;
	cfg.arena_pages = PKVMSIM_MAX_ARENA_PAGES;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	assert_int_equal(sim_arena_nr_pages(), PKVMSIM_MAX_ARENA_PAGES);
	assert_non_null(sim_host_va(SIM_PHYS_BASE +
		(PKVMSIM_MAX_ARENA_PAGES - 1) * SIM_PAGE_SIZE));
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/*
 * pkvmsim_config_init()/pkvmsim_create(): no configuration means the
 * defaults: protected mode, profile 6.18, 4 CPUs.
 */
static void null_config_boots_the_defaults(void **state)
{
	struct pkvmsim_config cfg;
	struct pkvmsim_regs regs;
	struct pkvmsim *sim;
	unsigned int cpu;

	(void)state;

	assert_int_equal(pkvmsim_config_init(&cfg), 0);
	assert_int_equal(cfg.mode, PKVMSIM_MODE_PROTECTED);
	assert_int_equal(cfg.profile, PKVMSIM_PROFILE_6_18);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.arena_pages, 16384);

	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	assert_non_null(vm_table);
	for (cpu = 0; cpu < 4; cpu++)
		assert_true(host_stage2_enabled[cpu]);
	assert_false(host_stage2_enabled[4]);
	regs = sim_hvc_regs(sim, 3, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(pkvmsim_hvc(sim, 4, &regs), -EINVAL);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* pkvmsim_destroy(): anything but the live simulator is -EINVAL. */
static void destroy_rejects_null_and_stale(void **state)
{
	struct pkvmsim_report report;
	struct pkvmsim_regs regs = { .x = { PKVMSIM_HVC_ID(27) } };
	struct pkvmsim *sim;

	(void)state;

	assert_int_equal(pkvmsim_destroy(NULL), -EINVAL);
	assert_int_equal(pkvmsim_check(NULL, &report), -EINVAL);

	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	assert_int_equal(pkvmsim_check(sim, NULL), -EINVAL);
	assert_int_equal(pkvmsim_destroy(sim), 0);

	/* sim is stale now; it is compared, never dereferenced. */
	assert_int_equal(pkvmsim_destroy(sim), -EINVAL);
	assert_int_equal(pkvmsim_check(sim, &report), -EINVAL);
	assert_int_equal(pkvmsim_hvc(sim, 0, &regs), -EINVAL);
	assert_null(vm_table);
}

/*
 * DESIGN "State": the hyp's file-scope state is reset between simulators:
 * a reservation, a finalised CPU, a warning or a violation of one run is
 * not seen by the next, 20 runs in a row across the three modes.
 */
static void create_destroy_twenty_times_resets_state(void **state)
{
	struct pkvmsim_report report;
	struct pkvmsim *sim;
	int i;

	(void)state;

	for (i = 0; i < 20; i++) {
		enum pkvmsim_mode mode = (enum pkvmsim_mode)(i % 3);
		struct pkvmsim_regs regs;

		assert_int_equal(create_mode(mode, &sim), 0);
		assert_int_equal(pkvmsim_check(sim, &report), 0);
		assert_int_equal(report.nr_violations, 0);
		assert_int_equal(report.nr_warnings, 0);
		assert_int_equal(report.nr_refusals, 0);

		switch (mode) {
		case PKVMSIM_MODE_PROTECTED:
			assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
			/*
			 * Left reserved on purpose: shutdown reports it, and
			 * the next boot must not see it.
			 */
			assert_int_equal(sim_hvc(sim, i % 4,
					 PKVMSIM_HCALL_PKVM_RESERVE_VM,
					 0, 0, 0), (int)FIRST_HANDLE);
			assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
			break;
		case PKVMSIM_MODE_NVHE:
			assert_null(vm_table);
			assert_false(host_stage2_enabled[0]);
			/* The minimum id is 0 again. */
			assert_int_equal(sim_hvc(sim, 0,
					 PKVMSIM_HCALL_PKVM_PROT_FINALIZE,
					 0, 0, 0), 0);
			assert_int_equal(pkvmsim_destroy(sim), 0);
			break;
		default:
			assert_null(vm_table);
			/* A violation in this run only. */
			assert_int_equal(hvc(sim, 0, PKVMSIM_HVC_ID(27),
					     0, 0, 0, &regs), -EFAULT);
			assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
			break;
		}
	}
	assert_null(vm_table);
}

/*
 * pkvmsim_destroy(): a VM left alive keeps donated, shared and pinned
 * pages away from the host: a leak, -EUCLEAN; the next simulator starts
 * clean anyway.
 */
static void destroy_with_live_vm_is_euclean(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;

	test_vm_create_live(sim, &vm, 2, 0);
	assert_int_equal(slot_state_of(test_vm_handle(&vm)), SLOT_LIVE);

	*state = NULL;
	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);

	assert_int_equal(pkvmsim_create(NULL, &sim), 0);
	*state = sim;
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
	assert_int_equal(pkvmsim_destroy(sim), 0);
	*state = NULL;
}

/*
 * pkvmsim_check(): while a VM lives its pages are away from home, which is
 * reported but is no violation; after teardown and free all is home.
 */
static void check_reports_live_vm_pages(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report report;
	struct test_vm vm;

	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(report.nr_leaked_pages, 0);

	test_vm_create_live(sim, &vm, 2, 0);
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_true(report.nr_leaked_pages > 0);
	assert_int_equal(report.nr_violations, 0);
	assert_non_null(strstr(report.text, "leak: page"));
	assert_non_null(strstr(report.text, "__pkvm_init_vm"));

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(report.nr_leaked_pages, 0);
	assert_int_equal(report.nr_violations, 0);
	assert_string_equal(report.text, "");
}

/* pkvmsim.h: the names the command line and reports use. */
static void mode_and_profile_names(void **state)
{
	(void)state;

	assert_string_equal(pkvmsim_mode_name(PKVMSIM_MODE_PROTECTED),
			    "protected");
	assert_string_equal(pkvmsim_mode_name(PKVMSIM_MODE_NVHE), "nvhe");
	assert_string_equal(pkvmsim_mode_name(PKVMSIM_MODE_VHE), "vhe");
	assert_null(pkvmsim_mode_name(PKVMSIM_MODE_NR));
	assert_null(pkvmsim_mode_name((enum pkvmsim_mode)-1));

	assert_string_equal(pkvmsim_profile_name(PKVMSIM_PROFILE_6_18),
			    "6.18");
	assert_string_equal(pkvmsim_profile_name(PKVMSIM_PROFILE_V3), "v3");
	assert_string_equal(pkvmsim_profile_name(PKVMSIM_PROFILE_LAZY),
			    "lazy");
	assert_null(pkvmsim_profile_name(PKVMSIM_PROFILE_NR));
	assert_null(pkvmsim_profile_name((enum pkvmsim_profile)99));
}

#define NO_SIM_TEST(f)	cmocka_unit_test_setup_teardown(f,	\
			no_sim_setup, no_sim_teardown)
#define VIOLATION_TEST(f, m)	cmocka_unit_test_setup_teardown(f,	\
				sim_setup_##m, sim_teardown_any)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(protected_boot_has_table_in_hyp_page),
		SIM_TEST(protected_boot_finalises_every_cpu),
		SIM_TEST_MODE(nvhe_table_calls_answer_at_once, nvhe),
		VIOLATION_TEST(nvhe_init_vm_is_a_hyp_crash, nvhe),
		VIOLATION_TEST(nvhe_init_vcpu_is_a_hyp_crash, nvhe),
		VIOLATION_TEST(nvhe_teardown_is_a_hyp_crash, nvhe),
		SIM_TEST_MODE(nvhe_insert_without_table_is_einval, nvhe),
		VIOLATION_TEST(vhe_any_hvc_is_a_host_panic, vhe),
		SIM_TEST(second_live_simulator_is_ebusy),
		NO_SIM_TEST(bad_configs_are_einval),
		NO_SIM_TEST(config_bounds_are_accepted),
		NO_SIM_TEST(null_config_boots_the_defaults),
		NO_SIM_TEST(destroy_rejects_null_and_stale),
		NO_SIM_TEST(create_destroy_twenty_times_resets_state),
		cmocka_unit_test_setup_teardown(destroy_with_live_vm_is_euclean,
						sim_setup_protected,
						no_sim_teardown),
		SIM_TEST(check_reports_live_vm_pages),
		cmocka_unit_test(mode_and_profile_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
