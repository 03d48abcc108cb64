/* fuzz_html.c - libFuzzer target: html_to_text() on hostile HTML; the text holds no control character but LF and tab, and ends its last line. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	enum err e;
	size_t i;
	unsigned char ch;

	/* A small maximum, so that the cut-off path is fuzzed too. */
	buf_init(&out, 1 + size * 4);
	e = html_to_text((const char *)data, size, &out);
	if (e != ERR_OK && e != ERR_DATA)
		abort();
	if (out.len > out.max)
		abort();
	for (i = 0; i < out.len; i++) {
		ch = (unsigned char)out.data[i];
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			abort();
	}
	if (e == ERR_OK && out.len > 0 && out.data[out.len - 1] != '\n')
		abort();
	buf_free(&out);
	return 0;
}
