/* qp.h - quoted-printable (RFC 2045 6.7): a streaming encoder for MIME bodies and a strict decoder. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_QP_H
#define PIGEON_QP_H

#include <stddef.h>

#include "buf.h"

/* How many units the encoder may hold back: "From " at a line start is five. */
#define QP_QUEUE 5

/*
 * Room qp_encode() wants in out for n bytes of input: 4 * n + 128 (the
 * worst case is three characters per byte plus soft breaks, plus what was
 * held back from earlier calls).  qp_finish() wants QP_ROOM(0).
 */
#define QP_ROOM(n) (4 * (n) + 128)

/*
 * Encoder state.  The input is cut into units: one byte, one well-formed
 * UTF-8 sequence, or (text mode) one line break.  A unit is written only
 * once enough of what follows is known to place it: whether a line break
 * or the end comes next (then trailing white space is encoded and the
 * line may use all 76 columns), and after a line start whether "From "
 * follows.  The struct is visible so it can live inside other structs,
 * but only the qp_* functions touch the fields.
 */
struct qp {
	int text;                          /* line breaks are hard breaks */
	int after_cr;                      /* text: a CR was the last byte */
	size_t col;                        /* characters on the output line */
	unsigned char part[4];             /* an unfinished UTF-8 sequence */
	unsigned partlen, partneed;
	unsigned char unit[QP_QUEUE][4];   /* units held back, oldest first */
	unsigned char unitlen[QP_QUEUE];   /* 0 for a line break */
	unsigned nunit;
};

/*
 * Start encoding.  text != 0: the input is text; LF, CRLF and a lone CR
 * are line breaks and come out as LF (hard breaks; the local form of a
 * message, which the SMTP engine sends with CRLF).  text == 0: binary;
 * every CR and LF is encoded (=0D, =0A) and the output has only soft
 * breaks.
 */
void qp_init(struct qp *q, int text);

/*
 * Encode n bytes, appending to out.  Output lines have at most 76
 * characters besides the LF; a soft break is "=" LF; '=', controls, DEL and 8-bit bytes become
 * =XX (upper-case hex), and so do white space before a hard break or at
 * the end, a '.' that starts a line and the 'F' of a line that starts
 * with "From ".  A soft break never splits an =XX or a well-formed UTF-8
 * sequence.  Any split of the input into calls gives the same output as
 * one call with all of it: what cannot be placed yet is held back (at
 * most QP_QUEUE units and three bytes of an unfinished UTF-8 sequence).
 * 0, or -1 when out cannot take QP_ROOM(n) more bytes (errno E2BIG or
 * ENOMEM); then neither q nor out has changed, and the call may be
 * repeated once out has room.
 */
int qp_encode(struct qp *q, struct buf *out, const char *in, size_t n);

/*
 * End of input: write what was held back.  No LF is added after the
 * last line unless the input ended with a line break (text mode).  Then
 * q is as after qp_init() with the same mode, ready for the next body.
 * 0, or -1 as for qp_encode() with nothing changed.
 */
int qp_finish(struct qp *q, struct buf *out);

/*
 * Decode quoted-printable, appending to out (meant for tests and round
 * trips): soft breaks "=\r\n" and "=\n" vanish, =XX is decoded (upper or
 * lower case hex), white space before a line end or at the end of the
 * input is dropped (RFC 2045 rule 3: it was added in transit), and a
 * line end (CRLF, or a bare LF) becomes "\n" when text, "\r\n" otherwise.
 * 0, or -1 for malformed input (errno EINVAL): "=" followed by neither
 * two hex digits nor a line end, a CR without LF, or a byte other than
 * printable ASCII, space, tab, CR and LF; or -1 when out is full (E2BIG,
 * ENOMEM).  On -1 the content of out is as it was.
 */
int qp_decode(struct buf *out, const char *in, size_t n, int text);

/*
 * A forgiving decoder in steps, for message bodies read back from disk:
 * as qp_decode(), but the input may be cut anywhere between calls, and
 * what is malformed ("=" not followed by two hex digits or a line end, a
 * bare CR) is kept as it stands and counted in bad.  Trailing white space
 * is dropped when the line end follows (up to QP_DEC_WS bytes of it).
 */
#define QP_DEC_WS 128
struct qp_dec {
	int text;
	int state;               /* private */
	unsigned char hex;       /* the first digit after '=' */
	unsigned char ws[QP_DEC_WS];
	size_t nws;
	unsigned long bad;
};
void qp_dec_init(struct qp_dec *d, int text);
/* Decode in[0..n), appending to out; 0, or -1 (full) with out as it was. */
int qp_dec_feed(struct qp_dec *d, struct buf *out, const char *in,
    size_t n);
/* The end: what is held back goes out (an unfinished "=" as it stands). */
int qp_dec_finish(struct qp_dec *d, struct buf *out);

#endif
