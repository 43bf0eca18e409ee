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
 * enum pkvmsim_check - how much the oracle checks, and when.
 * @PKVMSIM_CHECK_CALLS: every hypercall's answer made with no other in
 *			flight, against the model of the table, and the whole
 *			state after every host operation (SPEC 8).
 * @PKVMSIM_CHECK_END:	the whole state only, when pkvmsim_check() or
 *			pkvmsim_destroy() asks: a call several times cheaper,
 *			but a wrong answer that leaves the state right, a
 *			fault the run later repaired, and what only the
 *			answers show (a reservation lost before any check)
 *			go unseen.  The page ledger checks every page
 *			transition either way.
 */
enum pkvmsim_check {
	PKVMSIM_CHECK_CALLS,
	PKVMSIM_CHECK_END,
	PKVMSIM_CHECK_NR,
};

/**
 * struct pkvmsim_config - what to simulate.
 * @mode:		host KVM mode.
 * @profile:		host behaviour.
 * @nr_cpus:		simulated physical CPUs, 1..PKVMSIM_MAX_CPUS.
 * @arena_pages:	4 KiB pages of simulated memory.
 * @seed:		seed for anything randomised; 0 is a valid seed.
 * @hvc:		the host's hypercall transport from boot on (boot's own
 *			hypercalls excepted); NULL is pkvm_hvc_smccc().  As
 *			pkvmsim_set_hvc(), which can change it later.
 * @quiet:		pkvmsim_destroy() prints no report to stderr (for
 *			callers that read pkvmsim_check() themselves).
 * @check:		when the oracle judges (PKVMSIM_CHECK_CALLS by
 *			default): see enum pkvmsim_check.
 */
