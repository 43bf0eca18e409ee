// SPDX-License-Identifier: GPL-2.0-only
/*
 * `pkvmsim shell` and `pkvmsim script FILE`: where the console's lines
 * come from.  On a terminal the shell reads with libedit (line editing,
 * history, command completion with TAB) when the program was built with
 * it, else with a plain prompt; from anything else it prints no prompt
 * and no banner, so `pkvmsim shell < file` prints result lines only.  A
 * script stops at its first failed expect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PKVMSIM_HAVE_LIBEDIT
#include <histedit.h>
#endif

#include "cli.h"
#include "console.h"

#define PROMPT	"pkvmsim> "

static const char console_usage[] =
"usage: pkvmsim shell [--mode M] [--profile P] [--cpus N] [--seed S]\n"
"       pkvmsim script FILE [--mode M] [--profile P] [--cpus N] [--seed S]\n"
"\n"
"A hypercall console over a live simulator: one command per line, one\n"
"result line per command ('reserve -> 0x1000', 'teardown 0x1005 ->\n"
"-ENOENT'), then any violation the oracle recorded ('violation: ...').\n"
"A command the console cannot run prints a line 'error: ...' and the\n"
"console goes on.  The end of input (or 'quit') shuts the simulator down\n"
"as process exit would and prints 'shutdown -> clean' or what it found.\n"
"\n"
"shell reads from its standard input: on a terminal with a prompt, line\n"
"editing and history; otherwise with no prompt, so that 'pkvmsim shell\n"
"< FILE' prints result lines only.  Its exit status is 0.\n"
"\n"
"script runs FILE, a test: 'expect WORDS' checks the previous command's\n"
"result, and the first that fails stops the script ('FILE:LINE: expected\n"
"X, got Y', exit status 1).  Every violation must be acknowledged by an\n"
"'expect violation [WORDS]' after the command that caused it, and every\n"
"error line by an 'expect error [WORDS]'; any left over, the shutdown's\n"
"included, make the exit status 1 at the end.\n"
"\n"
"options:\n"
"  --mode M         protected (default), nvhe, vhe\n"
"  --profile P      6.18 (default), v3, lazy\n"
"  --cpus N         simulated CPUs, 1..16 (default 4)\n"
"  --seed S         the simulator's seed, decimal or 0x hex (default 0)\n"
"\n"
"Exit status: 0 as above; 1 a failed expect, or a violation or error\n"
"line left unacknowledged by a script; 2 a bad command line, a script\n"
"that cannot be read, or a machine that cannot boot.\n"
"\n"
"commands:\n";

static const struct cli_option console_options[] = {
	{ "--mode",	OPT_MODE,	true },
	{ "--profile",	OPT_PROFILE,	true },
	{ "--cpus",	OPT_CPUS,	true },
	{ "--seed",	OPT_SEED,	true },
	{ "--help",	OPT_HELP,	false },
	{ "-h",		OPT_HELP,	false },
	{ 0 },
};

/*
 * The options of @cmd into @cfg, its other arguments into @args (room for
 * @argc).  Returns 0, -1 after --help (printed), or an exit status.
 */
static int parse_options(const char *cmd, int argc, char **argv,
			 struct pkvmsim_config *cfg, const char **args,
			 int *nr_args)
{
	struct opt_iter it = {
		.cmd = cmd, .table = console_options,
		.argc = argc, .argv = argv, .args = args,
	};
	enum opt_id id;
	int ret;

	pkvmsim_config_init(cfg);
	while ((ret = opt_next(&it, &id)) > 0) {
		switch (id) {
		case OPT_MODE:
			ret = parse_mode(it.name, it.value, &cfg->mode);
			break;
		case OPT_PROFILE:
			ret = parse_profile(it.name, it.value, &cfg->profile);
			break;
		case OPT_CPUS:
			ret = parse_uint(it.name, it.value, 1,
					 PKVMSIM_MAX_CPUS, &cfg->nr_cpus);
			break;
		case OPT_SEED:
			ret = parse_seed(it.name, it.value, &cfg->seed);
			break;
		case OPT_HELP:
			fputs(console_usage, stdout);
			console_print_help(stdout);
			return -1;
		default:
			ret = usage_error("%s: unknown option '%s'", cmd,
					  it.name);
			break;
		}
		if (ret)
			return ret;
	}
	if (ret < 0)
		return -ret;
	*nr_args = it.nr_args;
	return 0;
}

