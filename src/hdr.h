/* hdr.h - header fields for outgoing mail: RFC 2047, RFC 2231, folding (reading them back is rfc822.h's). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_HDR_H
#define PIGEON_HDR_H

#include <stddef.h>

#include "addr.h"
#include "buf.h"

/*
 * Every function here appends one complete header field, "Name: value"
 * ending in LF, to out: the local form of a message, as pigeon stores it
 * (the SMTP engine turns every line end into CRLF on the wire).  Values are UTF-8 text without CR, LF or NUL
 * (the caller checks that); the output is ASCII only.  Long fields are
 * folded (LF and one space before a white space character) so that
 * lines stay within 78 octets where that is possible and never pass 998
 * (RFC 5322 2.1.1), counting "Name: " on the first line.  When not even
 * the first item of the value fits the first line, the fold goes right
 * after the colon ("Name:" LF " " value), which unfolds to the same
 * "Name: value".  Encoded-words (RFC 2047) are "=?UTF-8?Q?...?=" or
 * "=?UTF-8?B?...?=", at most 75 characters, each holding whole UTF-8
 * characters; bytes that are not valid UTF-8 count as characters of
 * their own, so nothing crashes on them.
 *
 * The field name must be 1 to 76 printable ASCII characters without ':'
 * (so "Name: " fits a 78-octet line).  Each function returns 0, or -1
 * with errno set and out left as it was: E2BIG or ENOMEM when out is
 * full, EINVAL for a bad name or a value that cannot be written.  The
 * caller owns out and every string; nothing is kept.
 */

/*
 * "Name: value" for unstructured text (Subject, Comments, X-* fields the
 * user gives).  Words of printable ASCII stay literal.  A word containing
 * a byte outside printable ASCII, "=?" or "?=" (which a decoder could take
 * for an encoded-word), or too long to fit a 998-octet line, is encoded,
 * together with the neighbouring words that need it, as one run of
 * encoded-words; the white space inside a run is encoded with it, as
 * decoders drop white space between adjacent encoded-words.  Leading and
 * trailing spaces join the first or last word's run, and where a run
 * meets a literal word after two or more spaces, all but one of them join
 * the run, so that a decoder that trims or collapses white space still
 * gives back exactly the value.  Spaces between two literal words stay
 * literal, unless there are so many that the word after them would not
 * fit a 78-octet line: then that word is encoded with them.  Each
 * encoded-word is Q or B, whichever holds more of the text in the room
 * left (the shorter one when both hold all of it).  An empty value gives
 * "Name: " LF.  Literal words are never broken, so a literal word
 * longer than the line leaves a line over 78 octets.
 */
int hdr_unstructured(struct buf *out, const char *name, const char *value);

/*
 * "Name: value" for structured ASCII values (Message-ID, References,
 * In-Reply-To, Date, MIME-Version, Content-Transfer-Encoding), written as
 * given except that leading and trailing spaces are dropped (they carry
 * no meaning in a structured field); folded only before a run of spaces.
 * EINVAL when the value has a byte outside printable ASCII (a TAB too)
 * or a space-free token cannot fit a 998-octet line.  An empty value
 * gives "Name: " LF.
 */
int hdr_structured(struct buf *out, const char *name, const char *value);

/*
 * "Name: a, b, c" for From, To, Cc, Reply-To: each address as
 * "phrase <spec>", or the bare spec when name is NULL or "".  The phrase:
 * atext words separated by single spaces go as they are; other printable
 * ASCII becomes a quoted-string with '"' and '\' escaped; anything else
 * (non-ASCII, control characters, "=?" or "?=", or more than 920 octets
 * to quote) becomes encoded-words over the whole name, Q or B, whichever
 * is shorter, Q using only the characters RFC 2047 5(3) allows in a
 * phrase.  The spec is written as it is, never encoded or
 * folded; EINVAL when it is not printable ASCII, has no '@' outside
 * quotes, or holds a character that would end it early (space, ',', '<'
 * and the like outside quotes).  Folds go after a comma, between the
 * phrase and "<spec>", between atext words and between encoded-words.
 * EINVAL when n is 0.
 */
int hdr_addresses(struct buf *out, const char *name, const struct addr *v,
    size_t n);

/* A parameter of Content-Type or Content-Disposition. */
struct hdr_param {
	const char *name;      /* "charset", "filename", "name", "boundary" */
	const char *value;     /* UTF-8 */
};

/*
 * "Name: value; p1=v1; p2=v2".  value (e.g. "text/plain", "attachment")
 * must be printable ASCII without spaces, ';' or '"'; a parameter name
 * 1 to 76 RFC 2231 attribute characters; EINVAL otherwise.  A parameter
 * value that is an RFC 2045 token goes bare, other printable ASCII as a
 * quoted-string.  One that has other bytes, or whose "name=value;" would
 * not fit a 78-octet continuation line, is written by RFC 2231 as
 * name*=utf-8''percent-encoded, or split into name*0*=utf-8''...,
 * name*1*=..., each on its own line within 78 octets and holding whole
 * UTF-8 characters.  Exception: "boundary" is never RFC 2231 encoded
 * (MIME parsers look for it literally), so a non-ASCII one is EINVAL and
 * a long one is quoted on a line up to 998 octets.  Each parameter goes
 * on a new folded line when the current one would pass 78 octets.
 */
int hdr_params(struct buf *out, const char *name, const char *value,
    const struct hdr_param *p, size_t np);

/*
 * "Autocrypt: attrs keydata" (Autocrypt Level 1, 2.1): attrs is the
 * printable ASCII "addr=...; prefer-encrypt=mutual; keydata=" and
 * keydata one run of base64; the key data is cut into pieces of
 * HDR_KEYDATA_LINE characters, each on a folded line of its own (white
 * space in keydata is ignored by readers, which the spec asks for).
 * EINVAL for other bytes.
 */
#define HDR_KEYDATA_LINE 76
int hdr_autocrypt(struct buf *out, const char *attrs, const char *keydata);

#endif
