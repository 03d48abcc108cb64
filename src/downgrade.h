/* downgrade.h - a stored message made fit for a server without 8BITMIME (8bit parts rewritten as quoted-printable or base64) or without SMTPUTF8 (domains in the header as A-labels). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_DOWNGRADE_H
#define PIGEON_DOWNGRADE_H

#include <stdint.h>

#include "err.h"

/*
 * RFC 6152 3: a client that has 8-bit data for a server without
 * 8BITMIME must convert it or not send it.  Read the message on in and
 * write it to out with every text part marked 8bit (or binary) turned
 * into quoted-printable, a message/rfc822 part with 8-bit data into
 * application/octet-stream in base64 (as the builder does without
 * 8BITMIME), and the Content-Transfer-Encoding of a multipart around them
 * into 7bit; everything else byte for byte: the header, Date,
 * Message-ID, boundaries (pigeon's hold "=_", which neither encoding
 * writes).  Line ends are written as LF.  *size gets the bytes on the
 * wire (every LF a CRLF), *eightbit whether 8-bit bytes are left (in a
 * header: RFC 6532 addresses, which need SMTPUTF8 instead).  ERR_IO
 * (reading or writing) and ERR_NOMEM with *errstr.
 */
enum err downgrade_8bit(int in, int out, uint64_t *size, int *eightbit,
    char **errstr);

/*
 * RFC 6531 and RFC 5890: for a server without SMTPUTF8, the domains of
 * the addresses in From, To, Cc, Reply-To, Sender, Mail-Followup-To and
 * their Resent- forms written as A-labels (idn_header()); display names
 * stay RFC 2047 encoded-words, everything else byte for byte.  An
 * address whose local part is not ASCII, or whose domain is not a valid
 * IDN, is left as it is.  Reads the message on in; only when something
 * changes (*changed) is the whole message written to out (LF line ends,
 * as read), *size the bytes on the wire (every LF a CRLF), *eightbit
 * whether bytes of 0x80 and above are left anywhere.  Nothing is
 * changed in a header longer than RFC822_HEADER_MAX.  ERR_IO with
 * *errstr, ERR_NOMEM.
 */
enum err downgrade_idn(int in, int out, uint64_t *size, int *changed,
    int *eightbit, char **errstr);

#endif
