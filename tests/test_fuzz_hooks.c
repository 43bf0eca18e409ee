// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the library offers its fuzzers (tests/fuzz):
 *
 * - pkvmsim_reset(): the live simulator back to a fresh boot, in place.
 *   It says whether the machine was clean (as pkvmsim_destroy() would),
 *   forgets VMs, pages, references, reservations and violations, boots
 *   again as asked (mode, profile, transport) on the same arena, and
 *   hands out the same pages, zeroed, as a fresh simulator would;
 * - failures injected below the hypervisor and the host (sim_inject.h):
 *   donation, pin, share and host allocation, with a skip and a count;
 * - lenient replay lines: a choice whose CPU cannot run passes to the
 *   next that can, where a strict line diverges.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>
#include "sim_test.h"
#include "sim_inject.h"

#define HC(x)		PKVMSIM_HCALL_##x
#define H0		PKVMSIM_HANDLE_OFFSET
#define ARENA_PAGES	256UL

static struct pkvmsim_table table;
static struct pkvmsim_report report;
static struct pkvmsim_explore_result res;

static struct pkvmsim *boot(enum pkvmsim_mode mode)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	pkvmsim_config_init(&cfg);
	cfg.mode = mode;
	cfg.arena_pages = ARENA_PAGES;
	cfg.quiet = true;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	return sim;
}

static int raw(struct pkvmsim *sim, unsigned long nr, uint64_t a1,
	       uint64_t a2, uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};

	assert_int_equal(pkvmsim_hvc(sim, 0, &regs), 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	return (int)(int64_t)regs.x[1];
}

/* A VM that has run: its hyp VM LIVE, a vCPU loaded on CPU 1. */
static struct pkvmsim_vm *running_vm(struct pkvmsim *sim)
{
	struct pkvmsim_vm *vm;

	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	return vm;
}

/* --- pkvmsim_reset() --- */

