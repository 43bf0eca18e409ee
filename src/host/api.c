// SPDX-License-Identifier: GPL-2.0-only
/*
 * The public host-level API: the ioctls a VMM would make (create a VM, a
 * vCPU, run, destroy) and an MMU notifier firing, each on a simulated CPU.
 * Checks arguments, claims the CPU for the calling thread, and runs the
 * host kernel's paths (arm.c, pkvm.c), telling the oracle what happens.
 */
#include <errno.h>
#include <stdlib.h>

#include "asm/kvm_asm.h"
#include "asm/cpufeature.h"
#include "sim_env.h"
#include "machine.h"
#include "oracle.h"
#include "host.h"

SIM_FIBER_LOCAL(int, host_cpu, -1)

int host_this_cpu(void)
{
	return host_cpu;
}

void host_warn(struct pkvmsim *sim, const char *what)
{
	pthread_mutex_lock(&sim->host->lock);
	sim->host->nr_warnings++;
	pthread_mutex_unlock(&sim->host->lock);
	machine_log(sim, "host WARN on cpu %d: %s", host_cpu, what);
}

long host_hvc(struct pkvmsim_vm *vm, unsigned long nr, u64 a1, u64 a2,
	      u64 a3)
{
	struct pkvmsim *sim = machine_live();
	struct pkvmsim_regs regs = {
		.x = { KVM_HOST_SMCCC_ID(nr), a1, a2, a3 },
	};
	int ret;

	ret = machine_hvc(sim, (unsigned int)host_cpu, vm ? vm->id : 0,
			  &regs);
	if (ret)
		return ret;

	if (regs.x[0] != SMCCC_RET_SUCCESS)
		host_warn(sim, "hypercall refused (x0 != SMCCC_RET_SUCCESS)");

	return (long)regs.x[1];
}

/* --- per-CPU claim: one thread runs the host on a CPU at a time --- */

int host_cpu_enter(struct pkvmsim *sim, unsigned int cpu)
{
	if (!sim || sim != machine_live() || cpu >= sim->cfg.nr_cpus)
		return -EINVAL;
	/* The hypervisor died of a BUG: the host runs no more. */
	if (machine_dead(sim))
		return -EFAULT;
	if (__atomic_exchange_n(&sim->host->cpu_busy[cpu], 1, __ATOMIC_ACQUIRE))
		return -EBUSY;
	host_cpu = (int)cpu;
	return 0;
}

void host_cpu_exit(struct pkvmsim *sim, unsigned int cpu)
{
	host_cpu = -1;
	__atomic_store_n(&sim->host->cpu_busy[cpu], 0, __ATOMIC_RELEASE);
	oracle_host_op_done(sim->oracle);
}

struct host_state *host_state_create(void)
{
	struct host_state *host = calloc(1, sizeof(*host));

	if (!host)
		return NULL;
	pthread_mutex_init(&host->lock, NULL);
	TAILQ_INIT(&host->vms);
	return host;
}

void host_state_free(struct host_state *host)
{
	if (!host)
		return;
	pthread_mutex_destroy(&host->lock);
	free(host);
}

/* --- the simulated TrustZone --- */

void tz_vm_created(struct pkvmsim_vm *vm)
{
	struct pkvmsim *sim = vm->sim;

	oracle_tz_message(sim->oracle, host_cpu, vm->id,
			  READ_ONCE(vm->kvm->arch.pkvm.handle),
			  "tz_vm_created");
	pthread_mutex_lock(&sim->host->lock);
	sim->host->tz_vms++;
	pthread_mutex_unlock(&sim->host->lock);
}

void tz_vm_destroyed(struct pkvmsim_vm *vm)
{
	struct pkvmsim *sim = vm->sim;

	oracle_tz_message(sim->oracle, host_cpu, vm->id,
			  READ_ONCE(vm->kvm->arch.pkvm.handle),
			  "tz_vm_destroyed");
	pthread_mutex_lock(&sim->host->lock);
	sim->host->tz_vms--;
	pthread_mutex_unlock(&sim->host->lock);
}

unsigned long pkvmsim_tz_vm_count(struct pkvmsim *sim)
{
	unsigned long n;

	if (!sim || sim != machine_live())
		return 0;
	pthread_mutex_lock(&sim->host->lock);
	n = sim->host->tz_vms;
	pthread_mutex_unlock(&sim->host->lock);
	return n;
}

