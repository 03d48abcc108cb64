/* forward.c - a stored message passed on: its private copy when piped, the forwarded block of an inline forward, the message attached as message/rfc822. */
/* SPDX-License-Identifier: ISC */
#include "reply_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "rfc822.h"
#include "util.h"

/* A private file for the bytes of a piped message. */
enum err
forward_open_copy(struct reply_orig *o, char **errstr)
{
	const char *tmp = getenv("TMPDIR");

	o->copydir = util_strf("%s/pigeon-fwd-XXXXXX", tmp != NULL &&
	    *tmp == '/' ? tmp : "/tmp");
	if (o->copydir == NULL)
		return ERR_NOMEM;
	if (mkdtemp(o->copydir) == NULL) {
		util_seterr(errstr, _("cannot make a directory for the "
		    "forwarded message: %s"), strerror(errno));
		free(o->copydir);
		o->copydir = NULL;
		return ERR_IO;
	}
	if ((o->copy = util_strf("%s/message.eml", o->copydir)) == NULL)
		return ERR_NOMEM;
	o->copy_fd = open(o->copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (o->copy_fd < 0) {
		util_seterr(errstr, _("cannot write %s: %s"), o->copy,
		    strerror(errno));
		free(o->copy);
		o->copy = NULL;
		return ERR_IO;
	}
	return ERR_OK;
}

enum err
forward_write_copy(struct reply_orig *o, const char *b, size_t n, char **errstr)
{
	ssize_t w;

	while (n > 0) {
		w = write(o->copy_fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			util_seterr(errstr, _("cannot write %s: %s"), o->copy,
			    strerror(errno));
			return ERR_IO;
		}
		b += w;
		n -= (size_t)w;
	}
	return ERR_OK;
}

/* A decoded address field for the forwarded block ("" when absent). */
static int
add_shown(struct buf *b, const char *label, const char *raw)
{
	size_t mark = b->len;

	if (raw == NULL)
		return 0;
	if (buf_printf(b, "%s: ", label) < 0 ||
	    rfc822_decode_words(b, raw, strlen(raw)) < 0 ||
	    buf_addch(b, '\n') < 0) {
		buf_truncate(b, mark);
		return -1;
	}
	return 0;
}

/* The forwarded block of an inline forward: the original's main fields and its text. */
enum err
forward_block(const struct reply_orig *o, struct buf *b)
{
	/* L10N: protocol-like header names stay as they are. */
	if (buf_addstr(b, "---------- Forwarded message ----------\n") < 0 ||
	    add_shown(b, "From", o->from) < 0 ||
	    (o->date != NULL && buf_printf(b, "Date: %s\n", o->date) < 0) ||
	    (o->subject != NULL &&
	    buf_printf(b, "Subject: %s\n", o->subject) < 0) ||
	    add_shown(b, "To", o->to) < 0 || add_shown(b, "Cc", o->cc) < 0 ||
	    buf_addch(b, '\n') < 0 ||
	    buf_add(b, buf_str(&o->text), o->text.len) < 0 ||
	    (o->text.len > 0 && o->text.data[o->text.len - 1] != '\n' &&
	    buf_addch(b, '\n') < 0))
		return ERR_NOMEM;
	return ERR_OK;
}

/* Forwarded as an attachment: the file, or the private copy (then d's). */
enum err
forward_attach_orig(struct reply_orig *o, struct draft *d, char **errstr)
{
	enum err e;

	/* Named for the recipient, not as a Maildir names its files. */
	if (o->path != NULL)
		return draft_attach(d, o->path, "forwarded.eml", NULL, 0, 1);
	if (o->copy == NULL) {
		util_seterr(errstr, _("a message read from a pipe is forwarded "
		    "inline only"));
		return ERR_USAGE;
	}
	if (d->attdir != NULL) {
		/* The draft has a directory of its own already: move it there. */
		char *to = util_strf("%s/forwarded-%ld.eml", d->attdir,
		    (long)getpid());

		if (to == NULL)
			return ERR_NOMEM;
		if (rename(o->copy, to) < 0) {
			util_seterr(errstr, _("cannot move %s: %s"), o->copy,
			    strerror(errno));
			free(to);
			return ERR_IO;
		}
		free(o->copy);
		o->copy = to;
	} else {
		d->attdir = o->copydir;
		o->copydir = NULL;
	}
	if ((e = draft_attach(d, o->copy, "forwarded.eml", NULL, 0, 1)) !=
	    ERR_OK)
		return e;
	d->att[d->natt - 1].owned = 1;
	free(o->copy);
	o->copy = NULL;
	return ERR_OK;
}
