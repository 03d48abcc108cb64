/* submit.c - the one delivery pipeline: a message into the outbox, then one session per route to the server, each outcome filed; non-blocking, with events for the front end. */
/* SPDX-License-Identifier: ISC */
#include "submit_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "oauth2.h"
#include "session.h"
#include "util.h"

#define LOG_BLOCK (64 * 1024)

/* --- queueing ----------------------------------------------------------------- */

enum err
submit_fill(struct qentry *q, const struct submit_env *env, int as_given)
{
	size_t i;
	enum err e;

	if ((env->account != NULL && (q->account = strdup(env->account)) ==
	    NULL) ||
	    (env->server != NULL && (q->server = strdup(env->server)) ==
	    NULL) ||
	    (q->from = strdup(env->from)) == NULL ||
	    (env->dsn_notify != NULL && (q->dsn_notify =
	    strdup(env->dsn_notify)) == NULL) ||
	    (env->dsn_ret != NULL && (q->dsn_ret = strdup(env->dsn_ret)) ==
	    NULL) ||
	    (env->dsn_envid != NULL && (q->dsn_envid =
	    strdup(env->dsn_envid)) == NULL))
		return ERR_NOMEM;
	for (i = 0; i < env->nrcpts; i++)
		if ((e = qentry_add_rcpt(q, env->rcpts[i])) != ERR_OK)
			return e;
	q->as_given = as_given;
	q->chunking = env->chunking;
	q->not_before = env->not_before;
	q->created = (int64_t)time(NULL);
	return ERR_OK;
}

enum err
submit_commit(struct outbox *ob, struct outbox_item *it, struct qentry *q,
    const struct submit_env *env, int eightbit, uint64_t size, int as_given,
    char **errstr)
{
	enum err e;

	if ((e = submit_fill(q, env, as_given)) != ERR_OK)
		return e;
	q->eightbit = eightbit;
	q->size = (int64_t)size;
	return outbox_commit(ob, it, q, errstr);
}

enum err
submit_queue_built(struct outbox *ob, const struct draft_built *b,
    const struct submit_env *env, int no8bit, struct outbox_item *it,
    struct qentry *q, char **errstr)
{
	struct mime_result mr;
	enum err e;

	if ((e = outbox_begin(ob, it, errstr)) != ERR_OK)
		return e;
	if ((e = mime_write(&b->mm, it->tx.fd, !no8bit, &mr, errstr)) !=
	    ERR_OK ||
	    (e = submit_commit(ob, it, q, env, mr.eightbit, mr.wire_size, 0,
	    errstr)) != ERR_OK)
		outbox_release(ob, it);
	return e;
}

/* --- telling the front end ------------------------------------------------------- */

