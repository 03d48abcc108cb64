/* session.c - one SMTP conversation over a real connection: net + TLS + the engine + a timer; the servers it tries in turn are in session_hosts.c. */
/* SPDX-License-Identifier: ISC */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sysexits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "candidates.h"
#include "i18n.h"
#include "session_int.h"
#include "trust.h"
#include "util.h"

/* Network reads and message-file reads: large blocks, not lines. */
#define SESSION_BLOCK (64 * 1024)
/* The data of a full TLS record (the default max_send_fragment). */
#define SESSION_RECORD 16384

static int
seconds(const struct session *s, enum smtp_timer t)
{
	return s->o->smtp.timeouts[t] > 0 ? s->o->smtp.timeouts[t] :
	    smtp_timer_default(t);
}

/* The engine's timer for what it waits for now. */
static void
arm_timer(struct session *s)
{
	s->serial = smtp_wait_serial(s->smtp);
	s->deadline = util_now_us() + (int64_t)smtp_timeout_ms(s->smtp) * 1000;
}

static void
finish(struct session *s)
{
	if (s->phase == P_DONE)
		return;
	s->phase = P_DONE;
	if (s->o->smtp.stop_drop && smtp_error(s->smtp, NULL) == ERR_STOPPED)
		tls_quiet(s->tls);
	tls_free(s->tls);
	s->tls = NULL;
	net_connect_free(s->nc);
	s->nc = NULL;
	if (s->fd >= 0) {
		(void)close(s->fd);
		s->fd = -1;
	}
}

/* Every failure outside the engine ends up in it, so there is one error. */
static void
fail(struct session *s, enum err e, const char *why)
{
	smtp_abort(s->smtp, e, why);
	finish(s);
}

/* Everything but the connection; fd -1, phase P_CONNECT. */
static enum err
session_new(struct session **out, const struct session_opts *o,
    struct transcript *tr)
{
	struct session *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ERR_NOMEM;
	s->o = o;
	s->tr = tr;
	/* Times in the transcript count from this connection's start. */
	transcript_begin(tr);
	s->fd = -1;
	s->body_fd = -1;
	s->tlso = o->tls;
	s->so = &o->smtp;
	s->host = o->host;
	s->port = o->port;
	if (s->tlso.servername == NULL)
		s->tlso.servername = o->host;
	s->rbuf = malloc(SESSION_BLOCK);
	s->bbuf = malloc(SESSION_BLOCK);
	s->smtp = smtp_new(&o->smtp, tr);
	if (s->rbuf == NULL || s->bbuf == NULL || s->smtp == NULL) {
		session_free(s);
		return ERR_NOMEM;
	}
	s->phase = P_CONNECT;
	s->end = util_now_us() +
	    (int64_t)seconds(s, SMTP_T_SESSION) * 1000000;
	*out = s;
	return ERR_OK;
}

/* The engine's error and its detail (copied into *errstr), for a session that ends before it is handed out. */
static enum err
fail_detail(const struct session *s, char **errstr)
{
	const char *why = NULL;
	enum err e = smtp_error(s->smtp, &why);

	if (e == ERR_OK)
		e = ERR_NET;
	util_seterr(errstr, "%s", why != NULL ? why : err_str(e));
	return e;
}

enum err
session_open(struct session **out, const struct session_opts *o,
    struct transcript *tr, char **errstr)
{
	struct session *s;
	enum err e;

