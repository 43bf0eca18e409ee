// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host model alone, against the CMocka mock transport: which
 * hypercalls each host flow makes, with which arguments, in which order,
 * and what it does with each answer (SPEC 5), the hypervisor out of the
 * picture.  Any call a test did not expect fails it.
 */
#include <errno.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "sim_test.h"
#include "hvc_mock.h"
#include "host.h"
#include "machine.h"

#define HC(x)	PKVMSIM_HCALL_##x
#define H	0x1005U		/* a handle the "hypervisor" gives out */

static int mock_setup(void **state, enum pkvmsim_mode mode,
		      enum pkvmsim_profile profile)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;

	pkvmsim_config_init(&cfg);
	cfg.mode = mode;
	cfg.profile = profile;
	cfg.nr_cpus = 2;
	if (pkvmsim_create(&cfg, &sim))
		return -1;
	/* Boot went through the real hypervisor; from here on, the mock. */
	if (pkvmsim_set_hvc(sim, hvc_mock_ops()))
		return -1;
	*state = sim;
	return 0;
}

static int setup_protected(void **state)
{
	return mock_setup(state, PKVMSIM_MODE_PROTECTED, PKVMSIM_PROFILE_6_18);
}

static int setup_lazy(void **state)
{
	return mock_setup(state, PKVMSIM_MODE_PROTECTED, PKVMSIM_PROFILE_LAZY);
}

static int setup_nvhe_v3(void **state)
{
	return mock_setup(state, PKVMSIM_MODE_NVHE, PKVMSIM_PROFILE_V3);
}

static int setup_vhe(void **state)
{
	return mock_setup(state, PKVMSIM_MODE_VHE, PKVMSIM_PROFILE_6_18);
}

/*
 * The mock answered for a hypervisor that did nothing, so pages the host
 * thinks it donated are not where the ledger says: only the calls count.
 */
static int mock_teardown(void **state)
{
	struct pkvmsim *sim = *state;

	pkvmsim_set_hvc(sim, NULL);
	pkvmsim_destroy(sim);
	return 0;
}

#define MOCK_TEST(f, s)	cmocka_unit_test_setup_teardown(f, setup_##s, \
							mock_teardown)

static unsigned long kvm_pages(void)
{
	return (sizeof(struct kvm) + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

static void expect_shares(long nr, unsigned long n)
{
	while (n--) {
		expect_hvc(nr);
		will_return_hvc(0);
	}
}

/* KVM_CREATE_VM in pKVM mode: share struct kvm, then reserve. */
static struct pkvmsim_vm *create_reserved(struct pkvmsim *sim)
{
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc(H);
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), H);
	return vm;
}

static void add_vcpu(struct pkvmsim_vm *vm, unsigned int idx)
{
	expect_shares(HC(PKVM_HOST_SHARE_HYP), 1);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, idx), 0);
}

static void expect_unshares(unsigned long n)
{
	expect_shares(HC(PKVM_HOST_UNSHARE_HYP), n);
}

