/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a fuzz input: bytes taken from the front, little-endian, zero
 * once the input is spent, so that every input decodes to something and a
 * short one to a short run.
 */
#ifndef PKVMSIM_FUZZ_INPUT_H
#define PKVMSIM_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t	*data;
	size_t		size;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
	return in->size != 0;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t b;

	if (!in->size)
		return 0;
	b = *in->data++;
	in->size--;
	return b;
}

/* @n bytes, little-endian, as a number (n <= 8). */
static inline uint64_t fuzz_bytes(struct fuzz_input *in, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	return (uint32_t)fuzz_bytes(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	return fuzz_bytes(in, 8);
}

/* A byte reduced below @n (n >= 1). */
static inline unsigned int fuzz_below(struct fuzz_input *in, unsigned int n)
{
	return fuzz_u8(in) % n;
}

#endif /* PKVMSIM_FUZZ_INPUT_H */