/* --- VMs --- */

/*
 * The caller holds a handle, not the VM's address: a number given out
 * once per process, from a range where no object lives (non-canonical on
 * 64-bit machines, so dereferencing one faults at once).  A handle to a
 * destroyed VM then names no VM, even when a new VM's struct reuses the
 * old one's memory, and destroyed VMs cost nothing once freed.
 */
#if UINTPTR_MAX > 0xffffffffU
#define VM_TOKEN_BASE	((uintptr_t)0xdead000000000000ULL)
#else
#define VM_TOKEN_BASE	((uintptr_t)0x1U)
#endif

static uint64_t vm_tokens;

static uintptr_t vm_token_new(void)
{
	uint64_t n = __atomic_add_fetch(&vm_tokens, 1, __ATOMIC_RELAXED);

	return VM_TOKEN_BASE + (uintptr_t)n * 16;
}

static struct pkvmsim_vm *vm_handle(const struct pkvmsim_vm *vm)
{
	return (struct pkvmsim_vm *)vm->token;
}

struct pkvmsim_vm *host_vm_find(struct pkvmsim *sim,
				const struct pkvmsim_vm *handle)
{
	struct pkvmsim_vm *pos;

	TAILQ_FOREACH(pos, &sim->host->vms, link)
		if (pos->token == (uintptr_t)handle)
			return pos;
	return NULL;
}

static bool tz_is_told(struct pkvmsim *sim)
{
	/* TrustZone hears of VMs only in pKVM mode. */
	return sim->cfg.mode == PKVMSIM_MODE_PROTECTED;
}

static void vm_free(struct pkvmsim_vm *vm)
{
	if (vm->kvm)
		sim_host_free_pages(vm->kvm, vm->kvm_pages);
	free(vm);
}

/* KVM_CREATE_VM: kvm_create_vm() with the arm64 and pKVM parts. */
static int vm_create(struct pkvmsim *sim, enum pkvmsim_vm_type type,
		     struct pkvmsim_vm **vmp)
{
	struct pkvmsim_vm *vm;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->sim = sim;
	vm->token = vm_token_new();
	vm->type = type;
	mutex_init(&vm->lock);
	vm->kvm_pages = (sizeof(struct kvm) + SIM_PAGE_SIZE - 1) /
			SIM_PAGE_SIZE;
	vm->kvm = sim_host_alloc_pages(vm->kvm_pages);
	if (!vm->kvm) {
		vm_free(vm);
		return -ENOMEM;
	}

	pthread_mutex_lock(&sim->host->lock);
	vm->id = ++sim->host->next_id;
	pthread_mutex_unlock(&sim->host->lock);

	oracle_vm_register(sim->oracle, vm->id, vm->kvm);
	ret = kvm_arch_init_vm(vm);
	oracle_vm_created(sim->oracle, vm->id, host_cpu, ret);
	if (ret) {
		vm_free(vm);
		return ret;
	}

	/* kvm_init_mmu_notifier(): the notifier may fire from now on. */
	if (tz_is_told(sim))
		tz_vm_created(vm);

	pthread_mutex_lock(&sim->host->lock);
	TAILQ_INSERT_TAIL(&sim->host->vms, vm, link);
	pthread_mutex_unlock(&sim->host->lock);

	*vmp = vm_handle(vm);
	return 0;
}

int pkvmsim_vm_create_type(struct pkvmsim *sim, unsigned int cpu,
			   enum pkvmsim_vm_type type, struct pkvmsim_vm **vmp)
{
	int ret;

	if (!vmp || (type != PKVMSIM_VM_NORMAL && type != PKVMSIM_VM_PROTECTED))
		return -EINVAL;

	ret = host_cpu_enter(sim, cpu);
	if (ret)
		return ret;
	ret = vm_create(sim, type, vmp);
	host_cpu_exit(sim, cpu);
	return ret;
}

int pkvmsim_vm_create(struct pkvmsim *sim, unsigned int cpu,
		      struct pkvmsim_vm **vmp)
{
	return pkvmsim_vm_create_type(sim, cpu, PKVMSIM_VM_NORMAL, vmp);
}

