/* bench_base64.c - rough throughput check for the base64 encoder and decoder (not run by make check). */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"

/* Wall-clock seconds from a monotonic clock. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	size_t n = 100u * 1024 * 1024, i;
	int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 10, r;
	unsigned char *in;
	char *out;
	struct buf b;
	double t0, t1, best = 1e9;
	unsigned long sum = 0;

	in = malloc(n);
	out = malloc(BASE64_LINES_LEN(n));
	if (in == NULL || out == NULL)
		return 1;
	for (i = 0; i < n; i++)
		in[i] = (unsigned char)(i * 2654435761u >> 13);
	/* Touch the output once so page faults are not timed. */
	memset(out, 0, BASE64_LINES_LEN(n));
	for (r = 0; r < rounds; r++) {
		t0 = now();
		base64_encode(out, in, n);
		t1 = now();
		sum += (unsigned char)out[r];
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("encode: %.0f MB/s of input (best of %d, 100 MiB)\n",
	    (double)n / best / 1e6, rounds);

	best = 1e9;
	for (r = 0; r < rounds; r++) {
		t0 = now();
		base64_encode_lines(out, in, n);
		t1 = now();
		sum += (unsigned char)out[r];
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("encode in MIME lines: %.0f MB/s of input (best of %d)\n",
	    (double)n / best / 1e6, rounds);
	base64_encode(out, in, n);

	buf_init(&b, n + 16);
	best = 1e9;
	for (r = 0; r < rounds; r++) {
		buf_reset(&b);
		t0 = now();
		if (base64_decode_buf(&b, out, BASE64_LEN(n)) != 0)
			return 1;
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	if (b.len != n || memcmp(b.data, in, n) != 0)
		return 1;
	printf("decode: %.0f MB/s of output (best of %d)\n",
	    (double)n / best / 1e6, rounds);
	buf_free(&b);
	free(in);
	free(out);
	return sum == 12345 ? 2 : 0;
}
