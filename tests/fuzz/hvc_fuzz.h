/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_hvc's state, shared by its files: fuzz_hvc.c (the machine, the
 * verdict after each operation), hvc_ops.c (the operations) and
 * hvc_values.c (register values).
 */
#ifndef PKVMSIM_FUZZ_HVC_FUZZ_H
#define PKVMSIM_FUZZ_HVC_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include <pkvmsim/pkvmsim.h>
#include <pkvmsim/inspect.h>
#include "sim_env.h"
#include "sim_inject.h"
#include "hyp_state.h"
#include "machine.h"
#include "oracle.h"

#include "fuzz_input.h"
#include "hvc_verdict.h"

#define HF_CPUS		4
/*
 * Room for one host vCPU pinned 65536 times, each pin paid for with a
 * donated page (hvc_ops.c, op_pin_storm()); a reset costs only the pages
 * an input touched, so the size costs nothing else.
 */
#define HF_ARENA_PAGES	(1UL << 17)
#define HF_MAX_OPS	256
/* Violations judged per input (the oracle keeps 64 in full). */
#define HF_KEPT		64
#define HF_MAX_VMS	8
#define HF_MAX_PAGES	16
#define HF_MAX_RAW	4

/* A host VM of the host model, while it lives. */
struct hf_vm {
	struct pkvmsim_vm	*vm;
	unsigned int		nr_vcpus;	/* created through the API */
};

/* Pages from pkvmsim_host_pages_alloc(). */
struct hf_pages {
	uint64_t	hva;
	unsigned long	nr;
};

/*
 * The hostile host's own VM: a struct kvm and one struct kvm_vcpu in
 * pages it shared, whose fields it writes as it likes.
 */
struct hf_raw {
	struct kvm	*kvm;
	struct kvm_vcpu	*vcpu;
	unsigned int	handle;		/* the last it reserved for it */
};

struct hvc_fuzz {
	struct pkvmsim		*sim;
	bool			direct;
	bool			rebuild;	/* destroy, not reset, next */
	struct hvc_context	ctx;
	unsigned long		seen;		/* violations judged */
	unsigned long		ledger_seen;
	struct pkvmsim_violation kept[HF_KEPT];
	struct pkvmsim_report	report;

	struct hf_vm		vms[HF_MAX_VMS];
	unsigned int		nr_vms;
	/* The last VMs destroyed: their handles must be refused. */
	struct pkvmsim_vm	*gone[HF_MAX_VMS];
	unsigned int		nr_gone;
	struct hf_pages		pages[HF_MAX_PAGES];
	unsigned int		nr_pages;
	struct hf_raw		raw[HF_MAX_RAW];
	unsigned int		nr_raw;
	/* hf_mine(): a bit per arena page. */
	uint64_t		mine[HF_ARENA_PAGES / 64];

	unsigned long		op;
	const char		*opname;
	bool			trace;
};

extern struct hvc_fuzz hf;

void hf_fail(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* Run operation @op (a byte) with its arguments from @in (hvc_ops.c). */
void hf_op(struct fuzz_input *in, unsigned int op);

/*
 * A register value (hvc_values.c): one byte picks the kind, more bytes
 * its details.  Marks the input tainted if the value names a host VM.
 */
uint64_t hf_value(struct fuzz_input *in);
/* A handle, as hf_value() picks them. */
unsigned int hf_handle(struct fuzz_input *in);
/*
 * Whether @x, as a handle, an address, a physical address or a frame
 * number, names something of the host model's: a live host VM's handle,
 * or an arena page allocated and not the hostile host's own.
 */
bool hf_tampers(uint64_t x);
/* Pages the hostile host allocated itself (@on) or gave back. */
void hf_mine(uint64_t hva, unsigned long nr, bool on);

#endif /* PKVMSIM_FUZZ_HVC_FUZZ_H */
