/* submit.h - the one delivery pipeline: a message into the outbox, then one session per route to the server, each outcome filed; non-blocking, with events for the front end. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SUBMIT_H
#define PIGEON_SUBMIT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "draft.h"
#include "outbox.h"
#include "route.h"
#include "transcript.h"

/*
 * Every front end sends the same way: "pigeon send", "pigeon sendmail",
 * "pigeon queue flush" and the interactive UI.
 *
 *   1. The message goes into the outbox with its whole envelope (account,
 *      server, sender, every recipient with Bcc, DSN, 8-bit and size) and
 *      is on disk before any network I/O: submit_queue_built() for a
 *      message pigeon made, submit_commit() for one written by the caller
 *      (sendmail's, as given).
 *   2. A struct submit takes queued entries of one route and delivers
 *      them over one connection, one after another, filing each outcome
 *      (sent/, queued again with a retry time, failed/) while the next
 *      message's envelope is on its way.  It never blocks: the front end
 *      polls submit_pollfd() with its own descriptors (the terminal) and
 *      calls submit_step(); submit_run() does that for a command.
 *   3. What happens is told through events; the front end renders them
 *      (lines on stderr, the status line, the pane gets the transcript).
 *
 * The 8-bit policy is one: a message pigeon made is stored with 8bit
 * parts where its text needs them (unless --7bit) and, for a server that
 * does not offer 8BITMIME, rewritten with quoted-printable before it is
 * sent (the same Date, Message-ID, boundaries); a message given whole to
 * sendmail is sent as given.
 */

/* The envelope of a message being queued. */
struct submit_env {
	const char *account;       /* NULL: the default */
	const char *server;        /* --server, NULL: the account's */
	const char *from;          /* MAIL FROM, "" for the null sender */
	const char *const *rcpts;  /* every recipient, each once */
	size_t nrcpts;
	const char *dsn_notify, *dsn_ret, *dsn_envid;   /* NULL: none */
	int chunking;
	int64_t not_before;        /* send later: not before then, 0: now */
};

/*
 * Commit a message written to it->tx (after outbox_begin()): q
 * (qentry_init()ed) gets env, eightbit, size (on the wire, 0: unknown)
 * and as_given (sent as given, never rewritten), and the message and q
 * are on disk when this returns ERR_OK.  The lock stays held until
 * outbox_release(ob, it).  ERR_IO (a full disk, a read-only folder) and
 * ERR_NOMEM with *errstr; then nothing is queued.
 */
enum err submit_commit(struct outbox *ob, struct outbox_item *it,
    struct qentry *q, const struct submit_env *env, int eightbit,
    uint64_t size, int as_given, char **errstr);
/*
 * q (qentry_init()ed) gets env and as_given, as submit_commit() gives
 * them, without eightbit and size.  ERR_NOMEM.
 */
enum err submit_fill(struct qentry *q, const struct submit_env *env,
    int as_given);
/*
 * Write the message b into the outbox (8bit parts where the text needs
 * them, unless no8bit) and commit it as above.  On error nothing is
 * queued and it is released.
 */
enum err submit_queue_built(struct outbox *ob, const struct draft_built *b,
    const struct submit_env *env, int no8bit, struct outbox_item *it,
    struct qentry *q, char **errstr);

enum submit_ev {
	SUBMIT_READY,              /* connected, greeted, logged in */
	SUBMIT_SENDING,            /* q's envelope goes out */
	SUBMIT_FILED,              /* q's outcome is filed */
	SUBMIT_LEFT,               /* q left alone: another pigeon has it, or it went */
	SUBMIT_PROBLEM,            /* text: worth a line (not filed, log not kept, q not read) */
	SUBMIT_DONE,               /* the connection is over, all filed */
};

struct submit_event {
	enum submit_ev kind;
	const struct qentry *q;    /* SENDING, FILED, LEFT */
	enum outbox_outcome outcome;
	enum err err;              /* FILED: the cause (ERR_OK when sent); PROBLEM: why q was left unread (ERR_UNSAFE: refused), else ERR_OK */
	const char *text;          /* PROBLEM; FILED: a detail, may be NULL */
	int bulk;                  /* FILED: one of many put off by one failure */
	int dropped;               /* FILED: no_queue, the message is not kept */
	int io;                    /* FILED: it could not be filed (see text) */
	const char *stage;         /* FILED: the stage that decided ("rcpt"; "" unknown): where it failed, or stopped (err ERR_STOPPED) */
};

