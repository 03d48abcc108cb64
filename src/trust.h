/* trust.h - the trust store: the server certificates trusted on first use, per host and port, and how a new one differs. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TRUST_H
#define PIGEON_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "tls.h"

/*
 * With tls_trust = tofu an account trusts the certificate a server
 * presented the first time, and from then on only that one: the store
 * keeps, per "host:port", what the certificate said (for the side by
 * side view when it changes) and when it was seen.  The pin of
 * tls_fingerprint is the same idea written by hand in the account; both
 * compare SHA-256 fingerprints and tell the user the same way how to
 * accept a new certificate (trust_pin_remedy(), trust_tofu_remedy()).
 *
 * The store is the file "trust" in the state folder
 * ($XDG_STATE_HOME/pigeon), one record per line, opened through
 * safefile.h (never through a link; mode 0600), and replaced whole on
 * save (a temporary file, fsync, rename).  Several processes may share
 * it: a save applies only what this one changed (the records it made,
 * the hosts it forgot) to the file as it is then, under a lock
 * (trust.lock beside it), so no one's record is lost.  Nothing here prints, asks or
 * uses OpenSSL: the facts come from struct tls_peer.
 */
struct trust_rec {
	char *hostport;            /* "mail.example.org:587", "[::1]:25" */
	char fingerprint[TLS_FINGERPRINT_MAX]; /* "AB:CD:..." */
	char *subject;
	char *issuer;
	char *names;               /* the SANs, ", " between */
	char *not_before;          /* as tls_peer has them */
	char *not_after;
	char *key;                 /* "RSA 2048 bits" */
	int64_t first_seen;        /* seconds since the epoch */
	int64_t last_seen;
};

struct trust;

/*
 * The store in the folder dir (NULL: $XDG_STATE_HOME/pigeon, made when
 * missing); a missing file is an empty store.  Errors: ERR_UNSAFE (a link
 * or someone else's file, see safefile.h), ERR_CONFIG (a line that is no
 * record: *errstr names the file and the line), ERR_IO, ERR_NOMEM.
 */
enum err trust_load(struct trust **out, const char *dir, char **errstr);
void trust_free(struct trust *t);
/* The store's file, for messages ("/home/u/.local/state/pigeon/trust"). */
const char *trust_path(const struct trust *t);

/* The records, in the order of the file (new ones last). */
size_t trust_count(const struct trust *t);
const struct trust_rec *trust_get(const struct trust *t, size_t i);
/* The record of hostport (as trust_hostport() makes it), or NULL. */
const struct trust_rec *trust_find(const struct trust *t,
    const char *hostport);

/*
 * Record p as the certificate of hostport at time now: a new record, or
 * the old one replaced (first_seen kept when it is the same certificate,
 * so this also notes that it was seen again).  ERR_NOMEM.  Only
 * trust_save() writes it down.
 */
enum err trust_record(struct trust *t, const char *hostport,
    const struct tls_peer *p, int64_t now);
/* Remove the record of hostport: 1 removed, 0 there was none, -1 out of memory (nothing removed). */
int trust_forget(struct trust *t, const char *hostport);
/*
 * Write down what was recorded and forgotten since the load (or the last
 * save), merged with the file as it is now, atomically and under the
 * store's lock; t then holds the store as written (others' records too).
 * ERR_UNSAFE, ERR_CONFIG (the file became unreadable), ERR_IO, ERR_NOMEM.
 */
enum err trust_save(struct trust *t, char **errstr);

/* "host:port" with the host in lower case, an IPv6 address in brackets; NULL when out of memory. */
char *trust_hostport(const char *host, const char *port);
/* Are two fingerprints ("AB:CD..." or plain hex, any case) the same certificate? */
int trust_fp_equal(const char *a, const char *b);
/* Is p the certificate r recorded? */
int trust_same(const struct trust_rec *r, const struct tls_peer *p);

/*
 * The trusted certificate r and the presented one p side by side, as
 * lines ending in '\n': a heading, then subject, issuer, validity, key,
 * names and SHA-256, each value wrapped in a column of width columns
 * (at least 16); a line whose values differ starts with "*", the others
 * with " ".  Values are raw certificate text: escape them where shown.
 * 0, or -1 when b is full.
 */
int trust_diff(struct buf *b, const struct trust_rec *r,
    const struct tls_peer *p, int width);

/*
 * The remedies, appended to b: for a pin, lead followed by the account
 * line "tls_fingerprint = FP"; for tofu, how to accept the presented
 * certificate of hostport (pigeon trust, or the UI).  0, or -1.
 */
int trust_pin_remedy(struct buf *b, const char *lead, const char *fp);
int trust_tofu_remedy(struct buf *b, const char *hostport);

/* A time as the store's records are shown: "2025-01-31 12:00 UTC". */
void trust_time_str(char *out, size_t len, int64_t t);

#endif
