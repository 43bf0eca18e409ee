/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES the handful of <linux/kernel.h> helpers the hyp code uses. */
#ifndef __PKVMSIM_LINUX_KERNEL_H
#define __PKVMSIM_LINUX_KERNEL_H

#include "linux/types.h"
#include "linux/stddef.h"
#include "linux/compiler.h"
#include "linux/errno.h"

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
#define __ALIGN_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define ALIGN(x, a)		__ALIGN_MASK(x, (__typeof__(x))(a) - 1)
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#define container_of(ptr, type, member)					\
	((type *)((char *)(ptr) - offsetof(type, member)))

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

#endif /* __PKVMSIM_LINUX_KERNEL_H */
