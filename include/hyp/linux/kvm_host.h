/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <linux/kvm_host.h>: struct kvm and struct kvm_vcpu cut down to
 * the fields pKVM reads.  The simulated host embeds them in its own
 * bookkeeping; these must stay the first thing in a page-aligned
 * allocation so that sharing them with the hyp shares whole pages.
 */
#ifndef __PKVMSIM_LINUX_KVM_HOST_H
#define __PKVMSIM_LINUX_KVM_HOST_H

#include "asm/kvm_host.h"

struct kvm {
	struct kvm_arch	arch;
	int		created_vcpus;
};

struct kvm_vcpu {
	struct kvm		*kvm;
	int			vcpu_id;
	int			vcpu_idx;
	struct kvm_vcpu_arch	arch;
};

#endif /* __PKVMSIM_LINUX_KVM_HOST_H */
