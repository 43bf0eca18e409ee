// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulated board: memory, CPUs, the mode the host boots KVM in, and
 * the EL2 entry every hypercall goes through.
 *
 * It is the only place that knows what the real hardware would do with a
 * call the hypervisor code must never see: an HVC with no hypervisor (VHE)
 * panics the host, and a pKVM lifecycle call to a hypervisor that never
 * initialised pKVM (nVHE) crashes it.  Both are recorded as violations and
 * not executed, so the hyp code stays as faithful as upstream's.  So is a
 * host structure at a misaligned address, which EL2 would read unaligned
 * and C cannot.  A BUG the hypervisor hits on the way (a hyp panic) kills
 * the machine, not the process: the call is unwound, reported, and the
 * machine takes no hypercall after it.
 *
 * It boots and shuts down as src/host/sim.c tells it (pkvmsim_create(),
 * pkvmsim_destroy()): the host is the layer above, and the machine never
 * calls it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/pkvmsim.h>
#include "asm/cpufeature.h"
#include "linux/sim_lock.h"
#include "sim_env.h"
#include "sim_inject.h"
#include "hyp_state.h"
#include "machine.h"
#include "oracle.h"

static struct pkvmsim *live_sim;
/* The host VM the calling thread's hypercall is about, for reports. */
SIM_FIBER_LOCAL(unsigned long, hvc_vm_id, 0)
/* Calls the calling thread delivered to the hypervisor's handlers. */
SIM_FIBER_LOCAL(unsigned long, hyp_dispatches, 0)
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const mode_names[] = {
	[PKVMSIM_MODE_PROTECTED]	= "protected",
	[PKVMSIM_MODE_NVHE]		= "nvhe",
	[PKVMSIM_MODE_VHE]		= "vhe",
};

static const char *const profile_names[] = {
	[PKVMSIM_PROFILE_6_18]	= "6.18",
	[PKVMSIM_PROFILE_V3]	= "v3",
	[PKVMSIM_PROFILE_LAZY]	= "lazy",
};

const char *pkvmsim_mode_name(enum pkvmsim_mode mode)
{
	if ((unsigned int)mode >= PKVMSIM_MODE_NR)
		return NULL;
	return mode_names[mode];
}

const char *pkvmsim_profile_name(enum pkvmsim_profile profile)
{
	if ((unsigned int)profile >= PKVMSIM_PROFILE_NR)
		return NULL;
	return profile_names[profile];
}

int pkvmsim_config_init(struct pkvmsim_config *cfg)
{
	if (!cfg)
		return -EINVAL;

	*cfg = (struct pkvmsim_config){
		.mode = PKVMSIM_MODE_PROTECTED,
		.profile = PKVMSIM_PROFILE_6_18,
		.nr_cpus = PKVMSIM_DEFAULT_CPUS,
		.arena_pages = PKVMSIM_DEFAULT_ARENA_PAGES,
		.seed = 0,
	};
	return 0;
}

static int config_check(const struct pkvmsim_config *cfg)
{
	if ((unsigned int)cfg->mode >= PKVMSIM_MODE_NR ||
	    (unsigned int)cfg->profile >= PKVMSIM_PROFILE_NR)
		return -EINVAL;
	if (!cfg->nr_cpus || cfg->nr_cpus > PKVMSIM_MAX_CPUS)
		return -EINVAL;
	/* Room for the carve-out and at least a VM's worth of pages. */
	if (cfg->arena_pages < 16 ||
	    cfg->arena_pages > PKVMSIM_MAX_ARENA_PAGES)
		return -EINVAL;
	if (cfg->hvc && !cfg->hvc->hvc)
		return -EINVAL;
	if ((unsigned int)cfg->check >= PKVMSIM_CHECK_NR)
		return -EINVAL;
	return 0;
}

void machine_violation(struct pkvmsim *sim, enum machine_violation kind,
		       int cpu, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	oracle_report(sim->oracle, kind == MACHINE_HOST_PANIC ?
		      PKVMSIM_INV_HOST_PANIC : kind == MACHINE_HYP_CRASH ?
		      PKVMSIM_INV_HYP_CRASH : PKVMSIM_INV_UNMODELLED,
		      hvc_vm_id, 0, cpu,
		      sim_this_hcall() ? sim_this_hcall() : "hvc",
		      "%s", what);
	machine_log(sim, "violation on cpu %d: %s", cpu, what);
}

