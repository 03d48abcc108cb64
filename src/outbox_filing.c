/* outbox_filing.c - an attempt filed: a sent message moved to sent/ with its record in log/, a queued or failed one saved, and its summary in the connection's log. */
/* SPDX-License-Identifier: ISC */
#include "outbox_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "safefile.h"
#include "smtpdoc.h"
#include "util.h"

/* Write all of p[0..n) to fd at offset off; 0 or -1 (errno). */
static int
pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* s on one line: newlines and other control characters as spaces. */
static int
add_line(struct buf *b, const char *s)
{
	size_t len = b->len;

	for (; s != NULL && *s != '\0'; s++)
		if (buf_addch(b, (unsigned char)*s < 0x20 ? ' ' : *s) < 0) {
			buf_truncate(b, len);
			return -1;
		}
	return 0;
}

/* A reply on one line, with what its status code means (smtpdoc.h). */
static int
add_explained(struct buf *b, const char *reply)
{
	char *said = smtpdoc_explained(reply);
	int rc;

	if (said == NULL)
		return -1;
	rc = add_line(b, said);
	free(said);
	return rc;
}

/* t as local time for a person ("2026-12-05 18:40"), not epoch seconds. */
static void
local_time(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
		(void)snprintf(out, len, "%lld", (long long)t);
}

/* What became of the message and of each recipient, for the log. */
static int
summary(const struct qentry *e, enum outbox_outcome oc, struct buf *b)
{
	char when[64];
	size_t i;
	const struct qrcpt *q;

	if (buf_printf(b, "== %s: ", e->id) < 0)
		return -1;
	switch (oc) {
	case OUTCOME_SENT:
	case OUTCOME_PARTIAL:
		/*
		 * The summary goes into the log for a person (pigeon queue
		 * log, the UI's pager); no program reads it back, so it is
		 * translated.  The "== " marks stay as they are.
		 */
		if (buf_addstr(b, e->uncertain ? _("filed as sent (delivery "
		    "was uncertain once)") : _("filed as sent")) < 0)
			return -1;
		break;
	case OUTCOME_QUEUED:
		local_time(when, sizeof(when), e->next_try);
		if (buf_printf(b, _("stays queued, attempt %u, next try %s: "),
		    e->attempts, when) < 0 || add_line(b, e->last_error) < 0)
			return -1;
		break;
	case OUTCOME_FAILED:
		if (buf_addstr(b, _("failed: ")) < 0 ||
		    add_line(b, e->last_error) < 0)
			return -1;
		break;
	}
	if (buf_addch(b, '\n') < 0)
		return -1;
	for (i = 0; i < e->nrcpts; i++) {
		q = &e->rcpts[i];
		if (buf_printf(b, "== %s <%s>", q->state == QRCPT_DONE ?
		    _("delivered to") : q->state == QRCPT_FAILED ?
		    _("refused:") : _("not sent to yet:"), q->addr) < 0 ||
		    (q->state != QRCPT_DONE && q->reply != NULL &&
		    (buf_addch(b, ' ') < 0 || add_explained(b, q->reply) < 0)) ||
		    buf_addch(b, '\n') < 0)
			return -1;
	}
	if (e->queue_id != NULL && (oc == OUTCOME_SENT ||
	    oc == OUTCOME_PARTIAL) &&
	    (buf_addstr(b, "== ") < 0 || buf_printf(b, _("server queue id: "
	    "%s"), e->queue_id) < 0 || buf_addch(b, '\n') < 0))
		return -1;
	return 0;
}

/* An attempt's summary in its connection's log and its line in log/index. */
static void
note(struct outbox *ob, const struct qentry *e, enum outbox_outcome oc,
    struct qlog_conn *lg, uint64_t from)
{
	struct buf b;

	if (lg == NULL)
		return;
	buf_init(&b, ENV_MAX);
	/* In a batch, with the syncs; else now. */
	if (summary(e, oc, &b) == 0)
		qlog_note(lg, e->id, buf_str(&b), b.len, from, ob->batch);
	buf_free(&b);
}

/*
 * A sent message: to sent/ (unless a stopped run did that already: the
 * mark that it was sent), then its envelope to log/ with the final state.
 * The envelope is moved, not written anew: a new file costs more than
 * all the rest here, and a freed one too.
 */
