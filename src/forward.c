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
	if (util_write_all(o->copy_fd, b, n) == 0)
		return ERR_OK;
	util_seterr(errstr, _("cannot write %s: %s"), o->copy, strerror(errno));
	return ERR_IO;
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

/* --- the attachments of an inline forward ----------------------------------- */

int
forward_att_wanted(const struct mimewalk_part *p)
{
	if (p->multipart)
		return 0;
	if (strncmp(p->type, "text/", 5) == 0 && !p->attachment)
		return 0;
	if (strcmp(p->parent, "multipart/signed") == 0 &&
	    (strcmp(p->type, "application/pgp-signature") == 0 ||
	    strcmp(p->type, "application/pkcs7-signature") == 0 ||
	    strcmp(p->type, "application/x-pkcs7-signature") == 0))
		return 0;
	if (strcmp(p->parent, "multipart/encrypted") == 0 &&
	    strcmp(p->type, "application/pgp-encrypted") == 0)
		return 0;
	return 1;
}

/* The length of s cut to at most max bytes at a UTF-8 character's edge. */
static size_t
utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

char *
forward_att_name(const char *name, int *nomem)
{
	const char *base, *ext;
	size_t n, keep, elen;
	struct buf b;
	char *r = NULL;

	*nomem = 0;
	if (name == NULL)
		return NULL;
	/* A name is no path: "../../x", "C:\dir\x" leave "x". */
	for (base = name; (ext = strpbrk(base, "/\\")) != NULL; base = ext + 1)
		;
	buf_init(&b, strlen(base) + 16);
	for (; *base != '\0'; base++)
		if ((unsigned char)*base >= 0x20 && *base != 0x7f &&
		    buf_addch(&b, *base) < 0) {
			*nomem = 1;
			goto out;
		}
	n = b.len;
	if (n == 0 || strcmp(buf_str(&b), ".") == 0 ||
	    strcmp(buf_str(&b), "..") == 0)
		goto out;
	if (n > FORWARD_NAME_MAX) {
		/* Long: the start and the extension, so the type still shows. */
		ext = strrchr(buf_str(&b), '.');
		elen = ext != NULL && (size_t)(b.data + n - ext) <= 16 ?
		    (size_t)(b.data + n - ext) : 0;
		keep = utf8_cut(buf_str(&b), n, FORWARD_NAME_MAX - elen);
		memmove(b.data + keep, b.data + n - elen, elen);
		buf_truncate(&b, keep + elen);
	}
	if ((r = strdup(buf_str(&b))) == NULL)
		*nomem = 1;
out:
	buf_free(&b);
	return r;
}

/* Keep the first error met while copying; the walk stops. */
static void
att_fail(struct reply_orig *o, enum err e, const char *why)
{
	if (o->att_err != ERR_OK)
		return;
	o->att_err = e;
	if (why != NULL)
		o->att_why = strdup(why);
}

enum mimewalk_want
forward_att_begin(struct reply_orig *o, const struct mimewalk_part *p)
{
	struct draft *d = o->att;
	int message = strcmp(p->type, "message/rfc822") == 0, nomem;
	char *path = NULL, *why = NULL, *name;
	enum err e = ERR_OK;

	name = forward_att_name(p->name, &nomem);
	if (nomem) {
		att_fail(o, ERR_NOMEM, NULL);
		return MIMEWALK_STOP;
	}
	if ((o->att_fd = draft_copy_open(d, name, p->number, &path, &e,
	    &why)) < 0) {
		att_fail(o, e, why);
		goto fail;
	}
	/* A message goes whole, as message/rfc822; the others with their type. */
	if ((e = draft_attach(d, path, name, message ? NULL : p->type,
	    p->disp_inline, message)) != ERR_OK) {
		att_fail(o, e, NULL);
		(void)close(o->att_fd);
		o->att_fd = -1;
		(void)unlink(path);
		goto fail;
	}
	d->att[d->natt - 1].owned = 1;
	d->att[d->natt - 1].desc = rfc822_get_text(p->header, p->headerlen,
	    "Content-Description");
	free(path);
	free(name);
	o->into = INTO_FILE;
	return MIMEWALK_DECODE;
fail:
	free(why);
	free(path);
	free(name);
	return MIMEWALK_STOP;
}

int
forward_att_data(struct reply_orig *o, const char *b, size_t n)
{
	char *why;

	if (util_write_all(o->att_fd, b, n) == 0)
		return 0;
	why = util_strf(_("cannot write a copy of an attachment: %s"),
	    strerror(errno));
	att_fail(o, why != NULL ? ERR_IO : ERR_NOMEM, why);
	free(why);
	return -1;
}

void
forward_att_end(struct reply_orig *o)
{
	char *why;

	if (o->att_fd < 0)
		return;
	if (close(o->att_fd) < 0) {
		why = util_strf(_("cannot write a copy of an attachment: %s"),
		    strerror(errno));
		att_fail(o, why != NULL ? ERR_IO : ERR_NOMEM, why);
		free(why);
	}
	o->att_fd = -1;
}

/* Move attachment a's file into d's directory; d then owns it. */
static enum err
move_att(struct draft_att *a, struct draft *d, char **errstr)
{
	char *to = NULL;
	enum err e = ERR_OK;
	int fd;

	/* The name is taken first, so that no file of d's is replaced. */
	if ((fd = draft_copy_open(d, a->name, (unsigned)d->natt + 1, &to, &e,
	    errstr)) < 0)
		return e;
	(void)close(fd);
	if (rename(a->path, to) < 0) {
		util_seterr(errstr, _("cannot move %s: %s"), a->path,
		    strerror(errno));
		(void)unlink(to);
		free(to);
		return ERR_IO;
	}
	free(a->path);
	a->path = to;
	return ERR_OK;
}

enum err
forward_take_atts(struct reply_orig *o, struct draft *d, char **errstr)
{
	struct draft *h = o->att;
	struct draft_att *v;
	enum err e;
	size_t i;

	if (h == NULL || h->natt == 0)
		return ERR_OK;
	if (d->attdir == NULL) {
		/* Their directory becomes the draft's. */
		d->attdir = h->attdir;
		h->attdir = NULL;
	}
	if ((v = realloc(d->att, (d->natt + h->natt) * sizeof(*v))) == NULL)
		return ERR_NOMEM;
	d->att = v;
	for (i = 0; i < h->natt; i++) {
		if (h->attdir != NULL &&
		    (e = move_att(&h->att[i], d, errstr)) != ERR_OK)
			return e;
		/* The entry changes hands whole: path, name, type, description. */
		d->att[d->natt++] = h->att[i];
		memset(&h->att[i], 0, sizeof(h->att[i]));
	}
	h->natt = 0;
	return ERR_OK;
}
