/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the built-in scenarios share: a raw hypercall, page arithmetic, and
 * a hyp VM built behind the host's back.  Public API only, as a user's own
 * scenario would be (<pkvmsim/pkvmsim.h>, <pkvmsim/inspect.h>).  Each
 * family of scenarios lives in its own file and lists itself here.
 */
#ifndef PKVMSIM_SCENARIO_COMMON_H
#define PKVMSIM_SCENARIO_COMMON_H

#include <errno.h>
#include <stdint.h>

#include <pkvmsim/explore.h>
#include <pkvmsim/inspect.h>

#define SCN_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Every family: an array of scenarios and its length. */
extern const struct pkvmsim_scenario scenario_hostile[];
extern const unsigned int scenario_hostile_nr;
extern const struct pkvmsim_scenario scenario_lifecycle[];
extern const unsigned int scenario_lifecycle_nr;

/*
 * Raw hypercall @nr from @cpu: 0 and the handler's int in *@x1 (if not
 * NULL), -EOPNOTSUPP if the dispatcher refused it, or pkvmsim_hvc()'s
 * error.
 */
static inline int scn_hvc(struct pkvmsim *sim, unsigned int cpu,
			  unsigned long nr, uint64_t a1, uint64_t a2,
			  uint64_t a3, int *x1)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};
	int ret = pkvmsim_hvc(sim, cpu, &regs);

	if (!ret && regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		ret = -EOPNOTSUPP;
	if (x1)
		*x1 = ret ? ret : (int)(int64_t)regs.x[1];
	return ret;
}

/* The raw hypercall's answer, or the error of making it. */
static inline int scn_call(struct pkvmsim *sim, unsigned int cpu,
			   unsigned long nr, uint64_t a1, uint64_t a2,
			   uint64_t a3)
{
	int x1;

	scn_hvc(sim, cpu, nr, a1, a2, a3, &x1);
	return x1;
}

static inline unsigned long scn_pages(unsigned long bytes)
{
	return (bytes + PKVMSIM_PAGE_SIZE - 1) / PKVMSIM_PAGE_SIZE;
}

/* What the slot of @handle holds now; FREE if it cannot be read. */
static inline enum pkvmsim_slot_state scn_slot_state(struct pkvmsim *sim,
						     unsigned int handle)
{
	struct pkvmsim_slot s;

	if (pkvmsim_slot(sim, handle, &s))
		return PKVMSIM_SLOT_FREE;
	return s.state;
}

static inline const char *scn_slot_name(enum pkvmsim_slot_state state)
{
	switch (state) {
	case PKVMSIM_SLOT_FREE:
		return "FREE";
	case PKVMSIM_SLOT_RESERVED:
		return "RESERVED";
	case PKVMSIM_SLOT_LIVE:
		return "LIVE";
	}
	return "?";
}

#endif /* PKVMSIM_SCENARIO_COMMON_H */
