// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenarios of a hostile host: hypercalls the host model would never make,
 * sent raw (pkvmsim_hvc()) against a VM's handle, racing each other.  The
 * hypervisor must keep its table and references right whatever the host
 * sends (SPEC 9): only the locked RESERVED->LIVE insert wins, unreserve
 * clears only RESERVED, and references are taken and checked under the
 * table lock.
 *
 * The host model must not notice: a raw call changes nothing the host
 * believes until the scenario has put the hypervisor back (a hyp VM built
 * raw is torn down raw), so that a correct hypervisor ends every schedule
 * with the oracle and the ledger clean.  Between setup and teardown these
 * scenarios make no host-level call, since the oracle's whole-state check
 * after one would rightly see a slot the host does not know about.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scenario_common.h"

#define W_UNRESERVE_INIT	"unreserve racing init_vm"
#define W_LOAD_TEARDOWN		"vCPU load vs teardown"
#define W_HANDLE_TEARDOWN	"handle-based operation vs teardown"

/* --- a hyp VM the host does not know about --- */

/*
 * A host VM with its handle reserved, whose hyp VM and vCPUs the scenario
 * made with raw init_vm and init_vcpu naming the VM's own structures.
 * The host believes the handle only reserved; a raw teardown hands the
 * areas back through the VM's teardown memcaches, which the host frees
 * when it destroys the VM (and then unreserves a FREE slot: nothing).
 */
struct raw_vm {
	struct pkvmsim_vm	*vm;
	unsigned int		handle;
	struct pkvmsim_vm_args	args;
};

/* Donate @bytes of fresh pages to the raw call: allocate them. */
static int raw_alloc(struct pkvmsim *sim, unsigned long bytes, uint64_t *hva)
{
	return pkvmsim_host_pages_alloc(sim, scn_pages(bytes), hva);
}

static void raw_free(struct pkvmsim *sim, uint64_t hva, unsigned long bytes)
{
	if (hva)
		pkvmsim_host_pages_free(sim, hva, scn_pages(bytes));
}

static int raw_init_vm(struct pkvmsim *sim, struct raw_vm *r)
{
	uint64_t area = 0, pgd = 0;
	int ret;

	ret = raw_alloc(sim, r->args.vm_area_size, &area);
	if (!ret)
		ret = raw_alloc(sim, r->args.pgd_size, &pgd);
	if (!ret)
		ret = scn_call(sim, 0, PKVMSIM_HCALL_PKVM_INIT_VM, r->args.kvm,
			       area, pgd);
	if (ret) {
		/* Not donated: they are the scenario's to give back. */
		raw_free(sim, area, r->args.vm_area_size);
		raw_free(sim, pgd, r->args.pgd_size);
	}
	return ret;
}

static int raw_init_vcpu(struct pkvmsim *sim, struct raw_vm *r,
			 unsigned int idx)
{
	uint64_t area = 0;
	int ret;

	ret = raw_alloc(sim, r->args.vcpu_area_size, &area);
	if (!ret)
		ret = scn_call(sim, 0, PKVMSIM_HCALL_PKVM_INIT_VCPU, r->handle,
			       r->args.vcpu[idx], area);
	if (ret)
		raw_free(sim, area, r->args.vcpu_area_size);
	return ret;
}

/*
 * Create a VM with @nr_vcpus vCPUs on CPU 0, then build its hyp VM raw
 * and load and put each vCPU once (vCPU i on CPU i), as if it had run.
 */
static int raw_vm_build(struct pkvmsim *sim, struct raw_vm *r,
			unsigned int nr_vcpus)
{
	unsigned int i;
	int ret;

	ret = pkvmsim_vm_create(sim, 0, &r->vm);
	for (i = 0; !ret && i < nr_vcpus; i++)
		ret = pkvmsim_vcpu_create(r->vm, 0, i);
	if (!ret)
		ret = pkvmsim_vm_hyp_args(r->vm, &r->args);
	if (ret)
		return ret;
	r->handle = pkvmsim_vm_handle(r->vm);

	/* From here on, no host-level call until the raw teardown. */
	ret = raw_init_vm(sim, r);
	for (i = 0; !ret && i < nr_vcpus; i++)
		ret = raw_init_vcpu(sim, r, i);
	for (i = 0; !ret && i < nr_vcpus; i++) {
		ret = scn_hvc(sim, i, PKVMSIM_HCALL_PKVM_VCPU_LOAD, r->handle,
			      i, 0, NULL);
		if (!ret)
			ret = scn_hvc(sim, i, PKVMSIM_HCALL_PKVM_VCPU_PUT, 0, 0,
				      0, NULL);
	}
	return ret;
}

