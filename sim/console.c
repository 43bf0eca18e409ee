// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console's reader of lines: split a line into words, find its
 * command, run it, print one result line (then any detail lines and the
 * violations it caused); an `expect` line goes to console_script.c.
 *
 * A script is a regression test, so what a person at the shell may shrug
 * off must be acknowledged there: every violation with `expect violation`,
 * every error line with `expect error`; console_finish() counts the rest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "number.h"

/* --- results --- */

static void set_text(struct console *c, enum con_kind kind, const char *fmt,
		     va_list ap)
{
	c->res.kind = kind;
	vsnprintf(c->res.text, sizeof(c->res.text), fmt, ap);
}

void con_set(struct console *c, enum con_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(c, kind, fmt, ap);
	va_end(ap);
}

void con_ok(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(c, CON_OK, fmt, ap);
	va_end(ap);
}

void con_refused(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(c, CON_REFUSED, fmt, ap);
	va_end(ap);
}

void con_errno(struct console *c, int neg_err)
{
	char buf[32];

	c->res.kind = CON_ERRNO;
	snprintf(c->res.text, sizeof(c->res.text), "%s",
		 errno_str(neg_err, buf, sizeof(buf)));
}

void con_error(struct console *c, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;

	c->res.kind = CON_ERROR;
	if (c->cmd_name)
		used = (size_t)snprintf(c->res.text, sizeof(c->res.text),
					"%s: ", c->cmd_name);
	va_start(ap, fmt);
	vsnprintf(c->res.text + used, sizeof(c->res.text) - used, fmt, ap);
	va_end(ap);
}

