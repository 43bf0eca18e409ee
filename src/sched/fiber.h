/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-level contexts with stacks of their own, switched on one OS thread
 * without the kernel: what lets the controlled scheduler hand the baton on
 * in well under a microsecond.  AddressSanitizer and ThreadSanitizer are
 * told about every switch, so both keep working across them.
 */
#ifndef PKVMSIM_FIBER_H
#define PKVMSIM_FIBER_H

#include <stddef.h>
#include <ucontext.h>

struct fiber {
	ucontext_t	ctx;		/* where there is no fiber_swap() */
	void		*sp;		/* x86-64: the saved stack pointer */
	void		*stack;		/* NULL: the thread's own stack */
	size_t		stack_size;
	/* For the sanitizers: this fiber's stack and its fake stack. */
	const void	*bottom;
	size_t		size;
	void		*fake_stack;
	void		*tsan;
	unsigned int	valgrind_id;
};

/* The calling thread's own context, to switch back to.  0 or -errno. */
int fiber_init_thread(struct fiber *f);

/* A fiber with a stack of @stack_size bytes.  0 or -ENOMEM. */
int fiber_create(struct fiber *f, size_t stack_size);
void fiber_destroy(struct fiber *f);

/*
 * Make @f start afresh at @entry on its next switch-in, whatever it was
 * doing; @entry must never return (it switches away for good instead).
 */
void fiber_start_at(struct fiber *f, void (*entry)(void));

/*
 * Run @to; come back here when someone switches to @from.  @dying says
 * @from will never run again (its fake stack can go).
 */
void fiber_switch(struct fiber *from, struct fiber *to, int dying);

/* Call first thing in a fiber's entry function. */
void fiber_entered(void);

#endif /* PKVMSIM_FIBER_H */
