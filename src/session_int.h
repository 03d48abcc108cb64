/* session_int.h - what a session's files share (session.c, session_hosts.c): its state; no other module includes it. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SESSION_INT_H
#define PIGEON_SESSION_INT_H

#include "session.h"

enum phase {
	P_CONNECT,
	P_HANDSHAKE,
	P_SMTP,
	P_DONE,
};

struct session {
	const struct session_opts *o;
	struct tls_opts tlso;
	struct transcript *tr;
	enum phase phase;
	struct net_connect *nc;
	int fd;
	struct tls *tls;
	struct tls_peer *peer;  /* the server's certificate, once seen */
	struct transport tp;
	struct smtp *smtp;
	int body_fd;
	/*
	 * A message still being spooled (session_send_growing()): body_fd
	 * is read with pread() at body_off, never beyond body_avail, and its
	 * end goes out only once body_final says the spool is durable.
	 */
	int growing;
	int body_final;
	int body_flush;         /* the writer waits: send what there is */
	uint64_t body_off, body_avail;
	short rd_need;          /* poll event a blocked read waits for */
	int rd_blocked;         /* a read found nothing: wait for rd_need */
	/*
	 * session_pipeline_next(): when the engine can take the next
	 * envelope behind the dot, step once returns before writing, so
	 * that the caller's session_send() joins the dot in one write
	 * (next_held: done for this message; the next step writes anyway).
	 */
	int next_hold, next_held;
	short wr_need;          /* poll event a blocked write waits for */
	short hs_want;          /* poll event the handshake waits for */
	int64_t deadline;       /* the current wait's timer, in util_now_us() */
	int64_t end;            /* the bound on the whole session */
	unsigned long serial;   /* smtp_wait_serial() when it was armed */
	unsigned long long sent;
	char *rbuf;
	char *bbuf;
	struct smtp_opts plain;  /* opportunistic TLS, once more without it */
	int plain_retry;        /* that second connection was made */
	struct candidates cand; /* direct to MX: the hosts to try */
	size_t ch, ca;          /* the host and its address to try next */
	int tries;              /* connections started to them */
	const struct smtp_opts *so; /* the engine's options: o->smtp, or fbo */
	const char *host, *port;  /* the server connected to (not with MX) */
	struct smtp_opts fbo;   /* a fallback server's: its TLS, host, port */
	size_t fb;              /* the fallback server to try next */
};

/*
 * session_hosts.c.  session_open_mx(): look up the mail hosts of
 * o->mx_domain and connect to the first.  session_try_next(): the session
 * is DONE; on to the next MX host or fallback server when the failure
 * allows (session_try_fallback() for the fallback servers), else it stays
 * DONE.
 */
enum err session_open_mx(struct session *s, char **errstr);
void session_try_fallback(struct session *s, enum err e);
void session_try_next(struct session *s);

#endif