void con_detail(struct console *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (c->detail_len + (size_t)n + 2 > c->detail_cap) {
		size_t cap = (c->detail_len + (size_t)n + 2) * 2;
		char *p = realloc(c->detail, cap);

		if (!p)
			return;
		c->detail = p;
		c->detail_cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(c->detail + c->detail_len, c->detail_cap - c->detail_len,
		  fmt, ap);
	va_end(ap);
	c->detail_len += (size_t)n;
	c->detail[c->detail_len++] = '\n';
	c->detail[c->detail_len] = '\0';
}

static void add_violation_line(struct console *c, const char *line,
			       size_t len)
{
	struct con_result *r = &c->res;

	if (r->nr_lines < CON_LINES_KEPT) {
		if (len >= CON_LINE_LEN)
			len = CON_LINE_LEN - 1;
		memcpy(r->lines[r->nr_lines], line, len);
		r->lines[r->nr_lines][len] = '\0';
		r->nr_lines++;
	}
}

void con_violation(struct console *c, const char *fmt, ...)
{
	char line[CON_LINE_LEN];
	size_t used;
	va_list ap;

	used = (size_t)snprintf(line, sizeof(line), "violation: ");
	va_start(ap, fmt);
	vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	va_end(ap);
	add_violation_line(c, line, strlen(line));
	c->res.nr_violations++;
}

/* --- arguments --- */

bool con_arg_num(struct console *c, const char *what, const char *s,
		 uint64_t max, uint64_t *out)
{
	int err = number_parse(s, max, out);

	if (!err)
		return true;
	if (err == -ERANGE && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		con_error(c, "%s: '%s' is too large (at most %#" PRIx64 ")",
			  what, s, max);
	else if (err == -ERANGE)
		con_error(c, "%s: '%s' is too large (at most %" PRIu64 ")",
			  what, s, max);
	else
		con_error(c, "%s: '%s' is not a number (decimal, or hex with "
			  "0x)", what, s);
	return false;
}

struct con_vm *con_arg_vm(struct console *c, const char *s)
{
	struct con_vm *cv;
	uint64_t id;

	if (!con_arg_num(c, "VM", s, UINT32_MAX, &id))
		return NULL;
	cv = con_vm_by_id(c, (unsigned long)id);
	if (!cv)
		con_error(c, "no VM %" PRIu64 " (see 'vm list')", id);
	return cv;
}

/* --- finding a command --- */

static unsigned int name_words(const char *name)
{
	return strchr(name, ' ') ? 2 : 1;
}

/* Whether @name ("vm create") is what @argv starts with. */
static bool name_matches(const char *name, int argc, char **argv)
{
	const char *sp = strchr(name, ' ');

	if (!sp)
		return argc >= 1 && !strcmp(argv[0], name);
	return argc >= 2 && strlen(argv[0]) == (size_t)(sp - name) &&
	       !strncmp(argv[0], name, (size_t)(sp - name)) &&
	       !strcmp(argv[1], sp + 1);
}

const struct con_cmd *con_find_cmd(int argc, char **argv)
{
	const struct con_section *sec;
	const struct con_cmd *cmd;

	for (sec = con_sections; sec->title; sec++)
		for (cmd = sec->cmds; cmd->name; cmd++)
			if (name_matches(cmd->name, argc, argv))
				return cmd;
	return NULL;
}

/* "vm frob": list what "vm" goes with. */
static void unknown_cmd(struct console *c, int argc, char **argv)
{
	const struct con_section *sec;
	const struct con_cmd *cmd;
	char list[CON_TEXT_LEN] = "";
	size_t len = strlen(argv[0]), used = 0;

	for (sec = con_sections; sec->title; sec++) {
		for (cmd = sec->cmds; cmd->name; cmd++) {
			if (name_words(cmd->name) != 2 ||
			    strncmp(cmd->name, argv[0], len) ||
			    cmd->name[len] != ' ')
				continue;
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s'%s'",
						 used ? ", " : "", cmd->name);
			if (used >= sizeof(list))
				used = sizeof(list) - 1;
		}
	}
	if (!used)
		con_error(c, "unknown command '%s' (try 'help')", argv[0]);
	else if (argc < 2)
		con_error(c, "%s: what? (%s)", argv[0], list);
	else
		con_error(c, "unknown command '%s %s' (%s)", argv[0], argv[1],
			  list);
}

/* Word @n of a usage string ("H IDX [VM]"), without brackets or dots. */
static void usage_word(const char *args, int n, char *buf, size_t len)
{
	const char *p = args, *end;

	while (*p) {
		while (*p == ' ' || *p == '[' || *p == ']')
			p++;
		end = p;
		while (*end && *end != ' ' && *end != '[' && *end != ']' &&
		       *end != '.')
			end++;
		if (!n--) {
			snprintf(buf, len, "%.*s", (int)(end - p), p);
			return;
		}
		while (*end && *end != ' ')
			end++;
		p = end;
	}
	snprintf(buf, len, "an argument");
}

/* Check the arguments' count; run @cmd on them.  The result is set. */
static void run_cmd(struct console *c, const struct con_cmd *cmd, int argc,
		    char **argv)
{
	char what[32];

	c->cmd_name = cmd->name;
	if ((unsigned int)argc < cmd->min_args) {
		usage_word(cmd->args, argc, what, sizeof(what));
		con_error(c, "missing %s (usage: %s %s)", what, cmd->name,
			  cmd->args);
	} else if ((unsigned int)argc > cmd->max_args) {
		con_error(c, "unexpected argument '%s' (usage: %s%s%s)",
			  argv[cmd->max_args], cmd->name,
			  *cmd->args ? " " : "", cmd->args);
	} else if (!c->sim && !(cmd->flags & CON_ANYTIME)) {
		con_error(c, "no simulator: it could not boot ('reset' tries "
			  "again)");
	} else if (!cmd->run) {
		con_error(c, "only on a line of its own");
	} else {
		cmd->run(c, argc, argv);
		if (c->res.kind == CON_NONE)
			con_error(c, "no result (a bug in the console)");
	}
	c->cmd_name = NULL;
}

/* --- violations --- */

/* The "violation: " lines of @text, at most @max, into @lines. */
static unsigned int violation_lines(const char *text, const char **lines,
				    size_t *lens, unsigned int max)
{
	unsigned int n = 0;
	const char *p = text, *nl;

	while (*p && n < max) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (!strncmp(p, "violation: ", 11)) {
			lines[n] = p;
			lens[n] = (size_t)(nl - p);
			n++;
		}
		p = *nl ? nl + 1 : nl;
	}
	return n;
}

#define MAX_REPORT_LINES	256

/*
 * The violations recorded since the previous command, as lines.  The
 * report lists the oracle's first ones and then the ledger's, so a new
 * one can land between old ones: a line is new if the old report does
 * not have it (as many times).
 */
void con_collect(struct console *c)
{
	static const char *old[MAX_REPORT_LINES], *cur[MAX_REPORT_LINES];
	static size_t old_len[MAX_REPORT_LINES], cur_len[MAX_REPORT_LINES];
	static bool used[MAX_REPORT_LINES];
	struct pkvmsim_report *tmp;
	unsigned int nr_old, nr_cur, i, j, shown = 0;
	unsigned long fresh;

	if (!c->sim || pkvmsim_check(c->sim, c->report) == -EINVAL)
		return;
	if (c->report->nr_violations > c->seen->nr_violations) {
		fresh = c->report->nr_violations - c->seen->nr_violations;
		nr_old = violation_lines(c->seen->text, old, old_len,
					 MAX_REPORT_LINES);
		nr_cur = violation_lines(c->report->text, cur, cur_len,
					 MAX_REPORT_LINES);
		memset(used, 0, sizeof(used));
		for (i = 0; i < nr_cur && shown < fresh; i++) {
			for (j = 0; j < nr_old; j++) {
				if (!used[j] && old_len[j] == cur_len[i] &&
				    !memcmp(old[j], cur[i], cur_len[i]))
					break;
			}
			if (j < nr_old) {
				used[j] = true;
				continue;
			}
			add_violation_line(c, cur[i], cur_len[i]);
			shown++;
		}
		c->res.nr_violations += fresh;
	}
	tmp = c->seen;
	c->seen = c->report;
	c->report = tmp;
}

