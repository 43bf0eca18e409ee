/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOM (stands in for page-table state): the page ledger of src/env.
 *
 * Upstream reads and writes a page's ownership in the host stage-2 and the
 * hyp stage-1 page tables.  The simulator has no page tables, so
 * mem_protect.c asks the ledger instead, through the same helper names it
 * would use upstream.  A refused check is recorded by the ledger (page,
 * expected and actual state, the function that asked, the hypercall in
 * flight, the CPU), so tests can see *why* a transition was refused.
 */
#ifndef __PKVMSIM_NVHE_SIM_LEDGER_H
#define __PKVMSIM_NVHE_SIM_LEDGER_H

#include "linux/types.h"

enum pkvm_component_id {
	PKVM_ID_HOST,
	PKVM_ID_HYP,
};

enum pkvm_page_state {
	PKVM_PAGE_OWNED			= 0,
	PKVM_PAGE_SHARED_OWNED,
	PKVM_PAGE_SHARED_BORROWED,
	PKVM_NOPAGE,
};

bool sim_ledger_range_is_memory(phys_addr_t phys, u64 size);
int sim_ledger_check_range(enum pkvm_component_id id, phys_addr_t phys,
			   u64 size, enum pkvm_page_state state,
			   const char *func);
void sim_ledger_set_range(enum pkvm_component_id id, phys_addr_t phys,
			  u64 size, enum pkvm_page_state state,
			  const char *func);
int sim_ledger_refuse(phys_addr_t phys, int err, const char *why,
		      const char *func);

#define range_is_memory(start, end)					\
	sim_ledger_range_is_memory((start), (end) - (start))
#define __host_check_page_state_range(phys, size, state)		\
	sim_ledger_check_range(PKVM_ID_HOST, (phys), (size), (state), __func__)
#define __hyp_check_page_state_range(phys, size, state)			\
	sim_ledger_check_range(PKVM_ID_HYP, (phys), (size), (state), __func__)
#define __host_set_page_state_range(phys, size, state)			\
	sim_ledger_set_range(PKVM_ID_HOST, (phys), (size), (state), __func__)
#define __hyp_set_page_state_range(phys, size, state)			\
	sim_ledger_set_range(PKVM_ID_HYP, (phys), (size), (state), __func__)
/* A refusal that is not a state mismatch (e.g. unsharing a pinned page). */
#define __refuse_page(phys, err, why)					\
	sim_ledger_refuse((phys), (err), (why), __func__)

#endif /* __PKVMSIM_NVHE_SIM_LEDGER_H */
