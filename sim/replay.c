// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkvmsim replay: run the one schedule a replay line names (as explore
 * printed it) and print what explore printed, or say why it cannot: a
 * line that is not one (exit 2), or one the code no longer follows
 * (exit 1, since what it found may be gone or moved).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LINE_MAGIC	"pkvmsim-replay/1"

static const struct cli_option replay_options[] = {
	{ "--trace",		OPT_TRACE,		true },
	{ "--json",		OPT_JSON,		false },
	{ "--help",		OPT_HELP,		false },
	{ "-h",			OPT_HELP,		false },
	{ 0 },
};

/* The name a replay line gives @key, or "" if none. */
static void line_word(const char *line, const char *key, char *buf,
		      size_t len)
{
	size_t klen = strlen(key), n;
	const char *w;

	buf[0] = '\0';
	for (w = line; (w = strstr(w, key)); w += klen) {
		if ((w == line || w[-1] == ' ') && w[klen] == '=')
			break;
	}
	if (!w)
		return;
	w += klen + 1;
	n = strcspn(w, " \t\r\n");
	snprintf(buf, len, "%.*s", (int)n, w);
}

/*
 * Why @line cannot be a replay line, as far as the shape of its words
 * shows (the library checks their values), or NULL.
 */
static const char *line_shape(const char *line, char *buf, size_t len)
{
	size_t n = strcspn(line, " ");

	if (n != strlen(LINE_MAGIC) || strncmp(line, LINE_MAGIC, n)) {
		snprintf(buf, len, "'%.*s' is not a replay line: one starts "
			 "with '" LINE_MAGIC "'", (int)(n > 40 ? 40 : n),
			 line);
		return buf;
	}
	for (line += n; *line == ' '; line += n) {
		line++;
		n = strcspn(line, " ");
		if (n && !memchr(line, '=', n)) {
			snprintf(buf, len, "'%.*s' in the replay line is not "
				 "key=value", (int)(n > 40 ? 40 : n), line);
			return buf;
		}
	}
	return NULL;
}

/*
 * LINE may come quoted, as one argument, or pasted unquoted, as many; a
 * "replay:" copied with it is explore's label, not part of it.
 */
static char *join_line(const char **words, int nr)
{
	static const char label[] = "replay:";
	size_t len = 1, skip;
	char *line;
	int i;

	for (i = 0; i < nr; i++)
		len += strlen(words[i]) + 1;
	line = malloc(len);
	if (!line)
		return NULL;
	line[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (i)
			strcat(line, " ");
		strcat(line, words[i]);
	}
	/* Tabs and newlines of a pasted line split words as blanks do. */
	for (i = 0; line[i]; i++)
		if (line[i] == '\t' || line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	skip = strspn(line, " ");
	if (!strncmp(line + skip, label, sizeof(label) - 1)) {
		skip += sizeof(label) - 1;
		skip += strspn(line + skip, " ");
	}
	memmove(line, line + skip, strlen(line + skip) + 1);
	return line;
}

/* Fill @d from the replay line the library wrote back for the run. */
static void replay_desc(struct explore_desc *d, const char *line,
			const struct pkvmsim_explore_result *res)
{
	char num[32];

	line_word(line, "scenario", d->scenario, sizeof(d->scenario));
	line_word(line, "mode", d->mode, sizeof(d->mode));
	line_word(line, "profile", d->profile, sizeof(d->profile));
	line_word(line, "strategy", d->strategy, sizeof(d->strategy));
	line_word(line, "cpus", num, sizeof(num));
	d->cpus = (unsigned int)strtoul(num, NULL, 10);
	line_word(line, "seed", num, sizeof(num));
	d->seed = strtoull(num, NULL, 10);
	line_word(line, "depth", num, sizeof(num));
	d->depth = (unsigned int)strtoul(num, NULL, 10);
	line_word(line, "k", num, sizeof(num));
	d->preemptions = (unsigned int)strtoul(num, NULL, 10);
	d->schedules = res->schedules;
	d->seconds = res->seconds;
}

/* Write @len bytes of @buf to @path: 0 or -errno, with a message. */
static int write_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f || fwrite(buf, 1, len, f) != len)
		ret = -errno;
	if (f && fclose(f) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "pkvmsim: --trace: cannot write '%s': %s\n",
			path, strerror(-ret));
	return ret;
}

