/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Failures injected below the hypervisor and the host: a simulator
 * customisation for fuzzers and tests that want an error path taken on
 * arguments that are otherwise fine.
 *
 * Upstream a donation, a pin or a share fails when the host stage-2 says
 * the pages are not the host's to give (or not shared with the
 * hypervisor), and a host allocation when the kernel is out of memory.
 * Here each is a hook: the page ledger refuses the host-side check that
 * __pkvm_host_donate_hyp(), hyp_pin_shared_mem() or __pkvm_host_share_hyp()
 * makes first (-EPERM, recorded as a refusal naming the injection), and
 * the host's page allocator returns NULL.  The hypervisor's code is not
 * touched: it sees the refusal the ledger would give for a page in the
 * wrong state.
 *
 * Unarmed, every hook costs one relaxed load.  Not thread-safe against
 * itself: arm and reset while no simulated CPU runs.  Not a public header.
 */
#ifndef PKVMSIM_SIM_INJECT_H
#define PKVMSIM_SIM_INJECT_H

#include <stdbool.h>

enum sim_inject_kind {
	SIM_INJECT_ALLOC,	/* sim_host_alloc_pages() returns NULL */
	SIM_INJECT_DONATE,	/* __pkvm_host_donate_hyp() is refused */
	SIM_INJECT_PIN,		/* hyp_pin_shared_mem() is refused */
	SIM_INJECT_SHARE,	/* __pkvm_host_share_hyp() is refused */
	SIM_INJECT_NR,
};

/*
 * Of the calls of @kind from now on, let @skip pass and fail the @count
 * after them.  Replaces what was armed for @kind.
 */
void sim_inject_arm(enum sim_inject_kind kind, unsigned long skip,
		    unsigned long count);
/* Disarm every kind and zero the counts. */
void sim_inject_reset(void);
/* Calls of @kind failed since the last reset. */
unsigned long sim_inject_count(enum sim_inject_kind kind);

/* The hooks: whether this call of @kind fails. */
bool sim_inject_fail(enum sim_inject_kind kind);
/*
 * For the ledger's host-side page check made by the kernel function
 * @func: whether to refuse it.
 */
bool sim_inject_page_check(const char *func);

#endif /* PKVMSIM_SIM_INJECT_H */
