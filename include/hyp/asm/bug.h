/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CUSTOMISES <asm/bug.h>.
 *
 * WARN_ON() evaluates to its condition as in the kernel and, when true,
 * records the warning (file, line, CPU) in src/env, where tests and the
 * oracle can count it.  BUG() reports through src/env, which aborts unless a
 * test has installed a handler that unwinds (a hyp BUG must never be
 * survived silently).
 */
#ifndef __PKVMSIM_ASM_BUG_H
#define __PKVMSIM_ASM_BUG_H

void sim_warn(const char *file, int line, const char *cond);
__attribute__((__noreturn__))
void sim_bug(const char *file, int line, const char *cond);

#define WARN_ON(condition)						\
({									\
	int __ret_warn_on = !!(condition);				\
	if (__builtin_expect(__ret_warn_on, 0))				\
		sim_warn(__FILE__, __LINE__, #condition);		\
	__builtin_expect(__ret_warn_on, 0);				\
})

#define BUG()		sim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(condition)						\
do {									\
	if (__builtin_expect(!!(condition), 0))				\
		sim_bug(__FILE__, __LINE__, #condition);		\
} while (0)

#endif /* __PKVMSIM_ASM_BUG_H */
