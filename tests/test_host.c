// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated host (SPEC 5-7) on the real hypervisor: every cell of the
 * mode x profile table, the creation, first-run and destroy flows with
 * failures injected into each hypercall, exhaustion through the host API,
 * and the hypercall sequence of one lifecycle.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"
#include "host.h"

#define P	PKVMSIM_MODE_PROTECTED
#define N	PKVMSIM_MODE_NVHE
#define V	PKVMSIM_MODE_VHE

#define HC(x)	PKVMSIM_HCALL_##x

/* pKVM hypercalls: the ones a non-pKVM host must never make. */
static unsigned long pkvm_calls(struct host_test *t)
{
	static const long ids[] = {
		HC(PKVM_HOST_SHARE_HYP), HC(PKVM_HOST_UNSHARE_HYP),
		HC(PKVM_RESERVE_VM), HC(PKVM_UNRESERVE_VM), HC(PKVM_INIT_VM),
		HC(PKVM_INIT_VCPU), HC(PKVM_TEARDOWN_VM), HC(PKVM_VCPU_LOAD),
		HC(PKVM_VCPU_PUT), HC(PKVM_TLB_FLUSH_VMID),
	};
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		n += host_test_calls(t, ids[i]);
	return n;
}

/* The x1 of the @nth (0-based) call of @nr in the trace. */
static uint64_t nth_arg1(struct host_test *t, long nr, unsigned long nth)
{
	struct pkvm_hvc_trace_entry e;
	size_t i;

	for (i = 0; pkvm_hvc_trace_get(t->trace, i, &e) == 0; i++)
		if (e.nr == (uint64_t)nr && !nth--)
			return e.in[1];
	fail_msg("no call %lu of hypercall %ld in the trace", nth, nr);
	return 0;
}

/* A VM with @nr_vcpus vCPUs, created on CPU 0, never run. */
static struct pkvmsim_vm *new_vm(struct host_test *t, unsigned int nr_vcpus)
{
	struct pkvmsim_vm *vm;
	unsigned int i;

	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	for (i = 0; i < nr_vcpus; i++)
		assert_int_equal(pkvmsim_vcpu_create(vm, 0, i), 0);
	return vm;
}

/* Fail the next call of hypercall @nr with @err. */
static void fail_next(struct host_test *t, long nr, int err)
{
	assert_int_equal(pkvm_hvc_fault_nth(t->fault, nr, 1, err), 0);
}

/*
 * A VMM's whole life of one VM: create it with two vCPUs, let an MMU
 * notifier fire before the first run, run both vCPUs on CPUs 0 and 1, put
 * them, notify again, destroy.  Returns the creation's result; the rest
 * must succeed when creation did.
 */
static int lifecycle(struct host_test *t)
{
	struct pkvmsim_vm *vm;
	int ret;

	ret = pkvmsim_vm_create(t->sim, 0, &vm);
	if (ret)
		return ret;
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 1), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 1), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 1), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	return 0;
}

/* --- the mode x profile table (SPEC 6-7) --- */

/*
 * One cell: what VM creation returns, whether any pKVM hypercall is made,
 * and which violation the oracle must report (0: none, and the machine
 * must shut down clean).
 */
