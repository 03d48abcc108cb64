/* oauth2.h - OAuth2 access tokens that renew themselves: the refresh grant (RFC 6749 section 6), a private cache, and the device flow (RFC 8628). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_OAUTH2_H
#define PIGEON_OAUTH2_H

#include "conf.h"
#include "err.h"
#include "transcript.h"

/*
 * An account with auth = XOAUTH2 or OAUTHBEARER and an
 * oauth2_token_endpoint logs in with an access token that pigeon gets
 * itself: password (or password_command) gives the REFRESH token, and
 * oauth2_token() exchanges it at the endpoint (grant_type=refresh_token,
 * a form-encoded POST over the HTTPS client of https.h, verified with
 * the account's tls_cafile) when the cache has no access token good for
 * more than a minute.  The cache is $XDG_STATE_HOME/pigeon/oauth2/ACCOUNT
 * (mode 0600, opened without following links, replaced atomically): the
 * access token, its expiry and, when the server rotates refresh tokens
 * or "pigeon oauth2 login" put one there, the refresh token.  A refresh
 * token in the cache is tried first; if the server refuses it
 * (invalid_grant), the one password_command prints is tried once more
 * (the user put a new one there).
 *
 * No token ever goes into the transcript or an error message: the
 * HTTPS connection shows its request and status lines only, and a
 * server's error text has any token or client secret in it replaced by
 * "[redacted]".  Nothing here prints, prompts or sleeps.
 */
struct oauth2;

/*
 * Does account a log in with tokens of its own: an oauth2_token_endpoint,
 * and auth XOAUTH2, OAUTHBEARER or unset (then the server's offer picks
 * one of the two: the refresh token never goes as a password)?
 */
int oauth2_configured(const struct account *a);

/*
 * The OAuth2 client of account a (copied: a may go).  ERR_CONFIG with
 * *errstr: no oauth2_client_id, an endpoint that is not https://, an
 * account name that cannot name a file.  ERR_NOMEM.  Nothing is run or
 * fetched yet.
 */
enum err oauth2_new(struct oauth2 **out, const struct account *a,
    char **errstr);
void oauth2_free(struct oauth2 *o);
/* The cache file's path, for messages. */
const char *oauth2_cache_path(const struct oauth2 *o);

/*
 * An access token into *token (malloc'd; wipe it): the cached one while
 * it is good for more than a minute, else a new one from the token
 * endpoint, cached.  renew: the server refused the last one at AUTH:
 * get a new one whatever the cache says.  Connections and notes go to
 * tr (may be NULL).  Errors, with *errstr in words:
 *   ERR_CONFIG: no refresh token anywhere, a failing password_command or
 *     oauth2_client_secret_command;
 *   ERR_AUTH: the endpoint refused the refresh token or the client
 *     (invalid_grant, invalid_client: log in again);
 *   ERR_RESOLVE, ERR_NET, ERR_TIMEOUT, ERR_TLS, ERR_TEMPFAIL (a 5xx
 *     answer): try again later;
 *   ERR_TLS_VERIFY, ERR_PROTOCOL (not a token answer);
 *   ERR_UNSAFE, ERR_IO: the cache could not be used (safefile.h);
 *   ERR_NOMEM.
 */
enum err oauth2_token(struct oauth2 *o, struct transcript *tr, int renew,
    char **token, char **errstr);

/* What the device endpoint answered (RFC 8628 section 3.2). */
struct oauth2_device {
	char *device_code;
	char *user_code;
	char *verification_uri;
	char *verification_uri_complete;    /* may be NULL */
	long long expires_in;               /* seconds */
	long long interval;                 /* seconds between polls (5 if not given) */
};

/*
 * Ask the device endpoint for a code (client_id and scope).  ERR_CONFIG:
 * the account has no oauth2_device_endpoint; else as oauth2_token().
 * Free *d with oauth2_device_free() either way.
 */
enum err oauth2_device_start(struct oauth2 *o, struct transcript *tr,
    struct oauth2_device *d, char **errstr);
void oauth2_device_free(struct oauth2_device *d);

enum oauth2_poll {
	OAUTH2_POLL_DONE,         /* tokens cached (the refresh token too) */
	OAUTH2_POLL_PENDING,      /* authorization_pending: ask again after the interval */
	OAUTH2_POLL_SLOW_DOWN,    /* slow_down: the interval grew by 5 s (d->interval) */
	OAUTH2_POLL_FAILED,       /* *e and *errstr: expired_token, access_denied, ... */
};

/*
 * Ask the token endpoint once whether the user has approved d
 * (grant_type urn:ietf:params:oauth:grant-type:device_code).  On DONE
 * the access and refresh tokens are in the cache, and *refresh (when
 * not NULL) gets a malloc'd copy of the refresh token.
 */
enum oauth2_poll oauth2_device_poll(struct oauth2 *o, struct transcript *tr,
    struct oauth2_device *d, char **refresh, enum err *e, char **errstr);

#endif