	*out = NULL;
	e = session_new(&s, o, tr);
	if (e != ERR_OK)
		return e;
	if (o->mx_domain != NULL)
		e = session_open_mx(s, errstr);
	else
		e = net_connect_start(&s->nc, o->host, o->port, &o->net, tr,
		    errstr);
	if (e != ERR_OK && e != ERR_NOMEM && o->servers != NULL &&
	    o->mx_domain == NULL) {
		/* Not reachable at once: the fallback servers may be. */
		transcript_emitf(tr, TR_ERROR, 0, "%s", errstr != NULL &&
		    *errstr != NULL ? *errstr : err_str(e));
		smtp_abort(s->smtp, e, errstr != NULL ? *errstr : NULL);
		s->phase = P_DONE;
		session_try_fallback(s, e);
		if (errstr != NULL) {
			free(*errstr);
			*errstr = NULL;
		}
		if (s->phase != P_DONE)
			e = ERR_OK;
		else
			/* Every server failed at once: the last one's error. */
			e = fail_detail(s, errstr);
	}
	if (e != ERR_OK) {
		session_free(s);
		return e;
	}
	*out = s;
	return ERR_OK;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	finish(s);
	smtp_free(s->smtp);
	tls_peer_free(s->peer);
	candidates_free(&s->cand);
	free(s->rbuf);
	free(s->bbuf);
	free(s);
}

static void
start_tls(struct session *s)
{
	char *why = NULL;
	enum err e;

	e = tls_new(&s->tls, s->fd, &s->tlso, s->tr, &why);
	if (e != ERR_OK) {
		fail(s, e, why);
		free(why);
		return;
	}
	s->phase = P_HANDSHAKE;
	s->hs_want = POLLOUT;
	s->deadline = util_now_us() +
	    (int64_t)seconds(s, SMTP_T_TLS) * 1000000;
}

/*
 * The connection is up and fd is the session's: implicit TLS starts its
 * handshake, anything else waits for the greeting.
 */
static void
connected(struct session *s, int fd)
{
	s->fd = fd;
	/* The final dot must never wait for Nagle's algorithm. */
	(void)net_set_nodelay(fd);
	smtp_connected(s->smtp);
	if (smtp_want(s->smtp) & SMTP_DONE) {
		finish(s);   /* dropped after connecting, as asked */
		return;
	}
	if (s->so->tls == SMTP_TLS_IMPLICIT) {
		start_tls(s);
		return;
	}
	net_transport(&s->tp, fd);
	s->phase = P_SMTP;
	transcript_connected(s->tr);
	arm_timer(s);
}

enum err
session_open_fd(struct session **out, const struct session_opts *o, int fd,
    struct transcript *tr, char **errstr)
{
	struct session *s;
	enum err e;
	int fl;

	*out = NULL;
	e = session_new(&s, o, tr);
	if (e != ERR_OK) {
		(void)close(fd);
		return e;
	}
	/* Every read and write below assumes poll() said when. */
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		util_seterr(errstr, _("cannot use the connection: %s"),
		    strerror(errno));
		(void)close(fd);
		session_free(s);
		return ERR_NET;
	}
	connected(s, fd);
	*out = s;
	return ERR_OK;
}

static void
step_connect(struct session *s, short revents)
{
	char *why = NULL;
	enum err e;
	int fd = -1;

	e = net_connect_step(s->nc, revents, &fd, &why);
	if (e != ERR_OK) {
		fail(s, e, why);
		free(why);
		return;
	}
	if (fd < 0)
		return;
	net_connect_free(s->nc);
	s->nc = NULL;
	connected(s, fd);
}

/*
 * Opportunistic STARTTLS whose handshake failed: the conversation cannot
 * go on over that connection, so connect again and go on in clear text,
 * saying so loudly.  1 when it did (or failed trying, reported); 0 when
 * this failure is not one to retry in clear text: a certificate that
 * did not verify is the user's to judge, not a reason to drop TLS.
 */