static void create_shares_then_reserves(void **state)
{
	struct pkvmsim_vm *vm = create_reserved(sim_of(state));

	/* Never run: unreserve that very handle, then unshare. */
	expect_hvc_arg(HC(PKVM_UNRESERVE_VM), 1, H);
	will_return_hvc_none();
	expect_unshares(kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
}

static void reserve_error_unwinds_creation(void **state)
{
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc(-ENOMEM);
	expect_unshares(kvm_pages());
	assert_int_equal(pkvmsim_vm_create(sim_of(state), 0, &vm), -ENOMEM);
}

static void transport_error_unwinds_creation(void **state)
{
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc_error(-EFAULT);
	expect_unshares(kvm_pages());
	assert_int_equal(pkvmsim_vm_create(sim_of(state), 0, &vm), -EFAULT);
}

/*
 * SPEC 5 (clarified), kvm_vcpu_ioctl(KVM_RUN): the first run's set-up
 * creates the hyp VM and vCPU, and only then does vcpu_load() send the
 * load, which so finds the hyp vCPU.
 */
static void first_run_inits_vm_and_vcpu_then_loads(void **state)
{
	struct pkvmsim_vm *vm = create_reserved(sim_of(state));
	struct pkvmsim_vm_args args;

	add_vcpu(vm, 0);

	/* A vCPU ioctl before the run loads and puts: no hyp VM yet. */
	expect_hvc_call(.nr = HC(PKVM_VCPU_LOAD), .check = HVC_MOCK_CPU |
			HVC_MOCK_ARGS, .cpu = 1, .arg = { H, 0, 0 });
	will_return_hvc_none();
	expect_hvc_on(1, HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 1, 0), 0);

	assert_int_equal(pkvmsim_vm_hyp_args(vm, &args), 0);
	expect_hvc_arg(HC(PKVM_INIT_VM), 1, args.kvm);
	will_return_hvc(0);
	/* x3 is a freshly allocated area: any value. */
	expect_hvc_call(.nr = HC(PKVM_INIT_VCPU),
			.check = HVC_MOCK_ARG(1) | HVC_MOCK_ARG(2),
			.arg = { H, args.vcpu[0], 0 });
	will_return_hvc(0);
	expect_hvc_call(.nr = HC(PKVM_VCPU_LOAD), .check = HVC_MOCK_CPU |
			HVC_MOCK_ARGS, .cpu = 1, .arg = { H, 0, 0 });
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	assert_true(pkvmsim_vm_is_created(vm));

	/* Later runs only load. */
	expect_hvc_on(1, HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), 0);
	expect_hvc_on(0, HC(PKVM_VCPU_LOAD));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);

	/* Destroy: put, teardown by handle, unshare the vCPU, then kvm. */
	expect_hvc_on(0, HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	expect_hvc_arg(HC(PKVM_TEARDOWN_VM), 1, H);
	will_return_hvc(0);
	expect_unshares(1 + kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

static void init_vm_error_keeps_handle_for_unreserve(void **state)
{
	struct pkvmsim_vm *vm = create_reserved(sim_of(state));

	add_vcpu(vm, 0);
	expect_hvc(HC(PKVM_INIT_VM));
	will_return_hvc(-ENOMEM);
	/* KVM_RUN fails before it loads the vCPU: no load, no put. */
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_int_equal(pkvmsim_vm_handle(vm), H);
	assert_false(pkvmsim_vm_is_created(vm));

	expect_hvc_arg(HC(PKVM_UNRESERVE_VM), 1, H);
	will_return_hvc_none();
	expect_unshares(1 + kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

static void teardown_failure_warns_and_forgets(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm = create_reserved(sim);
	unsigned long warnings = sim->host->nr_warnings;

	add_vcpu(vm, 0);
	expect_hvc(HC(PKVM_INIT_VM));
	will_return_hvc(0);
	expect_hvc(HC(PKVM_INIT_VCPU));
	will_return_hvc(0);
	expect_hvc(HC(PKVM_VCPU_LOAD));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	expect_hvc(HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);

	/* No unreserve after a failed teardown: the host just forgets. */
	expect_hvc_arg(HC(PKVM_TEARDOWN_VM), 1, H);
	will_return_hvc(-EBUSY);
	expect_unshares(1 + kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), -EBUSY);
	assert_int_equal(sim->host->nr_warnings, warnings + 1);
}

/* kvm_call_hyp_nvhe() warns and still evaluates to x1. */
static void refused_reserve_warns(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc_status(PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(pkvmsim_vm_create(sim, 0, &vm), 0);
	assert_int_equal(sim->host->nr_warnings, 1);
	/* x1 came back as sent: 0, so the VM holds no handle. */
	assert_int_equal(pkvmsim_vm_handle(vm), 0);

	expect_unshares(kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

/* Before the series: no reserve at creation; reserve + init at first run. */
static void lazy_reserves_at_first_run(void **state)
{
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	assert_int_equal(pkvmsim_vm_create(sim_of(state), 0, &vm), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), 0);
	add_vcpu(vm, 0);

	/*
	 * Handle 0 in a notifier and in a vCPU ioctl's load before the run;
	 * the first run's own load comes after the reserve and names it.
	 */
	expect_hvc_call(.nr = HC(PKVM_TLB_FLUSH_VMID),
			.check = HVC_MOCK_ARG(1), .arg = { 0 });
	will_return_hvc_none();
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	expect_hvc_call(.nr = HC(PKVM_VCPU_LOAD), .check = HVC_MOCK_ARG(1),
			.arg = { 0 });
	will_return_hvc_none();
	expect_hvc(HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 0, 0), 0);
	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc(H);
	expect_hvc(HC(PKVM_INIT_VM));
	will_return_hvc(0);
	expect_hvc_arg(HC(PKVM_INIT_VCPU), 1, H);
	will_return_hvc(0);
	expect_hvc_arg(HC(PKVM_VCPU_LOAD), 1, H);
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), H);

	expect_hvc(HC(PKVM_VCPU_PUT));
	will_return_hvc_none();
	expect_hvc_arg(HC(PKVM_TEARDOWN_VM), 1, H);
	will_return_hvc(0);
	expect_unshares(1 + kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

static void lazy_init_vm_error_unreserves(void **state)
{
	struct pkvmsim_vm *vm;

	expect_shares(HC(PKVM_HOST_SHARE_HYP), kvm_pages());
	assert_int_equal(pkvmsim_vm_create(sim_of(state), 0, &vm), 0);
	add_vcpu(vm, 0);

	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc(H);
	expect_hvc(HC(PKVM_INIT_VM));
	will_return_hvc(-ENOMEM);
	expect_hvc_arg(HC(PKVM_UNRESERVE_VM), 1, H);
	will_return_hvc_none();
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_int_equal(pkvmsim_vm_handle(vm), 0);

	/* Nothing reserved any more: destroy only unshares. */
	expect_unshares(1 + kvm_pages());
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

/* v3: the reserve is not gated; nVHE shares nothing by hypercall. */
static void v3_nvhe_reserves_ungated(void **state)
{
	struct pkvmsim_vm *vm;

	expect_hvc(HC(PKVM_RESERVE_VM));
	will_return_hvc(-EINVAL);
	assert_int_equal(pkvmsim_vm_create(sim_of(state), 1, &vm), -EINVAL);
}

/* No expectation queued: any hypercall at all fails the test. */
static void vhe_makes_no_hypercall(void **state)
{
	struct pkvmsim_vm *vm;

	assert_int_equal(pkvmsim_vm_create(sim_of(state), 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 1, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MOCK_TEST(create_shares_then_reserves, protected),
		MOCK_TEST(reserve_error_unwinds_creation, protected),
		MOCK_TEST(transport_error_unwinds_creation, protected),
		MOCK_TEST(first_run_inits_vm_and_vcpu_then_loads, protected),
		MOCK_TEST(init_vm_error_keeps_handle_for_unreserve, protected),
		MOCK_TEST(teardown_failure_warns_and_forgets, protected),
		MOCK_TEST(refused_reserve_warns, protected),
		MOCK_TEST(lazy_reserves_at_first_run, lazy),
		MOCK_TEST(lazy_init_vm_error_unreserves, lazy),
		MOCK_TEST(v3_nvhe_reserves_ungated, nvhe_v3),
		MOCK_TEST(vhe_makes_no_hypercall, vhe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
