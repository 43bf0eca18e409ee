// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host hypercall dispatcher, handle_host_hcall(), reached through
 * pkvmsim_hvc() (SPEC 4):
 * - every 6.18 id after finalisation: refused below __pkvm_prot_finalize,
 *   accepted when modelled, refused when not;
 * - ids past host_hcall[], ids of another SMCCC owner or convention, and
 *   the SMCCC SVE hint bit;
 * - the minimum id before finalisation (nVHE) and a second finalise;
 * - results in x1: sign-extended errors, x1 left alone when a handler has
 *   no result; DECLARE_REG truncation of a 32-bit handle;
 * - pkvmsim_hvc() argument checks and pkvmsim_hcall_name();
 * - the host_hcall[] table the "direct" transport indexes.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sim_test.h"

/* A value no handler produces: shows x1 was not written. */
#define X1_POISON	0xdeadbeefcafef00dULL

/* The first handle the hypervisor gives out (SPEC 1: slot 0 + 0x1000). */
#define FIRST_HANDLE	0x1000ULL

/* A raw hypercall with an arbitrary x0; the call must be delivered. */
static struct pkvmsim_regs raw_hvc(struct pkvmsim *sim, unsigned int cpu,
				   uint64_t x0, uint64_t x1, uint64_t x2,
				   uint64_t x3)
{
	struct pkvmsim_regs regs = { .x = { x0, x1, x2, x3 } };

	assert_int_equal(pkvmsim_hvc(sim, cpu, &regs), 0);
	return regs;
}

/* A refused call: x0 = NOT_SUPPORTED, x1 as it was. */
static void assert_refused(struct pkvmsim *sim, unsigned int cpu, uint64_t x0)
{
	struct pkvmsim_regs regs = raw_hvc(sim, cpu, x0, X1_POISON, 0, 0);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(regs.x[1], X1_POISON);
}

/* Tear a live VM down by raw x1 and let the test host reclaim its pages. */
static void reclaim_after_teardown(struct pkvmsim *sim, struct test_vm *vm)
{
	test_vm_reclaim(vm);
	test_vm_free(sim, vm, 0);
}

/*
 * What each 6.18 id does after finalisation, from the SPEC 4 list: ids
 * below __pkvm_prot_finalize are refused, the modelled ones (1, 7, 8, 9,
 * 27..34) have handlers, every other id has none and is refused.  For an
 * accepted call, x1_in is chosen so the result is known from SPEC 3/4
 * without touching any VM: nothing is reserved, so handle 0x1000 is FREE.
 */
struct dispatch_case {
	unsigned long	nr;
	bool		accepted;
	uint64_t	x1_in;
	uint64_t	x1_out;
};

static const struct dispatch_case dispatch_cases[PKVMSIM_HCALL_NR] = {
	/* 0..6: boot-only, below the minimum once finalised. */
	[0]  = { 0,  false, X1_POISON, X1_POISON },
	[1]  = { 1,  false, X1_POISON, X1_POISON },
	[2]  = { 2,  false, X1_POISON, X1_POISON },
	[3]  = { 3,  false, X1_POISON, X1_POISON },
	[4]  = { 4,  false, X1_POISON, X1_POISON },
	[5]  = { 5,  false, X1_POISON, X1_POISON },
	[6]  = { 6,  false, X1_POISON, X1_POISON },
	/* Already finalised on every CPU at boot. */
	[7]  = { 7,  true, X1_POISON, (uint64_t)-EPERM },
	/* pfn 0 is not memory: the share/unshare checks refuse it. */
	[8]  = { 8,  true, 0, (uint64_t)-EPERM },
	[9]  = { 9,  true, 0, (uint64_t)-EPERM },
	/* 10..26: in the enum, not modelled: no handler. */
	[10] = { 10, false, X1_POISON, X1_POISON },
	[11] = { 11, false, X1_POISON, X1_POISON },
	[12] = { 12, false, X1_POISON, X1_POISON },
	[13] = { 13, false, X1_POISON, X1_POISON },
	[14] = { 14, false, X1_POISON, X1_POISON },
	[15] = { 15, false, X1_POISON, X1_POISON },
	[16] = { 16, false, X1_POISON, X1_POISON },
	[17] = { 17, false, X1_POISON, X1_POISON },
	[18] = { 18, false, X1_POISON, X1_POISON },
	[19] = { 19, false, X1_POISON, X1_POISON },
	[20] = { 20, false, X1_POISON, X1_POISON },
	[21] = { 21, false, X1_POISON, X1_POISON },
	[22] = { 22, false, X1_POISON, X1_POISON },
	[23] = { 23, false, X1_POISON, X1_POISON },
	[24] = { 24, false, X1_POISON, X1_POISON },
	[25] = { 25, false, X1_POISON, X1_POISON },
	[26] = { 26, false, X1_POISON, X1_POISON },
	/* Reserve takes slot 0; the unreserve that follows frees it. */
	[27] = { 27, true, X1_POISON, FIRST_HANDLE },
	/* unreserve: x1 is not written back. */
	[28] = { 28, true, FIRST_HANDLE, FIRST_HANDLE },
	/* init_vm: a NULL host kvm cannot be pinned. */
	[29] = { 29, true, 0, (uint64_t)-EPERM },
	/* init_vcpu: no donation from host VA 0 -> -ENOMEM. */
	[30] = { 30, true, FIRST_HANDLE, (uint64_t)-ENOMEM },
	/* teardown of a FREE slot. */
	[31] = { 31, true, FIRST_HANDLE, (uint64_t)-ENOENT },
	/* vcpu_load, vcpu_put, tlb_flush_vmid: no result in x1. */
	[32] = { 32, true, FIRST_HANDLE, FIRST_HANDLE },
	[33] = { 33, true, X1_POISON, X1_POISON },
	[34] = { 34, true, FIRST_HANDLE, FIRST_HANDLE },
};