static void cell(enum pkvmsim_mode mode, enum pkvmsim_profile profile,
		 int create_ret, bool pkvm, unsigned int invariant)
{
	struct host_test *t = host_test_start(mode, profile, 2);
	int check;

	assert_int_equal(lifecycle(t), create_ret);
	if (pkvm)
		assert_true(pkvm_calls(t) > 0);	/* made, or attempted */
	else
		assert_int_equal(host_test_calls(t, -1), 0);

	check = host_test_check(t);
	if (!invariant) {
		if (check)
			print_error("%s", t->report.text);
		assert_int_equal(check, 0);
		assert_int_equal(host_test_stop(t), 0);
		return;
	}
	assert_int_equal(check, -EUCLEAN);
	if (!host_test_violations(t, invariant)) {
		print_error("%s", t->report.text);
		fail_msg("no violation of invariant %u", invariant);
	}
	/* Violations, but never a page left behind. */
	assert_int_equal(t->report.nr_leaked_pages, 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

static void cell_protected_6_18(void **state)
{
	(void)state;
	cell(P, PKVMSIM_PROFILE_6_18, 0, true, 0);
}

static void cell_nvhe_6_18(void **state)
{
	(void)state;
	cell(N, PKVMSIM_PROFILE_6_18, 0, false, 0);
}

static void cell_vhe_6_18(void **state)
{
	(void)state;
	cell(V, PKVMSIM_PROFILE_6_18, 0, false, 0);
}

static void cell_protected_v3(void **state)
{
	(void)state;
	cell(P, PKVMSIM_PROFILE_V3, 0, true, 0);
}

/* The report against v3: VM creation fails with errno 22. */
static void cell_nvhe_v3(void **state)
{
	(void)state;
	cell(N, PKVMSIM_PROFILE_V3, -EINVAL, true, 3);
}

/* The reserve HVC reaches a VHE kernel's own vectors: host panic. */
static void cell_vhe_v3(void **state)
{
	(void)state;
	cell(V, PKVMSIM_PROFILE_V3, -EFAULT, true, PKVMSIM_INV_HOST_PANIC);
}

/* TrustZone and the notifier hear of the VM before it has a handle. */
static void cell_protected_lazy(void **state)
{
	(void)state;
	cell(P, PKVMSIM_PROFILE_LAZY, 0, true, 13);
}

static void cell_nvhe_lazy(void **state)
{
	(void)state;
	cell(N, PKVMSIM_PROFILE_LAZY, 0, false, 0);
}

static void cell_vhe_lazy(void **state)
{
	(void)state;
	cell(V, PKVMSIM_PROFILE_LAZY, 0, false, 0);
}

/* --- 6.18 flows --- */

static void handle_reserved_at_creation(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;
	unsigned int h;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	h = pkvmsim_vm_handle(vm);
	assert_int_equal(h, SIM_HANDLE_OFFSET);
	assert_int_equal(slot_state_of(h), SLOT_RESERVED);
	assert_false(pkvmsim_vm_is_created(vm));
	assert_int_equal(pkvmsim_tz_vm_count(t->sim), 1);

	/* Never run: destroy gives the reservation back. */
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(pkvmsim_tz_vm_count(t->sim), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_UNRESERVE_VM)), 1);
	assert_int_equal(nth_arg1(t, HC(PKVM_UNRESERVE_VM), 0), h);
	assert_int_equal(host_test_calls(t, HC(PKVM_INIT_VM)), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_TEARDOWN_VM)), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/* The window the series closes: a notifier before the first run. */
