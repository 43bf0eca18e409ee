// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace backing of the kernel-dialect primitives (src/env,
 * DESIGN "Memory and the hypervisor's view of it", "Rules", "The
 * controlled scheduler"):
 * - the page ledger: refused donations, pins, returns, unshares and
 *   shares, each recorded with page, function and states; a missing
 *   kern_hyp_va() caught as "not memory";
 * - the leak report and the host allocator's misuse checks (double free,
 *   freeing a donated page, giving a referenced page back);
 * - the arena's two views and the host PA/VA translation;
 * - the owner-tracking lock behind hyp_assert_lock_held(), WARN_ON and
 *   BUG_ON records;
 * - scheduling points of locks, READ_ONCE/WRITE_ONCE, acquire/release,
 *   hypercall entry/exit and ledger transitions;
 * - hyp memcache push/pop.
 *
 * White-box calls into src/hyp run as simulated CPU 0 and take hyp VAs
 * (host VA + sim_hyp_va_offset, i.e. kern_hyp_va()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim_test.h"
#include "asm/barrier.h"
#include "asm/bug.h"
#include "asm/kvm_mmu.h"
#include "linux/mutex.h"
#include "nvhe/memory.h"
#include "nvhe/spinlock.h"

static void *hyp_va_of(void *host_va)
{
	return kern_hyp_va(host_va);
}

static void page_info(const void *host_va, struct sim_page_info *info)
{
	assert_int_equal(sim_ledger_page(sim_host_pa(host_va), info), 0);
}

static void assert_states(const void *host_va, int host, int hyp,
			  unsigned int refs)
{
	struct sim_page_info info;

	page_info(host_va, &info);
	assert_int_equal(info.host_state, host);
	assert_int_equal(info.hyp_state, hyp);
	assert_int_equal(info.refcount, refs);
}

/*
 * The newest event of @kind must be about @phys, made on CPU 0, with @err
 * and from @func unless those are 0/NULL, and mention @what if given.
 */
static void assert_last_event(enum sim_ledger_kind kind, unsigned long count,
			      uint64_t phys, int err, const char *func,
			      const char *what)
{
	struct sim_ledger_event ev;

	assert_int_equal(sim_ledger_count(kind), count);
	assert_true(sim_ledger_event(kind, 0, &ev));
	assert_int_equal(ev.kind, kind);
	assert_int_equal(ev.phys, phys);
	if (err)
		assert_int_equal(ev.err, err);
	assert_int_equal(ev.cpu, 0);
	assert_non_null(ev.func);
	if (func)
		assert_string_equal(ev.func, func);
	if (what && !strstr(ev.what, what))
		fail_msg("event \"%s\" does not mention \"%s\"", ev.what, what);
}

/* Pages away from home, the boot carve-out (the VM table) excepted. */
static unsigned long leaks(char *buf, size_t len)
{
	return sim_ledger_leaks(hyp_virt_to_phys(vm_table), 1, buf, len);
}

/* The line of the leak report about @phys, copied into @line. */
static void leak_line(const char *report, uint64_t phys, char *line,
		      size_t len)
{
	char needle[64];
	const char *start, *end;

	snprintf(needle, sizeof(needle), "page %#" PRIx64 " ", phys);
	start = strstr(report, needle);
	if (!start)
		fail_msg("no leak line for %s in:\n%s", needle, report);
	end = strchr(start, '\n');
	if (!end)
		end = start + strlen(start);
	assert_true((size_t)(end - start) < len);
	memcpy(line, start, (size_t)(end - start));
	line[end - start] = '\0';
}

static char report_buf[32768];

/* --- ledger refusals --- */

/* DESIGN "Memory": donating a page the host does not own is refused. */
static void donating_an_unowned_page_is_refused(void **state)
{
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);
	void *page = sim_host_alloc_pages(1);
	uint64_t pfn = sim_host_pfn(page);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_equal(__pkvm_host_donate_hyp(pfn, 1), 0);
	assert_states(page, PKVM_NOPAGE, PKVM_PAGE_OWNED, 0);

	assert_int_equal(__pkvm_host_donate_hyp(pfn, 1), -EPERM);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, sim_host_pa(page),
			  -EPERM, "__pkvm_host_donate_hyp", "NOPAGE");
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, sim_host_pa(page),
			  -EPERM, "__pkvm_host_donate_hyp", "OWNED");
	/* Refused means unchanged. */
	assert_states(page, PKVM_NOPAGE, PKVM_PAGE_OWNED, 0);

	assert_int_equal(__pkvm_hyp_donate_host(pfn, 1), 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* DESIGN "Memory": returning a page twice is refused. */
static void returning_a_page_twice_is_refused(void **state)
{
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);
	void *page = sim_host_alloc_pages(1);
	uint64_t pfn = sim_host_pfn(page);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_equal(__pkvm_host_donate_hyp(pfn, 1), 0);
	assert_int_equal(__pkvm_hyp_donate_host(pfn, 1), 0);
	assert_states(page, PKVM_PAGE_OWNED, PKVM_NOPAGE, 0);

	assert_int_equal(__pkvm_hyp_donate_host(pfn, 1), -EPERM);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, sim_host_pa(page),
			  -EPERM, "__pkvm_hyp_donate_host", "NOPAGE");
	assert_states(page, PKVM_PAGE_OWNED, PKVM_NOPAGE, 0);

	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* DESIGN "Memory": pinning a page that is not shared is refused. */
