/* detect.h - find how a new account's server takes mail: try ports and TLS modes in turn, driven by the caller's poll loop. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_DETECT_H
#define PIGEON_DETECT_H

#include <poll.h>
#include <stddef.h>

#include "err.h"
#include "session.h"
#include "tls.h"
#include "transcript.h"

/*
 * For a new account only the host name is known.  detect tries one
 * candidate after another (by default 465 with implicit TLS, then 587
 * and 25 with STARTTLS), each as a real session would go: connect,
 * greeting, EHLO, TLS with the certificate verified as base says (CA
 * file, pin, tls_verify), EHLO again.  It never logs in.  The first
 * candidate that gets that far is the one found; it is asked to QUIT and
 * the rest are not tried.  Every candidate's dialogue goes into the
 * transcript given (one connection each, see transcript_begin()), with a
 * TR_INFO line saying what came of it.
 *
 * Like a session it never blocks: poll detect_pollfd(), call
 * detect_step(), until detect_done().
 */

#define DETECT_TIMEOUT_MS 8000      /* per candidate, by default */

struct detect_candidate {
	const char *port;       /* a number or service name: "465" */
	enum smtp_tls tls;      /* SMTP_TLS_IMPLICIT or SMTP_TLS_STARTTLS (or NONE) */
	int timeout_ms;         /* the whole try; <= 0: DETECT_TIMEOUT_MS */
};

/* 465 implicit TLS, 587 STARTTLS, 25 STARTTLS. */
extern const struct detect_candidate detect_default[];
extern const size_t detect_ndefault;

/* What came of one candidate. */
struct detect_result {
	const struct detect_candidate *cand;
	enum err err;                   /* ERR_OK: it works */
	const char *text;               /* "465 (implicit TLS): connection refused" */
	const char *auth;               /* AUTH mechanisms offered (after TLS), NULL: none */
	const struct tls_peer *peer;    /* its certificate, when a handshake saw one */
};

struct detect;

/*
 * Start with v[0..n) (NULL, 0: detect_default) on host.  base gives
 * everything else a session takes (TLS trust, client certificate, EHLO
 * name, address family, source address); its host, port, TLS mode and
 * login are not used.  v and host are copied; base and tr must outlive
 * d.  ERR_NOMEM, or ERR_CONFIG with *errstr (no host, no candidate).  A
 * host that does not resolve is a result: detect_done() at once.
 */
enum err detect_new(struct detect **out, const char *host,
    const struct detect_candidate *v, size_t n,
    const struct session_opts *base, struct transcript *tr, char **errstr);
void detect_free(struct detect *d);

/* What to poll for (p->fd -1: nothing); the poll timeout in ms (-1: none). */
int detect_pollfd(struct detect *d, struct pollfd *p);
/* Go on: revents from poll() (0 after a timeout). */
void detect_step(struct detect *d, short revents);
/* Poll and step until done (for the command line). */
void detect_wait(struct detect *d);
/* Is it over (found, or every candidate tried, or stopped)? */
int detect_done(const struct detect *d);
/* The user gives up: the current try ends now, no other is made. */
void detect_stop(struct detect *d);

/* The candidate that works, NULL while none does (yet). */
const struct detect_candidate *detect_found(const struct detect *d);
/* Results of the candidates tried so far, in order. */
size_t detect_count(const struct detect *d);
const struct detect_result *detect_result(const struct detect *d, size_t i);
/* Every result's text, a line each ("" before the first). */
const char *detect_report(const struct detect *d);
/*
 * The server URL for the account's "server" key for what was found:
 * "smtps://host" for 465 with implicit TLS, "smtp://host" for 587 with
 * STARTTLS, the port added otherwise ("smtp://host:25").  malloc'd;
 * NULL when nothing was found or out of memory.
 */
char *detect_url(const struct detect *d);

/*
 * Test builds only (configure --enable-test-hooks):
 * PIGEON_TEST_DETECT="PORT/implicit,PORT/starttls,PORT/none,..." replaces
 * the candidates (tests use unprivileged ports), and
 * PIGEON_TEST_DETECT_TIMEOUT_MS the time each may take.  Puts at most max
 * candidates in v (their ports point into a static copy, valid until the
 * next call) and returns how many; 0 when the variable is not set, and
 * always in a build without test hooks.
 */
size_t detect_test_candidates(struct detect_candidate *v, size_t max);

#endif