static void notify_before_first_run_names_vm(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(nth_arg1(t, HC(PKVM_TLB_FLUSH_VMID), 0),
			 pkvmsim_vm_handle(vm));
	host_test_check(t);
	assert_int_equal(t->report.nr_violations, 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

static void notify_flushes_vmid_of_live_vm(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct sim_tlb_flush flush;
	struct pkvmsim_vm *vm;
	unsigned long flushes;

	(void)state;
	vm = new_vm(t, 1);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);

	flushes = sim_tlb_flush_count();
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(sim_tlb_flush_count(), flushes + 1);
	assert_true(sim_tlb_flush_last(&flush));
	assert_int_equal(flush.vmid,
			 pkvmsim_vm_handle(vm) - SIM_HANDLE_OFFSET + 1);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

struct first_run {
	struct pkvmsim_vm	*vm;
	pthread_barrier_t	*go;
	unsigned int		cpu;
	int			ret;
};

static void *first_run_thread(void *arg)
{
	struct first_run *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = pkvmsim_vcpu_run(r->vm, r->cpu, r->cpu);
	if (!r->ret)
		r->ret = pkvmsim_vcpu_put(r->vm, r->cpu, r->cpu);
	return NULL;
}

/* Invariant 11: config_lock and the is_created re-check. */
static void concurrent_first_runs_create_once(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 4);
	unsigned int round, cpu;

	(void)state;
	for (round = 0; round < 40; round++) {
		struct first_run runs[4];
		pthread_t threads[4];
		pthread_barrier_t go;
		struct pkvmsim_vm *vm;
		unsigned long inits = host_test_calls(t, HC(PKVM_INIT_VM));

		vm = new_vm(t, 4);

		pthread_barrier_init(&go, NULL, 4);
		for (cpu = 0; cpu < 4; cpu++) {
			runs[cpu] = (struct first_run){
				.vm = vm, .go = &go, .cpu = cpu,
			};
			assert_int_equal(pthread_create(&threads[cpu], NULL,
							first_run_thread,
							&runs[cpu]), 0);
		}
		for (cpu = 0; cpu < 4; cpu++)
			pthread_join(threads[cpu], NULL);
		pthread_barrier_destroy(&go);

		inits = host_test_calls(t, HC(PKVM_INIT_VM)) - inits;
		for (cpu = 0; cpu < 4; cpu++)
			if (runs[cpu].ret || inits != 1)
				fail_msg("race window 'concurrent first run' "
					 "is open: round %u: %lu init_vm, "
					 "vCPU %u's first run = %d", round,
					 inits, cpu, runs[cpu].ret);
		assert_true(pkvmsim_vm_is_created(vm));
		assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	}
	assert_int_equal(host_test_calls(t, HC(PKVM_INIT_VCPU)), 4 * 40);
	assert_int_equal(host_test_check(t), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/* --- failures injected into each hypercall of the lifecycle --- */

static void share_failure_unwinds_creation(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	fail_next(t, HC(PKVM_HOST_SHARE_HYP), -EPERM);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), -EPERM);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 0);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
	assert_int_equal(host_test_stop(t), 0);
}

/* The fixed unwinding: the stage-2 is freed too (the ledger would see). */
static void reserve_failure_unwinds_creation(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	fail_next(t, HC(PKVM_RESERVE_VM), -ENOMEM);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), -ENOMEM);
	assert_int_equal(host_test_calls(t, HC(PKVM_HOST_SHARE_HYP)),
			 host_test_calls(t, HC(PKVM_HOST_UNSHARE_HYP)));
	assert_int_equal(host_test_calls(t, HC(PKVM_UNRESERVE_VM)), 0);
	assert_int_equal(host_test_check(t), 0);
	assert_int_equal(t->report.nr_leaked_pages, 0);

	/* The next VM is unaffected. */
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), SIM_HANDLE_OFFSET);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/* Take every free arena page, so that the host's next allocation fails. */
static void **exhaust_arena(unsigned long *nr)
{
	void **pages = calloc(sim_arena_nr_pages(), sizeof(*pages));
	void *p;

	assert_non_null(pages);
	*nr = 0;
	while ((p = sim_host_alloc_pages(1)))
		pages[(*nr)++] = p;
	return pages;
}

static void release_arena(void **pages, unsigned long nr)
{
	while (nr--)
		assert_int_equal(sim_host_free_pages(pages[nr], 1), 0);
	free(pages);
}

/*
 * The host cannot allocate the hyp VM's pages at first run: -ENOMEM, no
 * hypercall, the reservation kept for a retry (6.18) or given back (lazy).
 */
static void first_run_host_allocation_failure(void **state)
{
	static const enum pkvmsim_profile profiles[] = {
		PKVMSIM_PROFILE_6_18, PKVMSIM_PROFILE_LAZY,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct host_test *t = host_test_start(P, profiles[i], 2);
		struct pkvmsim_vm *vm = new_vm(t, 1);
		unsigned int h = pkvmsim_vm_handle(vm);
		unsigned long nr;
		void **pages = exhaust_arena(&nr);

		assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
		release_arena(pages, nr);
		assert_int_equal(host_test_calls(t, HC(PKVM_INIT_VM)), 0);
		assert_false(pkvmsim_vm_is_created(vm));
		assert_int_equal(pkvmsim_vm_handle(vm), h);
		assert_int_equal(table_count(SLOT_RESERVED), h ? 1 : 0);

		assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
		assert_true(pkvmsim_vm_is_created(vm));
		assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
		assert_int_equal(host_test_check(t), profiles[i] ==
				 PKVMSIM_PROFILE_6_18 ? 0 : -EUCLEAN);
		assert_int_equal(t->report.nr_leaked_pages, 0);
		host_test_stop(t);
	}
}

