/* submit_stream.c - spool and send at once: one message goes to the server while it is still being written to the outbox, its end only once it is durable. */
/* SPDX-License-Identifier: ISC */
#include "submit_int.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "i18n.h"

/*
 * The message goes out while it is being written.  Not to a server
 * without 8BITMIME: whether the data is 8-bit is known only at its end,
 * so it waits for the commit and goes as it always did (rewritten by
 * submit_downgrade() where that applies); nor when an address has a
 * domain to convert for a server without SMTPUTF8
 * (submit_idn_downgrade() rewrites the header).  Declaring
 * BODY=8BITMIME for data
 * that turns out 7-bit is allowed (RFC 6152).  No SIZE= either: the size
 * is not known yet; it is checked before the end (stream_oversize()).
 *
 * Only once STREAM_MIN bytes are written: a smaller message costs little
 * to spool first, and then goes with its exact SIZE and BODY, the same
 * whichever of the input and the server was quicker.
 */
#define STREAM_MIN (1024 * 1024)
static void
start_stream(struct submit *s)
{
	struct qentry *q = &s->v[0];
	struct flight *fl = cur_flight(s);
	char *errstr = NULL;
	const struct smtp_caps *caps = smtp_caps(session_smtp(s->s));

	if (s->n != 1 || s->next != 0 || s->stopped || s->avail < STREAM_MIN ||
	    !(caps->flags & SMTP_CAP_8BITMIME) ||
	    (caps->size > 0 && s->avail > caps->size))
		return;
	if (submit_prepare(s, q, fl, &errstr) != ERR_OK) {
		/* Tried again once committed, the usual way. */
		free(errstr);
		return;
	}
	if (fl->idn_err != ERR_OK || fl->nidn > 0) {
		/*
		 * Domains as A-labels for a server without SMTPUTF8: the
		 * header is rewritten too, so the message waits for its end.
		 */
		(void)close(fl->fd);
		fl->fd = -1;
		submit_idn_clear(fl);
		return;
	}
	fl->env.size = 0;
	fl->env.eightbit = 1;
	free(fl->why);
	fl->why = NULL;
	fl->seq = smtp_messages_begun(session_smtp(s->s));
	fl->sent0 = session_bytes_sent(s->s);
	if (session_send_growing(s->s, &fl->env, fl->fd, &fl->why) !=
	    ERR_OK) {
		(void)close(fl->fd);
		fl->fd = -1;
		return;
	}
	s->next = 1;
	fl->q = q;
	s->trans++;
	s->streaming = 1;
	fl->from = qlog_size(s->lg);
	submit_tell(s, SUBMIT_SENDING, q, NULL);
	session_body_grown(s->s, NULL, (size_t)s->avail);
}

/* Before the commit: connect and start the message, file nothing. */
void
submit_stream_advance(struct submit *s)
{
	if (s->phase == PH_CONNECT && session_status(s->s) == SESSION_READY)
		submit_ready(s);
	/* Once there is enough of it (start_stream() says). */
	if (s->phase == PH_SEND && !s->streaming && s->next == 0 &&
	    session_status(s->s) == SESSION_READY)
		start_stream(s);
}

/* A streamed message given up before its end: nothing of it is filed. */
static void
drop_flight(struct flight *fl)
{
	if (fl->fd >= 0)
		(void)close(fl->fd);
	fl->fd = -1;
	fl->q = NULL;
}

/*
 * Larger than the server takes (SIZE): the streamed message is given up
 * before its end (the connection dropped, so the server takes nothing)
 * and, once committed, goes the usual way over a new connection, which
 * refuses it before MAIL as it always did.
 */
static int
stream_oversize(struct submit *s, uint64_t size)
{
	uint64_t max = smtp_caps(session_smtp(s->s))->size;

	if (!s->streaming || max == 0 || size <= max)
		return 0;
	session_abort(s->s, ERR_TOOBIG, _("the message is larger than the "
	    "server takes (SIZE): it goes again once queued"));
	drop_flight(cur_flight(s));
	s->streaming = 0;
	s->next = 0;
	s->phase = PH_AGAIN;
	return 1;
}

/*
 * The session goes on as far as it can without waiting.  Once the data
 * flows, poll() is needed only by a write that had to wait: the session
 * takes each new block itself (session_body_grown()).
 */
static void
stream_poll(struct submit *s)
{
	struct pollfd pfd;
	int n;

	do {
		(void)submit_pollfd(s, &pfd);
		if (pfd.fd < 0 || (!(pfd.events & POLLOUT) && s->streaming &&
		    session_body_taken(s->s) > 0))
			return;
		n = poll(&pfd, 1, 0);
		if (n > 0)
			submit_step(s, pfd.revents);
	} while (n > 0 && s->phase != PH_DONE);
}

void
submit_stream_grown(struct submit *s, const char *p, size_t n)
{
	if (!s->stream || s->committed || s->phase == PH_DONE || s->s == NULL)
		return;
	s->avail += n;
	if (s->streaming) {
		if (stream_oversize(s, s->avail))
			return;
		session_body_grown(s->s, p, n);
	}
	stream_poll(s);
}

void
submit_stream_wait(struct submit *s, int fd)
{
	struct pollfd pfd[2];
	int t, n;

	/* Input at hand: no small write while it flows. */
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	if (poll(pfd, 1, 0) > 0)
		return;
	for (;;) {
		/* Waiting for input: what the session holds goes now. */
		if (s->streaming && !s->committed && s->phase != PH_DONE)
			session_body_flush(s->s);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = -1;
		pfd[1].revents = 0;
		t = -1;
		if (s->stream && !s->committed && s->phase != PH_DONE &&
		    s->s != NULL)
			t = submit_pollfd(s, &pfd[1]);
		n = poll(pfd, 2, t);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;
		if (pfd[1].fd >= 0 && (n == 0 || pfd[1].revents != 0))
			submit_step(s, n == 0 ? 0 : pfd[1].revents);
		if (pfd[0].revents != 0)
			return;
	}
}

enum err
submit_stream_commit(struct submit *s, struct outbox_item *it, int eightbit,
    uint64_t size, char **errstr)
{
	struct qentry *v = &s->v[0];
	enum err e;

	if (!s->stream || s->committed)
		return ERR_SOFTWARE;
	v->eightbit = eightbit;
	v->size = (int64_t)size;
	if ((e = outbox_commit(s->ob, it, v, errstr)) != ERR_OK) {
		submit_stream_abandon(s);
		return e;
	}
	s->committed = 1;
	if (s->phase == PH_DONE)
		return ERR_OK;
	if (s->s == NULL) {
		submit_record_rest(s, 0, s->open_err, s->open_why);
		submit_end(s);
		return ERR_OK;
	}
	if (s->streaming && !stream_oversize(s, size)) {
		/*
		 * DESIGN decision 3, durable before accepted: the message
		 * is fsynced and its entry saved (outbox_commit()): only
		 * from here may the final dot or BDAT LAST go out.
		 */
		session_body_durable(s->s);
	}
	if (s->phase == PH_AGAIN && session_status(s->s) == SESSION_DONE)
		submit_reconnect(s);
	else
		submit_step(s, 0);
	return ERR_OK;
}

void
submit_stream_abandon(struct submit *s)
{
	if (!s->stream || s->committed || s->phase == PH_DONE)
		return;
	/* Not committed: nothing may be accepted, nothing is filed. */
	s->stopped = 1;
	if (s->s != NULL)
		session_cancel(s->s);
	drop_flight(cur_flight(s));
	s->next = s->n;
	submit_end(s);
}
