// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's names of the 6.18 host hypercalls, indexed by number. */
#include <stddef.h>

#include <pkvmsim/pkvmsim.h>
#include "asm/kvm_asm.h"

/* The public numbers must be the kernel's. */
#define SAME_ID(pub, kern)	\
	_Static_assert((int)(pub) == (int)(kern), #pub " != " #kern)

#define NAME(x)	[__KVM_HOST_SMCCC_FUNC_##x] = #x

static const char *const hcall_names[] = {
	NAME(__kvm_hyp_init),
	NAME(__pkvm_init),
	NAME(__pkvm_create_private_mapping),
	NAME(__pkvm_cpu_set_vector),
	NAME(__kvm_enable_ssbs),
	NAME(__vgic_v3_init_lrs),
	NAME(__vgic_v3_get_gic_config),
	NAME(__pkvm_prot_finalize),
	NAME(__pkvm_host_share_hyp),
	NAME(__pkvm_host_unshare_hyp),
	NAME(__pkvm_host_share_guest),
	NAME(__pkvm_host_unshare_guest),
	NAME(__pkvm_host_relax_perms_guest),
	NAME(__pkvm_host_wrprotect_guest),
	NAME(__pkvm_host_test_clear_young_guest),
	NAME(__pkvm_host_mkyoung_guest),
	NAME(__kvm_adjust_pc),
	NAME(__kvm_vcpu_run),
	NAME(__kvm_flush_vm_context),
	NAME(__kvm_tlb_flush_vmid_ipa),
	NAME(__kvm_tlb_flush_vmid_ipa_nsh),
	NAME(__kvm_tlb_flush_vmid),
	NAME(__kvm_tlb_flush_vmid_range),
	NAME(__kvm_flush_cpu_context),
	NAME(__kvm_timer_set_cntvoff),
	NAME(__vgic_v3_save_vmcr_aprs),
	NAME(__vgic_v3_restore_vmcr_aprs),
	NAME(__pkvm_reserve_vm),
	NAME(__pkvm_unreserve_vm),
	NAME(__pkvm_init_vm),
	NAME(__pkvm_init_vcpu),
	NAME(__pkvm_teardown_vm),
	NAME(__pkvm_vcpu_load),
	NAME(__pkvm_vcpu_put),
	NAME(__pkvm_tlb_flush_vmid),
};

_Static_assert(sizeof(hcall_names) / sizeof(hcall_names[0]) ==
	       __KVM_HOST_SMCCC_FUNC_NR, "a 6.18 hypercall has no name");
SAME_ID(PKVMSIM_HCALL_NR, __KVM_HOST_SMCCC_FUNC_NR);
SAME_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM, __KVM_HOST_SMCCC_FUNC___pkvm_reserve_vm);
SAME_ID(PKVMSIM_HCALL_PKVM_UNRESERVE_VM, __KVM_HOST_SMCCC_FUNC___pkvm_unreserve_vm);
SAME_ID(PKVMSIM_HCALL_PKVM_INIT_VM, __KVM_HOST_SMCCC_FUNC___pkvm_init_vm);
SAME_ID(PKVMSIM_HCALL_PKVM_INIT_VCPU, __KVM_HOST_SMCCC_FUNC___pkvm_init_vcpu);
SAME_ID(PKVMSIM_HCALL_PKVM_TEARDOWN_VM, __KVM_HOST_SMCCC_FUNC___pkvm_teardown_vm);
SAME_ID(PKVMSIM_HCALL_PKVM_VCPU_LOAD, __KVM_HOST_SMCCC_FUNC___pkvm_vcpu_load);
SAME_ID(PKVMSIM_HCALL_PKVM_VCPU_PUT, __KVM_HOST_SMCCC_FUNC___pkvm_vcpu_put);
SAME_ID(PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID, __KVM_HOST_SMCCC_FUNC___pkvm_tlb_flush_vmid);
SAME_ID(PKVMSIM_HCALL_PKVM_PROT_FINALIZE, __KVM_HOST_SMCCC_FUNC___pkvm_prot_finalize);
SAME_ID(PKVMSIM_HCALL_PKVM_HOST_SHARE_HYP, __KVM_HOST_SMCCC_FUNC___pkvm_host_share_hyp);
SAME_ID(PKVMSIM_HCALL_PKVM_HOST_UNSHARE_HYP, __KVM_HOST_SMCCC_FUNC___pkvm_host_unshare_hyp);
SAME_ID(PKVMSIM_HCALL_KVM_VCPU_RUN, __KVM_HOST_SMCCC_FUNC___kvm_vcpu_run);
SAME_ID(PKVMSIM_HCALL_KVM_TLB_FLUSH_VMID, __KVM_HOST_SMCCC_FUNC___kvm_tlb_flush_vmid);
SAME_ID(PKVMSIM_HCALL_PKVM_INIT, __KVM_HOST_SMCCC_FUNC___pkvm_init);

const char *pkvmsim_hcall_name(unsigned long nr)
{
	if (nr >= sizeof(hcall_names) / sizeof(hcall_names[0]))
		return NULL;
	return hcall_names[nr];
}
