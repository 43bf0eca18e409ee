// SPDX-License-Identifier: GPL-2.0-only
/*
 * Race windows of SPEC 9, explored exhaustively with at most one
 * preemption by the controlled scheduler (src/sched).
 *
 * Each test names the window it targets.  Two simulated CPUs each run one
 * hypervisor operation; for every scheduling point of either, the other is
 * run at that point, and the outcome is checked against what SPEC allows.
 * A failure prints the window and the one-line schedule that replays it.
 *
 * tests/mutants/ holds, for each test here, a patch that opens its window
 * in src/hyp; CTest builds the mutated hypervisor and requires this test to
 * fail against it (mutant.* tests).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim_test.h"
#include "sched.h"

#define race_fail(window, schedule, fmt, ...)				\
	fail_msg("race window '%s' is open: " fmt "; replay: %s",	\
		 window, ##__VA_ARGS__, schedule)

struct race_op {
	struct race	*race;
	unsigned int	cpu;
	int64_t		ret;
	bool		loaded;		/* a vCPU load took effect */
	bool		loaded_dead;	/* ...in a VM no longer in the table */
	bool		loaded_partial;	/* ...and it was not initialised */
};

/* Outcomes seen over one exploration: it must reach each of them. */
struct race_seen {
	unsigned int	runs;
	unsigned int	first_wins;	/* thread 0's operation took effect */
	unsigned int	second_wins;	/* thread 1's operation took effect */
};

static struct race_seen seen;

struct race {
	struct pkvmsim		*sim;
	struct test_vm		vm;
	struct test_vm		other;
	pkvm_handle_t		handle;
	pkvm_handle_t		other_handle;
	unsigned long		flushes;
	struct pkvm_hyp_vm	*hyp_vm;
	void			*vm_area[2];
	void			*pgd[2];
	void			*vcpu_area;
	unsigned long		warns;
	struct race_op		a;
	struct race_op		b;
};

static int64_t raw_hvc(struct race *r, unsigned int cpu, unsigned long nr,
		       uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};

	if (pkvmsim_hvc(r->sim, cpu, &regs) ||
	    regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		return INT64_MIN;
	return (int)regs.x[1];
}

static unsigned long vm_pages(int nr_vcpus)
{
	return pkvm_get_hyp_vm_size(nr_vcpus) / SIM_PAGE_SIZE;
}

/*
 * A window that makes the hypervisor crash is still a window caught: the
 * crash is reported with the schedule that replays it.
 */
static char crash_msg[256];
static size_t crash_len;

static void on_crash(int sig)
{
	(void)sig;
	if (write(STDERR_FILENO, crash_msg, crash_len) < 0)
		_exit(3);
	_exit(2);
}

static void race_boot(struct race *r, const char *window,
		      const char *schedule)
{
	struct pkvmsim_config cfg;
	int n;

	n = snprintf(crash_msg, sizeof(crash_msg),
		     "race window '%s' is open: the hypervisor crashed; "
		     "replay: %s\n", window, schedule);
	crash_len = n > 0 ? (size_t)n : 0;

	memset(r, 0, sizeof(*r));
	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 2;
	cfg.arena_pages = 256;
	assert_int_equal(pkvmsim_create(&cfg, &r->sim), 0);
	r->a = (struct race_op){ .race = r, .cpu = 0 };
	r->b = (struct race_op){ .race = r, .cpu = 1 };
}

/* Donate-able areas for an init_vm, allocated up front by the host. */
static void race_alloc_vm_areas(struct race *r, int i, int nr_vcpus)
{
	r->vm_area[i] = sim_host_alloc_pages(vm_pages(nr_vcpus));
	r->pgd[i] = sim_host_alloc_pages(KVM_PGTABLE_PGD_PAGES);
	assert_non_null(r->vm_area[i]);
	assert_non_null(r->pgd[i]);
}

