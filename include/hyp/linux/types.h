/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DUPLICATES the kernel's fixed-width types for the freestanding hyp build.
 * Only compiler-provided macros are used, so no libc header is needed.
 */
#ifndef __PKVMSIM_LINUX_TYPES_H
#define __PKVMSIM_LINUX_TYPES_H

typedef __UINT8_TYPE__ u8;
typedef __UINT16_TYPE__ u16;
typedef __UINT32_TYPE__ u32;
typedef __UINT64_TYPE__ u64;
typedef __INT8_TYPE__ s8;
typedef __INT16_TYPE__ s16;
typedef __INT32_TYPE__ s32;
typedef __INT64_TYPE__ s64;

/* libc's <stdbool.h> may already have defined these (src/env). */
#if !defined(__cplusplus) && !defined(bool)
typedef _Bool bool;
#endif
#ifndef true
#define true	1
#define false	0
#endif

typedef u64 phys_addr_t;

#endif /* __PKVMSIM_LINUX_TYPES_H */
