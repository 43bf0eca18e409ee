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

	/* The hypercalls of a controlled run, when recorded. */
	struct history		*history;
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

/* The hypercall number an SMCCC id names, as the dispatcher decodes it. */
unsigned long machine_hcall_nr(uint64_t id);

/*
 * --- the history of hypercalls, for the linearizability check ---
 * (history.c).  Off unless history_start() was called; then each call on
 * the VM table is recorded with its invocation and response, until
 * history_stop().
 */
struct history;

/* Record from now on, from the table as it is (nothing in flight). */
int history_start(struct pkvmsim *sim);
/*
 * Stop recording and check the history against the sequential model:
 * 0 if linearizable (or not checkable: too long), 1 if not, with @why
 * (one paragraph) and, if @text, the history itself.
 */
int history_stop(struct pkvmsim *sim, char *why, size_t len, char *text,
		 size_t text_len);
/* A call entering: its slot in the history, or -1 if not recorded. */
int history_call(struct pkvmsim *sim, unsigned int cpu,
		 const struct pkvmsim_regs *in);
/* Its answer; @real: the hypervisor itself gave it. */
void history_return(struct pkvmsim *sim, int slot,
		    const struct pkvmsim_regs *out, bool real);
/* A hyp VM reference taken or dropped through <pkvmsim/inspect.h>. */
int history_ref_call(struct pkvmsim *sim, unsigned int cpu,
		     unsigned int kind, unsigned int handle);
void history_ref_return(struct pkvmsim *sim, int slot, int result);
/* Stop recording without a verdict. */
void history_cancel(struct pkvmsim *sim);
void history_free(struct pkvmsim *sim);

/* A line for the curious (PKVMSIM_VERBOSE=1 in the environment). */
void machine_log(struct pkvmsim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PKVMSIM_MACHINE_H */
