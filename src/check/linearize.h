/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A linearizability checker for histories of VM-table hypercalls.
 *
 * Each simulated CPU's hypercalls are recorded as operations with the
 * positions of their invocation and response in one global sequence; the
 * checker decides whether some order of them, consistent with real time
 * (an operation that returned before another was called comes first),
 * explains every answer by the sequential model of the hypervisor's table
 * (SPEC 2-4): reserve, unreserve, init_vm, init_vcpu, teardown, vCPU
 * load/put, TLB flush and get/put of a hyp VM reference.
 *
 * The model is the hypervisor's observable behaviour, critical section by
 * critical section.  Memory is not modelled, so the resource failures
 * (-ENOMEM from a donation, -EPERM or -EBUSY from a pin, -EINVAL from an
 * unsupported vCPU) are allowed wherever the code can reach them and
 * change nothing; only a negative vCPU count, which the hypervisor reads
 * as a huge one, makes init_vm's donation fail for certain.
 * __pkvm_tlb_flush_vmid and a get_np refused for a protected VM hold a
 * reference between two critical sections: the model gives them a window
 * in which a teardown answers -EBUSY.
 *
 * Only answers that came from the hypervisor belong in a history: an
 * error made up by a fault injector or a mock is the caller's to drop.  A
 * call the hypervisor ran but whose answer was replaced can be given as
 * pending (it may or may not have taken effect).
 *
 * Pure: no global state, no locks, libc only; safe from any thread.  Not a
 * public header.
 */
#ifndef PKVMSIM_LINEARIZE_H
#define PKVMSIM_LINEARIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIN_MAX_OPS	64		/* operations in one history */
#define LIN_MAX_CPUS	16		/* PKVMSIM_MAX_CPUS */
#define LIN_NR_SLOTS	255		/* KVM_MAX_PVMS */
#define LIN_HANDLE_OFFSET 0x1000U	/* handle of slot 0 */
#define LIN_MAX_VCPUS	64		/* vCPU indexes tracked */
#define LIN_PENDING	UINT64_MAX	/* ret of a call never returned */
#define LIN_MAX_NODES	(1UL << 20)	/* states searched at most */

/** enum lin_kind - what an operation is (lin_op.kind). */
enum lin_kind {
	LIN_RESERVE,		/* __pkvm_reserve_vm(): result */
	LIN_UNRESERVE,		/* __pkvm_unreserve_vm(arg0) */
	LIN_INIT_VM,		/* __pkvm_init_vm(kvm, ...): result */
	LIN_INIT_VCPU,		/* __pkvm_init_vcpu(arg0, ...): result */
	LIN_TEARDOWN,		/* __pkvm_teardown_vm(arg0): result */
	LIN_VCPU_LOAD,		/* __pkvm_vcpu_load(arg0, arg1) */
	LIN_VCPU_PUT,		/* __pkvm_vcpu_put() */
	LIN_TLB_FLUSH,		/* __pkvm_tlb_flush_vmid(arg0) */
	LIN_VM_GET,		/* get_pkvm_hyp_vm(arg0): 0 or -ENOENT */
	LIN_VM_GET_NP,		/* get_np_pkvm_hyp_vm(arg0): 0, -ENOENT */
	LIN_VM_PUT,		/* put_pkvm_hyp_vm() of arg0's VM */
	LIN_NR_KINDS,
};

/** enum lin_slot_state - a VM-table slot (SPEC 2). */
enum lin_slot_state {
	LIN_FREE,
	LIN_RESERVED,
	LIN_LIVE,
};

/**
 * struct lin_op - one operation of a concurrent history.
 * @cpu:		the simulated CPU that made it, < lin_init.nr_cpus.
 * @kind:		an enum lin_kind.
 * @arg:		x1..x3 as sent; the hypervisor truncates the handle
 *			(@arg[0]) and a load's vCPU index (@arg[1]) to 32
 *			bits.
 * @kvm:		INIT_VM: the host struct kvm (x1); only printed.
 * @kvm_handle:		INIT_VM: the handle the hypervisor read from it.
 * @created_vcpus:	INIT_VM: the host's vCPU count it read.
 * @is_protected:	INIT_VM: the VM type it read.
 * @vcpu_idx:		INIT_VCPU: the host vCPU's index the hyp read.
 * @result:		RESERVE, INIT_VM, INIT_VCPU, TEARDOWN, VM_GET,
 *			VM_GET_NP: the answer (x1 as a signed value).
 * @call:		position of the invocation.
 * @ret:		position of the response, > @call; LIN_PENDING if the
 *			call never returned (@result is then ignored).
 *
 * Positions come from one counter shared by all CPUs.  Equal positions of
 * a response and an invocation are taken as overlapping.  One CPU's calls
 * do not overlap in a real history, but the checker does not rely on it.
 */
