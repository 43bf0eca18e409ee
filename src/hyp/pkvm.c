// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pKVM hypervisor's VM table and the VM/vCPU lifecycle, as of
 * Linux 6.18 (arch/arm64/kvm/hyp/nvhe/pkvm.c).
 *
 * Written for libpkvmsim from ../shared/SPEC.md with the kernel's names and
 * structure, so a patch can be ported by hand in either direction.  Where
 * 6.18 has a known bug this file does the later, fixed thing and says so.
 */

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/bug.h>
#include <asm/kvm_mmu.h>
#include <asm/tlbflush.h>
#include <nvhe/mem_protect.h>
#include <nvhe/memory.h>
#include <nvhe/pkvm.h>

/* The hyp vCPU loaded on each physical CPU, if any. */
DEFINE_PER_CPU(struct pkvm_hyp_vcpu *, loaded_hyp_vcpu);

/* A handle is its slot's index plus this, so that 0 never names a VM. */
#define HANDLE_OFFSET		0x1000

/*
 * Marks a slot whose handle has been given out but whose VM is not yet
 * built.  Never dereferenced: get_vm_by_handle() hides it.
 */
#define RESERVED_ENTRY		((void *)0xa110ca7edUL)

/* Unsigned: any handle below HANDLE_OFFSET wraps past KVM_MAX_PVMS. */
static unsigned int vm_handle_to_idx(pkvm_handle_t handle)
{
	return handle - HANDLE_OFFSET;
}

static pkvm_handle_t idx_to_vm_handle(unsigned int idx)
{
	return idx + HANDLE_OFFSET;
}

/*
 * Each slot is FREE (NULL), RESERVED (RESERVED_ENTRY) or LIVE (a hyp VM).
 * Every write to a slot is made with vm_table_lock held.  The table itself
 * is NULL until pKVM initialises, which only happens in protected mode.
 *
 * Not static, unlike upstream: the simulator's tests inspect the table and
 * reset it between cases.
 */
DEFINE_HYP_SPINLOCK(vm_table_lock);
struct pkvm_hyp_vm **vm_table;

void pkvm_hyp_vm_table_init(void *tbl)
{
	WARN_ON(vm_table);
	vm_table = tbl;
}

/*
 * Return the live VM for @handle, or NULL for a free, reserved or
 * out-of-range slot.  There is deliberately no check for a missing table:
 * callers are only reachable once pKVM has initialised it.
 */
static struct pkvm_hyp_vm *get_vm_by_handle(pkvm_handle_t handle)
{
	unsigned int idx = vm_handle_to_idx(handle);
	struct pkvm_hyp_vm *hyp_vm;

	hyp_assert_lock_held(&vm_table_lock);

	if (unlikely(idx >= KVM_MAX_PVMS))
		return NULL;

	hyp_vm = vm_table[idx];
	if (hyp_vm == RESERVED_ENTRY)
		return NULL;

	return hyp_vm;
}

/**
 * pkvm_load_hyp_vcpu() - Load a vCPU on this CPU and pin its VM.
 * @handle:	the VM's handle.
 * @vcpu_idx:	the vCPU's index in the VM.
 *
 * Return: the loaded vCPU, or NULL if this CPU already has one loaded, the
 * VM or vCPU does not exist (yet), or the vCPU is loaded on another CPU.
 */
