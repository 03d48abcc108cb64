/* submit_int.h - what the delivery pipeline's files share (submit.c, submit_fit.c, submit_stream.c): the run's state and helpers; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SUBMIT_INT_H
#define PIGEON_SUBMIT_INT_H

#include "buf.h"
#include "qlog.h"
#include "session.h"
#include "submit.h"

enum phase {
	PH_CONNECT,                /* until the session is ready */
	PH_SEND,                   /* a message at a time */
	PH_QUIT,                   /* QUIT sent, waiting for the end */
	PH_AGAIN,                  /* QUIT sent; then a new connection (LIMITS MAILMAX) */
	PH_DONE,
};

/* A message whose outcome is known but not filed yet. */
struct pending {
	struct qentry *q;          /* NULL: none */
	enum outbox_outcome oc;
	enum err err;
	uint64_t from;             /* its part of the connection's log */
	enum smtp_stage stage;
};

/*
 * A message on the wire: its envelope is with the session, its outcome
 * not known yet.  Two at most: the one whose reply is awaited and, with
 * PIPELINING, the next one, whose envelope went out behind its dot.
 * They stay where they are (the engine points at env and rcpts); head
 * says which one is older.
 */
struct flight {
	struct qentry *q;          /* NULL: none */
	int fd;                    /* its message */
	struct smtp_envelope env;
	const char **rcpts;
	unsigned seq;              /* its number in the engine (smtp_messages_begun()) */
	uint64_t from;             /* its part of the connection's log */
	uint64_t sent0;            /* bytes sent before it */
	int capped;                /* this transaction has part of its recipients */
	char *why;                 /* why the session refused it */
	/* Addresses with their domains as A-labels (submit_idn_envelope()). */
	char **idn;
	size_t nidn;
	enum err idn_err;          /* not ERR_OK: refused before MAIL */
	char *idn_why;
};

struct submit {
	struct outbox *ob;
	struct submit_opts o;
	struct transcript *tr;
	struct qentry *v;
	size_t n, next;
	struct session *s;
	enum phase phase;
	/* The transcript on its way to the connection's log. */
	struct buf logb;
	struct qlog_conn *lg;
	int subscribed;
	/* The messages on the wire: fl[head] is the older. */
	struct flight fl[2];
	int head;
	uint64_t from;             /* the log part of the last one finished */
	struct pending pend;
	/*
	 * The server's LIMITS (RFC 9422): a message with more recipients
	 * than one transaction takes goes again at once for the rest
	 * (again), and after MAILMAX transactions the rest go over a new
	 * connection.
	 */
	struct qentry *again;
	unsigned trans;            /* transactions on this connection */
	int stopped;
	int batch;
	/*
	 * Spool and send at once (submit_new_stream()): the one message is
	 * still being written to stream_fd, avail bytes so far; nothing is
	 * filed and no end of data goes out before it is committed.
	 */
	int stream, committed, streaming;
	int stream_fd;
	uint64_t avail;
	enum err open_err;         /* the connection failed at once */
	char *open_why;            /* and why */
	/* The session's options: o.rt's, with an OAuth2 token of our own. */
	struct session_opts so;
	char *token;
	int renewed;               /* the server refused one token: the new one is the last */
};

/* The message whose reply comes first; the one pipelined behind it. */
static inline struct flight *
cur_flight(struct submit *s)
{
	return &s->fl[s->head];
}

static inline struct flight *
next_flight(struct submit *s)
{
	return &s->fl[s->head ^ 1];
}

/* submit.c */
/* An event for the front end (submit_opts.event), if it listens. */
void submit_tell(struct submit *s, enum submit_ev kind,
    const struct qentry *q, const char *text);
/* Entries from i on had no transaction: filed with err and why. */
void submit_record_rest(struct submit *s, size_t i, enum err err,
    const char *why);
/*
 * The envelope of q's pending recipients in fl, its message open in
 * fl->fd.  ERR_OK; ERR_NOINPUT when a stopped run had sent it (it is
 * filed now); other errors with *errstr.
 */
enum err submit_prepare(struct submit *s, struct qentry *q,
    struct flight *fl, char **errstr);
/* The connection is up: its log starts, moves are batched. */
void submit_ready(struct submit *s);
/* LIMITS MAILMAX was reached and more is to go: a new connection. */
void submit_reconnect(struct submit *s);
/* The run is over: the log closed, SUBMIT_DONE told. */
void submit_end(struct submit *s);

/* submit_fit.c */
/*
 * For a server without 8BITMIME: q's message, if pigeon made it,
 * rewritten without 8bit parts (in place), its envelope too.
 */
enum err submit_downgrade(struct submit *s, struct qentry *q,
    char **errstr);
/* For a server without SMTPUTF8: the domains in q's header as A-labels. */
enum err submit_idn_downgrade(struct submit *s, struct qentry *q,
    char **errstr);
/*
 * For a server without SMTPUTF8: fl's envelope with its domains as
 * A-labels, or fl->idn_err and fl->idn_why saying why it cannot go.
 */
void submit_idn_envelope(struct submit *s, struct flight *fl);
/* The A-label forms held for fl's envelope go. */
void submit_idn_clear(struct flight *fl);
/* How many of v[0..n) one transaction may take (LIMITS, RFC 9422). */
size_t submit_within_limits(const struct smtp_caps *c, const char *const *v,
    size_t n);

/* submit_stream.c */
/* Before the commit: connect and start the message, file nothing. */
void submit_stream_advance(struct submit *s);

#endif
