/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared CMocka fixtures and a minimal test host.
 *
 * The test host does what the host kernel does for the hypervisor (share
 * struct kvm and each vCPU, donate the VM, PGD and vCPU areas, free the
 * teardown memcaches) and nothing more, so hyp behaviour can be tested one
 * hypercall at a time.  The real host model is src/host/.
 */
#ifndef PKVMSIM_SIM_TEST_H
#define PKVMSIM_SIM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pkvmsim/pkvmsim.h>
#include "sim_env.h"
#include "hyp_state.h"

/* --- fixtures: state is a struct pkvmsim * --- */

int sim_setup_protected(void **state);
int sim_setup_nvhe(void **state);
int sim_setup_vhe(void **state);
/* Destroy the simulator; the test fails if anything leaked or violated. */
int sim_teardown_clean(void **state);
/* Destroy the simulator for a test that provoked violations on purpose. */
int sim_teardown_any(void **state);

#define SIM_TEST(f)		cmocka_unit_test_setup_teardown(f,	\
				sim_setup_protected, sim_teardown_clean)
#define SIM_TEST_MODE(f, m)	cmocka_unit_test_setup_teardown(f,	\
				sim_setup_##m, sim_teardown_clean)

static inline struct pkvmsim *sim_of(void **state)
{
	return *state;
}

/* --- hypercalls --- */

/* Make hypercall @nr from @cpu; the call must be delivered (not a violation). */
struct pkvmsim_regs sim_hvc_regs(struct pkvmsim *sim, unsigned int cpu,
				 unsigned long nr, uint64_t a1, uint64_t a2,
				 uint64_t a3);
/* As above, and the dispatcher must accept it: returns (int)x1. */
int sim_hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
	    uint64_t a1, uint64_t a2, uint64_t a3);

/* --- white-box views of the hypervisor --- */

enum slot_state { SLOT_FREE, SLOT_RESERVED, SLOT_LIVE, SLOT_NO_TABLE };
enum slot_state slot_state_of(pkvm_handle_t handle);
struct pkvm_hyp_vm *live_vm_of(pkvm_handle_t handle);
unsigned int table_count(enum slot_state state);
/* Reference count of the page that holds the hyp VM. */
int hyp_vm_refs(pkvm_handle_t handle);

/* Expect @call to hit a hyp BUG (BUG_ON, hyp_assert_lock_held). */
extern jmp_buf sim_bug_jmp;
void sim_bug_longjmp(const char *file, int line, const char *cond);
#define expect_hyp_bug(call)						\
do {									\
	unsigned long __bugs = sim_bug_count();				\
	sim_set_bug_handler(sim_bug_longjmp);				\
	if (!setjmp(sim_bug_jmp)) {					\
		call;							\
		sim_set_bug_handler(NULL);				\
		fail_msg("expected a hyp BUG from %s", #call);		\
	}								\
	sim_set_bug_handler(NULL);					\
	assert_int_equal(sim_bug_count(), __bugs + 1);			\
} while (0)

/* --- the test host --- */

#define TEST_MAX_VCPUS	8

struct test_vcpu {
	struct kvm_vcpu	*vcpu;		/* host VA, shared with the hyp */
	void		*hyp_area;	/* donated at init_vcpu */
	bool		initialised;
};

struct test_vm {
	struct kvm		*kvm;		/* host VA, shared with the hyp */
	unsigned long		kvm_pages;
	void			*vm_area;	/* donated at init_vm */
	unsigned long		vm_pages;
	void			*pgd;		/* donated at init_vm */
	unsigned long		pgd_pages;
	int			nr_vcpus;
	struct test_vcpu	vcpus[TEST_MAX_VCPUS];
	bool			created;
};

/* Allocate struct kvm and @nr_vcpus vCPUs and share them with the hyp. */
void test_vm_alloc(struct pkvmsim *sim, struct test_vm *vm, int nr_vcpus);
/* __pkvm_reserve_vm; stores and returns the handle (or the error). */
int test_vm_reserve(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu);
/* Allocate the VM and PGD areas an init_vm donates. */
void test_vm_areas_alloc(struct test_vm *vm);
/*
 * After an init_vm that answered @ret: the areas stay with the hyp (and the
 * VM counts as created), or go back to the host allocator.  Returns @ret.
 */
int test_vm_areas_settle(struct test_vm *vm, int ret);
/* Donate the areas and __pkvm_init_vm; on failure take them back. */
int test_vm_init(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu);
/* Donate a vCPU area and __pkvm_init_vcpu; on failure take it back. */
int test_vcpu_init(struct pkvmsim *sim, struct test_vm *vm, int idx,
		   unsigned int cpu);
/*
 * What the host does once __pkvm_teardown_vm succeeded: free what the
 * teardown memcaches hold and forget the handle.
 */
void test_vm_reclaim(struct test_vm *vm);
/* __pkvm_teardown_vm; on success test_vm_reclaim(). */
int test_vm_teardown(struct pkvmsim *sim, struct test_vm *vm,
		     unsigned int cpu);
/* Unreserve if never created, then unshare and free struct kvm and vCPUs. */
void test_vm_free(struct pkvmsim *sim, struct test_vm *vm, unsigned int cpu);
/* alloc + reserve + init_vm + init of every vCPU, all on @cpu. */
void test_vm_create_live(struct pkvmsim *sim, struct test_vm *vm,
			 int nr_vcpus, unsigned int cpu);

static inline pkvm_handle_t test_vm_handle(struct test_vm *vm)
{
	return vm->kvm->arch.pkvm.handle;
}

#endif /* PKVMSIM_SIM_TEST_H */