static void pinning_an_unshared_page_is_refused(void **state)
{
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);
	char *page = sim_host_alloc_pages(1);
	char *hyp = hyp_va_of(page);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_equal(hyp_pin_shared_mem(hyp, hyp + SIM_PAGE_SIZE), -EPERM);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, sim_host_pa(page),
			  -EPERM, "hyp_pin_shared_mem", "SHARED_OWNED");
	assert_states(page, PKVM_PAGE_OWNED, PKVM_NOPAGE, 0);

	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* SPEC 3 (pins stop the host unsharing): unshare of a pinned page -EBUSY. */
static void unsharing_a_pinned_page_is_ebusy(void **state)
{
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);
	char *page = sim_host_alloc_pages(1);
	char *hyp = hyp_va_of(page);
	uint64_t pfn = sim_host_pfn(page);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_equal(__pkvm_host_share_hyp(pfn), 0);
	assert_int_equal(hyp_pin_shared_mem(hyp, hyp + SIM_PAGE_SIZE), 0);
	assert_states(page, PKVM_PAGE_SHARED_OWNED, PKVM_PAGE_SHARED_BORROWED,
		      1);

	assert_int_equal(__pkvm_host_unshare_hyp(pfn), -EBUSY);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, sim_host_pa(page),
			  -EBUSY, "__pkvm_host_unshare_hyp", NULL);
	assert_states(page, PKVM_PAGE_SHARED_OWNED, PKVM_PAGE_SHARED_BORROWED,
		      1);

	hyp_unpin_shared_mem(hyp, hyp + SIM_PAGE_SIZE);
	assert_int_equal(__pkvm_host_unshare_hyp(pfn), 0);
	assert_states(page, PKVM_PAGE_OWNED, PKVM_NOPAGE, 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* DESIGN "Memory": a pfn outside the arena is not memory: no share. */
static void sharing_a_non_memory_pfn_is_refused(void **state)
{
	const uint64_t first = SIM_PHYS_BASE / SIM_PAGE_SIZE;
	const uint64_t past = first + sim_arena_nr_pages();
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_equal(__pkvm_host_share_hyp(0), -EPERM);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 1, 0, -EPERM,
			  "__pkvm_host_share_hyp", "not memory");
	assert_int_equal(__pkvm_host_share_hyp(first - 1), -EPERM);
	assert_int_equal(__pkvm_host_share_hyp(past), -EPERM);
	assert_last_event(SIM_LEDGER_REFUSED, refused + 3,
			  past * SIM_PAGE_SIZE, -EPERM,
			  "__pkvm_host_share_hyp", "not memory");
	/* The last arena page is memory. */
	assert_int_equal(__pkvm_host_share_hyp(past - 1), 0);
	assert_int_equal(__pkvm_host_unshare_hyp(past - 1), 0);
}

/*
 * DESIGN "Memory": kern_hyp_va() has a non-zero offset, so a host VA the
 * hyp code forgot to convert is not memory in the hyp view.
 */
