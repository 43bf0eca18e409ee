// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page ledger: who owns each arena page, whether it is shared or
 * pinned, whether the host allocator has handed it out, and what last
 * changed it.  It stands in for the host stage-2 and hyp stage-1 page
 * tables that upstream reads (nvhe/sim_ledger.h).
 *
 * Refusals (a transition the rules say no to) and violations (one that
 * should never happen, e.g. a page going back to the host while the hyp
 * still holds references on it) are kept with the page, the kernel
 * function that asked, the hypercall in flight and the CPU.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_env.h"
#include "sim_inject.h"
#include "nvhe/memory.h"
#include "nvhe/sim_ledger.h"
#include "linux/sim_sched.h"

struct ledger_page {
	unsigned char	host_state;
	unsigned char	hyp_state;
	bool		allocated;
	const char	*func;
	const char	*hcall;
	int		cpu;
	uint64_t	seq;
};

#define NR_KEPT_EVENTS	64

static pthread_mutex_t ledger_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ledger_page *pages;
static unsigned long nr_pages;
static struct sim_ledger_event events[2][NR_KEPT_EVENTS];
static unsigned long event_count[2];
/*
 * A bit per page changed since the last reset (state, allocation or
 * reference count), within the words [dirty_lo, dirty_hi): the rest are
 * home, so a reset or a leak scan need not look at them.  With
 * ledger_lock held.
 */
static uint64_t *dirty;
static unsigned long dirty_lo, dirty_hi;

struct hyp_page *hyp_vmemmap;
phys_addr_t sim_memstart = SIM_PHYS_BASE;

static const char *const state_names[] = {
	[PKVM_PAGE_OWNED]		= "OWNED",
	[PKVM_PAGE_SHARED_OWNED]	= "SHARED_OWNED",
	[PKVM_PAGE_SHARED_BORROWED]	= "SHARED_BORROWED",
	[PKVM_NOPAGE]			= "NOPAGE",
};

const char *sim_page_state_name(int state)
{
	if (state < 0 || state > PKVM_NOPAGE)
		return "?";
	return state_names[state];
}

static const char *hcall_or_dash(void)
{
	const char *name = sim_this_hcall();

	return name ? name : "-";
}

int sim_ledger_init(unsigned long n)
{
	pages = calloc(n, sizeof(*pages));
	hyp_vmemmap = calloc(n, sizeof(*hyp_vmemmap));
	dirty = calloc((n + 63) / 64, sizeof(*dirty));
	if (!pages || !hyp_vmemmap || !dirty) {
		sim_ledger_fini();
		return -ENOMEM;
	}
	nr_pages = n;
	sim_ledger_reset();
	return 0;
}

void sim_ledger_fini(void)
{
	free(pages);
	free(hyp_vmemmap);
	free(dirty);
	pages = NULL;
	hyp_vmemmap = NULL;
	dirty = NULL;
	nr_pages = 0;
}

void sim_ledger_reset(void)
{
	unsigned long i;

	pthread_mutex_lock(&ledger_lock);
	for (i = 0; i < nr_pages; i++) {
		pages[i] = (struct ledger_page){
			.host_state = PKVM_PAGE_OWNED,
			.hyp_state = PKVM_NOPAGE,
			.cpu = -1,
		};
		__atomic_store_n(&hyp_vmemmap[i].refcount, 0,
				 __ATOMIC_RELAXED);
	}
	memset(events, 0, sizeof(events));
	memset(event_count, 0, sizeof(event_count));
	memset(dirty, 0, (nr_pages + 63) / 64 * sizeof(*dirty));
	dirty_lo = (nr_pages + 63) / 64;
	dirty_hi = 0;
	pthread_mutex_unlock(&ledger_lock);
}

/* Pages [@i, @end) may change: mark them dirty.  Locked. */
static void touch(unsigned long i, unsigned long end)
{
	if (i >= end)
		return;
	if (i / 64 < dirty_lo)
		dirty_lo = i / 64;
	if ((end - 1) / 64 + 1 > dirty_hi)
		dirty_hi = (end - 1) / 64 + 1;
	for (; i < end; i++)
		dirty[i / 64] |= 1ULL << (i % 64);
}