/* SPEC 4: every id 0..34 after finalise, in enum order, from CPU 0. */
static void every_hcall_id_after_finalise(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned long nr;

	for (nr = 0; nr < PKVMSIM_HCALL_NR; nr++) {
		const struct dispatch_case *c = &dispatch_cases[nr];
		struct pkvmsim_regs regs;

		assert_int_equal(c->nr, nr);
		regs = raw_hvc(sim, 0, PKVMSIM_HVC_ID(nr), c->x1_in, 0, 0);
		if (!c->accepted) {
			if (regs.x[0] != PKVMSIM_SMCCC_RET_NOT_SUPPORTED)
				fail_msg("id %lu (%s) was dispatched", nr,
					 pkvmsim_hcall_name(nr));
		} else if (regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS) {
			fail_msg("id %lu (%s) was refused", nr,
				 pkvmsim_hcall_name(nr));
		}
		if (regs.x[1] != c->x1_out)
			fail_msg("id %lu (%s): x1 = %#llx, want %#llx", nr,
				 pkvmsim_hcall_name(nr),
				 (unsigned long long)regs.x[1],
				 (unsigned long long)c->x1_out);
	}
	/* 27 then 28 left the table as it was. */
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

/* SPEC 4: an id at or past the end of host_hcall[] is refused. */
static void ids_past_the_table_are_refused(void **state)
{
	struct pkvmsim *sim = sim_of(state);

	assert_refused(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_NR));
	assert_refused(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_NR + 1));
	assert_refused(sim, 0, PKVMSIM_HVC_ID(0xffff));
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

/*
 * SPEC 4: the id must be 0xC6000000 | n (fast, SMC64, vendor hyp); the
 * number of another owner or of the SMC32 convention is not ours.
 */
static void ids_without_the_vendor_hyp_prefix_are_refused(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const unsigned long nr = PKVMSIM_HCALL_PKVM_RESERVE_VM;

	assert_refused(sim, 0, nr);			/* bare */
	assert_refused(sim, 0, 0x86000000ULL | nr);	/* SMC32 */
	assert_refused(sim, 0, 0xC5000000ULL | nr);	/* owner 5 */
	assert_refused(sim, 0, 0x46000000ULL | nr);	/* yielding */
	assert_refused(sim, 0, (1ULL << 32) | PKVMSIM_HVC_ID(nr));
	/* None of them reserved anything. */
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

/* SPEC 4: the dispatcher clears the SMCCC hint bits (SVE, bit 16). */
static void sve_hint_bit_is_ignored(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	regs = raw_hvc(sim, 0, 0xC6010000ULL | PKVMSIM_HCALL_PKVM_RESERVE_VM,
		       X1_POISON, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], FIRST_HANDLE);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_RESERVED);

	regs = raw_hvc(sim, 0, 0xC6010000ULL | PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
		       FIRST_HANDLE, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_FREE);
}