/*
 * Resolve @handle, count the call as one of its VM's users, and claim
 * @cpu for the calling thread.  The lookup and the count are one critical
 * section, so a destroy on another CPU either ran before (@handle is
 * stale: -EINVAL) or sees this call in flight (-EAGAIN) and frees nothing.
 */
static int vm_op_begin(const struct pkvmsim_vm *handle, unsigned int cpu,
		       struct pkvmsim_vm **vmp)
{
	struct pkvmsim *sim = machine_live();
	struct pkvmsim_vm *vm;
	int ret;

	if (!handle || !sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->host->lock);
	vm = host_vm_find(sim, handle);
	if (vm)
		vm->users++;
	pthread_mutex_unlock(&sim->host->lock);
	if (!vm)
		return -EINVAL;

	ret = host_cpu_enter(sim, cpu);
	if (ret) {
		pthread_mutex_lock(&sim->host->lock);
		vm->users--;
		pthread_mutex_unlock(&sim->host->lock);
		return ret;
	}
	*vmp = vm;
	return 0;
}

static void vm_op_end(struct pkvmsim_vm *vm, unsigned int cpu)
{
	struct pkvmsim *sim = vm->sim;

	pthread_mutex_lock(&sim->host->lock);
	vm->users--;
	pthread_mutex_unlock(&sim->host->lock);
	host_cpu_exit(sim, cpu);
}

int pkvmsim_vcpu_create(struct pkvmsim_vm *handle, unsigned int cpu,
			unsigned int idx)
{
	struct pkvmsim_vm *vm;
	struct host_vcpu *hv;
	int ret;

	ret = vm_op_begin(handle, cpu, &vm);
	if (ret)
		return ret;

	mutex_lock(&vm->lock);
	ret = -EBUSY;
	if (vm->has_run)
		goto unlock;
	ret = -EINVAL;
	if (idx >= PKVMSIM_MAX_VCPUS || idx != (unsigned int)vm->kvm->created_vcpus)
		goto unlock;

	hv = &vm->vcpus[idx];
	ret = -ENOMEM;
	hv->vcpu = sim_host_alloc_pages(1);
	if (!hv->vcpu)
		goto unlock;
	hv->vcpu->kvm = vm->kvm;
	hv->vcpu->vcpu_id = (int)idx;
	hv->vcpu->vcpu_idx = (int)idx;

	ret = kvm_arch_vcpu_create(vm, hv);
	if (ret) {
		sim_host_free_pages(hv->vcpu, 1);
		hv->vcpu = NULL;
		goto unlock;
	}
	/* The hypervisor reads it once, at init_vm. */
	WRITE_ONCE(vm->kvm->created_vcpus, vm->kvm->created_vcpus + 1);
unlock:
	mutex_unlock(&vm->lock);
	vm_op_end(vm, cpu);
	return ret;
}

static struct host_vcpu *vcpu_of(struct pkvmsim_vm *vm, unsigned int idx)
{
	if (idx >= PKVMSIM_MAX_VCPUS || !vm->vcpus[idx].vcpu)
		return NULL;
	return &vm->vcpus[idx];
}

/*
 * vcpu->mutex: a vCPU is loaded on one CPU at a time, and a CPU has one
 * vCPU loaded at a time, which only the thread on that CPU changes.
 */
