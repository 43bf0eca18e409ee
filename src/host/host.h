/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated host kernel's private declarations: the host-only state
 * around each struct kvm and struct kvm_vcpu, and the functions of
 * arch/arm64/kvm/pkvm.c and arm.c it models.
 *
 * struct kvm and struct kvm_vcpu themselves live in arena pages, because
 * the hypervisor reads them through pinned shared pages; everything the
 * hypervisor never sees lives in malloc'd memory beside them.
 */
#ifndef PKVMSIM_HOST_H
#define PKVMSIM_HOST_H

#include <bsd/sys/queue.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <pkvmsim/pkvmsim.h>
#include "linux/kvm_host.h"

struct pkvmsim_table;

struct host_vcpu {
	struct kvm_vcpu		*vcpu;		/* arena page, shared */
	/* The host CPU it is loaded on, or -1 (vcpu_load/vcpu_put). */
	int			loaded_cpu;
	/* kvm_vcpu_initialized(): the first run's set-up is done. */
	bool			has_run;
	/* VCPU_PKVM_FINALIZED: its hyp vCPU exists. */
	bool			pkvm_finalized;
};

/*
 * A host VM.  The struct pkvmsim_vm * a caller holds is not its address
 * but @token (see vm_token_new() in api.c): host_vm_find() resolves it.
 */
struct pkvmsim_vm {
	struct pkvmsim		*sim;
	unsigned long		id;
	uintptr_t		token;
	enum pkvmsim_vm_type	type;

	struct kvm		*kvm;		/* arena pages, shared */
	unsigned long		kvm_pages;

	/* kvm->lock: vCPU creation against the first run. */
	struct mutex		lock;
	/* A vCPU has started its first run: no more vCPUs (the vGIC). */
	bool			has_run;

	/* The host's own stage-2 PGD (kvm_init_stage2_mmu). */
	void			*stage2_pgd;
	/* The supported-CPU mask, host memory only. */
	unsigned long		*supported_cpus;

	unsigned long		nr_notifies;
	/*
	 * Public calls on this VM in flight, under host->lock: the VM is not
	 * destroyed from under them (kvm_destroy_vm() waits for its users).
	 */
	unsigned int		users;
	struct host_vcpu	vcpus[PKVMSIM_MAX_VCPUS];

	TAILQ_ENTRY(pkvmsim_vm)	link;		/* sim->host.vms */
};

TAILQ_HEAD(host_vm_list, pkvmsim_vm);

/* The host's share of the simulator: sim->host, allocated by the host. */
struct host_state {
	pthread_mutex_t		lock;		/* @vms, @next_id, TZ */
	struct host_vm_list	vms;
	unsigned long		next_id;
	unsigned long		nr_warnings;	/* host WARN_ON()s */
	/* The simulated TrustZone: VMs it was told about. */
	unsigned long		tz_vms;
	/* Host CPUs in use by a thread, one at a time. */
	int			cpu_busy[PKVMSIM_MAX_CPUS];
	/* The vCPU loaded on each host CPU, or NULL. */
	struct host_vcpu	*loaded[PKVMSIM_MAX_CPUS];
};

/*
 * The live VM the caller's @handle names, or NULL (a stale or made-up
 * one); with sim->host->lock held.
 */
struct pkvmsim_vm *host_vm_find(struct pkvmsim *sim,
				const struct pkvmsim_vm *handle);

/* A host with no VM yet, for machine_create(); NULL on -ENOMEM. */
struct host_state *host_state_create(void);
/* Free what host_state_create() made, its VMs gone (fini or abandon). */
void host_state_free(struct host_state *host);
/* Destroy every VM the user left behind, as process exit does. */
void host_state_fini(struct pkvmsim *sim);
/* Free the host's records of its VMs without running any of its code. */
void host_state_abandon(struct pkvmsim *sim);

/* --- the simulator's lifecycle (sim.c) --- */

