// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a command's options, shared by every command: each bad value
 * is refused with a message that names the option and what it takes,
 * and the command exits with status 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "number.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pkvmsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'pkvmsim --help')\n", stderr);
	return EXIT_USAGE;
}

/*
 * One rule for every number on the command line: number_parse()'s, then
 * at least @min.  The message names the option and what it takes.
 */
static int parse_number(const char *opt, const char *val, uint64_t min,
			uint64_t max, uint64_t *out)
{
	uint64_t n;
	int ret;

	ret = number_parse(val, max, &n);
	if (ret == -ERANGE || (!ret && n < min))
		return usage_error("%s: '%s' is too %s (%" PRIu64 "..%" PRIu64
				   ")", opt, val, ret ? "large" : "small", min,
				   max);
	if (ret)
		return usage_error("%s: '%s' is not a number (decimal, or hex "
				   "with 0x; %" PRIu64 "..%" PRIu64 ")", opt,
				   val, min, max);
	*out = n;
	return 0;
}

int parse_uint(const char *opt, const char *val, unsigned int min,
	       unsigned int max, unsigned int *out)
{
	uint64_t n = 0;
	int ret;

	ret = parse_number(opt, val, min, max, &n);
	if (!ret)
		*out = (unsigned int)n;
	return ret;
}

int parse_count(const char *opt, const char *val, uint64_t min,
		uint64_t max, uint64_t *out)
{
	return parse_number(opt, val, min, max, out);
}

int parse_seed(const char *opt, const char *val, uint64_t *out)
{
	return parse_number(opt, val, 0, UINT64_MAX, out);
}

int parse_seconds(const char *opt, const char *val, double max, double *out)
{
	char *end;
	double s;

	/* strtod() would skip blanks and read "nan", "inf" and hex. */
	if (!(*val >= '0' && *val <= '9') && *val != '.')
		goto bad;
	errno = 0;
	s = strtod(val, &end);
	if (*end || errno || !isfinite(s))
		goto bad;
	if (s <= 0)
		return usage_error("%s: '%s' is too small (more than 0 "
				   "seconds)", opt, val);
	if (s > max)
		return usage_error("%s: '%s' is too large (at most %.0f "
				   "seconds)", opt, val, max);
	*out = s;
	return 0;
bad:
	return usage_error("%s: '%s' is not a number of seconds", opt, val);
}

int parse_check(const char *opt, const char *val, enum pkvmsim_check *out)
{
	if (!strcmp(val, "calls"))
		*out = PKVMSIM_CHECK_CALLS;
	else if (!strcmp(val, "end"))
		*out = PKVMSIM_CHECK_END;
	else
		return usage_error("%s: unknown check level '%s' (calls, end)",
				   opt, val);
	return 0;
}

int parse_mode(const char *opt, const char *val, enum pkvmsim_mode *out)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_MODE_NR; i++) {
		if (!strcmp(val, pkvmsim_mode_name(i))) {
			*out = i;
			return 0;
		}
	}
	return usage_error("%s: unknown mode '%s' (protected, nvhe, vhe)",
			   opt, val);
}

int parse_profile(const char *opt, const char *val,
		  enum pkvmsim_profile *out)
{
	unsigned int i;

	for (i = 0; i < PKVMSIM_PROFILE_NR; i++) {
		if (!strcmp(val, pkvmsim_profile_name(i))) {
			*out = i;
			return 0;
		}
	}
	return usage_error("%s: unknown profile '%s' (6.18, v3, lazy)", opt,
			   val);
}

/*
 * Whether @path can be written, found now rather than after a long
 * exploration, and without leaving a file behind that was not there.
 */
int check_writable(const char *opt, const char *path)
{
	struct stat st;
	bool existed = !stat(path, &st);
	FILE *f;

	if (existed && S_ISDIR(st.st_mode))
		return usage_error("%s: '%s' is a directory", opt, path);
	f = fopen(path, "a");
	if (!f)
		return usage_error("%s: cannot write '%s': %s", opt, path,
				   strerror(errno));
	fclose(f);
	if (!existed)
		remove(path);
	return 0;
}

int opt_next(struct opt_iter *it, enum opt_id *idp)
{
	const struct cli_option *o;
	const char *arg, *eq;
	size_t len;

again:
	if (it->i >= it->argc)
		return 0;
	arg = it->argv[it->i++];
	if (arg[0] != '-') {
		if (it->args) {
			it->args[it->nr_args++] = arg;
			goto again;
		}
		return -usage_error("%s: unexpected argument '%s'", it->cmd,
				    arg);
	}

	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (o = it->table; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, arg, len))
			break;
	if (!o->name || len >= sizeof(it->name))
		return -usage_error("%s: unknown option '%.*s'", it->cmd,
				    (int)len, arg);
	memcpy(it->name, arg, len);
	it->name[len] = '\0';

	it->value = NULL;
	if (!o->has_value) {
		if (eq)
			return -usage_error("%s: option '%s' takes no value",
					    it->cmd, it->name);
	} else if (eq) {
		it->value = eq + 1;
	} else if (it->i < it->argc && strncmp(it->argv[it->i], "--", 2)) {
		/* "--cpus --vms 2" misses a value; it does not mean "--vms". */
		it->value = it->argv[it->i++];
	}
	if (o->has_value && (!it->value || !*it->value))
		return -usage_error("%s: option '%s' needs a value", it->cmd,
				    it->name);

	*idp = o->id;
	return 1;
}
