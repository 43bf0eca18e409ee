// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console's host commands: the simulated host kernel's ioctls and MMU
 * notifier (<pkvmsim/pkvmsim.h>) on the current CPU.  Each answers what
 * the API returned: 0 or its negative errno.
 *
 * The console remembers which CPU the host has each vCPU loaded on, so
 * that a shutdown can put it there first, as the vCPU's thread would.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "number.h"

static void answer(struct console *c, int ret)
{
	if (ret)
		con_errno(c, ret);
	else
		con_ok(c, "0");
}

static void cmd_vm_create(struct console *c, int argc, char **argv)
{
	enum pkvmsim_vm_type type = PKVMSIM_VM_NORMAL;
	struct pkvmsim_vm *vm;
	unsigned long id;
	unsigned int h;
	int ret;

	if (argc) {
		if (strcmp(argv[0], "protected")) {
			con_error(c, "unknown VM type '%s' (protected)",
				  argv[0]);
			return;
		}
		type = PKVMSIM_VM_PROTECTED;
	}
	ret = pkvmsim_vm_create_type(c->sim, c->cpu, type, &vm);
	if (ret) {
		con_errno(c, ret);
		return;
	}
	if (con_vm_add(c, vm)) {
		pkvmsim_vm_destroy(vm, c->cpu);
		con_error(c, "out of memory");
		return;
	}
	id = pkvmsim_vm_id(vm);
	h = pkvmsim_vm_handle(vm);
	if (h)
		con_ok(c, "vm %lu (handle %#x)", id, h);
	else
		con_ok(c, "vm %lu (no handle)", id);
}

static void cmd_vm_destroy(struct console *c, int argc, char **argv)
{
	struct con_vm *cv = con_arg_vm(c, argv[0]);
	int ret;

	(void)argc;
	if (!cv)
		return;
	ret = pkvmsim_vm_destroy(cv->vm, c->cpu);
	/* Gone whatever the teardown answered, unless nothing was done. */
	if (ret != -EAGAIN && ret != -EINVAL)
		con_vm_remove(c, cv);
	answer(c, ret);
}

static void cmd_vm_list(struct console *c, int argc, char **argv)
{
	struct pkvmsim_vm_args args;
	char line[CON_TEXT_LEN];
	unsigned int h, i;
	size_t n, used;

	(void)argc;
	(void)argv;
	for (n = 0; n < c->nr_vms; n++) {
		const struct con_vm *cv = &c->vms[n];

		if (pkvmsim_vm_hyp_args(cv->vm, &args))
			args.nr_vcpus = 0;
		h = pkvmsim_vm_handle(cv->vm);
		used = (size_t)snprintf(line, sizeof(line),
					"  vm %lu: handle %#x, %u vCPU(s), %s",
					cv->id, h, args.nr_vcpus,
					pkvmsim_vm_is_created(cv->vm) ?
					"hyp VM created" : "no hyp VM");
		for (i = 0; i < PKVMSIM_MAX_VCPUS && used < sizeof(line);
		     i++) {
			if (cv->loaded[i] < 0)
				continue;
			used += (size_t)snprintf(line + used,
						 sizeof(line) - used,
						 ", vcpu %u loaded on cpu %d",
						 i, cv->loaded[i]);
		}
		con_detail(c, "%s", line);
	}
	con_ok(c, "%zu VM(s)", c->nr_vms);
}

/* VM and IDX, for the vCPU commands. */
static struct con_vm *vm_idx(struct console *c, char **argv, uint64_t *idx)
{
	struct con_vm *cv = con_arg_vm(c, argv[0]);

	if (!cv || !con_arg_num(c, "IDX", argv[1], UINT32_MAX, idx))
		return NULL;
	return cv;
}

static void cmd_vcpu_create(struct console *c, int argc, char **argv)
{
	struct con_vm *cv;
	uint64_t idx;

	(void)argc;
	cv = vm_idx(c, argv, &idx);
	if (cv)
		answer(c, pkvmsim_vcpu_create(cv->vm, c->cpu,
					      (unsigned int)idx));
}

static void cmd_vcpu_run(struct console *c, int argc, char **argv)
{
	struct con_vm *cv;
	uint64_t idx;
	int ret;

	(void)argc;
	cv = vm_idx(c, argv, &idx);
	if (!cv)
		return;
	ret = pkvmsim_vcpu_run(cv->vm, c->cpu, (unsigned int)idx);
	/* Loaded on success only: a failed first run loads nothing. */
	if (!ret && idx < PKVMSIM_MAX_VCPUS)
		cv->loaded[idx] = (int)c->cpu;
	answer(c, ret);
}

static void cmd_vcpu_put(struct console *c, int argc, char **argv)
{
	struct con_vm *cv;
	uint64_t idx;
	int ret;

	(void)argc;
	cv = vm_idx(c, argv, &idx);
	if (!cv)
		return;
	ret = pkvmsim_vcpu_put(cv->vm, c->cpu, (unsigned int)idx);
	if (!ret && idx < PKVMSIM_MAX_VCPUS)
		cv->loaded[idx] = -1;
	answer(c, ret);
}

static void cmd_vcpu_ioctl(struct console *c, int argc, char **argv)
{
	struct con_vm *cv;
	uint64_t idx;

	(void)argc;
	cv = vm_idx(c, argv, &idx);
	if (cv)
		answer(c, pkvmsim_vcpu_ioctl(cv->vm, c->cpu,
					     (unsigned int)idx));
}

static void cmd_notify(struct console *c, int argc, char **argv)
{
	struct con_vm *cv = con_arg_vm(c, argv[0]);

	(void)argc;
	if (cv)
		answer(c, pkvmsim_mmu_notify(cv->vm, c->cpu));
}

const struct con_cmd con_host_cmds[] = {
	{ "vm create", "[protected]", "KVM_CREATE_VM (of a protected VM: "
	  "pKVM mode only): 'vm N (handle H)'", 0, 1, cmd_vm_create, 0 },
	{ "vm destroy", "VM", "the VM's last reference goes: put, teardown "
	  "or unreserve; -EAGAIN while a vCPU is loaded elsewhere", 1, 1,
	  cmd_vm_destroy, 0 },
	{ "vm list", "", "the VMs as the host has them", 0, 0, cmd_vm_list,
	  0 },
	{ "vcpu create", "VM IDX", "KVM_CREATE_VCPU: IDX 0, 1, ... in order, "
	  "before the first run", 2, 2, cmd_vcpu_create, 0 },
	{ "vcpu run", "VM IDX", "KVM_RUN up to the guest entry (the first "
	  "creates the hyp VM and vCPU); stays loaded on this CPU", 2, 2,
	  cmd_vcpu_run, 0 },
	{ "vcpu put", "VM IDX", "put the vCPU loaded on this CPU", 2, 2,
	  cmd_vcpu_put, 0 },
	{ "vcpu ioctl", "VM IDX", "another vCPU ioctl (KVM_SET_ONE_REG): load "
	  "and put around it", 2, 2, cmd_vcpu_ioctl, 0 },
	{ "notify", "VM", "an MMU notifier fires: the host flushes the VM's "
	  "TLB", 1, 1, cmd_notify, 0 },
	{ 0 },
};
