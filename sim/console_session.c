// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console's simulator: booting it, shutting it down as process exit
 * would, and what the console created on it (VMs, raw pages), which must
 * be gone before pkvmsim_destroy() so that its report is the console's to
 * show.  And the commands that change it: cpu, mode, profile, reset.
 *
 * pkvmsim_destroy() runs quiet: what it would find is found first through
 * the public API (pkvmsim_check() after the VMs are gone, the table, the
 * references `hold` keeps) and shown as violation lines, which a script
 * must acknowledge like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "number.h"

/* --- VMs --- */

struct con_vm *con_vm_by_id(struct console *c, unsigned long id)
{
	size_t i;

	for (i = 0; i < c->nr_vms; i++)
		if (c->vms[i].id == id)
			return &c->vms[i];
	return NULL;
}

struct con_vm *con_vm_by_handle(struct console *c, unsigned int handle)
{
	size_t i;

	for (i = 0; handle && i < c->nr_vms; i++)
		if (pkvmsim_vm_handle(c->vms[i].vm) == handle)
			return &c->vms[i];
	return NULL;
}

int con_vm_add(struct console *c, struct pkvmsim_vm *vm)
{
	struct con_vm *cv;
	unsigned int i;

	if (c->nr_vms == c->vms_cap) {
		size_t cap = c->vms_cap ? c->vms_cap * 2 : 16;

		cv = realloc(c->vms, cap * sizeof(*cv));
		if (!cv)
			return -ENOMEM;
		c->vms = cv;
		c->vms_cap = cap;
	}
	cv = &c->vms[c->nr_vms++];
	cv->vm = vm;
	cv->id = pkvmsim_vm_id(vm);
	for (i = 0; i < PKVMSIM_MAX_VCPUS; i++)
		cv->loaded[i] = -1;
	return 0;
}

void con_vm_remove(struct console *c, struct con_vm *cv)
{
	size_t i = (size_t)(cv - c->vms);

	memmove(&c->vms[i], &c->vms[i + 1],
		(c->nr_vms - i - 1) * sizeof(*cv));
	c->nr_vms--;
}

/* --- raw pages --- */

