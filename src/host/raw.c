// SPDX-License-Identifier: GPL-2.0-only
/*
 * <pkvmsim/inspect.h>, the host's half: the host VM each LIVE slot of the
 * table belongs to, the host addresses that name a VM's own struct kvm and
 * struct kvm_vcpu in a raw hypercall, host pages a test allocates from the
 * arena, and sharing one with the hypervisor.
 *
 * Like the rest of the host model this reaches the hypervisor by hypercall
 * only (through machine_hvc(), so the oracle and the installed transport's
 * decorators see each call) and never reads hyp state: the table comes
 * from the machine below (src/machine/inspect.c), which reads it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/inspect.h>
#include "asm/kvm_asm.h"
#include "asm/kvm_pgtable.h"
#include "nvhe/pkvm.h"	/* sizes only, as pkvm.c */
#include "nvhe/sim_ledger.h"	/* the page states the ledger reports */
#include "sim_env.h"
#include "machine.h"
#include "host.h"

/* One allocation pkvmsim_host_pages_alloc() handed out. */
struct raw_pages {
	uint64_t		hva;
	unsigned long		nr;
	struct raw_pages	*next;
};

/* The live simulator's allocations; one simulator per process. */
static pthread_mutex_t raw_lock = PTHREAD_MUTEX_INITIALIZER;
static struct raw_pages *raw_list;

static bool sim_ok(const struct pkvmsim *sim)
{
	return sim && sim == machine_live();
}

/*
 * pkvmsim_vm_id() of the live host VM whose struct kvm is at @kvm, or 0;
 * under the host's lock.
 */
static unsigned long vm_id_of_kvm_locked(struct pkvmsim *sim, const void *kvm)
{
	struct pkvmsim_vm *pos;

	if (!kvm)
		return 0;
	TAILQ_FOREACH(pos, &sim->host->vms, link) {
		if ((const void *)pos->kvm == kvm)
			return pos->id;
	}
	return 0;
}

static unsigned long vm_id_of_kvm(struct pkvmsim *sim, const void *kvm)
{
	unsigned long id;

	if (!sim || !kvm)
		return 0;
	pthread_mutex_lock(&sim->host->lock);
	id = vm_id_of_kvm_locked(sim, kvm);
	pthread_mutex_unlock(&sim->host->lock);
	return id;
}

/* Each LIVE slot's host VM, from the struct kvm it was built from. */
static void name_vms(struct pkvmsim *sim, struct pkvmsim_table *out,
		     const void *const *kvm)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_NR_SLOTS; i++)
		out->slots[i].vm = vm_id_of_kvm_locked(sim, kvm[i]);
}

int pkvmsim_table_snapshot(struct pkvmsim *sim, struct pkvmsim_table *out)
{
	const void *kvm[PKVMSIM_NR_SLOTS];
	int ret;

	ret = machine_table_read(sim, out, kvm);
	if (ret)
		return ret;
	pthread_mutex_lock(&sim->host->lock);
	name_vms(sim, out, kvm);
	pthread_mutex_unlock(&sim->host->lock);
	return 0;
}

int host_table_peek(struct pkvmsim *sim, struct pkvmsim_table *out)
{
	const void *kvm[PKVMSIM_NR_SLOTS];
	int ret;

	ret = machine_table_peek(sim, out, kvm);
	if (ret)
		return ret;
	/* The CPU at the point may be inside a host call, holding the lock. */
	if (pthread_mutex_trylock(&sim->host->lock))
		return 0;
	name_vms(sim, out, kvm);
	pthread_mutex_unlock(&sim->host->lock);
	return 0;
}

int pkvmsim_slot(struct pkvmsim *sim, unsigned int handle,
		 struct pkvmsim_slot *out)
{
	const void *kvm;
	int ret;

	ret = machine_slot_read(sim, handle, out, &kvm);
	if (!ret)
		out->vm = vm_id_of_kvm(sim, kvm);
	return ret;
}

int pkvmsim_vm_hyp_args(const struct pkvmsim_vm *handle,
			struct pkvmsim_vm_args *out)
{
	struct pkvmsim *sim = machine_live();
	const struct pkvmsim_vm *vm;
	unsigned int i, nr;
	int created;

	if (!handle || !out || !sim)
		return -EINVAL;