static void reset_of_a_clean_machine_is_clean(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	int h = raw(sim, HC(PKVM_RESERVE_VM), 0, 0, 0);

	(void)state;
	assert_int_equal(h, H0);
	raw(sim, HC(PKVM_UNRESERVE_VM), (uint64_t)h, 0, 0);
	assert_int_equal(pkvmsim_reset(sim, NULL), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/*
 * A running VM, a reservation, a reference and a shared page: all
 * forgotten, and the machine is as a new one, so clean at destroy.
 */
static void reset_forgets_everything(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	struct pkvmsim_vm *vm = running_vm(sim), *again;
	uint64_t hva;

	(void)state;
	assert_int_equal(pkvmsim_vm_handle(vm), H0);
	assert_int_equal(raw(sim, HC(PKVM_RESERVE_VM), 0, 0, 0), H0 + 1);
	assert_int_equal(pkvmsim_hyp_vm_get(sim, 2, H0), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 2, &hva), 0);
	assert_int_equal(pkvmsim_host_page_share(sim, 0, hva), 0);

	/* Not clean: a VM left, a reservation, a reference, a page. */
	assert_int_equal(pkvmsim_reset(sim, NULL), -EUCLEAN);

	assert_int_equal(pkvmsim_table_snapshot(sim, &table), 0);
	assert_true(table.has_table);
	assert_int_equal(table.nr_free, PKVMSIM_NR_SLOTS);
	assert_false(table.loaded[1].loaded);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(report.nr_violations, 0);
	assert_int_equal(pkvmsim_tz_vm_count(sim), 0);
	/* The old VM is stale. */
	assert_int_equal(pkvmsim_vm_id(vm), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), -EINVAL);

	/* A VM made now is the first of a fresh machine. */
	assert_int_equal(pkvmsim_vm_create(sim, 0, &again), 0);
	assert_int_equal(pkvmsim_vm_id(again), 1);
	assert_int_equal(pkvmsim_vm_handle(again), H0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* The host allocator starts over: the same pages as a new simulator. */
static void reset_hands_out_the_same_pages(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	uint64_t first, other, again;

	(void)state;
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &first), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 3, &other), 0);
	assert_int_not_equal(first, other);
	pkvmsim_reset(sim, NULL);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &again), 0);
	assert_int_equal(again, first);
	assert_int_equal(pkvmsim_host_pages_free(sim, again, 1), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/*
 * A page the last run wrote reads zero after the reset, as in a fresh
 * arena, even one the host allocator does not hand out again first: a
 * hostile host may share pages it never allocated.
 */
static void reset_zeroes_what_was_written(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	uint64_t hva;
	char *page;

	(void)state;
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 3, &hva), 0);
	page = (char *)(uintptr_t)hva + 2 * PKVMSIM_PAGE_SIZE;
	memset(page, 0xa5, PKVMSIM_PAGE_SIZE);
	assert_int_equal(pkvmsim_host_pages_free(sim, hva, 3), 0);
	assert_int_equal(pkvmsim_reset(sim, NULL), 0);
	assert_int_equal(page[0], 0);
	assert_int_equal(page[PKVMSIM_PAGE_SIZE - 1], 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* Violations are reported by the reset, then forgotten. */
static void reset_after_a_violation(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_NVHE);
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(HC(PKVM_TEARDOWN_VM)), H0, 0, 0 },
	};

	(void)state;
	/* A hypervisor crash in nVHE: recorded, not run. */
	assert_int_equal(pkvmsim_hvc(sim, 0, &regs), -EFAULT);
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(pkvmsim_reset(sim, NULL), -EUCLEAN);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* Another mode, profile and transport; the arena must stay the same. */
static void reset_boots_another_configuration(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	struct pkvmsim_config cfg;
	struct pkvmsim_vm *vm;
	int h;

	(void)state;
	pkvmsim_config_init(&cfg);
	cfg.arena_pages = ARENA_PAGES;
	cfg.mode = PKVMSIM_MODE_NVHE;
	cfg.profile = PKVMSIM_PROFILE_V3;
	cfg.quiet = true;
	assert_int_equal(pkvmsim_reset(sim, &cfg), 0);
	assert_int_equal(pkvmsim_table_snapshot(sim, &table), 0);
	assert_false(table.has_table);
	/* v3 in nVHE: creation reserves, and the missing table says no. */
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), -EINVAL);
	assert_int_equal(pkvmsim_reset(sim, NULL), -EUCLEAN);

	cfg.mode = PKVMSIM_MODE_PROTECTED;
	cfg.profile = PKVMSIM_PROFILE_6_18;
	cfg.hvc = pkvm_hvc_direct();
	assert_int_equal(pkvmsim_reset(sim, &cfg), 0);
	h = raw(sim, HC(PKVM_RESERVE_VM), 0, 0, 0);
	assert_int_equal(h, H0);
	/* Boot-only ids are refused by smccc, run by direct: no __pkvm_init. */
	raw(sim, HC(PKVM_UNRESERVE_VM), (uint64_t)h, 0, 0);

	cfg.arena_pages = ARENA_PAGES * 2;
	assert_int_equal(pkvmsim_reset(sim, &cfg), -EINVAL);
	cfg.arena_pages = ARENA_PAGES;
	cfg.nr_cpus = 0;
	assert_int_equal(pkvmsim_reset(sim, &cfg), -EINVAL);
	assert_int_equal(pkvmsim_reset(NULL, NULL), -EINVAL);
	assert_int_equal(pkvmsim_destroy(sim), 0);
	assert_int_equal(pkvmsim_reset(sim, NULL), -EINVAL);
}

/* --- injected failures --- */

static void inject_host_allocation(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	struct pkvmsim_vm *vm;

	(void)state;
	sim_inject_arm(SIM_INJECT_ALLOC, 0, 1);
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), -ENOMEM);
	assert_int_equal(sim_inject_count(SIM_INJECT_ALLOC), 1);
	/* Spent: the next one works. */
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* The struct kvm cannot be shared: creation fails and leaves nothing. */
static void inject_share(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	struct pkvmsim_vm *vm;

	(void)state;
	sim_inject_arm(SIM_INJECT_SHARE, 0, 1);
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), -EPERM);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/*
 * The first run's init_vm: its pin, then its second donation (the PGD)
 * made to fail; the first run fails, the slot stays RESERVED, and a later
 * run succeeds.
 */
