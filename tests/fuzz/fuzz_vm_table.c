// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_vm_table: the hypervisor's VM table against a reference model.
 *
 * The input is a sequence of operations on the table, made one hypercall
 * (or one <pkvmsim/inspect.h> call) at a time by a test host that owns a
 * few struct kvm and struct kvm_vcpu of its own: reserve, unreserve,
 * init_vm, init_vcpu, vCPU load and put, hyp VM get and put, teardown and
 * a TLB flush, on handles drawn to hit the edges (0, 0xfff, 0x1000,
 * 0x10fe, 0x10ff, high bits, 64-bit registers, stale handles of torn-down
 * VMs, handles RESERVED or LIVE right now), with donations and pins that
 * fail: misaligned or not-owned areas, unshared structures, and failures
 * injected below the hypervisor (sim_inject.h).
 *
 * After every operation its answer and the whole table are compared with
 * vm_table_model.c, written from SPEC 1-3 (the table read white-box each
 * time, and through pkvmsim_table_snapshot() after every eighth and the
 * last), and no violation may have been recorded.  At the end of
 * the input the test host gives everything back (puts, teardowns,
 * unreserves, unshares, frees) and the page ledger must balance
 * (pkvmsim_check()).  Any difference prints the operation, its handle and
 * what was expected, and aborts: libFuzzer's convention for a finding.
 *
 * One simulator serves every input: pkvmsim_reset() brings it back to a
 * fresh boot at the cost of the pages the input touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_table_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- operations --- */

static void op_begin(const char *name, unsigned int handle)
{
	h.opname = name;
	h.handle = handle;
}

static void op_reserve(struct fuzz_input *in, unsigned int count)
{
	unsigned int cpu = vt_pick_cpu(in);

	op_begin("reserve", 0);
	while (count--) {
		int want = model_reserve(&h.model);

		vt_expect(vt_hvc(cpu, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, 0, 0),
			  want);
		if (want < 0)
			break;
	}
}

static void op_unreserve(struct fuzz_input *in)
{
	unsigned int handle = vt_pick_handle(in);
	int idx = model_slot_of(handle);
	bool frees = h.model.has_table && idx >= 0 &&
		     h.model.state[idx] == MODEL_RESERVED;
	unsigned int cpu;
	uint64_t reg;

	op_begin("unreserve", handle);
	model_unreserve(&h.model, handle);
	/* One byte after another: an argument list has no order. */
	cpu = vt_pick_cpu(in);
	reg = vt_handle_reg(in, handle);
	vt_hvc(cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, reg, 0, 0);
	if (frees)
		vt_forget_handle(handle);
}

/*
 * How an init call's pages behave, from one byte each: the area kind
 * (vt_area_get()), the pin made to fail, the feature bit.
 */
#define HOW_INJECT_PIN(b)	(((b) & 0x38) == 0x38)
#define HOW_FLAG(b)		(((b) & 0xc0) == 0xc0)

static void op_init_vm(struct fuzz_input *in)
{
	unsigned int k = fuzz_below(in, NR_KVMS);
	unsigned int handle = vt_pick_handle(in);
	unsigned int nr = vt_pick_vcpu_count(in);
	unsigned int how = fuzz_u8(in), how_pgd = fuzz_u8(in);
	bool fits = nr <= MODEL_MAX_VCPUS;
	bool protected_vm = HOW_FLAG(how);
	struct model_init_vm a;
	struct area vm_area, pgd;
	struct kvm *kvm;
	int want, ret;

	op_begin("__pkvm_init_vm", handle);
	if (!h.model.has_table)
		return;		/* a hypervisor crash in nVHE: not this test */

	kvm = vt_kvm_of(k);
	kvm->created_vcpus = (int)nr;
	kvm->arch.pkvm.handle = handle;
	kvm->arch.pkvm.is_protected = protected_vm;
	vt_area_get(&vm_area, how, pkvm_get_hyp_vm_size(nr), fits);
	vt_area_get(&pgd, how_pgd, kvm_pgtable_stage2_pgd_size(0), true);

	a = (struct model_init_vm){
		.kvm_pinnable = vt_kvm_shared(k) && !HOW_INJECT_PIN(how),
		.created_vcpus = nr,
		.handle = handle,
		.vm_area_ok = vm_area.ok,
		.pgd_ok = pgd.ok,
		.is_protected = protected_vm,
		.owner = (int)k,
	};
	want = model_init_vm(&h.model, &a);

	if (HOW_INJECT_PIN(how))
		sim_inject_arm(SIM_INJECT_PIN, 0, 1);
	if (vm_area.inject || pgd.inject)
		sim_inject_arm(SIM_INJECT_DONATE, vm_area.inject ? 0 : 1, 1);
	ret = vt_hvc(vt_pick_cpu(in), PKVMSIM_HCALL_PKVM_INIT_VM,
		  (uint64_t)(uintptr_t)kvm, vm_area.hva, pgd.hva);
	sim_inject_reset();
	vt_expect(ret, want);
	vt_area_put(&vm_area, ret);
	vt_area_put(&pgd, ret);
}

