// SPDX-License-Identifier: GPL-2.0-only
/*
 * A schedule as text: the CPU that ran after each scheduling point, one
 * letter per CPU (a = thread 0) with a repeat count, so that a run of a
 * few hundred points prints as a dozen characters ("a14b3a9") and a
 * failing interleaving is one line that can be pasted back.
 *
 * Also the one-preemption exploration the race tests were written
 * against, now DFS with k = 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "strategy.h"
#include "sched.h"

int sched_schedule_format(const struct sched_explorer *x, char *buf,
			  size_t len)
{
	const struct sched_step *steps;
	uint64_t nr, i, run;
	size_t used = 0;

	steps = sched_explorer_steps(x, &nr);
	if (!steps || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';

	for (i = 0; i < nr; i += run) {
		uint8_t t = steps[i].next;

		/* The last thread's end hands back to the caller. */
		if (t >= SCHED_MAX_THREADS)
			break;
		for (run = 1; i + run < nr && steps[i + run].next == t; run++)
			;
		schedule_append(buf, len, &used, t, run);
	}
	return (int)used;
}

long sched_schedule_parse(const char *s, uint8_t *choices, uint64_t max)
{
	uint64_t nr = 0, run, i;

	if (!s)
		return -EINVAL;
	while (*s) {
		char *end;

		if (*s < 'a' || *s >= 'a' + SCHED_MAX_THREADS)
			return -EINVAL;
		run = 1;
		if (s[1] >= '0' && s[1] <= '9') {
			/* No sign, no leading zero, no overflow. */
			if (s[1] == '0')
				return -EINVAL;
			errno = 0;
			run = strtoull(s + 1, &end, 10);
			if (errno || run > (1ULL << 40))
				return -EINVAL;
		} else {
			end = (char *)s + 1;
		}
		if (choices) {
			if (nr + run > max)
				return -E2BIG;
			for (i = 0; i < run; i++)
				choices[nr + i] = (uint8_t)(*s - 'a');
		}
		nr += run;
		if (nr > (1ULL << 40))
			return -EINVAL;
		s = end;
	}
	return (long)nr;
}

long sched_explore_one_preemption(const struct sched_thread *threads,
				  unsigned int nr,
				  void (*setup)(void *ctx, const char *schedule),
				  void (*check)(void *ctx, const char *schedule),
				  void *ctx)
{
	const struct sched_config cfg = {
		.kind = SCHED_DFS,
		.preemptions = 1,
	};
	struct sched_explorer *x;
	struct sched_result res;
	char schedule[1024];
	long runs = 0;
	int ret, n;

	ret = sched_explorer_create(&cfg, nr, &x);
	if (ret)
		return ret;

	while (!sched_explorer_exhausted(x)) {
		/* The schedule is known only once it ran: name the run. */
		snprintf(schedule, sizeof(schedule), "dfs k=1 run %ld", runs);
		setup(ctx, schedule);
		ret = sched_explorer_run(x, threads, &res);
		if (ret <= 0)
			break;
		n = snprintf(schedule, sizeof(schedule), "dfs k=1 schedule=");
		n += sched_schedule_format(x, schedule + n,
					   sizeof(schedule) - (size_t)n);
		if ((size_t)n < sizeof(schedule))
			snprintf(schedule + n, sizeof(schedule) - (size_t)n,
				 " hash=%016" PRIx64, res.trace_hash);
		if (res.outcome != SCHED_OK) {
			fprintf(stderr, "pkvmsim sched: %s; replay: %s\n",
				res.why, schedule);
			ret = res.outcome == SCHED_DEADLOCK ? -EDEADLK : -ELOOP;
			break;
		}
		check(ctx, schedule);
		runs++;
	}
	sched_explorer_destroy(x);
	return ret < 0 ? ret : runs;
}
