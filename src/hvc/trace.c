// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracing: a decorator that records every hypercall it passes on.
 *
 * An entry is written when the call comes back, so the trace is in
 * completion order; with one CPU running at a time (the controlled
 * scheduler) that is also the order in which the hypervisor finished them.
 * The lock is never held across the lower transport, whose scheduling
 * points hand the baton to CPUs that may be on their way in here.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pkvmsim/hvc.h>
#include "hvc_internal.h"

struct pkvm_hvc_trace {
	struct pkvm_hvc_ops	ops;	/* what the user installs */
	struct pkvm_hvc_ops	lower;	/* copied, as pkvmsim_set_hvc() does */
	char			name[64];
	size_t			capacity;

	pthread_mutex_t		lock;	/* protects everything below */
	uint64_t		count;	/* calls seen since the last clear */
	/* ... by number; the last counts every number past the others */
	uint64_t		by_nr[PKVM_HVC_TRACE_NRS + 1];
	struct pkvm_hvc_trace_entry entries[];
};

_Static_assert(sizeof(((struct pkvm_hvc_trace_entry *)0)->in) ==
	       sizeof(((struct pkvmsim_regs *)0)->x),
	       "a trace entry holds the whole register file");

/* The getters take a const trace; the lock is not part of its value. */
static pthread_mutex_t *trace_lock(const struct pkvm_hvc_trace *trace)
{
	return (pthread_mutex_t *)&trace->lock;
}

static int trace_hvc(void *ctx, unsigned int cpu, struct pkvmsim_regs *regs)
{
	struct pkvm_hvc_trace *trace = ctx;
	struct pkvm_hvc_trace_entry entry = { .cpu = cpu };

	if (!trace || !regs)
		return -EINVAL;

	memcpy(entry.in, regs->x, sizeof(entry.in));
	entry.nr = hvc_nr_of(regs->x[0]);
	entry.ret = pkvm_hvc_call(&trace->lower, cpu, regs);
	entry.x0 = regs->x[0];
	entry.x1 = regs->x[1];

	pthread_mutex_lock(&trace->lock);
	entry.seq = trace->count++;
	trace->by_nr[entry.nr < PKVM_HVC_TRACE_NRS ? entry.nr :
					       PKVM_HVC_TRACE_NRS]++;
	if (entry.seq < trace->capacity)
		trace->entries[entry.seq] = entry;
	pthread_mutex_unlock(&trace->lock);

	return entry.ret;
}

int pkvm_hvc_trace_create(const struct pkvm_hvc_ops *lower, size_t capacity,
			  struct pkvm_hvc_trace **tracep)
{
	struct pkvm_hvc_trace *trace;

	if (!lower || !lower->hvc || !tracep)
		return -EINVAL;
	if (capacity > (SIZE_MAX - sizeof(*trace)) / sizeof(trace->entries[0]))
		return -ENOMEM;

	/* All at once: recording must not fail, or allocate, mid-run. */
	trace = calloc(1, sizeof(*trace) +
			  capacity * sizeof(trace->entries[0]));
	if (!trace)
		return -ENOMEM;

	trace->lower = *lower;
	snprintf(trace->name, sizeof(trace->name), "trace(%s)",
		 lower->name ? lower->name : "?");
	trace->ops = (struct pkvm_hvc_ops){
		.name = trace->name,
		.hvc = trace_hvc,
		.ctx = trace,
	};
	trace->capacity = capacity;
	pthread_mutex_init(&trace->lock, NULL);

	*tracep = trace;
	return 0;
}

void pkvm_hvc_trace_destroy(struct pkvm_hvc_trace *trace)
{
	if (!trace)
		return;
	pthread_mutex_destroy(&trace->lock);
	free(trace);
}

const struct pkvm_hvc_ops *pkvm_hvc_trace_ops(struct pkvm_hvc_trace *trace)
{
	return trace ? &trace->ops : NULL;
}

uint64_t pkvm_hvc_trace_count(const struct pkvm_hvc_trace *trace)
{
	uint64_t n;

	if (!trace)
		return 0;

	pthread_mutex_lock(trace_lock(trace));
	n = trace->count;
	pthread_mutex_unlock(trace_lock(trace));
	return n;
}

uint64_t pkvm_hvc_trace_count_nr(const struct pkvm_hvc_trace *trace,
				 uint64_t nr)
{
	uint64_t n;

	if (!trace)
		return 0;

	pthread_mutex_lock(trace_lock(trace));
	n = trace->by_nr[nr < PKVM_HVC_TRACE_NRS ? nr : PKVM_HVC_TRACE_NRS];
	pthread_mutex_unlock(trace_lock(trace));
	return n;
}