void machine_log(struct pkvmsim *sim, const char *fmt, ...)
{
	va_list ap;

	(void)sim;
	if (!getenv("PKVMSIM_VERBOSE"))
		return;
	va_start(ap, fmt);
	fputs("pkvmsim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

unsigned long machine_hcall_nr(uint64_t id)
{
	return (unsigned long)((id & ~ARM_SMCCC_CALL_HINTS) -
			       KVM_HOST_SMCCC_ID(0));
}

static const char *hcall_label(unsigned long nr)
{
	const char *name = pkvmsim_hcall_name(nr);

	return name ? name : "(unknown hypercall)";
}

/* Calls that reach pKVM state an nVHE hypervisor never set up. */
static bool nvhe_would_crash(unsigned long nr)
{
	return nr == __KVM_HOST_SMCCC_FUNC___pkvm_init_vm ||
	       nr == __KVM_HOST_SMCCC_FUNC___pkvm_init_vcpu ||
	       nr == __KVM_HOST_SMCCC_FUNC___pkvm_teardown_vm;
}

struct pkvmsim *machine_live(void)
{
	return __atomic_load_n(&live_sim, __ATOMIC_ACQUIRE);
}

bool machine_dead(const struct pkvmsim *sim)
{
	return __atomic_load_n(&sim->dead, __ATOMIC_ACQUIRE);
}

/*
 * The host structure a call names, as the hypervisor will read it: x1 of
 * init_vm (struct kvm), x2 of init_vcpu (struct kvm_vcpu).  EL2 reads it
 * even at a misaligned address (it runs with alignment checks off); C
 * cannot, so such a call is not run if the structure lies in memory at
 * all.  Wholly outside memory, the pin refuses it first and nothing is
 * read, so the call runs as it would on the hardware.
 */
static bool host_struct_unmodelled(unsigned long nr,
				   const struct pkvmsim_regs *regs,
				   const char **what)
{
	uint64_t bytes = (uint64_t)sim_arena_nr_pages() * SIM_PAGE_SIZE;
	uint64_t va, off;
	size_t align;

	if (nr == __KVM_HOST_SMCCC_FUNC___pkvm_init_vm) {
		va = regs->x[1];
		align = _Alignof(struct kvm);
		*what = "struct kvm";
	} else if (nr == __KVM_HOST_SMCCC_FUNC___pkvm_init_vcpu) {
		va = regs->x[2];
		align = _Alignof(struct kvm_vcpu);
		*what = "struct kvm_vcpu";
	} else {
		return false;
	}
	if (!(va & (align - 1)))
		return false;
	/* kern_hyp_va() keeps every value in the hypervisor's window. */
	off = __kern_hyp_va((unsigned long)va) -
	      (uintptr_t)sim_arena_hyp_base();
	return off < bytes;
}

/* "src/hyp/pkvm.c" of a full path, for a report. */
static const char *source_path(const char *file)
{
	const char *p, *last = NULL;

	/* The last one: the checkout itself may sit under a "src/". */
	for (p = file; (p = strchr(p, '/')); p++)
		if (!strncmp(p, "/src/", 5) || !strncmp(p, "/include/", 9))
			last = p;
	return last ? last + 1 : file;
}

/*
 * The hypervisor on @cpu hit a BUG (@trap says where): the real one would
 * panic, taking the machine with it.  Report it naming the call, mark the
 * machine dead before anyone else runs, and let go of the hyp locks the
 * dead CPU held, so a CPU waiting for one (in free mode or under the
 * controlled scheduler) finishes its call instead of waiting forever.
 */
static void machine_crash(struct pkvmsim *sim, unsigned int cpu,
			  struct sim_bug_trap *trap)
{
	unsigned int i;

	machine_violation(sim, MACHINE_HYP_CRASH, (int)cpu,
			  "hypervisor BUG at %s:%d: %s; the machine is "
			  "stopped", source_path(trap->file), trap->line,
			  trap->cond);
	oracle_machine_dead(sim->oracle);
	__atomic_store_n(&sim->dead, true, __ATOMIC_RELEASE);
	for (i = trap->nr_held; i-- > 0;)
		sim_lock_release(trap->held[i]);
}

/* x0 and x1 as the dispatcher leaves them for an id it refuses. */
static void refuse(struct kvm_cpu_context *ctxt)
{
	cpu_reg(ctxt, 0) = SMCCC_RET_NOT_SUPPORTED;
}

/* The built-in transports' dispatch: through handle_host_hcall()... */
static void dispatch_smccc(struct kvm_cpu_context *ctxt, unsigned long nr)
{
	(void)nr;
	handle_host_hcall(ctxt);
}

/*
 * ...or straight to the handler, as the "direct" transport does.  It
 * leaves out the dispatcher's code, never its refusals: an id below the
 * minimum (once pKVM has finalised, the boot-only ones), past the table or
 * without a handler is refused as handle_host_hcall() refuses it, so no
 * register file does through direct what it could not through smccc.
 */
static void dispatch_direct(struct kvm_cpu_context *ctxt, unsigned long nr)
{
	unsigned long hcall_min = 0;

	if (static_branch_unlikely(&kvm_protected_mode_initialized))
		hcall_min = __KVM_HOST_SMCCC_FUNC___pkvm_prot_finalize;

	if (nr < hcall_min || nr >= host_hcall_nr || !host_hcall[nr]) {
		refuse(ctxt);
		return;
	}
	cpu_reg(ctxt, 0) = SMCCC_RET_SUCCESS;
	host_hcall[nr](ctxt);
}

typedef void (*dispatch_t)(struct kvm_cpu_context *, unsigned long);

/*
 * Run the hypervisor for one call: 0, or -EFAULT if it hit a BUG, which
 * unwinds to here (the dead CPU's stack above is abandoned: hyp code
 * allocates nothing and holds no lock but the hyp locks it lets go of).
 */
static int el2_run(struct pkvmsim *sim, unsigned int cpu,
		   struct kvm_cpu_context *ctxt, dispatch_t dispatch,
		   unsigned long nr, struct sim_bug_trap *trap)
{
	/* @trap is the caller's: what the BUG wrote there is kept. */
	if (setjmp(trap->env)) {
		machine_crash(sim, cpu, trap);
		return -EFAULT;
	}
	sim_bug_trap_set(trap);
	dispatch(ctxt, nr);
	sim_bug_trap_set(NULL);
	return 0;
}

/*
 * Enter EL2 on @cpu.  Returns -EFAULT, without running any hyp code, for a
 * call the hardware would not survive or the simulator cannot run, or once
 * the machine is dead; and for the call that kills it, or that was in
 * flight when it died.
 */
static int el2_enter(unsigned int cpu, struct pkvmsim_regs *regs,
		     dispatch_t dispatch)
{
	struct pkvmsim *sim = machine_live();
	unsigned long nr;
	struct kvm_cpu_context ctxt;
	struct sim_bug_trap trap;
	const char *what;
	int i, prev_cpu, ret = 0;

	if (!sim || !regs || cpu >= sim->cfg.nr_cpus)
		return -EINVAL;
	/* A dead machine takes no call: not a violation, the BUG was. */
	if (machine_dead(sim))
		return -EFAULT;

	/* Per-CPU hyp state assumes one thread per CPU at a time. */
	if (__atomic_exchange_n(&sim->cpu_busy[cpu], 1, __ATOMIC_ACQUIRE))
		return -EBUSY;
	prev_cpu = sim_this_cpu();
	sim_set_this_cpu((int)cpu);

	nr = machine_hcall_nr(regs->x[0]);
	sim_set_this_hcall(hcall_label(nr));
	if (sim->cfg.mode == PKVMSIM_MODE_VHE) {
		machine_violation(sim, MACHINE_HOST_PANIC, (int)cpu,
				  "host panic: HVC %s (x0=%#" PRIx64
				  ") in VHE mode, where EL2 is the kernel's own",
				  hcall_label(nr), regs->x[0]);
		ret = -EFAULT;
		goto out;
	}
	if (sim->cfg.mode == PKVMSIM_MODE_NVHE && nvhe_would_crash(nr)) {
		machine_violation(sim, MACHINE_HYP_CRASH, (int)cpu,
				  "hypervisor crash: %s in nVHE mode reaches "
				  "pKVM state that was never initialised",
				  hcall_label(nr));
		ret = -EFAULT;
		goto out;
	}
	if (host_struct_unmodelled(nr, regs, &what)) {
		machine_violation(sim, MACHINE_UNMODELLED, (int)cpu,
				  "not run: %s names a %s at a misaligned "
				  "address in memory, which EL2 would read "
				  "unaligned and the simulator cannot",
				  hcall_label(nr), what);
		ret = -EFAULT;
		goto out;
	}

	memset(&ctxt, 0, sizeof(ctxt));
	for (i = 0; i < 4; i++)
		ctxt.regs.regs[i] = regs->x[i];

	/* The points carry x1: the first argument, then the result. */
	sim_sched_point(SIM_POINT_HVC_ENTRY, &ctxt.regs.regs[1]);
	hyp_dispatches++;
	ret = el2_run(sim, cpu, &ctxt, dispatch, nr, &trap);
	sim_sched_point(SIM_POINT_HVC_EXIT, &ctxt.regs.regs[1]);

	if (!ret && machine_dead(sim))
		ret = -EFAULT;
	for (i = 0; !ret && i < 4; i++)
		regs->x[i] = ctxt.regs.regs[i];
out:
	sim_set_this_hcall(NULL);
	sim_set_this_cpu(prev_cpu);
	__atomic_store_n(&sim->cpu_busy[cpu], 0, __ATOMIC_RELEASE);
	return ret;
}

static int smccc_hvc(void *ctx, unsigned int cpu, struct pkvmsim_regs *regs)
{
	(void)ctx;
	return el2_enter(cpu, regs, dispatch_smccc);
}

static int direct_hvc(void *ctx, unsigned int cpu, struct pkvmsim_regs *regs)
{
	(void)ctx;
	return el2_enter(cpu, regs, dispatch_direct);
}

static const struct pkvm_hvc_ops smccc_ops = {
	.name = "smccc",
	.hvc = smccc_hvc,
};

static const struct pkvm_hvc_ops direct_ops = {
	.name = "direct",
	.hvc = direct_hvc,
};

const struct pkvm_hvc_ops *pkvm_hvc_smccc(void)
{
	return &smccc_ops;
}

const struct pkvm_hvc_ops *pkvm_hvc_direct(void)
{
	return &direct_ops;
}

int pkvmsim_set_hvc(struct pkvmsim *sim, const struct pkvm_hvc_ops *ops)
{
	if (!sim || sim != machine_live())
		return -EINVAL;
	if (!ops)
		ops = &smccc_ops;
	if (!ops->hvc)
		return -EINVAL;
	sim->hvc = *ops;
	return 0;
}

int machine_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long vm_id,
		struct pkvmsim_regs *regs)
{
	struct pkvmsim_regs in = *regs;
	unsigned long dispatched = hyp_dispatches;
	int ret;

	int slot;

	oracle_hvc_enter(sim->oracle, (int)cpu, vm_id, &in);
	slot = history_call(sim, cpu, &in);
	hvc_vm_id = vm_id;
	ret = pkvm_hvc_call(&sim->hvc, cpu, regs);
	hvc_vm_id = 0;
	/* A transport may make the call up, or make it more than once. */
	history_return(sim, slot, regs, !ret &&
		       hyp_dispatches == dispatched + 1);
	oracle_hvc_exit(sim->oracle, (int)cpu, vm_id, &in, regs, ret,
			hyp_dispatches == dispatched + 1);
	return ret;
}

int pkvmsim_hvc(struct pkvmsim *sim, unsigned int cpu,
		struct pkvmsim_regs *regs)
{
	if (!sim || sim != machine_live() || !regs || cpu >= sim->cfg.nr_cpus)
		return -EINVAL;

	return machine_hvc(sim, cpu, 0, regs);
}

/* One hypercall at boot; any failure here is a bug in the machine. */
static int boot_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
		    uint64_t a1, uint64_t a2)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, 0 },
	};
	int ret;

	(void)sim;
	ret = smccc_hvc(NULL, cpu, &regs);
	if (ret)
		return ret;
	if (regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		return -ENOSYS;
	return (int)regs.x[1];
}

