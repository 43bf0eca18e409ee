// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_hvc's operations: the host model's ioctls, raw hypercalls, the
 * hostile host's own VMs and their fields, one host vCPU pinned over and
 * over, references, pages, injected failures, the inspection API.
 *
 * The harness keeps every struct pkvmsim_vm * only while the VM lives
 * (pkvmsim_vm_destroy() ends it whatever it answers, but -EAGAIN), so it
 * never hands the library a stale pointer itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hvc_fuzz.h"
#include "nvhe/pkvm.h"

/* created_vcpus as the hostile host writes it. */
static const int vcpu_counts[] = {
	1, 2, 0, 16, 17, -1, 0x7fffffff, 0x10000, 0x10001, 0x10000000,
	(int)0x80000000,
};

static const int vcpu_indexes[] = {
	0, 1, 15, 16, 255, 256, 0xffff, 0x10000, -1, 0x7fffffff,
};

static void op_name(const char *name)
{
	hf.opname = name;
	if (hf.trace)
		fprintf(stderr, "#%lu %s\n", hf.op, name);
}

static unsigned int pick_cpu(struct fuzz_input *in)
{
	return fuzz_below(in, HF_CPUS);
}

/* A live host VM, or NULL if there is none. */
static struct hf_vm *pick_vm(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);

	return hf.nr_vms ? &hf.vms[b % hf.nr_vms] : NULL;
}

static unsigned int pick_vcpu(struct fuzz_input *in, const struct hf_vm *v)
{
	unsigned int b = fuzz_u8(in);

	return b & 0x80 ? b % (PKVMSIM_MAX_VCPUS + 2) :
			  b % (v->nr_vcpus + 1);
}

static void taint_if(bool cond)
{
	if (cond)
		hf.ctx.tainted = true;
}

/*
 * Whether a pin of [@hva, @hva + @size) meets a page whose pin count is
 * at its limit: the hypervisor's BUG_ON is then the expected answer.
 */
static bool pin_at_limit(uint64_t hva, uint64_t size)
{
	uint64_t base = (uint64_t)(uintptr_t)sim_arena_host_base();
	uint64_t bytes = sim_arena_nr_pages() * SIM_PAGE_SIZE, off;
	struct sim_page_info info;

	if (hva < base || hva - base >= bytes)
		return false;
	for (off = (hva - base) & ~(SIM_PAGE_SIZE - 1);
	     off < bytes && off < hva - base + size; off += SIM_PAGE_SIZE)
		if (!sim_ledger_page(SIM_PHYS_BASE + off, &info) &&
		    info.refcount == 0xffff)
			return true;
	return false;
}

/* Whether [@x, @x + @size) is misaligned for @align or not arena memory. */
static bool bad_pointer(uint64_t x, uint64_t size, uint64_t align)
{
	uint64_t base = (uint64_t)(uintptr_t)sim_arena_host_base();
	uint64_t bytes = sim_arena_nr_pages() * SIM_PAGE_SIZE;

	return (x & (align - 1)) || x < base || x - base > bytes - size;
}

/* The handle in the hostile host's struct kvm at @x, 0 if none is there. */
static unsigned int raw_kvm_handle(uint64_t x)
{
	unsigned int i;

	for (i = 0; i < hf.nr_raw; i++)
		if (x == (uint64_t)(uintptr_t)hf.raw[i].kvm)
			return hf.raw[i].kvm->arch.pkvm.handle;
	return 0;
}

