/* sending.c - delivery in the interactive UI: pipelines driven by the one loop, any number at once, their events on the status line, the undo window. */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <unistd.h>

#include "app.h"
#include "rfc822.h"
#include "i18n.h"
#include "util.h"
#include "when.h"
#include "compose.h"
#include "sending.h"

int
sending_busy(const struct app *a)
{
	return a->snd != NULL;
}

/* "14:05" */
static void
hhmm(char *b, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(b, len, "%H:%M", &tm) ==
	    0)
		(void)snprintf(b, len, "?");
}

/*
 * A queued message as the user knows it: "'Subject' to bob@example.org"
 * from its header and envelope, not its file name.
 */
static char *
describe(struct app *a, const struct qentry *q)
{
	static const enum outbox_folder where[] = {
		OUTBOX_OUTBOX, OUTBOX_FAILED, OUTBOX_SENT,
	};
	char head[8192], *subject = NULL, *r;
	ssize_t n;
	size_t k;
	int fd;

	/* Still queued, or filed already (sent, failed). */
	for (k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
		if (maildir_open_msg(outbox_folder(a->ob, where[k]), q->id, &fd,
		    NULL) != ERR_OK)
			continue;
		if ((n = read(fd, head, sizeof(head))) > 0)
			subject = rfc822_get_text(head, (size_t)n, "Subject");
		(void)close(fd);
		break;
	}
	if (q->nrcpts > 1)
		r = util_strf(P_("'%s' to %s and %zu more", "'%s' to %s and %zu "
		    "more", q->nrcpts - 1), subject != NULL ? subject :
		    _("(no subject)"), q->rcpts[0].addr, q->nrcpts - 1);
	else
		r = util_strf(_("'%s' to %s"), subject != NULL ? subject :
		    _("(no subject)"), q->nrcpts > 0 ? q->rcpts[0].addr : "?");
	free(subject);
	return r;
}

/* The pipeline's events on the status line (the transcript goes to the pane). */
static void
on_event(void *arg, const struct submit_event *ev)
{
	struct sending *sn = arg;
	struct app *a = sn->a;
	const struct qentry *q = ev->q;
	const char *why, *w;
	char next[16];

	/* Named once per message, by what the user knows. */
	if (q != NULL && (sn->what_id == NULL || strcmp(sn->what_id, q->id) !=
	    0)) {
		free(sn->what);
		free(sn->what_id);
		sn->what = describe(a, q);
		sn->what_id = strdup(q->id);
	}
	w = sn->what != NULL ? sn->what : q != NULL ? q->id : "?";
	switch (ev->kind) {
	case SUBMIT_SENDING:
		sn->t0 = util_now_us();
		app_status(a, TUI_NORMAL, _("sending %s... (C-g: stop; it stays "
		    "queued)"), w);
		break;
	case SUBMIT_FILED:
		sn->filed++;
		/* Offered on the trust screen when the pipeline is over. */
		if (ev->err == ERR_TLS_VERIFY && !sn->flush && sn->pin == NULL &&
		    sn->untrusted == NULL && !ev->io && !ev->dropped)
			sn->untrusted = strdup(q->id);
		why = q->last_error != NULL ? q->last_error : err_str(ev->err);
		if (ev->io) {
			app_status(a, TUI_ERROR, _("the result could not be "
			    "filed: %s"), ev->text != NULL ? ev->text : "?");
			break;
		}
		switch (ev->outcome) {
		case OUTCOME_SENT:
			app_status(a, TUI_NORMAL, _("sent %s%s%s%s"), w,
			    q->queue_id != NULL ? _(" (server queue id ") : "",
			    q->queue_id != NULL ? q->queue_id : "",
			    q->queue_id != NULL ? ")" : "");
			break;
		case OUTCOME_PARTIAL:
			app_status(a, TUI_ERROR, _("sent %s, but some recipients "
			    "were refused (see the transcript)"), w);
			break;
		case OUTCOME_QUEUED:
			sn->queued++;
			hhmm(next, sizeof(next), q->next_try);
			app_status(a, TUI_ERROR, _("queued, not sent yet: %s: %s; "
			    "next try at %s"), w, why, next);
			break;
		case OUTCOME_FAILED:
			sn->failed++;
			app_status(a, TUI_ERROR, _("failed, in the failed folder: "
			    "%s: %s"), w, why);
			break;
		}
		break;
	case SUBMIT_PROBLEM:
		app_status(a, TUI_ERROR, "%s", ev->text != NULL ? ev->text : "?");
		break;
	case SUBMIT_DONE:
		/* A flush of many: one line for all. */
		if (sn->flush && sn->filed > 1)
			app_status(a, sn->queued + sn->failed > 0 ? TUI_ERROR :
			    TUI_NORMAL, _("the queue: %zu sent, %zu still queued, "
			    "%zu failed"), sn->filed - sn->queued - sn->failed,
			    sn->queued, sn->failed);
		break;
	default:
		break;
	}
}