struct lin_op {
	int		cpu;
	unsigned int	kind;
	uint64_t	arg[3];
	uint64_t	kvm;
	unsigned int	kvm_handle;
	int		created_vcpus;
	bool		is_protected;
	unsigned int	vcpu_idx;
	int64_t		result;
	uint64_t	call, ret;
};

/**
 * struct lin_slot - one slot of the table before the history.
 * @state:		an enum lin_slot_state.
 * @created_vcpus:	LIVE: the vCPU count the hyp VM was built with.
 * @vcpus:		LIVE: bit i set if hyp vCPU i is initialised.
 * @refs:		LIVE: references, loaded vCPUs included.
 * @is_protected:	LIVE: a protected VM.
 *
 * The host struct kvm a hyp VM belongs to is not here: no modelled answer
 * depends on it.
 */
struct lin_slot {
	unsigned int	state;
	unsigned int	created_vcpus;
	uint64_t	vcpus;
	unsigned int	refs;
	bool		is_protected;
};

/**
 * struct lin_init - the hypervisor's state before the history, taken
 * while no hypercall was in flight.
 * @has_table:	pKVM has its VM table (protected mode); without it every
 *		slot must be FREE and no vCPU loaded.
 * @nr_cpus:	simulated CPUs, 1..LIN_MAX_CPUS.
 * @slots:	slot i has handle LIN_HANDLE_OFFSET + i.
 * @loaded:	per CPU, whether a vCPU is loaded, and which.
 */
struct lin_init {
	bool		has_table;
	unsigned int	nr_cpus;
	struct lin_slot	slots[LIN_NR_SLOTS];
	struct {
		bool		loaded;
		unsigned int	handle;
		unsigned int	vcpu_idx;
	} loaded[LIN_MAX_CPUS];
};

/**
 * struct lin_result - the verdict of lin_check().
 * @linearizable:	some order of the operations explains every answer.
 * @nr_order:		operations in @order.
 * @order:		indexes into the history: the linearization if
 *			@linearizable (pending operations that need not take
 *			effect are left out), else the longest partial one
 *			found.
 * @stuck:		not linearizable: the operation that could not be
 *			placed after @order; -1 otherwise.
 * @nodes:		states the search visited (its cost).
 * @why:		not linearizable: one paragraph saying why.
 */
struct lin_result {
	bool		linearizable;
	unsigned int	nr_order;
	uint8_t		order[LIN_MAX_OPS];
	int		stuck;
	unsigned long	nodes;
	char		why[400];
};

/**
 * lin_init_empty() - An empty table (every slot FREE, nothing loaded).
 * @init:	what to fill.
 * @nr_cpus:	simulated CPUs.
 * @has_table:	see struct lin_init.
 */
void lin_init_empty(struct lin_init *init, unsigned int nr_cpus,
		    bool has_table);

/**
 * lin_check() - Decide whether a history is linearizable.
 * @init:	the state before it.
 * @ops:	@nr operations, in any order; may be NULL if @nr is 0.
 * @nr:		at most LIN_MAX_OPS.
 * @res:	the verdict.
 *
 * Wing & Gong's search with Lowe's memoisation of (operations placed,
 * model state).  A pending operation may be left out, or placed anywhere
 * after its invocation.  The search can take time exponential in the
 * number of calls in flight at once; a history of a few CPUs' calls takes
 * microseconds, and LIN_MAX_NODES bounds any (well under a second,
 * optimised).
 *
 * Return: 0 with @res filled; -EINVAL for a NULL pointer, a bad kind, a
 * CPU out of range, @ret <= @call, or an inconsistent @init (a loaded vCPU
 * that does not exist, or a slot the history names: only those are read);
 * -ERANGE for an INIT_VCPU that succeeded (or is pending) with an index of
 * LIN_MAX_VCPUS or more; -E2BIG for more than LIN_MAX_OPS operations;
 * -ETIMEDOUT if the search gave up after LIN_MAX_NODES states; -ENOMEM.
 */
int lin_check(const struct lin_init *init, const struct lin_op *ops,
	      unsigned int nr, struct lin_result *res);

/**
 * lin_format_history() - Print a history, one line per operation:
 * index, CPU, call with arguments, answer, [call, ret].
 * @ops:	@nr operations.
 * @nr:		how many.
 * @buf:	where to write, NUL-terminated and truncated to @len.
 * @len:	size of @buf.
 *
 * Return: as snprintf(): the length of the whole text; -EINVAL for a NULL
 * @ops (with @nr > 0) or @buf (with @len > 0).
 */
int lin_format_history(const struct lin_op *ops, unsigned int nr, char *buf,
		       size_t len);

#endif /* PKVMSIM_LINEARIZE_H */