/* --- one command --- */

static void res_clear(struct console *c)
{
	c->res.kind = CON_NONE;
	c->res.text[0] = '\0';
	c->detail_len = 0;
	if (c->detail)
		c->detail[0] = '\0';
}

/* Find and run the command of @argv, then see what it broke. */
void con_exec(struct console *c, int argc, char **argv)
{
	const struct con_cmd *cmd = con_find_cmd(argc, argv);
	unsigned int n;

	res_clear(c);
	if (!cmd) {
		unknown_cmd(c, argc, argv);
		return;
	}
	n = name_words(cmd->name);
	run_cmd(c, cmd, argc - (int)n, argv + n);
	con_collect(c);
}

static void print_result(struct console *c, const char *echo)
{
	const struct con_result *r = &c->res;
	unsigned int i;

	if (r->kind == CON_ERROR)
		fprintf(c->out, "error: %s\n", r->text);
	else
		fprintf(c->out, "%s -> %s\n", echo, r->text);
	if (c->detail_len)
		fputs(c->detail, c->out);
	for (i = 0; i < r->nr_lines; i++)
		fprintf(c->out, "%s\n", r->lines[i]);
	if (r->nr_violations > r->nr_lines)
		fprintf(c->out, "violation: %lu more, not kept in the "
			"report\n", r->nr_violations - r->nr_lines);
	if (c->file)
		fflush(c->out);
}

/*
 * The previous command is done with: what it left unacknowledged counts
 * against the script.
 */
static void settle(struct console *c)
{
	struct con_result *r = &c->res;
	bool left = false;

	if (r->nr_violations && !r->acked_violations) {
		c->unacked_violations += r->nr_violations;
		left = true;
	}
	if (r->kind == CON_ERROR && !r->acked_error) {
		c->unacked_errors++;
		left = true;
	}
	if (left && !c->first_unacked)
		c->first_unacked = r->line;
	memset(r, 0, sizeof(*r));
}

/* --- lines --- */

/* Split @line in place; a word starting with '#' ends it. */
static int split(char *line, char **argv, int max, bool *too_many)
{
	char *save = NULL, *w;
	int argc = 0;

	*too_many = false;
	for (w = strtok_r(line, " \t\r\n\v\f", &save); w;
	     w = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (w[0] == '#')
			break;
		if (argc == max) {
			*too_many = true;
			break;
		}
		argv[argc++] = w;
	}
	return argc;
}

int console_line(struct console *c, char *line, unsigned long lineno)
{
	char *argv[CON_MAX_WORDS], echo[CON_TEXT_LEN];
	size_t used = 0;
	bool too_many;
	int argc, i;

	argc = split(line, argv, CON_MAX_WORDS, &too_many);
	if (!argc && !too_many)
		return 0;
	if (argc && !strcmp(argv[0], "expect"))
		return con_expect(c, too_many ? -1 : argc - 1, argv + 1,
				  lineno) ? 0 : -1;

	settle(c);
	c->line = lineno;
	c->res.line = lineno;
	for (i = 0; i < argc; i++)
		used += (size_t)snprintf(echo + used, sizeof(echo) - used,
					 "%s%s", i ? " " : "", argv[i]);
	if (too_many) {
		res_clear(c);
		con_error(c, "more than %d words in a line", CON_MAX_WORDS);
	} else {
		con_exec(c, argc, argv);
	}
	print_result(c, echo);
	return c->quit ? 1 : 0;
}

void console_finish(struct console *c, bool quiet, struct con_tally *tally)
{
	settle(c);
	c->res.line = CON_AT_END;
	if (c->sim || !quiet) {
		res_clear(c);
		c->cmd_name = "shutdown";
		con_restart(c, false);
		c->cmd_name = NULL;
		if (!quiet)
			print_result(c, "shutdown");
	}
	settle(c);

	if (tally) {
		tally->violations = c->unacked_violations;
		tally->errors = c->unacked_errors;
		tally->first_line = c->first_unacked;
	}
	free(c->vms);
	free(c->pages);
	free(c->seen);
	free(c->report);
	free(c->detail);
	free(c);
}

const struct con_section con_sections[] = {
	{ "raw hypercalls, from the current CPU, as a hostile host would "
	  "send them:", con_raw_cmds },
	{ "the simulated host kernel, on the current CPU:", con_host_cmds },
	{ "looking inside:", con_inspect_cmds },
	{ "the simulator:", con_session_cmds },
	{ "the console:", con_console_cmds },
	{ 0 },
};
