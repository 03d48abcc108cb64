/* reply_int.h - what reply.c and forward.c share: the message read for an answer, and the forward's pieces; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_REPLY_INT_H
#define PIGEON_REPLY_INT_H

#include <stddef.h>

#include "buf.h"
#include "draft.h"
#include "err.h"
#include "mimewalk.h"
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
	/*
	 * The attachments of an inline forward (REPLY_READ_ATTACHMENTS):
	 * copies in a private directory, held by a draft of their own
	 * until reply_make() hands them over; NULL: not wanted.
	 */
	struct draft *att;
	int att_fd;                /* the copy being written */
	enum err att_err;          /* what stopped writing one, with att_why */
	char *att_why;
	/* While reading. */
	enum { INTO_NOTHING, INTO_TEXT, INTO_HTML, INTO_FILE } into;
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

/*
 * Is p an attachment an inline forward carries: a leaf that is not text,
 * or a text with "Content-Disposition: attachment" (the text quoted and
 * its alternatives are inline texts), but not the signature of a
 * multipart/signed nor the control part of a multipart/encrypted, which
 * mean nothing once the message is taken apart.  1 or 0.
 */
int forward_att_wanted(const struct mimewalk_part *p);
/*
 * The name shown for an attachment passed on, from the original's
 * (UTF-8, may be NULL): its last path component ('/' or '\\'), without
 * control characters, at most FORWARD_NAME_MAX bytes (cut at a
 * character's edge, the extension kept); NULL when nothing is left
 * (the builder then names it).  *nomem says whether NULL means out of
 * memory.  malloc'd.
 */
#define FORWARD_NAME_MAX 120
char *forward_att_name(const char *name, int *nomem);
/*
 * Begin, fill and end the copy of part p in o->att (reply_read()'s
 * walker calls them for parts forward_att_wanted() takes).  An error is
 * kept in o->att_err and o->att_why, and stops the reading.
 */
enum mimewalk_want forward_att_begin(struct reply_orig *o,
    const struct mimewalk_part *p);
int forward_att_data(struct reply_orig *o, const char *b, size_t n);
void forward_att_end(struct reply_orig *o);
/*
 * Hand the attachments read over to d, at the end of its list: d owns
 * them from now on (their directory becomes d's, or they are moved into
 * d's).  ERR_IO with *errstr, ERR_NOMEM.
 */
enum err forward_take_atts(struct reply_orig *o, struct draft *d,
    char **errstr);

#endif