struct pkvm_hyp_vcpu *pkvm_load_hyp_vcpu(pkvm_handle_t handle,
					 unsigned int vcpu_idx)
{
	struct pkvm_hyp_vcpu *hyp_vcpu = NULL;
	struct pkvm_hyp_vm *hyp_vm;

	if (__this_cpu_read(loaded_hyp_vcpu))
		return NULL;

	hyp_spin_lock(&vm_table_lock);

	hyp_vm = get_vm_by_handle(handle);
	if (!hyp_vm || vcpu_idx >= (unsigned int)hyp_vm->kvm.created_vcpus)
		goto unlock;

	hyp_vcpu = smp_load_acquire(&hyp_vm->vcpus[vcpu_idx]);
	if (!hyp_vcpu)
		goto unlock;

	/* A vCPU runs on at most one physical CPU at a time. */
	if (unlikely(hyp_vcpu->loaded_hyp_vcpu)) {
		hyp_vcpu = NULL;
		goto unlock;
	}

	hyp_vcpu->loaded_hyp_vcpu = this_cpu_ptr(&loaded_hyp_vcpu);
	hyp_page_ref_inc(hyp_virt_to_page(hyp_vm));

unlock:
	hyp_spin_unlock(&vm_table_lock);

	if (hyp_vcpu)
		__this_cpu_write(loaded_hyp_vcpu, hyp_vcpu);

	return hyp_vcpu;
}

void pkvm_put_hyp_vcpu(struct pkvm_hyp_vcpu *hyp_vcpu)
{
	struct pkvm_hyp_vm *hyp_vm = pkvm_hyp_vcpu_to_hyp_vm(hyp_vcpu);

	hyp_spin_lock(&vm_table_lock);
	hyp_vcpu->loaded_hyp_vcpu = NULL;
	__this_cpu_write(loaded_hyp_vcpu, NULL);
	hyp_page_ref_dec(hyp_virt_to_page(hyp_vm));
	hyp_spin_unlock(&vm_table_lock);
}

struct pkvm_hyp_vcpu *pkvm_get_loaded_hyp_vcpu(void)
{
	return __this_cpu_read(loaded_hyp_vcpu);
}

/* Take a reference that keeps the VM from being torn down. */
struct pkvm_hyp_vm *get_pkvm_hyp_vm(pkvm_handle_t handle)
{
	struct pkvm_hyp_vm *hyp_vm;

	hyp_spin_lock(&vm_table_lock);
	hyp_vm = get_vm_by_handle(handle);
	if (hyp_vm)
		hyp_page_ref_inc(hyp_virt_to_page(hyp_vm));
	hyp_spin_unlock(&vm_table_lock);

	return hyp_vm;
}

void put_pkvm_hyp_vm(struct pkvm_hyp_vm *hyp_vm)
{
	hyp_spin_lock(&vm_table_lock);
	hyp_page_ref_dec(hyp_virt_to_page(hyp_vm));
	hyp_spin_unlock(&vm_table_lock);
}

/* As get_pkvm_hyp_vm(), for operations the host may not do to a pVM. */
struct pkvm_hyp_vm *get_np_pkvm_hyp_vm(pkvm_handle_t handle)
{
	struct pkvm_hyp_vm *hyp_vm = get_pkvm_hyp_vm(handle);

	if (hyp_vm && pkvm_hyp_vm_is_protected(hyp_vm)) {
		put_pkvm_hyp_vm(hyp_vm);
		hyp_vm = NULL;
	}

	return hyp_vm;
}

static void unpin_host_vcpu(struct kvm_vcpu *host_vcpu)
{
	hyp_unpin_shared_mem(host_vcpu, host_vcpu + 1);
}

static void unpin_host_vcpus(struct pkvm_hyp_vcpu *hyp_vcpus[],
			     unsigned int nr_vcpus)
{
	unsigned int i;

	for (i = 0; i < nr_vcpus; i++) {
		if (hyp_vcpus[i])
			unpin_host_vcpu(hyp_vcpus[i]->host_vcpu);
	}
}

static void init_pkvm_hyp_vm(struct kvm *host_kvm, struct pkvm_hyp_vm *hyp_vm,
			     unsigned int nr_vcpus, pkvm_handle_t handle)
{
	hyp_vm->host_kvm = host_kvm;
	hyp_vm->kvm.created_vcpus = nr_vcpus;
	hyp_vm->kvm.arch.pkvm.handle = handle;
	hyp_vm->kvm.arch.pkvm.is_protected =
		READ_ONCE(host_kvm->arch.pkvm.is_protected);
	hyp_vm->kvm.arch.pkvm.is_created = true;
	/* VMID 0 is the host's. */
	hyp_vm->kvm.arch.mmu.vmid.id = vm_handle_to_idx(handle) + 1;
	hyp_spin_lock_init(&hyp_vm->lock);
}

