// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fibers on ucontext (see fiber.h), with the sanitizers' fiber hooks.
 */
/* pthread_getattr_np() */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN	1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define FIBER_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN	1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* Valgrind must be told a fiber's stack is one, or it sees wild writes. */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(start, end)	0U
#define VALGRIND_STACK_DEREGISTER(id)		((void)(id))
#endif

int fiber_init_thread(struct fiber *f)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	memset(f, 0, sizeof(*f));
	if (pthread_getattr_np(pthread_self(), &attr))
		return -EINVAL;
	if (pthread_attr_getstack(&attr, &addr, &size)) {
		pthread_attr_destroy(&attr);
		return -EINVAL;
	}
	pthread_attr_destroy(&attr);
	f->bottom = addr;
	f->size = size;
#ifdef FIBER_TSAN
	f->tsan = __tsan_get_current_fiber();
#endif
	return 0;
}

int fiber_create(struct fiber *f, size_t stack_size)
{
	void *stack;

	memset(f, 0, sizeof(*f));
	/* The lowest page stays unmapped: an overflow faults at once. */
	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		return -ENOMEM;
	if (mprotect(stack, 4096, PROT_NONE)) {
		munmap(stack, stack_size);
		return -ENOMEM;
	}
	f->stack = stack;
	f->stack_size = stack_size;
	f->bottom = (char *)stack + 4096;
	f->size = stack_size - 4096;
	f->valgrind_id = VALGRIND_STACK_REGISTER((char *)stack + 4096,
						 (char *)stack + stack_size);
#ifdef FIBER_TSAN
	f->tsan = __tsan_create_fiber(0);
#endif
	return 0;
}

void fiber_destroy(struct fiber *f)
{
	if (!f->stack)
		return;
#ifdef FIBER_TSAN
	__tsan_destroy_fiber(f->tsan);
#endif
	VALGRIND_STACK_DEREGISTER(f->valgrind_id);
	munmap(f->stack, f->stack_size);
	f->stack = NULL;
}

#ifdef __x86_64__
/*
 * swapcontext() saves and restores the signal mask, a system call per
 * switch; a fiber here never changes it.  So on x86-64 a switch saves the
 * callee-saved registers on the old stack, swaps stack pointers and pops
 * them from the new one: what the ABI requires a call to preserve.
 */
void fiber_swap(void **save_sp, void *load_sp);
__asm__(".text\n"
	".globl fiber_swap\n"
	".type fiber_swap, @function\n"
	"fiber_swap:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size fiber_swap, .-fiber_swap\n");

/* A new stack that "returns" into @entry with the ABI's alignment. */
static void start_stack(struct fiber *f, void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)f->stack + f->stack_size) & ~15UL;
	void **sp = (void **)top;

	*--sp = NULL;			/* @entry's return address: none */
	*--sp = (void *)entry;
	sp -= 6;			/* rbp rbx r12 r13 r14 r15 */
	memset(sp, 0, 6 * sizeof(*sp));
	f->sp = sp;
}
#else
static void start_stack(struct fiber *f, void (*entry)(void))
{
	getcontext(&f->ctx);
	f->ctx.uc_stack.ss_sp = (char *)f->stack + 4096;
	f->ctx.uc_stack.ss_size = f->stack_size - 4096;
	f->ctx.uc_link = NULL;
	makecontext(&f->ctx, entry, 0);
}
#endif

void fiber_start_at(struct fiber *f, void (*entry)(void))
{
#ifdef FIBER_ASAN
	/* An abandoned run may have left its frames poisoned. */
	ASAN_UNPOISON_MEMORY_REGION((char *)f->stack + 4096,
				    f->stack_size - 4096);
#endif
	start_stack(f, entry);
	f->fake_stack = NULL;
}

void fiber_switch(struct fiber *from, struct fiber *to, int dying)
{
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(dying ? NULL : &from->fake_stack,
				       to->bottom, to->size);
#else
	(void)dying;
#endif
#ifdef FIBER_TSAN
	__tsan_switch_to_fiber(to->tsan, 0);
#endif
#ifdef __x86_64__
	fiber_swap(&from->sp, to->sp);
#else
	swapcontext(&from->ctx, &to->ctx);
#endif
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

void fiber_entered(void)
{
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
}