/* Take sn off the list and free it: what is not filed stays queued. */
static void
sending_end(struct app *a, struct sending *sn)
{
	struct sending **p;

	loop_remove(a, sn);
	for (p = &a->snd; *p != NULL; p = &(*p)->next)
		if (*p == sn) {
			*p = sn->next;
			break;
		}
	submit_free(sn->sub);
	if (sn->has_item)
		outbox_release(a->ob, &sn->it);
	free(sn->what);
	free(sn->untrusted);
	free(sn->pin);
	free(sn);
}

/* The last send is over: the account takes what was written to it meanwhile. */
static void
ended(struct app *a)
{
	/* Sent, filed, queued again: when the next one comes due may differ. */
	sending_due_changed(a);
	if (a->snd == NULL && a->account_stale) {
		a->account_stale = 0;
		if (app_use_account(a, a->account) < 0)
			app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
			    a->account_error : "?");
	}
	folders_reload(a);
}

static int
src_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct sending *sn = arg;

	(void)a;
	return submit_pollfd(sn->sub, p);
}

static void
src_step(struct app *a, void *arg, short revents)
{
	struct sending *sn = arg;

	submit_step(sn->sub, revents);
	if (submit_done(sn->sub)) {
		sending_offer_trust(a, sn);
		sending_end(a, sn);
		ended(a);
	}
}

static const struct source_ops sending_source = { src_pollfd, src_step };

int
sending_start(struct app *a, struct sending *sn, struct qentry *v, size_t n,
    int lock)
{
	struct submit_opts so;

	memset(&so, 0, sizeof(so));
	so.rt = sn->pin != NULL ? &sn->rt : &a->c.rt;
	so.lock = lock;
	so.event = on_event;
	so.arg = sn;
	sn->a = a;
	pane_follow(a);
	if (loop_add(a, &sending_source, sn) < 0 || submit_new(&sn->sub, a->ob,
	    &so, a->c.tr, v, n) != ERR_OK) {
		loop_remove(a, sn);
		if (sn->has_item)
			outbox_release(a->ob, &sn->it);
		free(sn->pin);
		free(sn);
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		return -1;
	}
	sn->next = a->snd;
	a->snd = sn;
	/* It may be over already (no connection at all). */
	if (submit_done(sn->sub)) {
		sending_end(a, sn);
		ended(a);
	}
	return 0;
}

void
sending_undo_go(struct app *a)
{
	struct sending *sn = a->undo;
	struct qentry q;
	char *why = NULL;
	enum err e;

	if (sn == NULL)
		return;
	a->undo = NULL;
	loop_remove(a, sn);
	a->redraw = 1;
	/* Its lock is still ours: it may go now, and it goes. */
	if ((e = outbox_release_hold(a->ob, sn->what_id, (int64_t)time(NULL),
	    &why)) != ERR_OK && e != ERR_NOINPUT) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
	} else if ((e = outbox_load(a->ob, sn->what_id, &q, &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
	} else if (a->c.acct == NULL || (q.account != NULL &&
	    strcmp(q.account, a->c.acct->name) != 0)) {
		/* Another account is in use now (f): the queue sends it. */
		app_status(a, TUI_ERROR, _("%s is queued for account %s; "
		    "'pigeon queue retry %s' sends it"), sn->what_id,
		    q.account != NULL ? q.account : "-", sn->what_id);
		qentry_free(&q);
	} else {
		free(sn->what_id);
		sn->what_id = NULL;
		free(sn->what);
		sn->what = NULL;
		(void)sending_start(a, sn, &q, 1, 0);
		qentry_free(&q);
		return;
	}
	/* Not sent now: it stays queued, held no longer than it was. */
	outbox_release(a->ob, &sn->it);
	free(sn->what);
	free(sn->what_id);
	free(sn);
}

static int
undo_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct sending *sn = arg;
	int64_t left = sn->undo_until_us - util_now_us();

	(void)a;
	(void)p;
	/* Once a second for the countdown on the status line. */
	if (left <= 0)
		return 0;
	return left > 1000000 ? 1000 : (int)(left / 1000) + 1;
}