/*
 * Protected mode as the kernel boots it: pKVM gets its carve-out with
 * __pkvm_init, the host sets kvm_protected_mode_initialized and then
 * finalises each CPU, after which boot-only hypercalls are refused.
 */
int machine_boot_protected(struct pkvmsim *sim)
{
	unsigned int cpu;
	int ret;

	sim_set_protected_mode_cap(true);

	sim->carveout_pages = 1;
	sim->carveout = sim_host_alloc_pages(sim->carveout_pages);
	if (!sim->carveout)
		return -ENOMEM;

	ret = boot_hvc(sim, 0, __KVM_HOST_SMCCC_FUNC___pkvm_init,
		       sim_host_pa(sim->carveout),
		       sim->carveout_pages * SIM_PAGE_SIZE);
	if (ret)
		return ret;

	sim_set_protected_mode_initialized(true);
	for (cpu = 0; cpu < sim->cfg.nr_cpus; cpu++) {
		ret = boot_hvc(sim, cpu, __KVM_HOST_SMCCC_FUNC___pkvm_prot_finalize,
			       0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

void machine_reset_hyp_state(void)
{
	vm_table = NULL;
	/* A run stopped mid-flight may have left any of them held. */
	hyp_spin_lock_init(&vm_table_lock);
	hyp_spin_lock_init(&host_mmu_lock);
	hyp_spin_lock_init(&pkvm_pgd_lock);
	memset(loaded_hyp_vcpu, 0, sizeof(loaded_hyp_vcpu));
	memset(host_stage2_enabled, 0, sizeof(host_stage2_enabled));
	sim_set_protected_mode_initialized(false);
	sim_set_protected_mode_cap(false);
	sim_warn_reset();
	sim_tlb_reset();
	sim_inject_reset();
}

/*
 * With every VM destroyed, a slot still in use is a reservation or a VM
 * that was never given back (invariant 3).  A leaked LIVE VM also shows in
 * the ledger; a leaked reservation holds no page and shows only here.
 */
static void check_table_empty(struct pkvmsim *sim)
{
	unsigned int i;

	for (i = 0; vm_table && i < KVM_MAX_PVMS; i++) {
		if (!vm_table[i])
			continue;
		oracle_report(sim->oracle, 3, 0, SIM_HANDLE_OFFSET + i, -1,
			      "pkvmsim_destroy", "slot 0x%x is still %s at "
			      "shutdown: never given back",
			      SIM_HANDLE_OFFSET + i,
			      vm_table[i] == SIM_RESERVED_ENTRY ?
					"RESERVED" : "LIVE");
	}
}

/* Give the carve-out back, as a kexec'd host would get its memory back. */
static void shutdown_protected(struct pkvmsim *sim)
{
	if (!sim->carveout)
		return;

	if (vm_table) {
		sim_set_this_hcall("machine shutdown");
		WARN_ON(__pkvm_hyp_donate_host(hyp_virt_to_pfn(vm_table),
					       sim->carveout_pages));
		sim_set_this_hcall(NULL);
		vm_table = NULL;
	}
	sim_host_free_pages(sim->carveout, sim->carveout_pages);
	sim->carveout = NULL;
}

int machine_create(const struct pkvmsim_config *cfg, struct host_state *host,
		   struct pkvmsim **simp)
{
	struct pkvmsim_config defaults;
	struct pkvmsim *sim;
	int ret;

	if (!simp)
		return -EINVAL;
	if (!cfg) {
		pkvmsim_config_init(&defaults);
		cfg = &defaults;
	}
	ret = config_check(cfg);
	if (ret)
		return ret;

	pthread_mutex_lock(&live_lock);
	if (live_sim) {
		pthread_mutex_unlock(&live_lock);
		return -EBUSY;
	}

	sim = calloc(1, sizeof(*sim));
	if (!sim) {
		pthread_mutex_unlock(&live_lock);
		return -ENOMEM;
	}
	sim->cfg = *cfg;
	sim->hvc = cfg->hvc ? *cfg->hvc : smccc_ops;
	sim->host = host;
	sim->oracle = oracle_create(cfg);
	if (!sim->oracle) {
		ret = -ENOMEM;
		goto err_free;
	}

	machine_reset_hyp_state();
	ret = sim_arena_init(cfg->arena_pages);
	if (ret)
		goto err_free;

	live_sim = sim;
	sim_set_this_cpu(0);

	if (cfg->mode == PKVMSIM_MODE_PROTECTED) {
		ret = machine_boot_protected(sim);
		if (ret)
			goto err_arena;
	}

	pthread_mutex_unlock(&live_lock);
	*simp = sim;
	return 0;

err_arena:
	shutdown_protected(sim);
	live_sim = NULL;
	sim_arena_fini();
err_free:
	machine_reset_hyp_state();
	oracle_destroy(sim->oracle);
	free(sim);
	pthread_mutex_unlock(&live_lock);
	return ret;
}

static void report_append(struct pkvmsim_report *report, size_t *used,
			  const char *fmt, ...)
{
	size_t len = sizeof(report->text);
	va_list ap;
	int n;

	if (*used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(report->text + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

void machine_fill_report(struct pkvmsim *sim, struct pkvmsim_report *report)
{
	struct sim_ledger_event ev;
	unsigned long i, n;
	size_t used = 0;

	memset(report, 0, sizeof(*report));

	/* The oracle also holds the machine's own violations. */
	report->nr_kept = oracle_get(sim->oracle, report->violations,
				     PKVMSIM_REPORT_KEPT);
	for (i = 0; i < report->nr_kept; i++) {
		char line[320];

		oracle_format(&report->violations[i], line, sizeof(line));
		report_append(report, &used, "violation: %s\n", line);
	}
	n = oracle_count(sim->oracle);
	if (n > report->nr_kept)
		report_append(report, &used, "(%lu more violations)\n",
			      n - report->nr_kept);

	report->nr_violations = n + sim_ledger_count(SIM_LEDGER_VIOLATION);
	for (i = 0; sim_ledger_event(SIM_LEDGER_VIOLATION, i, &ev); i++) {
		report_append(report, &used,
			      "violation: page %#" PRIx64 ": %s (%s in %s, "
			      "cpu %d)\n", ev.phys, ev.what, ev.func,
			      ev.hcall, ev.cpu);
		if (report->nr_kept < PKVMSIM_REPORT_KEPT) {
			struct pkvmsim_violation *v =
				&report->violations[report->nr_kept++];

			v->invariant = PKVMSIM_INV_LEDGER;
			v->cpu = ev.cpu;
			snprintf(v->op, sizeof(v->op), "%s", ev.hcall);
			snprintf(v->what, sizeof(v->what),
				 "page %#" PRIx64 ": %s (%s)", ev.phys,
				 ev.what, ev.func);
		}
	}

	oracle_checked(sim->oracle, &report->nr_judged,
		       &report->nr_state_checks);
	report->nr_refusals = sim_ledger_count(SIM_LEDGER_REFUSED);
	report->nr_warnings = sim_warn_count();
	/* A dead machine gives nothing back: its pages are no finding. */
	if (machine_dead(sim))
		return;
	report->nr_leaked_pages =
		sim_ledger_leaks(sim->carveout ? sim_host_pa(sim->carveout) : 0,
				 sim->carveout ? sim->carveout_pages : 0,
				 used < sizeof(report->text) ?
					report->text + used : NULL,
				 used < sizeof(report->text) ?
					sizeof(report->text) - used : 0);
}

int machine_stop(struct pkvmsim *sim)
{
	pthread_mutex_lock(&live_lock);
	if (!sim || sim != live_sim) {
		pthread_mutex_unlock(&live_lock);
		return -EINVAL;
	}
	return 0;
}

void machine_shutdown(struct pkvmsim *sim)
{
	/* No hyp code runs on a dead machine; the arena goes with it. */
	if (machine_dead(sim))
		return;
	check_table_empty(sim);
	shutdown_protected(sim);
}

void machine_free(struct pkvmsim *sim)
{
	history_free(sim);
	live_sim = NULL;
	sim_arena_fini();
	machine_reset_hyp_state();
	oracle_destroy(sim->oracle);
	free(sim);
	pthread_mutex_unlock(&live_lock);
}
