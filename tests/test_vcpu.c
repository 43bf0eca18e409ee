// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU creation and vCPU load/put (SPEC 3, 4; invariant 12).
 *
 * - __pkvm_init_vcpu: publication of vcpus[idx], the pin on the host vCPU,
 *   ownership of the donated area; every error path (-ENOMEM, -ENOENT,
 *   -EBUSY, the -EINVAL paths including the one fixed by 73b9c1e5da84)
 *   hands the area back zeroed and leaves nothing pinned.
 * - __pkvm_vcpu_load / __pkvm_vcpu_put: per-CPU loaded vCPU and the VM
 *   reference; loads the hypervisor must silently ignore; one vCPU per CPU
 *   and one CPU per vCPU; 32-bit truncation of the register arguments;
 *   nVHE mode; the HCR_EL2 WFx bits of a protected VM.
 */
#include <errno.h>
#include <string.h>

#include "sim_test.h"

#define VCPU_AREA_PAGES							\
	((sizeof(struct pkvm_hyp_vcpu) + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE)

/* HCR_EL2.TWE (bit 14) and HCR_EL2.TWI (bit 13), from the architecture. */
#define SPEC_HCR_TWE	(1ULL << 14)
#define SPEC_HCR_TWI	(1ULL << 13)

static struct sim_page_info page_info(uint64_t phys)
{
	struct sim_page_info info;

	assert_int_equal(sim_ledger_page(phys, &info), 0);
	return info;
}

/* Hypervisor pins (references) on the page holding host VA @va. */
static unsigned int host_refs(const void *va)
{
	return page_info(sim_host_pa(va)).refcount;
}

static struct pkvm_hyp_vcpu *hyp_vcpu_of(pkvm_handle_t handle, int idx)
{
	return live_vm_of(handle)->vcpus[idx];
}

static int init_vcpu_with(struct pkvmsim *sim, uint64_t handle,
			  struct kvm_vcpu *host_vcpu, void *area)
{
	return sim_hvc(sim, 0, PKVMSIM_HCALL_PKVM_INIT_VCPU, handle,
		       (uint64_t)(uintptr_t)host_vcpu,
		       (uint64_t)(uintptr_t)area);
}

/*
 * The area is the host's again, unshared and unpinned, and the hyp vCPU it
 * held (the donated size, as upstream: sizeof(struct pkvm_hyp_vcpu)) is
 * zero.
 */
static void assert_area_home_and_zeroed(void *area)
{
	const unsigned char *p = area;
	unsigned long i;

	for (i = 0; i < VCPU_AREA_PAGES; i++) {
		struct sim_page_info info =
			page_info(sim_host_pa(p + i * SIM_PAGE_SIZE));

		assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
		assert_int_equal(info.hyp_state, PKVM_NOPAGE);
		assert_int_equal(info.refcount, 0);
	}
	for (i = 0; i < sizeof(struct pkvm_hyp_vcpu); i++)
		if (p[i])
			fail_msg("byte %lu of the returned vCPU area is %#x",
				 i, p[i]);
}

/*
 * init_vcpu must fail with @err, hand back a (dirty) donated area zeroed,
 * and leave @host_vcpu (if it is memory) with @refs pins.
 */
static void expect_init_vcpu_fails(struct pkvmsim *sim, uint64_t handle,
				   struct kvm_vcpu *host_vcpu, int err,
				   unsigned int refs)
{
	void *area = sim_host_alloc_pages(VCPU_AREA_PAGES);

	assert_non_null(area);
	memset(area, 0x5a, VCPU_AREA_PAGES * SIM_PAGE_SIZE);
	assert_int_equal(init_vcpu_with(sim, handle, host_vcpu, area), err);
	assert_area_home_and_zeroed(area);
	if (host_vcpu)
		assert_int_equal(host_refs(host_vcpu), refs);
	assert_int_equal(sim_host_free_pages(area, VCPU_AREA_PAGES), 0);
}

static void vcpu_load(struct pkvmsim *sim, unsigned int cpu, uint64_t x1,
		      uint64_t x2, uint64_t x3)
{
	struct pkvmsim_regs regs = sim_hvc_regs(sim, cpu,
						PKVMSIM_HCALL_PKVM_VCPU_LOAD,
						x1, x2, x3);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
}

static void vcpu_put(struct pkvmsim *sim, unsigned int cpu)
{
	struct pkvmsim_regs regs = sim_hvc_regs(sim, cpu,
						PKVMSIM_HCALL_PKVM_VCPU_PUT,
						0, 0, 0);

	assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
}

static void assert_no_cpu_loaded(void)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		assert_null(loaded_hyp_vcpu[cpu]);
}