static int
retry_plain(struct session *s, enum err e, const char *why)
{
	struct smtp *ns;
	char *err2 = NULL;
	enum err e2;

	if (s->so->tls != SMTP_TLS_OPPORTUNISTIC || s->plain_retry ||
	    (e != ERR_TLS && e != ERR_CLOSED))
		return 0;
	s->plain = *s->so;
	s->plain.tls = SMTP_TLS_NONE;
	ns = smtp_new(&s->plain, s->tr);
	if (ns == NULL)
		return 0;
	s->plain_retry = 1;
	transcript_emitf(s->tr, TR_WARN, TR_F_LOUD, _("the TLS handshake "
	    "failed (%s): connecting again to continue WITHOUT TLS, "
	    "everything in plain text (opportunistic TLS)"),
	    why != NULL ? why : err_str(e));
	tls_free(s->tls);
	s->tls = NULL;
	(void)close(s->fd);
	s->fd = -1;
	smtp_free(s->smtp);
	s->smtp = ns;
	s->rd_blocked = 0;
	s->rd_need = 0;
	s->wr_need = 0;
	s->phase = P_CONNECT;
	transcript_begin(s->tr);
	e2 = net_connect_start(&s->nc, s->host, s->port, &s->o->net,
	    s->tr, &err2);
	if (e2 != ERR_OK) {
		fail(s, e2, err2);
		free(err2);
	}
	return 1;
}

/* The certificate first seen is recorded; a different one is refused, both shown. */
static enum err
tofu_changed(struct session *s, const struct trust_rec *r, const char *key,
    char **why)
{
	struct buf b;
	const char *p, *nl;
	char when[64];
	int ok;

	buf_init(&b, 256 * 1024);
	transcript_emitf(s->tr, TR_ERROR, TR_F_LOUD, _("the certificate of "
	    "%s is not the one trusted on first use:"), key);
	ok = trust_diff(&b, r, s->peer, 34) == 0;
	for (p = b.data; ok && p != NULL && p < b.data + b.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(b.data + b.len - p));
		if (nl == NULL)
			break;
		transcript_emit(s->tr, TR_ERROR, TR_F_LOUD, p,
		    (size_t)(nl - p));
	}
	buf_reset(&b);
	trust_time_str(when, sizeof(when), r->first_seen);
	ok = ok && buf_printf(&b, _("the certificate of %s changed since it "
	    "was first trusted on %s (SHA-256 %s, now %s); "), key, when,
	    r->fingerprint, s->peer->fingerprint) == 0 &&
	    trust_tofu_remedy(&b, key) == 0;
	if (ok)
		*why = strdup(buf_str(&b));
	buf_free(&b);
	return ok && *why != NULL ? ERR_TLS_VERIFY : ERR_NOMEM;
}

/* tls_trust = tofu: judge the peer by the trust store; ERR_OK to go on. */
static enum err
tofu_check(struct session *s, char **why)
{
	struct trust *t = NULL;
	const struct trust_rec *r;
	char *key, *werr = NULL;
	enum err e;
	int64_t now = (int64_t)time(NULL);

	if (s->peer == NULL || s->peer->fingerprint[0] == '\0')
		return ERR_NOMEM;
	if ((key = trust_hostport(s->host, s->port)) == NULL)
		return ERR_NOMEM;
	if ((e = trust_load(&t, s->o->trust_dir, why)) != ERR_OK) {
		free(key);
		return e;
	}
	r = trust_find(t, key);
	if (r != NULL && !trust_same(r, s->peer)) {
		e = tofu_changed(s, r, key, why);
	} else if (r != NULL) {
		char when[64];

		trust_time_str(when, sizeof(when), r->first_seen);
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("certificate is "
		    "the one trusted for %s on first use (%s)"), key, when);
		/*
		 * Only the last-seen time changes: a failure costs nothing,
		 * and it is written at most once an hour, so that the store
		 * (rewritten whole, without a lock) is rarely written while
		 * another pigeon records a host for the first time.
		 */
		if (now - r->last_seen >= 3600 &&
		    (trust_record(t, key, s->peer, now) != ERR_OK ||
		    trust_save(t, &werr) != ERR_OK))
			transcript_emitf(s->tr, TR_WARN, 0, _("the trust store "
			    "was not updated: %s"), werr != NULL ? werr : "?");
	} else if ((e = trust_record(t, key, s->peer, now)) == ERR_OK &&
	    (e = trust_save(t, why)) == ERR_OK) {
		transcript_emitf(s->tr, TR_TLS, TR_F_TLS, _("first connection "
		    "to %s: its certificate (SHA-256 %s) is now trusted on "
		    "first use, recorded in %s"), key, s->peer->fingerprint,
		    trust_path(t));
	}
	free(werr);
	free(key);
	trust_free(t);
	return e;
}