/* SPEC 5: the handle stays reserved; destroy unreserves it. */
static void init_vm_failure_keeps_reservation(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;
	unsigned int h;

	(void)state;
	vm = new_vm(t, 1);
	h = pkvmsim_vm_handle(vm);
	fail_next(t, HC(PKVM_INIT_VM), -ENOMEM);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);

	assert_int_equal(pkvmsim_vm_handle(vm), h);
	assert_false(pkvmsim_vm_is_created(vm));
	assert_int_equal(slot_state_of(h), SLOT_RESERVED);
	assert_int_equal(host_test_check(t), -EUCLEAN);	/* VM pages out */
	assert_int_equal(t->report.nr_violations, 0);

	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_UNRESERVE_VM)), 1);
	assert_int_equal(host_test_calls(t, HC(PKVM_TEARDOWN_VM)), 0);
	assert_int_equal(slot_state_of(h), SLOT_FREE);
	assert_int_equal(host_test_stop(t), 0);
}

/* ... and a retried first run creates the hyp VM in the same slot. */
static void init_vm_failure_then_retry(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;
	unsigned int h;

	(void)state;
	vm = new_vm(t, 1);
	h = pkvmsim_vm_handle(vm);
	fail_next(t, HC(PKVM_INIT_VM), -ENOMEM);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_true(pkvmsim_vm_is_created(vm));
	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 1);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

static void init_vcpu_failure_then_retry(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	vm = new_vm(t, 1);
	fail_next(t, HC(PKVM_INIT_VCPU), -ENOMEM);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_true(pkvmsim_vm_is_created(vm));
	assert_null(live_vm_of(pkvmsim_vm_handle(vm))->vcpus[0]);

	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_non_null(live_vm_of(pkvmsim_vm_handle(vm))->vcpus[0]);
	assert_int_equal(host_test_calls(t, HC(PKVM_INIT_VM)), 1);
	assert_int_equal(host_test_calls(t, HC(PKVM_INIT_VCPU)), 2);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/*
 * SPEC 5: a failed teardown is only warned about; the host forgets the
 * handle and the slot leaks LIVE.  The oracle must say so.
 */
static void teardown_ebusy_leaks_slot(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;
	unsigned int h;

	(void)state;
	vm = new_vm(t, 1);
	h = pkvmsim_vm_handle(vm);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	fail_next(t, HC(PKVM_TEARDOWN_VM), -EBUSY);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), -EBUSY);

	assert_int_equal(slot_state_of(h), SLOT_LIVE);
	assert_int_equal(host_test_calls(t, HC(PKVM_UNRESERVE_VM)), 0);
	assert_int_equal(host_test_check(t), -EUCLEAN);
	if (!host_test_violations(t, 3)) {
		print_error("%s", t->report.text);
		fail_msg("the leaked slot was not reported");
	}
	assert_true(t->report.nr_host_warnings >= 1);
	assert_true(t->report.nr_leaked_pages > 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

/* --- the lazy profile (before the series) --- */

static void lazy_handle_comes_at_first_run(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_LAZY, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), SIM_HANDLE_OFFSET);
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_LIVE);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_FREE);
	/* TrustZone heard of the VM as handle 0: invariant 13, nothing else. */
	assert_int_equal(host_test_check(t), -EUCLEAN);
	assert_true(host_test_violations(t, 13) > 0);
	assert_int_equal(host_test_violations(t, 13), t->report.nr_violations);
	assert_int_equal(t->report.nr_leaked_pages, 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

static void lazy_notify_before_first_run_flagged(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_LAZY, 2);
	struct pkvmsim_vm *vm;
	unsigned int i;
	bool flush = false, tz = false;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(nth_arg1(t, HC(PKVM_TLB_FLUSH_VMID), 0), 0);

	assert_int_equal(host_test_check(t), -EUCLEAN);
	for (i = 0; i < t->report.nr_kept; i++) {
		struct pkvmsim_violation *v = &t->report.violations[i];

		if (v->invariant != 13)
			continue;
		assert_int_equal(v->vm, pkvmsim_vm_id(vm));
		assert_int_equal(v->handle, 0);
		flush |= !strcmp(v->op, "__pkvm_tlb_flush_vmid") &&
			 v->cpu == 1;
		tz |= !strcmp(v->op, "tz_vm_created") && v->cpu == 0;
	}
	if (!flush || !tz)
		print_error("%s", t->report.text);
	assert_true(flush);
	assert_true(tz);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

/* Our definition: a failed lazy first run gives its reservation back. */
static void lazy_init_vm_failure_unreserves(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_LAZY, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	vm = new_vm(t, 1);
	fail_next(t, HC(PKVM_INIT_VM), -ENOMEM);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), -ENOMEM);
	assert_int_equal(pkvmsim_vm_handle(vm), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_UNRESERVE_VM)), 1);
	assert_int_equal(nth_arg1(t, HC(PKVM_UNRESERVE_VM), 0),
			 SIM_HANDLE_OFFSET);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);

	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vm_handle(vm), SIM_HANDLE_OFFSET);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 2);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	/* Only TrustZone's handle 0 at creation: the retry left nothing. */
	assert_int_equal(host_test_check(t), -EUCLEAN);
	assert_int_equal(host_test_violations(t, 13), t->report.nr_violations);
	assert_int_equal(t->report.nr_leaked_pages, 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

/* --- v3: the imbalance that broke non-protected hosts --- */

static void v3_nvhe_every_creation_fails(void **state)
{
	struct host_test *t = host_test_start(N, PKVMSIM_PROFILE_V3, 2);
	struct pkvmsim_vm *vm;
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(pkvmsim_vm_create(t->sim, i % 2, &vm),
				 -EINVAL);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 5);
	assert_int_equal(host_test_calls(t, -1), 5);
	assert_int_equal(host_test_check(t), -EUCLEAN);
	assert_true(host_test_violations(t, 3) >= 5);
	assert_int_equal(t->report.nr_leaked_pages, 0);
	assert_int_equal(host_test_stop(t), -EUCLEAN);
}

