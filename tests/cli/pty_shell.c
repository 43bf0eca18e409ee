// SPDX-License-Identifier: GPL-2.0-only
/*
 * `pkvmsim shell` on a terminal, as a person meets it: runs the program on
 * a pseudo-terminal of its own (so it needs none from CI) and types at it,
 * waiting for each answer before the next keystrokes.
 *
 * What it checks is what only a terminal gives: the prompt, line editing
 * (^A moves to the start of the line: "eserve", ^A, "r" is "reserve"; a
 * shell without line editing reads the ^A as a character and knows no
 * such command), history (^P brings the last line back), completion (TAB
 * finishes "tab" as "table"), and that quit shuts down clean.
 *
 *   pty_shell PROGRAM [ARG...]     exit 0 if all went as expected
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every wait is bounded: a hung shell fails the test, it does not hang it. */
#define WAIT_MS		20000
#define PROMPT		"pkvmsim> "

static char transcript[1 << 16];
static size_t used;
static int master = -1;
static pid_t child;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read what the program prints until @want appears after @from. */
static int wait_for(size_t from, const char *want)
{
	long deadline = now_ms() + WAIT_MS;
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	ssize_t n;

	for (;;) {
		transcript[used] = '\0';
		if (strstr(transcript + from, want))
			return 0;
		if (now_ms() >= deadline || used + 1 >= sizeof(transcript))
			break;
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		n = read(master, transcript + used,
			 sizeof(transcript) - used - 1);
		if (n <= 0)	/* EIO: the program closed the terminal */
			break;
		used += (size_t)n;
	}
	fprintf(stderr, "pty_shell: no '%s' in what the shell printed\n",
		want);
	return -1;
}

/* Read to the end: the program has closed the terminal, or the time is up. */
static void drain(void)
{
	long deadline = now_ms() + WAIT_MS;
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	ssize_t n;

	while (now_ms() < deadline && used + 1 < sizeof(transcript)) {
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		n = read(master, transcript + used,
			 sizeof(transcript) - used - 1);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
}

static void type(const char *keys)
{
	size_t len = strlen(keys);

	if (write(master, keys, len) != (ssize_t)len)
		perror("pty_shell: write");
}

/*
 * Type @keys, then wait for @want in what follows, and for the next
 * prompt: libedit prints it once it has the terminal in its own mode, so
 * the next keys are not read by the terminal's line discipline instead.
 */
static int step(const char *keys, const char *want)
{
	size_t from = used;
	const char *at;

	type(keys);
	if (wait_for(from, want))
		return -1;
	at = strstr(transcript + from, want);
	return wait_for((size_t)(at - transcript) + strlen(want), PROMPT);
}

static void show_transcript(void)
{
	size_t i;

	printf("--- what the terminal showed (escapes as \\ooo) ---\n");
	for (i = 0; i < used; i++) {
		unsigned char ch = (unsigned char)transcript[i];

		if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f))
			putchar(ch);
		else if (ch != '\r')
			printf("\\%03o", ch);
	}
	printf("\n---\n");
}

int main(int argc, char **argv)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int status, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pty_shell PROGRAM [ARG...]\n");
		return 2;
	}
	child = forkpty(&master, NULL, NULL, &ws);
	if (child < 0) {
		perror("pty_shell: forkpty");
		return 2;
	}
	if (!child) {
		/* A terminal libedit knows, whatever CI sets. */
		setenv("TERM", "vt100", 1);
		unsetenv("EDITRC");
		setenv("HOME", "/nonexistent", 1);	/* no ~/.editrc */
		execv(argv[1], argv + 1);
		perror("pty_shell: exec");
		_exit(127);
	}

	failed |= wait_for(0, "'help' lists the commands");
	failed |= wait_for(0, PROMPT);
	if (!failed)
		failed |= step("reserve\r", "reserve -> 0x1000");
	if (!failed)	/* ^A: to the start of the line */
		failed |= step("eserve\001r\r", "reserve -> 0x1001");
	if (!failed)	/* ^P: the previous line again */
		failed |= step("\020\r", "reserve -> 0x1002");
	if (!failed)	/* TAB: the command's name */
		failed |= step("tab\t\r", "table -> 3 reserved, 0 live");
	if (!failed)
		failed |= step("repeat 3 unreserve 0x1000+$i\r",
			       "-> ok (run 3 of 3)");
	if (!failed) {
		size_t from = used;

		type("quit\r");
		failed |= wait_for(from, "shutdown -> clean");
	}

	if (failed)
		kill(child, SIGKILL);
	else
		drain();
	if (waitpid(child, &status, 0) < 0) {
		perror("pty_shell: waitpid");
		failed = 1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!failed)
			fprintf(stderr, "pty_shell: the shell exited with "
				"status %d\n", status);
		failed = 1;
	}
	show_transcript();
	return failed ? 1 : 0;
}
