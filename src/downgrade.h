/* downgrade.h - a stored message made fit for a server without 8BITMIME: 8bit parts rewritten as quoted-printable or base64. */
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

#endif
