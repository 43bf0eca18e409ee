/* SPDX-License-Identifier: GPL-2.0-only */
/* DUPLICATES <asm/page-def.h> for 4K pages, the only granule modelled. */
#ifndef __PKVMSIM_ASM_PAGE_DEF_H
#define __PKVMSIM_ASM_PAGE_DEF_H

#include "linux/kernel.h"

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

#endif /* __PKVMSIM_ASM_PAGE_DEF_H */
