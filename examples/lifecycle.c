// SPDX-License-Identifier: GPL-2.0-only
/*
 * One VM's life on a simulated pKVM host, written as a program outside
 * libpkvmsim would write it: the installed header and library only.
 *
 * Create a VM (pKVM reserves its handle), give it a vCPU, let an MMU
 * notifier fire before the first run (the window the 6.18 series closes),
 * run and put the vCPU, destroy the VM, and ask the oracle what it saw.
 *
 * Exit status: 0 clean, 1 the oracle found something, 2 a call failed.
 */
#include <stdio.h>
#include <string.h>

#include <pkvmsim/pkvmsim.h>

static int failed;

static void step(const char *what, int ret)
{
	if (!ret)
		return;
	fprintf(stderr, "lifecycle: %s: %s\n", what, strerror(-ret));
	failed = 1;
}

/* Too big for a comfortable stack frame: 8 KiB of text. */
static struct pkvmsim_report report;

int main(void)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;
	struct pkvmsim_vm *vm;
	int ret;

	/* Protected mode, profile 6.18, four CPUs. */
	pkvmsim_config_init(&cfg);
	ret = pkvmsim_create(&cfg, &sim);
	if (ret) {
		step("pkvmsim_create", ret);
		return 2;
	}
	printf("booted: %s mode, profile %s, %u CPUs\n",
	       pkvmsim_mode_name(cfg.mode), pkvmsim_profile_name(cfg.profile),
	       cfg.nr_cpus);

	ret = pkvmsim_vm_create(sim, 0, &vm);
	step("pkvmsim_vm_create", ret);
	if (!ret) {
		printf("vm %lu: handle %#x from creation on\n",
		       pkvmsim_vm_id(vm), pkvmsim_vm_handle(vm));
		step("pkvmsim_vcpu_create", pkvmsim_vcpu_create(vm, 0, 0));
		/* Another CPU touches the VM's memory before it ever ran. */
		step("pkvmsim_mmu_notify", pkvmsim_mmu_notify(vm, 1));
		ret = pkvmsim_vcpu_run(vm, 0, 0);
		step("pkvmsim_vcpu_run", ret);
		if (!ret) {
			printf("vm %lu: hyp VM created at first run: %s\n",
			       pkvmsim_vm_id(vm),
			       pkvmsim_vm_is_created(vm) ? "yes" : "no");
			step("pkvmsim_vcpu_put", pkvmsim_vcpu_put(vm, 0, 0));
		}
		step("pkvmsim_vm_destroy", pkvmsim_vm_destroy(vm, 0));
	}

	ret = pkvmsim_check(sim, &report);
	printf("check: %lu violations, %lu leaked pages, %lu hyp warnings, "
	       "%lu host warnings\n%s", report.nr_violations,
	       report.nr_leaked_pages, report.nr_warnings,
	       report.nr_host_warnings, report.text);
	if (pkvmsim_destroy(sim))
		ret = -1;

	if (failed)
		return 2;
	return ret ? 1 : 0;
}