/*
 * SPEC 4: without finalisation (nVHE never finalises) the minimum is 0,
 * so the boot-only __pkvm_init dispatches; __kvm_hyp_init has no handler
 * and stays refused.  A misaligned carve-out makes __pkvm_init fail with
 * -EINVAL before it touches anything.
 */
static void nvhe_dispatches_boot_only_ids(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	regs = raw_hvc(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT),
		       SIM_PHYS_BASE + 1, SIM_PAGE_SIZE, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], (uint64_t)-EINVAL);
	assert_null(vm_table);

	assert_refused(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_KVM_HYP_INIT));
}

/*
 * SPEC 4: __pkvm_prot_finalize dispatches before finalisation; it
 * finalises the calling CPU once (0), a second time is -EPERM.
 */
static void nvhe_prot_finalize_dispatches(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	unsigned int cpu;

	for (cpu = 0; cpu < PKVMSIM_DEFAULT_CPUS; cpu++) {
		assert_false(host_stage2_enabled[cpu]);
		assert_int_equal(sim_hvc(sim, cpu,
					 PKVMSIM_HCALL_PKVM_PROT_FINALIZE,
					 0, 0, 0), 0);
		assert_true(host_stage2_enabled[cpu]);
		assert_int_equal(sim_hvc(sim, cpu,
					 PKVMSIM_HCALL_PKVM_PROT_FINALIZE,
					 0, 0, 0), -EPERM);
	}

	/*
	 * SPEC 4: the minimum id follows the host's flag, not the CPUs'
	 * finalisation: every CPU is finalised, yet a boot-only id is still
	 * dispatched (and its handler refuses a misaligned carve-out).
	 */
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_INIT, 1, 0, 0),
			 -EINVAL);
}

/*
 * SPEC 4: after finalisation the minimum is __pkvm_prot_finalize itself,
 * so it is still dispatched, but each CPU was finalised at boot: -EPERM.
 */
static void prot_finalize_again_is_eperm_on_every_cpu(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;
	unsigned int cpu;

	for (cpu = 0; cpu < PKVMSIM_DEFAULT_CPUS; cpu++) {
		regs = raw_hvc(sim, cpu,
			       PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_PROT_FINALIZE),
			       X1_POISON, 0, 0);
		assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
		assert_int_equal(regs.x[1], (uint64_t)(int64_t)-EPERM);
		assert_true(host_stage2_enabled[cpu]);
	}
}

/*
 * SPEC 4 / 6: errors travel in x1 as negative values, sign-extended to
 * 64 bits (reserve in nVHE mode has no table: -EINVAL).
 */
static void negative_result_is_sign_extended(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	regs = raw_hvc(sim, 0, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM),
		       X1_POISON, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], 0xffffffffffffffeaULL);
	assert_int_equal((int64_t)regs.x[1], -EINVAL);
}

/*
 * SPEC 1: DECLARE_REG casts x1 to pkvm_handle_t, so the high half of a
 * 64-bit handle is dropped: 0x1_0000_1000 names handle 0x1000.
 */
static void handle_in_x1_is_truncated_to_32_bits(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const uint64_t wide = (1ULL << 32) | FIRST_HANDLE;
	struct pkvmsim_regs regs;
	struct test_vm vm;

	test_vm_create_live(sim, &vm, 1, 0);
	assert_int_equal(test_vm_handle(&vm), FIRST_HANDLE);

	regs = raw_hvc(sim, 1, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TEARDOWN_VM),
		       wide, 0, 0);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], 0);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_FREE);
	reclaim_after_teardown(sim, &vm);

	/* The same for unreserve. */
	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_RESERVE_VM,
				 0, 0, 0), (int)FIRST_HANDLE);
	sim_hvc_regs(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, wide, 0, 0);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_FREE);
}

/*
 * SPEC 4: unreserve has no result (x1 keeps the handle that was passed),
 * and vcpu_put takes no arguments, so garbage in x1..x3 is harmless.
 */
static void handlers_without_result_leave_x1(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;

	assert_int_equal(sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_RESERVE_VM,
				 0, 0, 0), (int)FIRST_HANDLE);
	regs = sim_hvc_regs(sim, 0, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
			    FIRST_HANDLE, X1_POISON, X1_POISON);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], FIRST_HANDLE);
	assert_int_equal(slot_state_of(FIRST_HANDLE), SLOT_FREE);

	regs = sim_hvc_regs(sim, 2, PKVMSIM_HCALL_PKVM_VCPU_PUT,
			    X1_POISON, ~0ULL, 0x8000000000000000ULL);
	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
	assert_int_equal(regs.x[1], X1_POISON);
	assert_null(loaded_hyp_vcpu[2]);
}

