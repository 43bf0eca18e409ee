// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim_reset(): the live simulator back to a fresh boot, without the
 * cost of a new one.  The host forgets its VMs (their memory is arena
 * pages, which the machine's reset takes back) and the pages it handed
 * out, runs none of its code, and the machine below boots again.
 */
#include <errno.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "machine.h"
#include "host.h"

static bool config_fits(const struct pkvmsim *sim,
			const struct pkvmsim_config *cfg)
{
	return (unsigned int)cfg->mode < PKVMSIM_MODE_NR &&
	       (unsigned int)cfg->profile < PKVMSIM_PROFILE_NR &&
	       cfg->nr_cpus && cfg->nr_cpus <= PKVMSIM_MAX_CPUS &&
	       cfg->arena_pages == sim->cfg.arena_pages &&
	       (unsigned int)cfg->check < PKVMSIM_CHECK_NR &&
	       (!cfg->hvc || cfg->hvc->hvc);
}

/* Whether a thread is using one of @sim's CPUs, as host or as EL2. */
static bool cpus_busy(const struct pkvmsim *sim)
{
	unsigned int cpu;

	for (cpu = 0; cpu < PKVMSIM_MAX_CPUS; cpu++)
		if (__atomic_load_n(&sim->cpu_busy[cpu], __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&sim->host->cpu_busy[cpu],
				    __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int pkvmsim_reset(struct pkvmsim *sim, const struct pkvmsim_config *cfg)
{
	struct host_state *host;

	if (!sim || sim != machine_live())
		return -EINVAL;
	if (cfg && !config_fits(sim, cfg))
		return -EINVAL;
	if (cpus_busy(sim))
		return -EBUSY;

	host_raw_fini(sim);
	host_state_abandon(sim);
	host = sim->host;
	host->next_id = 0;
	host->nr_warnings = 0;
	host->tz_vms = 0;
	memset(host->loaded, 0, sizeof(host->loaded));

	return machine_reset(sim, cfg);
}
