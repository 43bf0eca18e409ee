/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fixtures for tests of the simulated host: a simulator booted in a chosen
 * mode and profile, its hypercalls recorded by the trace decorator and
 * optionally failed by the fault injector (trace over fault over smccc),
 * and ways to ask the trace and the oracle's report what happened.
 */
#ifndef PKVMSIM_HOST_TEST_H
#define PKVMSIM_HOST_TEST_H

#include "sim_test.h"

struct host_test {
	struct pkvmsim		*sim;
	struct pkvm_hvc_fault	*fault;
	struct pkvm_hvc_trace	*trace;
	struct pkvmsim_report	report;
};

/* Boot @mode/@profile with @nr_cpus CPUs and the decorators installed. */
struct host_test *host_test_start(enum pkvmsim_mode mode,
				  enum pkvmsim_profile profile,
				  unsigned int nr_cpus);
/*
 * Shut down; returns pkvmsim_destroy()'s result (0: nothing leaked and no
 * violation) and frees @t.
 */
int host_test_stop(struct host_test *t);
/* CMocka teardown: stop what a failed test left running. */
int host_test_teardown(void **state);

/* Hypercalls number @nr in the trace so far (-1: all of them). */
unsigned long host_test_calls(struct host_test *t, long nr);
/* The trace's hypercall numbers, in order, into @nrs; returns the count. */
size_t host_test_sequence(struct host_test *t, uint64_t *nrs, size_t max);
/* Print the trace, one line a call (for a failing test's output). */
void host_test_print_trace(struct host_test *t);

/* Run pkvmsim_check() into t->report; returns its result. */
int host_test_check(struct host_test *t);
/* How many kept violations of t->report break @invariant. */
unsigned int host_test_violations(struct host_test *t, unsigned int invariant);

#endif /* PKVMSIM_HOST_TEST_H */
