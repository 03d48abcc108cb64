/* saslshow.h - an AUTH exchange decoded into words for the transcript: what the server asks, what the client answers without its secrets. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SASLSHOW_H
#define PIGEON_SASLSHOW_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "sasl.h"

/*
 * A 334 challenge of mechanism m (the base64 text as the server sent
 * it, len bytes) in words, appended to note: a LOGIN prompt decoded
 * ("Username:"), the CRAM-MD5 challenge, a SCRAM server-first-message
 * (nonce, salt with its length in bytes, iteration count) or
 * server-final-message (does the server's signature match, or its error
 * in words), an OAuth error (status, schemes, scope).  verdict is what
 * sasl_step() said of this challenge: for the SCRAM server-final it
 * tells whether the signature matched.  A concern (fewer SCRAM
 * iterations than the 4096 of RFC 7677) is appended to warn.
 *
 * The text holds the server's decoded bytes as they are: escape it where
 * it is shown (the transcript's writers do).  Challenges carry no
 * secret of the client's.  0, or -1 when a buffer is full.
 */
int saslshow_challenge(enum sasl_mech m, const char *chal, size_t len,
    enum err verdict, struct buf *note, struct buf *warn);

/*
 * The client's answer number step (0: the initial response, k: the
 * answer to the k-th challenge, as sasl_step() counts them), given as
 * the base64 text sent, in words appended to note: the user name, an
 * authorization identity, the SCRAM nonces.  What proves the secret or
 * leads to it (the password, an OAuth token, the CRAM-MD5 digest, the
 * SCRAM proof) is shown only as its kind and length ("[password, 11
 * bytes]") unless all is set.  Raw text as above.  0, or -1 when note is
 * full.  The caller wipes note when all is set.
 */
int saslshow_answer(enum sasl_mech m, unsigned step, const char *resp,
    size_t len, int all, struct buf *note);

#endif
