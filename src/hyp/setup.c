// SPDX-License-Identifier: GPL-2.0-only
/*
 * pKVM initialisation, reduced to what the VM table needs
 * (arch/arm64/kvm/hyp/nvhe/setup.c, Linux 6.18): the host hands the
 * hypervisor a carve-out of memory at boot and pKVM keeps its VM table in
 * it.  Only a protected-mode boot calls this.
 */

#include <linux/kernel.h>
#include <linux/string.h>
#include <nvhe/mem_protect.h>
#include <nvhe/memory.h>
#include <nvhe/pkvm.h>

/* Bytes of the carve-out the VM table takes: one page of pointers. */
#define PKVM_VM_TABLE_SIZE	\
	PAGE_ALIGN(KVM_MAX_PVMS * sizeof(struct pkvm_hyp_vm *))

/**
 * __pkvm_init() - Take the boot carve-out and set up the VM table in it.
 * @phys:	physical address of the carve-out, page aligned.
 * @size:	its size in bytes; at least one page.
 *
 * Return: 0, -EINVAL for a misaligned or too small carve-out, or the
 * error of donating it.
 */
int __pkvm_init(phys_addr_t phys, unsigned long size)
{
	void *virt = hyp_phys_to_virt(phys);
	int ret;

	BUILD_BUG_ON(PKVM_VM_TABLE_SIZE != PAGE_SIZE);

	if (!PAGE_ALIGNED(phys) || size < PKVM_VM_TABLE_SIZE)
		return -EINVAL;

	ret = __pkvm_host_donate_hyp(hyp_phys_to_pfn(phys),
				     PKVM_VM_TABLE_SIZE >> PAGE_SHIFT);
	if (ret)
		return ret;

	memset(virt, 0, PKVM_VM_TABLE_SIZE);
	pkvm_hyp_vm_table_init(virt);
	return 0;
}
