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
 * - Raw init_vm / init_vcpu arguments at the top of the address space,
 *   one byte short of a page, odd, or naming hypervisor memory get the
 *   hypervisor's own errno, with no page changing hands; a host structure
 *   at a misaligned address in memory, which C cannot read, is refused as
 *   unmodelled.  UBSan aborts the test if any of it is undefined.
 * - A destroyed VM's struct pkvmsim_vm * is refused with -EINVAL by every
 *   call, even once a new VM takes its memory, and the new VM is intact.
 *
 * The direct transport's refusals are in test_hvc.c; init_vcpu's -ENOMEM
 * on a RESERVED handle in test_oracle.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>
#include "sim_test.h"
#include "machine.h"

/*
 * Freed memory is reused at once, as by glibc's allocator: under ASan
 * too, a destroyed VM's memory goes to the next VM whenever it can, so
 * that a stale pointer would alias it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define HOSTILE_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HOSTILE_ASAN	1
#endif
#endif
#ifdef HOSTILE_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
}
#endif

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

static struct pkvm_hyp_vm *hyp_vm_named(unsigned int handle)
{
	return vm_table[handle - SIM_HANDLE_OFFSET];
}

static unsigned int pins_of(uint64_t hva)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(sim_host_pa((void *)(uintptr_t)hva),
					 &info), 0);
	return info.refcount;
}

/* A hyp VM of @nr_vcpus built by raw calls on a shared struct kvm. */
static unsigned int raw_vm(struct pkvmsim *sim, int nr_vcpus, uint64_t *kvmp)
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
	if (kvmp)
		*kvmp = kvm_hva;
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
	handle = raw_vm(sim, (int)nr, NULL);
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

/* --- raw pointers the hypervisor must refuse without UB --- */

/*
 * Host addresses at which no struct kvm or kvm_vcpu the hypervisor may use
 * lies: outside memory, or hypervisor memory (by its hyp address, or by
 * the host's address of the carve-out, which the host gave away).
 */
static unsigned int bad_addresses(uint64_t *out)
{
	uint64_t host_end = (uintptr_t)sim_arena_host_base() +
			    sim_arena_nr_pages() * SIM_PAGE_SIZE;
	uint64_t table_phys = hyp_virt_to_phys(vm_table);
	unsigned int n = 0;

	out[n++] = ~0ULL;
	out[n++] = ~0ULL - 7;
	out[n++] = ~0ULL - 0xfff;			/* the last page */
	out[n++] = ~0ULL - 0x1000;			/* a page less one */
	out[n++] = 0x7fffffffffffffffULL;
	out[n++] = 0x8000000000000000ULL;
	out[n++] = 0;
	out[n++] = 1;
	out[n++] = 0xfff;
	out[n++] = host_end - 8;			/* runs off the end */
	out[n++] = host_end;
	out[n++] = host_end + 1;
	out[n++] = (uintptr_t)vm_table;
	out[n++] = (uintptr_t)vm_table + 1;
	out[n++] = (uintptr_t)sim_host_va(table_phys);
	/* What a plain host-to-hyp offset would put at the very top. */
	out[n++] = ~0ULL - sim_hyp_va_offset;
	out[n++] = ~0ULL - 0x40 - sim_hyp_va_offset;
	return n;
}

/* No page changed owner, share or pins: compare two walks of the arena. */
static unsigned long arena_digest(void)
{
	unsigned long i, digest = 0;
	struct sim_page_info info;

	for (i = 0; i < sim_arena_nr_pages(); i++) {
		assert_int_equal(sim_ledger_page(SIM_PHYS_BASE +
						 i * SIM_PAGE_SIZE, &info), 0);
		digest = digest * 31 + (unsigned long)info.host_state * 7 +
			 (unsigned long)info.hyp_state * 3 + info.refcount;
	}
	return digest;
}

/*
 * init_vm with a bad struct kvm (x1) is refused by the pin: -EPERM; bad
 * VM or PGD areas (x2, x3) by the donation: -ENOMEM.  init_vcpu with a bad
 * struct kvm_vcpu (x2) is refused by the pin: -EBUSY; a bad vCPU area
 * (x3) by the donation: -ENOMEM.  No page changes hands, the table stands,
 * and the oracle (and the history, recording) read none of it as memory.
 */