static void race_free_vm_areas(struct race *r, int i, int nr_vcpus)
{
	assert_int_equal(sim_host_free_pages(r->vm_area[i],
					     vm_pages(nr_vcpus)), 0);
	assert_int_equal(sim_host_free_pages(r->pgd[i],
					     KVM_PGTABLE_PGD_PAGES), 0);
}

/* The run itself must have left no violation (checked before clean-up). */
static void race_no_violation(struct race *r, const char *window,
			      const char *schedule)
{
	struct pkvmsim_report report;

	pkvmsim_check(r->sim, &report);
	if (report.nr_violations)
		race_fail(window, schedule, "%lu violation(s):\n%s",
			  report.nr_violations, report.text);
}

/* After clean-up nothing may be left over. */
static void race_shutdown(struct race *r, const char *window,
			  const char *schedule)
{
	race_no_violation(r, window, schedule);
	assert_int_equal(pkvmsim_destroy(r->sim), 0);
	r->sim = NULL;
}

static long explore(struct race *r, void (*a)(void *), void (*b)(void *),
		    void (*setup)(void *, const char *),
		    void (*check)(void *, const char *))
{
	struct sigaction crash = { .sa_handler = on_crash }, old[3];
	const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT };
	unsigned int i;
	const struct sched_thread threads[] = {
		{ .fn = a, .arg = &r->a, .cpu = 0 },
		{ .fn = b, .arg = &r->b, .cpu = 1 },
	};
	long runs;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &crash, &old[i]);
	runs = sched_explore_one_preemption(threads, 2, setup, check, r);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	print_message("explored %ld schedules\n", runs);
	assert_true(runs > 2);
	assert_int_equal(seen.runs, runs);
	/* Both orders happened, or the exploration missed the window. */
	assert_true(seen.first_wins > 0);
	assert_true(seen.second_wins > 0);
	return runs;
}

static void op_reserve(void *arg)
{
	struct race_op *op = arg;

	op->ret = raw_hvc(op->race, op->cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM,
			  0, 0, 0);
}

static void op_unreserve(void *arg)
{
	struct race_op *op = arg;

	op->ret = raw_hvc(op->race, op->cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
			  op->race->handle, 0, 0);
}

static void op_teardown(void *arg)
{
	struct race_op *op = arg;

	op->ret = raw_hvc(op->race, op->cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
			  op->race->handle, 0, 0);
}

static void init_vm_from(struct race_op *op, struct test_vm *vm, int i)
{
	struct race *r = op->race;

	op->ret = raw_hvc(r, op->cpu, PKVMSIM_HCALL_PKVM_INIT_VM,
			  (uintptr_t)vm->kvm, (uintptr_t)r->vm_area[i],
			  (uintptr_t)r->pgd[i]);
}

static void op_init_vm(void *arg)
{
	struct race_op *op = arg;

	init_vm_from(op, &op->race->vm, 0);
}

static void op_init_other_vm(void *arg)
{
	struct race_op *op = arg;

	init_vm_from(op, &op->race->other, 1);
}

static void op_init_vcpu(void *arg)
{
	struct race_op *op = arg;
	struct race *r = op->race;

	op->ret = raw_hvc(r, op->cpu, PKVMSIM_HCALL_PKVM_INIT_VCPU, r->handle,
			  (uintptr_t)r->vm.vcpus[0].vcpu,
			  (uintptr_t)r->vcpu_area);
}

/* Load vCPU 0 and leave it loaded: the check puts it. */
static void op_load(void *arg)
{
	struct race_op *op = arg;
	struct race *r = op->race;

	raw_hvc(r, op->cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, r->handle, 0, 0);
	op->loaded = loaded_hyp_vcpu[op->cpu] != NULL;
}

/*
 * Load vCPU 0, look at what was loaded, put it.  Looking is white-box and
 * happens while this CPU holds the baton, so nothing moves underneath.
 */
