// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one strict number parser of the pkvmsim program (number.h), and the
 * errno names the console prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "number.h"

static int digit_value(char ch, unsigned int base)
{
	unsigned int v;

	if (ch >= '0' && ch <= '9')
		v = (unsigned int)(ch - '0');
	else if (ch >= 'a' && ch <= 'f')
		v = (unsigned int)(ch - 'a') + 10;
	else if (ch >= 'A' && ch <= 'F')
		v = (unsigned int)(ch - 'A') + 10;
	else
		return -1;
	return v < base ? (int)v : -1;
}

int number_parse(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	bool too_large = false;
	uint64_t n = 0;
	int d;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* At least one digit; "0x0x1" stops at its second 'x'. */
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = digit_value(*s, base);
		if (d < 0)
			return -EINVAL;
		/* Keep reading: "99999999999999999999x" is not a number. */
		if (n > (UINT64_MAX - (uint64_t)d) / base)
			too_large = true;
		else
			n = n * base + (uint64_t)d;
	}
	if (too_large || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

const char *number_error(int err)
{
	return err == -ERANGE ? "too large" : "not a number";
}

bool number_parse_signed(const char *s, int64_t *out)
{
	uint64_t n;
	int err;

	if (s[0] != '-') {
		if (number_parse(s, INT64_MAX, &n))
			return false;
		*out = (int64_t)n;
		return true;
	}
	if (s[1] == 'E') {
		err = errno_from_name(s + 1);
		if (!err)
			return false;
		*out = -err;
		return true;
	}
	if (number_parse(s + 1, (uint64_t)INT64_MAX + 1, &n))
		return false;
	/* -(2^63) has no positive twin: negate in unsigned arithmetic. */
	*out = (int64_t)(0 - n);
	return true;
}

#define E(name)	{ name, #name }

/* What the hypervisor, the host model and the public API answer. */
static const struct {
	int		err;
	const char	*name;
} errnos[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(EINVAL), E(ENOSPC), E(ERANGE), E(EDEADLK),
	E(ENOSYS), E(ENODATA), E(ETIME), E(EPROTO), E(EOVERFLOW),
	E(EOPNOTSUPP), E(ETIMEDOUT), E(ESTALE), E(EUCLEAN), E(ECANCELED),
};

const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return NULL;
}

int errno_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].err;
	return 0;
}

const char *errno_str(int neg_err, char *buf, size_t len)
{
	const char *name = neg_err < 0 ? errno_name(-neg_err) : NULL;

	if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%d", neg_err);
	return buf;
}
