/* session.h - one SMTP conversation over a real connection: net + TLS + the engine + a timer. */
#ifndef PIGEON_SESSION_H
#define PIGEON_SESSION_H

#include <poll.h>

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
};

enum session_status {
	SESSION_BUSY,    /* poll and step */
	SESSION_READY,   /* idle: session_send() or session_quit() */
	SESSION_DONE,    /* over: session_error() says how */
};

struct session;

/*
 * Start connecting.  o and its strings must outlive the session.
 * ERR_RESOLVE/ERR_NET/ERR_NOMEM with *errstr when it fails at once.
 */
enum err session_open(struct session **out, const struct session_opts *o,
    struct transcript *tr, char **errstr);
void session_free(struct session *s);

/* What to poll for; returns the poll timeout in ms (-1: none). */
int session_pollfd(struct session *s, struct pollfd *pfd);
/* Do what can be done now; revents from poll() (0 after a timeout). */
void session_step(struct session *s, short revents);
enum session_status session_status(const struct session *s);

/*
 * Send a message whose bytes (CRLF, as on the wire but not dot-stuffed)
 * are read from fd, from its current offset to its end.  Only when
 * SESSION_READY.  Errors as smtp_mail(); the fd stays the caller's.
 */
enum err session_send(struct session *s, const struct smtp_envelope *env,
    int fd, char **errstr);
void session_quit(struct session *s);
/* Stop now (the user cancelled): nothing more goes out. */
void session_cancel(struct session *s);
/* The user stops: a clean QUIT when the protocol allows one (see smtp_stop()), else as session_cancel(). */
void session_stop(struct session *s);

/* Poll and step until the session is READY or DONE (for the CLI). */
enum session_status session_wait(struct session *s);

enum err session_error(const struct session *s, const char **detail);
struct smtp *session_smtp(struct session *s);
/* Message bytes handed to the network so far, for progress bars. */
unsigned long long session_bytes_sent(const struct session *s);

#endif