/*
 * Upstream pins the host's SVE state for a vCPU with SVE and refuses one
 * that has none.  The simulator models no SVE state, so such a vCPU is
 * always refused: the one init_pkvm_hyp_vcpu() failure it models.
 */
static int pkvm_vcpu_init_sve(struct pkvm_hyp_vcpu *hyp_vcpu,
			      struct kvm_vcpu *host_vcpu)
{
	(void)host_vcpu;

	if (hyp_vcpu->vcpu.arch.features & (1UL << KVM_ARM_VCPU_SVE))
		return -EINVAL;

	return 0;
}

static int init_pkvm_hyp_vcpu(struct pkvm_hyp_vcpu *hyp_vcpu,
			      struct pkvm_hyp_vm *hyp_vm,
			      struct kvm_vcpu *host_vcpu)
{
	int ret;

	if (hyp_pin_shared_mem(host_vcpu, host_vcpu + 1))
		return -EBUSY;

	hyp_vcpu->host_vcpu = host_vcpu;
	hyp_vcpu->vcpu.kvm = &hyp_vm->kvm;
	hyp_vcpu->vcpu.vcpu_id = READ_ONCE(host_vcpu->vcpu_id);
	hyp_vcpu->vcpu.vcpu_idx = READ_ONCE(host_vcpu->vcpu_idx);
	hyp_vcpu->vcpu.arch.features = READ_ONCE(host_vcpu->arch.features);
	hyp_vcpu->loaded_hyp_vcpu = NULL;

	ret = pkvm_vcpu_init_sve(hyp_vcpu, host_vcpu);
	if (ret)
		unpin_host_vcpu(host_vcpu);

	return ret;
}

/* Lowest free index first, so handles are reused deterministically. */
static int find_free_vm_table_entry(void)
{
	int i;

	hyp_assert_lock_held(&vm_table_lock);

	for (i = 0; i < KVM_MAX_PVMS; ++i) {
		if (!vm_table[i])
			return i;
	}

	return -ENOMEM;
}

/* Reserve a slot; return its index or a negative error. */
static int allocate_vm_table_entry(void)
{
	int idx;

	hyp_assert_lock_held(&vm_table_lock);

	/* pKVM never initialised: there is nothing to reserve from. */
	if (unlikely(!vm_table))
		return -EINVAL;

	idx = find_free_vm_table_entry();
	if (unlikely(idx < 0))
		return idx;

	vm_table[idx] = RESERVED_ENTRY;
	return idx;
}

/*
 * Make the reserved slot for @handle live.  Anything but a reserved slot is
 * refused, so a VM can neither take a handle nobody reserved nor replace a
 * live VM.
 */
static int __insert_vm_table_entry(pkvm_handle_t handle,
				   struct pkvm_hyp_vm *hyp_vm)
{
	unsigned int idx;

	hyp_assert_lock_held(&vm_table_lock);

	if (unlikely(!vm_table))
		return -EINVAL;

	idx = vm_handle_to_idx(handle);
	if (unlikely(idx >= KVM_MAX_PVMS))
		return -EINVAL;

	if (unlikely(vm_table[idx] != RESERVED_ENTRY))
		return -EINVAL;

	vm_table[idx] = hyp_vm;
	return 0;
}

static int insert_vm_table_entry(pkvm_handle_t handle,
				 struct pkvm_hyp_vm *hyp_vm)
{
	int ret;

	hyp_spin_lock(&vm_table_lock);
	ret = __insert_vm_table_entry(handle, hyp_vm);
	hyp_spin_unlock(&vm_table_lock);

	return ret;
}

/* The caller has checked @handle names a slot worth freeing. */
static void remove_vm_table_entry(pkvm_handle_t handle)
{
	hyp_assert_lock_held(&vm_table_lock);
	vm_table[vm_handle_to_idx(handle)] = NULL;
}

