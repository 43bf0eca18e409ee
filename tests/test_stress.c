// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM lifecycle on real, concurrent pthreads (the scheduler's "free
 * mode"), for ThreadSanitizer and for interleavings nobody thought of.
 *
 * Worker CPUs each run whole lifecycles (reserve, init_vm, init_vcpu, load,
 * put, flush, teardown) on their own VMs while a hostile CPU unreserves,
 * flushes and loads random handles.  Hostility may make a worker's init_vm
 * fail (its reservation was stolen); the worker then starts over, as the
 * host would.  Bounded by iteration counts, never by time.
 *
 * Afterwards: every lifecycle completed, every hypercall got an answer SPEC
 * allows, no violation was recorded and every page is back with the host.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "sim_test.h"

#define NR_WORKERS	3
#define LIFECYCLES	500
#define HOSTILE_OPS	20000

struct worker {
	struct pkvmsim	*sim;
	unsigned int	cpu;
	struct kvm	*kvm;
	struct kvm_vcpu	*vcpu;
	unsigned int	done;
	unsigned int	stolen;		/* init_vm lost its reservation */
	unsigned int	bad;		/* answers SPEC does not allow */
};

struct hostile {
	struct pkvmsim	*sim;
	unsigned int	cpu;
	uint64_t	seed;
	unsigned int	bad;
};

static int64_t call(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
		    uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};

	if (pkvmsim_hvc(sim, cpu, &regs) ||
	    regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		return INT64_MIN;
	return (int)regs.x[1];
}

static void share(struct pkvmsim *sim, unsigned int cpu, void *va, bool on)
{
	call(sim, cpu, on ? PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP :
			    PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP,
	     sim_host_pfn(va), 0, 0);
}

/* One lifecycle; returns false if the reservation was stolen. */
static bool lifecycle(struct worker *w)
{
	struct kvm_protected_vm *pkvm = &w->kvm->arch.pkvm;
	unsigned long vm_pages = pkvm_get_hyp_vm_size(1) / SIM_PAGE_SIZE;
	void *vm_area, *pgd, *vcpu_area;
	int64_t h, ret;

	h = call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0);
	if (h < SIM_HANDLE_OFFSET || h >= SIM_HANDLE_OFFSET + KVM_MAX_PVMS) {
		w->bad++;
		return true;
	}
	WRITE_ONCE(pkvm->handle, (pkvm_handle_t)h);

	vm_area = sim_host_alloc_pages(vm_pages);
	pgd = sim_host_alloc_pages(KVM_PGTABLE_PGD_PAGES);
	vcpu_area = sim_host_alloc_pages(1);
	if (!vm_area || !pgd || !vcpu_area) {
		w->bad++;
		return true;
	}

	ret = call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_INIT_VM,
		   (uintptr_t)w->kvm, (uintptr_t)vm_area, (uintptr_t)pgd);
	if (ret) {
		/* Only a stolen reservation may make init_vm fail here. */
		w->bad += ret != -EINVAL;
		sim_host_free_pages(vm_area, vm_pages);
		sim_host_free_pages(pgd, KVM_PGTABLE_PGD_PAGES);
		sim_host_free_pages(vcpu_area, 1);
		/* Harmless if the thief freed it; ours if it is still ours. */
		call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, h, 0, 0);
		WRITE_ONCE(pkvm->handle, 0);
		w->stolen++;
		return false;
	}

	w->bad += call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_INIT_VCPU, h,
		       (uintptr_t)w->vcpu, (uintptr_t)vcpu_area) != 0;
	/*
	 * The hostile CPU may have the vCPU loaded for a moment (it puts
	 * straight after each load): then ours is refused, so load again.
	 */
	do {
		call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, h, 0, 0);
	} while (!loaded_hyp_vcpu[w->cpu]);
	/* Loaded: teardown must refuse. */
	w->bad += call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
		       h, 0, 0) != -EBUSY;
	call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
	call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID, h, 0, 0);

	/* The hostile CPU may hold a transient load or reference. */
	do {
		ret = call(w->sim, w->cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
			   h, 0, 0);
	} while (ret == -EBUSY);
	w->bad += ret != 0;

	sim_host_free_memcache(&pkvm->teardown_mc.head,
			       &pkvm->teardown_mc.nr_pages);
	sim_host_free_memcache(&pkvm->stage2_teardown_mc.head,
			       &pkvm->stage2_teardown_mc.nr_pages);
	WRITE_ONCE(pkvm->handle, 0);
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (w->done < LIFECYCLES) {
		if (lifecycle(w))
			w->done++;
	}
	return NULL;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *hostile_main(void *arg)
{
	struct hostile *h = arg;
	unsigned int i;

	for (i = 0; i < HOSTILE_OPS; i++) {
		uint64_t r = next_rand(&h->seed);
		/* Mostly live handles, sometimes garbage. */
		uint64_t handle = r & 0x100 ? r >> 32 :
				  SIM_HANDLE_OFFSET + (r >> 8) % 8;

		switch (r % 3) {
		case 0:
			call(h->sim, h->cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
			     handle, 0, 0);
			break;
		case 1:
			call(h->sim, h->cpu,
			     PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID, handle, 0, 0);
			break;
		case 2:
			call(h->sim, h->cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD,
			     handle, 0, 0);
			call(h->sim, h->cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT,
			     0, 0, 0);
			break;
		}
		/* Nothing stays loaded on the hostile CPU after a put. */
		h->bad += loaded_hyp_vcpu[h->cpu] != NULL;
	}
	return NULL;
}

