// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ownership transitions between the host and the hypervisor that the VM
 * lifecycle needs (arch/arm64/kvm/hyp/nvhe/mem_protect.c, Linux 6.18), and
 * the guest stage-2 PGD that a hyp VM holds.
 *
 * Upstream keeps page state in the host stage-2 and the hyp stage-1; the
 * simulator keeps it in the page ledger (nvhe/sim_ledger.h), reached
 * through the same check/set helper names.  Locking and the order of the
 * checks are the kernel's: host component, then hyp component.
 */

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/bug.h>
#include <asm/percpu.h>
#include <nvhe/mem_protect.h>
#include <nvhe/memory.h>
#include <nvhe/pkvm.h>
#include <nvhe/spinlock.h>

/*
 * Not static, unlike upstream: a controlled run the simulator stops
 * mid-flight (a deadlock, a livelock) may leave them held, and the next
 * machine must find them free.
 */
DEFINE_HYP_SPINLOCK(host_mmu_lock);
DEFINE_HYP_SPINLOCK(pkvm_pgd_lock);

/*
 * Whether each CPU has turned on its host stage-2.  Not static: the
 * simulator resets it between runs.
 */
DEFINE_PER_CPU(bool, host_stage2_enabled);

static void host_lock_component(void)
{
	hyp_spin_lock(&host_mmu_lock);
}

static void host_unlock_component(void)
{
	hyp_spin_unlock(&host_mmu_lock);
}

static void hyp_lock_component(void)
{
	hyp_spin_lock(&pkvm_pgd_lock);
}

static void hyp_unlock_component(void)
{
	hyp_spin_unlock(&pkvm_pgd_lock);
}

static void guest_lock_component(struct pkvm_hyp_vm *vm)
{
	hyp_spin_lock(&vm->lock);
}

static void guest_unlock_component(struct pkvm_hyp_vm *vm)
{
	hyp_spin_unlock(&vm->lock);
}

/**
 * __pkvm_prot_finalize() - Deprivilege the host on this CPU.
 *
 * Return: 0, or -EPERM if this CPU has already been finalised.
 */
int __pkvm_prot_finalize(void)
{
	bool *enabled = this_cpu_ptr(&host_stage2_enabled);

	if (READ_ONCE(*enabled))
		return -EPERM;

	WRITE_ONCE(*enabled, true);
	return 0;
}

int __pkvm_host_share_hyp(u64 pfn)
{
	phys_addr_t phys = hyp_pfn_to_phys(pfn);
	int ret;

	host_lock_component();
	hyp_lock_component();

	ret = __host_check_page_state_range(phys, PAGE_SIZE, PKVM_PAGE_OWNED);
	if (ret)
		goto unlock;
	ret = __hyp_check_page_state_range(phys, PAGE_SIZE, PKVM_NOPAGE);
	if (ret)
		goto unlock;

	__hyp_set_page_state_range(phys, PAGE_SIZE, PKVM_PAGE_SHARED_BORROWED);
	__host_set_page_state_range(phys, PAGE_SIZE, PKVM_PAGE_SHARED_OWNED);

unlock:
	hyp_unlock_component();
	host_unlock_component();

	return ret;
}

int __pkvm_host_unshare_hyp(u64 pfn)
{
	phys_addr_t phys = hyp_pfn_to_phys(pfn);
	int ret;

	host_lock_component();
	hyp_lock_component();

	ret = __host_check_page_state_range(phys, PAGE_SIZE,
					    PKVM_PAGE_SHARED_OWNED);
	if (ret)
		goto unlock;
	ret = __hyp_check_page_state_range(phys, PAGE_SIZE,
					   PKVM_PAGE_SHARED_BORROWED);
	if (ret)
		goto unlock;

	/* The hypervisor is still reading it. */
	if (hyp_page_count(hyp_phys_to_virt(phys))) {
		ret = __refuse_page(phys, -EBUSY, "unshare of a pinned page");
		goto unlock;
	}

	__hyp_set_page_state_range(phys, PAGE_SIZE, PKVM_NOPAGE);
	__host_set_page_state_range(phys, PAGE_SIZE, PKVM_PAGE_OWNED);

unlock:
	hyp_unlock_component();
	host_unlock_component();

	return ret;
}

/* Reject counts whose byte size would not fit in a u64. */
static bool nr_pages_valid(u64 nr_pages)
{
	return nr_pages && nr_pages <= (~0ULL >> PAGE_SHIFT);
}

int __pkvm_host_donate_hyp(u64 pfn, u64 nr_pages)
{
	phys_addr_t phys = hyp_pfn_to_phys(pfn);
	u64 size = PAGE_SIZE * nr_pages;
	int ret;

	if (!nr_pages_valid(nr_pages))
		return -EINVAL;

	host_lock_component();
	hyp_lock_component();

	ret = __host_check_page_state_range(phys, size, PKVM_PAGE_OWNED);
	if (ret)
		goto unlock;
	ret = __hyp_check_page_state_range(phys, size, PKVM_NOPAGE);
	if (ret)
		goto unlock;

	__hyp_set_page_state_range(phys, size, PKVM_PAGE_OWNED);
	__host_set_page_state_range(phys, size, PKVM_NOPAGE);

unlock:
	hyp_unlock_component();
	host_unlock_component();

	return ret;
}

