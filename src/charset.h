/* charset.h - UTF-8 checks, conversion to and from UTF-8, MIME charset names. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_CHARSET_H
#define PIGEON_CHARSET_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * This is the only module that calls iconv.  Inside pigeon text is
 * UTF-8; these functions bring text in from the locale's or a file's
 * character set and pick the character set it is sent in.
 *
 * Character set names are those iconv_open() takes.  Names carrying
 * "//" suffixes ("//TRANSLIT", "//IGNORE") are refused with ERR_CONFIG:
 * every conversion here is exact.  The empty name is refused too (glibc
 * would read it as the locale's character set).
 */

/*
 * The locale's character set as nl_langinfo(CODESET) names it ("UTF-8",
 * "ISO-8859-1", "ANSI_X3.4-1968"); never NULL.  The caller has called
 * setlocale().
 */
const char *charset_locale(void);

/*
 * Is p[0..n) well-formed UTF-8 (RFC 3629: no overlong forms, no UTF-16
 * surrogates, nothing above U+10FFFF)?  1 or 0.  If not and bad != NULL,
 * *bad is the offset of the first byte of the first ill-formed sequence:
 * the stray byte itself, or the lead byte of a sequence that is
 * overlong, out of range, broken off by a non-continuation byte or cut
 * off by the end of the input.  NUL bytes are well-formed (callers check
 * NUL separately).
 */
int charset_utf8_valid(const char *p, size_t n, size_t *bad);

/*
 * The length of the well-formed UTF-8 sequence at s (n > 0 bytes left):
 * 1 to 4, or 0 when it is ill-formed or cut off (RFC 3629 ranges).
 */
size_t charset_utf8_seq(const unsigned char *s, size_t n);
/* Are all bytes of p[0..n) below 0x80?  1 or 0 (1 when n is 0). */
int charset_is_ascii(const char *p, size_t n);

/*
 * Convert p[0..n) from charset `from` to UTF-8 and append the result to
 * out.  When `from` is UTF-8 (any spelling: "UTF-8", "utf8") the input
 * is only validated and copied; US-ASCII (also "ANSI_X3.4-1968") is
 * checked for bytes >= 0x80 and copied.  An invalid or incomplete
 * sequence is an error, never dropped or replaced.
 *
 * ERR_OK; ERR_DATA with *errstr "invalid ISO-8859-2 at line 3, byte 17
 * (0xE9)" (or "incomplete ... sequence at ..." when the input ends
 * inside a character), where the line (counted by LF bytes) and the byte
 * within it are 1-based and counted in the input, and the byte shown is
 * the first one of the bad sequence; ERR_CONFIG when iconv does not know
 * the charset; ERR_NOMEM when memory runs out or out would grow past its
 * maximum.  On any error out is left as it was.
 */
enum err charset_to_utf8(struct buf *out, const char *p, size_t n,
    const char *from, char **errstr);

/*
 * Convert UTF-8 p[0..n) to charset `to` exactly (no transliteration, no
 * dropped characters) and append the result to out, including any
 * sequence that returns a stateful charset (ISO-2022-JP) to its initial
 * state.  ERR_OK; ERR_DATA when some character has no representation in
 * `to` (*errstr then names it: "U+20AC cannot be represented in
 * ISO-8859-1") or when p is not well-formed UTF-8; ERR_CONFIG for an
 * unknown charset; ERR_NOMEM as above.  On any error out is left as it
 * was.  Used to pick the first charset of a list ("us-ascii:iso-8859-1:
 * utf-8") that can represent a text.
 */
enum err charset_from_utf8(struct buf *out, const char *p, size_t n,
    const char *to, char **errstr);

/*
 * A received text part p[0..n) in its declared charset (NULL: none
 * given) as UTF-8, appended to out, as a reader must take it: valid
 * UTF-8 labelled UTF-8, US-ASCII or nothing is copied; else it is
 * converted from its charset; a wrong or unknown label on valid UTF-8
 * is ignored; anything else is read as ISO-8859-1, so that every byte
 * stays readable.  Returns 0, 1 when the text had to be guessed (a
 * flaw to tell), -1 when out is full (out then as it was).
 */
int charset_text_utf8(struct buf *out, const char *p, size_t n,
    const char *charset);
/*
 * The MIME (IANA preferred, lower-case) name for a charset as iconv or
 * nl_langinfo spell it: "ANSI_X3.4-1968" -> "us-ascii", "UTF-8"/"utf8"
 * -> "utf-8", "ISO-8859-1"/"iso88591"/"latin1" -> "iso-8859-1",
 * "SJIS" -> "shift_jis", "CP1252" -> "windows-1252"; any other name
 * lower-cased.  The result points into a static table or into buf,
 * which receives the lower-cased name.  NULL when cs is empty, holds a
 * character not allowed in a MIME charset name (RFC 2978) or does not
 * fit in buf[len].
 */
const char *charset_mime_name(const char *cs, char *buf, size_t len);

#endif
