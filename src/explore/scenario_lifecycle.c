// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenarios of whole VM lifecycles on several CPUs, through the host
 * model only: a handle given back and taken again while other CPUs work
 * (SPEC 9, handle/VMID reuse), notifiers naming their VM while another's
 * handle is reused (invariant 13), and VMs made and destroyed in every
 * mode (the v3 imbalance, SPEC 7).  The oracle judges what the host sends;
 * the scenario checks who got which handle.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scenario_common.h"

#define W_REUSE		"handle/VMID reuse after teardown"
#define W_NAMES		"a notifier names its own VM while a handle is reused"
#define W_V3		"VM create and destroy gated on pKVM mode"

/* A VM with one vCPU that has run once on @cpu, put. */
static int vm_ran_once(struct pkvmsim *sim, unsigned int cpu,
		       struct pkvmsim_vm **vmp)
{
	int ret;

	ret = pkvmsim_vm_create(sim, cpu, vmp);
	if (!ret)
		ret = pkvmsim_vcpu_create(*vmp, cpu, 0);
	if (!ret)
		ret = pkvmsim_vcpu_run(*vmp, cpu, 0);
	if (!ret)
		ret = pkvmsim_vcpu_put(*vmp, cpu, 0);
	return ret;
}

/*
 * Whether @handle's slot holds @vm, LIVE with the VMID of its index (or,
 * if @reserved, RESERVED).  Says why not in @why.
 */
static int slot_holds(struct pkvmsim *sim, struct pkvmsim_vm *vm,
		      unsigned int handle, bool reserved, char *why,
		      size_t len)
{
	struct pkvmsim_slot s;

	if (pkvmsim_slot(sim, handle, &s)) {
		snprintf(why, len, "vm %lu holds handle 0x%x, which names no "
			 "slot", pkvmsim_vm_id(vm), handle);
		return 1;
	}
	if (reserved && s.state == PKVMSIM_SLOT_RESERVED)
		return 0;
	if (s.state != PKVMSIM_SLOT_LIVE || s.vm != pkvmsim_vm_id(vm) ||
	    s.vmid != handle - PKVMSIM_HANDLE_OFFSET + 1) {
		snprintf(why, len, "vm %lu holds handle 0x%x, but its slot is "
			 "%s with vm %lu, VMID %u", pkvmsim_vm_id(vm), handle,
			 scn_slot_name(s.state), s.vm, s.vmid);
		return 1;
	}
	return 0;
}

/* --- handle reuse: A destroyed while new VMs take handles --- */

struct reuse {
	struct pkvmsim_vm	*a;
	unsigned int		a_handle;
	unsigned int		a_vmid;
	struct pkvmsim_vm	*vm[3];		/* made on CPU 1, 2 */
	/* A's VMID flushes when each new VM had run (SPEC 9's order). */
	uint64_t		a_flushes[3];
	int			ret[3];
};

static int reuse_setup(struct pkvmsim *sim, void *ctx)
{
	struct reuse *r = ctx;
	int ret = vm_ran_once(sim, 0, &r->a);

	r->a_handle = pkvmsim_vm_handle(r->a);
	r->a_vmid = r->a_handle - PKVMSIM_HANDLE_OFFSET + 1;
	return ret;
}

static void reuse_destroy_body(struct pkvmsim *sim, unsigned int cpu,
			       void *ctx)
{
	struct reuse *r = ctx;

	(void)sim;
	r->ret[cpu] = pkvmsim_vm_destroy(r->a, cpu);
}

/* A new VM, first run included: it goes LIVE on the handle it got. */
static void reuse_create_body(struct pkvmsim *sim, unsigned int cpu,
			      void *ctx)
{
	struct reuse *r = ctx;

	r->ret[cpu] = vm_ran_once(sim, cpu, &r->vm[cpu]);
	if (!r->ret[cpu])
		r->ret[cpu] = pkvmsim_tlb_flushes(sim, r->a_vmid,
						  &r->a_flushes[cpu]);
}

/*
 * A is gone; each new VM holds a distinct handle among the lowest free
 * ones (A's, or the next), LIVE with its own VMID; A's slot is FREE
 * unless a new VM took it.
 */