/* Tear the raw hyp VM down if it is still there; the host does the rest. */
static void raw_vm_teardown(struct pkvmsim *sim, struct raw_vm *r)
{
	if (r->handle && scn_slot_state(sim, r->handle) == PKVMSIM_SLOT_LIVE)
		scn_call(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, r->handle, 0, 0);
}

/* --- init_vm vs unreserve (vs init_vm) on one reserved handle --- */

struct init_race {
	struct pkvmsim_vm	*vm;
	unsigned int		handle;
	struct pkvmsim_vm_args	args;
	uint64_t		area[2];
	uint64_t		pgd[2];
	int			init[2];	/* the init_vm answers */
	int			unreserve;
};

/* A VM with one vCPU, its handle reserved, and areas for @nr init_vms. */
static int init_race_setup(struct pkvmsim *sim, void *ctx, unsigned int nr)
{
	struct init_race *ir = ctx;
	unsigned int i;
	int ret;

	ret = pkvmsim_vm_create(sim, 0, &ir->vm);
	if (!ret)
		ret = pkvmsim_vcpu_create(ir->vm, 0, 0);
	if (!ret)
		ret = pkvmsim_vm_hyp_args(ir->vm, &ir->args);
	for (i = 0; !ret && i < nr; i++) {
		ret = raw_alloc(sim, ir->args.vm_area_size, &ir->area[i]);
		if (!ret)
			ret = raw_alloc(sim, ir->args.pgd_size, &ir->pgd[i]);
	}
	ir->handle = pkvmsim_vm_handle(ir->vm);
	for (i = 0; i < 2; i++)
		ir->init[i] = 1;	/* not sent */
	return ret;
}

static int init_race2_setup(struct pkvmsim *sim, void *ctx)
{
	return init_race_setup(sim, ctx, 1);
}

static int init_race3_setup(struct pkvmsim *sim, void *ctx)
{
	return init_race_setup(sim, ctx, 2);
}

static void init_race_init(struct pkvmsim *sim, struct init_race *ir,
			   unsigned int cpu, unsigned int i)
{
	ir->init[i] = scn_call(sim, cpu, PKVMSIM_HCALL_PKVM_INIT_VM,
			       ir->args.kvm, ir->area[i], ir->pgd[i]);
}

static void init_race_body0(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	init_race_init(sim, ctx, cpu, 0);
}

static void init_race_body2(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	init_race_init(sim, ctx, cpu, 1);
}

static void init_race_unreserve(struct pkvmsim *sim, unsigned int cpu,
				void *ctx)
{
	struct init_race *ir = ctx;

	ir->unreserve = scn_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_UNRESERVE_VM,
				ir->handle, 0, 0, NULL);
}

/*
 * At most one init_vm wins, the others answer -EINVAL; the slot is LIVE,
 * with this VM, iff one won, else the unreserve freed it.
 */
static int init_race_check(struct pkvmsim *sim, void *ctx, char *why,
			   size_t len)
{
	struct init_race *ir = ctx;
	struct pkvmsim_slot s;
	unsigned int i, won = 0;

	for (i = 0; i < 2; i++) {
		if (ir->init[i] == 1)
			continue;
		if (ir->init[i] && ir->init[i] != -EINVAL) {
			snprintf(why, len, "init_vm #%u answered %d", i,
				 ir->init[i]);
			return 1;
		}
		won += !ir->init[i];
	}
	if (ir->unreserve || pkvmsim_slot(sim, ir->handle, &s)) {
		snprintf(why, len, "the unreserve or the slot read failed");
		return 1;
	}
	if (won > 1) {
		snprintf(why, len, "%u init_vm calls on handle 0x%x succeeded",
			 won, ir->handle);
		return 1;
	}
	if (s.state != (won ? PKVMSIM_SLOT_LIVE : PKVMSIM_SLOT_FREE)) {
		snprintf(why, len, "%u init_vm succeeded but slot 0x%x is %s",
			 won, ir->handle, scn_slot_name(s.state));
		return 1;
	}
	if (won && (s.vm != pkvmsim_vm_id(ir->vm) ||
		    s.vmid != ir->handle - PKVMSIM_HANDLE_OFFSET + 1)) {
		snprintf(why, len, "slot 0x%x went LIVE for vm %lu, VMID %u",
			 ir->handle, s.vm, s.vmid);
		return 1;
	}
	return 0;
}