static int vcpu_claim(struct pkvmsim_vm *vm, struct host_vcpu *hv,
		      unsigned int cpu)
{
	int expected = -1;

	if (vm->sim->host->loaded[cpu])
		return -EBUSY;
	if (!__atomic_compare_exchange_n(&hv->loaded_cpu, &expected, (int)cpu,
					 false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	__atomic_store_n(&vm->sim->host->loaded[cpu], hv, __ATOMIC_RELAXED);
	return 0;
}

static void vcpu_unclaim(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	int cpu = hv->loaded_cpu;

	__atomic_store_n(&vm->sim->host->loaded[cpu], NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&hv->loaded_cpu, -1, __ATOMIC_RELEASE);
}

/* vcpu_put() on the CPU the vCPU is loaded on. */
static void vcpu_put(struct pkvmsim_vm *vm, struct host_vcpu *hv)
{
	kvm_arch_vcpu_put(vm, hv);
	vcpu_unclaim(vm, hv);
}

/*
 * A vCPU ioctl's start: check @vm and @idx, claim @cpu, and take the
 * vCPU for @cpu (vcpu->mutex).  On success the caller owns @cpu, and
 * is one of the VM's users, until vm_op_end().
 */
static int vcpu_op_begin(struct pkvmsim_vm *handle, unsigned int cpu,
			 unsigned int idx, struct pkvmsim_vm **vmp,
			 struct host_vcpu **hvp)
{
	struct pkvmsim_vm *vm;
	struct host_vcpu *hv;
	int ret;

	ret = vm_op_begin(handle, cpu, &vm);
	if (ret)
		return ret;
	hv = vcpu_of(vm, idx);
	ret = hv ? vcpu_claim(vm, hv, cpu) : -EINVAL;
	if (ret) {
		vm_op_end(vm, cpu);
		return ret;
	}
	*vmp = vm;
	*hvp = hv;
	return 0;
}

/*
 * KVM_RUN as kvm_vcpu_ioctl() orders it: the first run's set-up
 * (kvm_arch_vcpu_run_pid_change(), which creates the hyp VM and vCPU) comes
 * before kvm_arch_vcpu_ioctl_run() loads the vCPU, so in pKVM mode the
 * first run's __pkvm_vcpu_load finds the hyp vCPU and loads it.
 */
int pkvmsim_vcpu_run(struct pkvmsim_vm *handle, unsigned int cpu,
		     unsigned int idx)
{
	struct pkvmsim_vm *vm;
	struct host_vcpu *hv;
	int ret;

	ret = vcpu_op_begin(handle, cpu, idx, &vm, &hv);
	if (ret)
		return ret;

	if (!hv->has_run) {
		mutex_lock(&vm->lock);
		vm->has_run = true;
		mutex_unlock(&vm->lock);

		ret = kvm_arch_vcpu_run_pid_change(vm, hv);
		if (ret) {
			/* KVM_RUN fails before it loads the vCPU. */
			vcpu_unclaim(vm, hv);
			goto out;
		}
		hv->has_run = true;
	}

	kvm_arch_vcpu_load(vm, hv);
out:
	vm_op_end(vm, cpu);
	return ret;
}

int pkvmsim_vcpu_ioctl(struct pkvmsim_vm *handle, unsigned int cpu,
		       unsigned int idx)
{
	struct pkvmsim_vm *vm;
	struct host_vcpu *hv;
	int ret;

	ret = vcpu_op_begin(handle, cpu, idx, &vm, &hv);
	if (ret)
		return ret;
	kvm_arch_vcpu_load(vm, hv);
	vcpu_put(vm, hv);
	vm_op_end(vm, cpu);
	return 0;
}

int pkvmsim_vcpu_put(struct pkvmsim_vm *handle, unsigned int cpu,
		     unsigned int idx)
{
	struct pkvmsim_vm *vm;
	struct host_vcpu *hv;
	int ret;

	ret = vm_op_begin(handle, cpu, &vm);
	if (ret)
		return ret;

	hv = vcpu_of(vm, idx);
	if (hv && __atomic_load_n(&hv->loaded_cpu, __ATOMIC_ACQUIRE) ==
		  (int)cpu)
		vcpu_put(vm, hv);
	else
		ret = -EINVAL;

	vm_op_end(vm, cpu);
	return ret;
}

int pkvmsim_mmu_notify(struct pkvmsim_vm *handle, unsigned int cpu)
{
	struct pkvmsim_vm *vm;
	int ret;

	ret = vm_op_begin(handle, cpu, &vm);
	if (ret)
		return ret;

	__atomic_add_fetch(&vm->nr_notifies, 1, __ATOMIC_RELAXED);
	kvm_arch_flush_remote_tlbs(vm);

	vm_op_end(vm, cpu);
	return 0;
}

/* Whether a vCPU of @vm is loaded on a CPU other than @cpu. */
static bool vm_loaded_elsewhere(struct pkvmsim_vm *vm, int cpu)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_MAX_VCPUS; i++) {
		int on = __atomic_load_n(&vm->vcpus[i].loaded_cpu,
					 __ATOMIC_ACQUIRE);

		if (vm->vcpus[i].vcpu && on >= 0 && on != cpu)
			return true;
	}
	return false;
}

/*
 * kvm_destroy_vm(): the fd's last reference is gone.  A vCPU still loaded
 * is put first, on its own CPU, as its thread would on closing its fd.
 */
