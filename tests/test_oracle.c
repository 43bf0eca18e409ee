// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle (src/check/oracle.h), driven by hand: each test owns an
 * oracle of its own and shows it raw hypercalls "as host VM n", with the
 * lifecycle events a host would send, so that every invariant can be
 * broken on purpose and seen to be reported:
 *
 * - clean lifecycles (6.18, a failed creation, lazy with a retried first
 *   run, real threads with a hostile CPU) report nothing;
 * - 13: handle 0, another VM's handle, a stale handle, TrustZone messages;
 * - 3 and 10: a reservation never given back, a failed creation that keeps
 *   one, a second give-back, a pKVM hypercall outside pKVM mode (v3 and
 *   6.18 profiles, nVHE and VHE), a teardown that failed with -EBUSY;
 * - 1 and 12: oracle_check_state() against a table that disagrees with a
 *   host VM, and two CPUs holding one vCPU; it waits for quiet;
 * - 2, 4, 5/6, 7, 8, 9, 11: the hypervisor's answer or its effect is
 *   falsified between the call and the exit hook, since the real one
 *   keeps the invariants; an overlapping call suppresses those checks;
 * - the violation log: order, the first 64 kept, the one-line format.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_test.h"
#include "oracle.h"

#define FIRST_HANDLE	0x1000U
#define RESERVE		PKVMSIM_HCALL_PKVM_RESERVE_VM
#define UNRESERVE	PKVMSIM_HCALL_PKVM_UNRESERVE_VM
#define INIT_VM		PKVMSIM_HCALL_PKVM_INIT_VM
#define INIT_VCPU	PKVMSIM_HCALL_PKVM_INIT_VCPU
#define TEARDOWN	PKVMSIM_HCALL_PKVM_TEARDOWN_VM
#define VCPU_LOAD	PKVMSIM_HCALL_PKVM_VCPU_LOAD
#define VCPU_PUT	PKVMSIM_HCALL_PKVM_VCPU_PUT
#define TLB_FLUSH	PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID
#define SHARE_HYP	PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP
#define UNSHARE_HYP	PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP

/* --- fixtures: a simulator and the test's own oracle --- */

struct fix {
	struct pkvmsim		*sim;
	struct oracle		*o;
	struct pkvmsim_config	cfg;
};

static int setup(void **state, enum pkvmsim_mode mode,
		 enum pkvmsim_profile profile, unsigned int nr_cpus)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	pkvmsim_config_init(&f->cfg);
	f->cfg.mode = mode;
	f->cfg.profile = profile;
	f->cfg.nr_cpus = nr_cpus;
	if (pkvmsim_create(&f->cfg, &f->sim)) {
		free(f);
		return -1;
	}
	f->o = oracle_create(&f->cfg);
	if (!f->o) {
		pkvmsim_destroy(f->sim);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_protected(void **state)
{
	return setup(state, PKVMSIM_MODE_PROTECTED, PKVMSIM_PROFILE_6_18,
		     PKVMSIM_DEFAULT_CPUS);
}

static int setup_lazy(void **state)
{
	return setup(state, PKVMSIM_MODE_PROTECTED, PKVMSIM_PROFILE_LAZY,
		     PKVMSIM_DEFAULT_CPUS);
}

static int setup_nvhe_v3(void **state)
{
	return setup(state, PKVMSIM_MODE_NVHE, PKVMSIM_PROFILE_V3,
		     PKVMSIM_DEFAULT_CPUS);
}

static int setup_vhe(void **state)
{
	return setup(state, PKVMSIM_MODE_VHE, PKVMSIM_PROFILE_6_18,
		     PKVMSIM_DEFAULT_CPUS);
}

/* Workers plus one hostile CPU. */
#define T_WORKERS	4

static int setup_threads(void **state)
{
	return setup(state, PKVMSIM_MODE_PROTECTED, PKVMSIM_PROFILE_6_18,
		     T_WORKERS + 1);
}

/* The machine must be clean: every page home, no machine violation. */
static int teardown_clean(void **state)
{
	struct fix *f = *state;
	int ret;

	oracle_destroy(f->o);
	ret = pkvmsim_destroy(f->sim);
	free(f);
	*state = NULL;
	return ret ? -1 : 0;
}

/* For a test whose machine records a violation (a VHE host panic). */
static int teardown_any(void **state)
{
	struct fix *f = *state;

	oracle_destroy(f->o);
	pkvmsim_destroy(f->sim);
	free(f);
	*state = NULL;
	return 0;
}

#define ORACLE_TEST(t)	cmocka_unit_test_setup_teardown(t,		\
				setup_protected, teardown_clean)

/* --- hypercalls shown to the test's oracle --- */

struct call {
	unsigned int		cpu;
	unsigned long		vm;
	struct pkvmsim_regs	in;
	struct pkvmsim_regs	out;
	int			ret;
	/* Tell the oracle the hypervisor answered (its errno is evidence). */
	bool			reached;
};

/*
 * Enter the oracle and make the call; the exit hook waits for done(), so
 * a test can change the answer, or the state, as a broken hypervisor
 * would have left it.
 */
static struct call begin(struct fix *f, unsigned int cpu, unsigned long vm,
			 unsigned long nr, uint64_t a1, uint64_t a2,
			 uint64_t a3)
{
	struct call c = {
		.cpu = cpu,
		.vm = vm,
		.in = { .x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 } },
	};

	oracle_hvc_enter(f->o, (int)cpu, vm, &c.in);
	c.out = c.in;
	c.ret = pkvmsim_hvc(f->sim, cpu, &c.out);
	return c;
}

static void done(struct fix *f, struct call *c)
{
	oracle_hvc_exit(f->o, (int)c->cpu, c->vm, &c->in, &c->out, c->ret,
			c->reached);
}

static struct call hvc(struct fix *f, unsigned int cpu, unsigned long vm,
		       unsigned long nr, uint64_t a1, uint64_t a2,
		       uint64_t a3)
{
	struct call c = begin(f, cpu, vm, nr, a1, a2, a3);

	done(f, &c);
	return c;
}

