/* sanitize.h - make bytes from a server, file or header safe to show on a terminal. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SANITIZE_H
#define PIGEON_SANITIZE_H

#include <stddef.h>

#include "buf.h"

/*
 * Two kinds of text.  A label is text pigeon shows for what it says,
 * never for how it looks: a server's reply, a certificate field, a file
 * name, a header field in a list, the status line, the transcript.  An
 * invisible character there only hides something (a zero width space
 * inside a host name), so every zero width character is escaped.  A body
 * is the text of a message: Persian, the Indic scripts and emoji need
 * the zero width non-joiner and joiner (U+200C, U+200D) to be written at
 * all, so those two pass; everything else is escaped as in a label.
 */
enum sanitize_mode {
	SANITIZE_LABEL,
	SANITIZE_BODY,
};

/*
 * Append s[0..n) to out so that nothing in it can act on a terminal:
 * printable ASCII and well-formed UTF-8 of printable characters pass;
 * C0 controls, DEL, C1 controls, bidi overrides and isolates, zero width
 * characters (but ZWNJ and ZWJ in a body), and invalid UTF-8 become
 * visible escapes (\r \n \t \e \xHH \u{202E}).  A backslash becomes "\\"
 * so escapes are unambiguous.  Text is escaped once, where it is shown:
 * the core hands out raw (but NUL-free) text.  0 or -1 (buffer full).
 */
int sanitize_mode_append(struct buf *out, const char *s, size_t n,
    enum sanitize_mode mode);
/* sanitize_mode_append() for a label, the strict form. */
int sanitize_append(struct buf *out, const char *s, size_t n);

#endif
