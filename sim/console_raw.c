// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console's raw hypercalls: what a host sends when it does not follow
 * the host kernel's rules, through pkvmsim_hvc() from the current CPU.
 * The oracle sees each call; the host model does not, so a raw call that
 * changes the table behind a host VM's back is reported at the next host
 * operation, as the oracle would see a buggy or hostile host.
 *
 * Every argument is a whole register: a handle or index above 32 bits is
 * sent as is, and the hypervisor truncates it (SPEC 1, DECLARE_REG).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "number.h"

/* SMCCC's hint bits, which the dispatcher clears (ARM_SMCCC_CALL_HINTS). */
#define SMCCC_CALL_HINTS	(1ULL << 16)

/* The handlers that put no result in x1 (SPEC 4): "ok" is all they say. */
static bool hcall_is_void(uint64_t x0)
{
	switch (x0 & ~SMCCC_CALL_HINTS) {
	case PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_UNRESERVE_VM):
	case PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_LOAD):
	case PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_PUT):
	case PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID):
		return true;
	}
	return false;
}

/* The kernel's name of function id @x0, or NULL. */
static const char *hcall_name_of(uint64_t x0)
{
	x0 &= ~SMCCC_CALL_HINTS;
	if (x0 < PKVMSIM_HVC_ID(0) || x0 >= PKVMSIM_HVC_ID(PKVMSIM_HCALL_NR))
		return NULL;
	return pkvmsim_hcall_name((unsigned long)(x0 - PKVMSIM_HVC_ID(0)));
}

/*
 * Send x0..x3 from the current CPU and set the result: the handler's
 * answer (a value, an errno, or "ok" for a void handler), NOT_SUPPORTED
 * if the dispatcher refused the id, or the API's error.  @suffix follows
 * the answer.  Returns whether the handler answered 0 or "ok".
 */
static bool send(struct console *c, uint64_t x0, uint64_t x1, uint64_t x2,
		 uint64_t x3, const char *suffix)
{
	struct pkvmsim_regs regs = { .x = { x0, x1, x2, x3 } };
	char err[32];
	int64_t v;
	int ret;

	ret = pkvmsim_hvc(c->sim, c->cpu, &regs);
	if (ret) {
		/* -EFAULT: a host panic or hyp crash, recorded, not run. */
		con_set(c, CON_ERRNO, "%s%s%s",
			errno_str(ret, err, sizeof(err)),
			ret == -EFAULT ? " (not executed)" : "", suffix);
		return false;
	}
	if (regs.x[0] != PKVMSIM_SMCCC_RET_SUCCESS) {
		con_refused(c, "NOT_SUPPORTED%s", suffix);
		return false;
	}
	if (hcall_is_void(x0)) {
		con_ok(c, "ok%s", suffix);
		return true;
	}
	v = (int64_t)regs.x[1];
	if (v < 0 && v >= -4095) {
		con_set(c, CON_ERRNO, "%s%s", errno_str((int)v, err,
							sizeof(err)), suffix);
		return false;
	}
	if (!v)
		con_ok(c, "0%s", suffix);
	else
		con_ok(c, "%#" PRIx64 "%s", regs.x[1], suffix);
	return !v;
}

static bool arg_reg(struct console *c, const char *what, const char *s,
		    uint64_t *out)
{
	return con_arg_num(c, what, s, UINT64_MAX, out);
}

static void cmd_reserve(struct console *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_RESERVE_VM), 0, 0, 0, "");
}

static void cmd_unreserve(struct console *c, int argc, char **argv)
{
	uint64_t h;

	(void)argc;
	if (arg_reg(c, "H", argv[0], &h))
		send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_UNRESERVE_VM), h, 0,
		     0, "");
}

/*
 * __pkvm_init_vm with VM's own struct kvm and new pages of the sizes the
 * hypervisor takes: the call the host makes at first run, made when the
 * host did not ask for it.
 */
static void cmd_init_vm(struct console *c, int argc, char **argv)
{
	struct pkvmsim_vm_args args;
	unsigned long nr_area, nr_pgd;
	uint64_t area, pgd;
	struct con_vm *cv;
	char err[32];
	int ret;

	(void)argc;
	cv = con_arg_vm(c, argv[0]);
	if (!cv)
		return;
	ret = pkvmsim_vm_hyp_args(cv->vm, &args);
	if (ret) {
		con_error(c, "pkvmsim_vm_hyp_args() = %s",
			  errno_str(ret, err, sizeof(err)));
		return;
	}
	ret = con_pages_get(c, args.vm_area_size, &area, &nr_area);
	if (ret)
		goto no_pages;
	ret = con_pages_get(c, args.pgd_size, &pgd, &nr_pgd);
	if (ret) {
		con_pages_put(c, area, nr_area);
		goto no_pages;
	}

	if (send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VM), args.kvm,
		 area, pgd, "")) {
		/* The hyp's now; its teardown gives them to VM's memcache. */
		con_pages_forget(c, area, nr_area);
		con_pages_forget(c, pgd, nr_pgd);
	} else {
		con_pages_put(c, area, nr_area);
		con_pages_put(c, pgd, nr_pgd);
	}
	return;
no_pages:
	con_error(c, "cannot allocate the pages to donate: %s",
		  errno_str(ret, err, sizeof(err)));
}

/* The VM whose vCPU init-vcpu names: given, holding H, or H's LIVE slot's. */
static struct con_vm *vcpu_owner(struct console *c, uint64_t h)
{
	struct pkvmsim_slot slot;
	struct con_vm *cv;