/* SPEC 9 as a whole, on real threads; with TSan, every data race too. */
static void stress_lifecycles_against_hostile_cpu(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct worker workers[NR_WORKERS];
	struct hostile hostile = {
		.sim = sim, .cpu = NR_WORKERS, .seed = 0x9e3779b97f4a7c15ULL,
	};
	pthread_t tids[NR_WORKERS + 1];
	struct pkvmsim_report report;
	unsigned int i, stolen = 0;

	for (i = 0; i < NR_WORKERS; i++) {
		struct worker *w = &workers[i];

		memset(w, 0, sizeof(*w));
		w->sim = sim;
		w->cpu = i;
		w->kvm = sim_host_alloc_pages(1);
		w->vcpu = sim_host_alloc_pages(1);
		assert_non_null(w->kvm);
		assert_non_null(w->vcpu);
		w->kvm->created_vcpus = 1;
		w->vcpu->kvm = w->kvm;
		share(sim, 0, w->kvm, true);
		share(sim, 0, w->vcpu, true);
	}

	for (i = 0; i < NR_WORKERS; i++)
		assert_int_equal(pthread_create(&tids[i], NULL, worker_main,
						&workers[i]), 0);
	assert_int_equal(pthread_create(&tids[NR_WORKERS], NULL,
					hostile_main, &hostile), 0);
	for (i = 0; i <= NR_WORKERS; i++)
		pthread_join(tids[i], NULL);

	for (i = 0; i < NR_WORKERS; i++) {
		assert_int_equal(workers[i].done, LIFECYCLES);
		assert_int_equal(workers[i].bad, 0);
		stolen += workers[i].stolen;
		share(sim, 0, workers[i].kvm, false);
		share(sim, 0, workers[i].vcpu, false);
		assert_int_equal(sim_host_free_pages(workers[i].kvm, 1), 0);
		assert_int_equal(sim_host_free_pages(workers[i].vcpu, 1), 0);
	}
	assert_int_equal(hostile.bad, 0);
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
	assert_int_equal(pkvmsim_check(sim, &report), 0);
	print_message("%u lifecycles, %u reservations stolen by the hostile "
		      "CPU\n", NR_WORKERS * LIFECYCLES, stolen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(stress_lifecycles_against_hostile_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
