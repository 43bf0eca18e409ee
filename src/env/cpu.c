// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated CPUs: which one the calling thread is, what hypercall it is in,
 * the boot-time capability words, and the records of WARN, BUG and TLB
 * flushes that the kernel-dialect headers send here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "sim_env.h"
#include "asm/bug.h"
#include "asm/cpufeature.h"
#include "asm/percpu.h"
#include "asm/tlbflush.h"
#include "linux/sim_sched.h"

SIM_FIBER_LOCAL(int, this_cpu, 0)
static const char *cpu_hcall[NR_CPUS];
static uint64_t event_seq;

void (*sim_sched_point_hook)(enum sim_point point, const void *addr,
			     const char *where);

bool sim_cpu_caps[ARM64_NCAPS];
struct static_key_false kvm_protected_mode_initialized;

void sim_set_this_cpu(int cpu)
{
	this_cpu = cpu;
}

int sim_this_cpu(void)
{
	return this_cpu;
}

int hyp_smp_processor_id(void)
{
	return this_cpu;
}

/*
 * Written only by the CPU itself; read by the ledger on that CPU.  An
 * observer outside any CPU (-1, e.g. a table snapshot) is in none.
 */
void sim_set_this_hcall(const char *name)
{
	if (this_cpu >= 0 && this_cpu < NR_CPUS)
		cpu_hcall[this_cpu] = name;
}

const char *sim_this_hcall(void)
{
	if (this_cpu < 0 || this_cpu >= NR_CPUS)
		return NULL;
	return cpu_hcall[this_cpu];
}

uint64_t sim_next_seq(void)
{
	return __atomic_add_fetch(&event_seq, 1, __ATOMIC_RELAXED);
}

void sim_set_protected_mode_cap(bool on)
{
	__atomic_store_n(&sim_cpu_caps[ARM64_KVM_PROTECTED_MODE], on,
			 __ATOMIC_RELAXED);
}

void sim_set_protected_mode_initialized(bool on)
{
	__atomic_store_n(&kvm_protected_mode_initialized.enabled, on,
			 __ATOMIC_RELEASE);
}

/* --- WARN / BUG --- */

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long warn_count;
static unsigned long bug_count;
static char last_warn[192];
static sim_bug_handler_t bug_handler;
SIM_FIBER_LOCAL(struct sim_bug_trap *, bug_trap, NULL)

void sim_warn(const char *file, int line, const char *cond)
{
	pthread_mutex_lock(&report_lock);
	warn_count++;
	snprintf(last_warn, sizeof(last_warn), "%s:%d: %s (cpu %d)", file,
		 line, cond, this_cpu);
	pthread_mutex_unlock(&report_lock);

	if (getenv("PKVMSIM_VERBOSE"))
		fprintf(stderr, "pkvmsim: WARN at %s:%d: %s\n", file, line,
			cond);
}

unsigned long sim_warn_count(void)
{
	unsigned long n;

	pthread_mutex_lock(&report_lock);
	n = warn_count;
	pthread_mutex_unlock(&report_lock);
	return n;
}

const char *sim_last_warn(void)
{
	return last_warn;
}

void sim_warn_reset(void)
{
	pthread_mutex_lock(&report_lock);
	warn_count = 0;
	bug_count = 0;
	last_warn[0] = '\0';
	pthread_mutex_unlock(&report_lock);
}

void sim_set_bug_handler(sim_bug_handler_t handler)
{
	bug_handler = handler;
}

unsigned long sim_bug_count(void)
{
	return __atomic_load_n(&bug_count, __ATOMIC_RELAXED);
}

void sim_bug_trap_set(struct sim_bug_trap *trap)
{
	if (trap)
		trap->nr_held = 0;
	bug_trap = trap;
}

struct sim_bug_trap *sim_bug_trap(void)
{
	return bug_trap;
}

void sim_bug(const char *file, int line, const char *cond)
{
	struct sim_bug_trap *trap = bug_trap;

	__atomic_add_fetch(&bug_count, 1, __ATOMIC_RELAXED);

	if (bug_handler)
		bug_handler(file, line, cond);

	if (trap) {
		bug_trap = NULL;
		trap->file = file;
		trap->line = line;
		trap->cond = cond;
		longjmp(trap->env, 1);
	}

	fprintf(stderr, "pkvmsim: hyp BUG at %s:%d: %s (cpu %d)\n", file,
		line, cond, this_cpu);
	abort();
}

/* --- TLB --- */

static unsigned long tlb_flushes;
static unsigned long tlb_vmid_flushes[SIM_TLB_VMIDS];
static struct sim_tlb_flush tlb_last;

void sim_tlb_flush_vmid(u64 vmid)
{
	pthread_mutex_lock(&report_lock);
	tlb_flushes++;
	if (vmid < SIM_TLB_VMIDS)
		tlb_vmid_flushes[vmid]++;
	tlb_last.vmid = vmid;
	tlb_last.cpu = this_cpu;
	tlb_last.seq = sim_next_seq();
	pthread_mutex_unlock(&report_lock);
}

unsigned long sim_tlb_flush_count(void)
{
	unsigned long n;

	pthread_mutex_lock(&report_lock);
	n = tlb_flushes;
	pthread_mutex_unlock(&report_lock);
	return n;
}

unsigned long sim_tlb_flush_count_vmid(uint64_t vmid)
{
	unsigned long n = 0;

	pthread_mutex_lock(&report_lock);
	if (vmid < SIM_TLB_VMIDS)
		n = tlb_vmid_flushes[vmid];
	pthread_mutex_unlock(&report_lock);
	return n;
}

bool sim_tlb_flush_last(struct sim_tlb_flush *out)
{
	bool any;

	pthread_mutex_lock(&report_lock);
	any = tlb_flushes != 0;
	if (any)
		*out = tlb_last;
	pthread_mutex_unlock(&report_lock);
	return any;
}

void sim_tlb_reset(void)
{
	pthread_mutex_lock(&report_lock);
	tlb_flushes = 0;
	memset(tlb_vmid_flushes, 0, sizeof(tlb_vmid_flushes));
	memset(&tlb_last, 0, sizeof(tlb_last));
	pthread_mutex_unlock(&report_lock);
}