static int reuse_check(struct pkvmsim *sim, void *ctx, char *why, size_t len)
{
	struct reuse *r = ctx;
	unsigned int cpu, other, nr = 0, handle[3] = { 0 };
	bool a_taken = false;

	for (cpu = 0; cpu < 3; cpu++) {
		if (!r->ret[cpu])
			continue;
		snprintf(why, len, "cpu%u: %s failed with %d", cpu,
			 cpu ? "a new VM's first run" : "destroying VM A",
			 r->ret[cpu]);
		return 1;
	}
	for (cpu = 1; cpu < 3; cpu++)
		nr += r->vm[cpu] != NULL;
	for (cpu = 1; cpu < 3; cpu++) {
		if (!r->vm[cpu])
			continue;
		handle[cpu] = pkvmsim_vm_handle(r->vm[cpu]);
		if (handle[cpu] < r->a_handle || handle[cpu] > r->a_handle + nr) {
			snprintf(why, len, "cpu%u's VM got handle 0x%x, not one "
				 "of the %u lowest free from 0x%x", cpu,
				 handle[cpu], nr + 1, r->a_handle);
			return 1;
		}
		for (other = 1; other < cpu; other++) {
			if (handle[other] != handle[cpu])
				continue;
			snprintf(why, len, "cpu%u's and cpu%u's VMs both hold "
				 "handle 0x%x", other, cpu, handle[cpu]);
			return 1;
		}
		if (slot_holds(sim, r->vm[cpu], handle[cpu], false, why, len))
			return 1;
		/* On A's handle, so on A's VMID: A's teardown flushed it. */
		if (handle[cpu] == r->a_handle && !r->a_flushes[cpu]) {
			snprintf(why, len, "cpu%u's VM went LIVE on VM A's "
				 "handle 0x%x, VMID %u, before A's teardown "
				 "flushed that VMID", cpu, handle[cpu],
				 r->a_vmid);
			return 1;
		}
		a_taken |= handle[cpu] == r->a_handle;
	}
	if (!a_taken && scn_slot_state(sim, r->a_handle) != PKVMSIM_SLOT_FREE) {
		snprintf(why, len, "VM A was destroyed, but its slot 0x%x is %s",
			 r->a_handle,
			 scn_slot_name(scn_slot_state(sim, r->a_handle)));
		return 1;
	}
	return 0;
}

/* --- notifiers while A's handle goes to B --- */

struct names {
	struct pkvmsim_vm	*a;	/* destroyed by CPU 0 */
	struct pkvmsim_vm	*b;	/* then made by CPU 0: published */
	struct pkvmsim_vm	*c;	/* a bystander, notified by CPU 1 */
	struct pkvmsim_vm	*d;	/* made by CPU 2 */
	unsigned int		a_handle;
	unsigned int		c_handle;
	int			ret[3][3];
};

static int names_setup(struct pkvmsim *sim, void *ctx)
{
	struct names *n = ctx;
	int ret;

	ret = vm_ran_once(sim, 0, &n->a);
	if (!ret)
		ret = vm_ran_once(sim, 0, &n->c);
	n->a_handle = pkvmsim_vm_handle(n->a);
	n->c_handle = pkvmsim_vm_handle(n->c);
	return ret;
}

static struct pkvmsim_vm *names_b(struct names *n)
{
	return __atomic_load_n(&n->b, __ATOMIC_ACQUIRE);
}

/* CPU 0: destroy A, then make B, which takes A's handle. */
static void names_body0(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct names *n = ctx;
	struct pkvmsim_vm *b = NULL;

	n->ret[cpu][0] = pkvmsim_vm_destroy(n->a, cpu);
	n->ret[cpu][1] = pkvmsim_vm_create(sim, cpu, &b);
	if (!n->ret[cpu][1])
		__atomic_store_n(&n->b, b, __ATOMIC_RELEASE);
}

/* CPU 1: C's notifier fires, then B's if B exists by then. */
static void names_body1(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct names *n = ctx;
	struct pkvmsim_vm *b;

	(void)sim;
	n->ret[cpu][0] = pkvmsim_mmu_notify(n->c, cpu);
	b = names_b(n);
	if (b)
		n->ret[cpu][1] = pkvmsim_mmu_notify(b, cpu);
}