static void op_load_put(void *arg)
{
	struct race_op *op = arg;
	struct race *r = op->race;
	struct pkvm_hyp_vcpu *hyp_vcpu;

	raw_hvc(r, op->cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, r->handle, 0, 0);
	hyp_vcpu = loaded_hyp_vcpu[op->cpu];
	op->loaded = hyp_vcpu != NULL;
	if (!hyp_vcpu)
		return;

	if (vm_table[r->handle - SIM_HANDLE_OFFSET] != r->hyp_vm) {
		/* Putting now would touch freed memory: report instead. */
		op->loaded_dead = true;
		return;
	}
	op->loaded_partial =
		hyp_vcpu->vcpu.vcpu_idx != 0 ||
		hyp_vcpu->host_vcpu != kern_hyp_va(r->vm.vcpus[0].vcpu);
	raw_hvc(r, op->cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
}

/* --- reserve vs reserve --- */

#define W_RESERVE "reserve: scan and claim of a free slot"

static void reserve_setup(void *ctx, const char *schedule)
{
	race_boot(ctx, W_RESERVE, schedule);
}

static void reserve_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_no_violation(r, W_RESERVE, schedule);

	if (r->a.ret == r->b.ret)
		race_fail(W_RESERVE, schedule,
			  "both CPUs were given handle %#llx",
			  (long long)r->a.ret);
	assert_true(r->a.ret >= SIM_HANDLE_OFFSET);
	assert_true(r->b.ret >= SIM_HANDLE_OFFSET);
	/* Lowest-free: the two handles are the first two. */
	assert_int_equal(r->a.ret + r->b.ret, 2 * SIM_HANDLE_OFFSET + 1);
	assert_int_equal(table_count(SLOT_RESERVED), 2);
	seen.runs++;
	if (r->a.ret < r->b.ret)
		seen.first_wins++;
	else
		seen.second_wins++;

	r->handle = (pkvm_handle_t)r->a.ret;
	op_unreserve(&r->a);
	r->handle = (pkvm_handle_t)r->b.ret;
	op_unreserve(&r->b);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
	race_shutdown(r, W_RESERVE, schedule);
}

/* SPEC 9: two CPUs reserving at once never share a slot (invariant 1). */
static void race_reserve_vs_reserve(void **state)
{
	struct race *r = *state;

	explore(r, op_reserve, op_reserve, reserve_setup, reserve_check);
}

/* --- unreserve vs init_vm --- */

#define W_UNRESERVE_INIT "unreserve racing init_vm"

static void unreserve_init_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_UNRESERVE_INIT, schedule);
	test_vm_alloc(r->sim, &r->vm, 1);
	r->handle = test_vm_reserve(r->sim, &r->vm, 0);
	assert_true(r->handle >= SIM_HANDLE_OFFSET);
	race_alloc_vm_areas(r, 0, 1);
}

static void unreserve_init_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;
	enum slot_state slot = slot_state_of(r->handle);

	race_no_violation(r, W_UNRESERVE_INIT, schedule);

	if (r->a.ret == 0 && slot != SLOT_LIVE)
		race_fail(W_UNRESERVE_INIT, schedule,
			  "init_vm succeeded but the slot is not live");
	if (r->a.ret == -EINVAL && slot != SLOT_FREE)
		race_fail(W_UNRESERVE_INIT, schedule,
			  "init_vm failed but the slot is not free");
	if (r->a.ret != 0 && r->a.ret != -EINVAL)
		race_fail(W_UNRESERVE_INIT, schedule,
			  "init_vm returned %lld", (long long)r->a.ret);
	seen.runs++;
	if (r->a.ret == 0)
		seen.first_wins++;
	else
		seen.second_wins++;

	if (r->a.ret == 0) {
		op_teardown(&r->a);
		assert_int_equal(r->a.ret, 0);
		test_vm_reclaim(&r->vm);
	} else {
		race_free_vm_areas(r, 0, 1);
	}
	test_vm_free(r->sim, &r->vm, 0);
	race_shutdown(r, W_UNRESERVE_INIT, schedule);
}