	/* Listed, the VM cannot be freed: vm_destroy() unlists it first. */
	pthread_mutex_lock(&sim->host->lock);
	vm = host_vm_find(sim, handle);
	if (!vm) {
		pthread_mutex_unlock(&sim->host->lock);
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	created = __atomic_load_n(&vm->kvm->created_vcpus, __ATOMIC_RELAXED);
	nr = created < 0 ? 0 : (unsigned int)created;
	if (nr > PKVMSIM_MAX_VCPUS)
		nr = PKVMSIM_MAX_VCPUS;
	out->kvm = (uint64_t)(uintptr_t)vm->kvm;
	out->nr_vcpus = nr;
	for (i = 0; i < nr; i++)
		out->vcpu[i] = (uint64_t)(uintptr_t)vm->vcpus[i].vcpu;
	out->vm_area_size = pkvm_get_hyp_vm_size(nr);
	out->pgd_size = kvm_pgtable_stage2_pgd_size(vm->kvm->arch.mmu.vtcr);
	out->vcpu_area_size = PAGE_ALIGN(sizeof(struct pkvm_hyp_vcpu));
	pthread_mutex_unlock(&sim->host->lock);
	return 0;
}

/* --- pages --- */

int pkvmsim_host_pages_alloc(struct pkvmsim *sim, unsigned long nr,
			     uint64_t *hva)
{
	struct raw_pages *rec;
	void *va;

	if (!sim_ok(sim) || !hva || !nr)
		return -EINVAL;
	if (nr > sim_arena_nr_pages())
		return -ENOMEM;

	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	va = sim_host_alloc_pages(nr);
	if (!va) {
		free(rec);
		return -ENOMEM;
	}
	rec->hva = (uint64_t)(uintptr_t)va;
	rec->nr = nr;

	pthread_mutex_lock(&raw_lock);
	rec->next = raw_list;
	raw_list = rec;
	pthread_mutex_unlock(&raw_lock);

	*hva = rec->hva;
	return 0;
}

/*
 * Whether every page of [@phys, @nr) is allocated (-EINVAL if not) and
 * home: host-owned, not shared with nor held by the hyp (-EBUSY if not).
 */
static int pages_home(uint64_t phys, unsigned long nr)
{
	struct sim_page_info info;
	unsigned long i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		if (sim_ledger_page(phys + i * SIM_PAGE_SIZE, &info) ||
		    !info.allocated)
			return -EINVAL;
		if (info.host_state != PKVM_PAGE_OWNED ||
		    info.hyp_state != PKVM_NOPAGE || info.refcount)
			ret = -EBUSY;
	}
	return ret;
}

int pkvmsim_host_pages_free(struct pkvmsim *sim, uint64_t hva,
			    unsigned long nr)
{
	struct raw_pages **pos, *rec = NULL;
	uint64_t phys;
	int ret;

	if (!sim_ok(sim) || !nr)
		return -EINVAL;

	pthread_mutex_lock(&raw_lock);
	for (pos = &raw_list; *pos; pos = &(*pos)->next) {
		if ((*pos)->hva == hva && (*pos)->nr == nr) {
			rec = *pos;
			break;
		}
	}
	ret = -EINVAL;
	if (!rec)
		goto unlock;

	phys = sim_host_pa((const void *)(uintptr_t)hva);
	ret = phys == ~0ULL ? -EINVAL : pages_home(phys, nr);
	if (ret == -EINVAL) {
		/* Freed by someone else (a teardown memcache's pages). */
		*pos = rec->next;
		free(rec);
		goto unlock;
	}
	if (ret)
		goto unlock;

	/* Only if another thread changed the pages since: the ledger says. */
	ret = sim_host_free_pages((void *)(uintptr_t)hva, nr);
	if (!ret) {
		*pos = rec->next;
		free(rec);
	} else {
		ret = ret == -EPERM ? -EBUSY : -EINVAL;
	}
unlock:
	pthread_mutex_unlock(&raw_lock);
	return ret;
}

void host_raw_fini(struct pkvmsim *sim)
{
	struct raw_pages *rec;

	(void)sim;
	pthread_mutex_lock(&raw_lock);
	while ((rec = raw_list)) {
		raw_list = rec->next;
		free(rec);
	}
	pthread_mutex_unlock(&raw_lock);
}

/* --- sharing --- */

static int share_call(struct pkvmsim *sim, unsigned int cpu, uint64_t hva,
		      unsigned long nr)
{
	struct sim_page_info info;
	struct pkvmsim_regs regs;
	uint64_t phys;
	int64_t result;
	int ret;

	if (!sim_ok(sim) || cpu >= sim->cfg.nr_cpus)
		return -EINVAL;
	phys = sim_host_pa((const void *)(uintptr_t)hva);
	if (phys == ~0ULL || (phys & (SIM_PAGE_SIZE - 1)) ||
	    sim_ledger_page(phys, &info) || !info.allocated)
		return -EINVAL;

	regs = (struct pkvmsim_regs){
		.x = { KVM_HOST_SMCCC_ID(nr), phys / SIM_PAGE_SIZE, 0, 0 },
	};
	ret = machine_hvc(sim, cpu, 0, &regs);
	if (ret)
		return ret == -EBUSY ? -EAGAIN : ret;
	if (regs.x[0] != SMCCC_RET_SUCCESS)
		return -EOPNOTSUPP;

	/* The handler's int, as the kernel's wrapper reads x1. */
	result = (int64_t)regs.x[1];
	if (result > 0 || result < -4095)
		return -EPROTO;
	return (int)result;
}

int pkvmsim_host_page_share(struct pkvmsim *sim, unsigned int cpu,
			    uint64_t hva)
{
	return share_call(sim, cpu, hva,
			  __KVM_HOST_SMCCC_FUNC___pkvm_host_share_hyp);
}

int pkvmsim_host_page_unshare(struct pkvmsim *sim, unsigned int cpu,
			      uint64_t hva)
{
	return share_call(sim, cpu, hva,
			  __KVM_HOST_SMCCC_FUNC___pkvm_host_unshare_hyp);
}
