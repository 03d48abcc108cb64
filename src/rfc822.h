/* rfc822.h - reading header fields back: unfolding, RFC 2047 words, RFC 2231 parameters (the MIME tree is mimewalk.h's). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_RFC822_H
#define PIGEON_RFC822_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Everything in pigeon that reads a message back (the message list, the
 * reader, drafts being resumed, queue edit, the 8-bit downgrade before a
 * send, the tests) reads it here and in mimewalk.h, which walks the MIME
 * tree with these.  Messages may come with LF (how pigeon
 * stores them) or CRLF line ends (older files, other programs), from
 * anyone, damaged or hostile: nothing here trusts them.  A header is
 * read up to RFC822_HEADER_MAX.
 */
#define RFC822_HEADER_MAX (1024 * 1024)

/* --- a header in memory ------------------------------------------------ */

/*
 * Where does the header of p[0..n) end?  At the first empty line, or at
 * the first line that is neither a field nor a continuation (then the
 * body starts with that line, as Postfix reads it).  Returns the header's
 * length (its fields, without the empty line); *body is where the body
 * starts; *complete is 0 when the input ended inside the header.
 */
size_t rfc822_header_end(const char *p, size_t n, size_t *body,
    int *complete);

/* One field of a header: its bytes up to and including its last line end. */
struct rfc822_field {
	const char *p;
	size_t len;
	size_t namelen;            /* up to the ':' (or len when there is none) */
};

/* The next field of h[0..n) from *pos (start at 0); 0 at the end. */
int rfc822_next_field(const char *h, size_t n, size_t *pos,
    struct rfc822_field *f);
/*
 * Is f the field name (any case)?  White space before the colon is the
 * obsolete syntax of RFC 5322 4.5, still met: "Bcc : x" is a Bcc field.
 */
int rfc822_field_is(const struct rfc822_field *f, const char *name);
/* The value of f, after the colon, as it is stored (folded). */
const char *rfc822_field_value(const struct rfc822_field *f, size_t *len);
/*
 * Append a folded value unfolded: line ends go (the white space after
 * them stays, RFC 5322 2.2.3), white space at both ends goes.  0, or -1
 * with out as it was (full).
 */
int rfc822_unfold(struct buf *out, const char *v, size_t n);
/* The first field name of h[0..n), unfolded (malloc'd); NULL: none. */
char *rfc822_get(const char *h, size_t n, const char *name);
/* The same with its RFC 2047 encoded-words decoded: UTF-8 text. */
char *rfc822_get_text(const char *h, size_t n, const char *name);

/*
 * Read an unfolded header value back: every RFC 2047 encoded-word
 * ("=?charset?Q?...?=" or "=?charset?B?...?=", charset possibly with
 * "*lang") becomes the UTF-8 text it stands for, the white space between
 * two adjacent encoded-words goes, everything else stays as it is.  An
 * encoded-word that cannot be decoded (unknown charset, bad base64 or
 * hex, text that is not valid in its charset) stays as written.  Appends
 * to out; 0, or -1 (E2BIG, ENOMEM) with out as it was.
 */
int rfc822_decode_words(struct buf *out, const char *value, size_t n);

/* --- MIME parameters ---------------------------------------------------- */

/*
 * The "type/subtype" of a Content-Type value, lower case, into out[len];
 * "" when the value has none that is well-formed.
 */
void rfc822_mime_type(const char *value, char *out, size_t len);
/*
 * The parameter name of a Content-Type or Content-Disposition value,
 * appended to out as UTF-8: RFC 2231 (name*=charset'lang'%XX, and
 * continuations name*0, name*1*, ... put together in order, each part
 * percent-decoded or not by its own '*'), else RFC 2045 (a token or a
 * quoted-string), whose RFC 2047 encoded-words are decoded too, as many
 * mail programs write file names that way.  Text in another charset is
 * converted; where that cannot be done the bytes are kept if they are
 * UTF-8, else the parameter counts as missing.  1 when found, 0 when
 * not, -1 when out is full.
 */
int rfc822_param(const char *value, const char *name, struct buf *out);

#endif