int con_pages_get(struct console *c, unsigned long bytes, uint64_t *hva,
		  unsigned long *nr)
{
	struct con_pages *p;
	int ret;

	*nr = (bytes + PKVMSIM_PAGE_SIZE - 1) / PKVMSIM_PAGE_SIZE;
	if (!*nr)
		*nr = 1;
	if (c->nr_pages == c->pages_cap) {
		size_t cap = c->pages_cap ? c->pages_cap * 2 : 16;

		p = realloc(c->pages, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		c->pages = p;
		c->pages_cap = cap;
	}
	ret = pkvmsim_host_pages_alloc(c->sim, *nr, hva);
	if (ret)
		return ret;
	c->pages[c->nr_pages++] = (struct con_pages){ *hva, *nr };
	return 0;
}

static struct con_pages *pages_find(struct console *c, uint64_t hva,
				    unsigned long nr)
{
	size_t i;

	for (i = 0; i < c->nr_pages; i++)
		if (c->pages[i].hva == hva && c->pages[i].nr == nr)
			return &c->pages[i];
	return NULL;
}

void con_pages_forget(struct console *c, uint64_t hva, unsigned long nr)
{
	struct con_pages *p = pages_find(c, hva, nr);

	if (p)
		*p = c->pages[--c->nr_pages];
}

void con_pages_put(struct console *c, uint64_t hva, unsigned long nr)
{
	/* -EBUSY: not home (still donated, say); -EINVAL: freed already. */
	if (pkvmsim_host_pages_free(c->sim, hva, nr) != -EBUSY)
		con_pages_forget(c, hva, nr);
}

/* --- boot and shutdown --- */

static int boot(struct console *c)
{
	int ret;

	c->cfg.quiet = true;
	ret = pkvmsim_create(&c->cfg, &c->sim);
	if (ret) {
		c->sim = NULL;
		return ret;
	}
	/* The baseline the next command's violations are counted from. */
	pkvmsim_check(c->sim, c->seen);
	return 0;
}

struct console *console_create(const struct pkvmsim_config *cfg, FILE *out,
			       const char *file)
{
	struct console *c = calloc(1, sizeof(*c));
	int ret = -ENOMEM;

	if (!c)
		goto fail;
	c->seen = calloc(1, sizeof(*c->seen));
	c->report = calloc(1, sizeof(*c->report));
	if (!c->seen || !c->report)
		goto fail;
	c->cfg = *cfg;
	c->out = out;
	c->file = file;
	ret = boot(c);
	if (!ret)
		return c;
fail:
	fprintf(stderr, "pkvmsim: cannot boot the simulated machine: %s\n",
		strerror(-ret));
	if (c) {
		free(c->seen);
		free(c->report);
		free(c);
	}
	return NULL;
}

/* The host's side first: put what it has loaded, destroy its VMs. */
static void destroy_vms(struct console *c)
{
	char err[32];
	unsigned int i;
	int ret;

	while (c->nr_vms) {
		struct con_vm *cv = &c->vms[0];

		for (i = 0; i < PKVMSIM_MAX_VCPUS; i++) {
			int cpu = cv->loaded[i];

			if (cpu < 0)
				continue;
			ret = pkvmsim_vcpu_put(cv->vm, (unsigned int)cpu, i);
			if (ret)
				con_detail(c, "  vcpu put %lu %u on cpu %d -> "
					   "%s", cv->id, i, cpu,
					   errno_str(ret, err, sizeof(err)));
		}
		ret = pkvmsim_vm_destroy(cv->vm, c->cpu);
		if (ret)
			con_detail(c, "  vm destroy %lu -> %s", cv->id,
				   errno_str(ret, err, sizeof(err)));
		/* -EAGAIN or -EINVAL: pkvmsim_destroy() will try. */
		con_vm_remove(c, cv);
	}
}

/* Give back the raw pages that are home; the others are leaks. */
static void put_pages(struct console *c)
{
	size_t i = 0, before;

	while (i < c->nr_pages) {
		before = c->nr_pages;
		con_pages_put(c, c->pages[i].hva, c->pages[i].nr);
		if (c->nr_pages == before)
			i++;
	}
	c->nr_pages = 0;
}

/*
 * What pkvmsim_destroy() will find that pkvmsim_check() cannot show yet:
 * slots not FREE (check_table_empty() reports each), references `hold`
 * still keeps, pages not back with the host.  Each is a violation line.
 */
static void shutdown_findings(struct console *c)
{
	static struct pkvmsim_table table;
	static const char *const state[] = { "FREE", "RESERVED", "LIVE" };
	const char *p, *nl;
	unsigned int i, shown = 0;

	if (!pkvmsim_table_snapshot(c->sim, &table) && table.has_table) {
		for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
			if (table.slots[i].state == PKVMSIM_SLOT_FREE)
				continue;
			con_violation(c, "invariant 3 (handle 0x%x): the slot "
				      "is still %s at shutdown: never given "
				      "back", table.slots[i].handle,
				      state[table.slots[i].state]);
		}
	}
	for (i = 0; i < PKVMSIM_NR_SLOTS; i++) {
		if (!c->held[i])
			continue;
		con_violation(c, "%u reference(s) from 'hold 0x%x' still held "
			      "at shutdown", c->held[i],
			      PKVMSIM_HANDLE_OFFSET + i);
		c->held[i] = 0;
	}
	if (!c->seen->nr_leaked_pages)
		return;
	con_violation(c, "%lu page(s) not back with the host at shutdown",
		      c->seen->nr_leaked_pages);
	for (p = c->seen->text; *p && shown < 8; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (strncmp(p, "leak: ", 6))
			continue;
		con_detail(c, "  %.*s", (int)(nl - p), p);
		shown++;
	}
	if (c->seen->nr_leaked_pages > shown)
		con_detail(c, "  (%lu more)", c->seen->nr_leaked_pages - shown);
}

