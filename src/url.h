/* url.h - server URLs: smtp://, smtps://, smtp+plain://, smtp+opportunistic://, lmtp:// (TCP or a UNIX socket). */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_URL_H
#define PIGEON_URL_H

#include "err.h"
#include "smtp.h"

enum url_scheme {
	URL_SMTP,        /* smtp://  STARTTLS required, port 587 */
	URL_SMTPS,       /* smtps:// implicit TLS, port 465 */
	URL_SMTP_PLAIN,  /* smtp+plain:// no TLS, port 25 */
	URL_SMTP_OPPORTUNISTIC, /* smtp+opportunistic:// STARTTLS when it works, port 25 */
	URL_LMTP,        /* lmtp://host STARTTLS when offered, port 24;
	                    lmtp:///path a UNIX socket, no TLS */
};

struct url {
	enum url_scheme scheme;
	char *user;      /* NULL when the URL has none; percent-decoded */
	char *host;      /* without brackets for IPv6 literals */
	char port[8];    /* always set: given or the scheme's default */
	/*
	 * lmtp:///path: host is the socket's absolute path (percent escapes
	 * decoded), port is "", and there is no user.
	 */
	int local;
};

/*
 * Parse smtp://[user@]host[:port], smtps://..., smtp+plain://...,
 * lmtp://[user@]host[:port] and lmtp:///absolute/path/to/socket.
 * A bare "host[:port]" means smtp://.  IPv6 literals in brackets.
 * ERR_CONFIG with *errstr naming what is wrong.
 */
enum err url_parse(struct url *u, const char *s, char **errstr);
void url_free(struct url *u);
/*
 * Decode the %XX escapes of s[0..n) into *out (malloc'd): 0; -1 a
 * broken escape, -2 a control character decoded, -3 out of memory (*out
 * NULL then).
 */
int url_decode(const char *s, size_t n, char **out);
/*
 * The TLS a URL asks for: smtps:// implicit, smtp:// STARTTLS,
 * smtp+opportunistic:// and lmtp:// over TCP STARTTLS when offered,
 * smtp+plain:// and an LMTP socket none.
 */
enum smtp_tls url_smtp_tls(const struct url *u);

#endif
