/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES <linux/stddef.h>: NULL and offsetof from the compiler. */
#ifndef __PKVMSIM_LINUX_STDDEF_H
#define __PKVMSIM_LINUX_STDDEF_H

#ifndef NULL
#define NULL ((void *)0)
#endif

#ifndef offsetof
#define offsetof(TYPE, MEMBER)	__builtin_offsetof(TYPE, MEMBER)
#endif

#endif /* __PKVMSIM_LINUX_STDDEF_H */
