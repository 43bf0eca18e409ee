/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <linux/string.h>: the compiler builtins.  In libpkvmsim they
 * resolve to libc; the freestanding check only compiles, never links.
 */
#ifndef __PKVMSIM_LINUX_STRING_H
#define __PKVMSIM_LINUX_STRING_H

#define memset(s, c, n)		__builtin_memset(s, c, n)
#define memcpy(d, s, n)		__builtin_memcpy(d, s, n)

#endif /* __PKVMSIM_LINUX_STRING_H */