/* With the v4 gate the same storm makes no hypercall at all. */
static void nvhe_6_18_many_vms_no_hypercalls(void **state)
{
	struct host_test *t = host_test_start(N, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vms[20];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		assert_int_equal(pkvmsim_vm_create(t->sim, i % 2, &vms[i]), 0);
		assert_int_equal(pkvmsim_vcpu_create(vms[i], 0, 0), 0);
		assert_int_equal(pkvmsim_vcpu_run(vms[i], i % 2, 0), 0);
		assert_int_equal(pkvmsim_vcpu_put(vms[i], i % 2, 0), 0);
		assert_int_equal(pkvmsim_mmu_notify(vms[i], 0), 0);
		assert_int_equal(pkvmsim_vm_handle(vms[i]), 0);
	}
	for (i = 0; i < 20; i++)
		assert_int_equal(pkvmsim_vm_destroy(vms[i], 1), 0);
	assert_int_equal(host_test_calls(t, -1), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/* --- exhaustion through the host API (invariant 2) --- */

static void exhaustion_and_lowest_reuse(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vms[KVM_MAX_PVMS], *extra;
	unsigned int i;

	(void)state;
	for (i = 0; i < KVM_MAX_PVMS; i++) {
		assert_int_equal(pkvmsim_vm_create(t->sim, i % 2, &vms[i]), 0);
		assert_int_equal(pkvmsim_vm_handle(vms[i]),
				 SIM_HANDLE_OFFSET + i);
	}
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &extra), -ENOMEM);
	assert_int_equal(table_count(SLOT_RESERVED), KVM_MAX_PVMS);

	assert_int_equal(pkvmsim_vm_destroy(vms[100], 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vms[7], 1), 0);
	assert_int_equal(pkvmsim_vm_create(t->sim, 1, &vms[7]), 0);
	assert_int_equal(pkvmsim_vm_handle(vms[7]), SIM_HANDLE_OFFSET + 7);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vms[100]), 0);
	assert_int_equal(pkvmsim_vm_handle(vms[100]),
			 SIM_HANDLE_OFFSET + 100);

	for (i = 0; i < KVM_MAX_PVMS; i++)
		assert_int_equal(pkvmsim_vm_destroy(vms[i], i % 2), 0);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
	assert_int_equal(host_test_stop(t), 0);
}

