// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sequential model of the VM table that linearize.c's search places
 * operations in: lin_step() applies one to a state, or refuses it and says
 * what in the state makes the answer wrong.  And lin_format_history(),
 * which writes operations as the explanations do.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lin_internal.h"

#define RESULT_KINDS	(1U << LIN_RESERVE | 1U << LIN_INIT_VM |	\
			 1U << LIN_INIT_VCPU | 1U << LIN_TEARDOWN |	\
			 1U << LIN_VM_GET | 1U << LIN_VM_GET_NP)

static const char *const kind_names[LIN_NR_KINDS] = {
	[LIN_RESERVE]	= "__pkvm_reserve_vm",
	[LIN_UNRESERVE]	= "__pkvm_unreserve_vm",
	[LIN_INIT_VM]	= "__pkvm_init_vm",
	[LIN_INIT_VCPU]	= "__pkvm_init_vcpu",
	[LIN_TEARDOWN]	= "__pkvm_teardown_vm",
	[LIN_VCPU_LOAD]	= "__pkvm_vcpu_load",
	[LIN_VCPU_PUT]	= "__pkvm_vcpu_put",
	[LIN_TLB_FLUSH]	= "__pkvm_tlb_flush_vmid",
	[LIN_VM_GET]	= "get_pkvm_hyp_vm",
	[LIN_VM_GET_NP]	= "get_np_pkvm_hyp_vm",
	[LIN_VM_PUT]	= "put_pkvm_hyp_vm",
};

static const char *const state_names[] = { "FREE", "RESERVED", "LIVE" };

/* The handle the hypervisor acts on: DECLARE_REG truncates x1. */
unsigned int lin_op_handle(const struct lin_op *op)
{
	if (op->kind == LIN_INIT_VM)
		return op->kvm_handle;
	if (op->kind == LIN_RESERVE)
		return (unsigned int)op->result;
	return (uint32_t)op->arg[0];
}

static unsigned int lowest_free(const struct ctx *c, const struct mstate *s)
{
	unsigned int n, low = c->static_free;

	for (n = 0; n < c->nr_named; n++) {
		if (s->s[n].state == LIN_FREE && c->tidx[n] < low)
			low = c->tidx[n];
	}
	return low;
}

/* References on slot @n: gets, loaded vCPUs, transient holders. */
static unsigned int refs(const struct ctx *c, const struct mstate *s,
			 unsigned int n)
{
	unsigned int cpu, r = s->s[n].held;
	uint64_t h;

	for (cpu = 0; cpu < LIN_MAX_CPUS; cpu++)
		r += s->slot[cpu] == n;
	for (h = s->holding; h; h &= h - 1)
		r += c->named[__builtin_ctzll(h)] == n;
	return r;
}

static void fmt_answer(char *buf, size_t len, unsigned int kind, int64_t v)
{
	static const struct { int err; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EINVAL, "EINVAL" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (v == -names[i].err) {
			snprintf(buf, len, "-%s", names[i].name);
			return;
		}
	}
	snprintf(buf, len, kind == LIN_RESERVE && v > 0 ? "%#" PRIx64 :
		 "%" PRId64, v);
}

int lin_fmt_op(char *buf, size_t len, const struct lin_op *op)
{
	bool known = op->kind < LIN_NR_KINDS;
	char args[96] = "", res[24] = "", when[48];

	if (op->kind == LIN_INIT_VM)
		snprintf(args, sizeof(args),
			 "kvm %#" PRIx64 ": handle %#x, created_vcpus %d%s",
			 op->kvm, op->kvm_handle, op->created_vcpus,
			 op->is_protected ? ", protected" : "");
	else if (op->kind == LIN_INIT_VCPU)
		snprintf(args, sizeof(args), "%#" PRIx64 ", vcpu_idx %u",
			 op->arg[0], op->vcpu_idx);
	else if (op->kind == LIN_VCPU_LOAD)
		snprintf(args, sizeof(args), "%#" PRIx64 ", %" PRIu64,
			 op->arg[0], op->arg[1]);
	else if (op->kind != LIN_RESERVE && op->kind != LIN_VCPU_PUT)
		snprintf(args, sizeof(args), "%#" PRIx64, op->arg[0]);

	if (known && (RESULT_KINDS & 1U << op->kind)) {
		memcpy(res, " = ?", 5);
		if (op->ret != LIN_PENDING)
			fmt_answer(res + 3, sizeof(res) - 3, op->kind,
				   op->result);
	}
	if (op->ret == LIN_PENDING)
		snprintf(when, sizeof(when), "[%" PRIu64 ", pending]",
			 op->call);
	else
		snprintf(when, sizeof(when), "[%" PRIu64 ", %" PRIu64 "]",
			 op->call, op->ret);
	return snprintf(buf, len, "cpu%d %s(%s)%s %s", op->cpu,
			known ? kind_names[op->kind] : "?", args, res, when);
}

