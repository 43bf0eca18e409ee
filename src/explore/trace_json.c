// SPDX-License-Identifier: GPL-2.0-only
/*
 * A schedule as a Chrome/Perfetto trace (the JSON trace event format):
 * one process, one thread track per simulated CPU, time in scheduling
 * points (one "microsecond" each), so the picture shows the interleaving
 * itself, not how long the simulator took.  Hypercalls and lock holds are
 * complete ("X") slices on their CPU's track, a wait for a lock is a slice
 * of its own, and the violation is a global instant event at the step the
 * oracle or the ledger first recorded it, or at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "explore_internal.h"

#define MAX_OPEN	16

struct open_slice {
	const char	*name;
	const char	*cat;
	uint64_t	start;
};

struct cpu_track {
	struct open_slice	open[MAX_OPEN];
	unsigned int		nr;
	/* A wait for a lock ends at the CPU's next point. */
	const char		*blocked_on;
	uint64_t		blocked_since;
};

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void event(FILE *out, bool *first, const char *ph, const char *name,
		  const char *cat, unsigned int cpu, uint64_t ts,
		  uint64_t dur)
{
	fprintf(out, "%s\n{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":%llu",
		*first ? "" : ",", ph, cpu, (unsigned long long)ts);
	if (!strcmp(ph, "X"))
		fprintf(out, ",\"dur\":%llu", (unsigned long long)dur);
	fprintf(out, ",\"cat\":");
	json_string(out, cat);
	fprintf(out, ",\"name\":");
	json_string(out, name);
	fputc('}', out);
	*first = false;
}

static void slice_open(struct cpu_track *t, const char *name,
		       const char *cat, uint64_t ts)
{
	if (t->nr < MAX_OPEN)
		t->open[t->nr++] = (struct open_slice){ name, cat, ts };
}

/* Close the innermost open slice called @name (hypercall or lock). */
static void slice_close(FILE *out, bool *first, struct cpu_track *t,
			unsigned int cpu, const char *name, uint64_t ts)
{
	unsigned int i = t->nr;

	while (i--) {
		struct open_slice s = t->open[i];

		if (!s.name || !name || strcmp(s.name, name))
			continue;
		event(out, first, "X", s.name, s.cat, cpu, s.start,
		      ts > s.start ? ts - s.start : 1);
		memmove(&t->open[i], &t->open[i + 1],
			(t->nr - i - 1) * sizeof(t->open[0]));
		t->nr--;
		return;
	}
}

int explore_write_json(struct sched_explorer *x,
		       const struct pkvmsim_explore_result *res, FILE *out)
{
	struct cpu_track tracks[SCHED_MAX_THREADS] = { 0 };
	const struct sched_step *steps;
	bool first = true;
	uint64_t nr, i;
	unsigned int cpu;

	steps = sched_explorer_steps(x, &nr);
	if (!steps)
		return -EINVAL;

	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	for (cpu = 0; cpu < SCHED_MAX_THREADS; cpu++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu%u", cpu);
		fprintf(out, "%s\n{\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
			"\"name\":\"thread_name\",\"args\":{\"name\":\"%s\"}}",
			first ? "" : ",", cpu, name);
		first = false;
	}

	for (i = 0; i < nr; i++) {
		const struct sched_step *s = &steps[i];
		struct cpu_track *t;

		if (s->thread >= SCHED_MAX_THREADS)
			continue;
		t = &tracks[s->thread];
		if (t->blocked_on) {
			event(out, &first, "X", t->blocked_on, "wait",
			      s->thread, t->blocked_since,
			      i - t->blocked_since);
			t->blocked_on = NULL;
		}
		switch (s->point) {
		case SIM_POINT_HVC_ENTRY:
			slice_open(t, s->hcall, "hypercall", i);
			break;
		case SIM_POINT_HVC_EXIT:
			slice_close(out, &first, t, s->thread, s->hcall, i);
			break;
		case SIM_POINT_LOCK_ACQUIRE:
			slice_open(t, s->lock, "lock", i);
			break;
		case SIM_POINT_LOCK_RELEASE:
			slice_close(out, &first, t, s->thread, s->lock, i);
			break;
		case SIM_POINT_LOCK_BLOCKED:
			t->blocked_on = s->lock;
			t->blocked_since = i;
			break;
		default:
			break;
		}
	}
	/* What a stopped run left open ends where the run did. */
	for (cpu = 0; cpu < SCHED_MAX_THREADS; cpu++) {
		while (tracks[cpu].nr)
			slice_close(out, &first, &tracks[cpu], cpu,
				    tracks[cpu].open[tracks[cpu].nr - 1].name,
				    nr);
	}
	if (res->violation) {
		const char *what = res->why[0] ? res->why :
				   res->report.nr_kept ?
				   res->report.violations[0].what :
				   "violation";
		uint64_t at = res->flagged_step >= 0 &&
			      (uint64_t)res->flagged_step < nr ?
			      (uint64_t)res->flagged_step : nr;

		fprintf(out, ",\n{\"ph\":\"i\",\"s\":\"g\",\"pid\":1,\"tid\":0,"
			"\"ts\":%llu,\"name\":", (unsigned long long)at);
		json_string(out, what);
		fputc('}', out);
	}
	fprintf(out, "\n]}\n");
	return ferror(out) ? -EIO : 0;
}