/* The first dirty page from @i on, or nr_pages.  Locked. */
static unsigned long next_dirty(unsigned long i)
{
	unsigned long w = i / 64;
	uint64_t bits;

	if (w < dirty_lo) {
		w = dirty_lo;
		i = w * 64;
	}
	for (; w < dirty_hi; w++, i = w * 64) {
		bits = dirty[w] >> (i % 64);
		if (bits)
			return i + (unsigned long)__builtin_ctzll(bits);
	}
	return nr_pages;
}

void sim_ledger_reset_touched(void (*each)(unsigned long first,
					   unsigned long nr))
{
	unsigned long i, end;

	pthread_mutex_lock(&ledger_lock);
	for (i = next_dirty(0); i < nr_pages; i = next_dirty(end)) {
		for (end = i; end < nr_pages &&
			      (dirty[end / 64] >> (end % 64) & 1); end++) {
			pages[end] = (struct ledger_page){
				.host_state = PKVM_PAGE_OWNED,
				.hyp_state = PKVM_NOPAGE,
				.cpu = -1,
			};
			__atomic_store_n(&hyp_vmemmap[end].refcount, 0,
					 __ATOMIC_RELAXED);
		}
		if (each)
			each(i, end - i);
	}
	if (dirty_hi > dirty_lo)
		memset(dirty + dirty_lo, 0,
		       (dirty_hi - dirty_lo) * sizeof(*dirty));
	dirty_lo = (nr_pages + 63) / 64;
	dirty_hi = 0;
	memset(event_count, 0, sizeof(event_count));
	pthread_mutex_unlock(&ledger_lock);
}

/* Called with ledger_lock held. */
static void record(enum sim_ledger_kind kind, uint64_t phys, int err,
		   const char *func, const char *fmt, ...)
{
	struct sim_ledger_event *ev;
	va_list ap;

	ev = &events[kind][event_count[kind] % NR_KEPT_EVENTS];
	event_count[kind]++;

	ev->kind = kind;
	ev->phys = phys;
	ev->err = err;
	ev->func = func;
	ev->hcall = hcall_or_dash();
	ev->cpu = sim_this_cpu();
	ev->seq = sim_next_seq();
	va_start(ap, fmt);
	vsnprintf(ev->what, sizeof(ev->what), fmt, ap);
	va_end(ap);

	if (kind == SIM_LEDGER_VIOLATION && getenv("PKVMSIM_VERBOSE"))
		fprintf(stderr, "pkvmsim: ledger violation at %#" PRIx64
			": %s (%s in %s, cpu %d)\n", phys, ev->what, func,
			ev->hcall, ev->cpu);
}

bool sim_ledger_range_is_memory(phys_addr_t phys, u64 size)
{
	u64 end = sim_memstart + (u64)nr_pages * SIM_PAGE_SIZE;

	return size && phys >= sim_memstart && phys < end &&
	       size <= end - phys;
}

/* The hyp changes refcounts under its own locks, not ledger_lock. */
static unsigned int refs_of(unsigned long i)
{
	return __atomic_load_n(&hyp_vmemmap[i].refcount, __ATOMIC_RELAXED);
}

static unsigned long page_index(phys_addr_t phys)
{
	return (phys - sim_memstart) / SIM_PAGE_SIZE;
}

static unsigned char *state_of(struct ledger_page *p,
			       enum pkvm_component_id id)
{
	return id == PKVM_ID_HOST ? &p->host_state : &p->hyp_state;
}