/* --- reading lines: libedit on a terminal, getline() otherwise --- */

struct reader {
	FILE		*in;
	bool		prompt;
	char		*buf;
	size_t		cap;
#ifdef PKVMSIM_HAVE_LIBEDIT
	EditLine	*el;
	History		*hist;
#endif
};

#ifdef PKVMSIM_HAVE_LIBEDIT
static char *el_prompt(EditLine *el)
{
	(void)el;
	return PROMPT;
}

/* TAB: complete the command's first word, or list what could follow. */
static unsigned char complete(EditLine *el, int ch)
{
	const struct con_section *sec;
	const struct con_cmd *cmd;
	const LineInfo *li = el_line(el);
	const char *word = li->buffer, *match = NULL, *p;
	size_t len, mlen = 0;
	unsigned int n = 0;
	char buf[48];

	(void)ch;
	while (word < li->cursor && (*word == ' ' || *word == '\t'))
		word++;
	for (p = word; p < li->cursor; p++)
		if (*p == ' ' || *p == '\t')
			return CC_ERROR;	/* only the first word */
	len = (size_t)(li->cursor - word);

	for (sec = con_sections; sec->title; sec++) {
		for (cmd = sec->cmds; cmd->name; cmd++) {
			size_t wl = strcspn(cmd->name, " ");

			if (wl < len || strncmp(cmd->name, word, len))
				continue;
			/* "vm create" and "vm destroy" are one "vm". */
			if (match && mlen == wl &&
			    !strncmp(match, cmd->name, wl))
				continue;
			n++;
			match = cmd->name;
			mlen = wl;
		}
	}
	if (n == 1) {
		snprintf(buf, sizeof(buf), "%.*s ", (int)(mlen - len),
			 match + len);
		return el_insertstr(el, buf) ? CC_ERROR : CC_REFRESH;
	}
	if (!n)
		return CC_ERROR;
	fputc('\n', stdout);
	for (sec = con_sections; sec->title; sec++)
		for (cmd = sec->cmds; cmd->name; cmd++)
			if (!strncmp(cmd->name, word, len))
				printf("  %s\n", cmd->name);
	return CC_REDISPLAY;
}

static bool reader_edit(struct reader *r)
{
	HistEvent ev;

	r->hist = history_init();
	r->el = el_init("pkvmsim", stdin, stdout, stderr);
	if (!r->hist || !r->el)
		return false;
	history(r->hist, &ev, H_SETSIZE, 1000);
	el_set(r->el, EL_HIST, history, r->hist);
	el_set(r->el, EL_PROMPT, el_prompt);
	el_set(r->el, EL_EDITOR, "emacs");
	/* Restore the terminal on a signal, as a shell does. */
	el_set(r->el, EL_SIGNAL, 1);
	/* Wide: the narrow el_set() copies the strings and never frees them. */
	el_wset(r->el, EL_ADDFN, L"pkvmsim-complete", L"complete a command",
		complete);
	el_set(r->el, EL_BIND, "^I", "pkvmsim-complete", NULL);
	el_source(r->el, NULL);	/* ~/.editrc, as every libedit program */
	return true;
}
#endif

static void reader_close(struct reader *r)
{
#ifdef PKVMSIM_HAVE_LIBEDIT
	if (r->el)
		el_end(r->el);
	if (r->hist)
		history_end(r->hist);
#endif
	free(r->buf);
}

/* The next line, without its newline, or NULL at the end. */
static char *reader_next(struct reader *r)
{
	ssize_t n;

#ifdef PKVMSIM_HAVE_LIBEDIT
	if (r->el) {
		const char *line;
		HistEvent ev;
		int count;
		size_t len;

		line = el_gets(r->el, &count);
		if (!line || count <= 0)
			return NULL;
		len = strlen(line);
		if (len + 1 > r->cap) {
			char *p = realloc(r->buf, len + 1);

			if (!p)
				return NULL;
			r->buf = p;
			r->cap = len + 1;
		}
		memcpy(r->buf, line, len + 1);
		if (len && r->buf[len - 1] == '\n')
			r->buf[--len] = '\0';
		if (strspn(r->buf, " \t") < len)
			history(r->hist, &ev, H_ENTER, r->buf);
		return r->buf;
	}
#endif
	if (r->prompt) {
		fputs(PROMPT, stdout);
		fflush(stdout);
	}
	n = getline(&r->buf, &r->cap, r->in);
	if (n < 0)
		return NULL;
	if (n && r->buf[n - 1] == '\n')
		r->buf[n - 1] = '\0';
	return r->buf;
}