/*
 * SPEC 9: unreserve only clears a RESERVED slot; an init_vm that loses
 * the race fails cleanly, handing back even the stage-2 PGD unreferenced
 * (the bug 6.18 has on that path).
 */
static void race_unreserve_vs_init_vm(void **state)
{
	struct race *r = *state;

	explore(r, op_init_vm, op_unreserve, unreserve_init_setup,
		unreserve_init_check);
}

/* --- init_vm vs the host rewriting its own struct kvm --- */

#define W_READ_ONCE "init_vm reads the host's handle once"

static void rewrite_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_READ_ONCE, schedule);
	test_vm_alloc(r->sim, &r->vm, 1);
	r->handle = test_vm_reserve(r->sim, &r->vm, 0);
	assert_true(r->handle >= SIM_HANDLE_OFFSET);
	/* A second reservation for a hostile host to point at. */
	r->other_handle = (pkvm_handle_t)raw_hvc(r, 0,
						 PKVMSIM_HCALL_PKVM_RESERVE_VM,
						 0, 0, 0);
	assert_int_equal(r->other_handle, r->handle + 1);
	race_alloc_vm_areas(r, 0, 1);
}

/* The host's memory changes under the hypervisor, as it may at any time. */
static void op_rewrite_handle(void *arg)
{
	struct race_op *op = arg;
	struct race *r = op->race;

	WRITE_ONCE(r->vm.kvm->arch.pkvm.handle, r->other_handle);
}

static void rewrite_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;
	struct pkvm_hyp_vm *hyp_vm;
	pkvm_handle_t landed, spare;

	race_no_violation(r, W_READ_ONCE, schedule);

	/* Both handles were RESERVED: whichever it read, init_vm wins. */
	if (r->a.ret)
		race_fail(W_READ_ONCE, schedule, "init_vm returned %lld",
			  (long long)r->a.ret);
	if (table_count(SLOT_LIVE) != 1 || table_count(SLOT_RESERVED) != 1)
		race_fail(W_READ_ONCE, schedule, "%u slots LIVE, %u RESERVED",
			  table_count(SLOT_LIVE), table_count(SLOT_RESERVED));
	landed = slot_state_of(r->handle) == SLOT_LIVE ? r->handle :
							 r->other_handle;
	spare = landed == r->handle ? r->other_handle : r->handle;
	hyp_vm = live_vm_of(landed);
	/* The handle it checked is the handle it built and inserted. */
	if (hyp_vm->kvm.arch.pkvm.handle != landed ||
	    hyp_vm->kvm.arch.mmu.vmid.id != landed - SIM_HANDLE_OFFSET + 1)
		race_fail(W_READ_ONCE, schedule, "slot 0x%x holds a VM built "
			  "as handle 0x%x, VMID %llu", landed,
			  hyp_vm->kvm.arch.pkvm.handle,
			  (unsigned long long)hyp_vm->kvm.arch.mmu.vmid.id);
	seen.runs++;
	if (landed == r->handle)
		seen.first_wins++;
	else
		seen.second_wins++;

	r->vm.kvm->arch.pkvm.handle = landed;
	r->vm.created = true;
	r->handle = landed;
	op_teardown(&r->a);
	assert_int_equal(r->a.ret, 0);
	test_vm_reclaim(&r->vm);
	r->handle = spare;
	op_unreserve(&r->a);
	test_vm_free(r->sim, &r->vm, 0);
	race_shutdown(r, W_READ_ONCE, schedule);
}

/*
 * SPEC 9: host memory the hypervisor reads (the handle) is read once, so
 * a host that rewrites it mid-call can only choose which of its reserved
 * slots the VM lands in, never make the VM disagree with its slot.
 */
static void race_init_vm_vs_host_rewrite(void **state)
{
	struct race *r = *state;

	explore(r, op_init_vm, op_rewrite_handle, rewrite_setup,
		rewrite_check);
}

/* --- init_vm vs init_vm on one handle --- */