/* Take ownership of host pages at @host_va; NULL if the host may not. */
static void *map_donated_memory_noclear(unsigned long host_va,
					unsigned long size)
{
	void *va = (void *)kern_hyp_va(host_va);

	if (!PAGE_ALIGNED(va))
		return NULL;

	if (__pkvm_host_donate_hyp(hyp_virt_to_pfn(va),
				   PAGE_ALIGN(size) >> PAGE_SHIFT))
		return NULL;

	return va;
}

static void *map_donated_memory(unsigned long host_va, unsigned long size)
{
	void *va = map_donated_memory_noclear(host_va, size);

	if (va)
		memset(va, 0, size);

	return va;
}

static void __unmap_donated_memory(void *va, unsigned long size)
{
	WARN_ON(__pkvm_hyp_donate_host(hyp_virt_to_pfn(va),
				       PAGE_ALIGN(size) >> PAGE_SHIFT));
}

/* Nothing of the hypervisor's may leak back to the host: zero first. */
static void unmap_donated_memory(void *va, unsigned long size)
{
	if (!va)
		return;

	memset(va, 0, size);
	__unmap_donated_memory(va, size);
}

static void unmap_donated_memory_noclear(void *va, unsigned long size)
{
	if (!va)
		return;

	__unmap_donated_memory(va, size);
}

/**
 * __pkvm_reserve_vm() - Reserve a VM table slot for a VM not yet built.
 *
 * Return: the slot's handle, -EINVAL if pKVM has no table, or -ENOMEM if
 * all KVM_MAX_PVMS slots are in use.
 */
int __pkvm_reserve_vm(void)
{
	int ret;

	hyp_spin_lock(&vm_table_lock);
	ret = allocate_vm_table_entry();
	hyp_spin_unlock(&vm_table_lock);

	if (ret < 0)
		return ret;

	return idx_to_vm_handle(ret);
}

/**
 * __pkvm_unreserve_vm() - Give back a reservation that was never used.
 * @handle: the handle __pkvm_reserve_vm() returned.
 *
 * Only a RESERVED slot is freed; a live VM, a free slot or a garbage handle
 * is silently ignored, so a racing or stale unreserve cannot free a VM.
 */
void __pkvm_unreserve_vm(pkvm_handle_t handle)
{
	unsigned int idx = vm_handle_to_idx(handle);

	if (unlikely(!vm_table))
		return;

	hyp_spin_lock(&vm_table_lock);
	if (likely(idx < KVM_MAX_PVMS && vm_table[idx] == RESERVED_ENTRY))
		remove_vm_table_entry(handle);
	hyp_spin_unlock(&vm_table_lock);
}

/**
 * __pkvm_init_vm() - Build the hyp copy of a host VM in its reserved slot.
 * @host_kvm:	the host's struct kvm (hyp VA), shared with the hypervisor.
 * @vm_hva:	host VA of the pages donated for the hyp VM and its vCPU array.
 * @pgd_hva:	host VA of the pages donated for the guest stage-2 PGD.
 *
 * The handle is not an argument: it is read once from the pinned host VM,
 * so the host cannot name one slot and describe another.  The VM becomes
 * visible only at the very end, when its reserved slot turns live; on any
 * failure all donated memory goes back zeroed, the host VM is unpinned and
 * the slot stays as it was.
 *
 * Return: 0, or the negative error of the first step that failed.
 */
