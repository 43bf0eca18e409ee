/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the linearizability checker's two files share and nothing outside
 * them sees: the search's context and the model's state.  Not installed.
 *
 * - linearize.c: the search (Wing & Gong's, with Lowe's memo) and the
 *   entry points lin_check() and lin_init_empty().
 * - lin_model.c: the sequential model of the VM table, which applies one
 *   operation to a state or says why it cannot, and lin_format_history().
 *
 * What one file defines for the other is named lin_*, as the entry points
 * are, because the library exports every name that is not static.
 */
#ifndef PKVMSIM_LIN_INTERNAL_H
#define PKVMSIM_LIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linearize.h"

#define NONE		0xff
#define MAX_NAMED	(LIN_MAX_OPS + LIN_MAX_CPUS)
#define MAX_STEPS	(2 * LIN_MAX_OPS)
/* VMs: none, each INIT_VM, each named slot's initial one. */
#define MAX_VMS		(1 + LIN_MAX_OPS + MAX_NAMED)

/* A slot some operation names; hashed and compared as bytes: no padding. */
struct mslot {
	uint64_t	vcpus;
	uint32_t	held;	/* references from gets (and lin_init) */
	uint8_t		state;
	uint8_t		vm;	/* the LIVE VM: index into ctx.vm_* */
	uint16_t	pad;
};

/* The memo's key: with the operations placed (@done) in it. */
struct mstate {
	uint64_t	done;
	uint64_t	holding;
	uint8_t		slot[LIN_MAX_CPUS];	/* of a loaded vCPU */
	uint8_t		vcpu[LIN_MAX_CPUS];
	struct mslot	s[];
};

/* Open addressing; an entry is a hash (0: empty) and a state. */
struct cache {
	char		*e;
	size_t		esize;
	uint32_t	mask, nr;
	bool		full;
};

struct ctx {
	const struct lin_init	*init;
	const struct lin_op	*ops;
	unsigned int		nr;
	uint64_t		complete;
	uint64_t		before[LIN_MAX_OPS];
	uint8_t			by_ret[LIN_MAX_OPS];
	/* Named slots: each op's, and both ways to the table's index. */
	uint8_t			named[LIN_MAX_OPS];
	uint8_t			map[LIN_NR_SLOTS];
	uint8_t			tidx[MAX_NAMED];
	unsigned int		nr_named;
	unsigned int		static_free;
	unsigned int		vm_vcpus[MAX_VMS];
	bool			vm_prot[MAX_VMS];
	size_t			size;
	char			*states;		/* one per depth */
	struct cache		cache;
	unsigned long		nodes;
	unsigned int		best;
	uint8_t			path[MAX_STEPS];
	uint8_t			best_path[MAX_STEPS];
};

/* lin_model.c */
unsigned int lin_op_handle(const struct lin_op *op);
int lin_fmt_op(char *buf, size_t len, const struct lin_op *op);
bool lin_step(const struct ctx *c, struct mstate *s, unsigned int i,
	      char *why, size_t len);

#endif /* PKVMSIM_LIN_INTERNAL_H */
