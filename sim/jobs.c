// SPDX-License-Identifier: GPL-2.0-only
/*
 * explore --jobs N: one exploration spread over N worker processes on
 * this machine, each a disjoint shard of it (the library's shards: random
 * and PCT split the schedule numbers, DFS the subtrees), so that together
 * they run what one process would.  A worker's result comes back over a
 * pipe as one record; the first violation stops the others, and the
 * parent replays its line to print the whole story, as a single process
 * would have.  With --shard i/N too, the jobs split shard i further.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* A worker's record: "<ret> <schedules> <exhausted>\n<replay line>\n". */
#define RECORD_MAX	(PKVMSIM_REPLAY_MAX + 64)

struct worker {
	pid_t		pid;
	int		fd;
	char		record[RECORD_MAX];
	size_t		len;
	bool		done;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child: its shard of the exploration, reported in one write. */
static void worker_main(int fd, const struct pkvmsim_config *cfg,
			const struct pkvmsim_scenario *sc,
			const struct pkvmsim_strategy *st,
			const struct pkvmsim_budget *budget)
{
	struct pkvmsim_explore_result *res = malloc(sizeof(*res));
	char record[RECORD_MAX];
	int ret, n;

	if (!res)
		_exit(EXIT_USAGE);
	ret = pkvmsim_explore(cfg, sc, st, budget, res);
	n = snprintf(record, sizeof(record), "%d %" PRIu64 " %d\n%s\n", ret,
		     res->schedules, res->exhausted, ret == 1 ? res->replay :
							       "");
	if (n > 0 && write(fd, record, (size_t)n) != n)
		_exit(EXIT_USAGE);
	_exit(0);
}

static int start(struct worker *w, unsigned int j, unsigned int jobs,
		 const struct pkvmsim_config *cfg,
		 const struct pkvmsim_scenario *sc,
		 const struct pkvmsim_strategy *st,
		 const struct pkvmsim_budget *budget)
{
	struct pkvmsim_strategy mine = *st;
	struct pkvmsim_budget b = *budget;
	unsigned int nr = st->nr_shards > 1 ? st->nr_shards : 1;
	char pending[4096];
	int fds[2];

	mine.shard = st->shard * jobs + j;
	mine.nr_shards = nr * jobs;
	/* The budget is the whole exploration's: each takes its part. */
	if (budget->schedules)
		b.schedules = budget->schedules / jobs +
			      (j < budget->schedules % jobs);
	if (budget->pending_file) {
		snprintf(pending, sizeof(pending), "%s.%u",
			 budget->pending_file, j);
		b.pending_file = pending;
	}
	b.progress = NULL;

	if (pipe(fds))
		return -errno;
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (!w->pid) {
		close(fds[0]);
		worker_main(fds[1], cfg, sc, &mine, &b);
	}
	close(fds[1]);
	w->fd = fds[0];
	return 0;
}

/* Read what @w has written; its record is complete at end of file. */
static void drain(struct worker *w)
{
	ssize_t n = read(w->fd, w->record + w->len,
			 sizeof(w->record) - 1 - w->len);

	if (n > 0) {
		w->len += (size_t)n;
		return;
	}
	w->record[w->len] = '\0';
	w->done = true;
	close(w->fd);
}

int explore_jobs(const struct pkvmsim_config *cfg,
		 const struct pkvmsim_scenario *sc,
		 const struct pkvmsim_strategy *st,
		 const struct pkvmsim_budget *budget, unsigned int jobs,
		 struct pkvmsim_explore_result *res)
{
	struct worker w[EXPLORE_MAX_JOBS] = { 0 };
	struct pollfd pfd[EXPLORE_MAX_JOBS];
	uint64_t schedules = 0;
	unsigned int j, left = 0;
	bool exhausted = true;
	char line[PKVMSIM_REPLAY_MAX] = "";
	double t0 = now();
	int ret = 0;

	for (j = 0; j < jobs; j++) {
		ret = start(&w[j], j, jobs, cfg, sc, st, budget);
		if (ret)
			break;
		left++;
	}
	while (left) {
		unsigned int nfds = 0;

		for (j = 0; j < jobs; j++) {
			if (w[j].pid <= 0 || w[j].done)
				continue;
			pfd[nfds] = (struct pollfd){ .fd = w[j].fd,
						     .events = POLLIN };
			nfds++;
		}
		if (poll(pfd, nfds, -1) < 0 && errno != EINTR)
			break;
		for (j = 0; j < jobs; j++) {
			int wret, exh;
			uint64_t n;

			if (w[j].pid <= 0 || w[j].done)
				continue;
			drain(&w[j]);
			if (!w[j].done)
				continue;
			left--;
			waitpid(w[j].pid, NULL, 0);
			if (sscanf(w[j].record, "%d %" SCNu64 " %d", &wret, &n,
				   &exh) != 3) {
				/* Died without a word: a crash. */
				ret = ret ? ret : -EPIPE;
				exhausted = false;
				continue;
			}
			schedules += n;
			exhausted = exhausted && exh;
			if (wret < 0 && !ret)
				ret = wret;
			if (wret == 1 && !line[0]) {
				char *nl = strchr(w[j].record, '\n');

				snprintf(line, sizeof(line), "%s",
					 nl ? nl + 1 : "");
				line[strcspn(line, "\n")] = '\0';
				/* One is enough: stop the others. */
				for (unsigned int k = 0; k < jobs; k++)
					if (w[k].pid > 0 && !w[k].done)
						kill(w[k].pid, SIGTERM);
			}
		}
	}

	if (line[0]) {
		/* Run it again here, for the report and the trace. */
		ret = pkvmsim_replay(line, sc, res);
		snprintf(res->replay, sizeof(res->replay), "%s", line);
		res->violation = ret == 1;
	} else {
		memset(res, 0, sizeof(*res));
		res->exhausted = exhausted && !ret;
	}
	res->schedules = schedules;
	res->seconds = now() - t0;
	return ret;
}
