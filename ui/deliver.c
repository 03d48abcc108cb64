/* deliver.c - sending queued messages: one connection per account, each result filed in the outbox. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "deliver.h"
#include "i18n.h"
#include "transcript.h"
#include "util.h"

#define LOG_BLOCK (64 * 1024)
#define DAY (24 * 60 * 60)
#define LIFETIME_DAYS 5

/*
 * The transcript of a connection, as the pane shows it, on its way to the
 * connection's log in the outbox: kept in b until a message's part is
 * complete (or a block is full), then written.
 */
struct logbuf {
	struct buf b;
	struct outbox_log *lg;     /* NULL: no log could be made */
};

static void
log_flush(struct logbuf *l)
{
	outbox_log_write(l->lg, buf_str(&l->b), l->b.len);
	buf_reset(&l->b);
}

static void
log_writer(void *arg, const struct tr_event *ev)
{
	struct logbuf *l = arg;
	size_t len = l->b.len;

	if (ev->kind == TR_DATA || l->lg == NULL)
		return;
	if (transcript_format(ev, &l->b) < 0 || buf_addch(&l->b, '\n') < 0)
		buf_truncate(&l->b, len);
	if (l->b.len >= LOG_BLOCK)
		log_flush(l);
}

/* The exit status a single message's outcome gives. */
static int
outcome_code(enum outbox_outcome oc, enum err err)
{
	switch (oc) {
	case OUTCOME_SENT:
	case OUTCOME_PARTIAL:
		return EX_OK;
	case OUTCOME_QUEUED:
		/* Queued all the same; the status says what went wrong. */
		return err != ERR_OK ? err_exit_code(err) : EX_TEMPFAIL;
	default:
		return err != ERR_OK ? err_exit_code(err) : EX_UNAVAILABLE;
	}
}

/* Tell the user what became of e. */
static void
report(const struct qentry *e, enum outbox_outcome oc, enum err err,
    int quiet)
{
	size_t i;

	char code[16];

	for (i = 0; i < e->nrcpts; i++) {
		const struct qrcpt *q = &e->rcpts[i];
		const char *why = q->reply != NULL ? q->reply :
		    e->last_error != NULL ? e->last_error : "";

		/* A reply's text starts with its code already. */
		if (q->code > 0 && q->reply == NULL)
			(void)snprintf(code, sizeof(code), "%d ", q->code);
		else
			code[0] = '\0';
		if (q->state == QRCPT_FAILED && oc != OUTCOME_FAILED)
			cli_warn(_("not delivered to <%s>: %s%s"), q->addr, code,
			    why);
		else if (q->state == QRCPT_FAILED)
			cli_error(_("recipient <%s> rejected: %s%s"), q->addr,
			    code, why);
		else if (q->state == QRCPT_PENDING && q->code / 100 == 4)
			cli_warn(_("recipient <%s> put off: %s%s"), q->addr,
			    code, why);
	}
	switch (oc) {
	case OUTCOME_SENT:
	case OUTCOME_PARTIAL:
		if (!quiet)
			(void)printf(_("sent %s%s%s%s\n"), e->id,
			    e->queue_id != NULL ? _(" (server queue id ") : "",
			    e->queue_id != NULL ? e->queue_id : "",
			    e->queue_id != NULL ? ")" : "");
		break;
	case OUTCOME_QUEUED:
		cli_warn(_("not sent yet: %s"), e->last_error != NULL ?
		    e->last_error : err_str(err));
		cli_warn(_("%s is queued%s; 'pigeon queue flush' sends it, "
		    "do not send it again"), e->id, e->uncertain ?
		    _(" (delivery uncertain: it may have arrived)") : "");
		break;
	case OUTCOME_FAILED:
		cli_error(_("not sent: %s"), e->last_error != NULL ?
		    e->last_error : err_str(err));
		cli_error(_("%s is in the failed folder; 'pigeon queue edit "
		    "%s' makes it a draft again"), e->id, e->id);
		break;
	}
}

static int64_t
lifetime(const struct cli *c)
{
	int days = c->acct != NULL && c->acct->queue_lifetime > 0 ?
	    c->acct->queue_lifetime : LIFETIME_DAYS;

	return (int64_t)days * DAY;
}