int __pkvm_init_vm(struct kvm *host_kvm, unsigned long vm_hva,
		   unsigned long pgd_hva)
{
	struct pkvm_hyp_vm *hyp_vm = NULL;
	unsigned long vm_size, pgd_size;
	pkvm_handle_t handle;
	unsigned int nr_vcpus;
	void *pgd = NULL;
	int ret;

	ret = hyp_pin_shared_mem(host_kvm, host_kvm + 1);
	if (ret)
		return ret;

	/*
	 * Host memory may change under us: read each field exactly once.  A
	 * negative host count reads as a huge one and fails the donation.
	 */
	nr_vcpus = READ_ONCE(host_kvm->created_vcpus);
	if (nr_vcpus < 1) {
		ret = -EINVAL;
		goto err_unpin_kvm;
	}

	handle = READ_ONCE(host_kvm->arch.pkvm.handle);
	if (unlikely(handle < HANDLE_OFFSET)) {
		ret = -EINVAL;
		goto err_unpin_kvm;
	}

	vm_size = pkvm_get_hyp_vm_size(nr_vcpus);
	pgd_size = kvm_pgtable_stage2_pgd_size(0);

	ret = -ENOMEM;

	hyp_vm = map_donated_memory(vm_hva, vm_size);
	if (!hyp_vm)
		goto err_remove_mappings;

	pgd = map_donated_memory_noclear(pgd_hva, pgd_size);
	if (!pgd)
		goto err_remove_mappings;

	init_pkvm_hyp_vm(host_kvm, hyp_vm, nr_vcpus, handle);

	ret = kvm_guest_prepare_stage2(hyp_vm, pgd);
	if (ret)
		goto err_remove_mappings;

	/* Last: nobody may find the VM before it is fully built. */
	ret = insert_vm_table_entry(handle, hyp_vm);
	if (ret)
		goto err_destroy_pgt;

	return 0;

err_destroy_pgt:
	/*
	 * 6.18 skipped this and handed the PGD back while the stage-2 still
	 * held references on it; later kernels destroy the stage-2 first.
	 */
	destroy_hyp_vm_pgt(hyp_vm);
err_remove_mappings:
	unmap_donated_memory(hyp_vm, vm_size);
	unmap_donated_memory(pgd, pgd_size);
err_unpin_kvm:
	hyp_unpin_shared_mem(host_kvm, host_kvm + 1);
	return ret;
}

/**
 * __pkvm_init_vcpu() - Build the hyp copy of a host vCPU of a live VM.
 * @handle:	the VM's handle.
 * @host_vcpu:	the host's struct kvm_vcpu (hyp VA), shared with the hyp.
 * @vcpu_hva:	host VA of the pages donated for the hyp vCPU.
 *
 * Return: 0; -ENOMEM if the pages cannot be donated; -ENOENT if @handle
 * names no live VM (a reserved one included); -EBUSY if the host vCPU
 * cannot be pinned; -EINVAL for an unsupported vCPU, an index past the VM's
 * vCPU count or an index already initialised.
 */
int __pkvm_init_vcpu(pkvm_handle_t handle, struct kvm_vcpu *host_vcpu,
		     unsigned long vcpu_hva)
{
	struct pkvm_hyp_vcpu *hyp_vcpu;
	struct pkvm_hyp_vm *hyp_vm;
	unsigned int idx;
	int ret;

	hyp_vcpu = map_donated_memory(vcpu_hva, sizeof(*hyp_vcpu));
	if (!hyp_vcpu)
		return -ENOMEM;

	hyp_spin_lock(&vm_table_lock);

	hyp_vm = get_vm_by_handle(handle);
	if (!hyp_vm) {
		ret = -ENOENT;
		goto unlock;
	}

	ret = init_pkvm_hyp_vcpu(hyp_vcpu, hyp_vm, host_vcpu);
	if (ret)
		goto unlock;

	idx = hyp_vcpu->vcpu.vcpu_idx;
	if (idx >= (unsigned int)hyp_vm->kvm.created_vcpus ||
	    hyp_vm->vcpus[idx]) {
		/*
		 * 6.18 returned here with the host vCPU still pinned;
		 * 73b9c1e5da84 (in 6.18.y) unpins it.
		 */
		unpin_host_vcpu(host_vcpu);
		ret = -EINVAL;
		goto unlock;
	}

	/* Pairs with the acquire in pkvm_load_hyp_vcpu(). */
	smp_store_release(&hyp_vm->vcpus[idx], hyp_vcpu);

unlock:
	hyp_spin_unlock(&vm_table_lock);

	if (ret)
		unmap_donated_memory(hyp_vcpu, sizeof(*hyp_vcpu));

	return ret;
}

