/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the files of src/explore; not installed. */
#ifndef PKVMSIM_EXPLORE_INTERNAL_H
#define PKVMSIM_EXPLORE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include <pkvmsim/explore.h>
#include "sched.h"

double explore_now(void);
int explore_check_args(const struct pkvmsim_config *cfg,
		       const struct pkvmsim_scenario *sc);

/*
 * Run @x's next schedule of @sc on a fresh machine of @cfg (@x NULL: on
 * free threads).  Returns 1 if it ran, with *@bad saying whether it broke
 * anything (described in @res), 2 if it ran but was another shard's (not
 * checked), 0 if @x is exhausted, or a negative errno.
 */
int explore_one(const struct pkvmsim_config *cfg,
		const struct pkvmsim_scenario *sc, struct sched_explorer *x,
		struct pkvmsim_explore_result *res, bool trace, bool *bad);

/*
 * pkvmsim_replay(), with @res->trace written if @trace, and the run as a
 * Chrome/Perfetto trace to @json if not NULL.
 */
int replay_line(const char *text, const struct pkvmsim_scenario *sc,
		struct pkvmsim_explore_result *res, bool trace, FILE *json);

/* @x's last run as JSON trace events (trace_json.c); 0 or -EIO. */
int explore_write_json(struct sched_explorer *x,
		       const struct pkvmsim_explore_result *res, FILE *out);

/*
 * The replay line of @x's last run (@res: its outcome) or, with @res
 * NULL, of the run it is about to make.  Returns what snprintf() does.
 */
int explore_line(const struct pkvmsim_config *cfg,
		 const struct pkvmsim_scenario *sc,
		 const struct pkvmsim_strategy *st,
		 const struct sched_explorer *x,
		 const struct pkvmsim_explore_result *res, char *buf,
		 size_t len);

#endif /* PKVMSIM_EXPLORE_INTERNAL_H */