/* One raw register file through the installed transport. */
static int raw_call(unsigned int cpu, uint64_t x0, uint64_t x1, uint64_t x2,
		    uint64_t x3, uint64_t *ret_x1)
{
	struct pkvmsim_regs regs = { .x = { x0, x1, x2, x3 } };
	unsigned long nr = machine_hcall_nr(x0);
	int ret;

	taint_if(hf_tampers(x1) || hf_tampers(x2) ||
		 hf_tampers(x3) ||
		 ((nr == PKVMSIM_HCALL_PKVM_VCPU_LOAD ||
		   nr == PKVMSIM_HCALL_PKVM_VCPU_PUT) && hf.nr_vms));
	if (nr == PKVMSIM_HCALL_PKVM_INIT_VM) {
		/* init_vm may fill any RESERVED slot, a host VM's too. */
		taint_if(hf_tampers(raw_kvm_handle(x1)));
		hf.ctx.bug_expected |= pin_at_limit(x1, sizeof(struct kvm));
		hf.ctx.bad_pointer |= bad_pointer(x1, sizeof(struct kvm), 8) ||
				      bad_pointer(x2, 1, SIM_PAGE_SIZE) ||
				      bad_pointer(x3, 1, SIM_PAGE_SIZE);
	}
	if (nr == PKVMSIM_HCALL_PKVM_INIT_VCPU) {
		hf.ctx.bug_expected |= pin_at_limit(x2,
						    sizeof(struct kvm_vcpu));
		hf.ctx.bad_pointer |= bad_pointer(x2, sizeof(struct kvm_vcpu),
						  8) ||
				      bad_pointer(x3, 1, SIM_PAGE_SIZE);
	}
	ret = pkvmsim_hvc(hf.sim, cpu, &regs);
	if (hf.trace)
		fprintf(stderr, "  cpu%u hvc %#llx(%#llx, %#llx, %#llx) = %d, "
			"x0 %#llx x1 %#llx\n", cpu, (unsigned long long)x0,
			(unsigned long long)x1, (unsigned long long)x2,
			(unsigned long long)x3, ret,
			(unsigned long long)regs.x[0],
			(unsigned long long)regs.x[1]);
	/*
	 * Refused by the dispatcher: the handler never ran.  Not delivered
	 * (a host panic, a hypervisor crash): what it did is unknown, so 0,
	 * and the caller keeps its pages away from the allocator.
	 */
	if (ret_x1)
		*ret_x1 = ret ? 0 : regs.x[0] ? ~0ULL : regs.x[1];
	return ret;
}

/* --- the host model --- */

static void op_vm_create(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	bool protected_vm = fuzz_u8(in) & 1;
	struct pkvmsim_vm *vm;

	op_name("pkvmsim_vm_create");
	if (hf.nr_vms == HF_MAX_VMS)
		return;
	if (!pkvmsim_vm_create_type(hf.sim, cpu, protected_vm ?
				    PKVMSIM_VM_PROTECTED : PKVMSIM_VM_NORMAL,
				    &vm))
		hf.vms[hf.nr_vms++] = (struct hf_vm){ .vm = vm };
}

static void op_vm_destroy(struct fuzz_input *in)
{
	struct hf_vm *v = pick_vm(in);
	unsigned int cpu = pick_cpu(in);

	op_name("pkvmsim_vm_destroy");
	if (!v)
		return;
	/* Gone whatever the answer, but -EAGAIN (nothing done). */
	if (pkvmsim_vm_destroy(v->vm, cpu) == -EAGAIN)
		return;
	hf.gone[hf.nr_gone++ % HF_MAX_VMS] = v->vm;
	*v = hf.vms[--hf.nr_vms];
}

static void op_vcpu(struct fuzz_input *in, unsigned int which)
{
	struct hf_vm *v = pick_vm(in);
	unsigned int cpu = pick_cpu(in), idx;

	if (!v)
		return;
	idx = pick_vcpu(in, v);
	switch (which) {
	case 0:
		op_name("pkvmsim_vcpu_create");
		if (!pkvmsim_vcpu_create(v->vm, cpu, idx))
			v->nr_vcpus++;
		break;
	case 1:
		op_name("pkvmsim_vcpu_run");
		pkvmsim_vcpu_run(v->vm, cpu, idx);
		break;
	case 2:
		op_name("pkvmsim_vcpu_put");
		pkvmsim_vcpu_put(v->vm, cpu, idx);
		break;
	case 3:
		op_name("pkvmsim_vcpu_ioctl");
		pkvmsim_vcpu_ioctl(v->vm, cpu, idx);
		break;
	default:
		op_name("pkvmsim_mmu_notify");
		pkvmsim_mmu_notify(v->vm, cpu);
		break;
	}
}

