/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_vm_table's state and its test host, shared by fuzz_vm_table.c (the
 * operations, one input) and vm_table_host.c (hypercalls, pages, the
 * struct kvm and vCPUs of the test host, handles, the checks).
 */
#ifndef PKVMSIM_FUZZ_VM_TABLE_FUZZ_H
#define PKVMSIM_FUZZ_VM_TABLE_FUZZ_H

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
#include "vm_table_model.h"

#define NR_CPUS_SIM	4
#define ARENA_PAGES	1024UL
/* The last kvm and the last vCPU of each are never shared: pins fail. */
#define NR_KVMS		4
#define NR_VCPUS	4
#define MAX_OPS		512
#define NR_STALE	4

struct hkvm {
	struct kvm	*kvm;
	struct kvm_vcpu	*vcpu[NR_VCPUS];
};

/* An area an init call donates, and what the model may expect of it. */
struct area {
	void		*va;		/* pages to free if it comes back */
	unsigned long	pages;
	uint64_t	hva;		/* what the call passes */
	bool		ok;		/* donatable */
	bool		inject;		/* its donation fails by injection */
};

struct vm_table_fuzz {
	struct pkvmsim		*sim;
	struct pkvmsim_config	cfg;
	struct vm_table_model	model;
	struct hkvm		kvm[NR_KVMS];
	unsigned int		stale[NR_STALE];
	unsigned int		nr_stale;
	unsigned long		op;
	const char		*opname;
	unsigned int		handle;
	struct pkvmsim_table	table;
	struct pkvmsim_report	report;
	/* PKVMSIM_FUZZ_TRACE set: each operation and answer on stderr. */
	bool			trace;};

extern struct vm_table_fuzz h;

/* A finding: say what, with the operation, and abort. */
void vt_fail(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* The answer against the model's; a difference is a finding. */
void vt_expect(int got, int want);
/*
 * The table and the records against the model, read white-box; through
 * pkvmsim_table_snapshot() too after every eighth operation and if
 * @snapshot.
 */
void vt_verify(bool snapshot);

unsigned long vt_pages_for(unsigned long bytes);
/* Hypercall @nr from @cpu; the dispatcher must take it.  Returns x1. */
int vt_hvc(unsigned int cpu, unsigned long nr, uint64_t a1, uint64_t a2,
	   uint64_t a3);
void vt_free_pages(void *va, unsigned long nr);
void vt_share(void *va, bool on);
bool vt_kvm_shared(unsigned int k);
bool vt_vcpu_shared(unsigned int v);
/* The test host's struct kvm @k, vCPU @v of it: made on first use. */
struct kvm *vt_kvm_of(unsigned int k);
struct kvm_vcpu *vt_vcpu_of(unsigned int k, unsigned int v);
/* An area of @bytes of kind @kind (most good; see vm_table_host.c). */
void vt_area_get(struct area *a, unsigned int kind, unsigned long bytes,
		 bool fits);
/* After the call that answered @ret: a refused area is the host's. */
void vt_area_put(struct area *a, int ret);
/* Free what the teardown memcaches of struct kvm @k hold. */
void vt_reclaim(int k);

/* A stale handle, to draw later. */
void vt_forget_handle(unsigned int handle);
unsigned int vt_pick_handle(struct fuzz_input *in);
uint64_t vt_handle_reg(struct fuzz_input *in, unsigned int handle);
unsigned int vt_pick_cpu(struct fuzz_input *in);
unsigned int vt_pick_vcpu_count(struct fuzz_input *in);
unsigned int vt_pick_vcpu_index(struct fuzz_input *in);

#endif /* PKVMSIM_FUZZ_VM_TABLE_FUZZ_H */