/*
 * The winner's areas come back through the VM's teardown memcaches, which
 * the host frees with the VM: only the losers' are ours to free.  The host
 * still believes the handle reserved; its unreserve at destroy finds the
 * slot FREE and does nothing.
 */
static void init_race_teardown(struct pkvmsim *sim, void *ctx)
{
	struct init_race *ir = ctx;
	unsigned int i;

	if (ir->handle &&
	    scn_slot_state(sim, ir->handle) == PKVMSIM_SLOT_LIVE)
		scn_call(sim, 0, PKVMSIM_HCALL_PKVM_TEARDOWN_VM, ir->handle, 0,
			 0);
	for (i = 0; i < 2; i++) {
		if (!ir->init[i])
			continue;
		raw_free(sim, ir->area[i], ir->args.vm_area_size);
		raw_free(sim, ir->pgd[i], ir->args.pgd_size);
	}
}

/* --- vCPU load vs teardown --- */

/*
 * The loads stay loaded until the check, so a load that took effect holds
 * its reference across the teardown whatever the order: teardown answers
 * 0 only if every load found nothing, -EBUSY only if one took effect.
 * What each CPU holds is read in the check, outside the schedule.
 */
struct load_race {
	struct raw_vm		r;
	int			teardown;
	struct pkvmsim_table	table;
};

static int load_race_setup(struct pkvmsim *sim, void *ctx)
{
	struct load_race *lr = ctx;

	return raw_vm_build(sim, &lr->r, 2);
}

static void load_race_teardown_body(struct pkvmsim *sim, unsigned int cpu,
				    void *ctx)
{
	struct load_race *lr = ctx;

	lr->teardown = scn_call(sim, cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
				lr->r.handle, 0, 0);
}

/* CPU 1 loads vCPU 1, CPU 2 vCPU 0, and leaves it loaded. */
static void load_race_load_body(struct pkvmsim *sim, unsigned int cpu,
				void *ctx)
{
	struct load_race *lr = ctx;

	scn_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_VCPU_LOAD, lr->r.handle,
		cpu == 1 ? 1 : 0, 0, NULL);
}

static int load_race_check(struct pkvmsim *sim, void *ctx, char *why,
			   size_t len)
{
	struct load_race *lr = ctx;
	const struct pkvmsim_loaded *l;
	enum pkvmsim_slot_state state;
	unsigned int cpu;
	bool any = false;

	if (pkvmsim_table_snapshot(sim, &lr->table)) {
		snprintf(why, len, "no snapshot of the table");
		return 1;
	}
	state = lr->table.slots[lr->r.handle - PKVMSIM_HANDLE_OFFSET].state;
	for (cpu = 1; cpu < lr->table.nr_cpus && cpu < 3; cpu++) {
		l = &lr->table.loaded[cpu];
		if (l->loaded && l->handle != lr->r.handle) {
			snprintf(why, len, "cpu%u holds a vCPU loaded in a VM "
				 "that is not LIVE: teardown of 0x%x answered "
				 "%d", cpu, lr->r.handle, lr->teardown);
			return 1;
		}
		any |= l->loaded;
	}
	if (lr->teardown == 0 && any) {
		snprintf(why, len, "teardown of 0x%x answered 0 while a vCPU "
			 "of it was loaded", lr->r.handle);
		return 1;
	}
	if (lr->teardown == -EBUSY && !any) {
		snprintf(why, len, "teardown answered -EBUSY with no vCPU "
			 "loaded");
		return 1;
	}
	if ((lr->teardown && lr->teardown != -EBUSY) ||
	    state != (lr->teardown ? PKVMSIM_SLOT_LIVE : PKVMSIM_SLOT_FREE)) {
		snprintf(why, len, "teardown answered %d and slot 0x%x is %s",
			 lr->teardown, lr->r.handle, scn_slot_name(state));
		return 1;
	}
	return 0;
}