static void
step_handshake(struct session *s)
{
	char *why = NULL;
	enum err e;
	int want = 0;

	e = tls_handshake(s->tls, &want, &why);
	if (want == 0) {
		struct tls_peer *p = tls_peer_take(s->tls);

		if (p != NULL) {
			tls_peer_free(s->peer);
			s->peer = p;
		}
	}
	if (e != ERR_OK) {
		if (!retry_plain(s, e, why))
			fail(s, e, why);
		free(why);
		return;
	}
	if (want != 0) {
		s->hs_want = (short)want;
		return;
	}
	if (s->o->tofu && s->tlso.tofu && s->tlso.fingerprint == NULL &&
	    (e = tofu_check(s, &why)) != ERR_OK) {
		fail(s, e, why);
		free(why);
		return;
	}
	tls_transport(&s->tp, s->tls);
	s->phase = P_SMTP;
	s->rd_need = POLLIN;
	s->wr_need = POLLOUT;
	smtp_tls_done(s->smtp, 1);
	if (smtp_want(s->smtp) & SMTP_DONE) {
		finish(s);
		return;
	}
	if (s->so->tls == SMTP_TLS_IMPLICIT)
		transcript_connected(s->tr);
	arm_timer(s);
}

/*
 * Read the next block of the message into the engine: 1 when something
 * went in (or the end), 0 when a growing message has nothing new yet, -1
 * on a read error (the session failed).
 */
static int
feed_body(struct session *s)
{
	size_t want = SESSION_BLOCK;
	ssize_t n;

	if (s->growing) {
		if (s->body_off == s->body_avail) {
			/*
			 * DESIGN decision 3, durable before accepted: the
			 * end of the data (the final dot, BDAT LAST) is held
			 * here until the caller says the spooled copy is
			 * fsynced and committed to the outbox
			 * (session_body_durable()).  A server never accepts
			 * a message that a crash could lose.
			 */
			if (!s->body_final)
				return 0;
			smtp_body_end(s->smtp);
			return 1;
		}
		if (s->body_avail - s->body_off < want)
			want = (size_t)(s->body_avail - s->body_off);
	}
	do
		n = s->growing ? pread(s->body_fd, s->bbuf, want,
		    (off_t)s->body_off) : read(s->body_fd, s->bbuf, want);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (n == 0 && s->growing)) {
		char *why = util_strf(_("cannot read the message: %s"),
		    n < 0 ? strerror(errno) : _("it is shorter than written"));

		fail(s, ERR_IO, why);
		free(why);
		return -1;
	}
	s->body_off += (uint64_t)n;
	if (n == 0)
		smtp_body_end(s->smtp);
	else
		smtp_body(s->smtp, s->bbuf, (size_t)n);
	return 1;
}

/*
 * A growing message caught up with its spool: a small output waits for
 * the next block rather than go out alone (big writes, full TLS
 * records); the engine asks for more body until it has SMTP_BODY_LOW.
 */
static int
body_hold(const struct session *s, unsigned w)
{
	return s->growing && !s->body_final && !s->body_flush &&
	    s->body_off == s->body_avail && (w & SMTP_WANT_BODY);
}

/*
 * The bytes of a write, for a raw dump: secrets masked by the engine,
 * which knows where they are.  Without memory for the copy the event is
 * skipped (never shown unmasked).
 */
static void
raw_out(struct session *s, const char *p, size_t n)
{
	unsigned flags = s->tp.tls ? TR_F_TLS : 0;
	char *copy;

	if ((copy = malloc(n)) == NULL)
		return;
	memcpy(copy, p, n);
	if (smtp_output_redact(s->smtp, copy, n) > 0)
		flags |= TR_F_REDACTED;
	transcript_emit(s->tr, TR_RAW_OUT, flags, copy, n);
	explicit_bzero(copy, n);
	free(copy);
}

