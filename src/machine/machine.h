/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulator object and the EL2 entry shared by the transports.
 *
 * The machine sits below the hypercall transports and the host (README.md,
 * "Layers"): it calls down into src/hyp, src/env and src/check and never
 * up.  The public lifecycle (pkvmsim_create() and _destroy(), which must
 * run host code) lives in src/host/sim.c and drives the machine through
 * the functions below.
 */
#ifndef PKVMSIM_MACHINE_H
#define PKVMSIM_MACHINE_H

#include <pthread.h>

#include <pkvmsim/pkvmsim.h>
#include <pkvmsim/inspect.h>

struct host_state;
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
	MACHINE_UNMODELLED,	/* a call the simulator cannot run in C */
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

	/*
	 * The simulated host kernel's state: src/host allocates it and hands
	 * it to machine_create(); opaque here.
	 */
	struct host_state	*host;
	/* The invariants' checker. */
	struct oracle		*oracle;

	/* <pkvmsim/inspect.h>: hyp VM references held across hypercalls. */
	struct inspect_refs	inspect;

	/* The hypercalls of a controlled run, when recorded. */
	struct history		*history;

	/*
	 * No CPU will run again (a controlled run stopped mid-flight): the
	 * table is read without vm_table_lock, which a stopped CPU may hold.
	 */
	bool			stopped;

	/*
	 * The hypervisor hit a BUG (a hyp panic): the machine is dead.  No
	 * hypercall is made from then on, the oracle judges nothing more,
	 * and shutdown runs no host or hypervisor code.  Atomic: set by the
	 * CPU that died, read by every other.
	 */
	bool			dead;
};

void machine_violation(struct pkvmsim *sim, enum machine_violation kind,
		       int cpu, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The live simulator, or NULL. */
struct pkvmsim *machine_live(void);

/* Whether @sim's hypervisor has died of a BUG (see struct pkvmsim). */
bool machine_dead(const struct pkvmsim *sim);

/*
 * One hypercall from @cpu through the installed transport, about host VM
 * @vm_id (0: a raw call), shown to the oracle on the way in and out.
 */
int machine_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long vm_id,
		struct pkvmsim_regs *regs);

/* --- the lifecycle, as src/host/sim.c drives it --- */

/*
 * Boot a machine for @cfg (NULL: the defaults) and make it the live one,
 * with @host, the host's state, in sim->host.  -EINVAL for a bad @cfg,
 * -EBUSY if a simulator is live already.
 */
int machine_create(const struct pkvmsim_config *cfg, struct host_state *host,
		   struct pkvmsim **simp);

/*
 * Begin to shut @sim down: -EINVAL, holding nothing, unless it is the live
 * simulator; else 0, and no other simulator is created or destroyed until
 * machine_free().
 */
int machine_stop(struct pkvmsim *sim);

/*
 * At shutdown, before the VMs go: report each reference still held
 * through <pkvmsim/inspect.h> (they stay held; see inspect.c).
 */
void inspect_fini(struct pkvmsim *sim);

/*
 * At shutdown, once the host's VMs are gone: report each slot still in
 * use, and take the carve-out back from the hypervisor.
 */
void machine_shutdown(struct pkvmsim *sim);

/*
 * The machine's part of a report (violations, ledger, leaks, warnings):
 * all of @report but nr_host_warnings, which is zero.
 */
void machine_fill_report(struct pkvmsim *sim, struct pkvmsim_report *report);

/*
 * Free @sim, stopped by machine_stop(), without a word: its VMs and
 * records go (sim->host is the host's to free first).
 */
void machine_free(struct pkvmsim *sim);

/* Forget everything the hypervisor and the records remember. */
void machine_reset_hyp_state(void);
/*
 * Protected mode as the kernel boots it: pKVM's carve-out, then every CPU
 * finalised.  On a machine with a fresh arena and hyp state.
 */
int machine_boot_protected(struct pkvmsim *sim);

/*
 * pkvmsim_reset(), the machine's part (reset.c), once the host has
 * forgotten its VMs: whether the machine was clean, then a fresh boot
 * with @cfg (checked by the caller; the same arena size), or with the
 * configuration and transport it has if @cfg is NULL.  Returns 0 or
 * -EUCLEAN, as pkvmsim_reset().
 */
int machine_reset(struct pkvmsim *sim, const struct pkvmsim_config *cfg);

/*
 * <pkvmsim/inspect.h>, the machine's half (inspect.c): the VM table as
 * pkvmsim_table_snapshot() and pkvmsim_slot() give it, but for the host VM
 * of each LIVE slot: @kvm gets the host address of the struct kvm it was
 * built from (NULL if none), for the host to resolve.  @kvm of
 * machine_table_read() has PKVMSIM_NR_SLOTS entries.
 */
int machine_table_read(struct pkvmsim *sim, struct pkvmsim_table *out,
		       const void **kvm);
/* See struct pkvmsim's @stopped; only machine_free() undoes it. */
void machine_mark_stopped(struct pkvmsim *sim);
/*
 * For a controlled run's scheduling point, where the CPU that stopped
 * there may hold any lock: the violations the oracle and the ledger have
 * recorded so far, and machine_table_read() without vm_table_lock.
 */
unsigned long machine_violations_peek(struct pkvmsim *sim);
int machine_table_peek(struct pkvmsim *sim, struct pkvmsim_table *out,
		       const void **kvm);
int machine_slot_read(struct pkvmsim *sim, unsigned int handle,
		      struct pkvmsim_slot *out, const void **kvm);

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
 * 0 if linearizable (or not checkable: too long, or the machine died),
 * 1 if not, with @why (one paragraph) and, if @text, the history itself.
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
