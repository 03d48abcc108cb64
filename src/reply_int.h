/* reply_int.h - what reply.c and forward.c share: the message read for an answer, and the forward's pieces; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_REPLY_INT_H
#define PIGEON_REPLY_INT_H

#include <stddef.h>

#include "buf.h"
#include "draft.h"
#include "err.h"
#include "reply.h"

#define REPLY_TEXT_MAX (64u * 1024 * 1024)
#define REPLY_ID_MAX 250           /* a message id longer than this is junk */

struct reply_orig {
	/* Address fields unfolded, not decoded: a decoded name may hold commas. */
	char *from, *reply_to, *to, *cc, *mft, *delivered_to;
	char *subject;             /* decoded, UTF-8 */
	char *date, *msgid, *refs, *irt;
	struct buf text;           /* UTF-8, LF */
	struct buf html;           /* the HTML part, UTF-8, when no text */
	int have_text, have_html;
	char *path;                /* the file it came from */
	char *copydir, *copy;      /* a private copy of a piped message */
	int copy_fd;
	/* While reading. */
	enum { INTO_NOTHING, INTO_TEXT, INTO_HTML } into;
	struct buf raw;
	char *charset;
	int flowed;                /* the text part's format=flowed (mimewalk.h) */
	unsigned flaws;
	int nomem;
};

/*
 * A private file (mode 0600, in a new directory under $TMPDIR) for the
 * bytes of a piped message, so that it can be forwarded as an
 * attachment; o->copy_fd is open on it.  ERR_IO with *errstr, ERR_NOMEM.
 */
enum err forward_open_copy(struct reply_orig *o, char **errstr);
/* Append b[0..n) to it.  ERR_IO with *errstr. */
enum err forward_write_copy(struct reply_orig *o, const char *b, size_t n,
    char **errstr);
/* Append the "Forwarded message" block of an inline forward to b.  ERR_NOMEM. */
enum err forward_block(const struct reply_orig *o, struct buf *b);
/*
 * Attach the message as message/rfc822 to d: its file, or the private
 * copy, which d then owns.  ERR_USAGE (read from a pipe without a copy)
 * and ERR_IO with *errstr, ERR_NOMEM.
 */
enum err forward_attach_orig(struct reply_orig *o, struct draft *d,
    char **errstr);

#endif