int __pkvm_hyp_donate_host(u64 pfn, u64 nr_pages)
{
	phys_addr_t phys = hyp_pfn_to_phys(pfn);
	u64 size = PAGE_SIZE * nr_pages;
	int ret;

	if (!nr_pages_valid(nr_pages))
		return -EINVAL;

	host_lock_component();
	hyp_lock_component();

	ret = __hyp_check_page_state_range(phys, size, PKVM_PAGE_OWNED);
	if (ret)
		goto unlock;
	ret = __host_check_page_state_range(phys, size, PKVM_NOPAGE);
	if (ret)
		goto unlock;

	__hyp_set_page_state_range(phys, size, PKVM_NOPAGE);
	__host_set_page_state_range(phys, size, PKVM_PAGE_OWNED);

unlock:
	hyp_unlock_component();
	host_unlock_component();

	return ret;
}

/**
 * hyp_pin_shared_mem() - Keep host-shared memory shared while the hyp uses it.
 * @from:	hyp VA of the first byte.
 * @to:		hyp VA one past the last byte.
 *
 * Each page in the range gains a reference that stops the host unsharing
 * it.  Every page must be shared by the host with the hypervisor.
 *
 * Return: 0, or -EPERM if a page is not memory shared with the hypervisor.
 */
int hyp_pin_shared_mem(void *from, void *to)
{
	u64 start = (u64)(unsigned long)from & PAGE_MASK;
	u64 end = PAGE_ALIGN((u64)(unsigned long)to);
	u64 cur;
	int ret;

	/* A wrapped range is no memory at all. */
	if (end <= start)
		return -EPERM;

	host_lock_component();
	hyp_lock_component();

	ret = __host_check_page_state_range(__hyp_pa(start), end - start,
					    PKVM_PAGE_SHARED_OWNED);
	if (ret)
		goto unlock;
	ret = __hyp_check_page_state_range(__hyp_pa(start), end - start,
					   PKVM_PAGE_SHARED_BORROWED);
	if (ret)
		goto unlock;

	for (cur = start; cur < end; cur += PAGE_SIZE)
		hyp_page_ref_inc(hyp_virt_to_page(cur));

unlock:
	hyp_unlock_component();
	host_unlock_component();

	return ret;
}

void hyp_unpin_shared_mem(void *from, void *to)
{
	u64 start = (u64)(unsigned long)from & PAGE_MASK;
	u64 end = PAGE_ALIGN((u64)(unsigned long)to);
	u64 cur;

	host_lock_component();
	hyp_lock_component();

	for (cur = start; cur < end; cur += PAGE_SIZE)
		hyp_page_ref_dec(hyp_virt_to_page(cur));

	hyp_unlock_component();
	host_unlock_component();
}

/**
 * kvm_guest_prepare_stage2() - Set up a hyp VM's stage-2 on a donated PGD.
 * @vm:		the hyp VM, not yet visible in the VM table.
 * @pgd:	hyp VA of kvm_pgtable_stage2_pgd_size() donated bytes.
 *
 * The table holds a reference on each PGD page for as long as it lives, so
 * the pages cannot go back to the host before destroy_hyp_vm_pgt().
 *
 * Return: 0 (the simulator's table cannot fail to initialise).
 */
int kvm_guest_prepare_stage2(struct pkvm_hyp_vm *vm, void *pgd)
{
	struct kvm_s2_mmu *mmu = &vm->kvm.arch.mmu;
	unsigned long pgd_size = kvm_pgtable_stage2_pgd_size(mmu->vtcr);
	unsigned long off;

	guest_lock_component(vm);

	vm->pgt.ia_bits = 48;
	vm->pgt.mmu = mmu;
	vm->pgt.pgd = pgd;
	for (off = 0; off < pgd_size; off += PAGE_SIZE)
		hyp_page_ref_inc(hyp_virt_to_page((char *)pgd + off));

	mmu->pgt = &vm->pgt;
	mmu->pgd_phys = __hyp_pa(pgd);

	guest_unlock_component(vm);

	return 0;
}

/* Drop the stage-2's references on its PGD; the pages stay with the hyp. */
void destroy_hyp_vm_pgt(struct pkvm_hyp_vm *vm)
{
	struct kvm_s2_mmu *mmu = &vm->kvm.arch.mmu;
	unsigned long pgd_size = kvm_pgtable_stage2_pgd_size(mmu->vtcr);
	char *pgd = vm->pgt.pgd;
	unsigned long off;

	guest_lock_component(vm);

	if (pgd) {
		for (off = 0; off < pgd_size; off += PAGE_SIZE)
			hyp_page_ref_dec(hyp_virt_to_page(pgd + off));
	}
	mmu->pgd_phys = 0;

	guest_unlock_component(vm);
}

/**
 * reclaim_pgtable_pages() - Give a dead VM's stage-2 pages to the host.
 * @vm:	the hyp VM, already out of the VM table.
 * @mc:	the host's stage-2 teardown memcache.
 */
void reclaim_pgtable_pages(struct pkvm_hyp_vm *vm, struct kvm_hyp_memcache *mc)
{
	struct kvm_s2_mmu *mmu = &vm->kvm.arch.mmu;
	unsigned long pgd_size = kvm_pgtable_stage2_pgd_size(mmu->vtcr);
	char *pgd = vm->pgt.pgd;
	unsigned long off;

	destroy_hyp_vm_pgt(vm);
	vm->pgt.pgd = NULL;

	if (!pgd)
		return;

	memset(pgd, 0, pgd_size);
	for (off = 0; off < pgd_size; off += PAGE_SIZE) {
		push_hyp_memcache(mc, (phys_addr_t *)(pgd + off),
				  hyp_virt_to_phys);
		WARN_ON(__pkvm_hyp_donate_host(hyp_virt_to_pfn(pgd + off), 1));
	}
}
