/* crlf.h - line-end normalisation (CRLF for the wire, LF for storage) and dot-stuffing of message data, in blocks. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CRLF_H
#define PIGEON_CRLF_H

#include <stdint.h>
#include <stddef.h>

#include "buf.h"

/* State carried from one block to the next. */
struct crlf {
	int bol;          /* the next byte starts a line */
	int after_cr;     /* the last byte was a CR (its CRLF is out already) */
	int stuff;        /* double a dot at the start of a line (SMTP DATA) */
	int eightbit;     /* a byte >= 0x80 was seen (only if track8 set) */
	int track8;
	int lf;           /* line ends become LF, not CRLF (crlf_init_lf) */
	uint64_t lines;   /* line ends written */
};

/* Start of a message; stuff: dot-stuffing for DATA; track8: note 8-bit bytes. */
void crlf_init(struct crlf *c, int stuff, int track8);
/*
 * The same for the local form, as messages are stored: CRLF, a bare LF
 * and a bare CR each become LF; no dot-stuffing.
 */
void crlf_init_lf(struct crlf *c, int track8);

/*
 * Append n bytes of p to dst as they belong on the wire: CRLF, a bare LF
 * and a bare CR each become CRLF, so no bare CR or LF survives; with
 * stuff, a leading '.' is doubled.  In the local form (crlf_init_lf())
 * each becomes LF instead.  0, or -1 when dst is full.
 */
int crlf_convert(struct crlf *c, struct buf *dst, const char *p, size_t n);

/* End of message: add a final line end when the last line lacks one. */
int crlf_finish(struct crlf *c, struct buf *dst);

#endif
