/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercall console behind `pkvmsim shell` and `pkvmsim script`: one
 * live simulator, driven a command per line, one result line per command.
 *
 * console.c reads a line, finds its command and prints what it did;
 * console_script.c checks `expect` lines and runs `repeat`;
 * console_raw.c sends hypercalls as a hostile host would; console_host.c
 * drives the simulated host kernel; console_inspect.c looks inside;
 * console_session.c boots and shuts down the simulator and keeps what the
 * console created (VMs, pages); shell.c reads the lines, from a terminal
 * with libedit or from a file.
 */
#ifndef PKVMSIM_SIM_CONSOLE_H
#define PKVMSIM_SIM_CONSOLE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pkvmsim/inspect.h>
#include <pkvmsim/pkvmsim.h>

/* `pkvmsim shell` and `pkvmsim script` (shell.c). */
int cmd_shell(int argc, char **argv);
int cmd_script(int argc, char **argv);

#define CON_MAX_WORDS		32
#define CON_TEXT_LEN		256
#define CON_LINE_LEN		400	/* one violation line */
#define CON_LINES_KEPT		32	/* violation lines one command shows */
#define CON_REPEAT_MAX		100000

/**
 * enum con_kind - what a command's result is, for expect.
 * @CON_NONE:		no command has run yet.
 * @CON_OK:		success: a value, "ok", or a description.
 * @CON_ERRNO:		a negative errno, the hypervisor's or the API's.
 * @CON_REFUSED:	the dispatcher refused the call: NOT_SUPPORTED.
 * @CON_ERROR:		the console could not run the command: an
 *			"error: ..." line.
 */
enum con_kind {
	CON_NONE,
	CON_OK,
	CON_ERRNO,
	CON_REFUSED,
	CON_ERROR,
};

/**
 * struct con_result - what the last command did.
 * @kind:		success, errno, refusal or error.
 * @text:		what follows "->" (or "error: ").
 * @nr_violations:	violations it caused, the oracle's, the ledger's
 *			and those a shutdown finds.
 * @nr_lines:		of those, the ones with a line in @lines.
 * @lines:		"violation: ..." lines.
 * @acked_violations: an expect has acknowledged its violations.
 * @acked_error:	an expect has acknowledged its error line.
 * @line:		its input line.
 */
struct con_result {
	enum con_kind	kind;
	char		text[CON_TEXT_LEN];
	unsigned long	nr_violations;
	unsigned int	nr_lines;
	char		lines[CON_LINES_KEPT][CON_LINE_LEN];
	bool		acked_violations;
	bool		acked_error;
	unsigned long	line;
};

/**
 * struct con_vm - a host VM the console created.
 * @vm:		the library's VM.
 * @id:		pkvmsim_vm_id(): how commands and reports name it.
 * @loaded:	per vCPU index, the CPU the host has it loaded on (after a
 *		successful `vcpu run`, until its `vcpu put`), or -1.
 */
struct con_vm {
	struct pkvmsim_vm	*vm;
	unsigned long		id;
	int			loaded[PKVMSIM_MAX_VCPUS];
};

/* Pages the console allocated for a raw hypercall and still owns. */
struct con_pages {
	uint64_t	hva;
	unsigned long	nr;
};

/**
 * struct console - one session.
 * @cfg:		what the simulator boots with; `mode` and `profile`
 *			change it.
 * @sim:		the live simulator, NULL if it could not boot.
 * @cpu:		the CPU the next commands run on.
 * @vms:		the live VMs, in creation order.
 * @pages:		raw allocations not yet given back.
 * @held:		per slot, references `hold` took and `release` has
 *			not dropped.
 * @seen:		the report as of the previous command.
 * @report:		scratch for the next one.
 * @res:		the last command's result.
 * @detail:		lines a command prints after its result line.
 * @cmd_name:		the command running, for messages.
 * @out:		where results go.
 * @file:		the script's name, NULL in the shell.
 * @unacked_violations:	violations no `expect violation` acknowledged.
 * @unacked_errors:	error lines no `expect error` acknowledged.
 * @first_unacked:	the input line of the first of either.
 * @quit:		`quit` was read.
 */
struct console {
	struct pkvmsim_config	cfg;
	struct pkvmsim		*sim;
	unsigned int		cpu;

	struct con_vm		*vms;
	size_t			nr_vms, vms_cap;
	struct con_pages	*pages;
	size_t			nr_pages, pages_cap;
	unsigned int		held[PKVMSIM_NR_SLOTS];

	struct pkvmsim_report	*seen;
	struct pkvmsim_report	*report;
	struct con_result	res;
	char			*detail;
	size_t			detail_len, detail_cap;
	const char		*cmd_name;

	FILE			*out;
	const char		*file;
	unsigned long		line;
	unsigned long		unacked_violations;
	unsigned long		unacked_errors;
	unsigned long		first_unacked;
	bool			quit;
};