/* Say what in @s makes ops[@i] answer @expect. */
static void refusal(const struct ctx *c, const struct mstate *s,
		    unsigned int i, int64_t expect, char *why, size_t len)
{
	const struct lin_op *op = &c->ops[i];
	unsigned int n = c->named[i], low = lowest_free(c, s);
	const struct mslot *sl = n == NONE ? NULL : &s->s[n];
	bool live = sl && sl->state == LIN_LIVE;
	char w[96], a[24];
	int k;

	if (!sl)
		k = snprintf(w, sizeof(w), "handle %#x names no slot",
			     lin_op_handle(op));
	else
		k = snprintf(w, sizeof(w), "slot %#x was %s",
			     lin_op_handle(op), state_names[sl->state]);
	if ((op->kind == LIN_RESERVE || op->kind == LIN_INIT_VM) &&
	    !c->init->has_table)
		snprintf(w, sizeof(w), "there is no VM table");
	else if (op->kind == LIN_RESERVE && low == LIN_NR_SLOTS)
		snprintf(w, sizeof(w), "no slot was FREE");
	else if (op->kind == LIN_RESERVE)
		snprintf(w, sizeof(w), "the lowest FREE slot was %#x",
			 low + LIN_HANDLE_OFFSET);
	else if (op->kind == LIN_INIT_VM && op->created_vcpus <= 0)
		snprintf(w, sizeof(w), "created_vcpus %d reads as %u",
			 op->created_vcpus, (unsigned int)op->created_vcpus);
	else if (live && op->kind == LIN_INIT_VCPU)
		snprintf(w + k, sizeof(w) - k, " with %u vCPUs, vCPU %u %s",
			 c->vm_vcpus[sl->vm], op->vcpu_idx,
			 op->vcpu_idx < LIN_MAX_VCPUS &&
			 (sl->vcpus & (1ULL << op->vcpu_idx)) ?
			 "initialised" : "not initialised");
	else if (live && op->kind == LIN_TEARDOWN)
		snprintf(w + k, sizeof(w) - k, " with %u reference(s)",
			 refs(c, s, n));
	else if (live && op->kind == LIN_VM_GET_NP)
		snprintf(w + k, sizeof(w) - k, ", %sprotected",
			 c->vm_prot[sl->vm] ? "" : "not ");

	fmt_answer(a, sizeof(a), op->kind, expect);
	if (op->kind == LIN_VM_PUT)
		snprintf(why, len, "%s, with no reference from a get to drop",
			 w);
	else
		snprintf(why, len, "%s, so %s answers %s%s", w,
			 kind_names[op->kind], a,
			 op->kind == LIN_INIT_VM || op->kind == LIN_INIT_VCPU ?
			 " or a resource failure" : "");
}

/*
 * Apply ops[@i] to @s: the model's answer in @s and its effect, if that is
 * the answer given (or none was); no effect for a resource failure where
 * the code can meet one.  Return: false if the model refuses the answer,
 * with the reason in @why if not NULL.
 */
