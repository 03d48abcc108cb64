/* hexdump.c - the classic hex and ASCII dump of bytes, for the transcript's raw events. */
/* SPDX-License-Identifier: ISC */
#include "hexdump.h"

/* One line: at most HEXDUMP_WIDTH bytes of p starting at offset off. */
static int
dump_line(struct buf *out, const char *indent, const unsigned char *p,
    size_t n, size_t off)
{
	static const char hex[] = "0123456789abcdef";
	/*
	 * Three per byte, a space between the groups and one before the
	 * ASCII column, two bars; a short line is padded so the bars line up.
	 */
	char cols[HEXDUMP_WIDTH * 3 + 2 + 2 + HEXDUMP_WIDTH];
	size_t i, k = 0;

	for (i = 0; i < HEXDUMP_WIDTH; i++) {
		if (i == HEXDUMP_WIDTH / 2)
			cols[k++] = ' ';
		if (i < n) {
			cols[k++] = hex[p[i] >> 4];
			cols[k++] = hex[p[i] & 0x0f];
		} else {
			cols[k++] = ' ';
			cols[k++] = ' ';
		}
		cols[k++] = ' ';
	}
	cols[k++] = ' ';
	cols[k++] = '|';
	for (i = 0; i < n; i++)
		cols[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	cols[k++] = '|';
	return buf_printf(out, "%s%04zx  %.*s", indent, off, (int)k, cols);
}

int
hexdump_append(struct buf *out, const char *indent, const void *p, size_t n,
    size_t off)
{
	const unsigned char *b = p;
	size_t i, w;

	for (i = 0; i < n; i += w) {
		w = n - i < HEXDUMP_WIDTH ? n - i : HEXDUMP_WIDTH;
		if (i > 0 && buf_addch(out, '\n') < 0)
			return -1;
		if (dump_line(out, indent, b + i, w, off + i) < 0)
			return -1;
	}
	return 0;
}
