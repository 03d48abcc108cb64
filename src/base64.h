/* base64.h - RFC 4648 base64, fast block encoder and strict decoder. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_BASE64_H
#define PIGEON_BASE64_H

#include <stddef.h>

#include "buf.h"

/* Length of the encoding of n bytes (no line breaks). */
#define BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/* Input bytes per MIME line: 57 bytes give 76 characters (RFC 2045 6.8). */
#define BASE64_LINE_IN 57
/* Length of the MIME encoding of n bytes: 76-character lines, each + LF. */
#define BASE64_LINES_LEN(n) (BASE64_LEN(n) + ((n) + BASE64_LINE_IN - 1) / BASE64_LINE_IN)

/* Encode n bytes of in into out (BASE64_LEN(n) bytes, no NUL); return that length. */
size_t base64_encode(char *out, const void *in, size_t n);
/*
 * Encode for a MIME body: lines of 76 characters, each ending in LF
 * (the local form; the SMTP engine sends CRLF),
 * the last one shorter when n is not a multiple of 57.  A stream is
 * encoded in calls whose n is a multiple of BASE64_LINE_IN, except the
 * last.  Writes BASE64_LINES_LEN(n) bytes to out and returns that length.
 */
size_t base64_encode_lines(char *out, const void *in, size_t n);
/* Append the encoding to b; 0 or -1 (buffer full). */
int base64_encode_buf(struct buf *b, const void *in, size_t n);
/*
 * Strictly decode: only the alphabet, correct '=' padding, no white space,
 * length a multiple of 4, and zero bits after the data in the last
 * quantum ("Zh==" is refused), so every byte string has exactly one
 * accepted encoding.  Empty input decodes to nothing.  Appends to b; 0, or
 * -1 for invalid input or a full buffer (errno EINVAL, E2BIG or ENOMEM),
 * and then b's content is unchanged.
 */
int base64_decode_buf(struct buf *b, const char *in, size_t n);

/*
 * A forgiving decoder in steps, for message bodies read back from disk:
 * line ends and white space are skipped, any other byte outside the
 * alphabet is counted in bad and skipped, '=' ends a quantum (what it
 * holds of whole bytes is kept) and decoding goes on after it, as some
 * programs join encoded pieces.  The struct is visible so it can live in
 * other structs; only these functions touch it.
 */
struct base64_dec {
	unsigned long acc;       /* bits not written yet */
	unsigned nbits;
	unsigned long bad;       /* bytes skipped as not base64 */
};
void base64_dec_init(struct base64_dec *d);
/* Decode in[0..n), appending to out; 0, or -1 (full) with out as it was. */
int base64_dec_feed(struct base64_dec *d, struct buf *out, const char *in,
    size_t n);
/* The end: bits of a cut quantum count as bad; d is ready for more. */
void base64_dec_finish(struct base64_dec *d);

#endif