struct pkvmsim_config {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	unsigned int		nr_cpus;
	unsigned long		arena_pages;
	uint64_t		seed;
	const struct pkvm_hvc_ops *hvc;
	bool			quiet;
	enum pkvmsim_check	check;
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
 * VMs still alive are destroyed first, as process exit closes their fds,
 * through the installed transport (which must therefore still be valid).
 * Every page must then be back with the host, unshared, unpinned and free.  A
 * leak or violation is printed to stderr (unless the config says quiet),
 * one line per page or event, with the operation that caused it; the
 * simulator is freed either way.  If the hypervisor died of a BUG (see
 * pkvmsim_hvc()), no host or hypervisor code runs: the VMs' records are
 * freed as they are, and no page counts as leaked.
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
 * it is recorded as a violation naming the call.  So is one the simulator
 * cannot run: a struct kvm (x1 of init_vm) or struct kvm_vcpu (x2 of
 * init_vcpu) at a misaligned address in memory, which EL2 would read
 * unaligned and C cannot (PKVMSIM_INV_UNMODELLED).  Any other value is
 * the hypervisor's to refuse, with its own errno.
 *
 * A BUG the hypervisor hits in a call (a BUG_ON upstream has too, such as
 * a page pinned 65535 times) is a hyp panic: it is recorded as a violation
 * naming the call (PKVMSIM_INV_HYP_CRASH), and the machine stops.  From
 * then on every call that would run it, raw or through the host API,
 * answers -EFAULT and records nothing more; inspection, pkvmsim_check()
 * and pkvmsim_destroy() still work.
 *
 * Return: 0 if the hypervisor handled or refused the call; -EFAULT if it
 * was a violation, hit a BUG, or the machine had stopped; -EINVAL for bad
 * arguments; -EBUSY if another thread is using @cpu; or what a user's
 * transport returned.
 */
int pkvmsim_hvc(struct pkvmsim *sim, unsigned int cpu,
		struct pkvmsim_regs *regs);

/*
 * What a violation breaks: an invariant of SPEC section 8 (1..13), or
 * something the machine itself caught.
 */
#define PKVMSIM_INV_HOST_PANIC		100	/* an HVC with no hypervisor */
#define PKVMSIM_INV_HYP_CRASH		101	/* the hyp dies: a call, a BUG */
#define PKVMSIM_INV_LEDGER		102	/* a page transition gone wrong */
#define PKVMSIM_INV_UNMODELLED		103	/* a call C cannot run */

/**
 * struct pkvmsim_violation - one broken rule, as the oracle saw it.
 * @invariant:	SPEC 8 invariant number (1..13) or a PKVMSIM_INV_* value.
 * @vm:		the host VM it is about (pkvmsim_vm_id()), 0 if none.
 * @handle:	the pKVM handle involved, 0 if none.
 * @cpu:	the simulated CPU that made the operation, -1 if none.
 * @op:		the operation: a hypercall's kernel name or a host flow
 *		("kvm_arch_init_vm", "kvm_arch_destroy_vm", "check", ...).
 * @what:	one human-readable sentence.
 */
struct pkvmsim_violation {
	unsigned int	invariant;
	unsigned long	vm;
	unsigned int	handle;
	int		cpu;
	char		op[48];
	char		what[192];
};

#define PKVMSIM_REPORT_KEPT	16

/**
 * struct pkvmsim_report - what pkvmsim_check() found.
 * @nr_violations:	machine, ledger and oracle violations so far.
 * @nr_refusals:	page transitions the hypervisor refused so far.
 * @nr_warnings:	hypervisor WARN_ON()s that fired so far.
 * @nr_host_warnings:	host WARN_ON()s (a hypercall refused with x0 != 0,
 *			a teardown that failed) so far.
 * @nr_leaked_pages:	pages not back home right now (host-owned, unshared,
 *			unreferenced and free), the boot carve-out excepted;
 *			nonzero is expected while VMs are alive; not counted
 *			once the hypervisor has died of a BUG.
 * @nr_kept:		entries filled in @violations (the first ones).
 * @violations:		the oracle's structured records, oldest first.
 * @text:		one line per violation and leaked page.
 * @nr_judged:		hypercall answers the oracle judged against the
 *			model of the table (those made with no other call in
 *			flight) so far.
 * @nr_state_checks:	whole-state checks (SPEC 8's invariants over every
 *			slot, CPU and VM) made so far.
 */
struct pkvmsim_report {
	unsigned long			nr_violations;
	unsigned long			nr_refusals;
	unsigned long			nr_warnings;
	unsigned long			nr_host_warnings;
	unsigned long			nr_leaked_pages;
	unsigned int			nr_kept;
	struct pkvmsim_violation	violations[PKVMSIM_REPORT_KEPT];
	char				text[8192];
	unsigned long			nr_judged;
	unsigned long			nr_state_checks;
};

/**
 * pkvmsim_check() - Report violations and the pages not back home.
 *
 * The oracle checks SPEC 8's invariants as every hypercall goes by, and the
 * whole-state ones (handles against the table, loaded vCPUs) after every
 * host operation made while nothing else was in flight.  Each violation is
 * kept as a struct pkvmsim_violation and as a line of text.
 *
 * Return: 0 if there is no violation and no page away from home,
 * -EUCLEAN otherwise (the report says what), -EINVAL for bad arguments.
 */
int pkvmsim_check(struct pkvmsim *sim, struct pkvmsim_report *report);

/*
 * --- the simulated host (SPEC 5): VMs, vCPUs, notifiers ---
 *
 * Once the hypervisor has died of a BUG (pkvmsim_hvc()), every call below
 * that would run the host answers -EFAULT.
 */

/*
 * A VM, as the caller holds it: an opaque handle, not an address.  No two
 * VMs of a process ever get the same one, so a handle to a destroyed VM
 * names no VM, whatever was created since.
 */
struct pkvmsim_vm;

/* Most vCPUs one VM may have. */
#define PKVMSIM_MAX_VCPUS	16

/**
 * enum pkvmsim_vm_type - the VM type asked for at creation.
 * @PKVMSIM_VM_NORMAL:		a non-protected VM (all VMs in 6.18).
 * @PKVMSIM_VM_PROTECTED:	a protected VM, as later kernels offer with
 *				KVM_VM_TYPE_ARM_PROTECTED; -EINVAL outside
 *				pKVM mode.
 */
enum pkvmsim_vm_type {
	PKVMSIM_VM_NORMAL,
	PKVMSIM_VM_PROTECTED,
};

/**
 * pkvmsim_vm_create() - KVM_CREATE_VM on simulated CPU @cpu.
 * @sim:	the simulator.
 * @cpu:	the CPU the host runs the ioctl on.
 * @vmp:	where to store the new VM.
 *
 * Runs kvm_arch_init_vm() as the configured profile has it (in 6.18 and
 * pKVM mode: the handle is reserved here), registers the MMU notifier and
 * tells the simulated TrustZone about the VM by handle (pKVM mode only).
 *
 * Return: 0; the error of kvm_arch_init_vm() (e.g. -EINVAL from a reserve
 * with no VM table, -ENOMEM with every slot taken); -EFAULT if a hypercall
 * on the way would have panicked the host or crashed the hypervisor (the
 * report says which); -EINVAL for bad arguments.
 */
int pkvmsim_vm_create(struct pkvmsim *sim, unsigned int cpu,
		      struct pkvmsim_vm **vmp);

/** pkvmsim_vm_create_type() - pkvmsim_vm_create() for a given VM type. */
int pkvmsim_vm_create_type(struct pkvmsim *sim, unsigned int cpu,
			   enum pkvmsim_vm_type type,
			   struct pkvmsim_vm **vmp);

/**
 * pkvmsim_vcpu_create() - KVM_CREATE_VCPU with index @idx.
 *
 * vCPUs are created in index order, before the VM first runs (as the
 * kernel refuses new vCPUs once the vGIC is initialised at first run).
 * Return: 0; -EINVAL for a bad or out-of-order @idx; -EBUSY after the
 * first run; -ENOMEM.
 */
int pkvmsim_vcpu_create(struct pkvmsim_vm *vm, unsigned int cpu,
			unsigned int idx);

/**
 * pkvmsim_vcpu_run() - KVM_RUN of vCPU @idx on CPU @cpu, up to the guest
 * entry, in kvm_vcpu_ioctl()'s order: on the vCPU's first run, create the
 * hyp VM (once for the whole VM) and the hyp vCPU; then load the vCPU (in
 * pKVM mode with __pkvm_vcpu_load, which from the first run on finds the
 * hyp vCPU and takes a reference on its VM).  The vCPU stays loaded on
 * @cpu until pkvmsim_vcpu_put().
 *
 * Return: 0; the first-run error (the hyp VM or vCPU could not be
 * created), with nothing loaded; -EBUSY if the vCPU is loaded elsewhere
 * or @cpu has another vCPU loaded; -EFAULT for a fatal hypercall; -EINVAL.
 */
int pkvmsim_vcpu_run(struct pkvmsim_vm *vm, unsigned int cpu,
		     unsigned int idx);

/**
 * pkvmsim_vcpu_ioctl() - Any other vCPU ioctl on @cpu (KVM_SET_ONE_REG,
 * say): the vCPU is loaded and put around it.  Before the first run that
 * sends the __pkvm_vcpu_load the hypervisor must ignore, since neither
 * its hyp VM nor its hyp vCPU exists yet.
 *
 * Return: 0; -EBUSY if the vCPU is loaded elsewhere or @cpu has another
 * vCPU loaded; -EFAULT for a fatal hypercall; -EINVAL.
 */
int pkvmsim_vcpu_ioctl(struct pkvmsim_vm *vm, unsigned int cpu,
		       unsigned int idx);

/** pkvmsim_vcpu_put() - Put vCPU @idx, loaded on @cpu.  0 or -EINVAL. */
int pkvmsim_vcpu_put(struct pkvmsim_vm *vm, unsigned int cpu,
		     unsigned int idx);

/**
 * pkvmsim_mmu_notify() - An MMU notifier fires for @vm on @cpu: the host
 * flushes the VM's TLB, in pKVM mode with __pkvm_tlb_flush_vmid(handle).
 * Valid from VM creation on, before the first run too: that is the window
 * the series closes.  Return: 0, -EFAULT or -EINVAL.
 */
int pkvmsim_mmu_notify(struct pkvmsim_vm *vm, unsigned int cpu);

/**
 * pkvmsim_vm_destroy() - The last reference to @vm goes: put a vCPU
 * still loaded on @cpu, kvm_arch_destroy_vm() (teardown or unreserve in
 * pKVM mode), and free everything.  @vm is gone afterwards, whatever the
 * hypervisor answered; a teardown that fails leaks its slot, as the
 * kernel's does, and the oracle reports it.  As with the last close of a
 * VM's fd, no other call on @vm may be in flight or follow; a stale @vm
 * is refused with -EINVAL.
 *
 * Return: 0; the teardown's error (e.g. -EBUSY), @vm gone all the same;
 * -EAGAIN, and nothing done, while a vCPU of @vm is loaded on another CPU
 * or another thread is using @cpu; -EFAULT; -EINVAL.
 */
int pkvmsim_vm_destroy(struct pkvmsim_vm *vm, unsigned int cpu);

/** pkvmsim_vm_handle() - The host's handle for @vm: 0 if none (yet). */
unsigned int pkvmsim_vm_handle(const struct pkvmsim_vm *vm);

/** pkvmsim_vm_id() - @vm's number in reports: 1, 2, ... per simulator. */
unsigned long pkvmsim_vm_id(const struct pkvmsim_vm *vm);

/** pkvmsim_vm_is_created() - Whether the hyp VM exists (is_created). */
bool pkvmsim_vm_is_created(const struct pkvmsim_vm *vm);

/**
 * pkvmsim_tz_vm_count() - VMs the simulated TrustZone was told about and
 * not yet told are gone.
 */
unsigned long pkvmsim_tz_vm_count(struct pkvmsim *sim);

/** pkvmsim_mode_name() - "protected", "nvhe" or "vhe"; NULL if invalid. */
const char *pkvmsim_mode_name(enum pkvmsim_mode mode);
/** pkvmsim_profile_name() - "6.18", "v3" or "lazy"; NULL if invalid. */
const char *pkvmsim_profile_name(enum pkvmsim_profile profile);

#ifdef __cplusplus
}
#endif

#endif /* PKVMSIM_PKVMSIM_H */