/*
 * DESIGN "Public C API": a bad argument to pkvmsim_hvc() is -EINVAL and
 * executes nothing.
 */
static void hvc_rejects_bad_arguments(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	const struct pkvmsim_regs orig = {
		.x = { PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM),
		       X1_POISON, 0, 0 },
	};
	struct pkvmsim_regs regs = orig;

	assert_int_equal(pkvmsim_hvc(NULL, 0, &regs), -EINVAL);
	assert_int_equal(pkvmsim_hvc(sim, 0, NULL), -EINVAL);
	assert_int_equal(pkvmsim_hvc(sim, PKVMSIM_DEFAULT_CPUS, &regs),
			 -EINVAL);
	assert_int_equal(pkvmsim_hvc(sim, UINT_MAX, &regs), -EINVAL);
	assert_memory_equal(&regs, &orig, sizeof(regs));
	assert_int_equal(table_count(SLOT_FREE), KVM_MAX_PVMS);
}

/* SPEC 4: the 6.18 enum names, and nothing past it. */
static void hcall_names_follow_the_enum(void **state)
{
	(void)state;

	assert_string_equal(pkvmsim_hcall_name(0), "__kvm_hyp_init");
	assert_string_equal(pkvmsim_hcall_name(1), "__pkvm_init");
	assert_string_equal(pkvmsim_hcall_name(7), "__pkvm_prot_finalize");
	assert_string_equal(pkvmsim_hcall_name(17), "__kvm_vcpu_run");
	assert_string_equal(pkvmsim_hcall_name(26),
			    "__vgic_v3_restore_vmcr_aprs");
	assert_string_equal(pkvmsim_hcall_name(27), "__pkvm_reserve_vm");
	assert_string_equal(pkvmsim_hcall_name(28), "__pkvm_unreserve_vm");
	assert_string_equal(pkvmsim_hcall_name(29), "__pkvm_init_vm");
	assert_string_equal(pkvmsim_hcall_name(31), "__pkvm_teardown_vm");
	assert_string_equal(pkvmsim_hcall_name(34), "__pkvm_tlb_flush_vmid");
	assert_null(pkvmsim_hcall_name(35));
	assert_null(pkvmsim_hcall_name(ULONG_MAX));
}

/*
 * SPEC 4 / DESIGN "direct" transport: host_hcall[] is indexed by the enum
 * and ends at the last id; only the modelled ids have a handler.
 */
static void host_hcall_table_holds_modelled_handlers(void **state)
{
	unsigned long nr;

	(void)state;

	assert_int_equal(host_hcall_nr, PKVMSIM_HCALL_NR);
	assert_non_null(host_hcall[PKVMSIM_HCALL_PKVM_RESERVE_VM]);
	assert_null(host_hcall[10]);
	for (nr = 0; nr < host_hcall_nr; nr++) {
		bool modelled = nr == 1 || (nr >= 7 && nr <= 9) ||
				(nr >= 27 && nr <= 34);

		if (modelled != (host_hcall[nr] != NULL))
			fail_msg("host_hcall[%lu] (%s): handler %s", nr,
				 pkvmsim_hcall_name(nr),
				 modelled ? "missing" : "unexpected");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(every_hcall_id_after_finalise),
		SIM_TEST(ids_past_the_table_are_refused),
		SIM_TEST(ids_without_the_vendor_hyp_prefix_are_refused),
		SIM_TEST(sve_hint_bit_is_ignored),
		SIM_TEST_MODE(nvhe_dispatches_boot_only_ids, nvhe),
		SIM_TEST_MODE(nvhe_prot_finalize_dispatches, nvhe),
		SIM_TEST(prot_finalize_again_is_eperm_on_every_cpu),
		SIM_TEST_MODE(negative_result_is_sign_extended, nvhe),
		SIM_TEST(handle_in_x1_is_truncated_to_32_bits),
		SIM_TEST(handlers_without_result_leave_x1),
		SIM_TEST(hvc_rejects_bad_arguments),
		cmocka_unit_test(hcall_names_follow_the_enum),
		SIM_TEST(host_hcall_table_holds_modelled_handlers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