	cv = con_vm_by_handle(c, (unsigned int)h);
	if (cv)
		return cv;
	if (!pkvmsim_slot(c->sim, (unsigned int)h, &slot) &&
	    slot.state == PKVMSIM_SLOT_LIVE && slot.vm)
		return con_vm_by_id(c, slot.vm);
	return NULL;
}

static void cmd_init_vcpu(struct console *c, int argc, char **argv)
{
	struct pkvmsim_vm_args args = { .vcpu_area_size = PKVMSIM_PAGE_SIZE };
	uint64_t h, idx, area, vcpu = 0;
	struct con_vm *cv;
	unsigned long nr;
	char err[32];
	int ret;

	if (!arg_reg(c, "H", argv[0], &h) ||
	    !con_arg_num(c, "IDX", argv[1], UINT32_MAX, &idx))
		return;
	if (argc > 2) {
		cv = con_arg_vm(c, argv[2]);
		if (!cv)
			return;
	} else {
		cv = vcpu_owner(c, h);
	}
	/* No VM: a vCPU pointer of 0, which the hypervisor cannot pin. */
	if (cv && !pkvmsim_vm_hyp_args(cv->vm, &args) && idx < args.nr_vcpus)
		vcpu = args.vcpu[idx];

	ret = con_pages_get(c, args.vcpu_area_size, &area, &nr);
	if (ret) {
		con_error(c, "cannot allocate the pages to donate: %s",
			  errno_str(ret, err, sizeof(err)));
		return;
	}
	if (send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_INIT_VCPU), h, vcpu,
		 area, ""))
		con_pages_forget(c, area, nr);
	else
		con_pages_put(c, area, nr);
}

static void cmd_teardown(struct console *c, int argc, char **argv)
{
	uint64_t h;

	(void)argc;
	if (arg_reg(c, "H", argv[0], &h))
		send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TEARDOWN_VM), h, 0, 0,
		     "");
}

static void cmd_load(struct console *c, int argc, char **argv)
{
	uint64_t h, idx;

	(void)argc;
	if (arg_reg(c, "H", argv[0], &h) && arg_reg(c, "IDX", argv[1], &idx))
		send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_LOAD), h, idx, 0,
		     "");
}

static void cmd_put(struct console *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_VCPU_PUT), 0, 0, 0, "");
}

static void cmd_flush(struct console *c, int argc, char **argv)
{
	uint64_t h;

	(void)argc;
	if (arg_reg(c, "H", argv[0], &h))
		send(c, PKVMSIM_HVC_ID(PKVMSIM_HCALL_PKVM_TLB_FLUSH_VMID), h, 0,
		     0, "");
}

/* A kernel name, a hypercall number, or (from 0x10000 up) a whole x0. */
static bool hcall_id(struct console *c, const char *s, uint64_t *x0)
{
	const char *name;
	unsigned long nr;

	for (nr = 0; nr < PKVMSIM_HCALL_NR; nr++) {
		name = pkvmsim_hcall_name(nr);
		if (name && !strcmp(s, name)) {
			*x0 = PKVMSIM_HVC_ID(nr);
			return true;
		}
	}
	if (s[0] == '_') {
		con_error(c, "ID: no hypercall named '%s' in 6.18", s);
		return false;
	}
	if (!con_arg_num(c, "ID", s, UINT64_MAX, x0))
		return false;
	if (*x0 < 0x10000)
		*x0 = PKVMSIM_HVC_ID(*x0);
	return true;
}

static void cmd_hvc(struct console *c, int argc, char **argv)
{
	uint64_t x[4] = { 0 };
	char suffix[64] = "";
	const char *name;
	int i;

	if (!hcall_id(c, argv[0], &x[0]))
		return;
	for (i = 1; i < argc; i++) {
		static const char *const reg[] = { "", "X1", "X2", "X3" };

		if (!arg_reg(c, reg[i], argv[i], &x[i]))
			return;
	}
	name = hcall_name_of(x[0]);
	if (name)
		snprintf(suffix, sizeof(suffix), " (%s)", name);
	send(c, x[0], x[1], x[2], x[3], suffix);
}

const struct con_cmd con_raw_cmds[] = {
	{ "reserve", "", "__pkvm_reserve_vm(): a handle, or -ENOMEM when "
	  "every slot is taken", 0, 0, cmd_reserve, 0 },
	{ "unreserve", "H", "__pkvm_unreserve_vm(H): frees H only if "
	  "RESERVED; answers nothing", 1, 1, cmd_unreserve, 0 },
	{ "init-vm", "VM", "__pkvm_init_vm() with VM's own struct kvm and "
	  "new pages: the hyp VM for the handle the host gave VM", 1, 1,
	  cmd_init_vm, 0 },
	{ "init-vcpu", "H IDX [VM]", "__pkvm_init_vcpu(H, vCPU IDX of VM, new "
	  "pages); VM: the one holding H if not given", 2, 3, cmd_init_vcpu,
	  0 },
	{ "teardown", "H", "__pkvm_teardown_vm(H)", 1, 1, cmd_teardown, 0 },
	{ "load", "H IDX", "__pkvm_vcpu_load(H, IDX, 0) on this CPU; "
	  "answers nothing (see 'loaded')", 2, 2, cmd_load, 0 },
	{ "put", "", "__pkvm_vcpu_put() on this CPU", 0, 0, cmd_put, 0 },
	{ "flush", "H", "__pkvm_tlb_flush_vmid(H)", 1, 1, cmd_flush, 0 },
	{ "hvc", "ID [X1 [X2 [X3]]]", "any hypercall: ID a kernel name "
	  "(__pkvm_reserve_vm), a number (27), or from 0x10000 up a whole "
	  "function id", 1, 4, cmd_hvc, 0 },
	{ 0 },
};