#define W_DOUBLE_INIT "concurrent init_vm on one handle"

static void double_init_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_DOUBLE_INIT, schedule);
	test_vm_alloc(r->sim, &r->vm, 1);
	test_vm_alloc(r->sim, &r->other, 1);
	r->handle = test_vm_reserve(r->sim, &r->vm, 0);
	assert_true(r->handle >= SIM_HANDLE_OFFSET);
	/* A hostile host names the same handle from a second VM. */
	r->other.kvm->arch.pkvm.handle = r->handle;
	race_alloc_vm_areas(r, 0, 1);
	race_alloc_vm_areas(r, 1, 1);
}

static void double_init_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;
	struct test_vm *winner, *loser;
	int loser_areas;

	race_no_violation(r, W_DOUBLE_INIT, schedule);

	if ((r->a.ret == 0) == (r->b.ret == 0))
		race_fail(W_DOUBLE_INIT, schedule,
			  "init_vm returned %lld and %lld: exactly one must win",
			  (long long)r->a.ret, (long long)r->b.ret);
	winner = r->a.ret == 0 ? &r->vm : &r->other;
	loser = r->a.ret == 0 ? &r->other : &r->vm;
	loser_areas = r->a.ret == 0 ? 1 : 0;
	assert_int_equal(r->a.ret == 0 ? r->b.ret : r->a.ret, -EINVAL);
	assert_ptr_equal(live_vm_of(r->handle)->host_kvm,
			 kern_hyp_va(winner->kvm));
	seen.runs++;
	if (winner == &r->vm)
		seen.first_wins++;
	else
		seen.second_wins++;

	race_free_vm_areas(r, loser_areas, 1);
	op_teardown(&r->a);
	assert_int_equal(r->a.ret, 0);
	test_vm_reclaim(winner);
	loser->kvm->arch.pkvm.handle = 0;
	test_vm_free(r->sim, &r->vm, 0);
	test_vm_free(r->sim, &r->other, 0);
	race_shutdown(r, W_DOUBLE_INIT, schedule);
}

/* SPEC 9: only the locked RESERVED->LIVE insert wins (invariant 5). */
static void race_init_vm_vs_init_vm(void **state)
{
	struct race *r = *state;

	explore(r, op_init_vm, op_init_other_vm, double_init_setup,
		double_init_check);
}

/* --- a handle-based operation (TLB flush) vs teardown --- */

#define W_FLUSH_TEARDOWN "handle-based operation vs teardown"

static void op_tlb_flush(void *arg)
{
	struct race_op *op = arg;

	op->ret = raw_hvc(op->race, op->cpu,
			  PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID, op->race->handle,
			  0, 0);
}

static void flush_teardown_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_FLUSH_TEARDOWN, schedule);
	test_vm_create_live(r->sim, &r->vm, 1, 0);
	r->handle = test_vm_handle(&r->vm);
	r->warns = sim_warn_count();
	r->flushes = sim_tlb_flush_count();
}

static void flush_teardown_check(void *ctx, const char *schedule)
{
	uint64_t vmid;
	struct race *r = ctx;
	struct sim_tlb_flush last;

	race_no_violation(r, W_FLUSH_TEARDOWN, schedule);

	vmid = r->handle - SIM_HANDLE_OFFSET + 1;
	/* The flush's own and teardown's: never another VMID, never 0. */
	assert_true(sim_tlb_flush_last(&last));
	if (last.vmid != vmid)
		race_fail(W_FLUSH_TEARDOWN, schedule, "a flush hit VMID %llu, "
			  "not the VM's %llu", (unsigned long long)last.vmid,
			  (unsigned long long)vmid);
	if (r->a.ret == -EBUSY) {
		/* Refused only while the flush held its reference. */
		assert_int_equal(sim_warn_count(), r->warns + 1);
		assert_int_equal(sim_tlb_flush_count(), r->flushes + 1);
		op_teardown(&r->a);
		seen.second_wins++;
	} else {
		seen.first_wins++;
	}
	seen.runs++;
	if (r->a.ret != 0)
		race_fail(W_FLUSH_TEARDOWN, schedule, "teardown returned %lld",
			  (long long)r->a.ret);
	assert_int_equal(slot_state_of(r->handle), SLOT_FREE);
	test_vm_reclaim(&r->vm);
	test_vm_free(r->sim, &r->vm, 0);
	race_shutdown(r, W_FLUSH_TEARDOWN, schedule);
}