/* --- raw hypercalls --- */

/* Host hypercall numbers worth most: pKVM's, then the rest of 6.18. */
static const unsigned int pkvm_nrs[] = {
	8, 9, 27, 28, 29, 30, 31, 32, 33, 34, 27, 28, 29, 30, 31,
};

static const unsigned int boot_nrs[] = {
	PKVMSIM_HCALL_KVM_HYP_INIT, PKVMSIM_HCALL_PKVM_INIT,
	PKVMSIM_HCALL_PKVM_PROT_FINALIZE,
};

static uint64_t pick_id(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);
	uint64_t nr;

	switch (b % 8) {
	case 0:		/* anything, hint bits and all */
		return fuzz_u64(in);
	case 1:
		return fuzz_u32(in);
	case 2:		/* ids of 6.18 and just past them */
		nr = fuzz_below(in, PKVMSIM_HCALL_NR + 2);
		break;
	case 3:		/* the boot-only ones, refused once pKVM finalised */
		nr = boot_nrs[fuzz_below(in, ARRAY_SIZE(boot_nrs))];
		break;
	default:
		nr = pkvm_nrs[fuzz_below(in, ARRAY_SIZE(pkvm_nrs))];
		break;
	}
	/* The SVE hint bit, which the dispatcher clears. */
	return PKVMSIM_HVC_ID(nr) | (b & 0x80 ? 1ULL << 16 : 0);
}

static void op_raw(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in);
	uint64_t x0 = pick_id(in);
	uint64_t x1 = hf_value(in), x2 = hf_value(in), x3 = hf_value(in);

	op_name("pkvmsim_hvc");
	raw_call(cpu, x0, x1, x2, x3, NULL);
}

/* The hostile host's own VM @i, made (and shared) on first use. */
static struct hf_raw *raw_vm(unsigned int i, unsigned int cpu)
{
	struct hf_raw *r;

	if (i >= hf.nr_raw) {
		if (hf.nr_raw == HF_MAX_RAW)
			return &hf.raw[i % HF_MAX_RAW];
		r = &hf.raw[hf.nr_raw];
		memset(r, 0, sizeof(*r));
		r->kvm = sim_host_alloc_pages(1);
		r->vcpu = sim_host_alloc_pages(1);
		if (!r->kvm || !r->vcpu)
			return NULL;
		hf.nr_raw++;
		hf_mine((uint64_t)(uintptr_t)r->kvm, 1, true);
		hf_mine((uint64_t)(uintptr_t)r->vcpu, 1, true);
		r->vcpu->kvm = r->kvm;
		pkvmsim_host_page_share(hf.sim, cpu,
					(uint64_t)(uintptr_t)r->kvm);
		pkvmsim_host_page_share(hf.sim, cpu,
					(uint64_t)(uintptr_t)r->vcpu);
		return r;
	}
	return &hf.raw[i];
}

