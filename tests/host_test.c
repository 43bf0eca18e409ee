// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_test.h"

#define TRACE_CAPACITY	8192

/* The running test's, so that a failed test does not leave it booted. */
static struct host_test *live;

struct host_test *host_test_start(enum pkvmsim_mode mode,
				  enum pkvmsim_profile profile,
				  unsigned int nr_cpus)
{
	struct pkvmsim_config cfg;
	struct host_test *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(pkvmsim_config_init(&cfg), 0);
	cfg.mode = mode;
	cfg.profile = profile;
	cfg.nr_cpus = nr_cpus;
	/* Tests read the report; the ones expecting violations are many. */
	cfg.quiet = true;
	assert_int_equal(pkvmsim_create(&cfg, &t->sim), 0);

	assert_int_equal(pkvm_hvc_fault_create(pkvm_hvc_smccc(), &t->fault),
			 0);
	assert_int_equal(pkvm_hvc_trace_create(pkvm_hvc_fault_ops(t->fault),
					       TRACE_CAPACITY, &t->trace), 0);
	assert_int_equal(pkvmsim_set_hvc(t->sim,
					 pkvm_hvc_trace_ops(t->trace)), 0);
	live = t;
	return t;
}

int host_test_stop(struct host_test *t)
{
	int ret = pkvmsim_destroy(t->sim);

	pkvm_hvc_trace_destroy(t->trace);
	pkvm_hvc_fault_destroy(t->fault);
	free(t);
	live = NULL;
	return ret;
}

int host_test_teardown(void **state)
{
	(void)state;
	if (live)
		host_test_stop(live);
	return 0;
}

unsigned long host_test_calls(struct host_test *t, long nr)
{
	struct pkvm_hvc_trace_entry e;
	unsigned long n = 0;
	size_t i;

	for (i = 0; pkvm_hvc_trace_get(t->trace, i, &e) == 0; i++)
		n += nr < 0 || e.nr == (uint64_t)nr;
	return n;
}

size_t host_test_sequence(struct host_test *t, uint64_t *nrs, size_t max)
{
	struct pkvm_hvc_trace_entry e;
	size_t i;

	for (i = 0; i < max && pkvm_hvc_trace_get(t->trace, i, &e) == 0; i++)
		nrs[i] = e.nr;
	return i;
}

void host_test_print_trace(struct host_test *t)
{
	struct pkvm_hvc_trace_entry e;
	char line[256];
	size_t i;

	for (i = 0; pkvm_hvc_trace_get(t->trace, i, &e) == 0; i++) {
		pkvm_hvc_trace_format(&e, line, sizeof(line));
		print_message("  %s\n", line);
	}
}

int host_test_check(struct host_test *t)
{
	return pkvmsim_check(t->sim, &t->report);
}

unsigned int host_test_violations(struct host_test *t, unsigned int invariant)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->report.nr_kept; i++)
		n += t->report.violations[i].invariant == invariant;
	return n;
}