/* CPU 2: make D, which takes a free handle too, and fire its notifier. */
static void names_body2(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct names *n = ctx;
	struct pkvmsim_vm *d = NULL;

	n->ret[cpu][0] = pkvmsim_vm_create(sim, cpu, &d);
	if (n->ret[cpu][0])
		return;
	n->d = d;
	n->ret[cpu][1] = pkvmsim_mmu_notify(d, cpu);
}

/*
 * Every call succeeded; C kept its handle; B (and D) hold distinct
 * handles among the lowest free, RESERVED for them.  What each notifier
 * named is the oracle's to judge (invariant 13).
 */
static int names_check(struct pkvmsim *sim, void *ctx, char *why,
		       size_t len)
{
	struct names *n = ctx;
	unsigned int cpu, i, b, d;

	for (cpu = 0; cpu < 3; cpu++) {
		for (i = 0; i < 3; i++) {
			if (!n->ret[cpu][i])
				continue;
			snprintf(why, len, "cpu%u: step %u failed with %d",
				 cpu, i, n->ret[cpu][i]);
			return 1;
		}
	}
	if (!n->b || pkvmsim_vm_handle(n->c) != n->c_handle) {
		snprintf(why, len, "B not made, or C's handle changed");
		return 1;
	}
	b = pkvmsim_vm_handle(n->b);
	d = n->d ? pkvmsim_vm_handle(n->d) : 0;
	if (!n->d && b != n->a_handle) {
		snprintf(why, len, "B got handle 0x%x, not A's 0x%x, the "
			 "lowest free", b, n->a_handle);
		return 1;
	}
	if (n->d && (b == d || (b != n->a_handle && b != n->c_handle + 1) ||
		     (d != n->a_handle && d != n->c_handle + 1))) {
		snprintf(why, len, "B got handle 0x%x and D 0x%x: not the two "
			 "lowest free, 0x%x and 0x%x", b, d, n->a_handle,
			 n->c_handle + 1);
		return 1;
	}
	if (slot_holds(sim, n->b, b, true, why, len) ||
	    (n->d && slot_holds(sim, n->d, d, true, why, len)) ||
	    slot_holds(sim, n->c, n->c_handle, false, why, len))
		return 1;
	return 0;
}

/* --- a VM destroyed while its own notifier fires --- */

struct own_notify {
	struct pkvmsim_vm	*a;
	int			destroyed;	/* CPU 0's destroy */
	int			notified;	/* CPU 1's notifier */
};

static int own_notify_setup(struct pkvmsim *sim, void *ctx)
{
	struct own_notify *o = ctx;

	return vm_ran_once(sim, 0, &o->a);
}

static void own_destroy_body(struct pkvmsim *sim, unsigned int cpu,
			     void *ctx)
{
	struct own_notify *o = ctx;

	(void)sim;
	o->destroyed = pkvmsim_vm_destroy(o->a, cpu);
}

static void own_notify_body(struct pkvmsim *sim, unsigned int cpu,
			    void *ctx)
{
	struct own_notify *o = ctx;

	(void)sim;
	o->notified = pkvmsim_mmu_notify(o->a, cpu);
}

/*
 * The notifier runs before the destroy (0), or finds the VM gone
 * (-EINVAL); a destroy that finds it in flight leaves the VM alone
 * (-EAGAIN), and then the notifier must have run.  Whatever it named is
 * the oracle's to judge.
 */
static int own_notify_check(struct pkvmsim *sim, void *ctx, char *why,
			    size_t len)
{
	struct own_notify *o = ctx;

	(void)sim;
	if ((o->destroyed && o->destroyed != -EAGAIN) ||
	    (o->notified && o->notified != -EINVAL) ||
	    (o->destroyed == -EAGAIN && o->notified)) {
		snprintf(why, len, "destroy answered %d and the notifier %d",
			 o->destroyed, o->notified);
		return 1;
	}
	return 0;
}

static void own_notify_teardown(struct pkvmsim *sim, void *ctx)
{
	struct own_notify *o = ctx;

	if (o->destroyed == -EAGAIN)
		pkvmsim_vm_destroy(o->a, 0);
	(void)sim;
}

/* --- VMs made and destroyed on every CPU, in any mode --- */

static const char *const imbalance_steps[] = {
	"KVM_CREATE_VM", "KVM_CREATE_VCPU", "KVM_RUN", "vcpu_put",
	"destroy",
};