/* Hand pending output to the transport; 1 when something went out. */
static int
do_write(struct session *s)
{
	const char *p;
	size_t len;
	ssize_t n;

	p = smtp_output(s->smtp, &len);
	if (p == NULL)
		return 0;
	/*
	 * TLS: whole records (16 KiB of data each); the rest goes with the
	 * next block, or alone at once when nothing follows.
	 */
	if (s->tp.tls && len > SESSION_RECORD)
		len -= len % SESSION_RECORD;
	n = s->tp.ops->write(s->tp.ctx, p, len);
	if (n == TRANSPORT_WANT_READ || n == TRANSPORT_WANT_WRITE) {
		s->wr_need = n == TRANSPORT_WANT_READ ? POLLIN : POLLOUT;
		return 0;
	}
	if (n < 0) {
		fail(s, ERR_NET, s->tp.ops->errmsg(s->tp.ctx));
		return 0;
	}
	if (n > 0 && transcript_raw(s->tr))
		raw_out(s, p, (size_t)n);
	s->wr_need = POLLOUT;
	s->sent += (unsigned long long)n;
	smtp_consumed(s->smtp, (size_t)n);
	return 1;
}

/* Read what the server sent; 1 when something came in. */
static int
do_read(struct session *s)
{
	ssize_t n;

	n = s->tp.ops->read(s->tp.ctx, s->rbuf, SESSION_BLOCK);
	if (n == TRANSPORT_WANT_READ || n == TRANSPORT_WANT_WRITE) {
		s->rd_need = n == TRANSPORT_WANT_READ ? POLLIN : POLLOUT;
		s->rd_blocked = 1;
		return 0;
	}
	if (n < 0) {
		fail(s, ERR_NET, s->tp.ops->errmsg(s->tp.ctx));
		return 0;
	}
	s->rd_need = POLLIN;
	/*
	 * Less than a block: the socket is most likely empty now; poll()
	 * says when more comes, which saves a read that would find nothing.
	 */
	s->rd_blocked = n > 0 && n < SESSION_BLOCK;
	if (n > 0 && transcript_raw(s->tr))
		transcript_emit(s->tr, TR_RAW_IN, s->tp.tls ? TR_F_TLS : 0,
		    s->rbuf, (size_t)n);
	if (n == 0)
		smtp_eof(s->smtp);
	else
		smtp_feed(s->smtp, s->rbuf, (size_t)n);
	return 1;
}

static void
step_smtp(struct session *s, short revents)
{
	unsigned w;
	int progress;

	/* A step-mode pause waits for the user, not for the server. */
	if (revents == 0 && util_now_us() >= s->deadline &&
	    !(smtp_want(s->smtp) & SMTP_HELD)) {
		smtp_timeout(s->smtp);
		finish(s);
		return;
	}
	if (revents & (s->rd_need | POLLHUP | POLLERR))
		s->rd_blocked = 0;
	do {
		progress = 0;
		w = smtp_want(s->smtp);
		if (w & SMTP_DONE)
			break;
		if (w & SMTP_WANT_TLS) {
			start_tls(s);
			if (s->phase == P_HANDSHAKE)
				step_handshake(s);
			return;
		}
		/* Fill the output first, so data and the dot leave together. */
		if ((w & SMTP_WANT_BODY) && s->body_fd >= 0) {
			int fed = feed_body(s);

			if (fed < 0)
				return;
			if (fed > 0) {
				progress = 1;
				continue;
			}
		}
		if ((w & SMTP_NEXT) && s->next_hold && !s->next_held) {
			s->next_held = 1;
			if (smtp_wait_serial(s->smtp) != s->serial)
				arm_timer(s);
			return;
		}
		if ((w & SMTP_WANT_WRITE) && !body_hold(s, w) && do_write(s))
			progress = 1;
		if (s->phase == P_DONE)
			return;
		if ((w & SMTP_WANT_READ) && (!s->rd_blocked ||
		    s->tp.ops->pending(s->tp.ctx) > 0) && do_read(s))
			progress = 1;
		if (s->phase == P_DONE)
			return;
		/* A new wait (not a byte trickling in) restarts the timer. */
		if (smtp_wait_serial(s->smtp) != s->serial)
			arm_timer(s);
	} while (progress);
	if (smtp_want(s->smtp) & SMTP_DONE)
		finish(s);
}

