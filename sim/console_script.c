// SPDX-License-Identifier: GPL-2.0-only
/*
 * What makes a list of console commands a test: `expect`, which compares
 * the previous command's result with the words it is given, and `repeat`,
 * which runs one command many times; and the console's own commands,
 * `help` and `quit`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "number.h"

/* The result as expect's message shows it. */
static const char *result_str(const struct con_result *r)
{
	static char buf[CON_TEXT_LEN + 8];

	if (r->kind == CON_ERROR) {
		snprintf(buf, sizeof(buf), "error: %s", r->text);
		return buf;
	}
	return r->text;
}

/* --- repeat --- */

/*
 * In a repeated command, "$i" is the run's number from 0, and "B+$i" that
 * plus B (printed in hex if B is).  Returns false with an error line.
 */
static bool subst(struct console *c, const char *word, uint64_t i, char *buf,
		  size_t len)
{
	const char *var = strstr(word, "$i");
	uint64_t base = 0;
	char num[32];
	size_t blen;

	if (!var) {
		snprintf(buf, len, "%s", word);
		return true;
	}
	if (var[2])
		goto bad;
	if (var != word) {
		blen = (size_t)(var - word);
		if (word[blen - 1] != '+' || blen - 1 >= sizeof(num))
			goto bad;
		memcpy(num, word, blen - 1);
		num[blen - 1] = '\0';
		if (!con_arg_num(c, "B+$i", num, UINT64_MAX, &base))
			return false;
		if (base + i < base) {
			con_error(c, "'%s' is too large at run %" PRIu64, word,
				  i);
			return false;
		}
	}
	if (var != word && num[0] == '0' && (num[1] == 'x' || num[1] == 'X'))
		snprintf(buf, len, "%#" PRIx64, base + i);
	else
		snprintf(buf, len, "%" PRIu64, base + i);
	return true;
bad:
	con_error(c, "'%s': only $i or B+$i can stand for the run's number",
		  word);
	return false;
}

static bool run_failed(const struct con_result *r, unsigned long before)
{
	return r->kind != CON_OK || r->nr_violations > before;
}

static void cmd_repeat(struct console *c, int argc, char **argv)
{
	char words[CON_MAX_WORDS][64], *inner[CON_MAX_WORDS];
	const struct con_cmd *cmd;
	uint64_t n, i;
	unsigned long before;
	size_t used;
	int j;

	if (!con_arg_num(c, "N", argv[0], CON_REPEAT_MAX, &n))
		return;
	if (!n) {
		con_error(c, "N: '%s' is too small (at least 1)", argv[0]);
		return;
	}
	cmd = con_find_cmd(argc - 1, argv + 1);
	if (cmd && (cmd->flags & CON_NO_REPEAT)) {
		con_error(c, "cannot repeat '%s'", cmd->name);
		return;
	}

	for (i = 0; i < n; i++) {
		for (j = 1; j < argc; j++) {
			if (!subst(c, argv[j], i, words[j - 1],
				   sizeof(words[0])))
				return;
			inner[j - 1] = words[j - 1];
		}
		before = c->res.nr_violations;
		con_exec(c, argc - 1, inner);
		c->cmd_name = "repeat";
		if (run_failed(&c->res, before))
			break;
	}
	if (c->res.kind == CON_ERROR)
		return;
	used = strlen(c->res.text);
	snprintf(c->res.text + used, sizeof(c->res.text) - used,
		 " (run %" PRIu64 " of %" PRIu64 ")", i < n ? i + 1 : n, n);
}

/* --- expect --- */

/* The length of @w without the punctuation that ends it. */
static size_t core_len(const char *w)
{
	size_t len = strlen(w);

	while (len && strchr(",;:)", w[len - 1]))
		len--;
	return len;
}

/*
 * Whether result word @got is what expect's word @want asks: the same
 * text, or a number of the same value (4096 is 0x1000, -12 is -ENOMEM);
 * the punctuation that ends @want must start @got's ("pinned" is
 * "pinned,", "0x10FE)" is "0x10fe):").
 */
static bool word_eq(const char *got, const char *want)
{
	size_t gl = core_len(got), wl = core_len(want);
	char g[CON_LINE_LEN], w[CON_LINE_LEN];
	int64_t x, y;

	if (strncmp(got + gl, want + wl, strlen(want + wl)))
		return false;
	if (gl == wl && !strncmp(got, want, gl))
		return true;
	snprintf(g, sizeof(g), "%.*s", (int)gl, got);
	snprintf(w, sizeof(w), "%.*s", (int)wl, want);
	return number_parse_signed(g, &x) && number_parse_signed(w, &y) &&
	       x == y;
}

/* Whether @text starts with the words @argv. */
static bool words_prefix(const char *text, int argc, char **argv)
{
	char buf[CON_LINE_LEN], *save = NULL, *w;
	int i;

	snprintf(buf, sizeof(buf), "%s", text);
	w = strtok_r(buf, " \t", &save);
	for (i = 0; i < argc; i++) {
		if (!w || !word_eq(w, argv[i]))
			return false;
		w = strtok_r(NULL, " \t", &save);
	}
	return true;
}