static void op_init_vcpu(struct fuzz_input *in)
{
	unsigned int handle = vt_pick_handle(in);
	unsigned int k = fuzz_below(in, NR_KVMS);
	unsigned int v = fuzz_below(in, NR_VCPUS);
	unsigned int idx = vt_pick_vcpu_index(in);
	unsigned int how = fuzz_u8(in);
	struct model_init_vcpu a;
	struct kvm_vcpu *vcpu;
	struct area area;
	unsigned int cpu;
	uint64_t reg;
	int want, ret;

	op_begin("__pkvm_init_vcpu", handle);
	if (!h.model.has_table)
		return;

	vcpu = vt_vcpu_of(k, v);
	vcpu->vcpu_idx = (int)idx;
	vcpu->arch.features = HOW_FLAG(how) ? 1UL << KVM_ARM_VCPU_SVE : 0;
	vt_area_get(&area, how, sizeof(struct pkvm_hyp_vcpu), true);

	a = (struct model_init_vcpu){
		.handle = handle,
		.area_ok = area.ok,
		.vcpu_pinnable = vt_vcpu_shared(v) && !HOW_INJECT_PIN(how),
		.sve = HOW_FLAG(how),
		.vcpu_idx = idx,
	};
	want = model_init_vcpu(&h.model, &a);

	if (HOW_INJECT_PIN(how))
		sim_inject_arm(SIM_INJECT_PIN, 0, 1);
	if (area.inject)
		sim_inject_arm(SIM_INJECT_DONATE, 0, 1);
	cpu = vt_pick_cpu(in);
	reg = vt_handle_reg(in, handle);
	ret = vt_hvc(cpu, PKVMSIM_HCALL_PKVM_INIT_VCPU, reg,
		     (uint64_t)(uintptr_t)vcpu, area.hva);
	sim_inject_reset();
	vt_expect(ret, want);
	vt_area_put(&area, ret);
}

static void op_vcpu_load(struct fuzz_input *in)
{
	unsigned int cpu = vt_pick_cpu(in);
	unsigned int handle = vt_pick_handle(in);
	unsigned int idx = vt_pick_vcpu_index(in);
	uint64_t reg, hcr;

	op_begin("__pkvm_vcpu_load", handle);
	model_vcpu_load(&h.model, cpu, handle, idx);
	reg = vt_handle_reg(in, handle);
	hcr = fuzz_u8(in) & 1 ? ~0ULL : 0;
	vt_hvc(cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, reg, idx, hcr);
}

static void op_vcpu_put(unsigned int cpu)
{
	op_begin("__pkvm_vcpu_put", 0);
	model_vcpu_put(&h.model, cpu);
	vt_hvc(cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0, 0);
}

static void op_get(struct fuzz_input *in)
{
	unsigned int cpu = vt_pick_cpu(in);
	unsigned int handle = vt_pick_handle(in);
	bool np = fuzz_u8(in) & 1;

	op_begin(np ? "pkvmsim_hyp_vm_get_np" : "pkvmsim_hyp_vm_get", handle);
	vt_expect(np ? pkvmsim_hyp_vm_get_np(h.sim, cpu, handle) :
		    pkvmsim_hyp_vm_get(h.sim, cpu, handle),
	       model_get(&h.model, handle, np));
}

static void op_put(struct fuzz_input *in)
{
	unsigned int cpu = vt_pick_cpu(in);
	unsigned int handle = vt_pick_handle(in);

	op_begin("pkvmsim_hyp_vm_put", handle);
	vt_expect(pkvmsim_hyp_vm_put(h.sim, cpu, handle),
	       model_put(&h.model, handle));
}

static void teardown(unsigned int cpu, unsigned int handle, uint64_t reg)
{
	int idx = model_slot_of(handle);
	int owner = idx >= 0 ? h.model.vm[idx].owner : -1;
	int want, ret;

	op_begin("__pkvm_teardown_vm", handle);
	if (!h.model.has_table)
		return;
	want = model_teardown(&h.model, handle);
	ret = vt_hvc(cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, reg, 0, 0);
	vt_expect(ret, want);
	if (!ret) {
		vt_reclaim(owner);
		vt_forget_handle(handle);
	}
}

static void op_teardown(struct fuzz_input *in)
{
	unsigned int cpu = vt_pick_cpu(in);
	unsigned int handle = vt_pick_handle(in);

	teardown(cpu, handle, vt_handle_reg(in, handle));
}

static void op_tlb_flush(struct fuzz_input *in)
{
	unsigned int handle = vt_pick_handle(in);
	unsigned int cpu;
	uint64_t reg;

	op_begin("__pkvm_tlb_flush_vmid", handle);
	cpu = vt_pick_cpu(in);
	reg = vt_handle_reg(in, handle);
	vt_hvc(cpu, PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID, reg, 0, 0);
}

/* --- one input --- */