/*
 * SPEC 9: a handle-based operation takes its reference under the table
 * lock, so teardown either refuses (-EBUSY) or wins outright, and the
 * flush never touches a VM being freed.
 */
static void race_tlb_flush_vs_teardown(void **state)
{
	struct race *r = *state;

	explore(r, op_teardown, op_tlb_flush, flush_teardown_setup,
		flush_teardown_check);
}

/* --- vCPU load vs teardown --- */

#define W_LOAD_TEARDOWN "vCPU load vs teardown"

static void load_teardown_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_LOAD_TEARDOWN, schedule);
	test_vm_create_live(r->sim, &r->vm, 1, 0);
	r->handle = test_vm_handle(&r->vm);
	r->hyp_vm = live_vm_of(r->handle);
	r->warns = sim_warn_count();
}

static void load_teardown_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_no_violation(r, W_LOAD_TEARDOWN, schedule);

	if (r->a.ret == 0 && r->b.loaded)
		race_fail(W_LOAD_TEARDOWN, schedule,
			  "teardown freed a VM whose vCPU was loaded");
	if (r->a.ret == -EBUSY) {
		/* Refused only because the vCPU was loaded at the time. */
		assert_true(r->b.loaded);
		assert_int_equal(sim_warn_count(), r->warns + 1);
		assert_int_equal(slot_state_of(r->handle), SLOT_LIVE);
		raw_hvc(r, 1, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
		op_teardown(&r->a);
		seen.second_wins++;
	} else {
		/* Teardown came first: the load found nothing to load. */
		assert_false(r->b.loaded);
		seen.first_wins++;
	}
	seen.runs++;
	if (r->a.ret != 0)
		race_fail(W_LOAD_TEARDOWN, schedule, "teardown returned %lld",
			  (long long)r->a.ret);
	assert_int_equal(slot_state_of(r->handle), SLOT_FREE);
	test_vm_reclaim(&r->vm);
	test_vm_free(r->sim, &r->vm, 0);
	race_shutdown(r, W_LOAD_TEARDOWN, schedule);
}

/*
 * SPEC 9: references are taken under the table lock and teardown checks
 * them and frees the slot in one critical section (invariant 8).
 */
static void race_vcpu_load_vs_teardown(void **state)
{
	struct race *r = *state;

	explore(r, op_teardown, op_load, load_teardown_setup,
		load_teardown_check);
}

/* --- vCPU load vs init_vcpu --- */

#define W_LOAD_INIT_VCPU "vCPU load vs init_vcpu"

static void load_init_vcpu_setup(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_boot(r, W_LOAD_INIT_VCPU, schedule);
	test_vm_alloc(r->sim, &r->vm, 1);
	r->handle = test_vm_reserve(r->sim, &r->vm, 0);
	assert_int_equal(test_vm_init(r->sim, &r->vm, 0), 0);
	r->hyp_vm = live_vm_of(r->handle);
	r->vcpu_area = sim_host_alloc_pages(1);
	assert_non_null(r->vcpu_area);
}

static void load_init_vcpu_check(void *ctx, const char *schedule)
{
	struct race *r = ctx;

	race_no_violation(r, W_LOAD_INIT_VCPU, schedule);

	if (r->b.loaded_partial)
		race_fail(W_LOAD_INIT_VCPU, schedule,
			  "a vCPU was loaded before it was initialised");
	assert_int_equal(r->a.ret, 0);
	assert_false(r->b.loaded_dead);
	seen.runs++;
	if (r->b.loaded)
		seen.first_wins++;	/* init_vcpu came first */
	else
		seen.second_wins++;

	op_teardown(&r->a);
	assert_int_equal(r->a.ret, 0);
	test_vm_reclaim(&r->vm);
	test_vm_free(r->sim, &r->vm, 0);
	race_shutdown(r, W_LOAD_INIT_VCPU, schedule);
}