/* --- host rules --- */

/* Invariant 10, on the host function itself. */
static void init_host_vm_idempotent_then_einval(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm, *host_vm;
	unsigned int h;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	h = pkvmsim_vm_handle(vm);
	/* What the caller holds is a handle; the host's VM is behind it. */
	host_vm = host_vm_find(t->sim, vm);
	assert_non_null(host_vm);

	assert_int_equal(host_cpu_enter(t->sim, 0), 0);
	assert_int_equal(pkvm_init_host_vm(host_vm), 0);
	assert_int_equal(pkvm_init_host_vm(host_vm), 0);
	host_cpu_exit(t->sim, 0);
	assert_int_equal(pkvmsim_vm_handle(vm), h);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 1);

	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(host_cpu_enter(t->sim, 1), 0);
	assert_int_equal(pkvm_init_host_vm(host_vm), -EINVAL);
	host_cpu_exit(t->sim, 1);
	assert_int_equal(host_test_calls(t, HC(PKVM_RESERVE_VM)), 1);

	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

static void vcpu_create_rules(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 1), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, PKVMSIM_MAX_VCPUS),
			 -EINVAL);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 1), -EINVAL);

	/* The vGIC is initialised at the first run: no more vCPUs. */
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 1), -EBUSY);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);
	assert_int_equal(host_test_stop(t), 0);
}

static void run_and_put_rules(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	vm = new_vm(t, 2);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);

	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), -EBUSY);	/* elsewhere */
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 1), -EBUSY);	/* CPU busy */
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 1), -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), -EAGAIN);

	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);	/* moved */
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 1), 0);
	/* vCPU 1 is still in KVM_RUN on CPU 0. */
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), -EAGAIN);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 1), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_TEARDOWN_VM)), 1);
	assert_int_equal(host_test_stop(t), 0);
}

/* The hyp must see the vCPU put before teardown, or it answers -EBUSY. */
static void destroy_puts_loaded_vcpu(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm;

	(void)state;
	vm = new_vm(t, 1);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	assert_non_null(loaded_hyp_vcpu[1]);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_null(loaded_hyp_vcpu[1]);
	assert_int_equal(host_test_stop(t), 0);
}

/*
 * SPEC 5 (clarified) KVM_RUN order: the first run creates the hyp VM and
 * vCPU before it loads, so the hypervisor holds the vCPU loaded, with a
 * reference on its VM, from the first run on; a teardown meanwhile is
 * -EBUSY and leaves the VM LIVE (invariant 8).  A vCPU ioctl before the
 * run sends a load the hypervisor ignores.
 */
static void first_run_leaves_hyp_vcpu_loaded(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_regs regs;
	struct pkvmsim_vm *vm;
	pkvm_handle_t h;

	(void)state;
	vm = new_vm(t, 1);
	h = pkvmsim_vm_handle(vm);
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 0, 0), 0);
	assert_int_equal(host_test_calls(t, HC(PKVM_VCPU_LOAD)), 1);
	assert_null(loaded_hyp_vcpu[0]);

	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_non_null(loaded_hyp_vcpu[0]);
	assert_ptr_equal(loaded_hyp_vcpu[0], live_vm_of(h)->vcpus[0]);
	assert_int_equal(hyp_vm_refs(h), 1);

	regs = (struct pkvmsim_regs){
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TEARDOWN_VM), h },
	};
	assert_int_equal(pkvmsim_hvc(t->sim, 1, &regs), 0);
	assert_int_equal((int)regs.x[1], -EBUSY);
	assert_int_equal(slot_state_of(h), SLOT_LIVE);

	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);
	assert_null(loaded_hyp_vcpu[0]);
	assert_int_equal(hyp_vm_refs(h), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_int_equal(host_test_stop(t), 0);
}

