/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the hypercall decorators; not part of the public API. */
#ifndef PKVMSIM_HVC_INTERNAL_H
#define PKVMSIM_HVC_INTERNAL_H

#include <stdint.h>

#include <pkvmsim/pkvmsim.h>

/*
 * ARM_SMCCC_CALL_HINTS (the SMCCC 1.3 SVE hint, bit 16).  The decorators
 * sit above the hypervisor and do not see the kernel-dialect headers.
 */
#define HVC_SMCCC_CALL_HINTS	(1ULL << 16)

/*
 * The hypercall number an SMCCC id names, decoded as handle_host_hcall()
 * does (SPEC 4), so that a decorator counts and names a call exactly as the
 * dispatcher below it will route it.  Ids of other owners wrap to huge
 * numbers, which no table holds.
 */
static inline uint64_t hvc_nr_of(uint64_t x0)
{
	return (x0 & ~HVC_SMCCC_CALL_HINTS) - PKVMSIM_HVC_ID(0);
}

#endif /* PKVMSIM_HVC_INTERNAL_H */
