/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Numbers as pkvmsim reads them, in one place: decimal or hex with 0x,
 * nothing else.  No blanks, no sign, no "0x0x", no trailing junk, and a
 * value above the caller's bound is refused rather than wrapped, which
 * strtoull() would do for each of those.  Errno names go with them: the
 * console prints -ENOENT where a program would print -2.
 */
#ifndef PKVMSIM_SIM_NUMBER_H
#define PKVMSIM_SIM_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * @s as a number no greater than @max, into @out.  Returns 0; -EINVAL if
 * @s is not a number (empty, a sign, a blank, "0x" alone, junk); -ERANGE
 * if it is one, above @max.  @out is untouched on error.
 */
int number_parse(const char *s, uint64_t max, uint64_t *out);

/* "not a number" or "too large", for number_parse()'s error @err. */
const char *number_error(int err);

/*
 * A signed value as expect compares them: a number, "-" and a number (up
 * to 2^63), or "-" and an errno name ("-ENOENT").  Returns whether @s is
 * one.
 */
bool number_parse_signed(const char *s, int64_t *out);

/* "ENOENT" for ENOENT (positive), or NULL if the table has no name. */
const char *errno_name(int err);

/* ENOENT for "ENOENT", or 0 if the table has no such name. */
int errno_from_name(const char *name);

/* "-ENOENT", or "-525" for an errno the table does not name, into @buf. */
const char *errno_str(int neg_err, char *buf, size_t len);

#endif /* PKVMSIM_SIM_NUMBER_H */