static bool expect_matches(struct console *c, int argc, char **argv)
{
	struct con_result *r = &c->res;
	unsigned int i;

	if (!strcmp(argv[0], "violation")) {
		if (!r->nr_violations)
			return false;
		for (i = 0; argc > 1 && i < r->nr_lines; i++)
			if (words_prefix(r->lines[i] + 11, argc - 1, argv + 1))
				break;
		if (argc > 1 && i == r->nr_lines)
			return false;
		r->acked_violations = true;
		return true;
	}
	if (!strcmp(argv[0], "error")) {
		if (r->kind != CON_ERROR ||
		    !words_prefix(r->text, argc - 1, argv + 1))
			return false;
		r->acked_error = true;
		return true;
	}
	if (r->kind == CON_ERROR)
		return false;
	if (argc == 1 && !strcmp(argv[0], "ok"))
		return r->kind == CON_OK;
	return words_prefix(r->text, argc, argv);
}

/* What the previous command gave, for a failed `expect violation`. */
static const char *got_violations(const struct con_result *r)
{
	if (!r->nr_violations)
		return "no violation";
	return r->nr_lines ? r->lines[0] : "violation: (not kept)";
}

bool con_expect(struct console *c, int argc, char **argv,
		   unsigned long lineno)
{
	char want[CON_TEXT_LEN] = "", why[2 * CON_TEXT_LEN + 512];
	const char *got;
	size_t used = 0;
	int i;

	for (i = 0; i < argc; i++)
		used += (size_t)snprintf(want + used, sizeof(want) - used,
					 "%s%s", i ? " " : "", argv[i]);
	if (argc < 0)
		snprintf(why, sizeof(why), "expect: more than %d words",
			 CON_MAX_WORDS - 1);
	else if (!argc)
		snprintf(why, sizeof(why), "expect: missing what to expect");
	else if (c->res.kind == CON_NONE)
		snprintf(why, sizeof(why), "expect: no command before it");
	else if (expect_matches(c, argc, argv))
		return true;
	else {
		got = !strcmp(argv[0], "violation") ? got_violations(&c->res) :
						       result_str(&c->res);
		snprintf(why, sizeof(why), "expected %s, got %s", want, got);
	}

	if (c->file) {
		fflush(c->out);
		fprintf(stderr, "%s:%lu: %s\n", c->file, lineno, why);
		return false;
	}
	fprintf(c->out, "error: line %lu: %s\n", lineno, why);
	return true;
}

/* --- the session's own commands --- */

/* Each line of the command list, to @emit. */
static unsigned int help_lines(void (*emit)(void *ctx, const char *line),
			       void *ctx)
{
	const struct con_section *sec;
	const struct con_cmd *cmd;
	char name[48], line[CON_LINE_LEN];
	unsigned int n = 0;

	for (sec = con_sections; sec->title; sec++) {
		emit(ctx, sec->title);
		for (cmd = sec->cmds; cmd->name; cmd++, n++) {
			snprintf(name, sizeof(name), "%s%s%s", cmd->name,
				 *cmd->args ? " " : "", cmd->args);
			snprintf(line, sizeof(line), "  %-22s %s", name,
				 cmd->help);
			emit(ctx, line);
		}
	}
	emit(ctx, "H is a handle, VM a VM's number (as 'vm create' prints "
	     "it), IDX a vCPU index;");
	emit(ctx, "numbers are decimal or hex with 0x.  '#' starts a "
	     "comment.");
	return n;
}

static void emit_detail(void *ctx, const char *line)
{
	con_detail(ctx, "%s", line);
}

static void emit_file(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

void console_print_help(FILE *f)
{
	help_lines(emit_file, f);
}

static void cmd_help(struct console *c, int argc, char **argv)
{
	unsigned int n;

	(void)argc;
	(void)argv;
	n = help_lines(emit_detail, c);
	con_ok(c, "%u commands", n);
}

static void cmd_quit(struct console *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	c->quit = true;
	con_ok(c, "bye");
}

const struct con_cmd con_console_cmds[] = {
	{ "repeat", "N COMMAND...", "run COMMAND N times, stopping at the "
	  "first that fails; '$i' in it is the run (0, 1, ...), 'B+$i' that "
	  "plus B", 2, CON_MAX_WORDS, cmd_repeat, CON_NO_REPEAT },
	{ "expect", "WORDS", "the previous result starts with WORDS (4096 = "
	  "0x1000); also 'expect ok', 'expect error ...', 'expect violation "
	  "...'", 1, CON_MAX_WORDS, NULL, CON_NO_REPEAT },
	{ "help", "", "this list", 0, 0, cmd_help, CON_ANYTIME },
	{ "quit", "", "shut the simulator down, report, and leave (also "
	  "'exit', or end of input)", 0, 0, cmd_quit,
	  CON_ANYTIME | CON_NO_REPEAT },
	{ "exit", "", "as quit", 0, 0, cmd_quit, CON_ANYTIME | CON_NO_REPEAT },
	{ 0 },
};

