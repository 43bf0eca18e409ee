// SPDX-License-Identifier: GPL-2.0-only
/*
 * The simulator's thread-local variables, listed so that a scheduler which
 * runs several simulated CPUs as fibers on one OS thread can give each
 * fiber its own copy: it saves them when a fiber leaves the CPU and puts
 * them back when it returns (see SIM_FIBER_LOCAL in sim_env.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim_env.h"

static struct sim_fiber_local locals[SIM_FIBER_LOCALS_MAX];
static unsigned int nr_locals;
static size_t locals_size;

/* Runs from constructors, before main(): no locking needed. */
void sim_fiber_local_register(void *(*addr)(void), size_t size)
{
	if (nr_locals == SIM_FIBER_LOCALS_MAX ||
	    locals_size + size > SIM_FIBER_LOCALS_BYTES) {
		fprintf(stderr, "pkvmsim: too many fiber-local variables\n");
		abort();
	}
	locals[nr_locals].addr = addr;
	locals[nr_locals].size = size;
	nr_locals++;
	locals_size += size;
}

unsigned int sim_fiber_locals(const struct sim_fiber_local **out)
{
	*out = locals;
	return nr_locals;
}