void
submit_tell(struct submit *s, enum submit_ev kind,
    const struct qentry *q, const char *text)
{
	struct submit_event ev;

	if (s->o.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.q = q;
	ev.text = text;
	s->o.event(s->o.arg, &ev);
}

/* A message that cannot be read: left as it is, told with the cause. */
static void
tell_unread(struct submit *s, const struct qentry *q, enum err err,
    const char *text)
{
	struct submit_event ev;

	if (s->o.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = SUBMIT_PROBLEM;
	ev.q = q;
	ev.err = err;
	ev.text = text;
	s->o.event(s->o.arg, &ev);
}

/* The stage the session is at, or failed or stopped at. */
static enum smtp_stage
session_stage(struct submit *s)
{
	return s->s != NULL ? smtp_stage(session_smtp(s->s)) :
	    SMTP_STAGE_CONNECT;
}

static void
tell_filed_at(struct submit *s, const struct qentry *q, enum outbox_outcome oc,
    enum err err, int bulk, int dropped, const char *io, enum smtp_stage st)
{
	struct submit_event ev;

	if (s->o.event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.stage = smtp_stage_name(st);
	ev.kind = SUBMIT_FILED;
	ev.q = q;
	ev.outcome = oc;
	ev.err = err;
	ev.bulk = bulk;
	ev.dropped = dropped;
	ev.io = io != NULL;
	ev.text = io != NULL ? io : q->last_error;
	s->o.event(s->o.arg, &ev);
}

static void
tell_filed(struct submit *s, const struct qentry *q, enum outbox_outcome oc,
    enum err err, int bulk, int dropped, const char *io)
{
	tell_filed_at(s, q, oc, err, bulk, dropped, io, session_stage(s));
}

/* --- the connection's log ------------------------------------------------------------- */

static void
log_flush(struct submit *s)
{
	qlog_write(s->lg, buf_str(&s->logb), s->logb.len);
	buf_reset(&s->logb);
}

/* A transcript writer: every event but the data, as a line of the log. */
static void
log_writer(void *arg, const struct tr_event *ev)
{
	struct submit *s = arg;
	size_t len = s->logb.len;

	if (ev->kind == TR_DATA || s->lg == NULL)
		return;
	if (transcript_format(ev, &s->logb) < 0 ||
	    buf_addch(&s->logb, '\n') < 0)
		buf_truncate(&s->logb, len);
	if (s->logb.len >= LOG_BLOCK)
		log_flush(s);
}

/* --- filing ------------------------------------------------------------------------ */

/*
 * With --no-queue a temporary failure keeps nothing: the recipients still
 * waiting are given up, and the message goes where that leaves it (sent/
 * for those who have it) or nowhere.  1 when it is gone.
 */
static int
drop_queued(struct submit *s, struct qentry *q, enum outbox_outcome *oc,
    char **errstr)
{
	size_t i, done = 0;

	for (i = 0; i < q->nrcpts; i++) {
		if (q->rcpts[i].state == QRCPT_PENDING)
			q->rcpts[i].state = QRCPT_FAILED;
		done += q->rcpts[i].state == QRCPT_DONE;
	}
	if (done > 0) {
		q->state = QENTRY_SENT;
		*oc = OUTCOME_PARTIAL;
		return 0;
	}
	(void)outbox_remove(s->ob, q->id, errstr);
	return 1;
}

/* File p (if any), tell, unlock it. */
static void
file_pending(struct submit *s, struct pending *p)
{
	char *errstr = NULL;
	int dropped = 0;

	if (p->q == NULL)
		return;
	if ((s->o.no_queue && p->oc == OUTCOME_QUEUED) ||
	    (s->o.test && p->oc != OUTCOME_SENT))
		dropped = drop_queued(s, p->q, &p->oc, &errstr);
	if (!dropped && outbox_file(s->ob, p->q, p->oc, s->lg, p->from,
	    &errstr) != ERR_OK) {
		tell_filed_at(s, p->q, p->oc, p->err, 0, 0, errstr != NULL ?
		    errstr : err_str(ERR_IO), p->stage);
	} else {
		tell_filed_at(s, p->q, p->oc, p->err, 0, dropped, NULL,
		    p->stage);
		/* Sent is sent: a copy that cannot be made is only told. */
		if ((p->oc == OUTCOME_SENT || p->oc == OUTCOME_PARTIAL) &&
		    s->o.rt != NULL && outbox_copy_sent(s->ob, p->q->id,
		    s->o.rt->sent, &errstr) != ERR_OK)
			submit_tell(s, SUBMIT_PROBLEM, p->q, errstr != NULL ?
			    errstr : err_str(ERR_IO));
	}
	if (s->o.lock)
		outbox_unlock(s->ob, p->q->id);
	p->q = NULL;
	free(errstr);
}

/*
 * With lock (a flush): lock q and make sure q is what is on disk, as
 * another pigeon may have sent or tried it since it was listed.  1: it is
 * ours and still to be sent (q may be a fresh copy); 0: leave it.
 */
static int
take(struct submit *s, struct qentry *q)
{
	struct qentry fresh;
	char *errstr = NULL;
	int held = 0;
	enum err e;

	if (!s->o.lock)
		return 1;
	if (outbox_lock(s->ob, q->id, &held, &errstr) != ERR_OK || !held) {
		if (errstr != NULL)
			submit_tell(s, SUBMIT_PROBLEM, q, errstr);
		else
			submit_tell(s, SUBMIT_LEFT, q, NULL);
		free(errstr);
		return 0;
	}
	if (outbox_unchanged(s->ob, q))
		return 1;
	e = outbox_load(s->ob, q->id, &fresh, &errstr);
	if (e == ERR_OK && fresh.state != QENTRY_QUEUED) {
		qentry_free(&fresh);
		e = ERR_NOINPUT;
	}
	if (e != ERR_OK) {
		/* Gone (filed by another pigeon), failed or damaged meanwhile. */
		if (e != ERR_NOINPUT)
			submit_tell(s, SUBMIT_PROBLEM, q, errstr != NULL ?
			    errstr : q->id);
		else
			submit_tell(s, SUBMIT_LEFT, q, NULL);
		outbox_unlock(s->ob, q->id);
		free(errstr);
		return 0;
	}
	qentry_free(q);
	*q = fresh;
	return 1;
}

/* Entries from i on had no transaction: the connection's story so far is theirs. */
void
submit_record_rest(struct submit *s, size_t i, enum err err,
    const char *why)
{
	struct pending p;
	enum outbox_outcome oc;
	int bulk = s->n - i > 1;
	char *errstr = NULL;

	log_flush(s);
	qlog_prelude(s->lg);
	for (; i < s->n; i++) {
		struct qentry *q = &s->v[i];

		if (!take(s, q))
			continue;
		/* Stopped as asked: no outcome to work out, nothing kept. */
		if (err == ERR_STOPPED)
			oc = OUTCOME_QUEUED;
		else if (outbox_assess(q, NULL, err, why, (int64_t)time(NULL),
		    s->o.rt->lifetime, &oc) != ERR_OK) {
			tell_filed(s, q, OUTCOME_QUEUED, err, 0, 0,
			    err_str(ERR_NOMEM));
			if (s->o.lock)
				outbox_unlock(s->ob, q->id);
			continue;
		}
		if (bulk && oc == OUTCOME_QUEUED && !s->o.no_queue) {
			if (outbox_file(s->ob, q, oc, s->lg,
			    qlog_size(s->lg), &errstr) != ERR_OK)
				tell_filed(s, q, oc, err, 0, 0, errstr);
			else
				tell_filed(s, q, oc, err, 1, 0, NULL);
			free(errstr);
			errstr = NULL;
			if (s->o.lock)
				outbox_unlock(s->ob, q->id);
			continue;
		}
		p.q = q;
		p.oc = oc;
		p.err = err;
		p.from = qlog_size(s->lg);
		p.stage = session_stage(s);
		file_pending(s, &p);
	}
	s->next = s->n;
}

/* --- sending a message ------------------------------------------------------------------ */

/*
 * The envelope of q's pending recipients in fl, its message open in fl->fd.
 * ERR_OK; ERR_NOINPUT when a stopped run had sent it (it is filed now);
 * other errors with *errstr.
 */
enum err
submit_prepare(struct submit *s, struct qentry *q, struct flight *fl,
    char **errstr)
{
	const char **r;
	struct stat st;
	enum err e;

	if ((r = realloc(fl->rcpts, (q->nrcpts + 1) * sizeof(*r))) == NULL)
		return ERR_NOMEM;
	fl->rcpts = r;
	memset(&fl->env, 0, sizeof(fl->env));
	if (s->s != NULL && (e = submit_idn_downgrade(s, q, errstr)) != ERR_OK)
		return e;
	if ((e = submit_downgrade(s, q, errstr)) != ERR_OK)
		return e;
	if (s->stream && !s->committed) {
		/* Still being written: read through a descriptor of our own. */
		if ((fl->fd = dup(s->stream_fd)) < 0) {
			util_seterr(errstr, _("cannot read message %s: %s"),
			    q->id, strerror(errno));
			return ERR_IO;
		}
	} else if ((e = outbox_message(s->ob, q, &fl->fd, errstr)) != ERR_OK) {
		if (e == ERR_NOINPUT && outbox_was_sent(s->ob, q->id)) {
			/* A stopped run sent it: file it, never resend. */
			q->state = QENTRY_SENT;
			free(*errstr);
			*errstr = NULL;
			if (outbox_recover(s->ob, q, errstr) != ERR_OK)
				submit_tell(s, SUBMIT_PROBLEM, q, *errstr);
			submit_tell(s, SUBMIT_LEFT, q, NULL);
			return ERR_NOINPUT;
		}
		return e;
	}
	/* Stored with LF: its size on the wire was noted when it was queued. */
	if (q->size > 0)
		st.st_size = 0;
	else if (fstat(fl->fd, &st) < 0) {
		util_seterr(errstr, _("cannot read message %s: %s"), q->id,
		    strerror(errno));
		(void)close(fl->fd);
		fl->fd = -1;
		return ERR_IO;
	}
	fl->env.from = q->from;
	fl->env.rcpts = fl->rcpts;
	fl->env.nrcpts = outbox_pending(q, fl->rcpts, q->nrcpts);
	if (s->s != NULL && fl->env.nrcpts > 0 && !s->o.abort_on_reject) {
		size_t all = fl->env.nrcpts;

		fl->env.nrcpts = submit_within_limits(smtp_caps(session_smtp(s->s)),
		    fl->rcpts, all);
		fl->capped = fl->env.nrcpts < all;
		if (fl->capped)
			transcript_emitf(s->tr, TR_INFO, 0, _("the server takes "
			    "%zu of the %zu recipients in one transaction "
			    "(LIMITS): the rest follow in the next"),
			    fl->env.nrcpts, all);
	}
	fl->env.eightbit = q->eightbit;
	fl->env.dsn_notify = q->dsn_notify;
	fl->env.dsn_ret = q->dsn_ret;
	fl->env.dsn_envid = q->dsn_envid;
	fl->env.abort_on_reject = s->o.abort_on_reject;
	fl->env.size = q->size > 0 ? (uint64_t)q->size : (uint64_t)st.st_size;
	submit_idn_envelope(s, fl);
	return ERR_OK;
}

/*
 * q went to part of its recipients (LIMITS): those are marked on disk
 * before the rest go, so that a crash in between sends nobody the message
 * twice.  1: it goes again (s->again); 0: it is filed as it is (queued).
 */
static int
go_on(struct submit *s, struct qentry *q)
{
	char *errstr = NULL;

	if (outbox_save(s->ob, q, &errstr) != ERR_OK) {
		submit_tell(s, SUBMIT_PROBLEM, q, errstr != NULL ? errstr :
		    err_str(ERR_IO));
		free(errstr);
		return 0;
	}
	s->again = q;
	return 1;
}

/* A message waiting to go again is filed as it stands: queued. */
static void
again_to_pend(struct submit *s)
{
	if (s->again == NULL || s->pend.q != NULL)
		return;
	s->pend.q = s->again;
	s->pend.oc = OUTCOME_QUEUED;
	s->pend.err = ERR_OK;
	s->pend.from = s->from;
	s->pend.stage = session_stage(s);
	s->again = NULL;
}

/* Done with a flight: what it held goes, the slot is free. */
static void
land(struct submit *s, struct flight *fl)
{
	if (fl->fd >= 0)
		(void)close(fl->fd);
	fl->fd = -1;
	fl->q = NULL;
	submit_idn_clear(fl);
	if (fl == cur_flight(s))
		s->head ^= 1;
}

/*
 * The result of fl's message as the session leaves it: the engine's,
 * with the session's trouble as the cause when the session ended first.
 * *ended: the engine finished it; *detail: why, when the session said.
 */
static struct smtp_result
flight_result(struct submit *s, const struct flight *fl, int *ended,
    const char **detail)
{
	static const struct smtp_result none;
	const struct smtp_result *r = smtp_result_of(session_smtp(s->s),
	    fl->seq);
	struct smtp_result res = r != NULL ? *r : none;

	*ended = smtp_messages_done(session_smtp(s->s)) > fl->seq;
	*detail = NULL;
	if (!*ended) {
		/* The session ended before the message did. */
		res.err = session_error(s->s, detail);
		if (res.err == ERR_OK)
			res.err = ERR_CLOSED;
	} else if (res.err != ERR_OK && res.reply.text == NULL &&
	    session_error(s->s, NULL) != ERR_OK) {
		/* Ended by the session's trouble: that is the why. */
		(void)session_error(s->s, detail);
	}
	return res;
}

/*
 * The outcome of the message in fl, known now (send_err: the session
 * refused it at once): it waits to be filed, in s->pend, which the
 * caller has emptied.
 */
static void
finish_message(struct submit *s, struct flight *fl, enum err send_err)
{
	struct qentry *q = fl->q;
	enum outbox_outcome oc;
	const char *detail = NULL;
	enum smtp_stage st = session_stage(s);
	enum err e;
	int answered = 0, capped = fl->capped, ended;

	log_flush(s);
	if (send_err != ERR_OK) {
		/* Refused before MAIL (SIZE, SMTPUTF8): no transaction. */
		e = outbox_assess(q, NULL, send_err, fl->why, (int64_t)time(NULL),
		    s->o.rt->lifetime, &oc);
	} else {
		struct smtp_result res = flight_result(s, fl, &ended, &detail);

		/* The server took MAIL and gave its verdicts on recipients. */
		answered = res.nrcpts > 0 && res.rcpt[0].code != 0;
		if (s->stopped && res.err != ERR_OK) {
			res.err = ERR_CANCEL;
			detail = _("stopped by the user");
		}
		if (ended)
			st = res.stage;
		send_err = res.err;
		/* Stopped as asked: no outcome to work out, nothing kept. */
		oc = OUTCOME_QUEUED;
		e = send_err == ERR_STOPPED ? ERR_OK : outbox_assess(q, &res,
		    ERR_OK, detail, (int64_t)time(NULL), s->o.rt->lifetime, &oc);
	}
	s->from = fl->from;
	land(s, fl);
	if (e == ERR_OK && capped && answered && oc == OUTCOME_QUEUED &&
	    !s->stopped && !s->o.test &&
	    session_status(s->s) == SESSION_READY && go_on(s, q))
		return;
	if (e != ERR_OK) {
		tell_filed(s, q, OUTCOME_QUEUED, ERR_NOMEM, 0, 0,
		    err_str(ERR_NOMEM));
		if (s->o.lock)
			outbox_unlock(s->ob, q->id);
		return;
	}
	s->pend.q = q;
	s->pend.oc = oc;
	s->pend.err = send_err;
	s->pend.from = s->from;
	s->pend.stage = st;
}

/* What the engine has finished (all, once the session is over) waits to be filed. */
static void
collect(struct submit *s)
{
	struct flight *fl;
	int over = session_status(s->s) == SESSION_DONE;

	while ((fl = cur_flight(s))->q != NULL && (over ||
	    smtp_messages_done(session_smtp(s->s)) > fl->seq)) {
		file_pending(s, &s->pend);
		finish_message(s, fl, ERR_OK);
	}
}

/*
 * Start the next message, if there is one to send; 1 when one is on the
 * wire.  With pipelined set, the session has the one before waiting for
 * the reply to its dot, and this one's envelope goes out behind it.
 *
 * Durability does not change with that.  What must never happen is a
 * message lost (it leaves outbox/ only by a rename into sent/ or
 * failed/, or stays) or sent twice (a message the server took must be in
 * sent/ before a later run could try it again).  The envelope of the
 * next message commits nothing: the server takes a message only at the
 * reply to its dot, and until then a crash leaves it queued, as before.
 * A crash after the reply to a dot and before its move to sent/ is
 * durable sends it again on the next flush: that window is the same
 * with or without pipelining (it is the batched directory sync, see
 * outbox_batch()), and pipelining makes no message wait longer for its
 * filing: each is filed as soon as its reply is read.
 */
static int
start_next(struct submit *s, int pipelined)
{
	char *errstr = NULL;
	struct flight *fl;
	enum err e;

	while ((s->again != NULL || s->next < s->n) && !s->stopped) {
		unsigned mailmax = smtp_caps(session_smtp(s->s))->mailmax;
		struct qentry *q;

		fl = pipelined ? next_flight(s) : cur_flight(s);
		if (mailmax > 0 && s->trans >= mailmax) {
			/* The rest go over a new connection. */
			if (!pipelined)
				s->phase = PH_AGAIN;
			return 0;
		}
		if (s->again != NULL && !pipelined) {
			q = s->again;
			s->again = NULL;
		} else if (s->again != NULL || s->next >= s->n) {
			return 0;
		} else if (!take(s, q = &s->v[s->next++])) {
			continue;
		}
		if ((e = submit_prepare(s, q, fl, &errstr)) != ERR_OK) {
			if (e != ERR_NOINPUT) {
				/*
				 * It cannot be read (or is refused: a link in
				 * its place): it stays as it is, told, and the
				 * others go on.
				 */
				tell_unread(s, q, e, errstr != NULL ? errstr :
				    err_str(e));
			}
			if (s->o.lock)
				outbox_unlock(s->ob, q->id);
			free(errstr);
			errstr = NULL;
			continue;
		}
		free(fl->why);
		fl->why = NULL;
		fl->q = q;
		fl->seq = smtp_messages_begun(session_smtp(s->s));
		fl->sent0 = session_bytes_sent(s->s);
		if (pipelined) {
			/* Its lines join the log before the one before is filed. */
			log_flush(s);
			fl->from = qlog_size(s->lg);
		}
		submit_tell(s, SUBMIT_SENDING, q, NULL);
		s->trans++;
		if (fl->idn_err != ERR_OK) {
			/* Refused before MAIL, as the session refuses. */
			e = fl->idn_err;
			fl->why = fl->idn_why;
			fl->idn_why = NULL;
		} else {
			e = session_send(s->s, &fl->env, fl->fd, &fl->why);
		}
		/*
		 * The one before is filed while the server reads this envelope;
		 * its summary goes to the log before this one's part starts
		 * (this one's lines wait in logb meanwhile).
		 */
		file_pending(s, &s->pend);
		if (!pipelined)
			fl->from = qlog_size(s->lg);
		if (e != ERR_OK) {
			finish_message(s, fl, e);
			continue;
		}
		return 1;
	}
	return 0;
}


/*
 * An account that renews OAuth2 tokens: an access token for the next
 * connection (renew: the server refused the last one), from the cache
 * or the token endpoint (oauth2.h), whose connection goes into the
 * transcript and so the log.  A token endpoint that cannot be reached
 * is like a server that cannot: the mail stays queued.
 */
static enum err
get_token(struct submit *s, int renew, char **errstr)
{
	char *t = NULL;
	enum err e;

	if (s->o.rt->oauth2 == NULL)
		return ERR_OK;
	if (!renew && s->o.rt->secret != NULL)
		return ERR_OK;
	if ((e = oauth2_token(s->o.rt->oauth2, s->tr, renew, &t, errstr)) !=
	    ERR_OK)
		return e;
	if (s->token != NULL) {
		explicit_bzero(s->token, strlen(s->token));
		free(s->token);
	}
	s->token = t;
	s->so.smtp.secret = t;
	return ERR_OK;
}

/*
 * The server refused the OAuth2 token at AUTH: a new one (the cached one
 * dropped) and a new connection, once.  1 when that is under way (or
 * its failure filed), 0 when it is not for this submit.
 */
static int
renew_token(struct submit *s)
{
	char *errstr = NULL;
	enum err e;

	if (s->o.rt->oauth2 == NULL || s->renewed || s->stopped)
		return 0;
	s->renewed = 1;
	session_free(s->s);
	s->s = NULL;
	if ((e = get_token(s, 1, &errstr)) == ERR_OK)
		e = session_open(&s->s, &s->so, s->tr, &errstr);
	if (e != ERR_OK) {
		again_to_pend(s);
		file_pending(s, &s->pend);
		submit_record_rest(s, s->next, e, errstr != NULL ? errstr :
		    err_str(e));
		free(errstr);
		submit_end(s);
		return 1;
	}
	free(errstr);
	session_pipeline_next(s->s, s->n > 1);
	s->phase = PH_CONNECT;
	return 1;
}

/* Everything is filed: say goodbye. */
static void
wind_up(struct submit *s)
{
	char *errstr = NULL;
	int again = s->phase == PH_AGAIN;

	if (!again)
		again_to_pend(s);
	file_pending(s, &s->pend);
	if (s->batch) {
		outbox_batch(s->ob, 0);
		s->batch = 0;
	}
	if (outbox_sync(s->ob, &errstr) != ERR_OK)
		submit_tell(s, SUBMIT_PROBLEM, NULL, errstr != NULL ? errstr :
		    err_str(ERR_IO));
	free(errstr);
	if (s->s != NULL && session_status(s->s) == SESSION_READY) {
		session_quit(s->s);
		if (!again)
			s->phase = PH_QUIT;
		return;
	}
	if (again)
		submit_reconnect(s);
	else
		submit_end(s);
}

/* LIMITS MAILMAX was reached and more is to go: a new connection. */
void
submit_reconnect(struct submit *s)
{
	char *errstr = NULL;
	enum err e;

	session_free(s->s);
	s->s = NULL;
	s->trans = 0;
	if ((e = session_open(&s->s, &s->so, s->tr, &errstr)) !=
	    ERR_OK) {
		again_to_pend(s);
		file_pending(s, &s->pend);
		submit_record_rest(s, s->next, e, errstr != NULL ? errstr :
		    err_str(e));
		free(errstr);
		submit_end(s);
		return;
	}
	free(errstr);
	session_pipeline_next(s->s, s->n > 1);
	s->phase = PH_CONNECT;
}

void
submit_end(struct submit *s)
{
	char *errstr = NULL;

	s->phase = PH_DONE;
	if (s->subscribed) {
		transcript_unsubscribe(s->tr, log_writer, s);
		s->subscribed = 0;
	}
	log_flush(s);
	if (qlog_conn_close(s->lg, &errstr) != ERR_OK)
		submit_tell(s, SUBMIT_PROBLEM, NULL, errstr != NULL ? errstr :
		    err_str(ERR_IO));
	s->lg = NULL;
	free(errstr);
	submit_tell(s, SUBMIT_DONE, NULL, NULL);
}

/* The connection is up: its log starts, moves are batched (see advance()). */
void
submit_ready(struct submit *s)
{
	log_flush(s);
	qlog_prelude(s->lg);
	/*
	 * Moves made durable together at the end (outbox_sync() in
	 * wind_up()), one message or many: and sent/, however large,
	 * is never listed to file one.
	 */
	outbox_batch(s->ob, 1);
	s->batch = 1;
	s->phase = PH_SEND;
	submit_tell(s, SUBMIT_READY, NULL, NULL);
}

/* The session is not busy: move the pipeline on as far as it goes now. */
static void
advance(struct submit *s)
{
	enum session_status st = session_status(s->s);
	const char *detail = NULL;
	enum err e;

	if (s->stream && !s->committed) {
		submit_stream_advance(s);
		return;
	}
	if (s->phase == PH_CONNECT) {
		if (st == SESSION_BUSY)
			return;
		if (st == SESSION_DONE) {
			e = session_error(s->s, &detail);
			if (e == ERR_OK)
				e = ERR_CLOSED;
			if (s->stopped) {
				e = ERR_CANCEL;
				detail = _("stopped by the user");
			} else if (e == ERR_AUTH && renew_token(s)) {
				return;
			}
			/* After LIMITS MAILMAX, entries before next are done. */
			again_to_pend(s);
			file_pending(s, &s->pend);
			submit_record_rest(s, s->next, e, detail != NULL ?
			    detail : err_str(e));
			submit_end(s);
			return;
		}
		submit_ready(s);
	}
	if (s->phase == PH_SEND) {
		collect(s);
		st = session_status(s->s);
		if (st == SESSION_BUSY) {
			/*
			 * With PIPELINING the next envelope goes behind the
			 * dot (not behind a message cut by LIMITS: the rest of
			 * its recipients go next, once it is marked).
			 */
			if (cur_flight(s)->q != NULL &&
			    next_flight(s)->q == NULL &&
			    !cur_flight(s)->capped && session_next_ok(s->s) &&
			    start_next(s, 1))
				return;
			/* Nothing to send meanwhile: file what is known. */
			file_pending(s, &s->pend);
			return;
		}
		if (st == SESSION_DONE) {
			/* The connection is gone: the rest waits. */
			file_pending(s, &s->pend);
			e = session_error(s->s, &detail);
			if (s->stopped)
				s->next = s->n;
			else
				submit_record_rest(s, s->next, e != ERR_OK ? e :
				    ERR_CLOSED, detail != NULL ? detail :
				    err_str(ERR_CLOSED));
			wind_up(s);
		} else if (!start_next(s, 0)) {
			wind_up(s);
		}
	}
	if (s->phase == PH_QUIT && session_status(s->s) == SESSION_DONE)
		submit_end(s);
	else if (s->phase == PH_AGAIN && session_status(s->s) ==
	    SESSION_DONE)
		submit_reconnect(s);
}

/* submit_new(), and with stream_fd >= 0 submit_new_stream(). */
static enum err
create(struct submit **out, struct outbox *ob, const struct submit_opts *o,
    struct transcript *tr, struct qentry *v, size_t n, int stream_fd)
{
	struct submit *s;
	char *errstr = NULL, *why = NULL;
	enum err e;
	size_t i;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->v = calloc(n + 1, sizeof(*s->v))) == NULL) {
		free(s);
		return ERR_NOMEM;
	}
	s->ob = ob;
	s->o = *o;
	s->so = o->rt->so;
	s->tr = tr;
	s->fl[0].fd = s->fl[1].fd = -1;
	s->n = n;
	s->stream = stream_fd >= 0;
	s->stream_fd = stream_fd;
	for (i = 0; i < n; i++) {
		s->v[i] = v[i];
		qentry_init(&v[i]);
	}
	/* Only a block and one message's part: never much. */
	buf_init(&s->logb, 2 * LOG_BLOCK + 64 * 1024);
	if (qlog_conn_open(outbox_logs(ob), &s->lg, &errstr) != ERR_OK) {
		util_seterr(&why, _("%s; the transcript is not kept"),
		    errstr != NULL ? errstr : "?");
		submit_tell(s, SUBMIT_PROBLEM, NULL, why);
		s->lg = NULL;
	}
	free(errstr);
	free(why);
	errstr = NULL;
	if (tr != NULL && transcript_subscribe(tr, log_writer, s) == 0)
		s->subscribed = 1;
	*out = s;
	if ((e = get_token(s, 0, &errstr)) == ERR_OK)
		e = session_open(&s->s, &s->so, tr, &errstr);
	if (e != ERR_OK) {
		if (s->stream) {
			/* Told once the message is committed. */
			s->open_err = e;
			s->open_why = errstr != NULL ? errstr :
			    strdup(err_str(e));
			s->phase = PH_CONNECT;
			return ERR_OK;
		}
		submit_record_rest(s, 0, e, errstr != NULL ? errstr :
		    err_str(e));
		free(errstr);
		submit_end(s);
		return ERR_OK;
	}
	free(errstr);
	/* More than one: each next envelope goes behind a dot, when it can. */
	session_pipeline_next(s->s, n > 1);
	s->phase = PH_CONNECT;
	return ERR_OK;
}

enum err
submit_new(struct submit **out, struct outbox *ob, const struct submit_opts *o,
    struct transcript *tr, struct qentry *v, size_t n)
{
	return create(out, ob, o, tr, v, n, -1);
}

enum err
submit_new_stream(struct submit **out, struct outbox *ob,
    const struct submit_opts *o, struct transcript *tr, struct qentry *q,
    int fd)
{
	return create(out, ob, o, tr, q, 1, fd);
}

int
submit_pollfd(struct submit *s, struct pollfd *pfd)
{
	pfd->fd = -1;
	pfd->events = 0;
	pfd->revents = 0;
	if (s->phase == PH_DONE || s->s == NULL)
		return -1;
	return session_pollfd(s->s, pfd);
}

void
submit_step(struct submit *s, short revents)
{
	if (s->phase == PH_DONE || s->s == NULL)
		return;
	session_step(s->s, revents);
	advance(s);
	if (s->stream && !s->committed)
		return;
	/* Filing took a while: the session may have more to do at once. */
	while (s->phase != PH_DONE && session_status(s->s) != SESSION_BUSY &&
	    !((s->phase == PH_QUIT || s->phase == PH_AGAIN) &&
	    session_status(s->s) != SESSION_DONE))
		advance(s);
}

int
submit_done(const struct submit *s)
{
	return s->phase == PH_DONE;
}

void
submit_stop(struct submit *s)
{
	if (s->phase == PH_DONE || s->s == NULL)
		return;
	s->stopped = 1;
	session_stop(s->s);
	advance(s);
}

int
submit_progress(const struct submit *s, const struct qentry **q,
    uint64_t *sent, uint64_t *total)
{
	const struct flight *fl = &s->fl[s->head];
	uint64_t n;

	if (fl->q == NULL)
		return 0;
	n = session_bytes_sent(s->s) - fl->sent0;
	*q = fl->q;
	*total = fl->env.size;
	*sent = n < *total ? n : *total;
	return 1;
}

const struct tls_peer *
submit_peer(const struct submit *s)
{
	return s->s != NULL ? session_peer(s->s) : NULL;
}

void
submit_run(struct submit *s)
{
	struct pollfd pfd;
	int t, r;

	while (!submit_done(s)) {
		t = submit_pollfd(s, &pfd);
		r = poll(&pfd, pfd.fd >= 0 ? 1 : 0, t);
		if (r < 0 && errno == EINTR)
			continue;
		submit_step(s, r > 0 ? pfd.revents : 0);
	}
}

void
submit_free(struct submit *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->phase != PH_DONE && s->s != NULL) {
		/* Not over: nothing more goes out; what is not filed stays queued. */
		s->stopped = 1;
		session_cancel(s->s);
		collect(s);
		again_to_pend(s);
		file_pending(s, &s->pend);
		if (s->batch)
			outbox_batch(s->ob, 0);
		(void)outbox_sync(s->ob, NULL);
		submit_end(s);
	}
	for (i = 0; i < 2; i++) {
		if (s->fl[i].fd >= 0)
			(void)close(s->fl[i].fd);
		free(s->fl[i].rcpts);
		free(s->fl[i].why);
		submit_idn_clear(&s->fl[i]);
	}
	free(s->open_why);
	session_free(s->s);
	if (s->token != NULL) {
		explicit_bzero(s->token, strlen(s->token));
		free(s->token);
	}
	for (i = 0; i < s->n; i++)
		qentry_free(&s->v[i]);
	free(s->v);
	buf_free(&s->logb);
	free(s);
}
