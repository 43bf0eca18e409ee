/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A reference model of the hypervisor's VM table, written from SPEC
 * sections 1-3 alone (not from src/hyp): the slots, their handles and
 * VMIDs, each live VM's vCPUs and references, and the vCPU each CPU has
 * loaded.  fuzz_vm_table runs every operation on the simulator and on the
 * model and compares the answers and the whole table after each.
 *
 * What the model cannot know from the table alone (whether an area can be
 * donated, a structure pinned) the harness tells it, since it chose the
 * pages and the injected failures.
 */
#ifndef PKVMSIM_FUZZ_VM_TABLE_MODEL_H
#define PKVMSIM_FUZZ_VM_TABLE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pkvmsim/inspect.h>

/* SPEC 1. */
#define MODEL_SLOTS		255U
#define MODEL_HANDLE_OFFSET	0x1000U
/* pkvmsim_hyp_vm_get()'s limit per VM (inspect.h). */
#define MODEL_MAX_HELD		PKVMSIM_MAX_HELD_REFS
#define MODEL_MAX_CPUS		PKVMSIM_MAX_CPUS
/* vCPUs the model follows one by one; more are refused by the harness. */
#define MODEL_MAX_VCPUS		256U

enum model_state { MODEL_FREE, MODEL_RESERVED, MODEL_LIVE };

struct model_vm {
	unsigned int	nr_vcpus;
	uint8_t		vcpu_init[MODEL_MAX_VCPUS];
	unsigned int	nr_init;
	unsigned int	loaded;		/* vCPUs loaded: one reference each */
	unsigned int	held;		/* pkvmsim_hyp_vm_get() references */
	bool		is_protected;
	int		owner;		/* the harness's struct kvm */
};

struct model_cpu {
	bool		loaded;
	unsigned int	idx;		/* slot of the VM */
	unsigned int	vcpu;
};

struct vm_table_model {
	bool			has_table;
	unsigned int		nr_cpus;
	enum model_state	state[MODEL_SLOTS];
	struct model_vm		vm[MODEL_SLOTS];
	struct model_cpu	cpu[MODEL_MAX_CPUS];
};

/* What the harness knows about the pages of one init_vm. */
struct model_init_vm {
	bool		kvm_pinnable;	/* struct kvm shared, pin not failed */
	unsigned int	created_vcpus;	/* as the hyp reads it: unsigned */
	unsigned int	handle;		/* the host's field, 32 bits */
	bool		vm_area_ok;	/* donatable for that many vCPUs */
	bool		pgd_ok;
	bool		is_protected;
	int		owner;
};

struct model_init_vcpu {
	unsigned int	handle;
	bool		area_ok;
	bool		vcpu_pinnable;
	bool		sve;		/* the one init failure modelled */
	unsigned int	vcpu_idx;	/* the host's field, as unsigned */
};

void model_init(struct vm_table_model *m, bool has_table,
		unsigned int nr_cpus);

/* Each returns what the operation answers and applies it. */
int model_reserve(struct vm_table_model *m);
void model_unreserve(struct vm_table_model *m, unsigned int handle);
int model_init_vm(struct vm_table_model *m, const struct model_init_vm *a);
int model_init_vcpu(struct vm_table_model *m,
		    const struct model_init_vcpu *a);
void model_vcpu_load(struct vm_table_model *m, unsigned int cpu,
		     unsigned int handle, unsigned int vcpu);
void model_vcpu_put(struct vm_table_model *m, unsigned int cpu);
int model_get(struct vm_table_model *m, unsigned int handle, bool np);
int model_put(struct vm_table_model *m, unsigned int handle);
int model_teardown(struct vm_table_model *m, unsigned int handle);

/* The slot @handle names, or -1. */
int model_slot_of(unsigned int handle);
/*
 * Compare the model with a snapshot: 0 if they agree, else 1 with the
 * first difference described in @why.
 */
int model_compare(const struct vm_table_model *m,
		  const struct pkvmsim_table *t, char *why, size_t len);

struct pkvmsim;
/*
 * The same, against the hypervisor's own state, read white-box
 * (vm_table_peek.c): faster than a snapshot, for every operation.
 */
int model_peek(const struct vm_table_model *m, const struct pkvmsim *sim,
	       char *why, size_t len);

#endif /* PKVMSIM_FUZZ_VM_TABLE_MODEL_H */
