// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection: a decorator that answers chosen hypercalls with an
 * error instead of passing them on.
 *
 * The answer is what the hypervisor gives when a handler fails (x0 =
 * SMCCC_RET_SUCCESS, x1 = the negative errno), so the host code above sees
 * nothing it could not see from real hardware, and the layers below see no
 * call at all: a failed reserve leaves the VM table untouched.
 *
 * The lock only guards the rule and the counters.  It is never held across
 * the lower transport, whose scheduling points hand the baton to another
 * simulated CPU that may itself be on its way into this decorator, nor
 * across a user's predicate, which is free to re-arm the injector.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <pkvmsim/hvc.h>
#include "hvc_internal.h"

enum fault_rule {
	FAULT_NONE,	/* pass everything through */
	FAULT_NTH,	/* fail one call, counted by number */
	FAULT_MATCH,	/* fail what a predicate picks */
};

struct pkvm_hvc_fault {
	struct pkvm_hvc_ops	ops;	/* what the user installs */
	struct pkvm_hvc_ops	lower;	/* copied, as pkvmsim_set_hvc() does */
	char			name[64];

	pthread_mutex_t		lock;	/* protects everything below */
	enum fault_rule		rule;
	int			err;
	/* FAULT_NTH */
	bool			any_nr;
	uint64_t		nr;
	unsigned long		nth;
	unsigned long		seen;	/* matching calls since armed */
	/* FAULT_MATCH */
	pkvm_hvc_fault_pred_t	pred;
	void			*pred_ctx;

	unsigned long		injected;
};

/* The getters take a const injector; the lock is not part of its value. */
static pthread_mutex_t *fault_lock(const struct pkvm_hvc_fault *fault)
{
	return (pthread_mutex_t *)&fault->lock;
}

/*
 * Whether to fail this call, and with what: 0 lets it through.  The nth
 * rule is decided and spent under the lock, so that with several CPUs
 * racing exactly one call is the nth.
 */
static int fault_decide(struct pkvm_hvc_fault *fault, unsigned int cpu,
			const struct pkvmsim_regs *regs)
{
	pkvm_hvc_fault_pred_t pred = NULL;
	void *pred_ctx = NULL;
	int err = 0;

	pthread_mutex_lock(&fault->lock);
	switch (fault->rule) {
	case FAULT_NTH:
		if ((fault->any_nr || hvc_nr_of(regs->x[0]) == fault->nr) &&
		    ++fault->seen == fault->nth) {
			err = fault->err;
			fault->rule = FAULT_NONE;
			fault->injected++;
		}
		break;
	case FAULT_MATCH:
		pred = fault->pred;
		pred_ctx = fault->pred_ctx;
		err = fault->err;
		break;
	case FAULT_NONE:
		break;
	}
	pthread_mutex_unlock(&fault->lock);

	if (!pred)
		return err;
	if (!pred(pred_ctx, cpu, regs))
		return 0;

	pthread_mutex_lock(&fault->lock);
	fault->injected++;
	pthread_mutex_unlock(&fault->lock);
	return err;
}

static int fault_hvc(void *ctx, unsigned int cpu, struct pkvmsim_regs *regs)
{
	struct pkvm_hvc_fault *fault = ctx;
	int err;

	if (!fault || !regs)
		return -EINVAL;

	err = fault_decide(fault, cpu, regs);
	if (!err)
		return pkvm_hvc_call(&fault->lower, cpu, regs);

	/* As handle_host_hcall() leaves a handler's error (SPEC 4). */
	regs->x[0] = PKVMSIM_SMCCC_RET_SUCCESS;
	regs->x[1] = (uint64_t)(int64_t)err;
	return 0;
}

int pkvm_hvc_fault_create(const struct pkvm_hvc_ops *lower,
			  struct pkvm_hvc_fault **faultp)
{
	struct pkvm_hvc_fault *fault;

	if (!lower || !lower->hvc || !faultp)
		return -EINVAL;

	fault = calloc(1, sizeof(*fault));
	if (!fault)
		return -ENOMEM;

	fault->lower = *lower;
	snprintf(fault->name, sizeof(fault->name), "fault(%s)",
		 lower->name ? lower->name : "?");
	fault->ops = (struct pkvm_hvc_ops){
		.name = fault->name,
		.hvc = fault_hvc,
		.ctx = fault,
	};
	pthread_mutex_init(&fault->lock, NULL);
	fault->rule = FAULT_NONE;

	*faultp = fault;
	return 0;
}

void pkvm_hvc_fault_destroy(struct pkvm_hvc_fault *fault)
{
	if (!fault)
		return;
	pthread_mutex_destroy(&fault->lock);
	free(fault);
}

const struct pkvm_hvc_ops *pkvm_hvc_fault_ops(struct pkvm_hvc_fault *fault)
{
	return fault ? &fault->ops : NULL;
}

int pkvm_hvc_fault_nth(struct pkvm_hvc_fault *fault, long nr,
		       unsigned long nth, int err)
{
	if (!fault || nr < -1 || !nth || err >= 0)
		return -EINVAL;

	pthread_mutex_lock(&fault->lock);
	fault->rule = FAULT_NTH;
	fault->err = err;
	fault->any_nr = nr == -1;
	fault->nr = fault->any_nr ? 0 : (uint64_t)nr;
	fault->nth = nth;
	fault->seen = 0;
	fault->pred = NULL;
	fault->pred_ctx = NULL;
	pthread_mutex_unlock(&fault->lock);
	return 0;
}

int pkvm_hvc_fault_match(struct pkvm_hvc_fault *fault,
			 pkvm_hvc_fault_pred_t pred, void *ctx, int err)
{
	if (!fault || !pred || err >= 0)
		return -EINVAL;

	pthread_mutex_lock(&fault->lock);
	fault->rule = FAULT_MATCH;
	fault->err = err;
	fault->pred = pred;
	fault->pred_ctx = ctx;
	pthread_mutex_unlock(&fault->lock);
	return 0;
}

int pkvm_hvc_fault_clear(struct pkvm_hvc_fault *fault)
{
	if (!fault)
		return -EINVAL;

	pthread_mutex_lock(&fault->lock);
	fault->rule = FAULT_NONE;
	fault->pred = NULL;
	fault->pred_ctx = NULL;
	pthread_mutex_unlock(&fault->lock);
	return 0;
}

unsigned long pkvm_hvc_fault_injected(const struct pkvm_hvc_fault *fault)
{
	unsigned long n;

	if (!fault)
		return 0;

	pthread_mutex_lock(fault_lock(fault));
	n = fault->injected;
	pthread_mutex_unlock(fault_lock(fault));
	return n;
}