/* Shut the simulator down; the result says how it ended. */
static void shutdown(struct console *c)
{
	unsigned long before = c->res.nr_violations, collected, in_all;
	char err[32];
	int ret;

	destroy_vms(c);
	put_pages(c);
	con_collect(c);
	collected = c->res.nr_violations;
	/* c->seen is now the report as things stand. */
	shutdown_findings(c);
	in_all = c->seen->nr_violations + c->res.nr_violations - collected;

	ret = pkvmsim_destroy(c->sim);
	c->sim = NULL;
	if (ret && !in_all) {
		con_violation(c, "pkvmsim_destroy() = %s, for a reason the "
			      "console could not see",
			      errno_str(ret, err, sizeof(err)));
		in_all++;
	}
	if (!ret)
		con_ok(c, "clean");
	else
		con_ok(c, "not clean (%lu violation(s) in all, %lu at "
		       "shutdown)", in_all, c->res.nr_violations - before);
}

void con_restart(struct console *c, bool reboot)
{
	char was[CON_TEXT_LEN];
	int ret;

	if (c->sim)
		shutdown(c);
	else
		con_ok(c, "no simulator");
	if (!reboot)
		return;
	snprintf(was, sizeof(was), "%s", c->res.text);
	ret = boot(c);
	if (ret)
		con_error(c, "cannot boot the simulated machine: %s (the old "
			  "one: %s)", strerror(-ret), was);
	else
		con_ok(c, "a new simulator (the old one: %s)", was);
}

/* --- the commands --- */

static void cmd_cpu(struct console *c, int argc, char **argv)
{
	uint64_t cpu;

	if (argc) {
		if (!con_arg_num(c, "N", argv[0], UINT32_MAX, &cpu))
			return;
		if (cpu >= c->cfg.nr_cpus) {
			con_error(c, "N: no CPU %s: the simulator has %u "
				  "(0..%u)", argv[0], c->cfg.nr_cpus,
				  c->cfg.nr_cpus - 1);
			return;
		}
		c->cpu = (unsigned int)cpu;
	}
	con_ok(c, "%u", c->cpu);
}

static void cmd_reset(struct console *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	con_restart(c, true);
}

/* "nvhe, a new simulator (the old one: clean)" */
static void switched(struct console *c, const char *name)
{
	char was[CON_TEXT_LEN];

	if (c->res.kind != CON_OK)
		return;
	snprintf(was, sizeof(was), "%s", c->res.text);
	con_ok(c, "%s, %s", name, was);
}

static void cmd_mode(struct console *c, int argc, char **argv)
{
	unsigned int i;

	if (!argc) {
		con_ok(c, "%s", pkvmsim_mode_name(c->cfg.mode));
		return;
	}
	for (i = 0; i < PKVMSIM_MODE_NR; i++)
		if (!strcmp(argv[0], pkvmsim_mode_name(i)))
			break;
	if (i == PKVMSIM_MODE_NR) {
		con_error(c, "unknown mode '%s' (protected, nvhe, vhe)",
			  argv[0]);
		return;
	}
	c->cfg.mode = i;
	con_restart(c, true);
	switched(c, argv[0]);
}

static void cmd_profile(struct console *c, int argc, char **argv)
{
	unsigned int i;

	if (!argc) {
		con_ok(c, "%s", pkvmsim_profile_name(c->cfg.profile));
		return;
	}
	for (i = 0; i < PKVMSIM_PROFILE_NR; i++)
		if (!strcmp(argv[0], pkvmsim_profile_name(i)))
			break;
	if (i == PKVMSIM_PROFILE_NR) {
		con_error(c, "unknown profile '%s' (6.18, v3, lazy)", argv[0]);
		return;
	}
	c->cfg.profile = i;
	con_restart(c, true);
	switched(c, argv[0]);
}

const struct con_cmd con_session_cmds[] = {
	{ "cpu", "[N]", "the CPU the next commands run on (show it, or "
	  "switch to N)", 0, 1, cmd_cpu, CON_ANYTIME },
	{ "mode", "[M]", "the mode: show it, or shut down and boot a new "
	  "simulator in mode M (protected, nvhe, vhe)", 0, 1, cmd_mode,
	  CON_ANYTIME | CON_NO_REPEAT },
	{ "profile", "[P]", "the host profile: show it, or shut down and boot "
	  "a new simulator with profile P (6.18, v3, lazy)", 0, 1,
	  cmd_profile, CON_ANYTIME | CON_NO_REPEAT },
	{ "reset", "", "shut down (as process exit would: put, destroy the "
	  "VMs), report, and boot a new simulator", 0, 0, cmd_reset,
	  CON_ANYTIME | CON_NO_REPEAT },
	{ 0 },
};