int sim_ledger_check_range(enum pkvm_component_id id, phys_addr_t phys,
			   u64 size, enum pkvm_page_state state,
			   const char *func)
{
	const char *who = id == PKVM_ID_HOST ? "host" : "hyp";
	unsigned long i, first, n;
	int ret = 0;

	sim_sched_point(SIM_POINT_LEDGER, (const void *)(uintptr_t)phys);

	pthread_mutex_lock(&ledger_lock);
	if (id == PKVM_ID_HOST && sim_inject_page_check(func)) {
		record(SIM_LEDGER_REFUSED, phys, -EPERM, func,
		       "injected failure (sim_inject_arm)");
		ret = -EPERM;
		goto out;
	}
	if (!sim_ledger_range_is_memory(phys, size)) {
		record(SIM_LEDGER_REFUSED, phys, -EPERM, func,
		       "%#" PRIx64 "+%#" PRIx64 " is not memory", phys, size);
		ret = -EPERM;
		goto out;
	}

	first = page_index(phys);
	n = (size + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
	for (i = first; i < first + n; i++) {
		unsigned char have = *state_of(&pages[i], id);

		if (have == state)
			continue;

		record(SIM_LEDGER_REFUSED,
		       sim_memstart + (uint64_t)i * SIM_PAGE_SIZE, -EPERM, func,
		       "%s state is %s, want %s", who,
		       sim_page_state_name(have), sim_page_state_name(state));
		ret = -EPERM;
		break;
	}
out:
	pthread_mutex_unlock(&ledger_lock);
	return ret;
}

void sim_ledger_set_range(enum pkvm_component_id id, phys_addr_t phys,
			  u64 size, enum pkvm_page_state state,
			  const char *func)
{
	unsigned long i, first, n;

	sim_sched_point(SIM_POINT_LEDGER, (const void *)(uintptr_t)phys);

	pthread_mutex_lock(&ledger_lock);
	if (!sim_ledger_range_is_memory(phys, size)) {
		/* mem_protect.c checks first: reaching here is a hyp bug. */
		record(SIM_LEDGER_VIOLATION, phys, -EPERM, func,
		       "state change outside memory");
		goto out;
	}

	first = page_index(phys);
	n = (size + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
	touch(first, first + n);
	for (i = first; i < first + n; i++) {
		struct ledger_page *p = &pages[i];
		uint64_t page = sim_memstart + (uint64_t)i * SIM_PAGE_SIZE;
		unsigned int refs = refs_of(i);

		if (id == PKVM_ID_HYP && state == PKVM_NOPAGE && refs)
			record(SIM_LEDGER_VIOLATION, page, 0, func,
			       "hyp gives up a page it holds %u reference%s on",
			       refs, refs == 1 ? "" : "s");

		__atomic_store_n(state_of(p, id), state, __ATOMIC_RELAXED);
		p->func = func;
		p->hcall = hcall_or_dash();
		p->cpu = sim_this_cpu();
		p->seq = sim_next_seq();
	}
out:
	pthread_mutex_unlock(&ledger_lock);
}

int sim_ledger_refuse(phys_addr_t phys, int err, const char *why,
		      const char *func)
{
	pthread_mutex_lock(&ledger_lock);
	record(SIM_LEDGER_REFUSED, phys, err, func, "%s", why);
	pthread_mutex_unlock(&ledger_lock);
	return err;
}

void sim_ledger_note(phys_addr_t phys, const char *what)
{
	struct ledger_page *p;

	sim_sched_point(SIM_POINT_LEDGER, (const void *)(uintptr_t)phys);

	if (!sim_ledger_range_is_memory(phys, 1))
		return;

	pthread_mutex_lock(&ledger_lock);
	touch(page_index(phys), page_index(phys) + 1);
	p = &pages[page_index(phys)];
	p->func = what;
	p->hcall = hcall_or_dash();
	p->cpu = sim_this_cpu();
	p->seq = sim_next_seq();
	pthread_mutex_unlock(&ledger_lock);
}

bool sim_ledger_claim(unsigned long first, unsigned long n)
{
	unsigned long i;
	bool ok = true;

	pthread_mutex_lock(&ledger_lock);
	for (i = first; i < first + n; i++) {
		if (pages[i].allocated ||
		    pages[i].host_state != PKVM_PAGE_OWNED) {
			ok = false;
			break;
		}
	}
	if (ok)
		touch(first, first + n);
	for (i = first; ok && i < first + n; i++) {
		pages[i].allocated = true;
		pages[i].func = "host alloc";
		pages[i].hcall = "-";
		pages[i].cpu = sim_this_cpu();
		pages[i].seq = sim_next_seq();
	}
	pthread_mutex_unlock(&ledger_lock);
	return ok;
}

int sim_ledger_release(unsigned long first, unsigned long n)
{
	unsigned long i;
	int ret = 0;

	pthread_mutex_lock(&ledger_lock);
	for (i = first; i < first + n; i++) {
		struct ledger_page *p = &pages[i];
		uint64_t page = sim_memstart + (uint64_t)i * SIM_PAGE_SIZE;

		if (!p->allocated) {
			record(SIM_LEDGER_VIOLATION, page, -EINVAL, "host free",
			       "host frees a page it has not allocated "
			       "(double free?)");
			ret = -EINVAL;
		} else if (p->host_state != PKVM_PAGE_OWNED || refs_of(i)) {
			record(SIM_LEDGER_VIOLATION, page, -EPERM, "host free",
			       "host frees a page it does not own alone "
			       "(host %s, hyp %s, %u refs)",
			       sim_page_state_name(p->host_state),
			       sim_page_state_name(p->hyp_state), refs_of(i));
			ret = -EPERM;
		}
	}
	if (!ret)
		touch(first, first + n);
	for (i = first; !ret && i < first + n; i++) {
		pages[i].allocated = false;
		pages[i].func = "host free";
		pages[i].hcall = "-";
		pages[i].cpu = sim_this_cpu();
		pages[i].seq = sim_next_seq();
	}
	pthread_mutex_unlock(&ledger_lock);
	return ret;
}

unsigned long sim_ledger_count(enum sim_ledger_kind kind)
{
	unsigned long n;

	pthread_mutex_lock(&ledger_lock);
	n = event_count[kind];
	pthread_mutex_unlock(&ledger_lock);
	return n;
}

bool sim_ledger_event(enum sim_ledger_kind kind, unsigned long i,
		      struct sim_ledger_event *ev)
{
	bool found;

	pthread_mutex_lock(&ledger_lock);
	found = i < event_count[kind] && i < NR_KEPT_EVENTS;
	if (found)
		*ev = events[kind][(event_count[kind] - 1 - i) % NR_KEPT_EVENTS];
	pthread_mutex_unlock(&ledger_lock);
	return found;
}

int sim_ledger_page(uint64_t phys, struct sim_page_info *info)
{
	struct ledger_page *p;
	unsigned long i;

	if (!sim_ledger_range_is_memory(phys, 1))
		return -EINVAL;

	i = page_index(phys);
	pthread_mutex_lock(&ledger_lock);
	p = &pages[i];
	*info = (struct sim_page_info){
		.host_state = p->host_state,
		.hyp_state = p->hyp_state,
		.refcount = refs_of(i),
		.allocated = p->allocated,
		.last_func = p->func,
		.last_hcall = p->hcall,
		.last_cpu = p->cpu,
		.last_seq = p->seq,
	};
	pthread_mutex_unlock(&ledger_lock);
	return 0;
}

static bool page_is_home(unsigned long i)
{
	return pages[i].host_state == PKVM_PAGE_OWNED &&
	       pages[i].hyp_state == PKVM_NOPAGE &&
	       !refs_of(i) && !pages[i].allocated;
}

unsigned long sim_ledger_leaks(uint64_t skip_phys, unsigned long skip_nr,
			       char *buf, size_t len)
{
	unsigned long skip_first = (skip_phys - sim_memstart) / SIM_PAGE_SIZE;
	unsigned long i, leaks = 0;
	size_t used = 0;

	if (len)
		buf[0] = '\0';

	pthread_mutex_lock(&ledger_lock);
	/* Pages never touched are home. */
	for (i = next_dirty(0); i < nr_pages; i = next_dirty(i + 1)) {
		struct ledger_page *p = &pages[i];
		int n;

		if (page_is_home(i))
			continue;
		if (skip_nr && i >= skip_first && i < skip_first + skip_nr)
			continue;

		leaks++;
		if (!buf || used >= len)
			continue;

		n = snprintf(buf + used, len - used,
			     "leak: page %#" PRIx64 " host=%s hyp=%s refs=%u%s;"
			     " taken by %s in %s on cpu %d (event #%" PRIu64
			     ")\n",
			     sim_memstart + (uint64_t)i * SIM_PAGE_SIZE,
			     sim_page_state_name(p->host_state),
			     sim_page_state_name(p->hyp_state),
			     refs_of(i), p->allocated ? " allocated" : "",
			     p->func ? p->func : "?",
			     p->hcall ? p->hcall : "-", p->cpu, p->seq);
		if (n > 0)
			used += (size_t)n;
	}
	pthread_mutex_unlock(&ledger_lock);
	return leaks;
}
