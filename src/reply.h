/* reply.h - a reply to or a forward of a stored message, made as a draft: recipients, subject, thread, quoted text, signature, template. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_REPLY_H
#define PIGEON_REPLY_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "draft.h"
#include "err.h"

/*
 * The rules of a reply live here, once, for "pigeon reply", "pigeon
 * forward" and the keys of the interactive UI: the message answered is
 * read (reply_read()), then reply_make() fills a draft the caller sends,
 * saves or opens in the composer.  The pieces are exported for the
 * tests and for other front ends.
 */

/* References kept in a reply: the first of the thread and the newest ones. */
#define REPLY_REFS_MAX 20

/* A message read for an answer (opaque). */
struct reply_orig;

/* What reply_read() keeps besides the header and the text. */
#define REPLY_READ_COPY 1u         /* a private copy of a piped message (forward as an attachment) */
#define REPLY_READ_ATTACHMENTS 2u  /* the attachments, for an inline forward */

/*
 * Read the message on fd (RFC 5322, MIME; LF or CRLF): its header
 * fields, and its text: the first text/plain part that is no
 * attachment, else the first such text/html part as text (html.h), its
 * transfer encoding undone and its charset made UTF-8.  path names the
 * file it came from (NULL: a pipe): forwarding it as an attachment
 * takes that file; without one, REPLY_READ_COPY in flags makes a
 * private copy of the bytes as they are read.  REPLY_READ_ATTACHMENTS:
 * its attachments too (every part that is not text, and texts attached
 * by Content-Disposition; a message/rfc822 whole), decoded as they
 * stream into private files (mode 0600) under $TMPDIR, with their names
 * made safe, their types and descriptions, for reply_make() to attach
 * to an inline forward.  *flaws (may be NULL) gets MIMEWALK_F_*.
 * ERR_IO (reading fd, writing a copy) with *errstr, ERR_NOMEM.
 */
enum err reply_read(int fd, const char *path, unsigned flags,
    struct reply_orig **out, unsigned *flaws, char **errstr);
/* The same from memory (no copies: no forward as an attachment, no attachments). */
enum err reply_read_mem(const char *p, size_t n, struct reply_orig **out);
/* Free it; a private copy not handed to a draft is removed. */
void reply_orig_free(struct reply_orig *o);
/* The text read (UTF-8, LF), for callers that show it. */
const char *reply_orig_text(const struct reply_orig *o, size_t *len);

/*
 * The account of c the message belongs to, as mutt's reverse_name picks
 * it: the one that owns (conf_account_owns()) its From (a message of the
 * user's own), else its Delivered-To, else an address of its To, else
 * of its Cc; NULL: none does.
 */
const struct account *reply_account(const struct reply_orig *o,
    const struct conf *c);

enum reply_kind {
	REPLY_SENDER,              /* to Reply-To, else From */
	REPLY_GROUP,               /* Mail-Followup-To, else the sender and To and Cc */
	REPLY_FORWARD_INLINE,      /* the text in a "Forwarded message" block */
	REPLY_FORWARD_ATTACH,      /* the message as message/rfc822 */
};

struct reply_opts {
	enum reply_kind kind;
	const struct account *acct;  /* own addresses, styles, signature, template; may be NULL */
	const char *text;          /* the new text (UTF-8, LF); NULL: none yet */
	size_t textlen;
	const char *now;           /* today's date for %{date}; NULL: made now */
};

/*
 * Fill d (draft_init()ed; fields set already, such as a Subject or Cc
 * given by the user, are kept, and recipients given are added to) with
 * the answer to o: recipients (REPLY_SENDER: Reply-To, else From, or the
 * original To when the message is the user's own; REPLY_GROUP:
 * Mail-Followup-To when there is one, else that and To and Cc, without
 * the account's own addresses and without repeats), the Subject with
 * one "Re: " or "Fwd: ", In-Reply-To and References (reply_references()),
 * and the text: the attribution line and the quote (reply_quote()) and
 * the new text in the order of the account's reply_style, the
 * signature where signature_position says (after "-- ", draft_sign()),
 * or the account's template filled in (reply_template()); an inline
 * forward gets the attachments read (REPLY_READ_ATTACHMENTS), which d
 * then owns.
 * ERR_NOINPUT (the signature or template cannot be read), ERR_DATA
 * (neither is text), ERR_USAGE (forwarding as an attachment a message
 * read from a pipe without a copy) with *errstr, ERR_NOMEM.
 */
enum err reply_make(struct reply_orig *o, const struct reply_opts *ro,
    struct draft *d, char **errstr);

/*
 * subject without its answer prefixes (any case, "Re:", "Aw:", "Fwd:",
 * "Fw:", also "Re[2]:", repeated, before and after a "[list]" tag, which
 * stays) and with prefix ("Re: ", "Fwd: ") once in front.  subject may
 * be NULL.  malloc'd; NULL when out of memory.
 */
char *reply_subject(const char *subject, const char *prefix);

/*
 * The References of an answer to a message with these References (may
 * be NULL), In-Reply-To (used when there are no References, as RFC 5322
 * 3.6.4 says) and Message-ID: its ids and then its own; only well-formed
 * "<...>" ids; when more than REPLY_REFS_MAX, the first and the newest
 * ones.  malloc'd; NULL when there is none or out of memory (*nomem
 * says which; may be NULL).
 */
char *reply_references(const char *refs, const char *in_reply_to,
    const char *msgid, int *nomem);

/*
 * Append text[0..n) quoted to out: "> " before each line, ">" before a
 * line already quoted (">>"), a lone ">" for an empty line (no trailing
 * space).  A last line without LF gets one.  0, or -1 when out is full.
 */
int reply_quote(struct buf *out, const char *text, size_t n);

/*
 * Fill in a template: "%{date}" today's date, "%{name}" the recipient's
 * name (the first To's display name, else its address), "%{quote}" the
 * attribution and the quote of a reply (the forwarded block of an
 * inline forward), "%{text}" the new text, "%{subject}", "%{from}" the
 * original's sender, "%%" a "%"; an unknown "%{...}" stays as written.
 * The lines before the template's first empty line are header fields
 * ("Cc: ...", "Subject: ...", any other field); the rest is the body.
 * Exported for the tests; reply_make() calls it when the account has a
 * template.  ERR_DATA (a header line that is no field) with *errstr,
 * ERR_NOMEM.
 */
struct reply_vars {
	const char *date, *name, *quote, *text, *subject, *from;
};
enum err reply_template(const char *tpl, size_t n,
    const struct reply_vars *v, struct draft *d, char **errstr);

/*
 * A new message (not an answer) from acct's template, when it has one:
 * its fields, and its text with %{date}, %{name} (of d's To),
 * %{subject} (d's) and %{text} (d's text so far, which the result
 * replaces); %{quote} and %{from} are empty.  Without a template nothing
 * happens.  The signature is the caller's, as for any new message
 * (draft_sign()).  Errors as reply_make(); d's text is left as it was.
 */
enum err reply_template_new(const struct account *acct, struct draft *d,
    const char *now, char **errstr);

#endif
