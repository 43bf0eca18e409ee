/* SPDX-License-Identifier: GPL-2.0-only */
/* The simulator object and the EL2 entry shared by the transports. */
#ifndef PKVMSIM_MACHINE_H
#define PKVMSIM_MACHINE_H

#include <pthread.h>

#include <pkvmsim/pkvmsim.h>

enum machine_violation {
	MACHINE_HOST_PANIC,	/* an HVC with no hypervisor to take it */
	MACHINE_HYP_CRASH,	/* a call the real hypervisor dies on */
};

struct machine_event {
	enum machine_violation	kind;
	int			cpu;
	char			what[160];
};

#define MACHINE_KEPT_VIOLATIONS	32

struct pkvmsim {
	struct pkvmsim_config	cfg;

	/* The host's hypercall transport. */
	struct pkvm_hvc_ops	hvc;

	/* Host pages given to pKVM at boot (protected mode only). */
	void			*carveout;
	unsigned long		carveout_pages;

	/* One thread per simulated CPU at a time. */
	int			cpu_busy[PKVMSIM_MAX_CPUS];

	pthread_mutex_t		lock;	/* protects the violation log */
	unsigned long		nr_violations;
	struct machine_event	violations[MACHINE_KEPT_VIOLATIONS];
};

void machine_violation(struct pkvmsim *sim, enum machine_violation kind,
		       int cpu, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The live simulator, or NULL. */
struct pkvmsim *machine_live(void);

#endif /* PKVMSIM_MACHINE_H */
