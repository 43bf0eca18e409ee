// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console looking inside (<pkvmsim/inspect.h>, pkvmsim_check()): the
 * VM table, one slot, a CPU's loaded vCPU, the page ledger, the oracle's
 * verdict; and references held across commands, as a hypercall in flight
 * on another CPU holds one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "number.h"

/* Both too big for a comfortable stack frame. */
static struct pkvmsim_table table;
static struct pkvmsim_report report;

static const char *const state_names[] = {
	[PKVMSIM_SLOT_FREE] = "FREE",
	[PKVMSIM_SLOT_RESERVED] = "RESERVED",
	[PKVMSIM_SLOT_LIVE] = "LIVE",
};

/* "LIVE vmid 1 refs 1 vcpus 1/1 vm 1" */
static void slot_str(const struct pkvmsim_slot *s, char *buf, size_t len)
{
	size_t used;

	used = (size_t)snprintf(buf, len, "%s", state_names[s->state]);
	if (s->state != PKVMSIM_SLOT_LIVE || used >= len)
		return;
	used += (size_t)snprintf(buf + used, len - used,
				 " vmid %u refs %u", s->vmid, s->refs);
	if (s->held && used < len)
		used += (size_t)snprintf(buf + used, len - used, " (%u held)",
					 s->held);
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used,
					 " vcpus %u/%u vm %lu",
					 s->nr_hyp_vcpus, s->nr_vcpus, s->vm);
	if (s->is_protected && used < len)
		snprintf(buf + used, len - used, " protected");
}

static bool snapshot(struct console *c)
{
	char err[32];
	int ret = pkvmsim_table_snapshot(c->sim, &table);

	if (ret)
		con_error(c, "pkvmsim_table_snapshot() = %s",
			  errno_str(ret, err, sizeof(err)));
	return !ret;
}

static void loaded_str(const struct pkvmsim_loaded *l, char *buf, size_t len)
{
	if (!l->loaded)
		snprintf(buf, len, "none");
	else if (!l->handle)
		snprintf(buf, len, "a vCPU of no LIVE slot");
	else
		snprintf(buf, len, "%#x vcpu %d", l->handle, l->vcpu_idx);
}

static void cmd_table(struct console *c, int argc, char **argv)
{
	char buf[CON_TEXT_LEN];
	unsigned int i, j;

	(void)argc;
	(void)argv;
	if (!snapshot(c))
		return;
	if (!table.has_table) {
		con_ok(c, "no VM table (%s mode)",
		       pkvmsim_mode_name(c->cfg.mode));
		return;
	}
	for (i = 0; i < PKVMSIM_NR_SLOTS; i = j) {
		const struct pkvmsim_slot *s = &table.slots[i];

		/* A run of RESERVED slots is one line: they say no more. */
		for (j = i + 1; s->state == PKVMSIM_SLOT_RESERVED &&
		     j < PKVMSIM_NR_SLOTS &&
		     table.slots[j].state == PKVMSIM_SLOT_RESERVED; j++)
			;
		if (s->state == PKVMSIM_SLOT_FREE)
			continue;
		if (j - i > 1) {
			con_detail(c, "  %#x..%#x RESERVED (%u slots)",
				   s->handle, table.slots[j - 1].handle, j - i);
			continue;
		}
		slot_str(s, buf, sizeof(buf));
		con_detail(c, "  %#x %s", s->handle, buf);
	}
	for (i = 0; i < table.nr_cpus; i++) {
		if (!table.loaded[i].loaded)
			continue;
		loaded_str(&table.loaded[i], buf, sizeof(buf));
		con_detail(c, "  cpu%u loaded: %s", i, buf);
	}
	con_ok(c, "%u reserved, %u live, %u free", table.nr_reserved,
	       table.nr_live, table.nr_free);
}

static void cmd_slot(struct console *c, int argc, char **argv)
{
	struct pkvmsim_slot s;
	char buf[CON_TEXT_LEN];
	uint64_t h;
	int ret;

	(void)argc;
	if (!con_arg_num(c, "H", argv[0], UINT32_MAX, &h))
		return;
	ret = pkvmsim_slot(c->sim, (unsigned int)h, &s);
	if (ret) {
		con_errno(c, ret);
		return;
	}
	slot_str(&s, buf, sizeof(buf));
	con_ok(c, "%s", buf);
}