static void bad_arguments(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *vm, *gone;
	unsigned long calls;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(NULL, 0, &vm), -EINVAL);
	assert_int_equal(pkvmsim_vm_create(t->sim, 2, &vm), -EINVAL);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, NULL), -EINVAL);
	assert_int_equal(pkvmsim_vm_create_type(t->sim, 0, 7, &vm), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_create(NULL, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_run(NULL, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_put(NULL, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_mmu_notify(NULL, 0), -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(NULL, 0), -EINVAL);
	assert_int_equal(pkvmsim_vm_handle(NULL), 0);
	assert_int_equal(pkvmsim_vm_id(NULL), 0);
	/* Refused before the host ran: not one hypercall. */
	assert_int_equal(host_test_calls(t, -1), 0);

	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &gone), 0);
	assert_int_equal(pkvmsim_vcpu_create(gone, 5, 0), -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(gone, 0), 0);
	calls = host_test_calls(t, -1);
	/* A stale VM is refused without being read (ASan would see it). */
	assert_int_equal(pkvmsim_vcpu_create(gone, 0, 0), -EINVAL);
	assert_int_equal(pkvmsim_mmu_notify(gone, 0), -EINVAL);
	assert_int_equal(pkvmsim_vm_destroy(gone, 0), -EINVAL);
	assert_int_equal(pkvmsim_vm_handle(gone), 0);
	assert_int_equal(host_test_calls(t, -1), calls);
	assert_int_equal(host_test_stop(t), 0);
}