/* Zero @addr, queue its pages on @mc for the host, and hand them back. */
static void teardown_donated_memory(struct kvm_hyp_memcache *mc, void *addr,
				    unsigned long size)
{
	unsigned long off;

	size = PAGE_ALIGN(size);
	memset(addr, 0, size);

	for (off = 0; off < size; off += PAGE_SIZE)
		push_hyp_memcache(mc, (phys_addr_t *)((char *)addr + off),
				  hyp_virt_to_phys);

	unmap_donated_memory_noclear(addr, size);
}

/**
 * __pkvm_teardown_vm() - Destroy a live hyp VM and give the host its pages.
 * @handle: the VM's handle.
 *
 * The reference check, the TLB flush of the VMID and freeing the slot form
 * one critical section, so nothing can load a vCPU or take a reference
 * between the check and the slot going free, and a reused VMID starts
 * clean.  The VM's memory goes back to the host afterwards, unlocked,
 * through the teardown memcaches in the host's struct kvm.
 *
 * Return: 0; -ENOENT if @handle names no live VM; -EBUSY (with a warning)
 * while a vCPU is loaded or a reference is held.
 */
int __pkvm_teardown_vm(pkvm_handle_t handle)
{
	struct kvm_hyp_memcache *mc, *stage2_mc;
	struct pkvm_hyp_vm *hyp_vm;
	struct kvm *host_kvm;
	unsigned long vm_size;
	unsigned int idx;
	int err;

	hyp_spin_lock(&vm_table_lock);

	hyp_vm = get_vm_by_handle(handle);
	if (!hyp_vm) {
		err = -ENOENT;
		goto err_unlock;
	}

	if (WARN_ON(hyp_page_count(hyp_vm))) {
		err = -EBUSY;
		goto err_unlock;
	}

	host_kvm = hyp_vm->host_kvm;

	__kvm_tlb_flush_vmid(&hyp_vm->kvm.arch.mmu);
	remove_vm_table_entry(handle);
	hyp_spin_unlock(&vm_table_lock);

	mc = &host_kvm->arch.pkvm.teardown_mc;
	stage2_mc = &host_kvm->arch.pkvm.stage2_teardown_mc;

	reclaim_pgtable_pages(hyp_vm, stage2_mc);
	unpin_host_vcpus(hyp_vm->vcpus, hyp_vm->kvm.created_vcpus);

	/*
	 * A vCPU's memcache feeds the guest stage-2, so its pages go back
	 * with the stage-2's; the hyp's own structures go with teardown_mc.
	 */
	for (idx = 0; idx < (unsigned int)hyp_vm->kvm.created_vcpus; ++idx) {
		struct pkvm_hyp_vcpu *hyp_vcpu = hyp_vm->vcpus[idx];
		struct kvm_hyp_memcache *vcpu_mc;
		void *addr;

		if (!hyp_vcpu)
			continue;

		vcpu_mc = &hyp_vcpu->vcpu.arch.pkvm_memcache;
		while ((addr = pop_hyp_memcache(vcpu_mc, hyp_phys_to_virt))) {
			push_hyp_memcache(stage2_mc, addr, hyp_virt_to_phys);
			unmap_donated_memory_noclear(addr, PAGE_SIZE);
		}

		teardown_donated_memory(mc, hyp_vcpu, sizeof(*hyp_vcpu));
	}

	vm_size = pkvm_get_hyp_vm_size(hyp_vm->kvm.created_vcpus);
	teardown_donated_memory(mc, hyp_vm, vm_size);
	hyp_unpin_shared_mem(host_kvm, host_kvm + 1);
	return 0;

err_unlock:
	hyp_spin_unlock(&vm_table_lock);
	return err;
}
