/* session.h - one SMTP conversation over a real connection: net + TLS + the engine + a timer. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SESSION_H
#define PIGEON_SESSION_H

#include <poll.h>
#include <stdint.h>

#include "candidates.h"
#include "err.h"
#include "net.h"
#include "smtp.h"
#include "tls.h"
#include "transcript.h"

struct session_opts {
	const char *host;
	const char *port;
	struct net_opts net;
	struct tls_opts tls;        /* servername defaults to host */
	struct smtp_opts smtp;      /* smtp.tls decides STARTTLS/implicit */
	/*
	 * Direct to MX: not host, but the mail hosts of this domain
	 * (candidates.h), each address in turn on port, until one greets;
	 * a failed connection or a 4xx greeting moves on to the next, each
	 * a new connection in the transcript.  TLS names each host.
	 */
	const char *mx_domain;
	const char *dns_server;     /* ask this name server (dns.h), NULL: the system's */
	/*
	 * Fallback servers (candidates_servers()), NULL: none.  When host
	 * cannot be reached (a failed or timed-out connect, a proxy that
	 * fails, a connection closed before the greeting, a 4xx greeting)
	 * or its TLS fails (handshake, certificate, no STARTTLS), each is
	 * tried in turn, a new connection with its own URL's port and TLS,
	 * until one takes us.  Not after a server has answered past TLS
	 * (a refused login, MAIL, RCPT or data): that is its verdict.
	 */
	const struct candidates *servers;
	/*
	 * tls_trust = tofu (tls.tofu set too): after the handshake the
	 * certificate is compared with the trust store (src/trust.h) in
	 * trust_dir (NULL: the state folder): recorded the first time,
	 * passed when it is the same, refused with ERR_TLS_VERIFY when it
	 * changed (TR_ERROR lines show both side by side).  Not with a
	 * tls.fingerprint, which decides alone.
	 */
	int tofu;
	const char *trust_dir;
};

enum session_status {
	SESSION_BUSY,    /* poll and step */
	/*
	 * idle: session_send() or session_quit(); in step mode
	 * (smtp.hold) also paused for the user: smtp_want() has
	 * SMTP_HELD, drive the engine (smtp_step_go(), smtp_step_line(),
	 * smtp_step_quit()) then session_resume()
	 */
	SESSION_READY,
	SESSION_DONE,    /* over: session_error() says how */
};

struct session;

/*
 * Start connecting.  o and its strings must outlive the session.
 * ERR_RESOLVE/ERR_NET/ERR_NOMEM with *errstr when it fails at once; with
 * mx_domain also ERR_PERMFAIL (a null MX, no such domain, no host with
 * an address) and ERR_CONFIG (a bad dns_server).
 */
enum err session_open(struct session **out, const struct session_opts *o,
    struct transcript *tr, char **errstr);
/*
 * The same over fd, a stream socket the caller has already connected
 * (for tests: one end of a socketpair): the session starts where a
 * connect would have left it, at the implicit TLS handshake with
 * o->smtp.tls == SMTP_TLS_IMPLICIT, else at the greeting.  o->host and
 * o->port are not used for connecting (o->host still names the server
 * for TLS unless o->tls.servername does).  The session takes fd in every
 * case: it makes it non-blocking and closes it; on an error it is closed
 * at once.  ERR_NOMEM, or ERR_NET with *errstr when fd cannot be made
 * non-blocking.  A TLS setup error (a bad cafile, say) is reported as
 * after a connect: ERR_OK, but the session is DONE and session_error()
 * says why.
 */
enum err session_open_fd(struct session **out, const struct session_opts *o,
    int fd, struct transcript *tr, char **errstr);
void session_free(struct session *s);

/* What to poll for; returns the poll timeout in ms (-1: none). */
int session_pollfd(struct session *s, struct pollfd *pfd);
/* Do what can be done now; revents from poll() (0 after a timeout). */
void session_step(struct session *s, short revents);
enum session_status session_status(const struct session *s);

/*
 * Send a message read from fd, from its current offset to its end, as it
 * is stored (LF or CRLF line ends, not dot-stuffed): the engine sends
 * every line end as CRLF and dot-stuffs the lines.  Only when
 * SESSION_READY.  Errors as smtp_mail(); the fd stays the caller's.
 */
enum err session_send(struct session *s, const struct smtp_envelope *env,
    int fd, char **errstr);
/*
 * The same for a message still being written to fd (spool and send at
 * once): only the bytes session_body_grown() announced are read (with
 * pread(), the fd's offset is left alone), and the end of the data (the
 * final dot, BDAT LAST) waits for session_body_durable().
 */
enum err session_send_growing(struct session *s,
    const struct smtp_envelope *env, int fd, char **errstr);
/*
 * n more bytes were appended to the growing message; p (may be NULL)
 * holds them: when the session has sent all before them it takes them
 * from there, saving a read.  Does what can be done now, like
 * session_step().
 */
void session_body_grown(struct session *s, const char *p, size_t n);
/*
 * The writer waits for its input: what is held back for a bigger write
 * goes now (until the next session_body_grown()).
 */
void session_body_flush(struct session *s);
/*
 * The message is complete and durable (fsynced, committed to the
 * outbox): its end may go out.  DESIGN decision 3: the caller says so
 * only then.
 */
void session_body_durable(struct session *s);
/* Bytes of the growing message handed to the engine so far. */
uint64_t session_body_taken(const struct session *s);
/*
 * With PIPELINING (SMTP_NEXT in smtp.h): 1 when the message's data and
 * dot are queued, its reply not yet in, and session_send() takes the next
 * message now; its envelope goes out behind the dot.  The fd of the
 * message before is not read again: the session reads the new one.
 */
int session_next_ok(const struct session *s);
/*
 * on: the caller means to send the next message that way, so the session
 * holds the dot back (one step) until the caller has had its chance:
 * the dot and the next envelope leave in one write.
 */
void session_pipeline_next(struct session *s, int on);
void session_quit(struct session *s);
/*
 * The caller drove the engine itself (step mode: smtp_step_go(),
 * smtp_step_line(), smtp_step_quit()): start the reply timer, send.
 */
void session_resume(struct session *s);
/* Stop now (the user cancelled): nothing more goes out. */
void session_cancel(struct session *s);
/* End now with e and why (a deadline of the caller's ran out): nothing more goes out. */
void session_abort(struct session *s, enum err e, const char *why);
/* The user stops: a clean QUIT when the protocol allows one (see smtp_stop()), else as session_cancel(). */
void session_stop(struct session *s);

/* Poll and step until the session is READY or DONE (for the CLI). */
enum session_status session_wait(struct session *s);

enum err session_error(const struct session *s, const char **detail);
struct smtp *session_smtp(struct session *s);
/*
 * The server's certificate as the last TLS handshake saw it (see struct
 * tls_peer), also after the session is DONE: when session_error() is
 * ERR_TLS_VERIFY, what a trust prompt shows.  NULL when no handshake got
 * that far.  Valid until session_free().
 */
const struct tls_peer *session_peer(const struct session *s);
/* Bytes handed to the network so far (commands and message data), for progress bars. */
unsigned long long session_bytes_sent(const struct session *s);

#endif