static void
undo_step(struct app *a, void *arg, short revents)
{
	struct sending *sn = arg;

	(void)revents;
	if (util_now_us() >= sn->undo_until_us)
		sending_undo_go(a);
}

static const struct source_ops undo_source = { undo_pollfd, undo_step };

int
sending_draw_undo(struct app *a, int y)
{
	struct sending *sn = a->undo;
	int64_t left;
	char line[512];

	if (sn == NULL)
		return 0;
	left = (sn->undo_until_us - util_now_us() + 999999) / 1000000;
	(void)snprintf(line, sizeof(line), _("sending %s in %lld s -- u: undo "
	    "(back to the composer)"), sn->what != NULL ? sn->what : "?",
	    (long long)(left > 0 ? left : 0));
	(void)tui_str_cut(y, 0, tui_cols(), line, TUI_INFO);
	return 1;
}

void
sending_undo(struct app *a)
{
	struct sending *sn = a->undo;
	struct compose *cm;
	char *why = NULL;
	enum err e;

	if (sn == NULL) {
		app_status(a, TUI_NORMAL, _("nothing to undo: no send is "
		    "waiting (send_delay in pigeon.conf(5))"));
		return;
	}
	/* What is being written meanwhile is kept as a draft first. */
	if ((cm = compose_find(a)) != NULL) {
		if (compose_postpone(a, cm, 0) < 0)
			return;
		compose_close(a, cm);
	}
	a->undo = NULL;
	loop_remove(a, sn);
	compose_open(a, OUTBOX_OUTBOX, NULL, sn->what_id);
	if (compose_find(a) == NULL) {
		/* It could not be opened: it goes after all (the error shows). */
		a->undo = sn;
		sending_undo_go(a);
		return;
	}
	if ((e = outbox_remove(a->ob, sn->what_id, &why)) != ERR_OK)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	else
		app_status(a, TUI_NORMAL, _("not sent: %s is back in the "
		    "composer"), sn->what != NULL ? sn->what : sn->what_id);
	free(why);
	outbox_release(a->ob, &sn->it);
	free(sn->what);
	free(sn->what_id);
	free(sn);
	folders_reload(a);
}

/* The user's message q (its item sn->it locked) waits delay seconds. */
static int
undo_wait(struct app *a, struct sending *sn, struct qentry *q, int delay)
{
	sn->a = a;
	sn->undo_until_us = util_now_us() + (int64_t)delay * 1000000;
	if ((sn->what_id = strdup(q->id)) == NULL ||
	    loop_add(a, &undo_source, sn) < 0) {
		/* No window after all: it goes at once. */
		free(sn->what_id);
		sn->what_id = NULL;
		(void)outbox_release_hold(a->ob, q->id, (int64_t)time(NULL),
		    NULL);
		return sending_start(a, sn, q, 1, 0);
	}
	sn->what = describe(a, q);
	a->undo = sn;
	a->redraw = 1;
	qentry_free(q);
	folders_reload(a);
	return 0;
}

/* Send later: q is in the outbox, held until its time. */
static int
held(struct app *a, struct sending *sn, struct qentry *q)
{
	char when[64];

	when_format(q->not_before, when, sizeof(when));
	app_status(a, TUI_NORMAL, _("queued: held until %s (r on the outbox "
	    "sends it now, e makes a new message of it)"), when);
	outbox_release(a->ob, &sn->it);
	qentry_free(q);
	free(sn);
	folders_reload(a);
	return 0;
}

