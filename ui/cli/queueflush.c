/* queueflush.c - flushing the queue: the messages read, grouped by route, and each group sent over one connection. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "i18n.h"
#include "outbox.h"
#include "queueflush.h"
#include "submit.h"
#include "when.h"

/*
 * Same account and server: one connection.  With one_server (--server
 * given to the flush) every message goes there: the account decides.
 */
static int
same_route(const struct qentry *a, const struct qentry *b, int one_server)
{
	return ((a->account == NULL && b->account == NULL) ||
	    (a->account != NULL && b->account != NULL &&
	    strcmp(a->account, b->account) == 0)) && (one_server ||
	    (a->server == NULL && b->server == NULL) ||
	    (a->server != NULL && b->server != NULL &&
	    strcmp(a->server, b->server) == 0));
}

/* A message a stopped run sent: file it, under its lock. */
static void
finish(struct outbox *ob, const char *id)
{
	struct qentry e;
	char *errstr = NULL;
	int held = 0;

	if (outbox_lock(ob, id, &held, &errstr) == ERR_OK && held) {
		if (outbox_load(ob, id, &e, &errstr) == ERR_OK) {
			e.state = outbox_was_sent(ob, id) ? QENTRY_SENT :
			    e.state;
			if (outbox_recover(ob, &e, &errstr) != ERR_OK)
				cli_warn("%s", errstr != NULL ? errstr : "?");
			qentry_free(&e);
		}
		outbox_unlock(ob, id);
	}
	free(errstr);
}

/* A flush leaves a message held for later: say so, and how to send it now. */
static void
note_held(const struct qentry *e)
{
	char when[64];

	when_format(e->not_before, when, sizeof(when));
	cli_note(_("%s is held until %s: not sent ('pigeon queue retry %s' "
	    "sends it now)"), e->id, when, e->id);
}

/* Deliver v[0..n) of one route (taken over), locking each in turn. */
static int
flush_group(const struct cli *opts, struct outbox *ob, struct qentry *v,
    size_t n, int quiet, int loud)
{
	struct submit_opts so;
	struct cli_report rep;
	struct submit *s = NULL;
	struct cli c = *opts;
	int r;

	c.account_name = v[0].account;
	/* --server on the flush sends them all there; else each its own. */
	if (opts->server == NULL)
		c.server = v[0].server;
	c.chunking |= v[0].chunking;
	if ((r = cli_setup(&c, NULL, 1)) != 0) {
		cli_cleanup(&c);
		return r;
	}
	cli_report_init(&rep, quiet, c.no_queue);
	rep.loud_left = loud;
	memset(&so, 0, sizeof(so));
	so.rt = &c.rt;
	so.lock = 1;
	so.no_queue = c.no_queue;
	so.event = cli_report_event;
	so.arg = &rep;
	if (submit_new(&s, ob, &so, c.tr, v, n) != ERR_OK) {
		cli_cleanup(&c);
		return EX_OSERR;
	}
	submit_run(s);
	submit_free(s);
	r = cli_report_end(&c, &rep, rep.rc);
	cli_cleanup(&c);
	return r;
}

/*
 * Read the entries (all queued ones, those due, or just `only`), group
 * them by route and send each group over one connection.  They are read
 * here without locks; the pipeline locks each in turn and leaves one that
 * another pigeon is sending or has sent.
 */
int
queueflush_some(const struct cli *opts, struct outbox *ob, int due_only,
    const char *account, const char *only, int quiet)
{
	char **ids = NULL, *errstr = NULL;
	size_t n = 0, i, j, ng, found = 0;
	struct qentry *v = NULL, *grp = NULL;
	int *use = NULL, rc = 0, r;
	int64_t now = (int64_t)time(NULL);
	enum err e;

	if (outbox_ids(ob, &ids, &n, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		free(errstr);
		return EX_IOERR;
	}
	v = calloc(n + 1, sizeof(*v));
	use = calloc(n + 1, sizeof(*use));
	grp = calloc(n + 1, sizeof(*grp));
	if (v == NULL || use == NULL || grp == NULL) {
		rc = EX_OSERR;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (only != NULL && strcmp(ids[i], only) != 0)
			continue;
		found++;
		e = outbox_load(ob, ids[i], &v[i], &errstr);
		if (e == ERR_NOINPUT)
			continue;       /* filed as sent while we listed */
		if (e != ERR_OK) {
			cli_warn("%s", errstr != NULL ? errstr : ids[i]);
			/* Refused (a link, another user's): 77; damaged: 65. */
			if (rc == 0 || e == ERR_UNSAFE)
				rc = e == ERR_UNSAFE ? err_exit_code(e) :
				    EX_DATAERR;
			continue;
		}
		if (v[i].state != QENTRY_QUEUED)
			continue;
		if (account != NULL && (v[i].account == NULL ||
		    strcmp(v[i].account, account) != 0))
			continue;
		/* Send later: only a retry sends it before its time. */
		if (only == NULL && qentry_held(&v[i], now)) {
			if (!quiet && !due_only)
				note_held(&v[i]);
			continue;
		}
		if (due_only && qentry_due(&v[i]) > now) {
			/* Not due, but perhaps sent by a run that was stopped. */
			if (outbox_was_sent(ob, ids[i]))
				finish(ob, ids[i]);
			continue;
		}
		use[i] = 1;
	}
	if (only != NULL && found == 0) {
		cli_error(_("no message %s in the queue"), only);
		rc = EX_NOINPUT;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!use[i])
			continue;
		/* grp[0] is v[i] moved: the others are compared with it. */
		for (ng = 0, j = i; j < n; j++)
			if (use[j] && (ng == 0 || same_route(&grp[0], &v[j],
			    opts->server != NULL))) {
				grp[ng++] = v[j];
				qentry_init(&v[j]);
				use[j] = 0;
			}
		r = flush_group(opts, ob, grp, ng, quiet, only != NULL);
		for (j = 0; j < ng; j++)
			qentry_free(&grp[j]);
		if (rc == 0)
			rc = r;
	}
out:
	for (i = 0; i < n && v != NULL; i++)
		qentry_free(&v[i]);
	free(v);
	free(use);
	free(grp);
	maildir_free_list(ids, n);
	free(errstr);
	return rc;
}

int
cli_flush(const struct cli *opts, struct outbox *ob, int due_only,
    const char *account, int quiet)
{
	return queueflush_some(opts, ob, due_only, account, NULL, quiet);
}