static void raw_pointers_at_the_edges(void **state)
{
	struct pkvmsim *sim = boot(0);
	unsigned long vm_pages = pages_of(pkvm_get_hyp_vm_size(1));
	unsigned long pgd_pages = pages_of(kvm_pgtable_stage2_pgd_size(0));
	uint64_t bad[24], kvm_hva, vcpu_hva, vm_area, pgd, area;
	struct pkvmsim_report report;
	unsigned int i, n, live;
	unsigned long digest;
	struct kvm *kvm;

	(void)state;
	live = raw_vm(sim, 1, NULL);
	kvm_hva = host_pages(sim, pages_of(sizeof(struct kvm)), true);
	kvm = (struct kvm *)(uintptr_t)kvm_hva;
	kvm->created_vcpus = 1;
	kvm->arch.pkvm.handle = (unsigned int)sim_hvc(sim, 0, RESERVE, 0, 0,
						     0);
	vm_area = host_pages(sim, vm_pages, false);
	pgd = host_pages(sim, pgd_pages, false);
	vcpu_hva = host_pages(sim, 1, true);
	area = host_pages(sim, 1, false);
	n = bad_addresses(bad);
	assert_int_equal(history_start(sim), 0);
	digest = arena_digest();

	for (i = 0; i < n; i++) {
		if (sim_hvc(sim, 1, INIT_VM, bad[i], vm_area, pgd) != -EPERM)
			fail_msg("init_vm kvm %#llx", (unsigned long long)bad[i]);
		if (sim_hvc(sim, 1, INIT_VM, kvm_hva, bad[i], pgd) != -ENOMEM)
			fail_msg("init_vm area %#llx",
				 (unsigned long long)bad[i]);
		if (sim_hvc(sim, 1, INIT_VM, kvm_hva, vm_area, bad[i]) !=
		    -ENOMEM)
			fail_msg("init_vm pgd %#llx",
				 (unsigned long long)bad[i]);
		if (sim_hvc(sim, 1, INIT_VCPU, live, bad[i], area) != -EBUSY)
			fail_msg("init_vcpu vcpu %#llx",
				 (unsigned long long)bad[i]);
		if (sim_hvc(sim, 1, INIT_VCPU, live, vcpu_hva, bad[i]) !=
		    -ENOMEM)
			fail_msg("init_vcpu area %#llx",
				 (unsigned long long)bad[i]);
	}
	assert_int_equal(arena_digest(), digest);
	assert_int_equal(slot_state_of(kvm->arch.pkvm.handle), SLOT_RESERVED);
	assert_null(hyp_vm_named(live)->vcpus[0]);
	history_cancel(sim);
	/* The pages this test holds are away from home: no violation. */
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 0);

	/* The machine carries on: the VMs go as usual. */
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, live,
				 0, 0), 0);
	sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, kvm->arch.pkvm.handle,
		0, 0);
	assert_int_equal(slot_state_of(kvm->arch.pkvm.handle), SLOT_FREE);
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 0);
	/* Only the raw pages this test never gave back are away. */
	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
}

/*
 * A struct kvm or kvm_vcpu at a misaligned address in memory (one byte
 * into a shared page, where the pin would succeed; the arena's last
 * byte): EL2 reads it unaligned, C cannot.  The machine does not run the
 * call and reports that, naming the call; nothing changes, and the
 * machine carries on.
 */