int pkvm_hvc_trace_get(const struct pkvm_hvc_trace *trace, size_t i,
		       struct pkvm_hvc_trace_entry *entry)
{
	int ret = -ENOENT;

	if (!trace || !entry)
		return -EINVAL;

	pthread_mutex_lock(trace_lock(trace));
	if (i < trace->capacity && i < trace->count) {
		*entry = trace->entries[i];
		ret = 0;
	}
	pthread_mutex_unlock(trace_lock(trace));
	return ret;
}

void pkvm_hvc_trace_clear(struct pkvm_hvc_trace *trace)
{
	if (!trace)
		return;

	pthread_mutex_lock(&trace->lock);
	trace->count = 0;
	memset(trace->by_nr, 0, sizeof(trace->by_nr));
	pthread_mutex_unlock(&trace->lock);
}

/* --- formatting --- */

/* What a handler leaves in x1 when the dispatcher accepted the call. */
enum hcall_result {
	RES_NONE,	/* nothing: x1 is left as it came in */
	RES_INT,	/* an int: an errno when negative */
	RES_U64,	/* a raw value */
};

/*
 * struct hcall_abi - how a handler reads its registers.
 * @nargs:	arguments in x1 onwards; the register file stops at x3, so
 *		a handler that reads x4 is shown with "..." for the rest.
 * @result:	what it leaves in x1.
 *
 * From the 6.18 handlers in hyp-main.c, except __pkvm_init, which is shown
 * as the simulator's handler reads it (upstream's takes five arguments).
 */
struct hcall_abi {
	unsigned char	nargs;
	unsigned char	result;
};

static const struct hcall_abi hcall_abi[PKVMSIM_HCALL_NR] = {
	[0]  = { 1, RES_NONE },	/* __kvm_hyp_init: x0 is the answer */
	[1]  = { 2, RES_INT },	/* __pkvm_init */
	[2]  = { 3, RES_INT },	/* __pkvm_create_private_mapping */
	[3]  = { 1, RES_INT },	/* __pkvm_cpu_set_vector */
	[4]  = { 0, RES_NONE },	/* __kvm_enable_ssbs */
	[5]  = { 0, RES_NONE },	/* __vgic_v3_init_lrs */
	[6]  = { 0, RES_U64 },	/* __vgic_v3_get_gic_config */
	[7]  = { 0, RES_INT },	/* __pkvm_prot_finalize */
	[8]  = { 1, RES_INT },	/* __pkvm_host_share_hyp */
	[9]  = { 1, RES_INT },	/* __pkvm_host_unshare_hyp */
	[10] = { 4, RES_INT },	/* __pkvm_host_share_guest */
	[11] = { 3, RES_INT },	/* __pkvm_host_unshare_guest */
	[12] = { 2, RES_INT },	/* __pkvm_host_relax_perms_guest */
	[13] = { 3, RES_INT },	/* __pkvm_host_wrprotect_guest */
	[14] = { 4, RES_INT },	/* __pkvm_host_test_clear_young_guest */
	[15] = { 1, RES_INT },	/* __pkvm_host_mkyoung_guest */
	[16] = { 1, RES_NONE },	/* __kvm_adjust_pc */
	[17] = { 1, RES_INT },	/* __kvm_vcpu_run */
	[18] = { 0, RES_NONE },	/* __kvm_flush_vm_context */
	[19] = { 3, RES_NONE },	/* __kvm_tlb_flush_vmid_ipa */
	[20] = { 3, RES_NONE },	/* __kvm_tlb_flush_vmid_ipa_nsh */
	[21] = { 1, RES_NONE },	/* __kvm_tlb_flush_vmid */
	[22] = { 3, RES_NONE },	/* __kvm_tlb_flush_vmid_range */
	[23] = { 1, RES_NONE },	/* __kvm_flush_cpu_context */
	[24] = { 1, RES_NONE },	/* __kvm_timer_set_cntvoff */
	[25] = { 1, RES_NONE },	/* __vgic_v3_save_vmcr_aprs */
	[26] = { 1, RES_NONE },	/* __vgic_v3_restore_vmcr_aprs */
	[PKVMSIM_HCALL_PKVM_RESERVE_VM]		= { 0, RES_INT },
	[PKVMSIM_HCALL_PKVM_UNRESERVE_VM]	= { 1, RES_NONE },
	[PKVMSIM_HCALL_PKVM_INIT_VM]		= { 3, RES_INT },
	[PKVMSIM_HCALL_PKVM_INIT_VCPU]		= { 3, RES_INT },
	[PKVMSIM_HCALL_PKVM_TEARDOWN_VM]	= { 1, RES_INT },
	[PKVMSIM_HCALL_PKVM_VCPU_LOAD]		= { 3, RES_NONE },
	[PKVMSIM_HCALL_PKVM_VCPU_PUT]		= { 0, RES_NONE },
	[PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID]	= { 1, RES_NONE },
};