/*
 * With lock (queue flush): lock q's message and make sure q is what is on
 * disk, as another pigeon may have sent or tried it since it was listed.
 * 1: it is ours and still to be sent (q may be a fresh copy); 0: leave
 * it, unlocked.  loud: say so when another pigeon has it.
 */
static int
take(struct outbox *ob, struct qentry *q, int lock, int loud)
{
	struct qentry fresh;
	char *errstr = NULL;
	int held = 0;
	enum err e;

	if (!lock)
		return 1;
	if (outbox_lock(ob, q->id, &held, &errstr) != ERR_OK || !held) {
		if (errstr != NULL)
			cli_warn("%s", errstr);
		else if (loud)
			cli_warn(_("%s is being sent by another pigeon"), q->id);
		free(errstr);
		return 0;
	}
	if (outbox_unchanged(ob, q))
		return 1;
	e = outbox_load(ob, q->id, &fresh, &errstr);
	if (e == ERR_OK && fresh.state != QENTRY_QUEUED) {
		qentry_free(&fresh);
		e = ERR_NOINPUT;
	}
	if (e != ERR_OK) {
		/* Gone (filed by another pigeon), failed or damaged meanwhile. */
		if (e != ERR_NOINPUT)
			cli_warn("%s", errstr != NULL ? errstr : q->id);
		outbox_unlock(ob, q->id);
		free(errstr);
		return 0;
	}
	/* The same id: the lock stays with it. */
	qentry_free(q);
	*q = fresh;
	return 1;
}

/*
 * File an attempt that never reached a transaction for every entry in v:
 * the connection's log so far is the story of each.
 */
static int
record_all(struct cli *c, struct outbox *ob, struct qentry **v, size_t n,
    enum err err, const char *why, struct logbuf *l, int lock, int quiet)
{
	enum outbox_outcome oc;
	char *errstr = NULL;
	size_t i, queued = 0;
	int rc = 0, r;

	log_flush(l);
	outbox_log_prelude(l->lg);
	for (i = 0; i < n; i++) {
		if (!take(ob, v[i], lock, n == 1))
			continue;
		if (outbox_record(ob, v[i], NULL, err, why, l->lg,
		    outbox_log_size(l->lg), (int64_t)time(NULL), lifetime(c),
		    &oc, &errstr) != ERR_OK) {
			cli_error("%s", errstr != NULL ? errstr : "?");
			r = EX_IOERR;
		} else {
			/* Many messages put off by one failure: one line. */
			if (n > 1 && oc == OUTCOME_QUEUED)
				queued++;
			else
				report(v[i], oc, err, quiet);
			r = outcome_code(oc, err);
		}
		if (lock)
			outbox_unlock(ob, v[i]->id);
		if (rc == 0)
			rc = r;
	}
	if (queued > 0)
		cli_warn(_("%zu messages stay queued; 'pigeon queue flush' "
		    "tries them again"), queued);
	free(errstr);
	return rc;
}

/* A message whose outcome is known but not yet filed. */
struct pending {
	struct qentry *q;          /* NULL: none */
	enum outbox_outcome oc;
	enum err err;
	uint64_t from;             /* its part of the connection's log */
};