/* SPEC 9: vcpus[] is published under the lock, fully initialised. */
static void race_vcpu_load_vs_init_vcpu(void **state)
{
	struct race *r = *state;

	explore(r, op_init_vcpu, op_load_put, load_init_vcpu_setup,
		load_init_vcpu_check);
}

/* --- the scheduler itself --- */

/*
 * Replaying one schedule twice gives the same trace (DESIGN: replay): the
 * schedule of a DFS run, parsed back, drives the same interleaving.
 */
static void race_schedule_replays_exactly(void **state)
{
	struct race *r = *state;
	const struct sched_thread threads[] = {
		{ .fn = op_teardown, .arg = &r->a, .cpu = 0 },
		{ .fn = op_load, .arg = &r->b, .cpu = 1 },
	};
	struct sched_config cfg = { .kind = SCHED_DFS, .preemptions = 1 };
	struct sched_explorer *x;
	struct sched_result res[3];
	char schedule[3][256];
	int i;

	/* The second DFS run is the first with a preemption in it. */
	assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
	for (i = 0; i < 2; i++) {
		load_teardown_setup(r, "replay");
		assert_int_equal(sched_explorer_run(x, threads, &res[0]), 1);
		assert_true(sched_schedule_format(x, schedule[0], 256) > 0);
		load_teardown_check(r, "replay");
	}
	sched_explorer_destroy(x);
	assert_int_equal(res[0].outcome, SCHED_OK);
	assert_int_equal(res[0].preemptions, 1);

	cfg = (struct sched_config){
		.kind = SCHED_REPLAY,
		.schedule = schedule[0],
	};
	for (i = 1; i < 3; i++) {
		assert_int_equal(sched_explorer_create(&cfg, 2, &x), 0);
		load_teardown_setup(r, "replay");
		assert_int_equal(sched_explorer_run(x, threads, &res[i]), 1);
		assert_true(sched_schedule_format(x, schedule[i], 256) > 0);
		load_teardown_check(r, "replay");
		/* One schedule, one run. */
		assert_int_equal(sched_explorer_run(x, threads, &res[i]), 0);
		sched_explorer_destroy(x);
	}
	for (i = 1; i < 3; i++) {
		assert_int_equal(res[i].outcome, SCHED_OK);
		assert_string_equal(schedule[i], schedule[0]);
		assert_int_equal(res[i].steps, res[0].steps);
		assert_int_equal(res[i].switches, res[0].switches);
		assert_true(res[i].trace_hash == res[0].trace_hash);
	}
}

static int race_state_setup(void **state)
{
	static struct race race;

	*state = &race;
	return 0;
}

static int race_state_teardown(void **state)
{
	struct race *r = *state;

	/* A failed check leaves its simulator behind. */
	if (r->sim)
		pkvmsim_destroy(r->sim);
	r->sim = NULL;
	return 0;
}

#define RACE_TEST(f)	cmocka_unit_test_setup_teardown(f,		\
			race_state_setup, race_state_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		RACE_TEST(race_reserve_vs_reserve),
		RACE_TEST(race_unreserve_vs_init_vm),
		RACE_TEST(race_init_vm_vs_init_vm),
		RACE_TEST(race_init_vm_vs_host_rewrite),
		RACE_TEST(race_vcpu_load_vs_teardown),
		RACE_TEST(race_tlb_flush_vs_teardown),
		RACE_TEST(race_vcpu_load_vs_init_vcpu),
		RACE_TEST(race_schedule_replays_exactly),
	};

	/* One test by name, for the mutant builds. */
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
