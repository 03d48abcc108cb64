/* route.h - the way an account sends: which server, TLS, login and name, made from the config without asking anyone. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_ROUTE_H
#define PIGEON_ROUTE_H

#include <stdint.h>

#include "candidates.h"
#include "conf.h"
#include "err.h"
#include "session.h"
#include "socks5.h"
#include "url.h"

/*
 * Every front end (the commands, the interactive UI, a queue flush, an
 * account test) turns an account into session options here, so the
 * policy is one: the server URL (--server, else the account's), its TLS
 * (STARTTLS, implicit or none by scheme), verification and pinning, the
 * client certificate, the EHLO name, the login and mechanism, timeouts,
 * CHUNKING, how long a message may wait in the queue.  Nothing here
 * prompts: when only a person can give the password, need_secret says
 * so and the front end asks (or not).
 */
struct route {
	struct url url;
	struct session_opts so;    /* strings point into this route */
	char *helo;
	const char *user;          /* the login; NULL: no AUTH */
	char *secret;              /* wiped by route_free() */
	int need_secret;           /* a login and no password: ask for it */
	int64_t lifetime;          /* seconds a message may stay queued */
	const char *sent;          /* the account's folder for copies of sent mail, NULL: none */
	struct socks5_url proxy;   /* the account's proxy (or --proxy); host NULL: none */
	struct candidates fallback; /* fallback_server: so.servers, when it has any */
	struct oauth2 *oauth2;     /* the account renews OAuth2 tokens (oauth2.h); NULL: no */
};

/*
 * The route of account a (NULL: none, --server only) over server (NULL:
 * the account's), with BDAT when chunking or the account says so.
 * server may also be "mx:DOMAIN" (direct to the domain's MX hosts on
 * port 25, STARTTLS when offered, the certificate not checked: RFC 7435
 * opportunistic security) or "mx+tls:DOMAIN" (STARTTLS required and the
 * certificate checked against each host's name), without AUTH; the
 * domain may be empty (a template for route_direct()).
 * ERR_CONFIG with *errstr when there is no server or its URL is wrong.
 * The route is ready but for the secret (route_secret()).
 * The account's proxy is set as route_set_proxy() does; its
 * fallback_server list becomes so.servers, unless server names another
 * server than the account's or is direct to MX.
 */
enum err route_init(struct route *r, const struct account *a,
    const char *server, int chunking, char **errstr);
/*
 * Connect through the SOCKS5 proxy url (socks5://[user[:password]@]
 * host[:port]; "" or "none": no proxy, over the account's).  A proxy
 * with a user and no password gets the output of a's
 * proxy_password_command (a may be NULL).  ERR_CONFIG with *errstr (a
 * wrong URL, a failing command), ERR_NOMEM.
 */
enum err route_set_proxy(struct route *r, const char *url,
    const struct account *a, char **errstr);
/* The server of a route direct to domain's MX hosts: "mx:DOMAIN" or, with tls, "mx+tls:DOMAIN" (malloc'd). */
char *route_direct(const char *domain, int tls);
/*
 * The password of the login: the account's password, its
 * password_command, or ~/.netrc.  An account that renews OAuth2 tokens
 * (oauth2_configured()) gets r->oauth2 instead, and its token comes
 * from route_token().  ERR_OK with need_secret set when none
 * has it (a prompt could); ERR_CONFIG (a failing password_command, a
 * netrc file others can read) with *errstr.  Nothing to do without a login.
 */
enum err route_secret(struct route *r, const struct account *a,
    char **errstr);
/*
 * For a route with oauth2 set: an access token as the secret (see
 * oauth2_token(); renew: the server refused the last one), its HTTPS
 * connection told to tr.  The errors of oauth2_token(); nothing to do
 * (ERR_OK) for another route.  submit.h and the commands that open a
 * session call it just before they connect.
 */
enum err route_token(struct route *r, struct transcript *tr, int renew,
    char **errstr);
/* The secret a person typed; the route owns it now. */
void route_set_secret(struct route *r, char *secret);
/* Can a's route log in without a person typing a password (it may run password_command)? */
int route_quiet(const struct account *a);
void route_free(struct route *r);

#endif
