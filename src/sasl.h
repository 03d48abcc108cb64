/* sasl.h - SASL client mechanisms for SMTP AUTH: pure, no I/O. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SASL_H
#define PIGEON_SASL_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum sasl_mech {
	SASL_PLAIN,
	SASL_LOGIN,
	SASL_CRAM_MD5,
	SASL_SCRAM_SHA_256,
	SASL_XOAUTH2,
	SASL_OAUTHBEARER,
	SASL_MECH_COUNT_
};

/* "PLAIN", "SCRAM-SHA-256", ...; "UNKNOWN" for a value out of range. */
const char *sasl_mech_name(enum sasl_mech m);
/* Case-insensitive lookup; -1 when unknown. */
int sasl_mech_from_name(const char *name);
/*
 * 1 when the mechanism gives away the secret to anyone who reads the line
 * (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER); 0 for CRAM-MD5 and SCRAM-SHA-256.
 */
int sasl_mech_plaintext(enum sasl_mech m);
/*
 * The mechanism to use among the offered ones (a space-separated list as
 * in EHLO AUTH), strongest first: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN.
 * OAuth mechanisms are chosen only when oauth is set, and then only they.
 * -1 when none fits.
 */
int sasl_choose(const char *offered, int oauth);

struct sasl;

/*
 * A client for mech.  user and secret (password or OAuth token) are copied
 * and wiped on free; host and port go into OAUTHBEARER (may be NULL/0).
 * NULL on failure, errno ENOMEM, or EINVAL for an unknown mech, a NULL
 * user or secret, a field longer than 64 KiB, or a ^A in an OAuth field.
 * SASLprep is not applied: names and passwords are sent as their UTF-8
 * bytes.
 */
struct sasl *sasl_new(enum sasl_mech m, const char *user, const char *secret,
    const char *host, unsigned port);
void sasl_free(struct sasl *s);

/*
 * Tests only: use this client nonce instead of a random one (SCRAM); call
 * before sasl_start().  0, or -1 with errno EINVAL (empty, or not all
 * printable ASCII without ',') or ENOMEM.
 */
int sasl_set_nonce(struct sasl *s, const char *nonce);

/*
 * The initial response, base64-encoded, appended to out ("=" for an empty
 * one), or nothing when the mechanism waits for a challenge first
 * (LOGIN, CRAM-MD5).  *has_initial says which.  ERR_OK, ERR_NOMEM (also
 * when out is full; out is then unchanged) or ERR_SOFTWARE (no random
 * bytes for the SCRAM nonce).  Calling it again restarts the exchange,
 * with a fresh SCRAM nonce.
 */
enum err sasl_start(struct sasl *s, struct buf *out, int *has_initial);

/*
 * Answer a 334 challenge (base64 text as the server sent it, may be
 * empty): the response, base64-encoded, is appended to out.  The response
 * may be empty (nothing appended: send an empty line), as after SCRAM's
 * server-final-message, which arrives as a 334 challenge.
 * ERR_PROTOCOL: the challenge is not valid base64, decodes to more than
 * 64 KiB, or is not what the mechanism expects (the caller cancels with
 * "*"); ERR_AUTH: the server failed to prove itself (SCRAM server
 * signature wrong), or sent an error (SCRAM "e=", XOAUTH2/OAUTHBEARER
 * JSON: for the latter the answer is then the empty/dummy response the
 * mechanism requires); ERR_NOMEM: no memory or out is full;
 * ERR_SOFTWARE: called before sasl_start(), or the crypto library failed
 * (HMAC-MD5 unavailable, say).  Except for the OAuth dummy response, out
 * is unchanged on error.  errstr, if not NULL, gets a malloc'd detail
 * (translated; server text in it reduced to printable ASCII).
 */
enum err sasl_step(struct sasl *s, const char *challenge, size_t len,
    struct buf *out, char **errstr);

/*
 * Called on 235.  ERR_OK, or ERR_AUTH when the mechanism needed the
 * server to prove itself and it has not (SCRAM without a verified
 * server-final-message).
 */
enum err sasl_finish(struct sasl *s);

#endif