void
session_step(struct session *s, short revents)
{
	if (s->phase != P_DONE && util_now_us() >= s->end) {
		char *why = util_strf(_("the session went on for longer than "
		    "%d seconds (session_timeout)"),
		    seconds(s, SMTP_T_SESSION));

		fail(s, ERR_TIMEOUT, why);
		free(why);
		return;
	}
	switch (s->phase) {
	case P_CONNECT:
		step_connect(s, revents);
		if (s->phase != P_SMTP)
			break;
		/* Connected: the greeting may already be there. */
		step_smtp(s, POLLIN);
		break;
	case P_HANDSHAKE:
		if (revents == 0 && util_now_us() >= s->deadline) {
			char *why = util_strf(_("the TLS handshake did not end "
			    "within %d seconds (tls_timeout)"),
			    seconds(s, SMTP_T_TLS));

			fail(s, ERR_TIMEOUT, why);
			free(why);
			break;
		}
		step_handshake(s);
		if (s->phase == P_SMTP)
			step_smtp(s, POLLIN);
		break;
	case P_SMTP:
		step_smtp(s, revents);
		break;
	case P_DONE:
		break;
	}
	if (s->phase == P_DONE)
		session_try_next(s);
}

/* A poll timeout: ms (-1: none), or sooner when the time at comes first. */
static int
sooner(int64_t ms, int64_t at)
{
	int64_t left = (at - util_now_us()) / 1000 + 1;

	if (left < 0)
		left = 0;
	if (left > 24 * 3600 * 1000)
		left = 24 * 3600 * 1000;
	return ms >= 0 && ms < left ? (int)ms : (int)left;
}

int
session_pollfd(struct session *s, struct pollfd *pfd)
{
	int64_t left;
	unsigned w;

	pfd->fd = s->fd;
	pfd->events = 0;
	pfd->revents = 0;
	switch (s->phase) {
	case P_CONNECT:
		left = net_connect_pollfd(s->nc, pfd);
		return sooner(left, s->end);
	case P_HANDSHAKE:
		pfd->events = s->hs_want;
		break;
	case P_SMTP:
		w = smtp_want(s->smtp);
		if ((w & SMTP_WANT_WRITE) && !body_hold(s, w))
			pfd->events |= s->wr_need ? s->wr_need : POLLOUT;
		if (w & SMTP_WANT_READ) {
			if (s->tp.ops->pending(s->tp.ctx) > 0)
				return 0;
			pfd->events |= s->rd_need ? s->rd_need : POLLIN;
		}
		if ((w & (SMTP_DONE | SMTP_HELD)) || ((w & SMTP_READY) &&
		    !(w & SMTP_WANT_READ)))
			return -1;
		break;
	case P_DONE:
		pfd->fd = -1;
		return -1;
	}
	return sooner(-1, s->deadline < s->end ? s->deadline : s->end);
}

enum session_status
session_status(const struct session *s)
{
	unsigned w;

	if (s->phase == P_DONE)
		return SESSION_DONE;
	if (s->phase != P_SMTP)
		return SESSION_BUSY;
	w = smtp_want(s->smtp);
	if (w & SMTP_DONE)
		return SESSION_DONE;
	if (w & SMTP_READY)
		return SESSION_READY;
	if ((w & SMTP_HELD) && !(w & SMTP_WANT_WRITE))
		return SESSION_READY;
	return SESSION_BUSY;
}