/* Pages for an area of @bytes; one page if it cannot fit. */
static void *area(uint64_t bytes, unsigned long *nr)
{
	void *va;

	*nr = (bytes + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
	if (*nr > 1024)
		*nr = 1;
	va = sim_host_alloc_pages(*nr);
	if (va)
		hf_mine((uint64_t)(uintptr_t)va, *nr, true);
	return va;
}

/* Pages an init call was given back are the host's again. */
static void area_free(void *va, unsigned long nr, uint64_t ret)
{
	if (va && ret && !sim_host_free_pages(va, nr))
		hf_mine((uint64_t)(uintptr_t)va, nr, false);
}

/*
 * Reserve, write the hostile VM's struct kvm, and init_vm it: pages of
 * the right size, unless a byte says to pass a value of any kind instead.
 */
static void op_raw_vm(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in), b = fuzz_u8(in);
	struct hf_raw *r = raw_vm(b % (HF_MAX_RAW + 1), cpu);
	int created = vcpu_counts[fuzz_below(in, ARRAY_SIZE(vcpu_counts))];
	unsigned int how = fuzz_u8(in);
	unsigned long vm_nr = 0, pgd_nr = 0;
	uint64_t x1, x2, x3, res = ~0ULL;
	void *vm_va, *pgd_va;

	op_name("raw __pkvm_init_vm");
	if (!r)
		return;
	if (how & 1) {
		raw_call(cpu, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM),
			 0, 0, 0, &res);
		r->handle = (unsigned int)res;
	} else {
		r->handle = hf_handle(in);
	}
	r->kvm->created_vcpus = created;
	r->kvm->arch.pkvm.handle = r->handle;
	r->kvm->arch.pkvm.is_protected = how & 2;

	vm_va = area(pkvm_get_hyp_vm_size((unsigned int)created), &vm_nr);
	pgd_va = area(kvm_pgtable_stage2_pgd_size(0), &pgd_nr);
	x1 = how & 0x10 ? hf_value(in) : (uint64_t)(uintptr_t)r->kvm;
	x2 = how & 0x20 ? hf_value(in) : (uint64_t)(uintptr_t)vm_va;
	x3 = how & 0x40 ? hf_value(in) : (uint64_t)(uintptr_t)pgd_va;
	raw_call(cpu, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VM), x1, x2, x3,
		 &res);
	area_free(vm_va, vm_nr, res);
	area_free(pgd_va, pgd_nr, res);
}

static void op_raw_vcpu(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in), b = fuzz_u8(in);
	struct hf_raw *r = raw_vm(b % (HF_MAX_RAW + 1), cpu);
	int idx = vcpu_indexes[fuzz_below(in, ARRAY_SIZE(vcpu_indexes))];
	unsigned int how = fuzz_u8(in);
	uint64_t x1, x2, x3, res = ~0ULL;
	unsigned long nr = 0;
	void *va;

	op_name("raw __pkvm_init_vcpu");
	if (!r)
		return;
	r->vcpu->vcpu_idx = idx;
	r->vcpu->arch.features = how & 2 ? 1UL << KVM_ARM_VCPU_SVE : 0;
	va = area(sizeof(struct pkvm_hyp_vcpu), &nr);
	x1 = how & 0x10 ? hf_handle(in) : r->handle;
	x2 = how & 0x20 ? hf_value(in) : (uint64_t)(uintptr_t)r->vcpu;
	x3 = how & 0x40 ? hf_value(in) : (uint64_t)(uintptr_t)va;
	raw_call(cpu, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VCPU), x1, x2,
		 x3, &res);
	area_free(va, nr, res);
}

/*
 * One host vCPU made the hyp vCPU of index after index of a VM with room
 * for them: each pins its page once more, each paid for with a page.
 * 65536 of them reach the pin count's limit.
 */
static void op_pin_storm(struct fuzz_input *in)
{
	unsigned int cpu = pick_cpu(in), b = fuzz_u8(in);
	struct hf_raw *r = raw_vm(b % (HF_MAX_RAW + 1), cpu);
	unsigned int shift = fuzz_below(in, 17);
	unsigned long count = (1UL << shift) + fuzz_below(in, 4), i;
	int start = (int)fuzz_u8(in);
	unsigned long seen = oracle_count(hf.sim->oracle), nr;
	uint64_t res;
	void *va;

	op_name("pin storm");
	if (!r)
		return;
	for (i = 0; i < count; i++) {
		va = area(SIM_PAGE_SIZE, &nr);
		if (!va)
			break;
		r->vcpu->vcpu_idx = start + (int)i;
		raw_call(cpu, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VCPU),
			 r->handle, (uint64_t)(uintptr_t)r->vcpu,
			 (uint64_t)(uintptr_t)va, &res);
		area_free(va, 1, res);
		/* A refusal ends it, and so does a violation. */
		if (res || oracle_count(hf.sim->oracle) != seen)
			break;
	}
}

