/* hexdump.h - the classic hex and ASCII dump of bytes, for the transcript's raw events. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HEXDUMP_H
#define PIGEON_HEXDUMP_H

#include <stddef.h>

#include "buf.h"

/* Bytes per dump line. */
#define HEXDUMP_WIDTH 16

/*
 * Append the dump of p[0..n) to out, one line per 16 bytes, each line
 * started by indent (may be "") and the lines separated by '\n' (none
 * after the last; nothing at all for n == 0).  A line is the offset in
 * hex (at least four digits), two spaces, the bytes in lower-case hex in
 * two groups of eight (a short last line padded so the columns stay),
 * then the bytes between bars with '.' for anything but printable ASCII:
 *
 *   0000  45 48 4c 4f 20 6c 6f 63  61 6c 68 6f 73 74 0d 0a  |EHLO localhost..|
 *
 * Offsets count from off, so that a long dump can be made in slices
 * (a multiple of 16 bytes each) with the offsets running on.
 * The output is plain ASCII whatever p holds.  0, or -1 when out is full
 * (out then holds the lines that fitted, maybe a part of one).
 */
int hexdump_append(struct buf *out, const char *indent, const void *p,
    size_t n, size_t off);

#endif