static void misaligned_host_struct_is_unmodelled(void **state)
{
	struct pkvmsim *sim = boot(0);
	unsigned long vm_pages = pages_of(pkvm_get_hyp_vm_size(1));
	unsigned long pgd_pages = pages_of(kvm_pgtable_stage2_pgd_size(0));
	uint64_t kvm_hva, vcpu_hva, area, vm_area, pgd, host_end;
	struct pkvmsim_report report;
	unsigned int handle, i;
	unsigned long digest;

	(void)state;
	handle = raw_vm(sim, 1, &kvm_hva);
	vcpu_hva = host_pages(sim, 1, true);
	area = host_pages(sim, 1, false);
	vm_area = host_pages(sim, vm_pages, false);
	pgd = host_pages(sim, pgd_pages, false);
	host_end = (uintptr_t)sim_arena_host_base() +
		   sim_arena_nr_pages() * SIM_PAGE_SIZE;
	/* The history reads what the calls name, as the oracle does. */
	assert_int_equal(history_start(sim), 0);
	digest = arena_digest();

	assert_int_equal(raw(sim, 1, INIT_VM, kvm_hva + 1, vm_area, pgd, NULL),
			 -EFAULT);
	assert_int_equal(raw(sim, 1, INIT_VM, host_end - 1, vm_area, pgd,
			     NULL), -EFAULT);
	assert_int_equal(raw(sim, 1, INIT_VCPU, handle, vcpu_hva + 4, area,
			     NULL), -EFAULT);
	assert_int_equal(arena_digest(), digest);
	history_cancel(sim);
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(report.violations[i].invariant,
				 PKVMSIM_INV_UNMODELLED);
		assert_string_equal(report.violations[i].op, i < 2 ?
				    "__pkvm_init_vm" : "__pkvm_init_vcpu");
	}

	/* The same vCPU, aligned, is initialised. */
	assert_int_equal(sim_hvc(sim, 1, INIT_VCPU, handle, vcpu_hva, area),
			 0);
	assert_int_equal(pkvmsim_destroy(sim), -EUCLEAN);
}

/* --- stale VM pointers --- */

#define STALE_BATCH	16
#define STALE_ROUNDS	16

/* Every call on a destroyed VM's pointer is refused. */
static void assert_stale(struct pkvmsim_vm *vm)
{
	struct pkvmsim_vm_args args;

	assert_int_equal(pkvmsim_vm_destroy(vm, 1), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_create(vm, 1, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_run(vm, 1, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_ioctl(vm, 1, 0), -EINVAL);
	assert_int_equal(pkvmsim_vcpu_put(vm, 1, 0), -EINVAL);
	assert_int_equal(pkvmsim_mmu_notify(vm, 1), -EINVAL);
	assert_int_equal(pkvmsim_vm_hyp_args(vm, &args), -EINVAL);
	assert_int_equal(pkvmsim_vm_handle(vm), 0);
	assert_int_equal(pkvmsim_vm_id(vm), 0);
	assert_false(pkvmsim_vm_is_created(vm));
}

/*
 * pkvmsim.h: a stale @vm is refused with -EINVAL.  Batches of VMs come
 * and go, each new batch taking the memory the last one freed where the
 * allocator will; after each, every pointer ever destroyed is refused by
 * every call, and the live VMs are untouched by it and still work.
 */
static void stale_vm_is_refused(void **state)
{
	static struct pkvmsim_vm *stale[STALE_BATCH * (STALE_ROUNDS + 1)];
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_vm *live[STALE_BATCH];
	unsigned int handle[STALE_BATCH];
	unsigned int round, i, nr_stale = 0, j;

	for (round = 0; round <= STALE_ROUNDS; round++) {
		for (i = 0; i < STALE_BATCH; i++) {
			assert_int_equal(pkvmsim_vm_create(sim, 0, &live[i]),
					 0);
			handle[i] = pkvmsim_vm_handle(live[i]);
		}
		for (j = 0; j < nr_stale; j++)
			assert_stale(stale[j]);
		for (i = 0; i < STALE_BATCH; i++) {
			assert_int_equal(pkvmsim_vm_handle(live[i]), handle[i]);
			assert_int_equal(slot_state_of(handle[i]),
					 SLOT_RESERVED);
			assert_int_equal(pkvmsim_vcpu_create(live[i], 0, 0), 0);
			assert_int_equal(pkvmsim_vcpu_run(live[i], 0, 0), 0);
			assert_true(pkvmsim_vm_is_created(live[i]));
			assert_int_equal(pkvmsim_vm_destroy(live[i], 0), 0);
			assert_int_equal(slot_state_of(handle[i]), SLOT_FREE);
			stale[nr_stale++] = live[i];
		}
	}
	for (j = 0; j < nr_stale; j++)
		assert_stale(stale[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pin_count_overflow_stops_the_machine),
		cmocka_unit_test(dead_machine_refuses_everything),
		cmocka_unit_test(bug_on_a_fiber_ends_the_schedule),
		cmocka_unit_test(raw_pointers_at_the_edges),
		cmocka_unit_test(misaligned_host_struct_is_unmodelled),
		SIM_TEST(stale_vm_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