static void missing_kern_hyp_va_is_caught(void **state)
{
	unsigned long refused = sim_ledger_count(SIM_LEDGER_REFUSED);
	char *page = sim_host_alloc_pages(1);
	char *hyp = hyp_va_of(page);
	uint64_t pfn = sim_host_pfn(page);

	(void)state;
	sim_set_this_cpu(0);

	assert_int_not_equal(sim_hyp_va_offset, 0);
	assert_int_equal(__pkvm_host_share_hyp(pfn), 0);

	assert_int_equal(hyp_pin_shared_mem(page, page + SIM_PAGE_SIZE),
			 -EPERM);
	assert_int_equal(sim_ledger_count(SIM_LEDGER_REFUSED), refused + 1);
	assert_states(page, PKVM_PAGE_SHARED_OWNED, PKVM_PAGE_SHARED_BORROWED,
		      0);

	/* The same page through the hyp view pins fine. */
	assert_int_equal(hyp_pin_shared_mem(hyp, hyp + SIM_PAGE_SIZE), 0);
	assert_states(page, PKVM_PAGE_SHARED_OWNED, PKVM_PAGE_SHARED_BORROWED,
		      1);
	hyp_unpin_shared_mem(hyp, hyp + SIM_PAGE_SIZE);

	assert_int_equal(__pkvm_host_unshare_hyp(pfn), 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* --- the leak report and host allocator checks --- */

/*
 * DESIGN "Memory": a page left away from home is a leak reported with the
 * operation that took it: the function and the hypercall in flight.
 */
static void leak_report_names_the_taker(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	char line[256];
	struct test_vm vm;
	unsigned long n;

	test_vm_create_live(sim, &vm, 1, 0);
	hyp_vm = live_vm_of(test_vm_handle(&vm));

	n = leaks(report_buf, sizeof(report_buf));
	assert_true(n > 0);

	leak_line(report_buf, hyp_virt_to_phys(hyp_vm), line, sizeof(line));
	assert_non_null(strstr(line, "__pkvm_host_donate_hyp"));
	assert_non_null(strstr(line, "__pkvm_init_vm"));

	leak_line(report_buf, hyp_virt_to_phys(hyp_vm->vcpus[0]), line,
		  sizeof(line));
	assert_non_null(strstr(line, "__pkvm_host_donate_hyp"));
	assert_non_null(strstr(line, "__pkvm_init_vcpu"));

	/* Unskipped, the carve-out is the one more page, taken at boot. */
	assert_int_equal(sim_ledger_leaks(0, 0, report_buf,
					  sizeof(report_buf)), n + 1);
	leak_line(report_buf, hyp_virt_to_phys(vm_table), line, sizeof(line));
	assert_non_null(strstr(line, "__pkvm_host_donate_hyp"));
	assert_non_null(strstr(line, "__pkvm_init"));
	assert_null(strstr(line, "__pkvm_init_v"));

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
	assert_int_equal(leaks(NULL, 0), 0);
}

/* DESIGN "Memory": a host page allocated and never freed is a leak. */
static void unfreed_host_page_is_a_leak(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report report;
	char line[256];
	void *page;

	assert_int_equal(leaks(NULL, 0), 0);
	page = sim_host_alloc_pages(1);
	assert_non_null(page);

	assert_int_equal(leaks(report_buf, sizeof(report_buf)), 1);
	leak_line(report_buf, sim_host_pa(page), line, sizeof(line));
	assert_non_null(strstr(line, "allocated"));

	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_leaked_pages, 1);
	assert_int_equal(report.nr_violations, 0);

	assert_int_equal(sim_host_free_pages(page, 1), 0);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
}

/* sim_env.h allocator: freeing a page twice is a violation, -EINVAL. */
static void host_double_free_is_a_violation(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report report;
	void *page = sim_host_alloc_pages(1);

	sim_set_this_cpu(0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
	assert_int_equal(sim_host_free_pages(page, 1), -EINVAL);

	assert_last_event(SIM_LEDGER_VIOLATION, 1, sim_host_pa(page), -EINVAL,
			  NULL, "double free");
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 1);
	assert_int_equal(report.nr_leaked_pages, 0);
}

/* sim_env.h allocator: freeing a page the hyp owns is a violation. */
static void host_freeing_a_donated_page_is_a_violation(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report report;
	void *page = sim_host_alloc_pages(1);
	uint64_t pfn = sim_host_pfn(page);
	struct sim_page_info info;

	sim_set_this_cpu(0);
	assert_int_equal(__pkvm_host_donate_hyp(pfn, 1), 0);
	assert_int_equal(sim_host_free_pages(page, 1), -EPERM);
	assert_last_event(SIM_LEDGER_VIOLATION, 1, sim_host_pa(page), -EPERM,
			  NULL, "NOPAGE");

	/* The refused free left the page allocated. */
	page_info(page, &info);
	assert_true(info.allocated);
	assert_int_equal(info.hyp_state, PKVM_PAGE_OWNED);

	assert_int_equal(__pkvm_hyp_donate_host(pfn, 1), 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 1);
	assert_int_equal(report.nr_leaked_pages, 0);
}

/*
 * DESIGN "Memory" / SPEC 3 (the 6.18 init_vm bug): a page given back to
 * the host while the hyp holds a reference on it is a violation.
 */
static void giving_back_a_referenced_page_is_a_violation(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_report report;
	void *page = sim_host_alloc_pages(1);
	uint64_t pfn = sim_host_pfn(page);
	struct hyp_page *hp = hyp_virt_to_page(hyp_va_of(page));
	int ret;

	sim_set_this_cpu(0);
	assert_int_equal(__pkvm_host_donate_hyp(pfn, 1), 0);
	hyp_page_ref_inc(hp);

	ret = __pkvm_hyp_donate_host(pfn, 1);
	assert_last_event(SIM_LEDGER_VIOLATION, 1, sim_host_pa(page), 0,
			  "__pkvm_hyp_donate_host", "reference");
	assert_int_equal(pkvmsim_check(sim, &report), -EUCLEAN);
	assert_int_equal(report.nr_violations, 1);
	assert_non_null(strstr(report.text, "reference"));

	hyp_page_ref_dec(hp);
	if (ret)
		assert_int_equal(__pkvm_hyp_donate_host(pfn, 1), 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* --- the arena --- */

/*
 * DESIGN "Memory": one memory, two views: what the host writes the hyp
 * reads at kern_hyp_va(); host PA and VA translate both ways.
 */
static void arena_is_mapped_twice(void **state)
{
	uint64_t nr = sim_arena_nr_pages();
	char *base = sim_arena_host_base();
	volatile uint64_t *host, *hyp;
	uint64_t pa;
	void *page;
	int local;

	(void)state;

	assert_int_equal(nr, PKVMSIM_DEFAULT_ARENA_PAGES);
	assert_ptr_equal((char *)sim_arena_hyp_base(),
			 base + sim_hyp_va_offset);

	page = sim_host_alloc_pages(1);
	assert_non_null(page);
	host = page;
	hyp = hyp_va_of(page);
	assert_ptr_not_equal(host, hyp);

	host[1] = 0x1234567890abcdefULL;
	assert_int_equal(hyp[1], 0x1234567890abcdefULL);
	hyp[2] = 42;
	assert_int_equal(host[2], 42);

	pa = sim_host_pa(page);
	assert_true(pa >= SIM_PHYS_BASE);
	assert_true(pa < SIM_PHYS_BASE + nr * SIM_PAGE_SIZE);
	assert_int_equal(pa % SIM_PAGE_SIZE, 0);
	assert_ptr_equal(sim_host_va(pa), page);
	assert_int_equal(sim_host_pfn(page), pa / SIM_PAGE_SIZE);
	assert_int_equal(sim_host_pa((char *)page + 5), pa + 5);
	/* Both views name the same physical page. */
	assert_int_equal(hyp_virt_to_phys((void *)hyp), pa);
	assert_ptr_equal(hyp_phys_to_virt(pa), (void *)hyp);

	/* Outside the arena. */
	assert_int_equal(sim_host_pa(&local), ~0ULL);
	assert_int_equal(sim_host_pa(base - 1), ~0ULL);
	assert_int_equal(sim_host_pa(base + nr * SIM_PAGE_SIZE), ~0ULL);
	assert_int_equal(sim_host_pa(NULL), ~0ULL);
	assert_null(sim_host_va(0));
	assert_null(sim_host_va(SIM_PHYS_BASE - 1));
	assert_null(sim_host_va(SIM_PHYS_BASE + nr * SIM_PAGE_SIZE));
	assert_null(sim_host_va(~0ULL));

	/* The allocator hands out zeroed pages. */
	assert_int_equal(sim_host_free_pages(page, 1), 0);
	page = sim_host_alloc_pages(1);
	assert_non_null(page);
	assert_int_equal(((uint64_t *)page)[1], 0);
	assert_int_equal(((uint64_t *)page)[2], 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* --- lock, WARN, BUG --- */

/*
 * DESIGN "Rules": the hyp spinlock records its owner, and
 * hyp_assert_lock_held() checks that *this* CPU holds it.
 */
static void assert_lock_held_checks_the_owner(void **state)
{
	hyp_spinlock_t lock;
	unsigned long bugs;

	(void)state;

	sim_set_this_cpu(0);
	hyp_spin_lock_init(&lock);
	assert_int_equal(lock.lock.owner, -1);

	/* Nobody holds it. */
	expect_hyp_bug(hyp_assert_lock_held(&lock));

	hyp_spin_lock(&lock);
	assert_int_equal(lock.lock.owner, 0);
	bugs = sim_bug_count();
	hyp_assert_lock_held(&lock);
	assert_int_equal(sim_bug_count(), bugs);
	assert_true(hyp_spin_is_locked_by_me(&lock));

	/* Another CPU holds it. */
	sim_set_this_cpu(1);
	assert_false(hyp_spin_is_locked_by_me(&lock));
	expect_hyp_bug(hyp_assert_lock_held(&lock));

	sim_set_this_cpu(0);
	hyp_spin_unlock(&lock);
	assert_int_equal(lock.lock.owner, -1);
	assert_int_equal(lock.lock.locked, 0);
	expect_hyp_bug(hyp_assert_lock_held(&lock));

	/* Taken on CPU 2, the lock says so. */
	sim_set_this_cpu(2);
	hyp_spin_lock(&lock);
	assert_int_equal(lock.lock.owner, 2);
	hyp_spin_unlock(&lock);
	sim_set_this_cpu(0);
}

/* DESIGN "Rules": the host mutex is the same owner-tracking lock. */
static void lockdep_assert_held_checks_the_owner(void **state)
{
	struct mutex m;

	(void)state;

	sim_set_this_cpu(3);
	mutex_init(&m);
	expect_hyp_bug(lockdep_assert_held(&m));
	mutex_lock(&m);
	assert_int_equal(m.lock.owner, 3);
	lockdep_assert_held(&m);
	sim_set_this_cpu(0);
	expect_hyp_bug(lockdep_assert_held(&m));
	sim_set_this_cpu(3);
	mutex_unlock(&m);
	sim_set_this_cpu(0);
}

/*
 * asm/bug.h: WARN_ON() is its condition; when true it records file, line
 * and condition and counts, and pkvmsim_check() reports the count.
 */
static void warn_on_records_file_and_line(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long warns = sim_warn_count();
	struct pkvmsim_report report;
	volatile int answer = 42;
	char where[64];
	int line, ret;

	ret = WARN_ON(answer != 42);
	assert_int_equal(ret, 0);
	assert_int_equal(sim_warn_count(), warns);

	line = __LINE__ + 1;
	ret = WARN_ON(answer == 42);
	assert_int_equal(ret, 1);
	assert_int_equal(sim_warn_count(), warns + 1);
	snprintf(where, sizeof(where), "test_env.c:%d: answer == 42", line);
	if (!strstr(sim_last_warn(), where))
		fail_msg("last warning \"%s\" lacks \"%s\"", sim_last_warn(),
			 where);

	assert_int_equal(pkvmsim_check(sim, &report), 0);
	assert_int_equal(report.nr_warnings, warns + 1);
}

static volatile int bug_line;
static char bug_file[256];
static char bug_cond[64];

static void recording_bug_handler(const char *file, int line,
				  const char *cond)
{
	bug_line = line;
	snprintf(bug_file, sizeof(bug_file), "%s", file);
	snprintf(bug_cond, sizeof(bug_cond), "%s", cond);
	longjmp(sim_bug_jmp, 1);
}

/*
 * asm/bug.h: BUG_ON() reaches the installed handler with file, line and
 * condition (without one it aborts, which is not tested here); a false
 * condition does nothing.  The refcount helpers BUG on underflow.
 */
static void bug_on_reaches_the_handler(void **state)
{
	unsigned long bugs = sim_bug_count();
	volatile int zero = 0;
	volatile int line = 0;
	char *page;

	(void)state;

	BUG_ON(zero);
	assert_int_equal(sim_bug_count(), bugs);

	sim_set_bug_handler(recording_bug_handler);
	if (!setjmp(sim_bug_jmp)) {
		line = __LINE__ + 1;
		BUG_ON(zero == 0);
		sim_set_bug_handler(NULL);
		fail_msg("BUG_ON(zero == 0) returned");
	}
	sim_set_bug_handler(NULL);
	assert_int_equal(sim_bug_count(), bugs + 1);
	assert_int_equal(bug_line, line);
	assert_string_equal(bug_cond, "zero == 0");
	assert_non_null(strstr(bug_file, "test_env.c"));

	/* A reference dropped that was never taken. */
	page = sim_host_alloc_pages(1);
	assert_non_null(page);
	expect_hyp_bug(hyp_page_ref_dec(hyp_virt_to_page(hyp_va_of(page))));
	assert_states(page, PKVM_PAGE_OWNED, PKVM_NOPAGE, 0);
	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

/* --- scheduling points --- */

#define POINT_LOG	8192

static unsigned long point_count[SIM_POINT_NR];
static struct {
	enum sim_point	point;
	const void	*addr;
	const char	*where;
} point_log[POINT_LOG];
static unsigned long point_logged;

static void counting_hook(enum sim_point point, const void *addr,
			  const char *where)
{
	assert_true((unsigned int)point < SIM_POINT_NR);
	point_count[point]++;
	if (point_logged < POINT_LOG) {
		point_log[point_logged].point = point;
		point_log[point_logged].addr = addr;
		point_log[point_logged].where = where;
		point_logged++;
	}
}

static void hook_install(void)
{
	memset(point_count, 0, sizeof(point_count));
	point_logged = 0;
	sim_sched_point_hook = counting_hook;
}

static void hook_remove(void)
{
	sim_sched_point_hook = NULL;
}

static bool point_seen(enum sim_point point, const void *addr)
{
	unsigned long i;

	for (i = 0; i < point_logged; i++)
		if (point_log[i].point == point && point_log[i].addr == addr)
			return true;
	return false;
}

/* Where the first @point on @addr was passed, "file:line"; NULL if not. */
static const char *point_where(enum sim_point point, const void *addr)
{
	unsigned long i;

	for (i = 0; i < point_logged; i++)
		if (point_log[i].point == point && point_log[i].addr == addr)
			return point_log[i].where;
	return NULL;
}

/* Never leave the hook installed past a test, even a failing one. */
static int hook_teardown(void **state)
{
	hook_remove();
	return sim_teardown_clean(state);
}

/*
 * DESIGN "The controlled scheduler": a hypercall passes scheduling points
 * at entry and exit, at every lock acquire/release and at every ledger
 * transition, all reachable from src/env without touching src/hyp.
 */
static void hypercalls_pass_scheduling_points(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	void *page = sim_host_alloc_pages(1);
	uint64_t pfn = sim_host_pfn(page);
	int handle;

	hook_install();
	handle = sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);
	sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, handle, 0, 0);
	assert_int_equal(sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP,
				 pfn, 0, 0), 0);
	assert_int_equal(sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
				 pfn, 0, 0), 0);
	hook_remove();

	assert_int_equal(handle, 0x1000);
	assert_int_equal(point_count[SIM_POINT_HVC_ENTRY], 4);
	assert_int_equal(point_count[SIM_POINT_HVC_EXIT], 4);
	assert_true(point_count[SIM_POINT_LOCK_ACQUIRE] >= 2);
	assert_int_equal(point_count[SIM_POINT_LOCK_ACQUIRE],
			 point_count[SIM_POINT_LOCK_RELEASE]);
	assert_int_equal(point_count[SIM_POINT_LOCK_BLOCKED], 0);
	assert_true(point_seen(SIM_POINT_LOCK_ACQUIRE, &vm_table_lock.lock));
	assert_true(point_seen(SIM_POINT_LOCK_RELEASE, &vm_table_lock.lock));
	/* A trace names the hyp's own line that takes the lock. */
	assert_non_null(strstr(point_where(SIM_POINT_LOCK_ACQUIRE,
					   &vm_table_lock.lock),
			       "src/hyp/pkvm.c:"));
	assert_true(point_count[SIM_POINT_LEDGER] >= 2);
	assert_true(point_seen(SIM_POINT_LEDGER,
			       (const void *)(uintptr_t)sim_host_pa(page)));
	/* The first point of a call is its entry, the last its exit. */
	assert_int_equal(point_log[0].point, SIM_POINT_HVC_ENTRY);
	assert_int_equal(point_log[point_logged - 1].point, SIM_POINT_HVC_EXIT);

	/* Uninstalled, nothing more is reported. */
	memset(point_count, 0, sizeof(point_count));
	handle = sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);
	sim_hvc(sim, 1, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, handle, 0, 0);
	assert_int_equal(point_count[SIM_POINT_HVC_ENTRY], 0);
	assert_int_equal(point_count[SIM_POINT_LOCK_ACQUIRE], 0);

	assert_int_equal(sim_host_free_pages(page, 1), 0);
}

static int shared_word;

/*
 * DESIGN "The controlled scheduler": READ_ONCE/WRITE_ONCE, acquire loads,
 * release stores and lock operations are scheduling points on their
 * address, and keep their value semantics.
 */
static void accessors_are_scheduling_points(void **state)
{
	hyp_spinlock_t lock;
	int v;

	(void)state;

	hyp_spin_lock_init(&lock);
	hook_install();
	WRITE_ONCE(shared_word, 5);
	v = READ_ONCE(shared_word);
	assert_int_equal(v, 5);
	smp_store_release(&shared_word, 7);
	v = smp_load_acquire(&shared_word);
	assert_int_equal(v, 7);
	hyp_spin_lock(&lock);
	hyp_spin_unlock(&lock);
	hook_remove();

	assert_int_equal(point_logged, 6);
	assert_int_equal(point_log[0].point, SIM_POINT_WRITE_ONCE);
	assert_int_equal(point_log[1].point, SIM_POINT_READ_ONCE);
	assert_int_equal(point_log[2].point, SIM_POINT_STORE_RELEASE);
	assert_int_equal(point_log[3].point, SIM_POINT_LOAD_ACQUIRE);
	assert_int_equal(point_log[4].point, SIM_POINT_LOCK_ACQUIRE);
	assert_int_equal(point_log[5].point, SIM_POINT_LOCK_RELEASE);
	assert_ptr_equal(point_log[0].addr, &shared_word);
	assert_ptr_equal(point_log[1].addr, &shared_word);
	assert_ptr_equal(point_log[2].addr, &shared_word);
	assert_ptr_equal(point_log[3].addr, &shared_word);
	assert_ptr_equal(point_log[4].addr, &lock.lock);
	assert_ptr_equal(point_log[5].addr, &lock.lock);
}

/*
 * DESIGN "The controlled scheduler" / SPEC 9: the hyp code's own shared
 * accesses reach the hook: the read-once of the host's created_vcpus, the
 * release store that publishes vcpus[idx] and the acquire load in
 * vcpu_load, and the per-CPU write of the loaded vCPU.
 */
static void hyp_shared_accesses_are_scheduling_points(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t handle;

	hook_install();
	test_vm_create_live(sim, &vm, 1, 0);
	handle = test_vm_handle(&vm);
	sim_hvc_regs(sim, 1, PKVMSIM_HCALL_PKVM_VCPU_LOAD, handle, 0, 0);
	sim_hvc_regs(sim, 1, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
	hook_remove();

	assert_true(point_logged < POINT_LOG);
	hyp_vm = live_vm_of(handle);
	assert_true(point_seen(SIM_POINT_READ_ONCE,
			       hyp_va_of(&vm.kvm->created_vcpus)));
	assert_true(point_seen(SIM_POINT_STORE_RELEASE, &hyp_vm->vcpus[0]));
	assert_true(point_seen(SIM_POINT_LOAD_ACQUIRE, &hyp_vm->vcpus[0]));
	assert_true(point_seen(SIM_POINT_WRITE_ONCE, &loaded_hyp_vcpu[1]));

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* --- memcache --- */

static phys_addr_t host_to_pa(void *va)
{
	return sim_host_pa(va);
}

static void *host_to_va(phys_addr_t pa)
{
	return sim_host_va(pa);
}

/*
 * asm/kvm_host.h: a memcache is a stack of pages linked by physical
 * address through their first word, so either side can walk it with its
 * own translation.
 */
static void memcache_push_pop_round_trip(void **state)
{
	struct kvm_hyp_memcache mc = { 0 };
	uint64_t *pages[3];
	int i;

	(void)state;

	for (i = 0; i < 3; i++) {
		pages[i] = sim_host_alloc_pages(1);
		assert_non_null(pages[i]);
		push_hyp_memcache(&mc, pages[i], host_to_pa);
		assert_int_equal(mc.nr_pages, i + 1);
		assert_int_equal(mc.head, sim_host_pa(pages[i]));
	}
	assert_int_equal(*pages[2], sim_host_pa(pages[1]));
	assert_int_equal(*pages[1], sim_host_pa(pages[0]));
	assert_int_equal(*pages[0], 0);

	/* Last in, first out. */
	assert_ptr_equal(pop_hyp_memcache(&mc, host_to_va), pages[2]);
	assert_ptr_equal(pop_hyp_memcache(&mc, host_to_va), pages[1]);
	assert_ptr_equal(pop_hyp_memcache(&mc, host_to_va), pages[0]);
	assert_int_equal(mc.nr_pages, 0);
	assert_int_equal(mc.head, 0);
	assert_null(pop_hyp_memcache(&mc, host_to_va));

	/* Pushed through the hyp view, the host frees the lot. */
	for (i = 0; i < 3; i++)
		push_hyp_memcache(&mc, hyp_va_of(pages[i]), hyp_virt_to_phys);
	assert_int_equal(mc.head, sim_host_pa(pages[2]));
	assert_int_equal(sim_host_free_memcache(&mc.head, &mc.nr_pages), 3);
	assert_int_equal(mc.nr_pages, 0);
	assert_int_equal(leaks(NULL, 0), 0);
}

#define VIOLATION_TEST(f)	cmocka_unit_test_setup_teardown(f,	\
				sim_setup_protected, sim_teardown_any)
#define HOOK_TEST(f)		cmocka_unit_test_setup_teardown(f,	\
				sim_setup_protected, hook_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(donating_an_unowned_page_is_refused),
		SIM_TEST(returning_a_page_twice_is_refused),
		SIM_TEST(pinning_an_unshared_page_is_refused),
		SIM_TEST(unsharing_a_pinned_page_is_ebusy),
		SIM_TEST(sharing_a_non_memory_pfn_is_refused),
		SIM_TEST(missing_kern_hyp_va_is_caught),
		SIM_TEST(leak_report_names_the_taker),
		SIM_TEST(unfreed_host_page_is_a_leak),
		VIOLATION_TEST(host_double_free_is_a_violation),
		VIOLATION_TEST(host_freeing_a_donated_page_is_a_violation),
		VIOLATION_TEST(giving_back_a_referenced_page_is_a_violation),
		SIM_TEST(arena_is_mapped_twice),
		SIM_TEST(assert_lock_held_checks_the_owner),
		SIM_TEST(lockdep_assert_held_checks_the_owner),
		SIM_TEST(warn_on_records_file_and_line),
		SIM_TEST(bug_on_reaches_the_handler),
		HOOK_TEST(hypercalls_pass_scheduling_points),
		HOOK_TEST(accessors_are_scheduling_points),
		HOOK_TEST(hyp_shared_accesses_are_scheduling_points),
		SIM_TEST(memcache_push_pop_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
