// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim_reset(), the machine's part: the verdict pkvmsim_destroy() would
 * give, then the machine as pkvmsim_create() leaves it, booted again on
 * the arena it has.
 *
 * Cheap by construction: the ledger resets, and the arena zeroes, only the
 * pages changed since the last boot, the oracle keeps its allocations,
 * and the arena stays mapped.  A fuzzer resets once per input, and an
 * input must behave the same whatever ran before it: so the memory is
 * zeroed too, although the host allocator zeroes what it hands out, since
 * a hostile host may share and donate pages it never allocated.
 */
#include <errno.h>
#include <string.h>

#include "sim_env.h"
#include "hyp_state.h"
#include "machine.h"
#include "oracle.h"

/* Whether the machine is as pkvmsim_destroy() wants to find it. */
static bool machine_clean(struct pkvmsim *sim)
{
	unsigned int i;

	if (sim->stopped || machine_dead(sim) || oracle_count(sim->oracle) ||
	    sim_ledger_count(SIM_LEDGER_VIOLATION))
		return false;
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++)
		if (sim->inspect.held[i] || (vm_table && vm_table[i]))
			return false;
	return !sim_ledger_leaks(sim->carveout ? sim_host_pa(sim->carveout) : 0,
				 sim->carveout ? sim->carveout_pages : 0,
				 NULL, 0);
}

int machine_reset(struct pkvmsim *sim, const struct pkvmsim_config *cfg)
{
	bool clean = machine_clean(sim);
	int ret = 0;

	history_free(sim);
	memset(&sim->inspect, 0, sizeof(sim->inspect));
	sim->stopped = false;
	/* A hypervisor BUG killed the last boot, not this one. */
	__atomic_store_n(&sim->dead, false, __ATOMIC_RELEASE);
	sim->carveout = NULL;
	sim->carveout_pages = 0;

	machine_reset_hyp_state();
	/*
	 * What a hostile host shares or donates without allocating it first
	 * is read as it is: a fresh boot must not show what the last wrote.
	 */
	sim_ledger_reset_touched(sim_arena_zero);
	sim_arena_rewind();

	/* A NULL @cfg keeps the configuration and the installed transport. */
	if (cfg) {
		sim->cfg = *cfg;
		sim->hvc = cfg->hvc ? *cfg->hvc : *pkvm_hvc_smccc();
	}
	oracle_reset(sim->oracle, &sim->cfg);

	sim_set_this_cpu(0);
	if (sim->cfg.mode == PKVMSIM_MODE_PROTECTED)
		ret = machine_boot_protected(sim);
	if (ret)
		return ret;
	return clean ? 0 : -EUCLEAN;
}
