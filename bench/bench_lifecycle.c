// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lifecycle throughput: whole VM lives (create, vCPU, run, put, destroy)
 * per second on 1, 2 and 4 simulated CPUs, each CPU a thread of its own,
 * with the table empty, half full and nearly full of other VMs that stay
 * put; at both check levels.  Each figure is also printed as a ratio to
 * one CPU with an empty table, checking every call, measured in the same
 * run.  Prints figures; asserts nothing about time.
 *
 *	bench_lifecycle [LIVES_PER_CPU]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pkvmsim/pkvmsim.h>

#define KVM_MAX_PVMS	255

static const unsigned int cpu_counts[] = { 1, 2, 4 };
/* VMs already in the table: none, half, all but what the CPUs need. */
static const unsigned int fills[] = { 0, 128, KVM_MAX_PVMS - 4 };

struct worker {
	struct pkvmsim	*sim;
	unsigned int	cpu;
	unsigned long	lives;
	int		err;
	pthread_t	thread;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_lifecycle: %s: %s\n", what, strerror(-err));
	exit(1);
}

static int one_life(struct pkvmsim *sim, unsigned int cpu)
{
	struct pkvmsim_vm *vm;
	int ret;

	ret = pkvmsim_vm_create(sim, cpu, &vm);
	if (ret)
		return ret;
	if ((ret = pkvmsim_vcpu_create(vm, cpu, 0)) ||
	    (ret = pkvmsim_vcpu_run(vm, cpu, 0)) ||
	    (ret = pkvmsim_vcpu_put(vm, cpu, 0))) {
		pkvmsim_vm_destroy(vm, cpu);
		return ret;
	}
	return pkvmsim_vm_destroy(vm, cpu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long i;

	for (i = 0; i < w->lives && !w->err; i++)
		w->err = one_life(w->sim, w->cpu);
	return NULL;
}

/* Lives per second of @nr_cpus threads, with @fill VMs sitting in the table. */
static double measure(enum pkvmsim_check check, unsigned int nr_cpus,
		      unsigned int fill, unsigned long lives)
{
	struct pkvmsim_vm *resident[KVM_MAX_PVMS];
	struct worker w[4];
	struct pkvmsim_config cfg;
	struct pkvmsim *sim;
	unsigned int i;
	double start, elapsed;
	int ret;

	pkvmsim_config_init(&cfg);
	cfg.nr_cpus = 4;
	cfg.check = check;
	ret = pkvmsim_create(&cfg, &sim);
	if (ret)
		die("pkvmsim_create", ret);
	for (i = 0; i < fill; i++) {
		ret = pkvmsim_vm_create(sim, 0, &resident[i]);
		if (!ret && (ret = pkvmsim_vcpu_create(resident[i], 0, 0)) == 0 &&
		    (ret = pkvmsim_vcpu_run(resident[i], 0, 0)) == 0)
			ret = pkvmsim_vcpu_put(resident[i], 0, 0);
		if (ret)
			die("filling the table", ret);
	}

	start = now();
	for (i = 0; i < nr_cpus; i++) {
		w[i] = (struct worker){ .sim = sim, .cpu = i, .lives = lives };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("pthread_create", -EAGAIN);
	}
	for (i = 0; i < nr_cpus; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].err)
			die("a lifecycle", w[i].err);
	}
	elapsed = now() - start;

	for (i = 0; i < fill; i++) {
		ret = pkvmsim_vm_destroy(resident[i], 0);
		if (ret)
			die("pkvmsim_vm_destroy", ret);
	}
	ret = pkvmsim_destroy(sim);
	if (ret)
		die("pkvmsim_destroy: the machine is not clean", ret);
	return (double)lives * nr_cpus / elapsed;
}

int main(int argc, char **argv)
{
	unsigned long lives = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000;
	double rate[2][3][3], base;
	unsigned int c, f, k;

	if (!lives) {
		fprintf(stderr, "usage: bench_lifecycle [LIVES_PER_CPU] "
			"(> 0)\n");
		return 2;
	}
	for (k = 0; k < 2; k++)
		for (c = 0; c < 3; c++)
			for (f = 0; f < 3; f++)
				rate[k][c][f] = measure(k ? PKVMSIM_CHECK_END :
							    PKVMSIM_CHECK_CALLS,
							cpu_counts[c], fills[f],
							lives);
	base = rate[0][0][0];

	printf("%-7s %-6s", "check", "CPUs");
	for (f = 0; f < 3; f++)
		printf("   %3u in table: lives/s (ratio)", fills[f]);
	printf("\n");
	for (k = 0; k < 2; k++) {
		for (c = 0; c < 3; c++) {
			printf("%-7s %-6u", k ? "end" : "calls", cpu_counts[c]);
			for (f = 0; f < 3; f++)
				printf("   %20.0f (%5.2f)", rate[k][c][f],
				       rate[k][c][f] / base);
			printf("\n");
		}
	}
	printf("(%lu lifecycles per CPU thread: create, vCPU, run, put, "
	       "destroy; ratios to 1 CPU, empty table, checking every "
	       "call)\n", lives);
	return 0;
}
