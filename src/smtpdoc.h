/* smtpdoc.h - what SMTP's codes and keywords mean, in words: enhanced status codes and EHLO keywords. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SMTPDOC_H
#define PIGEON_SMTPDOC_H

#include <stddef.h>

#include "buf.h"

/*
 * The sources are the IANA registries "SMTP Enhanced Status Codes"
 * (RFC 3463 and what was added to it since: AUTH, BURL, SMTPUTF8,
 * MT-PRIORITY, RRVS, the DKIM, SPF and reverse DNS codes of RFC 7372,
 * null MX, ARC, REQUIRETLS) and "SMTP Service Extensions" (the EHLO
 * keywords, up to LIMITS of RFC 9422), plus a few widespread keywords
 * that are not registered (Postfix's XCLIENT, Exim's PIPECONNECT), said
 * to be so.
 *
 * Every text these functions append is translated already (they call
 * _() themselves, in the current locale): callers show it as it is.
 * Protocol words (keywords, parameter names, mechanism names, "RFC 1870")
 * are never translated.  Anything taken from the server's words is
 * escaped (sanitize.h) before it is appended, so the text is safe to
 * print on a terminal.
 */

/*
 * Does text[0..len) start with an enhanced status code "X.Y.Z": class 2,
 * 4 or 5, subject and detail of one to three digits, then a space or the
 * end?  Its length (5 to 9), else 0.  cls, subject and detail are filled
 * when not NULL and a code was found.
 */
size_t smtpdoc_code_parse(const char *text, size_t len, unsigned *cls,
    unsigned *subject, unsigned *detail);

/*
 * Append what the enhanced status code code ("5.1.1", NUL-terminated)
 * means: "the recipient's mailbox does not exist".  A code the registry
 * does not list gets what its class and subject say, and says so:
 * "4.2.9" -> "unknown detail; mailbox status, temporary failure".
 * 0; -1 when code is not an enhanced status code (out unchanged) or out
 * is full.
 */
int smtpdoc_status(const char *code, struct buf *out);

/*
 * A reply as the engine keeps it ("550 5.1.1 <b@example.org>: ...",
 * lines joined with '\n'): when its first line carries an enhanced
 * status code of the reply's class, append "5.1.1: " and the code's
 * meaning.  1 appended, 0 no code (out unchanged), -1 out is full.
 */
int smtpdoc_reply(const char *reply, struct buf *out);

/*
 * reply with its code's meaning after it in parentheses, for a line
 * that quotes the server: "550 5.1.1 <b@example.org>: unknown (5.1.1:
 * the recipient's mailbox does not exist)"; a reply without an enhanced
 * status code as it is.  malloc'd (the caller frees it), NULL when out
 * of memory.
 */
char *smtpdoc_explained(const char *reply);

/*
 * Append what one EHLO keyword line means ("SIZE 10240000", "AUTH PLAIN
 * LOGIN", "LIMITS RCPTMAX=50 MAILMAX=10"), its parameters put in words
 * where that helps, and where it is defined: "largest message accepted:
 * 9.8 MiB (RFC 1870)".  1 for a keyword pigeon knows; 0 for one it does
 * not, then out says "not known to pigeon"; -1 out is full.
 */
int smtpdoc_keyword(const char *line, struct buf *out);

#endif