/* An id no table knows: show all it might carry. */
static const struct hcall_abi unknown_abi = { 3, RES_U64 };

#define ERRNO_NAME(e)	[e] = #e

/* The errnos the hypervisor and the transports answer with. */
static const char *const errno_names[] = {
	ERRNO_NAME(EPERM),
	ERRNO_NAME(ENOENT),
	ERRNO_NAME(EIO),
	ERRNO_NAME(E2BIG),
	ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ENOMEM),
	ERRNO_NAME(EFAULT),
	ERRNO_NAME(EBUSY),
	ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV),
	ERRNO_NAME(EINVAL),
	ERRNO_NAME(ENOSPC),
	ERRNO_NAME(ERANGE),
	ERRNO_NAME(ENOSYS),
	ERRNO_NAME(EOPNOTSUPP),
	ERRNO_NAME(ETIMEDOUT),
	ERRNO_NAME(EUCLEAN),
};

static const char *errno_name(int err)
{
	long e = -(long)err;

	if (e <= 0 || e >= (long)(sizeof(errno_names) / sizeof(errno_names[0])))
		return NULL;
	return errno_names[e];
}

/* snprintf() into a line that keeps counting once the buffer is full. */
struct line {
	char	*buf;
	size_t	len;
	size_t	used;	/* what the whole line needs, NUL excluded */
};

__attribute__((format(printf, 2, 3)))
static void line_add(struct line *l, const char *fmt, ...)
{
	char *at = l->used < l->len ? l->buf + l->used : NULL;
	size_t room = l->used < l->len ? l->len - l->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n;
}

static void line_add_errno(struct line *l, int err)
{
	const char *name = errno_name(err);

	if (name)
		line_add(l, "%d (%s)", err, name);
	else
		line_add(l, "%d", err);
}

static void line_add_result(struct line *l, enum hcall_result kind,
			    uint64_t x1)
{
	int val = (int)x1;	/* what kvm_call_hyp_nvhe() evaluates to */

	switch (kind) {
	case RES_NONE:
		return;
	case RES_INT:
		line_add(l, " = ");
		if (val < 0)
			line_add_errno(l, val);
		else if (val > 0)
			line_add(l, "%#x", (unsigned int)val);
		else
			line_add(l, "0");
		return;
	case RES_U64:
		line_add(l, " = 0x%" PRIx64, x1);
		return;
	}
}

static void line_add_status(struct line *l, uint64_t x0)
{
	switch ((int64_t)x0) {
	case -1:
		line_add(l, " = NOT_SUPPORTED");
		break;
	case -2:
		line_add(l, " = NOT_REQUIRED");
		break;
	case -3:
		line_add(l, " = INVALID_PARAMETER");
		break;
	default:
		line_add(l, " = SMCCC status 0x%" PRIx64, x0);
		break;
	}
}

/*
 * Like snprintf(), the length returned is the whole line's, so a caller
 * can tell a line cut short by @len (and size a buffer with @len = 0).
 */
int pkvm_hvc_trace_format(const struct pkvm_hvc_trace_entry *entry,
			  char *buf, size_t len)
{
	struct line l = { .buf = buf, .len = len };
	const struct hcall_abi *abi = &unknown_abi;
	const char *name = NULL;
	unsigned int i, shown;

	if (!entry || (!buf && len))
		return -EINVAL;
	if (len)
		buf[0] = '\0';

	if (entry->nr < PKVMSIM_HCALL_NR) {
		name = pkvmsim_hcall_name((unsigned long)entry->nr);
		abi = &hcall_abi[entry->nr];
	}

	line_add(&l, "cpu%u ", entry->cpu);
	if (name)
		line_add(&l, "%s(", name);
	else
		line_add(&l, "hvc[0x%" PRIx64 "](", entry->in[0]);

	shown = abi->nargs < 3 ? abi->nargs : 3;
	for (i = 1; i <= shown; i++)
		line_add(&l, "%s0x%" PRIx64, i > 1 ? ", " : "",
			 entry->in[i]);
	line_add(&l, "%s)", abi->nargs > shown ? ", ..." : "");

	if (entry->ret) {
		line_add(&l, " -> transport error ");
		line_add_errno(&l, entry->ret);
	} else if (entry->x0 != PKVMSIM_SMCCC_RET_SUCCESS) {
		line_add_status(&l, entry->x0);
	} else {
		line_add_result(&l, abi->result, entry->x1);
	}

	return (int)l.used;
}