static void sim_boot(bool nvhe, bool direct)
{
	struct pkvmsim_config cfg;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.mode = nvhe ? PKVMSIM_MODE_NVHE : PKVMSIM_MODE_PROTECTED;
	cfg.nr_cpus = NR_CPUS_SIM;
	cfg.arena_pages = ARENA_PAGES;
	cfg.hvc = direct ? pkvm_hvc_direct() : NULL;
	cfg.quiet = true;
	/*
	 * The model judges every answer and the whole table after every
	 * operation; the oracle's own judging of each call would repeat
	 * it at a quarter of the run's time.  It checks the state at the
	 * end, with the ledger.
	 */
	cfg.check = PKVMSIM_CHECK_END;

	/* give_back() reset it last: this one is clean. */
	ret = h.sim ? pkvmsim_reset(h.sim, &cfg) : pkvmsim_create(&cfg,
								   &h.sim);
	if (ret)
		vt_fail("booting the simulator failed: %d", ret);
	h.trace = getenv("PKVMSIM_FUZZ_TRACE");
	h.cfg = cfg;
	model_init(&h.model, !nvhe, NR_CPUS_SIM);
}

/*
 * Give back every page: put the loaded vCPUs and the references held,
 * tear every LIVE VM down, unshare and free the test host's structures;
 * then the ledger must balance.  RESERVED slots hold no page: the reset
 * forgets them, and must say it found them (-EUCLEAN) exactly when the
 * model has some, and nothing else amiss.
 */
static void give_back(void)
{
	unsigned int i, cpu, k, v, reserved = 0;
	int ret;

	h.op++;
	for (cpu = 0; cpu < NR_CPUS_SIM; cpu++)
		if (h.model.cpu[cpu].loaded)
			op_vcpu_put(cpu);
	for (i = 0; i < MODEL_SLOTS; i++) {
		op_begin("pkvmsim_hyp_vm_put", MODEL_HANDLE_OFFSET + i);
		while (h.model.state[i] == MODEL_LIVE && h.model.vm[i].held)
			vt_expect(pkvmsim_hyp_vm_put(h.sim, 0,
						  MODEL_HANDLE_OFFSET + i),
			       model_put(&h.model, MODEL_HANDLE_OFFSET + i));
	}
	for (i = 0; i < MODEL_SLOTS; i++) {
		if (h.model.state[i] == MODEL_LIVE)
			teardown(0, MODEL_HANDLE_OFFSET + i,
				 MODEL_HANDLE_OFFSET + i);
		reserved += h.model.state[i] == MODEL_RESERVED;
	}
	op_begin("give back", 0);
	vt_verify(true);

	for (k = 0; k < NR_KVMS; k++) {
		struct hkvm *hk = &h.kvm[k];

		for (v = 0; v < NR_VCPUS; v++) {
			if (!hk->vcpu[v])
				continue;
			if (vt_vcpu_shared(v))
				vt_share(hk->vcpu[v], false);
			vt_free_pages(hk->vcpu[v], 1);
		}
		if (hk->kvm) {
			if (vt_kvm_shared(k))
				vt_share(hk->kvm, false);
			vt_free_pages(hk->kvm,
				      vt_pages_for(sizeof(struct kvm)));
		}
	}
	memset(h.kvm, 0, sizeof(h.kvm));

	if (pkvmsim_check(h.sim, &h.report))
		vt_fail("the page ledger does not balance:\n%s", h.report.text);
	op_begin("pkvmsim_reset", 0);
	ret = pkvmsim_reset(h.sim, NULL);
	if (ret != (reserved ? -EUCLEAN : 0))
		vt_fail("pkvmsim_reset() = %d with %u slots RESERVED", ret,
		     reserved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t mode = fuzz_u8(&in);

	memset(&h.stale, 0, sizeof(h.stale));
	h.nr_stale = 0;
	h.op = 0;
	sim_boot((mode & 0x0f) == 0x0f, mode & 0x10);

	while (fuzz_more(&in) && h.op < MAX_OPS) {
		unsigned int op = fuzz_u8(&in);

		h.op++;
		switch (op % 16) {
		case 0:
		case 1:
			op_reserve(&in, 1);
			break;
		case 2: {
			/* A few, or (0xff) every slot left and one more. */
			unsigned int n = fuzz_u8(&in);

			op_reserve(&in, n == 0xff ? MODEL_SLOTS + 1 :
					1 + (n & 0x0f));
			break;
		}
		case 3:
			op_unreserve(&in);
			break;
		case 4:
		case 5:
			op_init_vm(&in);
			break;
		case 6:
		case 7:
			op_init_vcpu(&in);
			break;
		case 8:
		case 9:
			op_vcpu_load(&in);
			break;
		case 10:
			op_vcpu_put(vt_pick_cpu(&in));
			break;
		case 11:
			op_get(&in);
			break;
		case 12:
			op_put(&in);
			break;
		case 13:
		case 14:
			op_teardown(&in);
			break;
		default:
			op_tlb_flush(&in);
			break;
		}
		vt_verify(false);
	}
	give_back();
	return 0;
}