/* @vm is off the host's list already: no call can begin on it. */
static int vm_destroy(struct pkvmsim_vm *vm)
{
	struct pkvmsim *sim = vm->sim;
	int cpu = host_cpu;
	unsigned int i;
	int ret;

	for (i = 0; i < PKVMSIM_MAX_VCPUS; i++) {
		struct host_vcpu *hv = &vm->vcpus[i];

		if (hv->vcpu && hv->loaded_cpu >= 0) {
			host_cpu = hv->loaded_cpu;
			vcpu_put(vm, hv);
			host_cpu = cpu;
		}
	}

	if (tz_is_told(sim))
		tz_vm_destroyed(vm);

	ret = kvm_arch_destroy_vm(vm);
	oracle_vm_destroyed(sim->oracle, vm->id, host_cpu, ret);

	vm_free(vm);
	return ret;
}

int pkvmsim_vm_destroy(struct pkvmsim_vm *handle, unsigned int cpu)
{
	struct pkvmsim_vm *vm;
	struct pkvmsim *sim;
	bool busy;
	int ret;

	ret = vm_op_begin(handle, cpu, &vm);
	if (ret)
		return ret == -EBUSY ? -EAGAIN : ret;
	sim = vm->sim;

	/*
	 * Another CPU is inside KVM_RUN, or any other call on the VM is in
	 * flight (an MMU notifier, say): the VM cannot be going away.  Else
	 * it leaves the list in the same critical section, so none begins.
	 */
	pthread_mutex_lock(&sim->host->lock);
	busy = vm->users > 1 || vm_loaded_elsewhere(vm, (int)cpu);
	if (!busy) {
		vm->users--;
		TAILQ_REMOVE(&sim->host->vms, vm, link);
	}
	pthread_mutex_unlock(&sim->host->lock);
	if (busy) {
		vm_op_end(vm, cpu);
		return -EAGAIN;
	}
	ret = vm_destroy(vm);
	host_cpu_exit(sim, cpu);
	return ret;
}

void host_state_fini(struct pkvmsim *sim)
{
	struct pkvmsim_vm *vm;

	host_cpu = 0;
	for (;;) {
		pthread_mutex_lock(&sim->host->lock);
		vm = TAILQ_FIRST(&sim->host->vms);
		if (vm)
			TAILQ_REMOVE(&sim->host->vms, vm, link);
		pthread_mutex_unlock(&sim->host->lock);
		if (!vm)
			break;
		vm_destroy(vm);
	}
	host_cpu = -1;
}

void host_state_abandon(struct pkvmsim *sim)
{
	struct pkvmsim_vm *vm;

	/* Their struct kvm and vCPUs are arena pages: they go with it. */
	while ((vm = TAILQ_FIRST(&sim->host->vms))) {
		TAILQ_REMOVE(&sim->host->vms, vm, link);
		free(vm->supported_cpus);
		free(vm);
	}
	host_cpu = -1;
}

enum vm_field { VM_HANDLE, VM_ID, VM_IS_CREATED };

/* A field of the live VM @handle names, read under host->lock; 0 if none. */
static unsigned long vm_read(const struct pkvmsim_vm *handle,
			     enum vm_field field)
{
	struct pkvmsim *sim = machine_live();
	struct pkvmsim_vm *vm;
	unsigned long val = 0;

	if (!handle || !sim)
		return 0;
	pthread_mutex_lock(&sim->host->lock);
	vm = host_vm_find(sim, handle);
	if (vm && field == VM_HANDLE)
		val = __atomic_load_n(&vm->kvm->arch.pkvm.handle,
				      __ATOMIC_RELAXED);
	else if (vm && field == VM_ID)
		val = vm->id;
	else if (vm)
		val = __atomic_load_n(&vm->kvm->arch.pkvm.is_created,
				      __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sim->host->lock);
	return val;
}

unsigned int pkvmsim_vm_handle(const struct pkvmsim_vm *vm)
{
	return (unsigned int)vm_read(vm, VM_HANDLE);
}

unsigned long pkvmsim_vm_id(const struct pkvmsim_vm *vm)
{
	return vm_read(vm, VM_ID);
}

bool pkvmsim_vm_is_created(const struct pkvmsim_vm *vm)
{
	return vm_read(vm, VM_IS_CREATED) != 0;
}
