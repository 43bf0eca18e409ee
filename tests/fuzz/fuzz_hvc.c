// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_hvc: a hostile host against the hypercall surface.
 *
 * The first byte picks the machine: mode (protected, nvhe, vhe), host
 * profile (6.18, v3, lazy) and transport (smccc, direct).  The rest is a
 * sequence of operations: the host model's own (VM create, vCPU create,
 * run, put, ioctl, MMU notifier, destroy), raw register files through
 * pkvmsim_hvc() with any id and any arguments (hvc_values.c: pointers in
 * and out of the arena, misaligned, wrapping, naming the hypervisor's
 * memory, the host's own structures), structures of the hostile host's
 * own with the fields the hypervisor reads (created_vcpus, the handle,
 * vcpu_idx, features) written as it likes, one host vCPU pinned over and
 * over, references held, pages shared and freed, and failures injected
 * below the hypervisor and the host (sim_inject.h).
 *
 * A finding (the input aborts, libFuzzer's convention): a crash or a
 * sanitizer report, a hypervisor BUG that kills the process, a VM table
 * that is no longer the one pKVM made at boot, or a violation the oracle
 * or the ledger records that a hostile host is not expected to provoke
 * (hvc_verdict.c).  A hostile host may leak its own pages: that is none.
 *
 * One simulator serves every input, reset (pkvmsim_reset()) at the start
 * of each to the machine its first byte asks for; after a hypervisor
 * crash it is destroyed and made anew.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvc_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct hvc_fuzz hf;

/* --- findings --- */

void hf_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_hvc: mode %s, profile %s, transport %s: "
		"operation #%lu %s: ", pkvmsim_mode_name(hf.ctx.mode),
		pkvmsim_profile_name(hf.ctx.profile),
		hf.direct ? "direct" : "smccc", hf.op,
		hf.opname ? hf.opname : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (hf.sim && pkvmsim_check(hf.sim, &hf.report))
		fprintf(stderr, "%s", hf.report.text);
	abort();
}

/*
 * Judge the violations recorded since the last look.  Returns false if the
 * input must stop: the hypervisor crashed (its machine is no longer one to
 * go on with), or too many were recorded to read them all.
 */
static bool judge(void)
{
	unsigned long n = oracle_count(hf.sim->oracle), i;
	unsigned long nl = sim_ledger_count(SIM_LEDGER_VIOLATION);
	struct pkvmsim_violation *v;
	struct sim_ledger_event ev;
	char why[160];
	bool go_on = true;

	/*
	 * The host freeing a page it shared is the host's own doing: expected
	 * once the hostile host shared a page of the host model's.  Anything
	 * the hypervisor did to a page is not.
	 */
	for (i = hf.ledger_seen; i < nl; i++) {
		if (!sim_ledger_event(SIM_LEDGER_VIOLATION, nl - 1 - i, &ev))
			hf_fail("the page ledger recorded violations faster "
				"than they could be judged");
		if (hf.trace)
			fprintf(stderr, "  ledger violation (%s): %s\n",
				ev.func, ev.what);
		if (!hf.ctx.tainted || strcmp(ev.func, "host free"))
			hf_fail("the page ledger recorded a violation at page "
				"%#" PRIx64 ": %s (%s in %s, cpu %d)", ev.phys,
				ev.what, ev.func, ev.hcall, ev.cpu);
	}
	hf.ledger_seen = nl;
	if (n == hf.seen)
		return true;
	if (n > HF_KEPT)
		n = HF_KEPT;
	oracle_get(hf.sim->oracle, hf.kept, HF_KEPT);
	for (i = hf.seen; i < n; i++) {
		v = &hf.kept[i];
		if (hf.trace)
			fprintf(stderr, "  violation %u (%s): %s\n",
				v->invariant, v->op, v->what);
		if (!hvc_violation_expected(&hf.ctx, v, why, sizeof(why)))
			hf_fail("unexpected violation: invariant %u (vm %lu, "
				"handle 0x%x, cpu %d, %s): %s -- %s",
				v->invariant, v->vm, v->handle, v->cpu, v->op,
				v->what, why);
		if (hvc_violation_is_crash(v) &&
		    hf.ctx.mode == PKVMSIM_MODE_PROTECTED) {
			hf.rebuild = true;
			go_on = false;
		}
	}
	hf.seen = n;
	/* Past what the oracle keeps, violations could not be judged. */
	return go_on && n < HF_KEPT - 8;
}

/* pKVM made its table in the carve-out at boot; nothing may replace it. */
static void check_table_home(void)
{
	void *home;

	if (hf.ctx.mode != PKVMSIM_MODE_PROTECTED || !hf.sim->carveout)
		return;
	home = (char *)sim_arena_hyp_base() +
	       (sim_host_pa(hf.sim->carveout) - SIM_PHYS_BASE);
	if ((void *)vm_table != home)
		hf_fail("the VM table moved from the boot carve-out (%p) to "
			"%p: a hypercall replaced it after pKVM finalised",
			home, (void *)vm_table);
}

/* --- the machine for one input --- */

static void boot(uint8_t b)
{
	struct pkvmsim_config cfg;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.mode = (enum pkvmsim_mode)(b % PKVMSIM_MODE_NR);
	cfg.profile = (enum pkvmsim_profile)(b / PKVMSIM_MODE_NR %
					     PKVMSIM_PROFILE_NR);
	hf.direct = b / (PKVMSIM_MODE_NR * PKVMSIM_PROFILE_NR) % 2;
	cfg.hvc = hf.direct ? pkvm_hvc_direct() : pkvm_hvc_smccc();
	cfg.nr_cpus = HF_CPUS;
	cfg.arena_pages = HF_ARENA_PAGES;
	cfg.quiet = true;

	if (hf.sim && hf.rebuild) {
		pkvmsim_destroy(hf.sim);
		hf.sim = NULL;
	}
	hf.rebuild = false;
	/* What the last input left is no finding: reset whatever it says. */
	ret = hf.sim ? pkvmsim_reset(hf.sim, &cfg) : 0;
	if (!hf.sim)
		ret = pkvmsim_create(&cfg, &hf.sim);
	if (ret && ret != -EUCLEAN)
		hf_fail("booting the simulator failed: %d", ret);

	memset(&hf.ctx, 0, sizeof(hf.ctx));
	hf.ctx.mode = cfg.mode;
	hf.ctx.profile = cfg.profile;
	hf.seen = 0;
	hf.ledger_seen = 0;
	hf.nr_vms = 0;
	hf.nr_gone = 0;
	hf.nr_pages = 0;
	hf.nr_raw = 0;
	memset(hf.mine, 0, sizeof(hf.mine));
	hf.trace = getenv("PKVMSIM_FUZZ_TRACE");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	hf.op = 0;
	hf.opname = "boot";
	boot(fuzz_u8(&in));

	while (fuzz_more(&in) && hf.op < HF_MAX_OPS) {
		hf.op++;
		hf_op(&in, fuzz_u8(&in));
		if (!judge())
			break;
		hf.ctx.bug_expected = false;
		hf.ctx.bad_pointer = false;
		check_table_home();
	}
	sim_inject_reset();
	return 0;
}