struct submit_opts {
	const struct route *rt;
	int lock;                  /* lock each entry (a flush), else the caller holds them */
	int abort_on_reject;       /* send nothing if a recipient is refused */
	int no_queue;              /* a temporary failure keeps nothing (--no-queue) */
	int test;                  /* a stop point: only a message the server took is kept (sent/); others are removed, never queued or failed */
	void (*event)(void *arg, const struct submit_event *ev);
	void *arg;
};

struct submit;

/*
 * Start delivering v[0..n), entries of one route (their strings are taken
 * over: v[i] is left as qentry_init() makes it).  The transcript tr
 * (may be NULL) gets the conversation; a copy goes to the connection's
 * log in the outbox.  ERR_NOMEM only: a connection that fails at once is
 * an outcome, told by events (already, for the entries filed).
 */
enum err submit_new(struct submit **out, struct outbox *ob,
    const struct submit_opts *o, struct transcript *tr, struct qentry *v,
    size_t n);
/*
 * Spool and send at once: like submit_new() for the one entry q, whose
 * message is still being written to fd (it->tx.fd after outbox_begin())
 * and not committed: q has its envelope (submit_fill()) and its id
 * (it->tx.name).  The connection, the envelope and the data go as far as
 * the message is written, told by submit_stream_grown(); nothing is filed
 * and the end of the data (the final dot, BDAT LAST) does not go before
 * submit_stream_commit().  A server without 8BITMIME gets the message
 * only after the commit, as with submit_new(); one whose SIZE it exceeds
 * gets it over a new connection (which refuses it before MAIL).
 * Step it with submit_pollfd()/submit_step() meanwhile (they file
 * nothing).  ERR_NOMEM only; a connection that fails at once is told
 * after the commit.
 */
enum err submit_new_stream(struct submit **out, struct outbox *ob,
    const struct submit_opts *o, struct transcript *tr, struct qentry *q,
    int fd);
/*
 * n more bytes were written to the message; p holds them (may be NULL).
 * Does what the session can do now without waiting.
 */
void submit_stream_grown(struct submit *s, const char *p, size_t n);
/*
 * Wait until fd (the input the message is read from) is readable or
 * closed, the session going on meanwhile: for a slow input (a pipe).
 */
void submit_stream_wait(struct submit *s, int fd);
/*
 * The message is complete: commit it (outbox_commit(), with eightbit and
 * size on the wire, as submit_commit()), and only then let its end go
 * out.  On an error (ERR_IO, ERR_NOMEM with *errstr) nothing is queued,
 * nothing more goes out and nothing is filed (see
 * submit_stream_abandon()); release it as after submit_commit().
 */
enum err submit_stream_commit(struct submit *s, struct outbox_item *it,
    int eightbit, uint64_t size, char **errstr);
/* The message will not be committed: nothing more goes out, nothing is filed (it is over). */
void submit_stream_abandon(struct submit *s);
/* What to poll for; the timeout in ms (-1: none). */
int submit_pollfd(struct submit *s, struct pollfd *pfd);
/* Go on: revents from poll() (0 after a timeout). */
void submit_step(struct submit *s, short revents);
/* Is it over (SUBMIT_DONE was told)? */
int submit_done(const struct submit *s);
/* The user stops: QUIT where the protocol allows; what was not sent stays queued. */
void submit_stop(struct submit *s);
/*
 * The message whose data is going out now: 1 with its entry, the bytes
 * handed to the network since its envelope and its size on the wire.
 */
int submit_progress(const struct submit *s, const struct qentry **q,
    uint64_t *sent, uint64_t *total);
/*
 * The server's certificate as the connection's last TLS handshake saw it
 * (see session_peer()): after a message filed with ERR_TLS_VERIFY, what a
 * trust prompt shows.  NULL when no handshake got that far.  Valid until
 * submit_free().
 */
const struct tls_peer *submit_peer(const struct submit *s);
/* Poll and step until it is over (for a command). */
void submit_run(struct submit *s);
void submit_free(struct submit *s);

#endif