static void protected_vm_type(void **state)
{
	struct host_test *t = host_test_start(N, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *pvm, *vm;
	unsigned long flushes;

	(void)state;
	/* Later kernels: KVM_VM_TYPE_ARM_PROTECTED needs pKVM mode. */
	assert_int_equal(pkvmsim_vm_create_type(t->sim, 0,
						PKVMSIM_VM_PROTECTED, &pvm),
			 -EINVAL);
	assert_int_equal(host_test_stop(t), 0);

	t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	assert_int_equal(pkvmsim_vm_create_type(t->sim, 0,
						PKVMSIM_VM_PROTECTED, &pvm),
			 0);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	assert_int_equal(pkvmsim_vcpu_create(pvm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(pvm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), 0);
	assert_true(pkvm_hyp_vm_is_protected(
		live_vm_of(pkvmsim_vm_handle(pvm))));

	/* The host may not flush a protected VM's TLB: silently ignored. */
	flushes = sim_tlb_flush_count();
	assert_int_equal(pkvmsim_mmu_notify(pvm, 1), 0);
	assert_int_equal(sim_tlb_flush_count(), flushes);
	assert_int_equal(pkvmsim_mmu_notify(vm, 0), 0);
	assert_int_equal(sim_tlb_flush_count(), flushes + 1);

	host_test_check(t);
	assert_int_equal(t->report.nr_violations, 0);
	assert_int_equal(pkvmsim_vm_destroy(pvm, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 1), 0);
	assert_int_equal(host_test_stop(t), 0);
}

/* Process exit: the VMs left are destroyed and nothing leaks. */
static void leftover_vms_destroyed_at_shutdown(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	struct pkvmsim_vm *a, *b, *c;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &a), 0);
	assert_int_equal(pkvmsim_vm_create(t->sim, 1, &b), 0);
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &c), 0);
	assert_int_equal(pkvmsim_vcpu_create(b, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(b, 1, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(b, 1, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(b, 1, 0), 0);	/* left loaded */
	assert_int_equal(host_test_stop(t), 0);
}

/* --- the hypercalls of one protected-mode lifecycle, in order --- */

static void lifecycle_hypercall_sequence(void **state)
{
	struct host_test *t = host_test_start(P, PKVMSIM_PROFILE_6_18, 2);
	uint64_t want[32], got[64];
	struct pkvmsim_vm *vm;
	size_t n = 0, i, kvm_pages;

	(void)state;
	assert_int_equal(pkvmsim_vm_create(t->sim, 0, &vm), 0);
	kvm_pages = host_vm_find(t->sim, vm)->kvm_pages;
	assert_int_equal(pkvmsim_vcpu_create(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), 0);
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_run(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vcpu_put(vm, 0, 0), 0);
	assert_int_equal(pkvmsim_vm_destroy(vm, 0), 0);

	for (i = 0; i < kvm_pages; i++)
		want[n++] = HC(PKVM_HOST_SHARE_HYP);
	want[n++] = HC(PKVM_RESERVE_VM);
	want[n++] = HC(PKVM_HOST_SHARE_HYP);		/* the vCPU */
	want[n++] = HC(PKVM_TLB_FLUSH_VMID);		/* the notifier */
	want[n++] = HC(PKVM_VCPU_LOAD);			/* an ioctl: no VM */
	want[n++] = HC(PKVM_VCPU_PUT);
	want[n++] = HC(PKVM_INIT_VM);			/* first run */
	want[n++] = HC(PKVM_INIT_VCPU);
	want[n++] = HC(PKVM_VCPU_LOAD);			/* loads it */
	want[n++] = HC(PKVM_VCPU_PUT);
	want[n++] = HC(PKVM_TEARDOWN_VM);
	want[n++] = HC(PKVM_HOST_UNSHARE_HYP);		/* the vCPU */
	for (i = 0; i < kvm_pages; i++)
		want[n++] = HC(PKVM_HOST_UNSHARE_HYP);

	i = host_test_sequence(t, got, 64);
	if (i != n || memcmp(want, got, n * sizeof(*got))) {
		host_test_print_trace(t);
		fail_msg("the lifecycle's hypercalls differ from SPEC 5");
	}
	assert_int_equal(host_test_stop(t), 0);
}

#define HOST_TEST(f)	cmocka_unit_test_teardown(f, host_test_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		HOST_TEST(cell_protected_6_18),
		HOST_TEST(cell_nvhe_6_18),
		HOST_TEST(cell_vhe_6_18),
		HOST_TEST(cell_protected_v3),
		HOST_TEST(cell_nvhe_v3),
		HOST_TEST(cell_vhe_v3),
		HOST_TEST(cell_protected_lazy),
		HOST_TEST(cell_nvhe_lazy),
		HOST_TEST(cell_vhe_lazy),
		HOST_TEST(handle_reserved_at_creation),
		HOST_TEST(notify_before_first_run_names_vm),
		HOST_TEST(notify_flushes_vmid_of_live_vm),
		HOST_TEST(concurrent_first_runs_create_once),
		HOST_TEST(share_failure_unwinds_creation),
		HOST_TEST(reserve_failure_unwinds_creation),
		HOST_TEST(first_run_host_allocation_failure),
		HOST_TEST(init_vm_failure_keeps_reservation),
		HOST_TEST(init_vm_failure_then_retry),
		HOST_TEST(init_vcpu_failure_then_retry),
		HOST_TEST(teardown_ebusy_leaks_slot),
		HOST_TEST(lazy_handle_comes_at_first_run),
		HOST_TEST(lazy_notify_before_first_run_flagged),
		HOST_TEST(lazy_init_vm_failure_unreserves),
		HOST_TEST(v3_nvhe_every_creation_fails),
		HOST_TEST(nvhe_6_18_many_vms_no_hypercalls),
		HOST_TEST(exhaustion_and_lowest_reuse),
		HOST_TEST(init_host_vm_idempotent_then_einval),
		HOST_TEST(vcpu_create_rules),
		HOST_TEST(run_and_put_rules),
		HOST_TEST(destroy_puts_loaded_vcpu),
		HOST_TEST(first_run_leaves_hyp_vcpu_loaded),
		HOST_TEST(bad_arguments),
		HOST_TEST(protected_vm_type),
		HOST_TEST(leftover_vms_destroyed_at_shutdown),
		HOST_TEST(lifecycle_hypercall_sequence),
	};

	/* A mutant test (tests/mutants) runs the one case that must fail. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
