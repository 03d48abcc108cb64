/* fuzz_qentry.c - libFuzzer target: qentry_parse() on queue entry files, and what it reads written back the same. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qentry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), a bit at a time. */
static uint32_t
crc32_ieee(const char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= (unsigned char)p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

/*
 * The first byte: 1, the rest is the file as it is; else the rest is
 * the file without its last line, and the right "end" line is added, so
 * that the fuzzer gets past the checksum to the fields.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qentry e, again;
	struct buf in, out, out2;
	char *errstr = NULL;
	enum err r;

	if (size < 1 || size > 256 * 1024)
		return 0;
	buf_init(&in, 1 << 20);
	if (buf_add(&in, data + 1, size - 1) < 0 || (data[0] != 1 &&
	    buf_printf(&in, "end %08lx\n", (unsigned long)crc32_ieee(
	    buf_str(&in), in.len)) < 0))
		abort();
	r = qentry_parse(&e, buf_str(&in), in.len, &errstr);
	buf_free(&in);
	if (r != ERR_OK) {
		free(errstr);
		return 0;
	}
	(void)qentry_pending(&e);
	/*
	 * An entry read must write out again, and that text must read back
	 * to an entry that writes the same text.
	 */
	buf_init(&out, 1 << 24);
	buf_init(&out2, 1 << 24);
	if (qentry_format(&e, &out) < 0)
		abort();
	if (qentry_parse(&again, buf_str(&out), out.len, &errstr) != ERR_OK) {
		(void)fprintf(stderr, "written entry does not read: %s\n",
		    errstr != NULL ? errstr : "?");
		abort();
	}
	if (qentry_format(&again, &out2) < 0 || out.len != out2.len ||
	    memcmp(buf_str(&out), buf_str(&out2), out.len) != 0)
		abort();
	qentry_free(&again);
	qentry_free(&e);
	buf_free(&out);
	buf_free(&out2);
	free(errstr);
	return 0;
}
