// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a hypercall costs on each transport, against the direct one in the
 * same run: reserve + unreserve pairs from one CPU, and whole host VM
 * lifecycles; and the pair against the hypervisor's two functions called
 * straight, with the oracle checking every call and only at the end.
 * Prints figures; asserts nothing about time.
 *
 *	bench_hvc [PAIRS [LIFECYCLES]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pkvmsim/pkvmsim.h>

/*
 * The hypervisor's own functions (src/hyp/pkvm.c), called straight: no
 * transport, no dispatcher, no oracle; the floor under every transport.
 * Not public API: a white-box baseline, linked from the static library.
 */
int __pkvm_reserve_vm(void);
void __pkvm_unreserve_vm(unsigned int handle);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_hvc: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void hvc(struct pkvmsim *sim, uint64_t nr, uint64_t a1,
		struct pkvmsim_regs *regs)
{
	int ret;

	*regs = (struct pkvmsim_regs){ .x = { PKVMSIM_HVC_ID(nr), a1 } };
	ret = pkvmsim_hvc(sim, 0, regs);
	if (ret)
		die("pkvmsim_hvc", ret);
}

/* Seconds per reserve + unreserve pair through @ops. */
static double time_pairs(struct pkvmsim *sim, const struct pkvm_hvc_ops *ops,
			 unsigned long pairs)
{
	struct pkvmsim_regs regs;
	unsigned long i;
	double start;

	if (pkvmsim_set_hvc(sim, ops))
		die("pkvmsim_set_hvc", -EINVAL);
	start = now();
	for (i = 0; i < pairs; i++) {
		hvc(sim, PKVMSIM_HCALL_PKVM_RESERVE_VM, 0, &regs);
		if ((int64_t)regs.x[1] < 0)
			die("__pkvm_reserve_vm", (int)regs.x[1]);
		hvc(sim, PKVMSIM_HCALL_PKVM_UNRESERVE_VM, regs.x[1], &regs);
	}
	return (now() - start) / (double)pairs;
}

/* Seconds per reserve + unreserve pair of the functions themselves. */
static double time_straight(unsigned long pairs)
{
	unsigned long i;
	double start;
	int handle;

	start = now();
	for (i = 0; i < pairs; i++) {
		handle = __pkvm_reserve_vm();
		if (handle < 0)
			die("__pkvm_reserve_vm()", handle);
		__pkvm_unreserve_vm((unsigned int)handle);
	}
	return (now() - start) / (double)pairs;
}

/* Seconds per whole VM lifecycle (create, vCPU, notify, run, put, destroy). */
static double time_lifecycles(struct pkvmsim *sim,
			      const struct pkvm_hvc_ops *ops,
			      unsigned long n)
{
	struct pkvmsim_vm *vm;
	unsigned long i;
	double start;
	int ret;

	if (pkvmsim_set_hvc(sim, ops))
		die("pkvmsim_set_hvc", -EINVAL);
	start = now();
	for (i = 0; i < n; i++) {
		ret = pkvmsim_vm_create(sim, 0, &vm);
		if (ret)
			die("pkvmsim_vm_create", ret);
		if ((ret = pkvmsim_vcpu_create(vm, 0, 0)) ||
		    (ret = pkvmsim_mmu_notify(vm, 1)) ||
		    (ret = pkvmsim_vcpu_run(vm, 0, 0)) ||
		    (ret = pkvmsim_vcpu_put(vm, 0, 0)) ||
		    (ret = pkvmsim_vm_destroy(vm, 0)))
			die("lifecycle", ret);
	}
	return (now() - start) / (double)n;
}

#define NR_TRANSPORTS	4
#define ROUNDS		10

struct transport {
	const char			*name;
	const struct pkvm_hvc_ops	*ops;
};

/* The pair on one simulator whose oracle checks as @check says. */
struct levels {
	double	straight, direct, smccc;
};

static void time_levels(enum pkvmsim_check check, unsigned long pairs,
			struct levels *sum)
{
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.check = check;
	ret = pkvmsim_create(&cfg, &sim);
	if (ret)
		die("pkvmsim_create", ret);
	sum->straight += time_straight(pairs);
	sum->direct += time_pairs(sim, pkvm_hvc_direct(), pairs);
	sum->smccc += time_pairs(sim, pkvm_hvc_smccc(), pairs);
	ret = pkvmsim_destroy(sim);
	if (ret)
		die("pkvmsim_destroy", ret);
}

int main(int argc, char **argv)
{
	unsigned long pairs = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
	unsigned long lives = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
	struct pkvm_hvc_trace *trace = NULL;
	struct pkvm_hvc_fault *fault = NULL;
	struct pkvmsim_report report;
	struct levels calls = { 0 }, end = { 0 };
	struct pkvmsim *sim;
	double pair[NR_TRANSPORTS] = { 0 }, life[NR_TRANSPORTS] = { 0 };
	unsigned int i, r;
	int ret;

	if (!pairs || !lives) {
		fprintf(stderr, "usage: bench_hvc [PAIRS [LIFECYCLES]] "
			"(both > 0)\n");
		return 2;
	}

	/*
	 * The straight call first, on simulators of their own: the checks
	 * every call against the checks at the end, interleaved in rounds.
	 */
	time_levels(PKVMSIM_CHECK_CALLS, pairs / 10 + 1, &calls);
	memset(&calls, 0, sizeof(calls));
	for (r = 0; r < ROUNDS; r++) {
		time_levels(PKVMSIM_CHECK_CALLS, pairs / ROUNDS + 1, &calls);
		time_levels(PKVMSIM_CHECK_END, pairs / ROUNDS + 1, &end);
	}
	printf("%-34s %10s %10s %10s\n", "reserve+unreserve, one CPU",
	       "ns/pair", "/straight", "/direct");
	printf("%-34s %10.1f %10.2f %10s\n", "hyp functions called straight",
	       calls.straight / ROUNDS * 1e9, 1.0, "");
	printf("%-34s %10.1f %10.2f %10.2f\n", "direct, --check end",
	       end.direct / ROUNDS * 1e9, end.direct / calls.straight, 1.0);
	printf("%-34s %10.1f %10.2f %10.2f\n", "smccc, --check end",
	       end.smccc / ROUNDS * 1e9, end.smccc / calls.straight,
	       end.smccc / end.direct);
	printf("%-34s %10.1f %10.2f %10.2f\n", "direct, checking every call",
	       calls.direct / ROUNDS * 1e9, calls.direct / calls.straight,
	       1.0);
	printf("%-34s %10.1f %10.2f %10.2f\n", "smccc, checking every call",
	       calls.smccc / ROUNDS * 1e9, calls.smccc / calls.straight,
	       calls.smccc / calls.direct);
	printf("\n");

	ret = pkvmsim_create(NULL, &sim);
	if (ret)
		die("pkvmsim_create", ret);
	if (pkvm_hvc_trace_create(pkvm_hvc_smccc(), 0, &trace) ||
	    pkvm_hvc_fault_create(pkvm_hvc_smccc(), &fault))
		die("decorators", -ENOMEM);

	const struct transport transports[NR_TRANSPORTS] = {
		{ "direct (baseline)", pkvm_hvc_direct() },
		{ "smccc", pkvm_hvc_smccc() },
		{ "trace(smccc)", pkvm_hvc_trace_ops(trace) },
		{ "fault(smccc), unarmed", pkvm_hvc_fault_ops(fault) },
	};

	/* Warm the caches and the allocator once. */
	time_pairs(sim, pkvm_hvc_direct(), pairs / 10 + 1);
	time_lifecycles(sim, pkvm_hvc_direct(), lives / 10 + 1);

	/*
	 * Rounds interleave the transports, so that drift in the machine
	 * (frequency, the other core's load) falls on all of them alike.
	 */
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NR_TRANSPORTS; i++) {
			pair[i] += time_pairs(sim, transports[i].ops,
					      pairs / ROUNDS + 1);
			life[i] += time_lifecycles(sim, transports[i].ops,
						   lives / ROUNDS + 1);
		}
	}

	printf("%-24s %14s %8s %16s %8s\n", "transport", "ns/pair",
	       "ratio", "us/lifecycle", "ratio");
	for (i = 0; i < NR_TRANSPORTS; i++)
		printf("%-24s %14.1f %8.2f %16.2f %8.2f\n", transports[i].name,
		       pair[i] / ROUNDS * 1e9, pair[i] / pair[0],
		       life[i] / ROUNDS * 1e6, life[i] / life[0]);
	printf("(%lu reserve+unreserve pairs, %lu lifecycles per transport, "
	       "one CPU; every call also passes the oracle)\n", pairs, lives);

	pkvmsim_set_hvc(sim, NULL);
	ret = pkvmsim_check(sim, &report);
	pkvm_hvc_trace_destroy(trace);
	pkvm_hvc_fault_destroy(fault);
	if (pkvmsim_destroy(sim) || ret) {
		fprintf(stderr, "bench_hvc: the machine is not clean:\n%s",
			report.text);
		return 1;
	}
	return 0;
}
