// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay driver: a main() for a fuzz target, for any compiler.  Runs
 * LLVMFuzzerTestOneInput() once on every file named on the command line
 * and on every regular file of every directory named (not recursively,
 * in name order, so a run is the same everywhere).  Each input is copied
 * to a heap buffer of exactly its size, so that a read past its end trips
 * AddressSanitizer as it would under libFuzzer.
 *
 * A target reports a finding by aborting, as under libFuzzer, so a
 * finding kills this driver and CTest counts the test as failed; the last
 * line on stderr names the input that was running.  Exit status: 0 when
 * every input ran, 1 if an argument could not be read or named no input
 * at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t size;
	FILE *f;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	size = (size_t)st.st_size;
	/* malloc(0) may return NULL; the target must still get a pointer. */
	buf = malloc(size);
	if (!buf && !size)
		buf = malloc(1);
	if (!buf || (size && fread(buf, 1, size, f) != size)) {
		fprintf(stderr, "%s: cannot read %zu bytes\n", path, size);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);

	fprintf(stderr, "running %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of @dir; returns how many ran, or -1. */
static long run_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t nr = 0, cap = 0, i;
	struct dirent *de;
	struct stat st;
	long ran = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			char **more;

			cap = cap ? 2 * cap : 64;
			more = realloc(names, cap * sizeof(*names));
			if (!more)
				break;
			names = more;
		}
		names[nr] = strdup(de->d_name);
		if (names[nr])
			nr++;
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), by_name);

	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			if (run_file(path))
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	long ran = 0, n;
	struct stat st;
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n"
			"Runs the fuzz target once on every input.\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st)) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			n = run_dir(argv[i]);
		else
			n = run_file(argv[i]) ? -1 : 1;
		if (n < 0)
			bad = 1;
		else
			ran += n;
	}
	printf("%s: %ld input%s ran\n", argv[0], ran, ran == 1 ? "" : "s");
	if (!ran) {
		fprintf(stderr, "%s: no input to run\n", argv[0]);
		bad = 1;
	}
	return bad;
}
