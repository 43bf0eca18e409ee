/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The userspace side of the kernel-dialect primitives (src/env): what the
 * machine, the host model and white-box tests use to set up, drive and
 * inspect the memory, CPUs and records behind include/hyp/.
 *
 * Not a public header: the installed API is include/pkvmsim/.
 */
#ifndef PKVMSIM_SIM_ENV_H
#define PKVMSIM_SIM_ENV_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the arena starts in the simulated physical address space. */
#define SIM_PHYS_BASE		0x40000000ULL
#define SIM_PAGE_SIZE		4096UL

/* --- the arena: one memory, a host view and a hyp view --- */

int sim_arena_init(unsigned long nr_pages);
void sim_arena_fini(void);
unsigned long sim_arena_nr_pages(void);
void *sim_arena_host_base(void);
void *sim_arena_hyp_base(void);

uint64_t sim_host_pa(const void *host_va);		/* ~0 if not arena */
void *sim_host_va(uint64_t phys);			/* NULL if not arena */
uint64_t sim_host_pfn(const void *host_va);

/*
 * The host's page allocator over the arena.  Pages come zeroed and
 * host-owned.  Freeing a page the host does not own, or twice, is refused
 * and recorded as a ledger violation.
 */
void *sim_host_alloc_pages(unsigned long nr_pages);
int sim_host_free_pages(void *host_va, unsigned long nr_pages);
/* Allocate from the first page again, as a fresh arena does. */
void sim_arena_rewind(void);
/* Zero pages [@first, @first + @nr), as a fresh arena has them. */
void sim_arena_zero(unsigned long first, unsigned long nr);
/* Pop and free every page of a hyp memcache (phys-linked stack). */
unsigned long sim_host_free_memcache(uint64_t *head, unsigned long *nr_pages);

/* --- the page ledger --- */

enum sim_ledger_kind {
	SIM_LEDGER_REFUSED,	/* a transition the rules refused */
	SIM_LEDGER_VIOLATION,	/* a transition that should never happen */
};

struct sim_ledger_event {
	enum sim_ledger_kind	kind;
	uint64_t		phys;
	int			err;
	char			what[112];
	const char		*func;	/* kernel function that asked */
	const char		*hcall;	/* hypercall in flight, or "-" */
	int			cpu;
	uint64_t		seq;
};

struct sim_page_info {
	int		host_state;	/* enum pkvm_page_state */
	int		hyp_state;
	unsigned int	refcount;
	bool		allocated;
	const char	*last_func;
	const char	*last_hcall;
	int		last_cpu;
	uint64_t	last_seq;
};

int sim_ledger_init(unsigned long nr_pages);
void sim_ledger_fini(void);
void sim_ledger_reset(void);
/*
 * As sim_ledger_reset(), at the cost of the pages changed since the last
 * reset rather than of the whole arena; @each (if not NULL) is told of
 * each run of them, [@first, @first + @nr).
 */
void sim_ledger_reset_touched(void (*each)(unsigned long first,
					   unsigned long nr));
/* For the host allocator: claim @nr free pages from index @first on. */
bool sim_ledger_claim(unsigned long first, unsigned long nr);
/* Release pages the host allocated; records and refuses misuse. */
int sim_ledger_release(unsigned long first, unsigned long nr);
unsigned long sim_ledger_count(enum sim_ledger_kind kind);
/* The @i-th most recent event of @kind (0 = newest); false if none. */
bool sim_ledger_event(enum sim_ledger_kind kind, unsigned long i,
		      struct sim_ledger_event *ev);
int sim_ledger_page(uint64_t phys, struct sim_page_info *info);
/*
 * Count the pages that are not back home (host-owned, unshared,
 * unreferenced and free), apart from @skip_nr pages at @skip_phys, and
 * write a line for each into @buf.
 */
unsigned long sim_ledger_leaks(uint64_t skip_phys, unsigned long skip_nr,
			       char *buf, size_t len);
const char *sim_page_state_name(int state);

/* --- CPUs --- */

void sim_set_this_cpu(int cpu);
int sim_this_cpu(void);
/* Name of the hypercall the calling CPU is executing (NULL: none). */
void sim_set_this_hcall(const char *name);
const char *sim_this_hcall(void);
uint64_t sim_next_seq(void);

/*
 * --- thread-local state a fiber carries with it ---
 *
 * A simulated CPU keeps a little state in thread-local variables (which
 * CPU it is, the hypercall it is in).  When a scheduler runs several CPUs
 * as fibers on one OS thread, each fiber needs its own copy: every such
 * variable is declared with SIM_FIBER_LOCAL, which lists it here, and the
 * scheduler saves and restores the listed bytes at each switch.
 */
#define SIM_FIBER_LOCALS_MAX	16
#define SIM_FIBER_LOCALS_BYTES	256

struct sim_fiber_local {
	void	*(*addr)(void);		/* the calling thread's instance */
	size_t	size;
};

void sim_fiber_local_register(void *(*addr)(void), size_t size);
unsigned int sim_fiber_locals(const struct sim_fiber_local **out);

#define SIM_FIBER_LOCAL(type, name, init)				\
	static __thread type name = init;				\
	static void *name##_fiber_addr(void)				\
	{								\
		return &name;						\
	}								\
	__attribute__((constructor)) static void name##_fiber_register(void) \
	{								\
		sim_fiber_local_register(name##_fiber_addr, sizeof(name)); \
	}

/* --- boot-time switches (capabilities and static keys) --- */

void sim_set_protected_mode_cap(bool on);
void sim_set_protected_mode_initialized(bool on);

/* --- WARN and BUG records --- */

unsigned long sim_warn_count(void);
/* The most recent warning as "file:line: cond" (empty if none). */
const char *sim_last_warn(void);
void sim_warn_reset(void);

/* A BUG handler must not return (e.g. it longjmps); NULL aborts. */
typedef void (*sim_bug_handler_t)(const char *file, int line,
				  const char *cond);
void sim_set_bug_handler(sim_bug_handler_t handler);
unsigned long sim_bug_count(void);

/*
 * A BUG the process survives: the machine arms a trap on the calling CPU
 * (fiber) around the hypervisor's code.  A BUG there disarms it, fills in
 * where it was and longjmp()s to @env instead of aborting (a handler set
 * with sim_set_bug_handler() still goes first).  The locks the CPU took
 * while armed and still holds are listed in @held, so that the dead CPU
 * can let go of them and no other CPU waits for it forever.
 */
#define SIM_BUG_TRAP_LOCKS	8

struct sim_lock;

struct sim_bug_trap {
	jmp_buf			env;
	const char		*file;
	int			line;
	const char		*cond;
	struct sim_lock		*held[SIM_BUG_TRAP_LOCKS];
	unsigned int		nr_held;
};

/* Arm @trap on the calling CPU; NULL disarms. */
void sim_bug_trap_set(struct sim_bug_trap *trap);
/* The calling CPU's armed trap, or NULL. */
struct sim_bug_trap *sim_bug_trap(void);

/* --- TLB flush records --- */

struct sim_tlb_flush {
	uint64_t	vmid;
	int		cpu;
	uint64_t	seq;
};
/* VMIDs counted one by one: the host's 0 and one per VM-table slot. */
#define SIM_TLB_VMIDS	256
unsigned long sim_tlb_flush_count(void);
unsigned long sim_tlb_flush_count_vmid(uint64_t vmid);
bool sim_tlb_flush_last(struct sim_tlb_flush *out);
void sim_tlb_reset(void);

#endif /* PKVMSIM_SIM_ENV_H */
