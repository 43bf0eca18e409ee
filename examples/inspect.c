// SPDX-License-Identifier: GPL-2.0-only
/*
 * Looking inside the simulated hypervisor from outside libpkvmsim, with
 * the installed headers and library only.
 *
 * Create a VM with one vCPU and run it: its slot goes LIVE with the
 * loaded vCPU's reference.  Hold a reference of our own, as a hypercall
 * in flight would, and see the count; release it.  Then, on a second VM
 * whose handle is only reserved, send the __pkvm_init_vm the host never
 * sent, naming that VM's own struct kvm, with pages we allocated: the
 * slot goes LIVE.  A raw teardown gives it all back before the host hears
 * of anything, so the oracle ends with nothing to report.
 *
 * Exit status: 0 as expected, 1 an expectation failed, 2 a call failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pkvmsim/pkvmsim.h>
#include <pkvmsim/inspect.h>

static int call_failed, unexpected;

static int call(const char *what, int ret)
{
	if (ret) {
		fprintf(stderr, "inspect: %s: %s\n", what, strerror(-ret));
		call_failed = 1;
	}
	return ret;
}

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "inspect: expected %s\n", what);
		unexpected = 1;
	}
}

static const char *state_name(enum pkvmsim_slot_state state)
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

static void show(const struct pkvmsim_slot *s)
{
	printf("slot %#x: %s, vmid %u, %u reference(s) (%u held), vm %lu\n",
	       s->handle, state_name(s->state), s->vmid, s->refs, s->held,
	       s->vm);
}

/* A raw hypercall from @cpu: its answer (x1), or a call error. */
static int hvc(struct pkvmsim *sim, unsigned int cpu, unsigned long nr,
	       uint64_t a1, uint64_t a2, uint64_t a3, int *answer)
{
	struct pkvmsim_regs regs = {
		.x = { PKVMSIM_HVC_ID(nr), a1, a2, a3 },
	};
	int ret = pkvmsim_hvc(sim, cpu, &regs);

	if (!ret && regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS)
		ret = -EOPNOTSUPP;	/* the dispatcher refused it */
	*answer = ret ? 0 : (int)(int64_t)regs.x[1];
	return ret;
}

static unsigned long pages(unsigned long bytes)
{
	return (bytes + PKVMSIM_PAGE_SIZE - 1) / PKVMSIM_PAGE_SIZE;
}

/* Both too big for a comfortable stack frame. */
static struct pkvmsim_table table;
static struct pkvmsim_report report;

/* VM 1: run it, look at its slot, hold a reference and let it go. */
static void first_vm(struct pkvmsim *sim)
{
	struct pkvmsim_vm *vm;
	struct pkvmsim_slot s;
	unsigned int h;

	if (call("pkvmsim_vm_create", pkvmsim_vm_create(sim, 0, &vm)))
		return;
	h = pkvmsim_vm_handle(vm);
	if (call("pkvmsim_vcpu_create", pkvmsim_vcpu_create(vm, 0, 0)) ||
	    call("pkvmsim_vcpu_run", pkvmsim_vcpu_run(vm, 0, 0)) ||
	    call("pkvmsim_table_snapshot", pkvmsim_table_snapshot(sim, &table)))
		goto out;

	s = table.slots[h - PKVMSIM_HANDLE_OFFSET];
	printf("after the first run: ");
	show(&s);
	expect(s.state == PKVMSIM_SLOT_LIVE, "the slot LIVE after a run");
	expect(s.vmid == h - PKVMSIM_HANDLE_OFFSET + 1, "VMID = index + 1");
	expect(s.vm == pkvmsim_vm_id(vm), "the slot to name its host VM");
	expect(s.refs == 1, "one reference: the loaded vCPU's");
	expect(table.loaded[0].loaded && table.loaded[0].handle == h &&
	       table.loaded[0].vcpu_idx == 0, "vCPU 0 loaded on CPU 0");

	if (call("pkvmsim_vcpu_put", pkvmsim_vcpu_put(vm, 0, 0)) ||
	    call("pkvmsim_hyp_vm_get", pkvmsim_hyp_vm_get(sim, 1, h)) ||
	    call("pkvmsim_slot", pkvmsim_slot(sim, h, &s)))
		goto out;
	printf("vCPU put, our reference held: ");
	show(&s);
	expect(s.refs == 1 && s.held == 1, "only our reference");

	if (call("pkvmsim_hyp_vm_put", pkvmsim_hyp_vm_put(sim, 1, h)) ||
	    call("pkvmsim_slot", pkvmsim_slot(sim, h, &s)))
		goto out;
	printf("released: ");
	show(&s);
	expect(s.refs == 0, "no reference left");
out:
	call("pkvmsim_vm_destroy", pkvmsim_vm_destroy(vm, 0));
}