static void inject_pin_and_donation(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	struct pkvmsim_vm *vm;
	struct pkvmsim_slot s;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);

	sim_inject_arm(SIM_INJECT_PIN, 0, 1);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -EPERM);
	sim_inject_arm(SIM_INJECT_DONATE, 1, 1);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_int_equal(sim_inject_count(SIM_INJECT_PIN), 1);
	assert_int_equal(sim_inject_count(SIM_INJECT_DONATE), 1);
	assert_int_equal(pkvmsim_slot(sim, H0, &s), 0);
	assert_int_equal(s.state, PKVMSIM_SLOT_RESERVED);

	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* Skip two, fail two, then pass: counted per kind. */
static void inject_skip_and_count(void **state)
{
	struct pkvmsim *sim = boot(PKVMSIM_MODE_PROTECTED);
	uint64_t hva;
	int i, ret[6];

	(void)state;
	sim_inject_arm(SIM_INJECT_ALLOC, 2, 2);
	for (i = 0; i < 6; i++)
		ret[i] = pkvmsim_host_pages_alloc(sim, 1, &hva);
	assert_int_equal(ret[0], 0);
	assert_int_equal(ret[1], 0);
	assert_int_equal(ret[2], -ENOMEM);
	assert_int_equal(ret[3], -ENOMEM);
	assert_int_equal(ret[4], 0);
	assert_int_equal(ret[5], 0);
	assert_int_equal(sim_inject_count(SIM_INJECT_ALLOC), 2);
	/* A reset disarms and forgets. */
	sim_inject_arm(SIM_INJECT_ALLOC, 0, 5);
	pkvmsim_reset(sim, NULL);
	assert_int_equal(sim_inject_count(SIM_INJECT_ALLOC), 0);
	assert_int_equal(pkvmsim_host_pages_alloc(sim, 1, &hva), 0);
	pkvmsim_reset(sim, NULL);
	assert_int_equal(pkvmsim_destroy(sim), 0);
}

/* --- lenient replay lines --- */

static int replay(const char *schedule, bool lenient)
{
	char line[512];

	snprintf(line, sizeof(line), "pkvmsim-replay/1 scenario=first-run "
		 "mode=protected profile=6.18 cpus=2 pages=256 strategy=dfs "
		 "seed=0 depth=0 k=0 run=0%s schedule=%s",
		 lenient ? " lenient=1" : "", schedule);
	return pkvmsim_replay(line, NULL, &res);
}

/*
 * CPU b for far more points than its body has, then a CPU that is not
 * there: strictly a divergence, leniently the other CPU runs.
 */
static void lenient_replay_never_diverges(void **state)
{
	char line[PKVMSIM_REPLAY_MAX];

	(void)state;
	assert_int_equal(replay("b5000+", false), -ESTALE);
	assert_non_null(strstr(res.why, "diverged"));
	assert_int_equal(replay("b5000+", true), 0);
	assert_int_equal(replay("dddd+", false), -ESTALE);
	assert_int_equal(replay("dddd+", true), 0);
	/* Lenient or not, a schedule that ends without '+' stops there. */
	assert_int_equal(replay("dddd", true), -ESTALE);
	assert_int_equal(replay("abababababab+", true), 0);

	/* The run's own line names the CPUs that ran, and replays strictly. */
	assert_non_null(strstr(res.replay, "schedule="));
	snprintf(line, sizeof(line), "%s", res.replay);
	assert_null(strstr(line, "lenient"));
	assert_int_equal(pkvmsim_replay(line, NULL, &res), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reset_of_a_clean_machine_is_clean),
		cmocka_unit_test(reset_forgets_everything),
		cmocka_unit_test(reset_hands_out_the_same_pages),
		cmocka_unit_test(reset_zeroes_what_was_written),
		cmocka_unit_test(reset_after_a_violation),
		cmocka_unit_test(reset_boots_another_configuration),
		cmocka_unit_test(inject_host_allocation),
		cmocka_unit_test(inject_share),
		cmocka_unit_test(inject_pin_and_donation),
		cmocka_unit_test(inject_skip_and_count),
		cmocka_unit_test(lenient_replay_never_diverges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