static void cmd_loaded(struct console *c, int argc, char **argv)
{
	char buf[CON_TEXT_LEN];
	uint64_t cpu = c->cpu;

	if (argc && !con_arg_num(c, "N", argv[0], UINT32_MAX, &cpu))
		return;
	if (cpu >= c->cfg.nr_cpus) {
		con_error(c, "N: no CPU %s: the simulator has %u (0..%u)",
			  argv[0], c->cfg.nr_cpus, c->cfg.nr_cpus - 1);
		return;
	}
	if (!snapshot(c))
		return;
	loaded_str(&table.loaded[cpu], buf, sizeof(buf));
	con_ok(c, "%s", buf);
}

static void cmd_flushes(struct console *c, int argc, char **argv)
{
	uint64_t vmid, count;
	int ret;

	(void)argc;
	if (!con_arg_num(c, "VMID", argv[0], UINT32_MAX, &vmid))
		return;
	ret = pkvmsim_tlb_flushes(c->sim, (unsigned int)vmid, &count);
	if (ret)
		con_errno(c, ret);
	else
		con_ok(c, "%" PRIu64, count);
}

static bool check(struct console *c)
{
	if (pkvmsim_check(c->sim, &report) == -EINVAL) {
		con_error(c, "pkvmsim_check() = -EINVAL");
		return false;
	}
	return true;
}

/* The report's lines that start with @prefix, each as a detail. */
static unsigned long detail_lines(struct console *c, const char *prefix)
{
	const char *p, *nl;
	unsigned long n = 0;
	size_t len = strlen(prefix);

	for (p = report.text; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (strncmp(p, prefix, len))
			continue;
		con_detail(c, "  %.*s", (int)(nl - p), p);
		n++;
	}
	return n;
}

#define MAX_KINDS	16

/* Pages away from home, by what holds them. */
struct ledger_counts {
	unsigned long	donated;	/* hyp=OWNED */
	unsigned long	shared;		/* hyp=SHARED_BORROWED */
	unsigned long	pinned;		/* of those, with references */
	unsigned long	host;		/* host=OWNED hyp=NOPAGE: allocated */
	unsigned long	other;
};

/* One "leak: page 0x... host=A hyp=B refs=N[ allocated]; ..." line. */
static void count_page(struct ledger_counts *n, const char *line,
		       size_t len)
{
	char buf[CON_LINE_LEN], host[32] = "", hyp[32] = "";
	unsigned int refs = 0;
	const char *p;

	snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
	p = strstr(buf, " host=");
	if (!p || sscanf(p, " host=%31s hyp=%31s refs=%u", host, hyp,
			 &refs) != 3) {
		n->other++;
		return;
	}
	if (!strcmp(hyp, "OWNED")) {
		n->donated++;
	} else if (!strcmp(hyp, "SHARED_BORROWED")) {
		n->shared++;
		if (refs)
			n->pinned++;
	} else if (!strcmp(host, "OWNED") && !strcmp(hyp, "NOPAGE")) {
		n->host++;
	} else {
		n->other++;
	}
}

/*
 * `ledger`: the pages away from home (donated to the hypervisor, shared
 * with it and pinned, held by the host), with a line per combination of
 * states; `ledger pages`: each page, with the operation that took it.
 */
static void cmd_ledger(struct console *c, int argc, char **argv)
{
	static char kinds[MAX_KINDS][96];
	unsigned long counts[MAX_KINDS] = { 0 }, listed = 0;
	struct ledger_counts n = { 0 };
	unsigned int nr_kinds = 0, k;
	const char *p, *nl, *kind, *semi;
	size_t len;

	if (argc && strcmp(argv[0], "pages")) {
		con_error(c, "unknown argument '%s' (usage: ledger [pages])",
			  argv[0]);
		return;
	}
	if (!check(c))
		return;
	for (p = report.text; *p; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (strncmp(p, "leak: page ", 11))
			continue;
		listed++;
		count_page(&n, p, (size_t)(nl - p));
		if (argc) {
			con_detail(c, "  %.*s", (int)(nl - p), p);
			continue;
		}
		/* The states, between the address and the ';'. */
		kind = memchr(p + 11, ' ', (size_t)(nl - p - 11));
		semi = kind ? memchr(kind, ';', (size_t)(nl - kind)) : NULL;
		if (!semi)
			continue;
		len = (size_t)(semi - kind - 1);
		if (len >= sizeof(kinds[0]))
			len = sizeof(kinds[0]) - 1;
		for (k = 0; k < nr_kinds; k++)
			if (strlen(kinds[k]) == len &&
			    !strncmp(kinds[k], kind + 1, len))
				break;
		if (k == nr_kinds && nr_kinds < MAX_KINDS) {
			memcpy(kinds[k], kind + 1, len);
			kinds[k][len] = '\0';
			nr_kinds++;
		}
		if (k < nr_kinds)
			counts[k]++;
	}
	for (k = 0; k < nr_kinds; k++)
		con_detail(c, "  %5lu page(s) %s", counts[k], kinds[k]);
	if (report.nr_leaked_pages > listed)
		con_detail(c, "  (%lu more, not in the report: not counted "
			   "above)", report.nr_leaked_pages - listed);
	con_ok(c, "%lu donated, %lu pinned, %lu shared, %lu host-held, %lu "
	       "other; %lu page(s) away from home, %lu refusal(s), %lu hyp "
	       "warning(s), %lu host warning(s)", n.donated, n.pinned,
	       n.shared, n.host, n.other, report.nr_leaked_pages,
	       report.nr_refusals, report.nr_warnings,
	       report.nr_host_warnings);
}