static enum err
file_sent(struct outbox *ob, const struct qentry *e, int moved,
    char **errstr)
{
	char *name = NULL, *q = NULL, *l = NULL;
	struct buf b;
	enum err r = ERR_OK, oe;
	int fd, copy;

	if (!moved && (r = maildir_move(ob->md[OUTBOX_OUTBOX], e->id,
	    ob->md[OUTBOX_SENT], "S", errstr)) != ERR_OK) {
		char *path = NULL;

		/*
		 * Sent to some recipients before, so in sent/ already: the
		 * copy in outbox/ goes, which is the mark this time.
		 */
		if (maildir_find(ob->md[OUTBOX_SENT], e->id, &path, NULL) !=
		    ERR_OK)
			return r;
		free(path);
		if (errstr != NULL) {
			free(*errstr);
			*errstr = NULL;
		}
		if ((r = maildir_remove(ob->md[OUTBOX_OUTBOX], e->id,
		    errstr)) != ERR_OK)
			return r;
	}
	if ((name = outbox_qname(e->id, "env")) == NULL ||
	    (q = outbox_qpath(ob, 0, e->id, "env")) == NULL ||
	    (l = outbox_qpath(ob, 1, e->id, "env")) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	/*
	 * The state folder (log/) may be on another file system than the
	 * data folder (queue/): then the record is written there anew and
	 * the envelope removed after it.  A crash in between leaves the
	 * envelope with its message in sent/, which the next flush files.
	 */
	copy = renameat(ob->qfd, name, ob->lfd, name) < 0;
	if (copy && errno != EXDEV) {
		/* Sent all the same; the next flush finishes this. */
		r = outbox_sys_err(errstr, _("move"), q);
		goto out;
	}
	/*
	 * The record in place, no new file; should a crash cut it short, the
	 * message is in sent/ anyway and the record is reported as damaged.
	 * Moved, it is the envelope this flush read through safefile (a
	 * regular file of ours: a rename moves the entry, never what a link
	 * points to), so it is opened as it is: three system calls less per
	 * message than safefile_open().  O_NOFOLLOW and O_NONBLOCK still
	 * refuse a link or a FIFO that could have taken its place.  Not
	 * O_TRUNC: on ext4 a file cut to nothing and written again is
	 * flushed at its close (auto_da_alloc), which made a flush of 1,000
	 * twice as slow; cut to its new length it is not.
	 */
	buf_init(&b, ENV_MAX);
	if (qentry_format(e, &b) == 0 && (copy ? (fd = safefile_open(ob->lfd,
	    name, l, O_WRONLY | O_CREAT | O_TRUNC, &oe, NULL)) :
	    (fd = openat(ob->lfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY))) >= 0) {
		/* Shorter than before (or not known): cut the rest off. */
		if (pwrite_all(fd, buf_str(&b), b.len, 0) < 0 ||
		    ((e->file_size == 0 || b.len < e->file_size) &&
		    ftruncate(fd, (off_t)b.len) < 0))
			r = outbox_sys_err(errstr, _("write"), l);
		if (copy && r == ERR_OK && fsync(fd) < 0)
			r = outbox_sys_err(errstr, _("write"), l);
		(void)close(fd);
	} else if (copy) {
		r = outbox_sys_err(errstr, _("write"), l);
	}
	buf_free(&b);
	if (copy && r == ERR_OK && (outbox_fsync_dir(ob->lfd, ob->logdir,
	    errstr) != ERR_OK || unlinkat(ob->qfd, name, 0) < 0))
		r = outbox_sys_err(errstr, _("remove"), q);
	if (r == ERR_OK)
		r = outbox_batch_sync(ob, errstr);
out:
	free(name);
	free(q);
	free(l);
	return r;
}

enum err
outbox_recover(struct outbox *ob, const struct qentry *e, char **errstr)
{
	if (e->state != QENTRY_SENT)
		return ERR_OK;
	return file_sent(ob, e, outbox_was_sent(ob, e->id), errstr);
}

enum err
outbox_file(struct outbox *ob, struct qentry *e, enum outbox_outcome oc,
    struct qlog_conn *lg, uint64_t from, char **errstr)
{
	enum err res;
	size_t i;

	switch (oc) {
	case OUTCOME_SENT:
	case OUTCOME_PARTIAL:
		res = file_sent(ob, e, 0, errstr);
		break;
	case OUTCOME_QUEUED:
		res = outbox_save(ob, e, errstr);
		/* Delivered to some: filed in sent/ for them, queued for the rest. */
		for (i = 0; i < e->nrcpts && res == ERR_OK; i++)
			if (e->rcpts[i].state == QRCPT_DONE) {
				res = maildir_link(ob->md[OUTBOX_OUTBOX], e->id,
				    ob->md[OUTBOX_SENT], "S", errstr);
				break;
			}
		break;
	default:
		if ((res = outbox_save(ob, e, errstr)) == ERR_OK)
			res = maildir_move(ob->md[OUTBOX_OUTBOX], e->id,
			    ob->md[OUTBOX_FAILED], "", errstr);
		break;
	}
	note(ob, e, oc, lg, from);
	return res;
}

enum err
outbox_record(struct outbox *ob, struct qentry *e,
    const struct smtp_result *r, enum err err, const char *why,
    struct qlog_conn *lg, uint64_t from, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome, char **errstr)
{
	enum err res = outbox_assess(e, r, err, why, now, lifetime, outcome);

	if (res != ERR_OK)
		return res;
	return outbox_file(ob, e, *outcome, lg, from, errstr);
}
