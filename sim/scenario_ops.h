/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the scenarios share (scenario.c): their dice, and the host
 * operations they make through the public API, each counted in a struct
 * run_stats and recorded with scenario_fail() when it fails with no
 * reason to.
 */
#ifndef PKVMSIM_SIM_SCENARIO_OPS_H
#define PKVMSIM_SIM_SCENARIO_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* SPEC 1: not in the public API, and the scenarios check, not trust, it. */
#define KVM_MAX_PVMS	255
#define HANDLE_OFFSET	0x1000

/* splitmix64 below @n; a random order of 0..@n-1 (Fisher-Yates). */
unsigned int rng_below(uint64_t *state, unsigned int n);
void shuffle(unsigned int *order, unsigned int n, uint64_t *rng);

/* "ENOENT" for -ENOENT. */
const char *errname(int err);

/* -ENOMEM is a refusal, not a failure, if @may_be_full. */
int vm_create(struct scenario_ctx *ctx, struct run_stats *st,
	      unsigned int cpu, bool may_be_full,
	      struct pkvmsim_vm **vmp);
int vcpu_create(struct scenario_ctx *ctx, struct run_stats *st,
		struct pkvmsim_vm *vm, unsigned int cpu,
		unsigned int idx);
/* Create vCPUs 0..@n-1; returns how many there are. */
unsigned int vcpus_create(struct scenario_ctx *ctx,
			  struct run_stats *st, struct pkvmsim_vm *vm,
			  unsigned int cpu, unsigned int n);
int vcpu_run(struct scenario_ctx *ctx, struct run_stats *st,
	     struct pkvmsim_vm *vm, unsigned int cpu, unsigned int idx);
int vcpu_put(struct scenario_ctx *ctx, struct run_stats *st,
	     struct pkvmsim_vm *vm, unsigned int cpu, unsigned int idx);
int mmu_notify(struct scenario_ctx *ctx, struct run_stats *st,
	       struct pkvmsim_vm *vm, unsigned int cpu);
/* The VM is gone afterwards, whatever the result. */
int vm_destroy(struct scenario_ctx *ctx, struct run_stats *st,
	       struct pkvmsim_vm *vm, unsigned int cpu);

/* --- storm.c --- */

void storm(struct scenario_ctx *ctx);

#endif /* PKVMSIM_SIM_SCENARIO_OPS_H */