static void cmd_check(struct console *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!check(c))
		return;
	detail_lines(c, "violation: ");
	detail_lines(c, "(");
	con_ok(c, "%lu violation(s), %lu page(s) away from home",
	       report.nr_violations, report.nr_leaked_pages);
}

/* Where the console counts its references on @h, or NULL. */
static unsigned int *held_slot(struct console *c, uint64_t h)
{
	if (h < PKVMSIM_HANDLE_OFFSET ||
	    h >= PKVMSIM_HANDLE_OFFSET + PKVMSIM_NR_SLOTS)
		return NULL;
	return &c->held[h - PKVMSIM_HANDLE_OFFSET];
}

static void hold(struct console *c, char **argv, bool np)
{
	unsigned int *held;
	uint64_t h;
	int ret;

	if (!con_arg_num(c, "H", argv[0], UINT32_MAX, &h))
		return;
	ret = np ? pkvmsim_hyp_vm_get_np(c->sim, c->cpu, (unsigned int)h) :
		   pkvmsim_hyp_vm_get(c->sim, c->cpu, (unsigned int)h);
	if (ret) {
		con_errno(c, ret);
		return;
	}
	/* Only a LIVE slot's handle gets here: it names a slot. */
	held = held_slot(c, h);
	if (held)
		(*held)++;
	con_ok(c, "0");
}

static void cmd_hold(struct console *c, int argc, char **argv)
{
	(void)argc;
	hold(c, argv, false);
}

static void cmd_hold_np(struct console *c, int argc, char **argv)
{
	(void)argc;
	hold(c, argv, true);
}

static void cmd_release(struct console *c, int argc, char **argv)
{
	unsigned int *held;
	uint64_t h;
	int ret;

	(void)argc;
	if (!con_arg_num(c, "H", argv[0], UINT32_MAX, &h))
		return;
	ret = pkvmsim_hyp_vm_put(c->sim, c->cpu, (unsigned int)h);
	if (ret) {
		con_errno(c, ret);
		return;
	}
	held = held_slot(c, h);
	if (held && *held)
		(*held)--;
	con_ok(c, "0");
}

const struct con_cmd con_inspect_cmds[] = {
	{ "table", "", "the VM table: counts; then each slot in use and each "
	  "CPU's loaded vCPU", 0, 0, cmd_table, 0 },
	{ "slot", "H", "one slot: FREE, RESERVED, or LIVE with its VMID, "
	  "references, vCPUs and VM", 1, 1, cmd_slot, 0 },
	{ "loaded", "[N]", "the vCPU the hypervisor has loaded on this CPU "
	  "(or CPU N)", 0, 1, cmd_loaded, 0 },
	{ "flushes", "VMID", "how many times the hypervisor has flushed the "
	  "TLB of VMID (a slot's index + 1)", 1, 1, cmd_flushes, 0 },
	{ "ledger", "[pages]", "pages away from home: donated to the hyp, "
	  "pinned, shared, host-held (or each page and what took it)", 0, 1,
	  cmd_ledger, 0 },
	{ "check", "", "the oracle's report: every violation so far", 0, 0,
	  cmd_check, 0 },
	{ "hold", "H", "take a reference on H's hyp VM and keep it, as a "
	  "hypercall in flight does (get_pkvm_hyp_vm)", 1, 1, cmd_hold, 0 },
	{ "hold-np", "H", "hold with get_np_pkvm_hyp_vm, which refuses "
	  "protected VMs", 1, 1, cmd_hold_np, 0 },
	{ "release", "H", "drop a reference 'hold' took (put_pkvm_hyp_vm)",
	  1, 1, cmd_release, 0 },
	{ 0 },
};