/* A call that must be delivered and accepted: its (int) result. */
static int hvc_result(struct fix *f, unsigned int cpu, unsigned long vm,
		      unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct call c = hvc(f, cpu, vm, nr, a1, a2, a3);

	assert_int_equal(c.ret, 0);
	assert_int_equal(c.out.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	return (int)c.out.x[1];
}

/* A fabricated call: the oracle sees it enter, nothing else happens. */
static void fake_enter(struct fix *f, unsigned int cpu, struct call *c)
{
	*c = (struct call){
		.cpu = cpu,
		.in = { .x = { PKVMSIM_HVC_ID(TLB_FLUSH), 0, 0, 0 } },
	};
	c->out = c->in;
	oracle_hvc_enter(f->o, (int)cpu, 0, &c->in);
}

/* --- a host VM, as the host model drives the oracle --- */

struct hvm {
	struct test_vm	tv;
	unsigned long	id;
};

static unsigned long pages_for(unsigned long bytes)
{
	return (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
}

static pkvm_handle_t handle_of(struct hvm *h)
{
	return __atomic_load_n(&h->tv.kvm->arch.pkvm.handle,
			       __ATOMIC_RELAXED);
}

/* The host writes these while the oracle may read them: WRITE_ONCE. */
static void set_handle(struct kvm *kvm, pkvm_handle_t handle)
{
	__atomic_store_n(&kvm->arch.pkvm.handle, handle, __ATOMIC_RELAXED);
}

static void set_created(struct kvm *kvm, bool created)
{
	__atomic_store_n(&kvm->arch.pkvm.is_created, created,
			 __ATOMIC_RELAXED);
}

/* Allocate and share, register; nothing reserved yet (lazy). */
static void hvm_alloc(struct fix *f, struct hvm *h, unsigned long id,
		      int nr_vcpus)
{
	test_vm_alloc(f->sim, &h->tv, nr_vcpus);
	h->id = id;
	oracle_vm_register(f->o, id, h->tv.kvm);
}

static int hvm_reserve(struct fix *f, struct hvm *h, unsigned int cpu)
{
	int ret = hvc_result(f, cpu, h->id, RESERVE, 0, 0, 0);

	if (ret > 0)
		set_handle(h->tv.kvm, (pkvm_handle_t)ret);
	return ret;
}

/* kvm_arch_init_vm() of 6.18 in pKVM mode: the handle is reserved. */
static void hvm_create(struct fix *f, struct hvm *h, unsigned long id,
		       int nr_vcpus, unsigned int cpu)
{
	hvm_alloc(f, h, id, nr_vcpus);
	assert_true(hvm_reserve(f, h, cpu) >= (int)FIRST_HANDLE);
	oracle_vm_created(f->o, id, cpu, 0);
}

static int hvm_init_vm(struct fix *f, struct hvm *h, unsigned int cpu)
{
	struct test_vm *tv = &h->tv;
	int ret;

	test_vm_areas_alloc(tv);
	ret = hvc_result(f, cpu, h->id, INIT_VM, (uintptr_t)tv->kvm,
			 (uintptr_t)tv->vm_area, (uintptr_t)tv->pgd);
	if (!test_vm_areas_settle(tv, ret))
		set_created(tv->kvm, true);
	return ret;
}

static int hvm_vcpu_init(struct fix *f, struct hvm *h, int idx,
			 unsigned int cpu)
{
	struct test_vcpu *tvc = &h->tv.vcpus[idx];
	unsigned long pages = pages_for(sizeof(struct pkvm_hyp_vcpu));
	void *area = sim_host_alloc_pages(pages);
	int ret;

	assert_non_null(area);
	ret = hvc_result(f, cpu, h->id, INIT_VCPU, handle_of(h),
			 (uintptr_t)tvc->vcpu, (uintptr_t)area);
	if (ret)
		assert_int_equal(sim_host_free_pages(area, pages), 0);
	else
		tvc->initialised = true;
	return ret;
}

/* The first run of 6.18: the hyp VM, then each hyp vCPU. */
static void hvm_first_run(struct fix *f, struct hvm *h, unsigned int cpu)
{
	int i;

	assert_int_equal(hvm_init_vm(f, h, cpu), 0);
	for (i = 0; i < h->tv.nr_vcpus; i++)
		assert_int_equal(hvm_vcpu_init(f, h, i, cpu), 0);
}

/*
 * kvm_arch_destroy_vm(): teardown if created, else unreserve if reserved;
 * the host forgets the handle either way.  Frees the VM if that worked.
 */
static int hvm_destroy(struct fix *f, struct hvm *h, unsigned int cpu)
{
	pkvm_handle_t handle = handle_of(h);
	int ret = 0;

	if (h->tv.created) {
		ret = hvc_result(f, cpu, h->id, TEARDOWN, handle, 0, 0);
		if (!ret)
			test_vm_reclaim(&h->tv);
	} else if (handle) {
		hvc(f, cpu, h->id, UNRESERVE, handle, 0, 0);
	}
	set_handle(h->tv.kvm, 0);
	set_created(h->tv.kvm, false);
	oracle_vm_destroyed(f->o, h->id, cpu, ret);
	if (!ret)
		test_vm_free(f->sim, &h->tv, cpu);
	return ret;
}

/* --- what the oracle recorded --- */

#define MAX_SEEN	64

struct seen {
	unsigned int			n;
	struct pkvmsim_violation	v[MAX_SEEN];
};

static struct seen seen_of(struct fix *f)
{
	struct seen s;

	s.n = oracle_get(f->o, s.v, MAX_SEEN);
	assert_int_equal(s.n, oracle_count(f->o));
	return s;
}

/* Exactly @n violations so far, all of invariant @inv. */
static struct seen expect_only(struct fix *f, unsigned int n,
			       unsigned int inv)
{
	struct seen s = seen_of(f);
	bool as_expected = s.n == n;
	unsigned int i;

	for (i = 0; i < s.n; i++)
		as_expected &= s.v[i].invariant == inv;
	for (i = 0; !as_expected && i < s.n; i++) {
		char line[320];

		oracle_format(&s.v[i], line, sizeof(line));
		print_message("  %s\n", line);
	}
	assert_int_equal(s.n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(s.v[i].invariant, inv);
	return s;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void expect_clean(struct fix *f)
{
	expect_only(f, 0, 0);
}

/* --- clean lifecycles --- */

static void clean_lifecycle_reports_nothing(void **state)
{
	unsigned long judged, states, judged_now, states_now;
	struct fix *f = *state;
	struct pkvmsim_report *rep;
	struct hvm h;
	struct call c;
	pkvm_handle_t handle;

	hvm_create(f, &h, 1, 2, 0);
	handle = handle_of(&h);
	assert_int_equal(handle, FIRST_HANDLE);
	oracle_tz_message(f->o, 0, 1, handle, "tz_vm_created");
	hvc(f, 1, 1, TLB_FLUSH, handle, 0, 0);	/* before the first run */
	hvm_first_run(f, &h, 1);
	assert_int_equal(slot_state_of(handle), SLOT_LIVE);

	hvc(f, 1, 1, VCPU_LOAD, handle, 0, 0);
	hvc(f, 2, 1, VCPU_LOAD, handle, 1, 0);
	assert_int_equal(hyp_vm_refs(handle), 2);
	oracle_checked(f->o, &judged, &states);
	hvc(f, 3, 1, TLB_FLUSH, handle, 0, 0);
	/* Two vCPUs loaded, two references: as it should be. */
	assert_true(oracle_check_state(f->o));
	/* One answer judged, one whole state checked. */
	oracle_checked(f->o, &judged_now, &states_now);
	assert_int_equal(judged_now, judged + 1);
	assert_int_equal(states_now, states + 1);
	/* A call made while another is in flight is not judged alone. */
	c = begin(f, 1, 1, TLB_FLUSH, handle, 0, 0);
	hvc(f, 2, 1, TLB_FLUSH, handle, 0, 0);
	done(f, &c);
	oracle_checked(f->o, &judged, &states);
	assert_int_equal(judged, judged_now);
	hvc(f, 1, 1, VCPU_PUT, 0, 0, 0);
	hvc(f, 2, 1, VCPU_PUT, 0, 0, 0);
	assert_true(oracle_check_state(f->o));

	oracle_tz_message(f->o, 0, 1, handle, "tz_vm_destroyed");
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(slot_state_of(handle), SLOT_FREE);
	assert_true(oracle_check_state(f->o));
	expect_clean(f);

	/* The machine's own oracle judged the raw calls as they went by. */
	rep = calloc(1, sizeof(*rep));
	assert_non_null(rep);
	assert_int_equal(pkvmsim_check(f->sim, rep), 0);
	assert_true(rep->nr_judged > 0);
	free(rep);
}

/* A creation that fails after the reserve gives it back: nothing left. */
static void failed_creation_and_handle_reuse_report_nothing(void **state)
{
	struct fix *f = *state;
	struct hvm a, b;

	hvm_alloc(f, &a, 1, 1);
	assert_int_equal(hvm_reserve(f, &a, 0), FIRST_HANDLE);
	hvc(f, 0, 1, UNRESERVE, FIRST_HANDLE, 0, 0);
	set_handle(a.tv.kvm, 0);
	oracle_vm_created(f->o, 1, 0, -ENOMEM);
	test_vm_free(f->sim, &a.tv, 0);

	/* Handles are reused, lowest first; VM 1 is forgotten. */
	hvm_create(f, &b, 2, 1, 1);
	assert_int_equal(handle_of(&b), FIRST_HANDLE);
	hvc(f, 1, 2, TLB_FLUSH, FIRST_HANDLE, 0, 0);
	assert_true(oracle_check_state(f->o));
	assert_int_equal(hvm_destroy(f, &b, 1), 0);
	expect_clean(f);
}

/*
 * lazy: no handle at creation; the first run reserves and initialises, and
 * a failed init gives the reservation back so the retry reserves afresh.
 */
static void lazy_retried_first_run_reports_nothing(void **state)
{
	struct fix *f = *state;
	struct hvm h;

	hvm_alloc(f, &h, 1, 1);
	oracle_vm_created(f->o, 1, 0, 0);
	assert_true(oracle_check_state(f->o));

	/* First attempt: init_vm refuses a VM with no vCPU (-EINVAL). */
	h.tv.kvm->created_vcpus = 0;
	assert_int_equal(hvm_reserve(f, &h, 0), FIRST_HANDLE);
	assert_int_equal(hvm_init_vm(f, &h, 0), -EINVAL);
	hvc(f, 0, 1, UNRESERVE, FIRST_HANDLE, 0, 0);
	set_handle(h.tv.kvm, 0);
	assert_true(oracle_check_state(f->o));

	h.tv.kvm->created_vcpus = 1;
	assert_int_equal(hvm_reserve(f, &h, 0), FIRST_HANDLE);
	hvm_first_run(f, &h, 0);
	assert_true(oracle_check_state(f->o));
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	expect_clean(f);
}

/* --- invariant 13: every call about a VM names that VM --- */

static void flush_with_handle_0_is_13(void **state)
{
	struct fix *f = *state;
	struct seen s;
	struct hvm h;
	char line[320];

	hvm_create(f, &h, 2, 1, 0);
	hvc(f, 1, 2, TLB_FLUSH, 0, 0, 0);

	s = expect_only(f, 1, 13);
	assert_int_equal(s.v[0].vm, 2);
	assert_int_equal(s.v[0].handle, 0);
	assert_int_equal(s.v[0].cpu, 1);
	assert_string_equal(s.v[0].op, "__pkvm_tlb_flush_vmid");
	oracle_format(&s.v[0], line, sizeof(line));
	assert_string_equal(line, "invariant 13 (vm 2, handle 0x0, cpu 1, "
			    "__pkvm_tlb_flush_vmid): names no VM: handle 0");

	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(oracle_count(f->o), 1);
}

/* DECLARE_REG truncates: x1 = 1 << 32 names handle 0 as well. */
static void truncated_handle_0_is_13(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvc(f, 0, 1, VCPU_LOAD, 1ULL << 32, 0, 0);
	s = expect_only(f, 1, 13);
	assert_string_equal(s.v[0].op, "__pkvm_vcpu_load");
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
}

static void another_vms_handle_is_13(void **state)
{
	struct fix *f = *state;
	struct hvm a, b;
	struct seen s;

	hvm_create(f, &a, 1, 1, 0);
	hvm_create(f, &b, 2, 1, 0);
	assert_int_equal(handle_of(&b), FIRST_HANDLE + 1);

	hvc(f, 1, 2, TLB_FLUSH, handle_of(&a), 0, 0);
	s = expect_only(f, 1, 13);
	assert_int_equal(s.v[0].vm, 2);
	assert_int_equal(s.v[0].handle, FIRST_HANDLE);
	assert_contains(s.v[0].what, "which VM 1 holds");

	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
	assert_int_equal(oracle_count(f->o), 1);
}

/* A handle nobody holds is still not the VM's own. */
static void stale_handle_is_13(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvm_first_run(f, &h, 0);
	hvc(f, 0, 1, TLB_FLUSH, FIRST_HANDLE + 5, 0, 0);
	s = expect_only(f, 1, 13);
	assert_contains(s.v[0].what, "not its own (0x1000)");
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
}

/* lazy: vcpu_load is sent on every load, also before the handle exists. */
static void lazy_load_before_first_run_is_13(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_alloc(f, &h, 1, 1);
	oracle_vm_created(f->o, 1, 0, 0);
	hvc(f, 2, 1, VCPU_LOAD, handle_of(&h), 0, 0);
	s = expect_only(f, 1, 13);
	assert_string_equal(s.v[0].op, "__pkvm_vcpu_load");
	assert_int_equal(s.v[0].cpu, 2);
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(oracle_count(f->o), 1);
}

static void tz_message_names_the_vm(void **state)
{
	struct fix *f = *state;
	struct hvm a, b;
	struct seen s;

	hvm_create(f, &a, 1, 1, 0);
	hvm_create(f, &b, 2, 1, 0);
	oracle_tz_message(f->o, 0, 1, handle_of(&a), "tz_vm_created");
	expect_clean(f);

	oracle_tz_message(f->o, 0, 1, 0, "tz_vm_created");
	oracle_tz_message(f->o, 0, 1, handle_of(&b), "tz_vm_destroyed");
	s = expect_only(f, 2, 13);
	assert_string_equal(s.v[0].op, "tz_vm_created");
	assert_contains(s.v[0].what, "handle 0");
	assert_string_equal(s.v[1].op, "tz_vm_destroyed");
	assert_contains(s.v[1].what, "which VM 2 holds");

	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
}

/* --- invariants 3 and 10: the balance of reservations --- */

static void destroy_without_unreserve_is_3(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	/* A host that forgets pkvm_destroy_hyp_vm()'s unreserve. */
	set_handle(h.tv.kvm, 0);
	oracle_vm_destroyed(f->o, 1, 0, 0);
	s = expect_only(f, 1, 3);
	assert_int_equal(s.v[0].handle, FIRST_HANDLE);
	assert_string_equal(s.v[0].op, "kvm_arch_destroy_vm");
	assert_contains(s.v[0].what, "neither unreserved nor torn down");

	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	test_vm_free(f->sim, &h.tv, 0);
}

static void failed_creation_keeping_reservation_is_3(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_alloc(f, &h, 1, 1);
	assert_int_equal(hvm_reserve(f, &h, 0), FIRST_HANDLE);
	oracle_vm_created(f->o, 1, 0, -ENOMEM);
	s = expect_only(f, 2, 3);
	assert_string_equal(s.v[0].op, "kvm_arch_init_vm");
	assert_contains(s.v[0].what, "never unreserved");
	assert_contains(s.v[1].what, "host handle is still 0x1000");

	/* Forgotten: its later calls are not about a VM the oracle knows. */
	hvc(f, 0, 1, TLB_FLUSH, 0, 0, 0);
	assert_int_equal(oracle_count(f->o), 2);
	test_vm_free(f->sim, &h.tv, 0);
}

static void second_give_back_is_3(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvc(f, 0, 1, UNRESERVE, FIRST_HANDLE, 0, 0);
	hvc(f, 0, 1, UNRESERVE, FIRST_HANDLE, 0, 0);
	s = expect_only(f, 1, 3);
	assert_contains(s.v[0].what, "a second time (after unreserve)");

	set_handle(h.tv.kvm, 0);
	oracle_vm_destroyed(f->o, 1, 0, 0);
	assert_int_equal(oracle_count(f->o), 1);
	test_vm_free(f->sim, &h.tv, 0);
}

static void second_reserve_is_10(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	assert_int_equal(hvm_reserve(f, &h, 0), FIRST_HANDLE + 1);
	s = expect_only(f, 1, 10);
	assert_contains(s.v[0].what, "0x1000 is outstanding");

	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(oracle_count(f->o), 1);
}

/* v3: the reserve is made in every mode, and nVHE has no table. */
static void pkvm_hypercall_in_nvhe_is_3(void **state)
{
	struct fix *f = *state;
	struct pkvmsim_config cfg = f->cfg;
	struct oracle *o618;
	struct kvm *kvm = sim_host_alloc_pages(1);
	struct seen s;

	assert_non_null(kvm);
	oracle_vm_register(f->o, 1, kvm);
	assert_int_equal(hvc_result(f, 0, 1, RESERVE, 0, 0, 0), -EINVAL);
	oracle_vm_created(f->o, 1, 0, -EINVAL);
	s = expect_only(f, 1, 3);
	assert_string_equal(s.v[0].op, "__pkvm_reserve_vm");
	assert_contains(s.v[0].what, "nvhe mode");
	assert_contains(s.v[0].what, "profile v3");
	assert_contains(s.v[0].what, "not gated");

	/* Raw calls and non-pKVM calls about a VM are not the host's. */
	hvc(f, 0, 0, RESERVE, 0, 0, 0);
	oracle_vm_register(f->o, 2, kvm);
	hvc(f, 0, 2, PKVMSIM_HCALL_KVM_TLB_FLUSH_VMID, 0, 0, 0);
	assert_int_equal(oracle_count(f->o), 1);
	oracle_vm_destroyed(f->o, 2, 0, 0);

	/* 6.18 gates the reserve; any pKVM call about a VM is still wrong. */
	cfg.profile = PKVMSIM_PROFILE_6_18;
	o618 = oracle_create(&cfg);
	assert_non_null(o618);
	oracle_vm_register(o618, 1, kvm);
	oracle_hvc_enter(o618, 1, 1, &(struct pkvmsim_regs){
		.x = { PKVMSIM_HVC_ID(VCPU_PUT) } });
	assert_int_equal(oracle_count(o618), 1);
	assert_int_equal(oracle_get(o618, s.v, 1), 1);
	assert_int_equal(s.v[0].invariant, 3);
	assert_contains(s.v[0].what, "profile 6.18)");
	oracle_destroy(o618);

	assert_int_equal(sim_host_free_pages(kvm, 1), 0);
}

/* VHE: the reserve panics the host; the machine refuses it (-EFAULT). */
static void pkvm_hypercall_in_vhe_is_3(void **state)
{
	struct fix *f = *state;
	struct kvm *kvm = sim_host_alloc_pages(1);
	struct call c;
	struct seen s;

	assert_non_null(kvm);
	oracle_vm_register(f->o, 1, kvm);
	c = hvc(f, 0, 1, RESERVE, 0, 0, 0);
	assert_int_equal(c.ret, -EFAULT);
	oracle_vm_created(f->o, 1, 0, -EFAULT);
	s = expect_only(f, 1, 3);
	assert_contains(s.v[0].what, "vhe mode");
	assert_int_equal(sim_host_free_pages(kvm, 1), 0);
}

/* A teardown refused for a loaded vCPU leaks the slot: reported. */
static void busy_teardown_is_reported_at_destroy(void **state)
{
	struct fix *f = *state;
	pkvm_handle_t handle;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvm_first_run(f, &h, 0);
	handle = handle_of(&h);
	hvc(f, 1, 1, VCPU_LOAD, handle, 0, 0);
	assert_true(oracle_check_state(f->o));
	expect_clean(f);

	assert_int_equal(hvm_destroy(f, &h, 0), -EBUSY);
	s = expect_only(f, 1, 3);
	assert_int_equal(s.v[0].handle, handle);
	assert_contains(s.v[0].what, "-EBUSY");
	assert_contains(s.v[0].what, "by design");
	assert_int_equal(slot_state_of(handle), SLOT_LIVE);

	/* Clean up behind the host's back. */
	sim_hvc(f->sim, 1, VCPU_PUT, 0, 0, 0);
	assert_int_equal(sim_hvc(f->sim, 0, TEARDOWN, handle, 0, 0), 0);
	test_vm_reclaim(&h.tv);
	test_vm_free(f->sim, &h.tv, 0);
	assert_int_equal(oracle_count(f->o), 1);
}

/* --- PKVMSIM_CHECK_END: the whole state, only when asked --- */

static void check_end_judges_only_the_state(void **state)
{
	struct fix *f = *state;
	unsigned long judged, states;
	struct pkvmsim_config cfg = f->cfg;
	struct oracle *end;
	struct hvm a;
	struct seen s;

	/* The test's own oracle, swapped for one that checks at the end. */
	cfg.check = PKVMSIM_CHECK_END;
	end = oracle_create(&cfg);
	assert_non_null(end);
	oracle_destroy(f->o);
	f->o = end;

	hvm_create(f, &a, 1, 1, 0);
	oracle_host_op_done(f->o);
	oracle_checked(f->o, &judged, &states);
	assert_int_equal(judged, 0);
	assert_int_equal(states, 0);

	/* The host's handle of VM 1 goes wrong... */
	set_handle(a.tv.kvm, FIRST_HANDLE + 7);
	oracle_host_op_done(f->o);
	assert_int_equal(oracle_count(f->o), 0);
	/* ...and the check at the end finds it. */
	oracle_check_end(f->o);
	s = expect_only(f, 1, 1);
	assert_contains(s.v[0].what, "not the one the VM reserved (0x1000)");
	oracle_checked(f->o, &judged, &states);
	assert_int_equal(judged, 0);
	assert_int_equal(states, 1);
	set_handle(a.tv.kvm, FIRST_HANDLE);
	assert_int_equal(hvm_destroy(f, &a, 0), 0);
}

/* The machine's own oracle at the end level; a level it does not know. */
static void check_end_in_the_machine(void **state)
{
	struct pkvmsim_config cfg;
	struct pkvmsim_report *rep;
	struct pkvmsim *sim;

	(void)state;
	rep = calloc(1, sizeof(*rep));
	assert_non_null(rep);
	pkvmsim_config_init(&cfg);
	cfg.check = PKVMSIM_CHECK_NR;
	assert_int_equal(pkvmsim_create(&cfg, &sim), -EINVAL);

	cfg.check = PKVMSIM_CHECK_END;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	sim_hvc(sim, 0, RESERVE, 0, 0, 0);
	sim_hvc(sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	assert_int_equal(pkvmsim_check(sim, rep), 0);
	assert_int_equal(rep->nr_judged, 0);
	assert_int_equal(rep->nr_state_checks, 1);
	assert_int_equal(pkvmsim_destroy(sim), 0);

	/* The same calls, checked as they go by. */
	cfg.check = PKVMSIM_CHECK_CALLS;
	assert_int_equal(pkvmsim_create(&cfg, &sim), 0);
	sim_hvc(sim, 0, RESERVE, 0, 0, 0);
	sim_hvc(sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	assert_int_equal(pkvmsim_check(sim, rep), 0);
	assert_int_equal(rep->nr_judged, 2);
	assert_int_equal(pkvmsim_destroy(sim), 0);
	free(rep);
}

/* --- invariants 1 and 12: the whole state, with nothing in flight --- */

static void check_state_finds_table_against_host_vm_1(void **state)
{
	struct fix *f = *state;
	struct hvm a, b;
	struct seen s;

	hvm_create(f, &a, 1, 1, 0);
	hvm_create(f, &b, 2, 1, 0);
	assert_true(oracle_check_state(f->o));
	expect_clean(f);

	/* Someone the oracle does not see frees VM 1's reservation. */
	sim_hvc(f->sim, 3, UNRESERVE, FIRST_HANDLE, 0, 0);
	assert_true(oracle_check_state(f->o));
	s = expect_only(f, 1, 1);
	assert_int_equal(s.v[0].vm, 1);
	assert_string_equal(s.v[0].op, "check");
	assert_contains(s.v[0].what, "holds 0x1000 (reserved) but its slot "
			"is FREE");
	/* A standing fault is reported once. */
	assert_true(oracle_check_state(f->o));
	assert_int_equal(oracle_count(f->o), 1);

	/* The host's handle of VM 2 goes wrong. */
	set_handle(b.tv.kvm, FIRST_HANDLE + 7);
	assert_true(oracle_check_state(f->o));
	s = expect_only(f, 2, 1);
	assert_int_equal(s.v[1].vm, 2);
	assert_contains(s.v[1].what, "not the one the VM reserved (0x1001)");
	set_handle(b.tv.kvm, FIRST_HANDLE + 1);

	/* The host's unreserve finds the slot FREE: harmless, balanced. */
	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
	assert_int_equal(oracle_count(f->o), 2);
}

static void check_state_waits_for_quiet(void **state)
{
	struct fix *f = *state;
	struct call c;

	fake_enter(f, 2, &c);
	assert_false(oracle_check_state(f->o));
	done(f, &c);
	assert_true(oracle_check_state(f->o));
	expect_clean(f);
}

static void check_state_finds_shared_loaded_vcpu_12(void **state)
{
	struct fix *f = *state;
	struct pkvm_hyp_vcpu *saved;
	struct hvm h;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvm_first_run(f, &h, 0);
	hvc(f, 0, 1, VCPU_LOAD, handle_of(&h), 0, 0);
	assert_non_null(loaded_hyp_vcpu[0]);

	saved = loaded_hyp_vcpu[1];
	loaded_hyp_vcpu[1] = loaded_hyp_vcpu[0];
	assert_true(oracle_check_state(f->o));
	loaded_hyp_vcpu[1] = saved;
	s = seen_of(f);
	assert_true(s.n >= 1);
	assert_int_equal(s.v[0].invariant, 12);
	assert_int_equal(s.v[0].cpu, 1);
	assert_contains(s.v[0].what, "CPUs 0 and 1 hold the same vCPU");

	hvc(f, 0, 1, VCPU_PUT, 0, 0, 0);
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(oracle_count(f->o), s.n);
}

/* --- the hypervisor's side, with its effect falsified --- */

/* Invariant 2: a handle above a FREE slot. */
static void reserve_above_a_free_slot_is_2(void **state)
{
	struct fix *f = *state;
	struct call c;
	struct seen s;

	c = begin(f, 0, 0, RESERVE, 0, 0, 0);
	assert_int_equal(c.out.x[1], FIRST_HANDLE);
	c.out.x[1] = FIRST_HANDLE + 1;
	done(f, &c);
	s = seen_of(f);
	assert_true(s.n >= 1);
	assert_int_equal(s.v[0].invariant, 2);
	assert_int_equal(s.v[s.n - 1].invariant, 2);
	assert_contains(s.v[s.n - 1].what, "lower slot 0x1000 was FREE");

	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
}

/*
 * The same falsified reserve, overlapped by another call (in flight before
 * it, or entering during it), is not judged: the order is unknown.
 */
static void overlap_suppresses_order_checks(void **state)
{
	struct fix *f = *state;
	struct call c, other;

	fake_enter(f, 3, &other);
	c = begin(f, 0, 0, RESERVE, 0, 0, 0);
	c.out.x[1] = FIRST_HANDLE + 1;
	done(f, &c);
	done(f, &other);
	expect_clean(f);
	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);

	c = begin(f, 0, 0, RESERVE, 0, 0, 0);
	fake_enter(f, 3, &other);
	c.out.x[1] = FIRST_HANDLE + 1;
	done(f, &c);
	done(f, &other);
	expect_clean(f);
	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);

	/* Alone again, the same lie is caught. */
	c = begin(f, 0, 0, RESERVE, 0, 0, 0);
	c.out.x[1] = FIRST_HANDLE + 1;
	done(f, &c);
	assert_true(oracle_count(f->o) >= 1);
	sim_hvc(f->sim, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
}

/*
 * An answer that changed nothing may come from above the hypervisor (a
 * fault injector, a mock): not judged by its errno.
 */
static void injected_answers_are_not_judged(void **state)
{
	struct fix *f = *state;
	struct call c;

	/* -ENOMEM with 255 slots free, as an injector would answer. */
	c = (struct call){ .in = { .x = { PKVMSIM_HVC_ID(RESERVE) } } };
	oracle_hvc_enter(f->o, 0, 0, &c.in);
	c.out.x[0] = PKVMSIM_SMCCC_RET_SUCCESS;
	c.out.x[1] = (uint64_t)-ENOMEM;
	done(f, &c);
	/* A mock's handle that the table never saw. */
	c.out.x[1] = FIRST_HANDLE + 9;
	oracle_hvc_enter(f->o, 0, 0, &c.in);
	done(f, &c);
	expect_clean(f);
}

static void unreserve_of_live_slot_is_4(void **state)
{
	struct fix *f = *state;
	struct pkvm_hyp_vm *vm;
	struct hvm h;
	struct call c;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvm_first_run(f, &h, 0);
	/* The real unreserve ignores a LIVE slot. */
	hvc(f, 1, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	expect_clean(f);

	c = begin(f, 1, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	vm = vm_table[0];
	vm_table[0] = NULL;
	done(f, &c);
	vm_table[0] = vm;
	s = expect_only(f, 1, 4);
	assert_int_equal(s.v[0].handle, FIRST_HANDLE);
	assert_contains(s.v[0].what, "LIVE -> FREE");

	assert_int_equal(hvm_destroy(f, &h, 0), 0);
}

/* Invariant 7 on a RESERVED slot, 8 with a vCPU loaded. */
/*
 * When the hypervisor itself answered, the answer's errno is evidence:
 * an unreserve that leaves its RESERVED slot alone (4), a -ENOMEM with a
 * FREE slot (2), a lookup of a RESERVED slot that is not -ENOENT (7), a
 * teardown under references that is not -EBUSY (8).  The same answers
 * from a decorator are not judged (injected_answers_are_not_judged).
 */
static void hyp_answers_are_judged_by_errno(void **state)
{
	struct fix *f = *state;
	struct call c;
	struct seen s;
	struct hvm a, b;

	hvm_create(f, &a, 1, 1, 0);
	c = begin(f, 1, 0, UNRESERVE, FIRST_HANDLE, 0, 0);
	c.reached = true;
	vm_table[0] = SIM_RESERVED_ENTRY;	/* as if it never freed it */
	done(f, &c);
	s = expect_only(f, 1, 4);
	assert_contains(s.v[0].what, "left RESERVED slot 0x1000 RESERVED");

	c = begin(f, 0, 0, RESERVE, 0, 0, 0);
	assert_int_equal(c.out.x[1], FIRST_HANDLE + 1);
	vm_table[1] = NULL;
	c.out.x[1] = (uint64_t)-ENOMEM;
	c.reached = true;
	done(f, &c);
	s = seen_of(f);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[1].invariant, 2);
	assert_contains(s.v[1].what, "-ENOMEM while slot 0x1001 was FREE");

	c = begin(f, 0, 0, TEARDOWN, FIRST_HANDLE, 0, 0);
	assert_int_equal((int)c.out.x[1], -ENOENT);
	c.out.x[1] = (uint64_t)-EINVAL;
	c.reached = true;
	done(f, &c);
	s = seen_of(f);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.v[2].invariant, 7);
	assert_contains(s.v[2].what, "not -ENOENT");

	hvm_create(f, &b, 2, 1, 0);
	hvm_first_run(f, &b, 0);
	hvc(f, 1, 2, VCPU_LOAD, handle_of(&b), 0, 0);
	c = begin(f, 0, 0, TEARDOWN, handle_of(&b), 0, 0);
	assert_int_equal((int)c.out.x[1], -EBUSY);
	c.out.x[1] = (uint64_t)-ENOENT;
	c.reached = true;
	done(f, &c);
	s = seen_of(f);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.v[3].invariant, 8);
	assert_contains(s.v[3].what, "not -EBUSY");

	/* The same answers, true ones: nothing more. */
	c = begin(f, 0, 0, TEARDOWN, handle_of(&b), 0, 0);
	c.reached = true;
	done(f, &c);
	hvc(f, 1, 2, VCPU_PUT, 0, 0, 0);
	assert_int_equal(oracle_count(f->o), 4);
	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
}

/*
 * SPEC 3: init_vcpu takes its area before it looks the handle up, so on a
 * RESERVED handle an area the host cannot donate answers -ENOMEM, which
 * is right and no invariant 7.  An area that can be donated answers
 * -ENOENT, and the area comes back.
 */
static void init_vcpu_on_reserved_without_pages_is_enomem(void **state)
{
	struct fix *f = *state;
	struct test_vcpu *tvc;
	struct call c;
	struct hvm a;

	hvm_create(f, &a, 1, 1, 0);
	tvc = &a.tv.vcpus[0];

	/* The host's own struct kvm page is shared, not the host's to give. */
	c = begin(f, 0, 1, INIT_VCPU, handle_of(&a), (uintptr_t)tvc->vcpu,
		  (uintptr_t)a.tv.kvm);
	assert_int_equal(c.ret, 0);
	assert_int_equal((int)c.out.x[1], -ENOMEM);
	c.reached = true;
	done(f, &c);
	assert_int_equal(hvm_vcpu_init(f, &a, 0, 0), -ENOENT);
	expect_clean(f);

	assert_int_equal(hvm_destroy(f, &a, 0), 0);
}

static void teardown_of_reserved_7_and_referenced_8(void **state)
{
	struct fix *f = *state;
	struct pkvm_hyp_vm *vm;
	struct hvm a, b;
	struct call c;
	struct seen s;

	hvm_create(f, &a, 1, 1, 0);
	assert_int_equal(hvc_result(f, 0, 0, TEARDOWN, FIRST_HANDLE, 0, 0),
			 -ENOENT);
	expect_clean(f);
	c = begin(f, 0, 0, TEARDOWN, FIRST_HANDLE, 0, 0);
	vm_table[0] = NULL;
	c.out.x[1] = 0;
	done(f, &c);
	vm_table[0] = SIM_RESERVED_ENTRY;
	s = expect_only(f, 1, 7);
	assert_contains(s.v[0].what, "RESERVED -> FREE");

	hvm_create(f, &b, 2, 1, 0);
	hvm_first_run(f, &b, 0);
	hvc(f, 1, 2, VCPU_LOAD, handle_of(&b), 0, 0);
	c = begin(f, 0, 0, TEARDOWN, handle_of(&b), 0, 0);
	assert_int_equal((int)c.out.x[1], -EBUSY);
	vm = vm_table[1];
	vm_table[1] = NULL;
	c.out.x[1] = 0;
	done(f, &c);
	vm_table[1] = vm;
	s = seen_of(f);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[1].invariant, 8);
	assert_int_equal(s.v[1].handle, FIRST_HANDLE + 1);

	hvc(f, 1, 2, VCPU_PUT, 0, 0, 0);
	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
	assert_int_equal(oracle_count(f->o), 2);
}

/* Donate fresh areas for VM @h and begin its init_vm. */
static struct call begin_init_vm(struct fix *f, struct hvm *h,
				 unsigned int cpu)
{
	struct test_vm *tv = &h->tv;

	test_vm_areas_alloc(tv);
	return begin(f, cpu, h->id, INIT_VM, (uintptr_t)tv->kvm,
		     (uintptr_t)tv->vm_area, (uintptr_t)tv->pgd);
}

/* The hypervisor kept the areas: the host marks the VM created. */
static void init_vm_kept(struct hvm *h)
{
	h->tv.created = true;
	h->tv.vm_area = NULL;
	h->tv.pgd = NULL;
	set_created(h->tv.kvm, true);
}

/* Invariant 5: a success must be the host's own slot going LIVE. */
static void init_vm_into_another_slot_is_5(void **state)
{
	struct fix *f = *state;
	struct pkvm_hyp_vm *vm;
	struct hvm h;
	struct call c;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	c = begin_init_vm(f, &h, 0);
	assert_int_equal(c.out.x[1], 0);
	vm = vm_table[0];
	vm_table[0] = SIM_RESERVED_ENTRY;
	vm_table[2] = vm;
	done(f, &c);
	vm_table[2] = NULL;
	vm_table[0] = vm;
	init_vm_kept(&h);

	s = expect_only(f, 2, 5);
	assert_contains(s.v[0].what, "changed slot 0x1002: FREE -> LIVE");
	assert_contains(s.v[1].what, "slot 0x1000 is RESERVED");
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
	assert_int_equal(oracle_count(f->o), 2);
}

/*
 * Invariant 6: a failed init_vm leaves the slot, the pins and the donated
 * pages as they were.  The real failure does; a success passed off as a
 * failure does not.
 */
static void init_vm_failure_must_leave_nothing_6(void **state)
{
	struct fix *f = *state;
	struct hvm a, b;
	struct call c;
	struct seen s;
	unsigned int i;

	hvm_create(f, &a, 1, 1, 0);
	hvm_first_run(f, &a, 0);
	assert_int_equal(hvm_init_vm(f, &a, 0), -EINVAL);
	expect_clean(f);

	hvm_create(f, &b, 2, 1, 0);
	c = begin_init_vm(f, &b, 0);
	assert_int_equal(c.out.x[1], 0);
	c.out.x[1] = (uint64_t)-EINVAL;
	done(f, &c);
	init_vm_kept(&b);

	/* The slot, the kvm pin, the VM area page and both PGD pages. */
	s = expect_only(f, 5, 6);
	assert_contains(s.v[0].what, "changed slot 0x1001: RESERVED -> LIVE");
	assert_contains(s.v[1].what, "has 1 pins, 0 before");
	for (i = 2; i < 5; i++)
		assert_contains(s.v[i].what, "host NOPAGE, hyp OWNED");

	assert_int_equal(hvm_destroy(f, &a, 0), 0);
	assert_int_equal(hvm_destroy(f, &b, 0), 0);
	assert_int_equal(oracle_count(f->o), 5);
}

/* Invariant 11: one successful init_vm per reservation. */
static void second_successful_init_is_11(void **state)
{
	struct fix *f = *state;
	struct hvm h;
	struct call c;
	struct seen s;

	hvm_create(f, &h, 1, 1, 0);
	hvm_first_run(f, &h, 0);
	c = begin_init_vm(f, &h, 1);
	assert_int_equal((int)c.out.x[1], -EINVAL);
	c.out.x[1] = 0;
	done(f, &c);
	assert_int_equal(sim_host_free_pages(h.tv.vm_area, h.tv.vm_pages), 0);
	assert_int_equal(sim_host_free_pages(h.tv.pgd, h.tv.pgd_pages), 0);

	s = expect_only(f, 1, 11);
	assert_int_equal(s.v[0].cpu, 1);
	assert_contains(s.v[0].what, "second successful init_vm");
	assert_int_equal(hvm_destroy(f, &h, 0), 0);
}

/* Invariant 9: after a teardown every pin is gone. */
static void teardown_leaving_a_pin_is_9(void **state)
{
	struct fix *f = *state;
	struct hyp_page *page;
	struct hvm h;
	struct call c;
	struct seen s;

	hvm_create(f, &h, 1, 2, 0);
	hvm_first_run(f, &h, 0);
	c = begin(f, 0, 1, TEARDOWN, handle_of(&h), 0, 0);
	assert_int_equal(c.out.x[1], 0);
	page = hyp_virt_to_page(kern_hyp_va(h.tv.vcpus[1].vcpu));
	hyp_page_ref_inc(page);
	done(f, &c);
	hyp_page_ref_dec(page);
	s = expect_only(f, 1, 9);
	assert_contains(s.v[0].what, "has 1 pins after teardown, expected 0");

	test_vm_reclaim(&h.tv);
	set_handle(h.tv.kvm, 0);
	set_created(h.tv.kvm, false);
	oracle_vm_destroyed(f->o, 1, 0, 0);
	test_vm_free(f->sim, &h.tv, 0);
	assert_int_equal(oracle_count(f->o), 1);
}

/* --- real threads: host VMs on every CPU and a hostile one --- */

#define T_LIFECYCLES	40
#define T_HOSTILE_OPS	4000

struct t_worker {
	struct fix	*f;
	unsigned int	cpu;
	unsigned int	done;
	unsigned int	bad;
};

struct t_hostile {
	struct fix	*f;
	unsigned int	cpu;
	uint64_t	seed;
	bool		stop;
};

/* No CMocka assert off the main thread: INT64_MIN for "not accepted". */
static int64_t t_call(struct fix *f, unsigned int cpu, unsigned long vm,
		      unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct call c = hvc(f, cpu, vm, nr, a1, a2, a3);

	if (c.ret || c.out.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		return INT64_MIN;
	return (int)c.out.x[1];
}

static void *t_alloc(unsigned long nr)
{
	return sim_host_alloc_pages(nr);
}

/* One whole 6.18 lifecycle of VM @id; every hypercall shown to @f->o. */
static bool t_lifecycle(struct t_worker *w, unsigned long id)
{
	unsigned long vm_pages = pages_for(pkvm_get_hyp_vm_size(1));
	struct fix *f = w->f;
	unsigned int cpu = w->cpu;
	struct kvm *kvm = t_alloc(1);
	struct kvm_vcpu *vcpu = t_alloc(1);
	void *vm_area = t_alloc(vm_pages);
	void *pgd = t_alloc(KVM_PGTABLE_PGD_PAGES);
	void *vcpu_area = t_alloc(1);
	bool ok = true;
	int64_t h, ret;

	if (!kvm || !vcpu || !vm_area || !pgd || !vcpu_area)
		return false;
	kvm->created_vcpus = 1;
	vcpu->kvm = kvm;
	ok &= !t_call(f, cpu, 0, SHARE_HYP, sim_host_pfn(kvm), 0, 0);
	ok &= !t_call(f, cpu, 0, SHARE_HYP, sim_host_pfn(vcpu), 0, 0);

	oracle_vm_register(f->o, id, kvm);
	h = t_call(f, cpu, id, RESERVE, 0, 0, 0);
	if (h < FIRST_HANDLE || h >= FIRST_HANDLE + KVM_MAX_PVMS)
		return false;
	set_handle(kvm, (pkvm_handle_t)h);
	oracle_vm_created(f->o, id, (int)cpu, 0);
	oracle_check_state(f->o);

	/* These write no result: x1 comes back as it went. */
	ok &= t_call(f, cpu, id, TLB_FLUSH, h, 0, 0) == h;
	ok &= !t_call(f, cpu, id, INIT_VM, (uintptr_t)kvm, (uintptr_t)vm_area,
		      (uintptr_t)pgd);
	set_created(kvm, true);
	oracle_check_state(f->o);
	ok &= !t_call(f, cpu, id, INIT_VCPU, h, (uintptr_t)vcpu,
		      (uintptr_t)vcpu_area);
	ok &= t_call(f, cpu, id, VCPU_LOAD, h, 0, 0) == h;
	ok &= t_call(f, cpu, id, TLB_FLUSH, h, 0, 0) == h;
	oracle_check_state(f->o);
	ok &= !t_call(f, cpu, id, VCPU_PUT, 0, 0, 0);

	/* The hostile CPU may have the vCPU loaded for a moment. */
	do {
		ret = t_call(f, cpu, id, TEARDOWN, h, 0, 0);
	} while (ret == -EBUSY);
	ok &= !ret;
	sim_host_free_memcache(&kvm->arch.pkvm.teardown_mc.head,
			       &kvm->arch.pkvm.teardown_mc.nr_pages);
	sim_host_free_memcache(&kvm->arch.pkvm.stage2_teardown_mc.head,
			       &kvm->arch.pkvm.stage2_teardown_mc.nr_pages);
	set_handle(kvm, 0);
	set_created(kvm, false);
	oracle_vm_destroyed(f->o, id, (int)cpu, 0);
	oracle_check_state(f->o);

	ok &= !t_call(f, cpu, 0, UNSHARE_HYP, sim_host_pfn(vcpu), 0, 0);
	ok &= !t_call(f, cpu, 0, UNSHARE_HYP, sim_host_pfn(kvm), 0, 0);
	ok &= !sim_host_free_pages(vcpu, 1);
	ok &= !sim_host_free_pages(kvm, 1);
	return ok;
}

static void *t_worker_main(void *arg)
{
	struct t_worker *w = arg;
	unsigned int i;

	for (i = 0; i < T_LIFECYCLES; i++) {
		if (t_lifecycle(w, 1000UL * (w->cpu + 1) + i))
			w->done++;
		else
			w->bad++;
	}
	return NULL;
}

static uint64_t t_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Raw flushes and loads of random handles: they overlap the workers'
 * calls and hold their VMs for a moment.  No unreserve: stealing a host
 * VM's reservation breaks invariants for real (1, 13), as it should.
 */
static void *t_hostile_main(void *arg)
{
	struct t_hostile *h = arg;
	unsigned int i;

	for (i = 0; i < T_HOSTILE_OPS &&
		    !__atomic_load_n(&h->stop, __ATOMIC_RELAXED); i++) {
		uint64_t r = t_rand(&h->seed);
		uint64_t handle = r & 0x100 ? r >> 32 :
				  FIRST_HANDLE + (r >> 8) % 8;

		if (r & 1) {
			t_call(h->f, h->cpu, 0, TLB_FLUSH, handle, 0, 0);
		} else {
			t_call(h->f, h->cpu, 0, VCPU_LOAD, handle, 0, 0);
			t_call(h->f, h->cpu, 0, VCPU_PUT, 0, 0, 0);
		}
		if (!(i % 64))
			oracle_check_state(h->f->o);
	}
	return NULL;
}

static void concurrent_host_vms_report_nothing(void **state)
{
	struct fix *f = *state;
	struct t_worker w[T_WORKERS];
	struct t_hostile hostile = {
		.f = f, .cpu = T_WORKERS, .seed = 0x9e3779b97f4a7c15ULL,
	};
	pthread_t tw[T_WORKERS], th;
	unsigned int i;

	assert_int_equal(pthread_create(&th, NULL, t_hostile_main, &hostile),
			 0);
	for (i = 0; i < T_WORKERS; i++) {
		w[i] = (struct t_worker){ .f = f, .cpu = i };
		assert_int_equal(pthread_create(&tw[i], NULL, t_worker_main,
						&w[i]), 0);
	}
	for (i = 0; i < T_WORKERS; i++) {
		assert_int_equal(pthread_join(tw[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
		assert_int_equal(w[i].done, T_LIFECYCLES);
	}
	__atomic_store_n(&hostile.stop, true, __ATOMIC_RELAXED);
	assert_int_equal(pthread_join(th, NULL), 0);

	assert_true(oracle_check_state(f->o));
	expect_clean(f);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

/* --- the violation log --- */

static void log_keeps_order_and_first_64(void **state)
{
	struct pkvmsim_violation v[80];
	struct oracle *o = oracle_create(NULL);
	unsigned int i;

	(void)state;
	assert_non_null(o);
	for (i = 0; i < 70; i++)
		oracle_report(o, 1 + i % 13, i, FIRST_HANDLE + i, (int)(i % 4),
			      "check", "number %u", i);
	assert_int_equal(oracle_count(o), 70);
	assert_int_equal(oracle_get(o, v, 80), 64);
	for (i = 0; i < 64; i++) {
		char want[16];

		snprintf(want, sizeof(want), "number %u", i);
		assert_string_equal(v[i].what, want);
		assert_int_equal(v[i].vm, i);
		assert_int_equal(v[i].invariant, 1 + i % 13);
	}
	assert_int_equal(oracle_get(o, v, 3), 3);
	assert_string_equal(v[2].what, "number 2");
	oracle_destroy(o);
}

static void format_names_machine_violations(void **state)
{
	struct pkvmsim_violation v = {
		.invariant = PKVMSIM_INV_HOST_PANIC,
		.vm = 0,
		.handle = 0,
		.cpu = 3,
		.op = "__pkvm_reserve_vm",
		.what = "HVC in VHE mode",
	};
	const char *want = "host panic (vm 0, handle 0x0, cpu 3, "
			   "__pkvm_reserve_vm): HVC in VHE mode";
	char line[320], small[8];

	(void)state;
	assert_int_equal(oracle_format(&v, line, sizeof(line)), strlen(want));
	assert_string_equal(line, want);
	/* Truncated like snprintf: the full length, a terminated prefix. */
	assert_int_equal(oracle_format(&v, small, sizeof(small)),
			 strlen(want));
	assert_string_equal(small, "host pa");

	v.invariant = PKVMSIM_INV_HYP_CRASH;
	v.handle = 0x10fe;
	oracle_format(&v, line, sizeof(line));
	assert_string_equal(line, "hyp crash (vm 0, handle 0x10fe, cpu 3, "
			    "__pkvm_reserve_vm): HVC in VHE mode");
	assert_int_equal(oracle_format(NULL, line, sizeof(line)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ORACLE_TEST(clean_lifecycle_reports_nothing),
		ORACLE_TEST(failed_creation_and_handle_reuse_report_nothing),
		cmocka_unit_test_setup_teardown(
			lazy_retried_first_run_reports_nothing,
			setup_lazy, teardown_clean),
		ORACLE_TEST(flush_with_handle_0_is_13),
		ORACLE_TEST(truncated_handle_0_is_13),
		ORACLE_TEST(another_vms_handle_is_13),
		ORACLE_TEST(stale_handle_is_13),
		cmocka_unit_test_setup_teardown(
			lazy_load_before_first_run_is_13,
			setup_lazy, teardown_clean),
		ORACLE_TEST(tz_message_names_the_vm),
		ORACLE_TEST(destroy_without_unreserve_is_3),
		ORACLE_TEST(failed_creation_keeping_reservation_is_3),
		ORACLE_TEST(second_give_back_is_3),
		ORACLE_TEST(second_reserve_is_10),
		cmocka_unit_test_setup_teardown(pkvm_hypercall_in_nvhe_is_3,
						setup_nvhe_v3, teardown_clean),
		cmocka_unit_test_setup_teardown(pkvm_hypercall_in_vhe_is_3,
						setup_vhe, teardown_any),
		ORACLE_TEST(busy_teardown_is_reported_at_destroy),
		ORACLE_TEST(check_end_judges_only_the_state),
		cmocka_unit_test(check_end_in_the_machine),
		ORACLE_TEST(check_state_finds_table_against_host_vm_1),
		ORACLE_TEST(check_state_waits_for_quiet),
		ORACLE_TEST(check_state_finds_shared_loaded_vcpu_12),
		ORACLE_TEST(reserve_above_a_free_slot_is_2),
		ORACLE_TEST(overlap_suppresses_order_checks),
		ORACLE_TEST(injected_answers_are_not_judged),
		ORACLE_TEST(unreserve_of_live_slot_is_4),
		ORACLE_TEST(teardown_of_reserved_7_and_referenced_8),
		ORACLE_TEST(hyp_answers_are_judged_by_errno),
		ORACLE_TEST(init_vcpu_on_reserved_without_pages_is_enomem),
		ORACLE_TEST(init_vm_into_another_slot_is_5),
		ORACLE_TEST(init_vm_failure_must_leave_nothing_6),
		ORACLE_TEST(second_successful_init_is_11),
		ORACLE_TEST(teardown_leaving_a_pin_is_9),
		cmocka_unit_test_setup_teardown(
			concurrent_host_vms_report_nothing,
			setup_threads, teardown_clean),
		cmocka_unit_test(log_keeps_order_and_first_64),
		cmocka_unit_test(format_names_machine_violations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