/*
 * Put what is loaded in the VM (a vCPU loaded in a VM already given back
 * is left alone: putting it would touch that VM), then tear it down.
 */
static void load_race_teardown(struct pkvmsim *sim, void *ctx)
{
	struct load_race *lr = ctx;
	unsigned int cpu;

	if (lr->r.handle && !pkvmsim_table_snapshot(sim, &lr->table)) {
		for (cpu = 1; cpu < lr->table.nr_cpus && cpu < 3; cpu++) {
			if (lr->table.loaded[cpu].loaded &&
			    lr->table.loaded[cpu].handle == lr->r.handle)
				scn_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_VCPU_PUT,
					0, 0, 0, NULL);
		}
	}
	raw_vm_teardown(sim, &lr->r);
}

/* --- handle-based operations (TLB flush, a reference) vs teardown --- */

/*
 * As the loads above, a reference taken (pkvmsim_hyp_vm_get(), what a
 * handle-based hypercall does) is held until the check.
 */
struct ref_race {
	struct raw_vm		r;
	int			teardown;
	int			flush;
	int			get[3];		/* pkvmsim_hyp_vm_get() */
};

static int ref_race_setup(struct pkvmsim *sim, void *ctx)
{
	struct ref_race *rr = ctx;
	unsigned int cpu;

	for (cpu = 0; cpu < 3; cpu++)
		rr->get[cpu] = 1;	/* not tried */
	return raw_vm_build(sim, &rr->r, 1);
}

static void ref_race_teardown_body(struct pkvmsim *sim, unsigned int cpu,
				   void *ctx)
{
	struct ref_race *rr = ctx;

	rr->teardown = scn_call(sim, cpu, PKVMSIM_HCALL_PKVM_TEARDOWN_VM,
				rr->r.handle, 0, 0);
}

static void ref_race_flush(struct pkvmsim *sim, unsigned int cpu,
			   struct ref_race *rr)
{
	rr->flush = scn_hvc(sim, cpu, PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID,
			    rr->r.handle, 0, 0, NULL);
}

static void ref_race_get(struct pkvmsim *sim, unsigned int cpu,
			 struct ref_race *rr)
{
	rr->get[cpu] = pkvmsim_hyp_vm_get(sim, cpu, rr->r.handle);
}

/* 2 CPUs: CPU 1 flushes, then takes a reference. */
static void ref_race_flush_get_body(struct pkvmsim *sim, unsigned int cpu,
				    void *ctx)
{
	ref_race_flush(sim, cpu, ctx);
	ref_race_get(sim, cpu, ctx);
}

static void ref_race_flush_body(struct pkvmsim *sim, unsigned int cpu,
				void *ctx)
{
	ref_race_flush(sim, cpu, ctx);
}

static void ref_race_get_body(struct pkvmsim *sim, unsigned int cpu,
			      void *ctx)
{
	ref_race_get(sim, cpu, ctx);
}

/*
 * A reference held stops the teardown (-EBUSY, the VM LIVE with just that
 * reference); a teardown that won leaves nothing to get (-ENOENT).
 */