/* File p (if any), tell the user, unlock it; the exit code of its outcome. */
static int
file_pending(struct outbox *ob, struct pending *p, struct logbuf *l,
    int lock, int quiet)
{
	char *errstr = NULL;
	int r;

	if (p->q == NULL)
		return 0;
	if (outbox_file(ob, p->q, p->oc, l->lg, p->from, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		r = EX_IOERR;
	} else {
		report(p->q, p->oc, p->err, quiet);
		r = outcome_code(p->oc, p->err);
	}
	if (lock)
		outbox_unlock(ob, p->q->id);
	p->q = NULL;
	free(errstr);
	return r;
}

/*
 * The envelope of q's pending recipients in env (rcpts: room for them),
 * its message open in *fd.  0, or an exit code (-1: nothing to send, a
 * stopped run had sent it and it is filed now).
 */
static int
prepare(struct outbox *ob, struct qentry *q, const struct deliver_hooks *h,
    struct smtp_envelope *env, const char **rcpts, int *fd)
{
	char *errstr = NULL;
	struct stat st;
	enum err e;

	memset(env, 0, sizeof(*env));
	env->from = q->from;
	env->rcpts = rcpts;
	env->nrcpts = outbox_pending(q, rcpts, q->nrcpts);
	env->eightbit = q->eightbit;
	env->dsn_notify = q->dsn_notify;
	env->dsn_ret = q->dsn_ret;
	env->dsn_envid = q->dsn_envid;
	env->abort_on_reject = h != NULL && h->abort_on_reject;
	if ((e = outbox_message(ob, q, fd, &errstr)) != ERR_OK) {
		if (e == ERR_NOINPUT && outbox_was_sent(ob, q->id)) {
			/* A stopped run sent it: file it, never resend. */
			q->state = QENTRY_SENT;
			free(errstr);
			errstr = NULL;
			if (outbox_recover(ob, q, &errstr) != ERR_OK)
				cli_warn("%s", errstr != NULL ? errstr : "?");
			free(errstr);
			return -1;
		}
		cli_error("%s", errstr != NULL ? errstr : "?");
		free(errstr);
		return EX_IOERR;
	}
	if (fstat(*fd, &st) < 0) {
		cli_error(_("cannot read message %s: %s"), q->id,
		    strerror(errno));
		(void)close(*fd);
		return EX_IOERR;
	}
	/* Stored with LF: the size on the wire was noted when it was queued. */
	env->size = q->size > 0 ? (uint64_t)q->size : (uint64_t)st.st_size;
	return 0;
}

/*
 * One connection for all of v.  Each message is filed once the next one
 * is on its way: the disk work of one overlaps the server's reply to the
 * other's envelope.  Only a kill in those microseconds between a 250 and
 * the filing sends a message twice (it stays in outbox/ then).
 */
int
deliver_group(struct cli *c, struct outbox *ob, struct qentry **v, size_t n,
    const struct deliver_hooks *h, int quiet)
{
	struct logbuf l;
	struct pending pend = { NULL, OUTCOME_QUEUED, ERR_OK, 0 };
	struct session *s = NULL;
	struct smtp_envelope env;
	const char **rcpts = NULL;
	const char *detail = NULL;
	char *why = NULL, *errstr = NULL;
	enum outbox_outcome oc;
	uint64_t from;
	size_t i;
	unsigned done;
	int rc = 0, r, fd = -1, lock = h != NULL && h->lock;
	enum err e;

	memset(&l, 0, sizeof(l));
	/* Only what a block holds and one message's part: never much. */
	buf_init(&l.b, 2 * LOG_BLOCK + 64 * 1024);
	if (outbox_log_open(ob, &l.lg, &errstr) != ERR_OK) {
		cli_warn(_("%s; the transcript is not kept"), errstr != NULL ?
		    errstr : "?");
		l.lg = NULL;
	}
	(void)transcript_subscribe(c->tr, log_writer, &l);
	e = session_open(&s, &c->so, c->tr, &why);
	if (e == ERR_OK && session_wait(s) != SESSION_READY) {
		e = session_error(s, &detail);
		if (e == ERR_OK)
			e = ERR_CLOSED;
		free(why);
		why = detail != NULL ? strdup(detail) : NULL;
	}
	if (e != ERR_OK) {
		cli_error("%s%s%s", err_str(e), why != NULL ? ": " : "",
		    why != NULL ? why : "");
		rc = record_all(c, ob, v, n, e, why != NULL ? why : err_str(e),
		    &l, lock, quiet);
		goto out;
	}
	log_flush(&l);
	outbox_log_prelude(l.lg);
	outbox_batch(ob, 1);
	if ((rcpts = calloc(1, sizeof(*rcpts))) == NULL) {
		rc = EX_OSERR;
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct qentry *q = v[i];
		const char **nr;

		r = 0;
		if (!take(ob, q, lock, n == 1))
			goto skip;
		if (h != NULL && h->before != NULL &&
		    (r = h->before(h->arg, s, ob, q)) != 0)
			goto next;
		if ((nr = realloc(rcpts, (q->nrcpts + 1) * sizeof(*rcpts))) ==
		    NULL) {
			r = EX_OSERR;
			goto next;
		}
		rcpts = nr;
		if ((r = prepare(ob, q, h, &env, rcpts, &fd)) != 0) {
			if (r < 0)
				r = 0;
			goto next;
		}
		free(why);
		why = NULL;
		done = smtp_messages_done(session_smtp(s));
		e = session_send(s, &env, fd, &why);
		/* The one before is filed while the server reads this envelope. */
		r = file_pending(ob, &pend, &l, lock, quiet);
		if (rc == 0)
			rc = r;
		from = outbox_log_size(l.lg);
		if (e == ERR_OK)
			(void)session_wait(s);
		(void)close(fd);
		log_flush(&l);
		if (e != ERR_OK) {
			/* Refused before MAIL (SIZE, SMTPUTF8): no transaction. */
			r = outbox_assess(q, NULL, e, why, (int64_t)time(NULL),
			    lifetime(c), &oc);
		} else {
			struct smtp_result res = *smtp_result(session_smtp(s));

			/* The session ended before the message did. */
			if (smtp_messages_done(session_smtp(s)) == done) {
				res.err = session_error(s, &detail);
				if (res.err == ERR_OK)
					res.err = ERR_CLOSED;
			}
			r = outbox_assess(q, &res, ERR_OK, detail,
			    (int64_t)time(NULL), lifetime(c), &oc);
			e = res.err;
			detail = NULL;
		}
		if (r != ERR_OK) {
			r = EX_OSERR;
			goto next;
		}
		pend.q = q;
		pend.oc = oc;
		pend.err = e;
		pend.from = from;
		if (session_status(s) == SESSION_DONE) {
			/* The connection is gone: the rest waits. */
			r = file_pending(ob, &pend, &l, lock, quiet);
			if (rc == 0)
				rc = r;
			e = session_error(s, &detail);
			r = record_all(c, ob, v + i + 1, n - i - 1, e != ERR_OK ?
			    e : ERR_CLOSED, detail != NULL ? detail :
			    err_str(ERR_CLOSED), &l, lock, quiet);
			if (rc == 0)
				rc = r;
			break;
		}
		continue;
next:
		if (lock)
			outbox_unlock(ob, q->id);
skip:
		if (rc == 0)
			rc = r;
		/* Nothing is on its way: file the one before now. */
		r = file_pending(ob, &pend, &l, lock, quiet);
		if (rc == 0)
			rc = r;
	}
	r = file_pending(ob, &pend, &l, lock, quiet);
	if (rc == 0)
		rc = r;
done:
	outbox_batch(ob, 0);
	if (outbox_sync(ob, &errstr) != ERR_OK) {
		cli_error("%s", errstr != NULL ? errstr : "?");
		if (rc == 0)
			rc = EX_IOERR;
	}
	if (session_status(s) == SESSION_READY) {
		session_quit(s);
		(void)session_wait(s);
	}
out:
	transcript_unsubscribe(c->tr, log_writer, &l);
	log_flush(&l);
	free(errstr);
	errstr = NULL;
	if (outbox_log_close(l.lg, &errstr) != ERR_OK)
		cli_warn("%s", errstr != NULL ? errstr : "?");
	session_free(s);
	buf_free(&l.b);
	free(rcpts);
	free(why);
	free(errstr);
	return rc;
}

int
deliver_open(struct outbox **ob)
{
	char *why = NULL;
	enum err e = outbox_open(ob, NULL, &why);

	if (e != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}

int
deliver_enqueue(const struct cli *c, struct outbox *ob,
    struct outbox_item *it, struct qentry *q, const struct deliver_env *d)
{
	char *why = NULL;
	size_t i;
	enum err e;

	if ((c->acct != NULL && (q->account = strdup(c->acct->name)) == NULL) ||
	    (c->server != NULL && (q->server = strdup(c->server)) == NULL) ||
	    (q->from = strdup(d->from)) == NULL ||
	    (d->notify != NULL && (q->dsn_notify = strdup(d->notify)) ==
	    NULL) ||
	    (d->ret != NULL && (q->dsn_ret = strdup(d->ret)) == NULL) ||
	    (d->envid != NULL && (q->dsn_envid = strdup(d->envid)) == NULL))
		return EX_OSERR;
	for (i = 0; i < d->nrcpts; i++)
		if (qentry_add_rcpt(q, d->rcpts[i]) != ERR_OK)
			return EX_OSERR;
	q->eightbit = d->eightbit;
	q->size = (int64_t)d->size;
	q->chunking = c->chunking;
	q->created = (int64_t)time(NULL);
	if ((e = outbox_commit(ob, it, q, &why)) != ERR_OK) {
		cli_error(_("the message could not be queued: %s"),
		    why != NULL ? why : err_str(e));
		free(why);
		return err_exit_code(e);
	}
	return 0;
}
