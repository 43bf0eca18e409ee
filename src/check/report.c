// SPDX-License-Identifier: GPL-2.0-only
/*
 * The oracle's violations: the first ORACLE_KEPT kept in full, all of
 * them counted, each printed as it comes if PKVMSIM_VERBOSE is set.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_internal.h"

void oracle_vreport(struct oracle *o, unsigned int invariant,
		    unsigned long vm_id, unsigned int handle, int cpu,
		    const char *op, const char *fmt, va_list ap)
{
	struct pkvmsim_violation *v;
	struct pkvmsim_violation scratch;
	char line[320];

	v = o->nr_violations < ORACLE_KEPT ? &o->kept[o->nr_violations] :
					     &scratch;
	o->nr_violations++;

	memset(v, 0, sizeof(*v));
	v->invariant = invariant;
	v->vm = vm_id;
	v->handle = handle;
	v->cpu = cpu;
	snprintf(v->op, sizeof(v->op), "%s", op ? op : "-");
	vsnprintf(v->what, sizeof(v->what), fmt, ap);

	if (getenv("PKVMSIM_VERBOSE")) {
		oracle_format(v, line, sizeof(line));
		fprintf(stderr, "pkvmsim: oracle: %s\n", line);
	}
}

void oracle_report(struct oracle *o, unsigned int invariant,
		   unsigned long vm_id, unsigned int handle, int cpu,
		   const char *op, const char *fmt, ...)
{
	va_list ap;

	if (!o || !fmt)
		return;
	pthread_mutex_lock(&o->lock);
	va_start(ap, fmt);
	oracle_vreport(o, invariant, vm_id, handle, cpu, op, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&o->lock);
}

unsigned long oracle_count(struct oracle *o)
{
	unsigned long n;

	if (!o)
		return 0;
	pthread_mutex_lock(&o->lock);
	n = o->nr_violations;
	pthread_mutex_unlock(&o->lock);
	return n;
}

void oracle_checked(struct oracle *o, unsigned long *judged,
		    unsigned long *state_checks)
{
	*judged = *state_checks = 0;
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	*judged = o->nr_judged;
	*state_checks = o->nr_state_checks;
	pthread_mutex_unlock(&o->lock);
}

unsigned long oracle_count_peek(const struct oracle *o)
{
	return o ? __atomic_load_n(&o->nr_violations, __ATOMIC_RELAXED) : 0;
}

unsigned int oracle_get(struct oracle *o, struct pkvmsim_violation *out,
			unsigned int max)
{
	unsigned long n;

	if (!o || !out)
		return 0;
	pthread_mutex_lock(&o->lock);
	n = o->nr_violations < ORACLE_KEPT ? o->nr_violations : ORACLE_KEPT;
	if (n > max)
		n = max;
	memcpy(out, o->kept, n * sizeof(*out));
	pthread_mutex_unlock(&o->lock);
	return (unsigned int)n;
}

int oracle_format(const struct pkvmsim_violation *v, char *buf, size_t len)
{
	char label[24];

	if (!v || (!buf && len))
		return -EINVAL;

	switch (v->invariant) {
	case PKVMSIM_INV_HOST_PANIC:
		snprintf(label, sizeof(label), "host panic");
		break;
	case PKVMSIM_INV_HYP_CRASH:
		snprintf(label, sizeof(label), "hyp crash");
		break;
	case PKVMSIM_INV_LEDGER:
		snprintf(label, sizeof(label), "ledger");
		break;
	case PKVMSIM_INV_UNMODELLED:
		snprintf(label, sizeof(label), "unmodelled");
		break;
	default:
		snprintf(label, sizeof(label), "invariant %u", v->invariant);
		break;
	}
	return snprintf(buf, len, "%s (vm %lu, handle 0x%x, cpu %d, %s): %s",
			label, v->vm, v->handle, v->cpu, v->op, v->what);
}