static int ref_race_check(struct pkvmsim *sim, void *ctx, char *why,
			  size_t len)
{
	struct ref_race *rr = ctx;
	unsigned int cpu, held = 0;
	struct pkvmsim_slot s;

	if (pkvmsim_slot(sim, rr->r.handle, &s)) {
		snprintf(why, len, "no slot 0x%x", rr->r.handle);
		return 1;
	}
	for (cpu = 1; cpu < 3; cpu++) {
		if (rr->get[cpu] == 1)
			continue;
		if (rr->get[cpu] && rr->get[cpu] != -ENOENT) {
			snprintf(why, len, "cpu%u: pkvmsim_hyp_vm_get() "
				 "answered %d", cpu, rr->get[cpu]);
			return 1;
		}
		if (!rr->get[cpu] && (rr->teardown != -EBUSY ||
				      s.state != PKVMSIM_SLOT_LIVE)) {
			snprintf(why, len, "cpu%u holds a reference on handle "
				 "0x%x, but teardown answered %d and the slot "
				 "is %s", cpu, rr->r.handle, rr->teardown,
				 scn_slot_name(s.state));
			return 1;
		}
		held += !rr->get[cpu];
	}
	if (rr->flush) {
		snprintf(why, len, "the flush was not delivered (%d)",
			 rr->flush);
		return 1;
	}
	if ((rr->teardown && rr->teardown != -EBUSY) ||
	    s.state != (rr->teardown ? PKVMSIM_SLOT_LIVE : PKVMSIM_SLOT_FREE)) {
		snprintf(why, len, "teardown answered %d and slot 0x%x is %s",
			 rr->teardown, rr->r.handle, scn_slot_name(s.state));
		return 1;
	}
	/* With nothing in flight, only the references held are left. */
	if (s.state == PKVMSIM_SLOT_LIVE && (s.refs != held || s.held != held)) {
		snprintf(why, len, "slot 0x%x: %u references, %u held through "
			 "the API, %u taken", rr->r.handle, s.refs, s.held,
			 held);
		return 1;
	}
	return 0;
}

static void ref_race_teardown(struct pkvmsim *sim, void *ctx)
{
	struct ref_race *rr = ctx;
	unsigned int cpu;

	for (cpu = 1; cpu < 3; cpu++)
		if (!rr->get[cpu])
			pkvmsim_hyp_vm_put(sim, cpu, rr->r.handle);
	raw_vm_teardown(sim, &rr->r);
}

const struct pkvmsim_scenario scenario_hostile[] = {
	{
		.name = "init-vm-vs-unreserve",
		.window = W_UNRESERVE_INIT ": a raw init_vm and unreserve "
			  "of one reserved handle",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct init_race),
		.setup = init_race2_setup,
		.body = { init_race_body0, init_race_unreserve },
		.check = init_race_check,
		.teardown = init_race_teardown,
	},
	{
		.name = "init-vm-vs-unreserve-3",
		.window = W_UNRESERVE_INIT " and concurrent init_vm on one "
			  "handle: two raw init_vm, one unreserve",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct init_race),
		.setup = init_race3_setup,
		.body = { init_race_body0, init_race_unreserve,
			  init_race_body2 },
		.check = init_race_check,
		.teardown = init_race_teardown,
	},
	{
		.name = "teardown-vs-load",
		.window = W_LOAD_TEARDOWN ": a raw teardown and a raw load "
			  "of vCPU 1, held",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct load_race),
		.setup = load_race_setup,
		.body = { load_race_teardown_body, load_race_load_body },
		.check = load_race_check,
		.teardown = load_race_teardown,
	},
	{
		.name = "teardown-vs-load-3",
		.window = W_LOAD_TEARDOWN ": a raw teardown and raw loads of "
			  "both vCPUs, held",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct load_race),
		.setup = load_race_setup,
		.body = { load_race_teardown_body, load_race_load_body,
			  load_race_load_body },
		.check = load_race_check,
		.teardown = load_race_teardown,
	},
	{
		.name = "teardown-vs-flush",
		.window = W_HANDLE_TEARDOWN ": a raw teardown, a raw TLB "
			  "flush then a reference held",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct ref_race),
		.setup = ref_race_setup,
		.body = { ref_race_teardown_body, ref_race_flush_get_body },
		.check = ref_race_check,
		.teardown = ref_race_teardown,
	},
	{
		.name = "teardown-vs-flush-3",
		.window = W_HANDLE_TEARDOWN ": a raw teardown, a raw TLB "
			  "flush and a reference held by a third CPU",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct ref_race),
		.setup = ref_race_setup,
		.body = { ref_race_teardown_body, ref_race_flush_body,
			  ref_race_get_body },
		.check = ref_race_check,
		.teardown = ref_race_teardown,
	},
};

const unsigned int scenario_hostile_nr = SCN_ARRAY_SIZE(scenario_hostile);