/* The fields the hypervisor reads, written as the host likes. */
static void op_write(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in), which = fuzz_u8(in);
	struct pkvmsim_vm_args args;
	struct kvm_vcpu *vcpu = NULL;
	struct kvm *kvm = NULL;
	struct hf_vm *v;

	op_name("write a host field");
	if (b & 1) {
		v = pick_vm(in);
		if (!v || pkvmsim_vm_hyp_args(v->vm, &args))
			return;
		hf.ctx.tainted = true;
		kvm = (struct kvm *)(uintptr_t)args.kvm;
		if (args.nr_vcpus)
			vcpu = (struct kvm_vcpu *)(uintptr_t)
			       args.vcpu[which % args.nr_vcpus];
	} else if (hf.nr_raw) {
		kvm = hf.raw[which % hf.nr_raw].kvm;
		vcpu = hf.raw[which % hf.nr_raw].vcpu;
	} else {
		return;
	}

	switch ((b >> 1) % 7) {
	case 0:
		kvm->created_vcpus = vcpu_counts[fuzz_below(in,
						ARRAY_SIZE(vcpu_counts))];
		break;
	case 1:
		kvm->arch.pkvm.handle = hf_handle(in);
		break;
	case 2:
		kvm->arch.pkvm.is_protected = fuzz_u8(in) & 1;
		break;
	case 3:
		kvm->arch.pkvm.is_created = fuzz_u8(in) & 1;
		break;
	case 4:
		if (vcpu)
			vcpu->vcpu_idx = vcpu_indexes[fuzz_below(in,
						ARRAY_SIZE(vcpu_indexes))];
		break;
	case 5:
		if (vcpu)
			vcpu->vcpu_id = (int)fuzz_u32(in);
		break;
	default:
		if (vcpu)
			vcpu->arch.features ^= 1UL << KVM_ARM_VCPU_SVE;
		break;
	}
}

/* --- pages, references, injection, inspection --- */

static void op_pages(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in), cpu = pick_cpu(in);
	struct hf_pages *p = hf.nr_pages ?
			     &hf.pages[fuzz_u8(in) % hf.nr_pages] : NULL;
	uint64_t hva;
	int ret;

	op_name("pages");
	switch (b % 5) {
	case 0:
		if (hf.nr_pages == HF_MAX_PAGES)
			return;
		if (pkvmsim_host_pages_alloc(hf.sim, 1 + b / 5 % 4, &hva))
			return;
		hf.pages[hf.nr_pages++] = (struct hf_pages){
			.hva = hva, .nr = 1 + b / 5 % 4,
		};
		hf_mine(hva, 1 + b / 5 % 4, true);
		return;
	case 1:
		if (!p)
			return;
		/* A wrong count is refused; the allocation stays. */
		ret = pkvmsim_host_pages_free(hf.sim, p->hva,
					      b & 0x80 ? p->nr + 1 : p->nr);
		if (!(b & 0x80) && (!ret || ret == -EINVAL)) {
			hf_mine(p->hva, p->nr, false);
			*p = hf.pages[--hf.nr_pages];
		}
		return;
	case 2:
	case 3:
		if (!p)
			return;
		hva = p->hva + (b >> 4) % p->nr * SIM_PAGE_SIZE;
		if (b % 5 == 2)
			pkvmsim_host_page_share(hf.sim, cpu, hva);
		else
			pkvmsim_host_page_unshare(hf.sim, cpu, hva);
		return;
	default:
		/* Any page the host has: the host model's too. */
		hva = hf_value(in);
		taint_if(hf_tampers(hva));
		pkvmsim_host_page_share(hf.sim, cpu, hva);
		return;
	}
}

