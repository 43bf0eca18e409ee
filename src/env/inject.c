// SPDX-License-Identifier: GPL-2.0-only
/*
 * Injected failures (sim_inject.h): per kind, a number of calls to let
 * pass and a number to fail after them.
 */
#include <string.h>

#include "sim_inject.h"

struct inject_rule {
	unsigned long	skip;
	unsigned long	count;
	unsigned long	failed;
};

static struct inject_rule rules[SIM_INJECT_NR];
/* Bit k set: kind k is armed.  The hooks' fast path reads only this. */
static unsigned int armed;

/* The kernel functions whose host-side page check stands for a kind. */
static const char *const check_funcs[SIM_INJECT_NR] = {
	[SIM_INJECT_DONATE]	= "__pkvm_host_donate_hyp",
	[SIM_INJECT_PIN]	= "hyp_pin_shared_mem",
	[SIM_INJECT_SHARE]	= "__pkvm_host_share_hyp",
};

void sim_inject_arm(enum sim_inject_kind kind, unsigned long skip,
		    unsigned long count)
{
	unsigned int bit;

	if ((unsigned int)kind >= SIM_INJECT_NR)
		return;
	bit = 1U << kind;
	rules[kind].skip = skip;
	rules[kind].count = count;
	__atomic_store_n(&armed, count ? armed | bit : armed & ~bit,
			 __ATOMIC_RELAXED);
}

void sim_inject_reset(void)
{
	__atomic_store_n(&armed, 0, __ATOMIC_RELAXED);
	memset(rules, 0, sizeof(rules));
}

unsigned long sim_inject_count(enum sim_inject_kind kind)
{
	if ((unsigned int)kind >= SIM_INJECT_NR)
		return 0;
	return rules[kind].failed;
}

bool sim_inject_fail(enum sim_inject_kind kind)
{
	struct inject_rule *r = &rules[kind];

	if (!(__atomic_load_n(&armed, __ATOMIC_RELAXED) & (1U << kind)))
		return false;
	if (r->skip) {
		r->skip--;
		return false;
	}
	r->failed++;
	if (!--r->count)
		__atomic_and_fetch(&armed, ~(1U << kind), __ATOMIC_RELAXED);
	return true;
}

bool sim_inject_page_check(const char *func)
{
	unsigned int kind;

	if (!__atomic_load_n(&armed, __ATOMIC_RELAXED) || !func)
		return false;
	for (kind = 0; kind < SIM_INJECT_NR; kind++) {
		if (check_funcs[kind] && !strcmp(func, check_funcs[kind]))
			return sim_inject_fail((enum sim_inject_kind)kind);
	}
	return false;
}
