/* outbox_assess.c - an attempt's outcome worked out in memory: each recipient's state from the server's replies, the error to show, retry or give up (outbox_assess()). */
/* SPDX-License-Identifier: ISC */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "smtpdoc.h"
#include "util.h"

/* The server's queue id in a final reply: "queued as X", "id=X". */
static char *
reply_queue_id(const char *text)
{
	const char *p, *q;

	if (text == NULL)
		return NULL;
	if ((p = strstr(text, "queued as ")) != NULL)
		p += 10;
	else if ((p = strstr(text, "id=")) != NULL)
		p += 3;
	else
		return NULL;
	for (q = p; *q != '\0' && *q != ' ' && *q != '\n' && *q != ')' &&
	    *q != ',' && *q != ';' && *q > 0x20 && *q < 0x7f; q++)
		;
	return q > p ? strndup(p, (size_t)(q - p)) : NULL;
}

/*
 * Errors that sending again cannot mend until the user acts: the message
 * fails (failed/, never retried by itself).  A refused login, a
 * certificate that is not trusted, a server without STARTTLS are among
 * them: trying again every few minutes would change nothing.
 */
int
outbox_permanent(enum err e)
{
	return e == ERR_PERMFAIL || e == ERR_NOUSER || e == ERR_TOOBIG ||
	    e == ERR_NOUTF8 || e == ERR_DATA || e == ERR_AUTH ||
	    e == ERR_AUTHREQ || e == ERR_TLS_VERIFY || e == ERR_NOTLS ||
	    e == ERR_PLAINTEXT || e == ERR_NOAUTH;
}

/*
 * The session went well but recipients wait: the first one the server
 * put off, with its reply, is the error ("success" would say nothing).
 * 0 or -1.
 */
static int
put_off(struct qentry *e)
{
	const struct qrcpt *q;
	char code[16];
	size_t i;
	char *t;

	for (i = 0; i < e->nrcpts; i++) {
		q = &e->rcpts[i];
		if (q->state != QRCPT_PENDING)
			continue;
		if (q->code / 100 == 4 && q->reply != NULL) {
			char *said = smtpdoc_explained(q->reply);

			t = said != NULL ? util_strf(_("recipient <%s> put off: "
			    "%s"), q->addr, said) : NULL;
			free(said);
		}
		else if (q->code / 100 == 4 && snprintf(code, sizeof(code),
		    "%d", q->code) > 0)
			t = util_strf(_("recipient <%s> put off: %s"), q->addr,
			    code);
		else
			t = util_strf(_("recipient <%s>: not confirmed by the "
			    "server"), q->addr);
		if (t == NULL)
			return -1;
		free(e->last_error);
		e->last_error = t;
		return 0;
	}
	return 0;
}

enum err
outbox_assess(struct qentry *e, const struct smtp_result *r, enum err err,
    const char *why, int64_t now, int64_t lifetime,
    enum outbox_outcome *outcome)
{
	size_t i, k = 0, pending = 0, done = 0, failed = 0;
	struct qrcpt *q;
	const char *text = NULL;
	char *decided = NULL;
	int code, rc;

	e->attempts++;
	if (r != NULL) {
		err = r->err;
		text = r->reply.text;
		e->uncertain |= r->uncertain;
	}

	for (i = 0; i < e->nrcpts; i++) {
		q = &e->rcpts[i];
		if (q->state != QRCPT_PENDING)
			continue;
		code = r != NULL && k < r->nrcpts ? r->rcpt[k].code : 0;
		if (r != NULL && k < r->nrcpts && r->rcpt[k].text != NULL &&
		    util_set(&q->reply, r->rcpt[k].text) < 0)
			return ERR_NOMEM;
		k++;
		q->code = code;
		/*
		 * After LMTP's replies per recipient a 2xx is a delivery of
		 * its own, even when the session then failed.
		 */
		if (smtp_rcpt_refused(code)) {
			q->state = QRCPT_FAILED;
		} else if (code / 100 == 2 && r != NULL && (r->lmtp ||
		    (err == ERR_OK && !r->uncertain))) {
			q->state = QRCPT_DONE;
		} else if (outbox_permanent(err) && code / 100 != 4 &&
		    code / 100 != 5) {
			/*
			 * Refused for good: the message, not the recipient.
			 * An accepted one keeps its 250 to say so; no other
			 * reply is a verdict of its own (code 0).
			 */
			q->state = QRCPT_FAILED;
			if (code / 100 != 2) {
				q->code = 0;
				free(q->reply);
				q->reply = NULL;
			}
		}
	}
	if (err == ERR_OK && r != NULL && !r->uncertain) {
		free(e->queue_id);
		e->queue_id = reply_queue_id(text);
	}
	/*
	 * The reply that decided, with the command it answered and what its
	 * status code means.
	 */
	if (text != NULL && r->step != NULL) {
		char *said = smtpdoc_explained(text);

		decided = said != NULL ? util_strf("%s: %s", r->step, said) :
		    NULL;
		free(said);
		if (decided == NULL)
			return ERR_NOMEM;
	}
	rc = util_set(&e->last_error, err == ERR_OK ? NULL : why != NULL ?
	    why : decided != NULL ? decided : text != NULL ? text :
	    err_str(err));
	free(decided);
	if (rc < 0)
		return ERR_NOMEM;
	if (err == ERR_OK && put_off(e) < 0)
		return ERR_NOMEM;
	for (i = 0; i < e->nrcpts; i++) {
		pending += e->rcpts[i].state == QRCPT_PENDING;
		done += e->rcpts[i].state == QRCPT_DONE;
		failed += e->rcpts[i].state == QRCPT_FAILED;
	}
	/* A message held (send later) has its lifetime from when it may go. */
	if (pending > 0 && lifetime > 0 && now - (e->not_before > e->created ?
	    e->not_before : e->created) > lifetime) {
		for (i = 0; i < e->nrcpts; i++)
			if (e->rcpts[i].state == QRCPT_PENDING) {
				e->rcpts[i].state = QRCPT_FAILED;
				failed++;
			}
		pending = 0;
		if (util_set(&e->last_error, _("gave up: not delivered "
		    "within the queue lifetime")) < 0)
			return ERR_NOMEM;
	}
	if (pending == 0 && done > 0) {
		e->state = QENTRY_SENT;
		*outcome = failed > 0 ? OUTCOME_PARTIAL : OUTCOME_SENT;
	} else if (pending > 0) {
		e->state = QENTRY_QUEUED;
		e->next_try = qentry_backoff(e->attempts, now);
		*outcome = OUTCOME_QUEUED;
	} else {
		e->state = QENTRY_FAILED;
		*outcome = OUTCOME_FAILED;
	}
	return ERR_OK;
}