static void op_ref(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in), cpu = pick_cpu(in);
	unsigned int handle = hf_handle(in);

	op_name("hyp VM reference");
	taint_if(hf_tampers(handle));
	switch (b % 3) {
	case 0:
		pkvmsim_hyp_vm_get(hf.sim, cpu, handle);
		break;
	case 1:
		pkvmsim_hyp_vm_get_np(hf.sim, cpu, handle);
		break;
	default:
		pkvmsim_hyp_vm_put(hf.sim, cpu, handle);
		break;
	}
}

static void op_inject(struct fuzz_input *in)
{
	unsigned int kind = fuzz_below(in, SIM_INJECT_NR);
	unsigned int skip = fuzz_below(in, 8), count = 1 + fuzz_below(in, 4);

	op_name("inject");
	sim_inject_arm((enum sim_inject_kind)kind, skip, count);
}

/*
 * A destroyed VM's handle, which a new VM may have replaced at the same
 * value were handles pointers the allocator reuses: every call on it is
 * -EINVAL, and changes nothing (issue 8, finding 4).
 */
static void stale_vm(unsigned int pick)
{
	unsigned int n = hf.nr_gone < HF_MAX_VMS ? hf.nr_gone : HF_MAX_VMS;
	struct pkvmsim_vm *vm;
	int ret;

	if (!n)
		return;
	vm = hf.gone[pick % n];
	if ((ret = pkvmsim_mmu_notify(vm, 0)) != -EINVAL ||
	    (ret = pkvmsim_vcpu_run(vm, 0, 0)) != -EINVAL ||
	    (ret = pkvmsim_vm_destroy(vm, 0)) != -EINVAL)
		hf_fail("a call on a destroyed VM's handle answered %d, not "
			"-EINVAL", ret);
}

static void op_inspect(struct fuzz_input *in)
{
	unsigned int b = fuzz_u8(in);
	struct pkvmsim_slot slot;
	struct pkvmsim_table table;
	uint64_t flushes;

	op_name("inspect");
	if (pkvmsim_table_snapshot(hf.sim, &table))
		hf_fail("pkvmsim_table_snapshot failed");
	pkvmsim_slot(hf.sim, hf_handle(in), &slot);
	pkvmsim_tlb_flushes(hf.sim, fuzz_u8(in), &flushes);
	pkvmsim_tz_vm_count(hf.sim);
	/* The whole report is dear: now and then. */
	if ((b & 0xf0) == 0xf0)
		pkvmsim_check(hf.sim, &hf.report);
	if ((b & 0x0f) == 0x0e)
		stale_vm(b >> 4);
}

void hf_op(struct fuzz_input *in, unsigned int op)
{
	switch (op % 20) {
	case 0:
	case 1:
		op_vm_create(in);
		break;
	case 2:
	case 3:
		op_vcpu(in, 0);
		break;
	case 4:
	case 5:
		op_vcpu(in, 1);
		break;
	case 6:
		op_vcpu(in, 2 + fuzz_below(in, 3));
		break;
	case 7:
		op_vm_destroy(in);
		break;
	case 8:
	case 9:
	case 10:
		op_raw(in);
		break;
	case 11:
	case 12:
		op_raw_vm(in);
		break;
	case 13:
		op_raw_vcpu(in);
		break;
	case 14:
		op_pin_storm(in);
		break;
	case 15:
		op_write(in);
		break;
	case 16:
		op_pages(in);
		break;
	case 17:
		op_ref(in);
		break;
	case 18:
		op_inject(in);
		break;
	default:
		op_inspect(in);
		break;
	}
}