/*
 * pkvmsim_destroy(), with the shutdown's report copied to @report (which
 * may be NULL) instead of printed.
 */
int host_sim_destroy(struct pkvmsim *sim, struct pkvmsim_report *report);
/*
 * Free a simulator whose CPUs were stopped mid-flight (a deadlocked or
 * livelocked controlled run: locks held, hypercalls half done), running
 * no host or hypervisor code and checking nothing.
 */
void host_sim_abandon(struct pkvmsim *sim);


/* --- hypercalls (kvm_call_hyp_nvhe) --- */

/*
 * Make hypercall @nr about @vm (NULL: none) from the calling host CPU.
 * Evaluates to x1, as the kernel's wrapper does, after a host warning if
 * the hypervisor refused the id.  A call the machine would not survive
 * evaluates to the transport's error (-EFAULT).
 */
long host_hvc(struct pkvmsim_vm *vm, unsigned long nr, u64 a1, u64 a2,
	      u64 a3);
#define kvm_call_hyp_nvhe(vm, f, ...)					\
	host_hvc(vm, __KVM_HOST_SMCCC_FUNC_##f, ##__VA_ARGS__)

/*
 * Run the host on @cpu from the calling thread, one thread per CPU at a
 * time (-EBUSY otherwise); every public entry point brackets its work so.
 */
int host_cpu_enter(struct pkvmsim *sim, unsigned int cpu);
void host_cpu_exit(struct pkvmsim *sim, unsigned int cpu);
/* The simulated CPU the calling thread runs the host on, or -1. */
int host_this_cpu(void);
void host_warn(struct pkvmsim *sim, const char *what);

/* --- arch/arm64/kvm/pkvm.c --- */

int pkvm_init_host_vm(struct pkvmsim_vm *vm);
int pkvm_create_hyp_vm(struct pkvmsim_vm *vm);
int pkvm_create_hyp_vcpu(struct pkvmsim_vm *vm, struct host_vcpu *hv);
int pkvm_destroy_hyp_vm(struct pkvmsim_vm *vm);

/* --- arch/arm64/kvm/arm.c and mmu.c --- */

int kvm_share_hyp(struct pkvmsim_vm *vm, void *from, unsigned long nr);
void kvm_unshare_hyp(struct pkvmsim_vm *vm, void *from, unsigned long nr);
int kvm_arch_init_vm(struct pkvmsim_vm *vm);
int kvm_arch_destroy_vm(struct pkvmsim_vm *vm);
int kvm_arch_vcpu_create(struct pkvmsim_vm *vm, struct host_vcpu *hv);
void kvm_arch_vcpu_destroy(struct pkvmsim_vm *vm, struct host_vcpu *hv);
void kvm_arch_vcpu_load(struct pkvmsim_vm *vm, struct host_vcpu *hv);
void kvm_arch_vcpu_put(struct pkvmsim_vm *vm, struct host_vcpu *hv);
int kvm_arch_vcpu_run_pid_change(struct pkvmsim_vm *vm,
				 struct host_vcpu *hv);
void kvm_arch_flush_remote_tlbs(struct pkvmsim_vm *vm);

/*
 * --- <pkvmsim/inspect.h>: the table with its host VMs, raw arguments
 * and host pages (raw.c) ---
 */

/* At pkvmsim_destroy(): forget the pages pkvmsim_host_pages_alloc() gave. */
void host_raw_fini(struct pkvmsim *sim);

/*
 * pkvmsim_table_snapshot() from a controlled run's scheduling point, where
 * the CPU that stopped there may hold any lock: the table is read without
 * vm_table_lock, and a slot's host VM is 0 if the host's lock is held.
 */
int host_table_peek(struct pkvmsim *sim, struct pkvmsim_table *out);

/* --- the simulated TrustZone (the seed's "before the first run") --- */

void tz_vm_created(struct pkvmsim_vm *vm);
void tz_vm_destroyed(struct pkvmsim_vm *vm);

#endif /* PKVMSIM_HOST_H */
