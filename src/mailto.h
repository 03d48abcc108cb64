/* mailto.h - "pigeon ADDRESS" and "pigeon mailto:..." (RFC 6068): what a link asks for, made into a draft's fields. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_MAILTO_H
#define PIGEON_MAILTO_H

#include "buf.h"
#include "draft.h"
#include "err.h"

/* The longest argument taken (a browser's URL limit is of this order). */
#define MAILTO_MAX (64 * 1024)
/* The most header fields one URL may have. */
#define MAILTO_FIELDS_MAX 100

/* Is s a mailto: URL (the scheme in any case)?  1 or 0. */
int mailto_is_url(const char *s);

/*
 * Could s be what "pigeon ARG" opens the composer for: a mailto: URL, or
 * a list of addresses (at least one with an '@', as addr_list_parse()
 * reads them: "bob@example.org", "Bob <bob@example.org>, c@d")?  Anything
 * else is an unknown command.  1 or 0.
 */
int mailto_is_target(const char *s);

/*
 * Add what arg asks for to d (draft_init()ed): for a list of addresses,
 * those to To; for a mailto: URL, percent-decoded and UTF-8, the
 * addresses of its path and of "to" to To, "cc" to Cc, "bcc" to Bcc,
 * "subject", "body" (its line ends made LF) and "in-reply-to" (when it is
 * one message id, <...@...>).  Several calls add up: addresses are
 * appended with ", "; a Subject, text or In-Reply-To that d has already
 * stays, and the later one is ignored.
 *
 * Nothing else is taken: From, Sender, Reply-To, Received and every
 * other field a link could use to speak for someone are ignored, and so
 * are fields repeated or empty.  The names of those ignored go to
 * *ignored (may be NULL), separated by ", ", shown safely (printable
 * ASCII, cut short).  Control characters never reach a header value
 * (CR and LF among them, so a link cannot add a header line): each
 * becomes a space; in the text only LF and tab stay.
 *
 * ERR_USAGE: arg is neither a URL nor addresses.  ERR_DATA with *errstr:
 * a URL that is broken (a '%' not followed by two hex digits, %00, bytes
 * that are not UTF-8, longer than MAILTO_MAX, more than
 * MAILTO_FIELDS_MAX fields).  ERR_NOMEM.  d may have been changed in
 * part when an error is returned.
 */
enum err mailto_parse(struct draft *d, const char *arg, struct buf *ignored,
    char **errstr);

#endif