/**
 * struct con_cmd - one console command.
 * @name:	its words: "reserve", or two for "vm create".
 * @args:	its arguments for help and usage: "H IDX [VM]".
 * @help:	one line.
 * @min_args:	arguments it needs after @name.
 * @max_args:	and takes at most.
 * @run:	does it and sets the result; @argv holds the arguments only.
 * @flags:	CON_ANYTIME: runs with no simulator (help, reset, ...);
 *		CON_NO_REPEAT: not under `repeat`.
 */
struct con_cmd {
	const char	*name;
	const char	*args;
	const char	*help;
	unsigned int	min_args;
	unsigned int	max_args;
	void		(*run)(struct console *c, int argc, char **argv);
	unsigned int	flags;
};

#define CON_ANYTIME	(1U << 0)
#define CON_NO_REPEAT	(1U << 1)

/* A group of commands as help lists it; a table ends with an empty entry. */
struct con_section {
	const char		*title;
	const struct con_cmd	*cmds;
};

extern const struct con_cmd con_raw_cmds[];
extern const struct con_cmd con_host_cmds[];
extern const struct con_cmd con_inspect_cmds[];
extern const struct con_cmd con_session_cmds[];
extern const struct con_cmd con_console_cmds[];
extern const struct con_section con_sections[];

/* --- the session (console.c) --- */

/*
 * Boot a simulator for @cfg; results go to @out; @file names the script
 * (NULL: the shell).  NULL, with a message, if it cannot.
 */
struct console *console_create(const struct pkvmsim_config *cfg, FILE *out,
			       const char *file);

/*
 * Run input line @lineno.  Returns 0 to go on, 1 after `quit`, -1 after
 * an expect failed (the message printed: to stderr in a script).
 */
int console_line(struct console *c, char *line, unsigned long lineno);

/**
 * struct con_tally - what a session left unacknowledged.
 * @violations:	violations no `expect violation` acknowledged.
 * @errors:	error lines no `expect error` acknowledged.
 * @first_line:	the input line of the first of either; CON_AT_END for
 *		what the final shutdown found.
 */
#define CON_AT_END	ULONG_MAX

struct con_tally {
	unsigned long	violations;
	unsigned long	errors;
	unsigned long	first_line;
};

/*
 * Shut the simulator down (printing a "shutdown -> ..." line and what it
 * finds, unless @quiet), free @c, and fill @tally if not NULL.
 */
void console_finish(struct console *c, bool quiet, struct con_tally *tally);

/* The command list, as `help` prints it. */
void console_print_help(FILE *f);

/* --- what commands use --- */

/* The result: a success, an errno, a refusal, an error line. */
void con_set(struct console *c, enum con_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void con_ok(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void con_errno(struct console *c, int neg_err);
void con_refused(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void con_error(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line printed after the result line (give it its indent). */
void con_detail(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A violation the console finds itself, shown as the oracle's are. */
void con_violation(struct console *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Argument @s, named @what in a message, as a number up to @max: true, or
 * false with an error line.
 */
bool con_arg_num(struct console *c, const char *what, const char *s,
		 uint64_t max, uint64_t *out);
/* Argument @s as a VM the console knows: NULL with an error line. */
struct con_vm *con_arg_vm(struct console *c, const char *s);

struct con_vm *con_vm_by_id(struct console *c, unsigned long id);
/* The console's VM holding handle @handle as the host sees it, or NULL. */
struct con_vm *con_vm_by_handle(struct console *c, unsigned int handle);
int con_vm_add(struct console *c, struct pkvmsim_vm *vm);
void con_vm_remove(struct console *c, struct con_vm *cv);

/*
 * Pages for a raw hypercall: allocate (0 or -errno), and give back.
 * con_pages_put() frees what is home and keeps what is not, to try again
 * at shutdown; after a call took the pages for good (a successful
 * init_vm or init_vcpu: the teardown hands them to a VM's memcache, whose
 * VM frees them), con_pages_forget() drops them instead.
 */
int con_pages_get(struct console *c, unsigned long bytes, uint64_t *hva,
		  unsigned long *nr);
void con_pages_put(struct console *c, uint64_t hva, unsigned long nr);
void con_pages_forget(struct console *c, uint64_t hva, unsigned long nr);

/* The command @argv starts with, or NULL. */
const struct con_cmd *con_find_cmd(int argc, char **argv);

/* Run the command of @argv (its name first), then collect violations. */
void con_exec(struct console *c, int argc, char **argv);

/*
 * An `expect` line's words @argv (@argc < 0: too many): does the last
 * result match?  Returns false if the script must stop, the failure
 * printed; in the shell a failure is an error line and it goes on.
 */
bool con_expect(struct console *c, int argc, char **argv,
		unsigned long lineno);

/*
 * The violations recorded since the previous call, as lines of the
 * result, from pkvmsim_check(); which becomes @c->seen.
 */
void con_collect(struct console *c);

/*
 * Shut the simulator down as process exit would (put what the host has
 * loaded, destroy the VMs, give raw pages back), collecting what that
 * finds as violations; then boot a fresh one with @c->cfg unless @reboot
 * is false.  Sets the result to how the old one ended.
 */
void con_restart(struct console *c, bool reboot);

#endif /* PKVMSIM_SIM_CONSOLE_H */
