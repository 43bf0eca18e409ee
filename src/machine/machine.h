/* SPDX-License-Identifier: GPL-2.0-only */
/* The simulator object and the EL2 entry shared by the transports. */
#ifndef PKVMSIM_MACHINE_H
#define PKVMSIM_MACHINE_H

#include <pthread.h>

#include <pkvmsim/pkvmsim.h>
#include <pkvmsim/inspect.h>
#include "host.h"

struct oracle;
struct pkvm_hyp_vm;

/* References pkvmsim_hyp_vm_get() holds, per VM-table slot (inspect.c). */
struct inspect_refs {
	unsigned int		held[PKVMSIM_NR_SLOTS];
	/* The hyp VM they are held on: it cannot leave its slot meanwhile. */
	struct pkvm_hyp_vm	*vm[PKVMSIM_NR_SLOTS];
};

enum machine_violation {
	MACHINE_HOST_PANIC,	/* an HVC with no hypervisor to take it */
	MACHINE_HYP_CRASH,	/* a call the real hypervisor dies on */
};

struct pkvmsim {
	struct pkvmsim_config	cfg;

	/* The host's hypercall transport. */
	struct pkvm_hvc_ops	hvc;

	/* Host pages given to pKVM at boot (protected mode only). */
	void			*carveout;
	unsigned long		carveout_pages;

	/* One thread per simulated CPU at a time. */
	int			cpu_busy[PKVMSIM_MAX_CPUS];

	/* The simulated host kernel and the invariants' checker. */
	struct host_state	host;
	struct oracle		*oracle;

	/* <pkvmsim/inspect.h>: hyp VM references held across hypercalls. */
	struct inspect_refs	inspect;
};

void machine_violation(struct pkvmsim *sim, enum machine_violation kind,
		       int cpu, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The live simulator, or NULL. */
struct pkvmsim *machine_live(void);

/*
 * One hypercall from @cpu through the installed transport, about host VM
 * @vm_id (0: a raw call), shown to the oracle on the way in and out.
 */
int machine_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long vm_id,
		struct pkvmsim_regs *regs);

/*
 * At pkvmsim_destroy(), before the VMs go: report each reference still
 * held through <pkvmsim/inspect.h> (they stay held; see inspect.c).
 */
void inspect_fini(struct pkvmsim *sim);

/*
 * pkvmsim_destroy(), with the shutdown's report copied to @report (which
 * may be NULL) instead of printed.
 */
int machine_destroy(struct pkvmsim *sim, struct pkvmsim_report *report);

/*
 * Free a simulator whose CPUs were stopped mid-flight (a deadlocked or
 * livelocked controlled run: locks held, hypercalls half done), running
 * no host or hypervisor code and checking nothing.
 */
void machine_abandon(struct pkvmsim *sim);

/* A line for the curious (PKVMSIM_VERBOSE=1 in the environment). */
void machine_log(struct pkvmsim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PKVMSIM_MACHINE_H */
