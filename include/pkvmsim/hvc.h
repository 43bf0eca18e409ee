/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pluggable hypercall ABI.
 *
 * A transport is one function pointer and its context: a host CPU's
 * hypercall is one call through it with a register file (x0 = SMCCC id,
 * x1..x3 arguments in; x0 = SMCCC status, x1 = result out).  The built-in
 * transports enter the simulated hypervisor; decorators wrap any transport,
 * built-in or a user's own, to inject faults or record a trace; a test can
 * supply a table of its own (e.g. a CMocka mock).
 *
 * Install one with pkvmsim_set_hvc(); the host model then makes every
 * hypercall through it.
 */
#ifndef PKVMSIM_HVC_H
#define PKVMSIM_HVC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pkvmsim;

/** Register file of one hypercall: x0 = SMCCC id, x1..x3 arguments. */
struct pkvmsim_regs {
	uint64_t	x[4];
};

/**
 * struct pkvm_hvc_ops - a hypercall transport.
 * @name:	for traces and messages.
 * @hvc:	make one hypercall from simulated CPU @cpu.  Return 0 if the
 *		call was delivered (x0 and x1 hold the answer), or a negative
 *		errno if it could not be: the built-in transports return
 *		-EFAULT for a call the machine would not survive (it is
 *		recorded as a violation and not executed).
 * @ctx:	passed back to @hvc.
 */
struct pkvm_hvc_ops {
	const char	*name;
	int		(*hvc)(void *ctx, unsigned int cpu,
			       struct pkvmsim_regs *regs);
	void		*ctx;
};

/**
 * pkvm_hvc_smccc() - The real ABI path: the SMCCC dispatcher
 * (handle_host_hcall) and its host_hcall[] table, with its refusal of bad,
 * disallowed and unmodelled ids.  The default.  Acts on the live simulator.
 */
const struct pkvm_hvc_ops *pkvm_hvc_smccc(void);

/**
 * pkvm_hvc_direct() - Call the handler for the id without going through
 * the dispatcher's code (handle_host_hcall()): a fast path and a benchmark
 * baseline.  What it leaves out is that code, never its refusals: the
 * machine decodes the id as the dispatcher does (SMCCC hint bits cleared)
 * and refuses with SMCCC_RET_NOT_SUPPORTED what the dispatcher refuses (an
 * id below the minimum, i.e. a boot-only one once pKVM has finalised, one
 * past the table, one with no handler).  So every register file gets the
 * same answer from both transports, and the host can do through direct
 * nothing that no hypervisor entry allows; only a change to the
 * dispatcher itself is seen through smccc alone.
 */
const struct pkvm_hvc_ops *pkvm_hvc_direct(void);

/** pkvm_hvc_call() - Make one hypercall through @ops. */
static inline int pkvm_hvc_call(const struct pkvm_hvc_ops *ops,
				unsigned int cpu, struct pkvmsim_regs *regs)
{
	return ops->hvc(ops->ctx, cpu, regs);
}

/* --- fault injection --- */

struct pkvm_hvc_fault;

/* Which calls to fail: return nonzero to fail this one. */
typedef int (*pkvm_hvc_fault_pred_t)(void *ctx, unsigned int cpu,
				     const struct pkvmsim_regs *regs);

/**
 * pkvm_hvc_fault_create() - Wrap @lower in a fault injector.
 *
 * A failed call is not passed on: it answers x0 = SMCCC_RET_SUCCESS and
 * x1 = the chosen (negative) error, exactly as if the hypervisor's handler
 * had returned it.  Counting is by arrival at the decorator, so it is
 * deterministic for a deterministic schedule.  With no rule armed every
 * call passes through unchanged.
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
int pkvm_hvc_fault_create(const struct pkvm_hvc_ops *lower,
			  struct pkvm_hvc_fault **faultp);
void pkvm_hvc_fault_destroy(struct pkvm_hvc_fault *fault);
/* The transport to install. */
const struct pkvm_hvc_ops *pkvm_hvc_fault_ops(struct pkvm_hvc_fault *fault);

/**
 * pkvm_hvc_fault_nth() - Fail the @nth (1-based) call of hypercall number
 * @nr (or of any hypercall if @nr is -1) with @err.  Replaces any rule.
 */
int pkvm_hvc_fault_nth(struct pkvm_hvc_fault *fault, long nr,
		       unsigned long nth, int err);

/**
 * pkvm_hvc_fault_match() - Fail every call @pred picks with @err.  @pred
 * runs outside the injector's lock (it may itself make hypercalls), so it
 * must be thread-safe if CPUs call concurrently.
 */
int pkvm_hvc_fault_match(struct pkvm_hvc_fault *fault,
			 pkvm_hvc_fault_pred_t pred, void *ctx, int err);

/** pkvm_hvc_fault_clear() - Disarm: pass every call through again. */
int pkvm_hvc_fault_clear(struct pkvm_hvc_fault *fault);

/** pkvm_hvc_fault_injected() - How many calls were failed so far. */
unsigned long pkvm_hvc_fault_injected(const struct pkvm_hvc_fault *fault);

/* --- tracing --- */

struct pkvm_hvc_trace;

/**
 * struct pkvm_hvc_trace_entry - one hypercall as the decorator saw it.
 * @seq:	position in the trace, from 0.
 * @cpu:	the calling CPU.
 * @nr:		hypercall number decoded from x0 (id with the hint bits
 *		cleared, less the SMCCC base); may be out of range.
 * @in:		x0..x3 on the way in.
 * @x0, @x1:	the answer (valid if @ret == 0).
 * @ret:	what the lower transport returned.
 */
struct pkvm_hvc_trace_entry {
	uint64_t	seq;
	unsigned int	cpu;
	uint64_t	nr;
	uint64_t	in[4];
	uint64_t	x0;
	uint64_t	x1;
	int		ret;
};

/**
 * pkvm_hvc_trace_create() - Wrap @lower in a recorder keeping up to
 * @capacity entries (later calls are counted but not kept).
 */
int pkvm_hvc_trace_create(const struct pkvm_hvc_ops *lower, size_t capacity,
			  struct pkvm_hvc_trace **tracep);
void pkvm_hvc_trace_destroy(struct pkvm_hvc_trace *trace);
const struct pkvm_hvc_ops *pkvm_hvc_trace_ops(struct pkvm_hvc_trace *trace);
/* Calls seen (kept or not). */
uint64_t pkvm_hvc_trace_count(const struct pkvm_hvc_trace *trace);
/* Hypercall numbers counted one by one; the rest are counted together. */
#define PKVM_HVC_TRACE_NRS	64
/*
 * Calls seen (kept or not) with hypercall number @nr, as struct
 * pkvm_hvc_trace_entry's @nr; any @nr from PKVM_HVC_TRACE_NRS up gives
 * the count of all those numbers together.
 */
uint64_t pkvm_hvc_trace_count_nr(const struct pkvm_hvc_trace *trace,
				 uint64_t nr);
/* Entry @i, 0 = first; -ENOENT past the kept ones. */
int pkvm_hvc_trace_get(const struct pkvm_hvc_trace *trace, size_t i,
		       struct pkvm_hvc_trace_entry *entry);
void pkvm_hvc_trace_clear(struct pkvm_hvc_trace *trace);
/**
 * pkvm_hvc_trace_format() - One line for @entry, e.g.
 * "cpu0 __pkvm_reserve_vm() = 0x1000", into @buf; returns its length.
 */
int pkvm_hvc_trace_format(const struct pkvm_hvc_trace_entry *entry,
			  char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* PKVMSIM_HVC_H */