enum err
session_send(struct session *s, const struct smtp_envelope *env, int fd,
    char **errstr)
{
	enum err e;

	e = smtp_mail(s->smtp, env, errstr);
	if (e != ERR_OK)
		return e;
	s->body_fd = fd;
	s->growing = 0;
	s->next_held = 0;
	arm_timer(s);
	step_smtp(s, POLLOUT);
	return ERR_OK;
}

enum err
session_send_growing(struct session *s, const struct smtp_envelope *env,
    int fd, char **errstr)
{
	enum err e;

	if ((e = smtp_mail(s->smtp, env, errstr)) != ERR_OK)
		return e;
	s->body_fd = fd;
	s->growing = 1;
	s->body_final = 0;
	s->body_flush = 0;
	s->body_off = s->body_avail = 0;
	arm_timer(s);
	step_smtp(s, POLLOUT);
	return ERR_OK;
}

void
session_body_grown(struct session *s, const char *p, size_t n)
{
	if (!s->growing)
		return;
	s->body_flush = 0;
	/*
	 * Caught up with the spool and the engine has room: the block goes
	 * in from the writer's buffer, without reading it back.
	 */
	if (p != NULL && n > 0 && s->phase == P_SMTP &&
	    s->body_off == s->body_avail &&
	    (smtp_want(s->smtp) & SMTP_WANT_BODY)) {
		smtp_body(s->smtp, p, n);
		s->body_off += n;
	}
	s->body_avail += n;
	if (s->phase == P_SMTP)
		step_smtp(s, POLLOUT);
}

void
session_body_flush(struct session *s)
{
	if (!s->growing || s->body_flush)
		return;
	s->body_flush = 1;
	if (s->phase == P_SMTP)
		step_smtp(s, POLLOUT);
}

void
session_body_durable(struct session *s)
{
	if (!s->growing)
		return;
	s->body_final = 1;
	if (s->phase == P_SMTP)
		step_smtp(s, POLLOUT);
}

uint64_t
session_body_taken(const struct session *s)
{
	return s->growing ? s->body_off : 0;
}

int
session_next_ok(const struct session *s)
{
	return s->phase == P_SMTP && (smtp_want(s->smtp) & SMTP_NEXT);
}

void
session_pipeline_next(struct session *s, int on)
{
	s->next_hold = on;
}

void
session_quit(struct session *s)
{
	if (s->phase != P_SMTP)
		return;
	smtp_quit(s->smtp);
	arm_timer(s);
	step_smtp(s, POLLOUT);
}

void
session_resume(struct session *s)
{
	if (s->phase != P_SMTP)
		return;
	arm_timer(s);
	step_smtp(s, POLLOUT);
}

void
session_cancel(struct session *s)
{
	fail(s, ERR_CANCEL, _("cancelled by the user"));
}

void
session_abort(struct session *s, enum err e, const char *why)
{
	fail(s, e, why);
}

void
session_stop(struct session *s)
{
	if (s->phase != P_SMTP) {
		session_cancel(s);
		return;
	}
	smtp_stop(s->smtp, _("stopped by the user"));
	arm_timer(s);
	step_smtp(s, POLLOUT);
}

enum session_status
session_wait(struct session *s)
{
	struct pollfd pfd;
	enum session_status st;
	int timeout, n;

	while ((st = session_status(s)) == SESSION_BUSY) {
		timeout = session_pollfd(s, &pfd);
		n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(s, ERR_IO, strerror(errno));
			break;
		}
		session_step(s, n == 0 ? 0 : pfd.revents);
	}
	return session_status(s);
}

enum err
session_error(const struct session *s, const char **detail)
{
	return smtp_error(s->smtp, detail);
}

struct smtp *
session_smtp(struct session *s)
{
	return s->smtp;
}

unsigned long long
session_bytes_sent(const struct session *s)
{
	return s->sent;
}

const struct tls_peer *
session_peer(const struct session *s)
{
	return s->peer;
}