static int replay_error(int err, const char *line)
{
	char name[64];

	switch (err) {
	case -EINVAL:
		return usage_error("replay: malformed replay line: a word is "
				   "missing, unknown or out of range (it "
				   "reads as 'pkvmsim explore' printed it)");
	case -ENOENT:
		line_word(line, "scenario", name, sizeof(name));
		return usage_error("replay: unknown race scenario '%s' in the "
				   "replay line (see 'pkvmsim list')", name);
	case -E2BIG:
		return usage_error("replay: the schedule in the replay line is "
				   "longer than its step bound (max-steps): no "
				   "run could follow it");
	default:
		fprintf(stderr, "pkvmsim: replay: the schedule could not run "
			"(%s)\n", strerror(-err));
		return EXIT_USAGE;
	}
}

int cmd_replay(int argc, char **argv)
{
	struct opt_iter it = {
		.cmd = "replay", .table = replay_options,
		.argc = argc, .argv = argv,
	};
	struct explore_desc d = { .command = "replay" };
	struct pkvmsim_explore_result *res = NULL;
	const char **words, *bad;
	char *line = NULL, why[128];
	const char *trace_path = NULL;
	char *json_buf = NULL;
	size_t json_len = 0;
	FILE *trace = NULL;
	bool json = false;
	enum opt_id id;
	int ret;

	words = calloc((size_t)argc + 1, sizeof(*words));
	if (!words)
		goto oom;
	it.args = words;
	while ((ret = opt_next(&it, &id)) > 0) {
		if (id == OPT_HELP) {
			fputs(cli_usage, stdout);
			ret = 0;
			goto out;
		}
		if (id == OPT_JSON) {
			json = true;
			continue;
		}
		/* "--trace LINE...": the file name was forgotten. */
		if (!strncmp(it.value, LINE_MAGIC, strlen(LINE_MAGIC))) {
			ret = usage_error("--trace: '%s' is the replay line, "
					  "not a file name", it.value);
			goto out;
		}
		trace_path = it.value;
	}
	if (ret < 0) {
		ret = -ret;
		goto out;
	}
	line = join_line(words, it.nr_args);
	if (!line)
		goto oom;
	ret = EXIT_USAGE;
	if (!line[0]) {
		usage_error("replay: the replay line is missing (what explore "
			    "printed after 'replay: ')");
		goto out;
	}
	bad = line_shape(line, why, sizeof(why));
	if (bad) {
		usage_error("replay: %s", bad);
		goto out;
	}
	if (trace_path && check_writable("--trace", trace_path))
		goto out;

	/* Zeroed: what an error return leaves unset reads as nothing run. */
	res = calloc(1, sizeof(*res));
	if (!res)
		goto oom;
	if (trace_path) {
		/*
		 * Into memory first: a line that turns out malformed must
		 * not cost the user the file of that name.
		 */
		trace = open_memstream(&json_buf, &json_len);
		if (!trace)
			goto oom;
		ret = pkvmsim_replay_json(line, NULL, trace, res);
		/* Memory is all a memory stream can run out of. */
		if ((fclose(trace) && ret >= 0) || ret == -EIO)
			ret = -ENOMEM;
		trace = NULL;
		if ((ret >= 0 || ret == -ESTALE) &&
		    write_file(trace_path, json_buf, json_len))
			ret = -EIO;
	} else {
		ret = pkvmsim_replay(line, NULL, res);
	}
	if (ret < 0 && ret != -ESTALE && !(ret == -EIO && res->schedules)) {
		ret = replay_error(ret, line);
		goto out;
	}

	replay_desc(&d, res->replay[0] ? res->replay : line, res);
	/* -EIO: the schedule ran, only writing the trace file failed. */
	d.status = ret == -EIO ? res->violation : ret;
	if (json)
		print_explore_json(stdout, &d, res);
	else
		print_explore_text(stdout, &d, res);
	if (ret == -EIO) {
		ret = EXIT_USAGE;	/* write_file() said why */
		goto out;
	}
	if (ret == -ESTALE)
		fprintf(stderr, "pkvmsim: replay: the schedule no longer "
			"replays: %s.  The line was written by other code or "
			"another version of the scenario: explore again for a "
			"fresh one\n", res->why[0] ? res->why : "it diverged");
	else if (trace_path && !json)
		printf("perfetto trace: %s (open it in ui.perfetto.dev)\n",
		       trace_path);
	ret = ret ? EXIT_VIOLATION : 0;
	goto out;
oom:
	fprintf(stderr, "pkvmsim: out of memory\n");
	ret = EXIT_USAGE;
out:
	if (trace)
		fclose(trace);
	free(json_buf);
	free(res);
	free(line);
	free(words);
	return ret;
}