int
sending_start_message(struct app *a, const struct draft_built *b,
    const struct draft *d, int64_t at)
{
	struct sending *sn;
	struct submit_env env;
	struct qentry q;
	char *why = NULL;
	enum err e;
	int delay = 0;

	if (app_account_usable(a) < 0)
		return -1;
	/* One undo window at a time: the one before goes now. */
	sending_undo_go(a);
	if ((sn = calloc(1, sizeof(*sn))) == NULL)
		return -1;
	qentry_init(&q);
	memset(&env, 0, sizeof(env));
	env.account = d->account != NULL ? d->account : a->c.acct->name;
	env.server = a->c.server;
	env.from = b->from.v[0].spec;
	env.rcpts = b->rcpts;
	env.nrcpts = b->nrcpts;
	env.dsn_notify = a->c.acct->dsn_notify;
	env.dsn_ret = a->c.acct->dsn_return;
	env.chunking = a->c.chunking;
	/*
	 * Send later, or the undo window: held in the outbox, so that no
	 * flush (the timer's, another pigeon's) sends it before its time,
	 * and a crash or a quit meanwhile loses nothing.
	 */
	if (at == 0 && a->c.acct != NULL)
		delay = a->c.acct->send_delay;
	env.not_before = at != 0 ? at : delay > 0 ? (int64_t)time(NULL) +
	    delay : 0;
	/* Into the outbox, on disk before any network I/O; 8bit where it helps. */
	if ((e = submit_queue_built(a->ob, b, &env, 0, &sn->it, &q, &why)) !=
	    ERR_OK) {
		app_status(a, TUI_ERROR, _("the message could not be put in the "
		    "outbox: %s"), why != NULL ? why : err_str(e));
		free(why);
		qentry_free(&q);
		free(sn);
		return -1;
	}
	sn->has_item = 1;
	if (at != 0)
		return held(a, sn, &q);
	/*
	 * Queued: nothing is lost now.  Without the password (its command
	 * fails) it waits there, and the user is told why.
	 */
	if (app_secret(a) < 0) {
		outbox_release(a->ob, &sn->it);
		qentry_free(&q);
		free(sn);
		app_status(a, TUI_ERROR, _("queued, not sent yet: %s; it goes out "
		    "once the account works (A tests it)"), a->account_error !=
		    NULL ? a->account_error : _("no password"));
		return 0;
	}
	if (delay > 0)
		return undo_wait(a, sn, &q, delay);
	return sending_start(a, sn, &q, 1, 0);
}

void
sending_stop(struct app *a)
{
	struct sending *sn, *next;

	for (sn = a->snd; sn != NULL; sn = next) {
		next = sn->next;
		submit_stop(sn->sub);
		if (submit_done(sn->sub))
			sending_end(a, sn);
	}
	ended(a);
}

void
sending_free_all(struct app *a)
{
	struct sending *sn = a->undo;

	/* In its undo window: it stays in the outbox, held a few seconds more. */
	if (sn != NULL) {
		a->undo = NULL;
		loop_remove(a, sn);
		outbox_release(a->ob, &sn->it);
		free(sn->what);
		free(sn->what_id);
		free(sn);
	}
	/* What is not filed yet stays queued: nothing is lost. */
	while (a->snd != NULL)
		sending_end(a, a->snd);
	sending_due_close(a);
}

void
sending_draw_progress(struct app *a, int y)
{
	const struct qentry *q;
	uint64_t done = 0, total = 0;
	char line[256], bar[41], d[32], t[32], r[32];
	double secs;
	int filled, i, x;

	struct sending *sn;

	/* The one on the wire. */
	for (sn = a->snd; sn != NULL && sn->t0 == 0; sn = sn->next)
		;
	if (sn == NULL || !submit_progress(sn->sub, &q, &done, &total))
		return;
	/* Only what is known: no "0.0 of 0.0 MB", no rate before a second. */
	util_human_size(d, sizeof(d), done);
	util_human_size(t, sizeof(t), total);
	secs = (double)(util_now_us() - sn->t0) / 1e6;
	if (total == 0)
		(void)snprintf(line, sizeof(line), _("sending: %s sent "), d);
	else if (done == 0 || secs < 1.0)
		(void)snprintf(line, sizeof(line), _("sending: %s of %s "), d,
		    t);
	else {
		util_human_size(r, sizeof(r), (unsigned long long)
		    ((double)done / secs));
		(void)snprintf(line, sizeof(line), _("sending: %s of %s, "
		    "%s/s "), d, t, r);
	}
	x = tui_str(y, 0, tui_cols(), line, TUI_NORMAL);
	if (total == 0)
		return;
	filled = (int)((double)done * 40.0 / (double)total);
	for (i = 0; i < 40; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[40] = '\0';
	(void)tui_str(y, x, tui_cols() - x, bar, TUI_INFO);
}