/* SPEC 3 init_vcpu success: vcpus[idx] published, host vCPU pinned once. */
static void init_vcpu_publishes_vcpu_and_pins_host_vcpu(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv;
	struct sim_page_info info;
	struct pkvm_hyp_vm *hyp_vm;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(h, SIM_HANDLE_OFFSET);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	hyp_vm = live_vm_of(h);
	assert_null(hyp_vm->vcpus[0]);
	assert_null(hyp_vm->vcpus[1]);

	assert_int_equal(test_vcpu_init(sim, &vm, 1, 2), 0);

	hv = hyp_vm->vcpus[1];
	assert_non_null(hv);
	assert_null(hyp_vm->vcpus[0]);
	assert_int_equal(hv->vcpu.vcpu_idx, 1);
	assert_ptr_equal(hv->vcpu.kvm, &hyp_vm->kvm);
	assert_int_equal(hyp_virt_to_phys(hv->host_vcpu),
			 sim_host_pa(vm.vcpus[1].vcpu));
	assert_null(hv->loaded_hyp_vcpu);

	assert_int_equal(host_refs(vm.vcpus[1].vcpu), 1);
	assert_int_equal(host_refs(vm.vcpus[0].vcpu), 0);

	info = page_info(hyp_virt_to_phys(hv));
	assert_int_equal(info.hyp_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.host_state, PKVM_NOPAGE);
	assert_int_equal(hyp_vm_refs(h), 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 init_vcpu: an area the host cannot donate -> -ENOMEM. */
static void init_vcpu_undonatable_area_is_enomem(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct sim_page_info info;
	struct test_vm vm;
	unsigned char *area;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	/* Not page aligned: nothing is donated, the bytes stay. */
	area = sim_host_alloc_pages(VCPU_AREA_PAGES + 1);
	assert_non_null(area);
	memset(area, 0x5a, (VCPU_AREA_PAGES + 1) * SIM_PAGE_SIZE);
	assert_int_equal(init_vcpu_with(sim, h, vm.vcpus[0].vcpu, area + 64),
			 -ENOMEM);
	info = page_info(sim_host_pa(area));
	assert_int_equal(info.host_state, PKVM_PAGE_OWNED);
	assert_int_equal(info.hyp_state, PKVM_NOPAGE);
	assert_int_equal(area[64], 0x5a);
	assert_int_equal(sim_host_free_pages(area, VCPU_AREA_PAGES + 1), 0);

	/* Not memory at all. */
	assert_int_equal(init_vcpu_with(sim, h, vm.vcpus[0].vcpu, NULL),
			 -ENOMEM);

	/* A page the host shares with the hyp cannot be donated. */
	assert_int_equal(init_vcpu_with(sim, h, vm.vcpus[0].vcpu,
					vm.vcpus[1].vcpu), -ENOMEM);
	info = page_info(sim_host_pa(vm.vcpus[1].vcpu));
	assert_int_equal(info.host_state, PKVM_PAGE_SHARED_OWNED);
	assert_int_equal(info.hyp_state, PKVM_PAGE_SHARED_BORROWED);

	assert_int_equal(host_refs(vm.vcpus[0].vcpu), 0);
	assert_int_equal(host_refs(vm.vcpus[1].vcpu), 0);
	assert_null(live_vm_of(h)->vcpus[0]);
	assert_null(live_vm_of(h)->vcpus[1]);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 init_vcpu, invariant 7: FREE, RESERVED, out of range -> -ENOENT. */
static void init_vcpu_on_free_reserved_or_bad_handle_is_enoent(void **state)
{
	static const uint64_t bad[] = {
		0, 0xfff, SIM_HANDLE_OFFSET + KVM_MAX_PVMS, 0xffffffffULL,
	};
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	unsigned int i;

	test_vm_alloc(sim, &vm, 1);

	/* Nothing reserved yet: the lowest handle is FREE. */
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_FREE);
	expect_init_vcpu_fails(sim, SIM_HANDLE_OFFSET, vm.vcpus[0].vcpu,
			       -ENOENT, 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_init_vcpu_fails(sim, bad[i], vm.vcpus[0].vcpu,
				       -ENOENT, 0);

	assert_int_equal(test_vm_reserve(sim, &vm, 0), SIM_HANDLE_OFFSET);
	expect_init_vcpu_fails(sim, SIM_HANDLE_OFFSET, vm.vcpus[0].vcpu,
			       -ENOENT, 0);
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_RESERVED);

	test_vm_free(sim, &vm, 0);
	assert_int_equal(slot_state_of(SIM_HANDLE_OFFSET), SLOT_FREE);
}

/* SPEC 3 init_vcpu: host vCPU not shared with the hyp -> -EBUSY. */
static void init_vcpu_unshared_host_vcpu_is_ebusy(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct kvm_vcpu *unshared;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 1);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	unshared = sim_host_alloc_pages(1);
	assert_non_null(unshared);
	unshared->kvm = vm.kvm;
	unshared->vcpu_idx = 0;

	expect_init_vcpu_fails(sim, h, unshared, -EBUSY, 0);
	assert_null(live_vm_of(h)->vcpus[0]);
	assert_int_equal(page_info(sim_host_pa(unshared)).host_state,
			 PKVM_PAGE_OWNED);
	assert_int_equal(sim_host_free_pages(unshared, 1), 0);

	/* A host vCPU pointer outside memory cannot be pinned either. */
	expect_init_vcpu_fails(sim, h, NULL, -EBUSY, 0);
	assert_null(live_vm_of(h)->vcpus[0]);

	/* The slot is still usable by the real vCPU. */
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 1/4: the handle in x1 is truncated to 32 bits.  SPEC 3: the checks
 * come in order: donation, lookup, pin, index; the first failing answers.
 */
static void init_vcpu_truncates_handle_and_checks_in_order(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct kvm_vcpu *unshared;
	struct test_vm vm;
	pkvm_handle_t h;
	void *area;

	test_vm_alloc(sim, &vm, 1);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	unshared = sim_host_alloc_pages(1);
	assert_non_null(unshared);
	unshared->kvm = vm.kvm;
	unshared->vcpu_idx = 5;		/* past created_vcpus too */

	/* A FREE handle and an unpinnable vCPU: the lookup answers. */
	expect_init_vcpu_fails(sim, h + 1, unshared, -ENOENT, 0);
	/* A live VM, an unpinnable vCPU with a bad index: the pin answers. */
	expect_init_vcpu_fails(sim, h, unshared, -EBUSY, 0);
	/* Pinned, bad index: -EINVAL, and unpinned again. */
	vm.vcpus[0].vcpu->vcpu_idx = 5;
	expect_init_vcpu_fails(sim, h, vm.vcpus[0].vcpu, -EINVAL, 0);
	vm.vcpus[0].vcpu->vcpu_idx = 0;
	assert_int_equal(sim_host_free_pages(unshared, 1), 0);

	/* Bits above 32 in x1 are not part of the handle. */
	area = sim_host_alloc_pages(VCPU_AREA_PAGES);
	assert_non_null(area);
	assert_int_equal(init_vcpu_with(sim, (1ULL << 32) | h,
					vm.vcpus[0].vcpu, area), 0);
	assert_non_null(hyp_vcpu_of(h, 0));
	vm.vcpus[0].initialised = true;
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/*
 * SPEC 3 init_vcpu: vcpu_idx >= created_vcpus -> -EINVAL, and the host vCPU
 * is not left pinned (6.18 leaked the pin; fixed upstream by 73b9c1e5da84).
 */
static void init_vcpu_idx_past_created_vcpus_unpins_73b9c1e5da84(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	vm.vcpus[1].vcpu->vcpu_idx = 2;		/* == created_vcpus */
	expect_init_vcpu_fails(sim, h, vm.vcpus[1].vcpu, -EINVAL, 0);
	vm.vcpus[1].vcpu->vcpu_idx = 1000;
	expect_init_vcpu_fails(sim, h, vm.vcpus[1].vcpu, -EINVAL, 0);
	assert_null(live_vm_of(h)->vcpus[0]);
	assert_null(live_vm_of(h)->vcpus[1]);

	/* Unpinned: the host can unshare it again (test_vm_free does). */
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 init_vcpu: index already initialised -> -EINVAL, not pinned. */
static void init_vcpu_twice_same_idx_is_einval_and_unpins(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *first;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	first = hyp_vcpu_of(h, 0);

	/* The same host vCPU again: still exactly one pin. */
	expect_init_vcpu_fails(sim, h, vm.vcpus[0].vcpu, -EINVAL, 1);

	/* Another host vCPU claiming index 0: not pinned at all. */
	vm.vcpus[1].vcpu->vcpu_idx = 0;
	expect_init_vcpu_fails(sim, h, vm.vcpus[1].vcpu, -EINVAL, 0);

	assert_ptr_equal(hyp_vcpu_of(h, 0), first);
	assert_int_equal(hyp_virt_to_phys(first->host_vcpu),
			 sim_host_pa(vm.vcpus[0].vcpu));
	assert_null(hyp_vcpu_of(h, 1));

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 1, 3: a negative vcpu_idx is a huge unsigned index -> -EINVAL. */
static void init_vcpu_negative_idx_is_einval(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 1);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	vm.vcpus[0].vcpu->vcpu_idx = -1;
	expect_init_vcpu_fails(sim, h, vm.vcpus[0].vcpu, -EINVAL, 0);
	vm.vcpus[0].vcpu->vcpu_idx = INT32_MIN;
	expect_init_vcpu_fails(sim, h, vm.vcpus[0].vcpu, -EINVAL, 0);
	assert_null(hyp_vcpu_of(h, 0));

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 init_vcpu: the modelled feature-init failure (SVE) unpins. */
static void init_vcpu_sve_feature_is_einval_and_unpins(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_alloc(sim, &vm, 1);
	h = test_vm_reserve(sim, &vm, 0);
	assert_int_equal(test_vm_init(sim, &vm, 0), 0);

	vm.vcpus[0].vcpu->arch.features |= 1UL << KVM_ARM_VCPU_SVE;
	expect_init_vcpu_fails(sim, h, vm.vcpus[0].vcpu, -EINVAL, 0);
	assert_null(hyp_vcpu_of(h, 0));

	/* Without SVE the same vCPU initialises. */
	vm.vcpus[0].vcpu->arch.features = 0;
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);
	assert_int_equal(host_refs(vm.vcpus[0].vcpu), 1);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 3 load/put, SPEC 4 vcpu_load/vcpu_put: per-CPU slot and VM ref. */
static void vcpu_load_and_put_track_cpu_and_vm_ref(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_create_live(sim, &vm, 2, 0);
	h = test_vm_handle(&vm);
	hv = hyp_vcpu_of(h, 1);
	assert_int_equal(hyp_vm_refs(h), 0);

	vcpu_load(sim, 1, h, 1, 0);
	assert_ptr_equal(loaded_hyp_vcpu[1], hv);
	assert_null(loaded_hyp_vcpu[0]);
	assert_null(loaded_hyp_vcpu[2]);
	assert_ptr_equal(hv->loaded_hyp_vcpu, &loaded_hyp_vcpu[1]);
	assert_int_equal(hyp_vm_refs(h), 1);

	vcpu_put(sim, 1);
	assert_no_cpu_loaded();
	assert_null(hv->loaded_hyp_vcpu);
	assert_int_equal(hyp_vm_refs(h), 0);

	/* Once put, it can be loaded elsewhere. */
	vcpu_load(sim, 3, h, 1, 0);
	assert_ptr_equal(loaded_hyp_vcpu[3], hv);
	assert_int_equal(hyp_vm_refs(h), 1);
	vcpu_put(sim, 3);
	assert_int_equal(hyp_vm_refs(h), 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 4 vcpu_load: ignored while the VM or the vCPU does not exist. */
static void vcpu_load_ignored_before_vm_or_vcpu_exists(void **state)
{
	static const uint64_t garbage[] = {
		0, 0xfff, SIM_HANDLE_OFFSET + 1,
		SIM_HANDLE_OFFSET + KVM_MAX_PVMS, 0xffffffffULL,
	};
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;
	unsigned int i;

	test_vm_alloc(sim, &vm, 2);
	h = test_vm_reserve(sim, &vm, 0);

	/* RESERVED only: the host loads before the first run. */
	vcpu_load(sim, 0, h, 0, 0);
	assert_no_cpu_loaded();
	assert_int_equal(slot_state_of(h), SLOT_RESERVED);

	assert_int_equal(test_vm_init(sim, &vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, &vm, 0, 0), 0);

	/* vCPU 1 not initialised yet. */
	vcpu_load(sim, 0, h, 1, 0);
	assert_no_cpu_loaded();

	/* Index at or past created_vcpus. */
	vcpu_load(sim, 0, h, 2, 0);
	vcpu_load(sim, 0, h, 0xffffffffULL, 0);
	assert_no_cpu_loaded();

	/* FREE and out-of-range handles. */
	for (i = 0; i < ARRAY_SIZE(garbage); i++)
		vcpu_load(sim, 1, garbage[i], 0, 0);
	assert_no_cpu_loaded();

	assert_int_equal(hyp_vm_refs(h), 0);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* Invariant 12: a vCPU is loaded on at most one CPU. */
static void vcpu_load_same_vcpu_on_second_cpu_is_ignored(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv;
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_create_live(sim, &vm, 1, 0);
	h = test_vm_handle(&vm);
	hv = hyp_vcpu_of(h, 0);

	vcpu_load(sim, 0, h, 0, 0);
	vcpu_load(sim, 1, h, 0, 0);
	assert_ptr_equal(loaded_hyp_vcpu[0], hv);
	assert_null(loaded_hyp_vcpu[1]);
	assert_ptr_equal(hv->loaded_hyp_vcpu, &loaded_hyp_vcpu[0]);
	assert_int_equal(hyp_vm_refs(h), 1);

	/* A put on the refused CPU must not unload it from CPU 0. */
	vcpu_put(sim, 1);
	assert_ptr_equal(loaded_hyp_vcpu[0], hv);
	assert_int_equal(hyp_vm_refs(h), 1);

	vcpu_put(sim, 0);
	assert_int_equal(hyp_vm_refs(h), 0);
	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* Invariant 12: a CPU holds at most one loaded vCPU. */
static void vcpu_load_second_vcpu_on_same_cpu_is_ignored(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv0, *hv1;
	struct test_vm a, b;
	pkvm_handle_t ha, hb;

	test_vm_create_live(sim, &a, 2, 0);
	test_vm_create_live(sim, &b, 1, 0);
	ha = test_vm_handle(&a);
	hb = test_vm_handle(&b);
	hv0 = hyp_vcpu_of(ha, 0);
	hv1 = hyp_vcpu_of(ha, 1);

	vcpu_load(sim, 2, ha, 0, 0);
	vcpu_load(sim, 2, ha, 1, 0);		/* same VM */
	vcpu_load(sim, 2, hb, 0, 0);		/* another VM */
	assert_ptr_equal(loaded_hyp_vcpu[2], hv0);
	assert_null(hv1->loaded_hyp_vcpu);
	assert_null(hyp_vcpu_of(hb, 0)->loaded_hyp_vcpu);
	assert_int_equal(hyp_vm_refs(ha), 1);
	assert_int_equal(hyp_vm_refs(hb), 0);

	/* The refused vCPU is still free to load on another CPU. */
	vcpu_load(sim, 3, ha, 1, 0);
	assert_ptr_equal(loaded_hyp_vcpu[3], hv1);
	assert_int_equal(hyp_vm_refs(ha), 2);

	vcpu_put(sim, 2);
	vcpu_put(sim, 3);
	assert_int_equal(hyp_vm_refs(ha), 0);
	assert_no_cpu_loaded();

	assert_int_equal(test_vm_teardown(sim, &a, 0), 0);
	assert_int_equal(test_vm_teardown(sim, &b, 0), 0);
	test_vm_free(sim, &a, 0);
	test_vm_free(sim, &b, 0);
}

/* SPEC 4 vcpu_put: with nothing loaded on this CPU it does nothing. */
static void vcpu_put_with_nothing_loaded_is_harmless(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;

	/* No VM at all. */
	vcpu_put(sim, 0);
	assert_no_cpu_loaded();

	test_vm_create_live(sim, &vm, 1, 0);
	h = test_vm_handle(&vm);
	vcpu_load(sim, 0, h, 0, 0);

	/* Another CPU's put leaves CPU 0's vCPU and reference alone. */
	vcpu_put(sim, 1);
	vcpu_put(sim, 2);
	assert_ptr_equal(loaded_hyp_vcpu[0], hyp_vcpu_of(h, 0));
	assert_int_equal(hyp_vm_refs(h), 1);

	/* A second put on CPU 0 does not drop a second reference. */
	vcpu_put(sim, 0);
	vcpu_put(sim, 0);
	assert_int_equal(hyp_vm_refs(h), 0);
	assert_no_cpu_loaded();

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 1, 4: DECLARE_REG truncates the handle and vcpu_idx to 32 bits. */
static void vcpu_load_truncates_handle_and_idx_to_32_bits(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct test_vm vm;
	pkvm_handle_t h;

	test_vm_create_live(sim, &vm, 1, 0);
	h = test_vm_handle(&vm);

	vcpu_load(sim, 0, h, 0x100000000ULL, 0);
	assert_ptr_equal(loaded_hyp_vcpu[0], hyp_vcpu_of(h, 0));
	vcpu_put(sim, 0);

	vcpu_load(sim, 1, 0x100000000ULL | h, 0xffffffff00000000ULL, 0);
	assert_ptr_equal(loaded_hyp_vcpu[1], hyp_vcpu_of(h, 0));
	assert_int_equal(hyp_vm_refs(h), 1);
	vcpu_put(sim, 1);
	assert_int_equal(hyp_vm_refs(h), 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 4, 6: outside protected mode load/put/flush return at once. */
static void nvhe_vcpu_load_put_flush_return_at_once(void **state)
{
	static const unsigned long nrs[] = {
		PKVMSIM_HCALL_PKVM_VCPU_LOAD,
		PKVMSIM_HCALL_PKVM_VCPU_PUT,
		PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID,
	};
	struct pkvmsim *sim = sim_of(state);
	struct pkvmsim_regs regs;
	unsigned int i;

	assert_null(vm_table);
	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		regs = sim_hvc_regs(sim, 1, nrs[i], SIM_HANDLE_OFFSET, 0, 0);
		assert_int_equal(regs.x[0], PKVMSIM_SMCCC_RET_SUCCESS);
		/* No result: x1 is not written. */
		assert_int_equal(regs.x[1], SIM_HANDLE_OFFSET);
	}
	assert_no_cpu_loaded();
	assert_int_equal(sim_tlb_flush_count(), 0);
}

/*
 * The put's guard, seen: a vCPU planted as loaded stays so; without the
 * guard the put would release it and reach for a VM that does not exist.
 */
static void nvhe_vcpu_put_leaves_loaded_vcpu_alone(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu planted;

	memset(&planted, 0, sizeof(planted));
	loaded_hyp_vcpu[1] = &planted;
	vcpu_put(sim, 1);
	assert_ptr_equal(loaded_hyp_vcpu[1], &planted);
	loaded_hyp_vcpu[1] = NULL;
}

/* Build a live one-vCPU VM that is protected iff @prot. */
static void create_vm_of_type(struct pkvmsim *sim, struct test_vm *vm,
			      bool prot)
{
	test_vm_alloc(sim, vm, 1);
	vm->kvm->arch.pkvm.is_protected = prot;
	assert_true(test_vm_reserve(sim, vm, 0) >= (int)SIM_HANDLE_OFFSET);
	assert_int_equal(test_vm_init(sim, vm, 0), 0);
	assert_int_equal(test_vcpu_init(sim, vm, 0, 0), 0);
}

/* SPEC 4 vcpu_load: a protected VM takes only HCR_TWE|HCR_TWI from x3. */
static void protected_vm_load_copies_only_twe_twi(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv;
	struct test_vm vm;
	pkvm_handle_t h;

	create_vm_of_type(sim, &vm, true);
	h = test_vm_handle(&vm);
	hv = hyp_vcpu_of(h, 0);

	/* TWI set before, host asks for TWE only: TWI cleared, TWE set. */
	hv->vcpu.arch.hcr_el2 = 0x1 | SPEC_HCR_TWI;
	vcpu_load(sim, 0, h, 0, ~0ULL & ~SPEC_HCR_TWI);
	assert_ptr_equal(loaded_hyp_vcpu[0], hv);
	assert_int_equal(hv->vcpu.arch.hcr_el2, 0x1 | SPEC_HCR_TWE);
	vcpu_put(sim, 0);

	/* Host asks for neither: both cleared, other bits kept. */
	vcpu_load(sim, 0, h, 0, 0);
	assert_int_equal(hv->vcpu.arch.hcr_el2, 0x1);
	vcpu_put(sim, 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

/* SPEC 4 vcpu_load: a non-protected VM's hcr_el2 is not touched. */
static void non_protected_vm_load_leaves_hcr_alone(void **state)
{
	struct pkvmsim *sim = sim_of(state);
	struct pkvm_hyp_vcpu *hv;
	struct test_vm vm;
	pkvm_handle_t h;

	create_vm_of_type(sim, &vm, false);
	h = test_vm_handle(&vm);
	hv = hyp_vcpu_of(h, 0);

	hv->vcpu.arch.hcr_el2 = 0x1 | SPEC_HCR_TWI;
	vcpu_load(sim, 0, h, 0, SPEC_HCR_TWE);
	assert_ptr_equal(loaded_hyp_vcpu[0], hv);
	assert_int_equal(hv->vcpu.arch.hcr_el2, 0x1 | SPEC_HCR_TWI);
	vcpu_put(sim, 0);

	assert_int_equal(test_vm_teardown(sim, &vm, 0), 0);
	test_vm_free(sim, &vm, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(init_vcpu_publishes_vcpu_and_pins_host_vcpu),
		SIM_TEST(init_vcpu_undonatable_area_is_enomem),
		SIM_TEST(init_vcpu_on_free_reserved_or_bad_handle_is_enoent),
		SIM_TEST(init_vcpu_unshared_host_vcpu_is_ebusy),
		SIM_TEST(init_vcpu_truncates_handle_and_checks_in_order),
		SIM_TEST(init_vcpu_idx_past_created_vcpus_unpins_73b9c1e5da84),
		SIM_TEST(init_vcpu_twice_same_idx_is_einval_and_unpins),
		SIM_TEST(init_vcpu_negative_idx_is_einval),
		SIM_TEST(init_vcpu_sve_feature_is_einval_and_unpins),
		SIM_TEST(vcpu_load_and_put_track_cpu_and_vm_ref),
		SIM_TEST(vcpu_load_ignored_before_vm_or_vcpu_exists),
		SIM_TEST(vcpu_load_same_vcpu_on_second_cpu_is_ignored),
		SIM_TEST(vcpu_load_second_vcpu_on_same_cpu_is_ignored),
		SIM_TEST(vcpu_put_with_nothing_loaded_is_harmless),
		SIM_TEST(vcpu_load_truncates_handle_and_idx_to_32_bits),
		SIM_TEST_MODE(nvhe_vcpu_load_put_flush_return_at_once, nvhe),
		SIM_TEST_MODE(nvhe_vcpu_put_leaves_loaded_vcpu_alone, nvhe),
		SIM_TEST(protected_vm_load_copies_only_twe_twi),
		SIM_TEST(non_protected_vm_load_leaves_hcr_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
