/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libpkvmsim: the pKVM VM table and handle lifecycle of Linux 6.18, run as
 * a userspace simulation.
 *
 * One simulator is live per process (the hypervisor code keeps the
 * kernel's file-scope state).  Every function returns 0 or a negative
 * errno; a bad argument is -EINVAL, never a crash.
 */
#ifndef PKVMSIM_PKVMSIM_H
#define PKVMSIM_PKVMSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pkvmsim/hvc.h>

#ifdef __cplusplus
extern "C" {
#endif

/** enum pkvmsim_mode - how the host kernel runs KVM (SPEC 6). */
enum pkvmsim_mode {
	PKVMSIM_MODE_PROTECTED,	/* pKVM, finalised: 255-slot VM table */
	PKVMSIM_MODE_NVHE,	/* nVHE hyp, not protected: no VM table */
	PKVMSIM_MODE_VHE,	/* no hypervisor: an HVC panics the host */
	PKVMSIM_MODE_NR,
};

/** enum pkvmsim_profile - which host behaviour to replay (SPEC 7). */
enum pkvmsim_profile {
	PKVMSIM_PROFILE_6_18,	/* Linux 6.18 (default) */
	PKVMSIM_PROFILE_V3,	/* v3 of the series: ungated reserve */
	PKVMSIM_PROFILE_LAZY,	/* before the series: handle at first run */
	PKVMSIM_PROFILE_NR,
};

/* Upper bounds the configuration is checked against. */
#define PKVMSIM_MAX_CPUS		16
#define PKVMSIM_DEFAULT_CPUS		4
#define PKVMSIM_DEFAULT_ARENA_PAGES	16384UL	/* 64 MiB */
#define PKVMSIM_MAX_ARENA_PAGES		(1UL << 20)

/**
 * struct pkvmsim_config - what to simulate.
 * @mode:		host KVM mode.
 * @profile:		host behaviour.
 * @nr_cpus:		simulated physical CPUs, 1..PKVMSIM_MAX_CPUS.
 * @arena_pages:	4 KiB pages of simulated memory.
 * @seed:		seed for anything randomised; 0 is a valid seed.
 */
struct pkvmsim_config {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	unsigned int		nr_cpus;
	unsigned long		arena_pages;
	uint64_t		seed;
};

struct pkvmsim;

/**
 * pkvmsim_config_init() - Fill @cfg with the defaults.
 *
 * Protected mode, profile 6.18, PKVMSIM_DEFAULT_CPUS CPUs, a 64 MiB arena,
 * seed 0.  Return: 0, or -EINVAL if @cfg is NULL.
 */
int pkvmsim_config_init(struct pkvmsim_config *cfg);

/**
 * pkvmsim_create() - Boot a simulated machine.
 * @cfg:	the configuration; NULL means the defaults.
 * @simp:	where to store the simulator.
 *
 * In protected mode the host hands pKVM its carve-out with __pkvm_init and
 * finalises every CPU, so the minimum hypercall id applies from then on.
 *
 * Return: 0; -EINVAL for a bad configuration; -EBUSY if a simulator is
 * already live in this process; -ENOMEM.
 */
int pkvmsim_create(const struct pkvmsim_config *cfg, struct pkvmsim **simp);

/**
 * pkvmsim_destroy() - Shut the machine down and check nothing leaked.
 *
 * Every page must be back with the host, unshared, unpinned and free.  A
 * leak or violation is printed to stderr, one line per page or event, with
 * the operation that caused it; the simulator is freed either way.
 *
 * Return: 0 if clean, -EUCLEAN if anything leaked or a violation was
 * recorded, -EINVAL if @sim is not the live simulator.
 */
int pkvmsim_destroy(struct pkvmsim *sim);

/* SMCCC id of host hypercall number @nr (fast call, SMC64, vendor hyp). */
#define PKVMSIM_HVC_ID(nr)	(0xC6000000ULL | (uint64_t)(nr))
#define PKVMSIM_SMCCC_RET_SUCCESS	0ULL
#define PKVMSIM_SMCCC_RET_NOT_SUPPORTED	((uint64_t)-1)

/** Host hypercall numbers of Linux 6.18 (asm/kvm_asm.h). */
enum pkvmsim_hcall {
	PKVMSIM_HCALL_KVM_HYP_INIT		= 0,
	PKVMSIM_HCALL_PKVM_INIT			= 1,
	PKVMSIM_HCALL_PKVM_PROT_FINALIZE	= 7,
	PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP	= 8,
	PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP	= 9,
	PKVMSIM_HCALL_KVM_VCPU_RUN		= 17,
	PKVMSIM_HCALL_KVM_TLB_FLUSH_VMID	= 21,
	PKVMSIM_HCALL_PKVM_RESERVE_VM		= 27,
	PKVMSIM_HCALL_PKVM_UNRESERVE_VM		= 28,
	PKVMSIM_HCALL_PKVM_INIT_VM		= 29,
	PKVMSIM_HCALL_PKVM_INIT_VCPU		= 30,
	PKVMSIM_HCALL_PKVM_TEARDOWN_VM		= 31,
	PKVMSIM_HCALL_PKVM_VCPU_LOAD		= 32,
	PKVMSIM_HCALL_PKVM_VCPU_PUT		= 33,
	PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID	= 34,
	PKVMSIM_HCALL_NR			= 35,
};

/**
 * pkvmsim_hcall_name() - The kernel's name for hypercall number @nr.
 *
 * Return: e.g. "__pkvm_reserve_vm", or NULL if @nr is not a 6.18 id.
 */
const char *pkvmsim_hcall_name(unsigned long nr);

/**
 * pkvmsim_set_hvc() - Route the host's hypercalls through @ops.
 * @ops: a transport (see <pkvmsim/hvc.h>); NULL restores pkvm_hvc_smccc().
 *
 * The table is copied; its context must outlive its use.  Boot-time
 * hypercalls always take the built-in SMCCC path.
 * Return: 0, or -EINVAL if @sim is not live or @ops has no hvc function.
 */
int pkvmsim_set_hvc(struct pkvmsim *sim, const struct pkvm_hvc_ops *ops);

/**
 * pkvmsim_hvc() - Make one hypercall from simulated CPU @cpu through the
 * installed transport.
 * @sim:	the simulator.
 * @cpu:	the calling CPU, below the configured count.
 * @regs:	in: x0 = function id, x1..x3 arguments; out: x0 = SMCCC
 *		status, x1 = result (the handler's, for a supported call).
 *
 * A call that would panic the host (any HVC in VHE mode) or crash the
 * hypervisor (init_vm, init_vcpu or teardown in nVHE mode) is not executed:
 * it is recorded as a violation naming the call.
 *
 * Return: 0 if the hypervisor handled or refused the call; -EFAULT if it
 * was a violation; -EINVAL for bad arguments; -EBUSY if another thread is
 * using @cpu; or what a user's transport returned.
 */
int pkvmsim_hvc(struct pkvmsim *sim, unsigned int cpu,
		struct pkvmsim_regs *regs);

/**
 * struct pkvmsim_report - what pkvmsim_check() found.
 * @nr_violations:	machine and ledger violations so far.
 * @nr_refusals:	page transitions the hypervisor refused so far.
 * @nr_warnings:	hypervisor WARN_ON()s that fired so far.
 * @nr_leaked_pages:	pages not back home right now (host-owned, unshared,
 *			unreferenced and free), the boot carve-out excepted;
 *			nonzero is expected while VMs are alive.
 * @text:		one line per violation and leaked page.
 */
struct pkvmsim_report {
	unsigned long	nr_violations;
	unsigned long	nr_refusals;
	unsigned long	nr_warnings;
	unsigned long	nr_leaked_pages;
	char		text[8192];
};

/**
 * pkvmsim_check() - Report violations and the pages not back home.
 *
 * Return: 0 if there is no violation and no page away from home,
 * -EUCLEAN otherwise (the report says what), -EINVAL for bad arguments.
 */
int pkvmsim_check(struct pkvmsim *sim, struct pkvmsim_report *report);

/** pkvmsim_mode_name() - "protected", "nvhe" or "vhe"; NULL if invalid. */
const char *pkvmsim_mode_name(enum pkvmsim_mode mode);
/** pkvmsim_profile_name() - "6.18", "v3" or "lazy"; NULL if invalid. */
const char *pkvmsim_profile_name(enum pkvmsim_profile profile);

#ifdef __cplusplus
}
#endif

#endif /* PKVMSIM_PKVMSIM_H */
