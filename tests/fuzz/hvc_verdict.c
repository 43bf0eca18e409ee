// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which violations fuzz_hvc expects.  A hostile host may:
 *
 * - make any HVC in VHE mode: the machine records a host panic (SPEC 6);
 * - send init_vm, init_vcpu or teardown in nVHE mode: the machine records
 *   the hypervisor crash it would be (SPEC 6);
 * - use profile v3 outside pKVM mode: VM creation makes the reserve the
 *   v4 series gated (invariant 3, and in VHE the host panic above)
 *   (SPEC 7);
 * - use profile lazy: a VM has no handle before its first run, so
 *   TrustZone and the MMU notifiers name handle 0 (invariant 13) (SPEC 7);
 * - pin one page as often as it can pay for: the pin count's BUG_ON, which
 *   upstream has as well, is then reported as a hypervisor crash;
 * - pass init_vm or init_vcpu a structure or an area at an address that
 *   is misaligned or not memory: the machine may report the fault the real
 *   hypervisor would take there as a hypervisor crash;
 * - tamper with the host model's own VMs (raw calls on their handles or
 *   structures, references held on them, their fields rewritten): the
 *   host's own view of its VMs is then wrong, and what the oracle says
 *   about the host (invariants 1 as the host states it, 3, 10, 11, 13) is
 *   expected.
 *
 * Nothing else: a ledger violation (a page given back while referenced,
 * freed while not owned), any invariant about what the hypervisor did in
 * a call (2, 4-9) or holds (1 for a slot, 8, 12), a hypervisor crash in
 * pKVM mode on aligned arguments in memory below the pin count's limit,
 * and anything about the host while the host model was left alone, is a
 * finding.
 */
#include <stdio.h>
#include <string.h>

#include "hvc_verdict.h"

/* The host-side statements of invariant 1 (src/check/state.c). */
static bool is_host_inv1(const char *what)
{
	return !strncmp(what, "the host ", 9) || !strncmp(what, "VMs ", 4) ||
	       !strncmp(what, "the VM holds ", 13);
}

bool hvc_violation_is_crash(const struct pkvmsim_violation *v)
{
	return v->invariant == PKVMSIM_INV_HYP_CRASH;
}

bool hvc_violation_expected(const struct hvc_context *ctx,
			    const struct pkvmsim_violation *v, char *why,
			    size_t len)
{
	const char *rule = NULL;

	switch (v->invariant) {
	case PKVMSIM_INV_HOST_PANIC:
		if (ctx->mode == PKVMSIM_MODE_VHE)
			return true;
		rule = "a host panic outside VHE mode";
		break;
	case PKVMSIM_INV_HYP_CRASH:
		if (ctx->mode == PKVMSIM_MODE_NVHE)
			return true;
		if (ctx->bug_expected || ctx->bad_pointer)
			return true;
		rule = "a hypervisor crash in pKVM mode, on sane arguments";
		break;
	case PKVMSIM_INV_UNMODELLED:
		/* A misaligned struct in memory: refused, not run. */
		if (ctx->bad_pointer)
			return true;
		rule = "a call the simulator could not run, on sane arguments";
		break;
	case PKVMSIM_INV_LEDGER:
		rule = "a page ledger violation";
		break;
	case 3:
		if (ctx->mode != PKVMSIM_MODE_PROTECTED &&
		    ctx->profile == PKVMSIM_PROFILE_V3)
			return true;
		if (ctx->tainted)
			return true;
		rule = "invariant 3 with the host model left alone";
		break;
	case 13:
		if (ctx->profile == PKVMSIM_PROFILE_LAZY || ctx->tainted)
			return true;
		rule = "invariant 13 in a profile that names every VM";
		break;
	case 1:
		if (is_host_inv1(v->what) && ctx->tainted)
			return true;
		rule = is_host_inv1(v->what) ?
		       "invariant 1 with the host model left alone" :
		       "invariant 1 on the hypervisor's side";
		break;
	case 10:
	case 11:
		if (ctx->tainted)
			return true;
		rule = "a host invariant with the host model left alone";
		break;
	default:
		rule = "an invariant of what the hypervisor does";
		break;
	}
	snprintf(why, len, "%s (mode %s, profile %s%s)", rule,
		 pkvmsim_mode_name(ctx->mode),
		 pkvmsim_profile_name(ctx->profile),
		 ctx->tainted ? ", host VMs tampered with" : "");
	return false;
}
