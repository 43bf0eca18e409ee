/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_hvc's verdict: which violations a hostile host is expected to
 * provoke, and which mean the simulator or the hypervisor mirror is
 * broken (hvc_verdict.c).
 */
#ifndef PKVMSIM_FUZZ_HVC_VERDICT_H
#define PKVMSIM_FUZZ_HVC_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include <pkvmsim/pkvmsim.h>

/* What the input has done so far, as far as the verdict cares. */
struct hvc_context {
	enum pkvmsim_mode	mode;
	enum pkvmsim_profile	profile;
	/*
	 * A raw call, a reference held or a field written has touched a VM
	 * of the host model behind the host's back: the host's view of its
	 * VMs (invariants 1, 3, 10, 11, 13 as the host states them) may
	 * now be wrong through no fault of the simulator.
	 */
	bool			tainted;
	/*
	 * The call in flight pins a page whose pin count is at its limit:
	 * the hypervisor's BUG_ON (upstream's too) is what it must hit.
	 */
	bool			bug_expected;
	/*
	 * The call in flight passes a structure or an area the hypervisor
	 * reads or takes at an address that is misaligned or not memory: the
	 * machine may report the fault the real hypervisor would take.
	 */
	bool			bad_pointer;
};

/*
 * Whether @v is what a hostile host may provoke in @ctx.  If not, @why
 * says which rule it breaks.
 */
bool hvc_violation_expected(const struct hvc_context *ctx,
			    const struct pkvmsim_violation *v, char *why,
			    size_t len);

/* Whether @v is a hypervisor crash or BUG (the machine must be rebuilt). */
bool hvc_violation_is_crash(const struct pkvmsim_violation *v);

#endif /* PKVMSIM_FUZZ_HVC_VERDICT_H */