/* VM 2: the init_vm the host never sent, on its reserved handle. */
static void second_vm(struct pkvmsim *sim)
{
	struct pkvmsim_vm_args args = { 0 };
	uint64_t area = 0, pgd = 0;
	struct pkvmsim_vm *vm;
	struct pkvmsim_slot s;
	int answer = -1;
	unsigned int h;

	if (call("pkvmsim_vm_create", pkvmsim_vm_create(sim, 0, &vm)))
		return;
	h = pkvmsim_vm_handle(vm);
	if (call("pkvmsim_vcpu_create", pkvmsim_vcpu_create(vm, 0, 0)) ||
	    call("pkvmsim_vm_hyp_args", pkvmsim_vm_hyp_args(vm, &args)) ||
	    call("pkvmsim_host_pages_alloc",
		 pkvmsim_host_pages_alloc(sim, pages(args.vm_area_size),
					  &area)) ||
	    call("pkvmsim_host_pages_alloc",
		 pkvmsim_host_pages_alloc(sim, pages(args.pgd_size), &pgd)) ||
	    call("pkvmsim_slot", pkvmsim_slot(sim, h, &s)))
		goto out;
	printf("second VM, never run: ");
	show(&s);
	expect(s.state == PKVMSIM_SLOT_RESERVED, "its slot RESERVED");

	if (call("__pkvm_init_vm", hvc(sim, 2, PKVMSIM_HCALL_PKVM_INIT_VM,
				       args.kvm, area, pgd, &answer)) ||
	    call("pkvmsim_slot", pkvmsim_slot(sim, h, &s)))
		goto out;
	printf("raw __pkvm_init_vm(its own struct kvm) = %d: ", answer);
	show(&s);
	expect(answer == 0, "the raw init_vm to succeed");
	expect(s.state == PKVMSIM_SLOT_LIVE, "the slot LIVE");
	expect(s.vm == pkvmsim_vm_id(vm), "the slot to name the second VM");
	expect(!pkvmsim_vm_is_created(vm), "the host not to know");
	if (answer)
		goto out;

	/*
	 * Give it back before any host operation: the areas go to the VM's
	 * teardown memcaches, which the host frees with the VM.
	 */
	if (call("__pkvm_teardown_vm",
		 hvc(sim, 2, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, h, 0, 0,
		     &answer)) ||
	    call("pkvmsim_slot", pkvmsim_slot(sim, h, &s)))
		goto out;
	printf("raw __pkvm_teardown_vm = %d: ", answer);
	show(&s);
	expect(answer == 0 && s.state == PKVMSIM_SLOT_FREE, "the slot FREE");
	area = pgd = 0;
out:
	if (area)
		call("pkvmsim_host_pages_free",
		     pkvmsim_host_pages_free(sim, area,
					     pages(args.vm_area_size)));
	if (pgd)
		call("pkvmsim_host_pages_free",
		     pkvmsim_host_pages_free(sim, pgd, pages(args.pgd_size)));
	call("pkvmsim_vm_destroy", pkvmsim_vm_destroy(vm, 0));
}

int main(void)
{
	struct pkvmsim *sim;
	int ret;

	if (call("pkvmsim_create", pkvmsim_create(NULL, &sim)))
		return 2;

	first_vm(sim);
	second_vm(sim);

	if (call("pkvmsim_table_snapshot", pkvmsim_table_snapshot(sim, &table)))
		table.nr_free = 0;
	printf("table: %u free, %u reserved, %u live\n", table.nr_free,
	       table.nr_reserved, table.nr_live);
	expect(table.nr_free == PKVMSIM_NR_SLOTS, "every slot FREE at the end");

	ret = pkvmsim_check(sim, &report);
	printf("check: %lu violations, %lu leaked pages, %lu hyp warnings, "
	       "%lu host warnings\n%s", report.nr_violations,
	       report.nr_leaked_pages, report.nr_warnings,
	       report.nr_host_warnings, report.text);
	expect(!ret, "a clean report");
	if (pkvmsim_destroy(sim))
		expect(0, "a clean shutdown");

	if (call_failed)
		return 2;
	return unexpected ? 1 : 0;
}