bool lin_step(const struct ctx *c, struct mstate *s, unsigned int i,
	      char *why, size_t len)
{
	const struct lin_op *op = &c->ops[i];
	unsigned int n = c->named[i], cpu = op->cpu, low = 0, o;
	unsigned int idx = op->kind == LIN_INIT_VCPU ? op->vcpu_idx :
			   (uint32_t)op->arg[1];
	struct mslot *sl = n == NONE ? NULL : &s->s[n];
	bool live = sl && sl->state == LIN_LIVE, spare = false, early;
	bool answered = (RESULT_KINDS & 1U << op->kind) &&
			op->ret != LIN_PENDING;
	int64_t expect = 0, r = op->result;
	uint64_t bit = 1ULL << i;

	switch (op->kind) {
	case LIN_RESERVE:
		low = lowest_free(c, s);
		expect = !c->init->has_table ? -EINVAL :
			 low == LIN_NR_SLOTS ? -ENOMEM :
			 (int64_t)(low + LIN_HANDLE_OFFSET);
		break;
	case LIN_INIT_VM:
		early = !op->created_vcpus ||
			op->kvm_handle < LIN_HANDLE_OFFSET;
		/* A negative count reads as huge: no arena holds its area. */
		expect = early ? -EINVAL : op->created_vcpus < 0 ? -ENOMEM :
			 c->init->has_table && sl &&
			 sl->state == LIN_RESERVED ? 0 : -EINVAL;
		/* The pin comes first, the donation after the two reads. */
		spare = r == -EPERM || (!early && r == -ENOMEM);
		break;
	case LIN_INIT_VCPU:
		expect = !live ? -ENOENT :
			 idx >= c->vm_vcpus[sl->vm] || idx >= LIN_MAX_VCPUS ||
			 (sl->vcpus & (1ULL << idx)) ? -EINVAL : 0;
		/* Donation comes first; pin and features once found. */
		spare = r == -ENOMEM ||
			(live && (r == -EBUSY || r == -EINVAL));
		break;
	case LIN_TEARDOWN:
		expect = !live ? -ENOENT : refs(c, s, n) ? -EBUSY : 0;
		break;
	case LIN_VM_GET:
	case LIN_VM_GET_NP:
		if (s->holding & bit) {
			s->holding &= ~bit;	/* the put after a refusal */
			return true;
		}
		expect = live && (op->kind == LIN_VM_GET ||
				  !c->vm_prot[sl->vm]) ? 0 : -ENOENT;
		break;
	case LIN_VM_PUT:
		if (!live || !sl->held) {
			if (why)
				refusal(c, s, i, 0, why, len);
			return false;
		}
		break;
	}
	if (answered && r != expect) {
		if (!spare && why)
			refusal(c, s, i, expect, why, len);
		return spare;
	}

	switch (op->kind) {
	case LIN_RESERVE:
		/* A pending reserve's slot was named for it by setup(). */
		if (expect > 0 && c->map[low] != NONE)
			s->s[c->map[low]].state = LIN_RESERVED;
		break;
	case LIN_UNRESERVE:
		if (sl && sl->state == LIN_RESERVED)
			sl->state = LIN_FREE;
		break;
	case LIN_INIT_VM:
		if (!expect) {
			sl->state = LIN_LIVE;
			sl->vm = 1 + i;
		}
		break;
	case LIN_INIT_VCPU:
		if (!expect)
			sl->vcpus |= 1ULL << idx;
		break;
	case LIN_TEARDOWN:
		if (!expect)
			*sl = (struct mslot){ .state = LIN_FREE };
		break;
	case LIN_VCPU_LOAD:
		if (s->slot[cpu] != NONE || !live || idx >= LIN_MAX_VCPUS ||
		    !(sl->vcpus & (1ULL << idx)))
			break;
		for (o = 0; o < LIN_MAX_CPUS; o++) {
			if (s->slot[o] == n && s->vcpu[o] == idx)
				return true;	/* loaded elsewhere */
		}
		s->slot[cpu] = n;
		s->vcpu[cpu] = idx;
		break;
	case LIN_VCPU_PUT:
		s->slot[cpu] = NONE;
		s->vcpu[cpu] = 0;
		break;
	case LIN_TLB_FLUSH:
		/* Its get and its put are two critical sections. */
		if (s->holding & bit)
			s->holding &= ~bit;
		else if (live)
			s->holding |= bit;
		break;
	case LIN_VM_GET:
	case LIN_VM_GET_NP:
		if (!expect)
			sl->held++;
		else if (live)	/* refused a protected VM: put follows */
			s->holding |= bit;
		break;
	case LIN_VM_PUT:
		sl->held--;
		break;
	}
	return true;
}

int lin_format_history(const struct lin_op *ops, unsigned int nr, char *buf,
		       size_t len)
{
	size_t total = 0;
	unsigned int i;
	char line[224];
	int n;

	if ((nr && !ops) || (len && !buf))
		return -EINVAL;
	if (len)
		buf[0] = '\0';
	for (i = 0; i < nr; i++) {
		lin_fmt_op(line, sizeof(line), &ops[i]);
		n = snprintf(total < len ? buf + total : NULL,
			     total < len ? len - total : 0, "%2u: %s\n", i,
			     line);
		if (n < 0)
			return -EINVAL;
		total += n;
	}
	return total > INT_MAX ? -EINVAL : (int)total;
}