int cmd_shell(int argc, char **argv)
{
	struct reader r = { .in = stdin };
	struct pkvmsim_config cfg;
	unsigned long lineno = 0;
	struct console *c;
	char *line;
	int ret, nr_args = 0;

	ret = parse_options("shell", argc, argv, &cfg, NULL, &nr_args);
	if (ret)
		return ret < 0 ? 0 : ret;

	c = console_create(&cfg, stdout, NULL);
	if (!c)
		return EXIT_USAGE;
	if (isatty(STDIN_FILENO)) {
		r.prompt = true;
#ifdef PKVMSIM_HAVE_LIBEDIT
		if (!reader_edit(&r)) {
			reader_close(&r);
			r = (struct reader){ .in = stdin, .prompt = true };
		}
#endif
		printf("pkvmsim shell: %s mode, profile %s, %u CPU(s); 'help' "
		       "lists the commands, 'quit' or ^D leaves.\n",
		       pkvmsim_mode_name(cfg.mode),
		       pkvmsim_profile_name(cfg.profile), cfg.nr_cpus);
	}

	while ((line = reader_next(&r)))
		if (console_line(c, line, ++lineno) == 1)
			break;
	if (r.prompt && !line)
		putchar('\n');
	console_finish(c, false, NULL);
	reader_close(&r);
	return 0;
}

int cmd_script(int argc, char **argv)
{
	struct reader r = { 0 };
	struct pkvmsim_config cfg;
	struct con_tally tally;
	unsigned long lineno = 0;
	const char **args;
	struct console *c;
	struct stat st;
	const char *file;
	char *line;
	int ret, nr_args = 0;

	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return EXIT_USAGE;
	ret = parse_options("script", argc, argv, &cfg, args, &nr_args);
	file = nr_args ? args[0] : NULL;
	if (!ret && nr_args > 1)
		ret = usage_error("script: unexpected argument '%s' (one "
				  "FILE)", args[1]);
	free(args);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (!file)
		return usage_error("script: the script FILE is missing");

	r.in = fopen(file, "r");
	if (!r.in)
		return usage_error("script: cannot read '%s': %s", file,
				   strerror(errno));
	if (!fstat(fileno(r.in), &st) && S_ISDIR(st.st_mode)) {
		fclose(r.in);
		return usage_error("script: '%s' is a directory", file);
	}

	c = console_create(&cfg, stdout, file);
	if (!c) {
		fclose(r.in);
		return EXIT_USAGE;
	}
	while ((line = reader_next(&r))) {
		ret = console_line(c, line, ++lineno);
		if (ret < 0) {
			console_finish(c, true, NULL);
			reader_close(&r);
			fclose(r.in);
			return EXIT_VIOLATION;
		}
		if (ret)
			break;
	}
	ret = ferror(r.in) ? (errno ? errno : EIO) : 0;
	console_finish(c, false, &tally);
	reader_close(&r);
	fclose(r.in);
	fflush(stdout);
	if (ret) {
		fprintf(stderr, "pkvmsim: script: reading '%s': %s\n", file,
			strerror(ret));
		return EXIT_USAGE;
	}
	if (tally.violations || tally.errors) {
		if (tally.first_line == CON_AT_END)
			fprintf(stderr, "%s: at the end: ", file);
		else
			fprintf(stderr, "%s:%lu: ", file, tally.first_line);
		fprintf(stderr, "not acknowledged by expect: %lu violation(s), "
			"%lu error line(s), the first %s\n", tally.violations,
			tally.errors, tally.first_line == CON_AT_END ?
			"found by the shutdown" : "from this line");
		return EXIT_VIOLATION;
	}
	return 0;
}
