/* idn.h - internationalised domain names (IDNA2008 with UTS #46) turned into A-labels for a server without SMTPUTF8. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_IDN_H
#define PIGEON_IDN_H

#include <stddef.h>

#include "err.h"

/* Whether s[0..n) is plain ASCII (no byte of 0x80 or above). */
int idn_ascii(const char *s, size_t n);

/*
 * The domain d (UTF-8) as A-labels ("münchen.example" ->
 * "xn--mnchen-3ya.example"): IDNA2008 with UTS #46 mapping,
 * non-transitional (so "ß" stays a letter of its own), input normalised
 * to NFC, STD3 rules (letters, digits and hyphens).  A domain that is
 * plain ASCII, and a domain literal ("[192.0.2.1]"), are copied as they
 * are.  *out is the caller's (free()).  ERR_DATA with *errstr naming the
 * domain and saying what is wrong with it; ERR_NOMEM.
 */
enum err idn_domain(const char *d, char **out, char **errstr);

/*
 * The addr-spec a ("local@domain") with its domain as A-labels, for the
 * envelope of a server without SMTPUTF8.  A local part that is not plain
 * ASCII cannot be converted (RFC 6531 3.2: only SMTPUTF8 carries it):
 * ERR_NOUTF8 with *errstr saying so.  An address without '@' is copied.
 * ERR_DATA (the domain), ERR_NOMEM.
 */
enum err idn_addr(const char *a, char **out, char **errstr);

/*
 * The value v[0..n) of an address header field (From, To, Cc, ...) as
 * written by the message builder, with the domain of every address in it
 * as A-labels; display names (RFC 2047 encoded-words), comments and
 * folding are kept byte for byte.  *changed: whether anything was
 * converted (*out is a copy all the same).  An address whose local part
 * is not ASCII keeps its domain too (it needs SMTPUTF8 whole).
 * ERR_DATA, ERR_NOMEM.
 */
enum err idn_header(const char *v, size_t n, char **out, int *changed,
    char **errstr);

#endif
