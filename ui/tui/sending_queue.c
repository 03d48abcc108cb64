/* sending_queue.c - the queue in the interactive UI: a message sent again (r, a certificate trusted), due mail looked for and sent. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "i18n.h"
#include "route.h"
#include "util.h"
#include "sending.h"

/*
 * Look for due mail this often while nothing is being sent, whatever the
 * queue is known to hold: the clock may have jumped, a change on disk
 * may have gone unseen (no inotify, a file system without fine times).
 */
#define FLUSH_EVERY_US (60 * 1000000LL)

int
sending_flush_takes(const struct qentry *q, const char *mine)
{
	return q->state == QENTRY_QUEUED && q->server == NULL &&
	    (q->account == NULL || strcmp(q->account, mine) == 0);
}

/* The trust screen's answer for the message id that failed for the certificate. */
static void
trusted(struct app *a, void *arg, enum trust_choice choice,
    const char *fingerprint)
{
	char *id = arg, *why = NULL;
	enum err e;

	if (choice == TRUST_REJECT)
		app_status(a, TUI_ERROR, _("certificate rejected: the message "
		    "is in the failed folder"));
	else if ((e = outbox_requeue(a->ob, id, &why)) != ERR_OK &&
	    e != ERR_NOINPUT)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	else
		/* Failed (or still queued): sent now, with that certificate. */
		sending_retry_with(a, id, fingerprint);
	free(why);
	free(id);
	folders_reload(a);
}

void
sending_offer_trust(struct app *a, struct sending *sn)
{
	const struct tls_peer *p = submit_peer(sn->sub);
	char *id = sn->untrusted;

	if (id == NULL || p == NULL || a->c.acct == NULL)
		return;
	sn->untrusted = NULL;
	trust_open(a, a->c.acct->name, a->c.rt.so.host, a->c.rt.so.port, p,
	    trusted, id);
}

void
sending_retry(struct app *a, const char *id)
{
	sending_retry_with(a, id, NULL);
}

void
sending_retry_with(struct app *a, const char *id, const char *fingerprint)
{
	struct sending *sn;
	struct qentry q;
	char *why = NULL;
	int held = 0;

	/* The one in its undo window: its window ends now. */
	if (a->undo != NULL && strcmp(a->undo->what_id, id) == 0) {
		sending_undo_go(a);
		return;
	}
	if (app_secret(a) < 0)
		return;
	/* Held for later (send later): r sends it now, on purpose. */
	if (outbox_lock(a->ob, id, &held, NULL) == ERR_OK && held) {
		(void)outbox_release_hold(a->ob, id, (int64_t)time(NULL), NULL);
		outbox_unlock(a->ob, id);
	}
	if (outbox_load(a->ob, id, &q, &why) != ERR_OK ||
	    q.state != QENTRY_QUEUED) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    _("it is not queued (see pigeon queue list)"));
		free(why);
		qentry_free(&q);
		return;
	}
	if (q.account != NULL && strcmp(q.account, a->c.acct->name) != 0) {
		app_status(a, TUI_ERROR, _("%s is queued for account %s; "
		    "'pigeon queue retry %s' sends it"), id, q.account, id);
		qentry_free(&q);
		return;
	}
	if ((sn = calloc(1, sizeof(*sn))) == NULL ||
	    (fingerprint != NULL && (sn->pin = strdup(fingerprint)) == NULL)) {
		free(sn);
		qentry_free(&q);
		return;
	}
	/* The account's route but for the pin (its strings stay the account's). */
	if (sn->pin != NULL) {
		sn->rt = a->c.rt;
		sn->rt.so.tls.fingerprint = sn->pin;
	}
	/* The pipeline locks it: another pigeon may be sending it. */
	(void)sending_start(a, sn, &q, 1, 1);
	qentry_free(&q);
}

void
sending_flush_due(struct app *a)
{
	char **ids = NULL;
	size_t n = 0, i, k = 0;
	struct qentry *v;
	struct sending *sn;
	const char *mine, *undo = a->undo != NULL ? a->undo->what_id : NULL;
	int64_t by = (int64_t)time(NULL);

	a->next_flush_us = util_now_us() + FLUSH_EVERY_US;
	sending_due_flushed(a, by);
	if (sending_busy(a) || a->c.acct == NULL || a->c.tr == NULL ||
	    !route_quiet(a->c.acct) || a->account_error != NULL)
		return;
	if (outbox_due(a->ob, by, &ids, &n, NULL) != ERR_OK || n == 0) {
		maildir_free_list(ids, n);
		return;
	}
	/*
	 * Those of the account in use, over its own route; not the one in
	 * its undo window (held until about now, and ours: it goes when the
	 * window ends).
	 */
	mine = a->c.acct->name;
	if ((v = calloc(n, sizeof(*v))) != NULL)
		for (i = 0; i < n; i++) {
			if ((undo != NULL && strcmp(ids[i], undo) == 0) ||
			    outbox_load(a->ob, ids[i], &v[k], NULL) != ERR_OK)
				continue;
			if (sending_flush_takes(&v[k], mine))
				k++;
			else
				qentry_free(&v[k]);
		}
	maildir_free_list(ids, n);
	if (k > 0 && app_secret(a) == 0 &&
	    (sn = calloc(1, sizeof(*sn))) != NULL) {
		sn->flush = 1;
		app_status(a, TUI_NORMAL, P_("sending %zu queued message...",
		    "sending %zu queued messages...", k), k);
		(void)sending_start(a, sn, v, k, 1);
	}
	for (i = 0; i < k; i++)
		qentry_free(&v[i]);
	free(v);
}
