// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arena: the simulated machine's physical memory.
 *
 * One memfd mapped twice, at unrelated addresses: the host's view and the
 * hypervisor's.  kern_hyp_va() moves a pointer from one to the other, and
 * __hyp_pa() only understands the hyp view, so a host pointer the hyp code
 * forgot to convert is caught as "not memory" instead of silently working.
 *
 * The host's page allocator lives here too: first fit, zeroed pages, every
 * page's allocation recorded in the ledger.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_env.h"
#include "sim_inject.h"
#include "asm/kvm_mmu.h"
#include "nvhe/memory.h"

static struct {
	int		fd;
	unsigned long	nr_pages;
	char		*host_base;
	char		*hyp_base;
	unsigned long	next_fit;
	pthread_mutex_t	lock;
} arena = {
	.fd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

unsigned long sim_host_va_base;
unsigned long sim_hyp_va_offset;
unsigned long sim_hyp_va_size;
s64 hyp_physvirt_offset;

/*
 * The last arena, kept mapped for the next simulator of the same size:
 * an exploration boots thousands of machines a second, and a fresh memfd
 * and two mappings, faulted in page by page, cost more than a whole run.
 * What is left in its pages does not matter: every host allocation comes
 * zeroed.
 */
static struct {
	int		fd;
	void		*host_base;
	void		*hyp_base;
	unsigned long	nr_pages;
} spare = { .fd = -1 };

static void spare_release(void)
{
	size_t size = spare.nr_pages * SIM_PAGE_SIZE;

	if (spare.fd < 0)
		return;
	munmap(spare.host_base, size);
	munmap(spare.hyp_base, size);
	close(spare.fd);
	spare.fd = -1;
}

/* Take the spare arena if it has @nr_pages. */
static bool spare_take(unsigned long nr_pages)
{
	if (spare.fd < 0 || spare.nr_pages != nr_pages) {
		spare_release();
		return false;
	}
	arena.fd = spare.fd;
	arena.host_base = spare.host_base;
	arena.hyp_base = spare.hyp_base;
	spare.fd = -1;
	return true;
}

int sim_arena_init(unsigned long nr_pages)
{
	size_t size = nr_pages * SIM_PAGE_SIZE;
	int ret;

	if (!nr_pages || nr_pages > (1UL << 20))
		return -EINVAL;

	if (spare_take(nr_pages))
		goto mapped;

	arena.fd = memfd_create("pkvmsim-arena", MFD_CLOEXEC);
	if (arena.fd < 0)
		return -errno;

	if (ftruncate(arena.fd, (off_t)size) < 0)
		goto err;

	arena.host_base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       arena.fd, 0);
	if (arena.host_base == MAP_FAILED)
		goto err;

	arena.hyp_base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      arena.fd, 0);
	if (arena.hyp_base == MAP_FAILED)
		goto err_unmap_host;

mapped:
	ret = sim_ledger_init(nr_pages);
	if (ret) {
		munmap(arena.hyp_base, size);
		arena.hyp_base = NULL;
		errno = -ret;
		goto err_unmap_host;
	}

	arena.nr_pages = nr_pages;
	arena.next_fit = 0;
	sim_host_va_base = (unsigned long)arena.host_base;
	sim_hyp_va_size = nr_pages * SIM_PAGE_SIZE;
	sim_hyp_va_offset = (unsigned long)arena.hyp_base -
			    (unsigned long)arena.host_base;
	hyp_physvirt_offset = (s64)(SIM_PHYS_BASE -
				    (unsigned long)arena.hyp_base);
	return 0;

err_unmap_host:
	munmap(arena.host_base, size);
	arena.host_base = NULL;
err:
	ret = -errno;
	close(arena.fd);
	arena.fd = -1;
	return ret;
}

void sim_arena_fini(void)
{
	if (arena.fd < 0)
		return;

	sim_ledger_fini();
	spare_release();
	spare.fd = arena.fd;
	spare.host_base = arena.host_base;
	spare.hyp_base = arena.hyp_base;
	spare.nr_pages = arena.nr_pages;
	arena.fd = -1;
	arena.nr_pages = 0;
	arena.host_base = NULL;
	arena.hyp_base = NULL;
}

unsigned long sim_arena_nr_pages(void)
{
	return arena.nr_pages;
}

void *sim_arena_host_base(void)
{
	return arena.host_base;
}

void *sim_arena_hyp_base(void)
{
	return arena.hyp_base;
}

uint64_t sim_host_pa(const void *host_va)
{
	uintptr_t va = (uintptr_t)host_va;
	uintptr_t base = (uintptr_t)arena.host_base;

	if (!arena.host_base || va < base ||
	    va - base >= arena.nr_pages * SIM_PAGE_SIZE)
		return ~0ULL;

	return SIM_PHYS_BASE + (va - base);
}

void *sim_host_va(uint64_t phys)
{
	if (phys < SIM_PHYS_BASE ||
	    phys - SIM_PHYS_BASE >= arena.nr_pages * SIM_PAGE_SIZE)
		return NULL;

	return arena.host_base + (phys - SIM_PHYS_BASE);
}

uint64_t sim_host_pfn(const void *host_va)
{
	return sim_host_pa(host_va) / SIM_PAGE_SIZE;
}

void *sim_host_alloc_pages(unsigned long nr)
{
	unsigned long tried, start;
	void *va = NULL;

	if (!nr || nr > arena.nr_pages || sim_inject_fail(SIM_INJECT_ALLOC))
		return NULL;

	pthread_mutex_lock(&arena.lock);
	/* Next fit from the last allocation keeps successive runs spread. */
	for (tried = 0; tried < arena.nr_pages; tried++) {
		start = (arena.next_fit + tried) % arena.nr_pages;
		if (start + nr > arena.nr_pages)
			continue;
		if (sim_ledger_claim(start, nr)) {
			arena.next_fit = start + nr;
			va = arena.host_base + start * SIM_PAGE_SIZE;
			break;
		}
	}
	pthread_mutex_unlock(&arena.lock);

	if (va)
		memset(va, 0, nr * SIM_PAGE_SIZE);
	return va;
}

void sim_arena_rewind(void)
{
	pthread_mutex_lock(&arena.lock);
	arena.next_fit = 0;
	pthread_mutex_unlock(&arena.lock);
}

void sim_arena_zero(unsigned long first, unsigned long nr)
{
	if (first < arena.nr_pages && nr <= arena.nr_pages - first)
		memset(arena.host_base + first * SIM_PAGE_SIZE, 0,
		       nr * SIM_PAGE_SIZE);
}

int sim_host_free_pages(void *host_va, unsigned long nr)
{
	uint64_t phys = sim_host_pa(host_va);
	unsigned long first;
	int ret;

	if (phys == ~0ULL || (phys & (SIM_PAGE_SIZE - 1)) || !nr)
		return -EINVAL;

	first = (phys - SIM_PHYS_BASE) / SIM_PAGE_SIZE;
	if (first + nr > arena.nr_pages)
		return -EINVAL;

	pthread_mutex_lock(&arena.lock);
	ret = sim_ledger_release(first, nr);
	pthread_mutex_unlock(&arena.lock);
	return ret;
}

unsigned long sim_host_free_memcache(uint64_t *head, unsigned long *nr_pages)
{
	unsigned long freed = 0;

	while (*nr_pages) {
		uint64_t *page = sim_host_va(*head & ~(SIM_PAGE_SIZE - 1));

		if (!page)
			break;
		*head = *page;
		(*nr_pages)--;
		if (!sim_host_free_pages(page, 1))
			freed++;
	}
	return freed;
}
