// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulator's public lifecycle: pkvmsim_create(), pkvmsim_check() and
 * pkvmsim_destroy().  They live with the host because they run host code
 * (at shutdown the VMs a user left behind are destroyed, as process exit
 * closes their fds; a report counts the host's warnings) and drive the
 * machine below them, which never calls up (README.md, "Layers").
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <pkvmsim/pkvmsim.h>
#include "machine.h"
#include "oracle.h"
#include "host.h"

int pkvmsim_create(const struct pkvmsim_config *cfg, struct pkvmsim **simp)
{
	struct host_state *host;
	int ret;

	if (!simp)
		return -EINVAL;
	host = host_state_create();
	if (!host)
		return -ENOMEM;
	ret = machine_create(cfg, host, simp);
	if (ret)
		host_state_free(host);
	return ret;
}

/* The machine's report, and the host's warnings. */
static void fill_report(struct pkvmsim *sim, struct pkvmsim_report *report)
{
	machine_fill_report(sim, report);
	pthread_mutex_lock(&sim->host->lock);
	report->nr_host_warnings = sim->host->nr_warnings;
	pthread_mutex_unlock(&sim->host->lock);
}

int pkvmsim_check(struct pkvmsim *sim, struct pkvmsim_report *report)
{
	if (!sim || sim != machine_live() || !report)
		return -EINVAL;

	oracle_check_end(sim->oracle);
	fill_report(sim, report);
	if (report->nr_violations || report->nr_leaked_pages)
		return -EUCLEAN;
	return 0;
}

/* The host's state goes first, then the machine with the live claim. */
static void sim_free(struct pkvmsim *sim)
{
	struct host_state *host = sim->host;

	sim->host = NULL;
	host_state_free(host);
	machine_free(sim);
}

void host_sim_abandon(struct pkvmsim *sim)
{
	if (machine_stop(sim))
		return;
	host_raw_fini(sim);
	host_state_abandon(sim);
	sim_free(sim);
}

int pkvmsim_destroy(struct pkvmsim *sim)
{
	return host_sim_destroy(sim, NULL);
}

int host_sim_destroy(struct pkvmsim *sim, struct pkvmsim_report *out)
{
	struct pkvmsim_report *report = out;
	int ret = 0;

	if (machine_stop(sim))
		return -EINVAL;

	/* Under PKVMSIM_CHECK_END, the state as the run left it. */
	if (!machine_dead(sim))
		oracle_check_end(sim->oracle);
	/* <pkvmsim/inspect.h>: held references are reported, and stay. */
	inspect_fini(sim);
	host_raw_fini(sim);

	/*
	 * As process exit closes the VMs' fds; but a machine whose
	 * hypervisor died runs no more code: its VMs' records just go.
	 */
	if (machine_dead(sim))
		host_state_abandon(sim);
	else
		host_state_fini(sim);
	machine_shutdown(sim);

	if (!report)
		report = malloc(sizeof(*report));
	if (report) {
		fill_report(sim, report);
		if (report->nr_violations || report->nr_leaked_pages)
			ret = -EUCLEAN;
		if (ret && !sim->cfg.quiet)
			fprintf(stderr,
				"pkvmsim: %lu violation(s), %lu page(s) not "
				"back with the host at shutdown\n%s",
				report->nr_violations,
				report->nr_leaked_pages, report->text);
		if (report != out)
			free(report);
	} else {
		ret = -ENOMEM;
	}

	sim_free(sim);
	return ret;
}