struct imbalance {
	int		ret[PKVMSIM_EXPLORE_MAX_CPUS];
	unsigned int	step[PKVMSIM_EXPLORE_MAX_CPUS];
};

/*
 * A whole lifecycle on @cpu: create, a vCPU, a first run, put, destroy.
 * Outside pKVM mode no pKVM hypercall may be made on the way (invariant
 * 3); profile v3 makes one at creation.
 */
static void imbalance_body(struct pkvmsim *sim, unsigned int cpu, void *ctx)
{
	struct imbalance *im = ctx;
	struct pkvmsim_vm *vm = NULL;
	unsigned int step = 0;
	int ret, destroyed;

	ret = pkvmsim_vm_create(sim, cpu, &vm);
	if (!ret) {
		step = 1;
		ret = pkvmsim_vcpu_create(vm, cpu, 0);
	}
	if (!ret) {
		step = 2;
		ret = pkvmsim_vcpu_run(vm, cpu, 0);
	}
	if (!ret) {
		step = 3;
		ret = pkvmsim_vcpu_put(vm, cpu, 0);
	}
	if (vm) {
		destroyed = pkvmsim_vm_destroy(vm, cpu);
		if (!ret) {
			step = 4;
			ret = destroyed;
		}
	}
	im->step[cpu] = step;
	im->ret[cpu] = ret;
}

static int imbalance_check(struct pkvmsim *sim, void *ctx, char *why,
			   size_t len)
{
	struct imbalance *im = ctx;
	unsigned int cpu;

	(void)sim;
	for (cpu = 0; cpu < PKVMSIM_EXPLORE_MAX_CPUS; cpu++) {
		if (!im->ret[cpu])
			continue;
		snprintf(why, len, "cpu%u: %s failed with %d", cpu,
			 imbalance_steps[im->step[cpu]],
			 im->ret[cpu]);
		return 1;
	}
	return 0;
}

const struct pkvmsim_scenario scenario_lifecycle[] = {
	{
		.name = "handle-reuse",
		.window = W_REUSE ": VM A destroyed while another CPU makes "
			  "and runs VM B",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct reuse),
		.setup = reuse_setup,
		.body = { reuse_destroy_body, reuse_create_body },
		.check = reuse_check,
	},
	{
		.name = "handle-reuse-3",
		.window = W_REUSE ": VM A destroyed while two CPUs make and "
			  "run VMs",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct reuse),
		.setup = reuse_setup,
		.body = { reuse_destroy_body, reuse_create_body,
			  reuse_create_body },
		.check = reuse_check,
	},
	{
		.name = "destroy-vs-notify",
		.window = W_NAMES ": CPU 0 destroys A and makes B, CPU 1 "
			  "fires C's and B's notifiers",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct names),
		.setup = names_setup,
		.body = { names_body0, names_body1 },
		.check = names_check,
	},
	{
		.name = "destroy-vs-own-notify",
		.window = "a VM destroyed while its own notifier runs: CPU 0 "
			  "destroys A while A's MMU notifier fires on CPU 1",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct own_notify),
		.setup = own_notify_setup,
		.body = { own_destroy_body, own_notify_body },
		.check = own_notify_check,
		.teardown = own_notify_teardown,
	},
	{
		.name = "destroy-vs-notify-3",
		.window = W_NAMES ": as destroy-vs-notify, and CPU 2 makes D "
			  "and fires its notifier",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct names),
		.setup = names_setup,
		.body = { names_body0, names_body1, names_body2 },
		.check = names_check,
	},
	{
		.name = "v3-imbalance",
		.window = W_V3 ": two CPUs make, run and destroy a VM each "
			  "(open in profile v3, modes nvhe and vhe)",
		.nr_cpus = 2,
		.ctx_size = sizeof(struct imbalance),
		.body = { imbalance_body, imbalance_body },
		.check = imbalance_check,
	},
	{
		.name = "v3-imbalance-3",
		.window = W_V3 ": three CPUs make, run and destroy a VM each "
			  "(open in profile v3, modes nvhe and vhe)",
		.nr_cpus = 3,
		.ctx_size = sizeof(struct imbalance),
		.body = { imbalance_body, imbalance_body, imbalance_body },
		.check = imbalance_check,
	},
};

const unsigned int scenario_lifecycle_nr = SCN_ARRAY_SIZE(scenario_lifecycle);
