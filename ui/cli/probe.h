/* probe.h - "pigeon probe" of one server, for the files of its other modes (probemx.c). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_PROBE_H
#define PIGEON_PROBE_H

#include <stddef.h>

#include "cli.h"

/*
 * What probe_one()'s transcript subscriber has seen: zeroed by the
 * caller, cleared again by probe_one().
 */
struct probe_view {
	int greeting_seen;
	int in_ehlo;           /* reading the reply to a clear-text EHLO */
	char **before_tls;     /* its capability lines */
	size_t nbefore;
};

/*
 * Called by probe_one() once the conversation is over, before its
 * outcome is written (the JSON transcript ends each connection with
 * it): rc is the probe's exit status, peer what the server presented
 * when TLS came up or stopped at the certificate (a DANE-aware sender
 * judges that one by DANE), else NULL -- not the certificate of a
 * handshake that failed before opportunistic TLS went on in clear text.
 */
struct probe_after {
	void (*fn)(struct cli *c, int rc, const struct tls_peer *peer,
	    void *arg);
	void *arg;
};

/*
 * Connect to the route's server, show what it offers, QUIT (or stop at
 * the stop point).  The exit status.
 */
int probe_one(struct cli *c, struct probe_view *v, int want_auth,
    const struct probe_after *after);

/* pigeon probe --mx DOMAIN (probemx.c); the exit status. */
int probe_mx(struct cli *c, const char *domain);

#endif
