/* url.c - parse server URLs: smtp://, smtps://, smtp+plain://, smtp+opportunistic:// and lmtp:// (a host or a UNIX socket). */
/* SPDX-License-Identifier: ISC */
#include "url.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "i18n.h"
#include "idn.h"
#include "util.h"

/* The longest DNS name (RFC 1035); anything longer cannot resolve. */
#define URL_HOST_MAX 253

/* Error messages never need more than this much of a URL to be useful. */
#define URL_SHOW_MAX 1024
/* A piece of the URL quoted in a reason: this much of it, so the reason stays whole. */
#define PIECE_MAX 64
#define PIECE(n) ((int)((n) < PIECE_MAX ? (n) : PIECE_MAX))

static const struct {
	const char *name;
	enum url_scheme scheme;
	const char *port;
} url_schemes[] = {
	{ "smtp",       URL_SMTP,       "587" },
	{ "smtps",      URL_SMTPS,      "465" },
	{ "smtp+plain", URL_SMTP_PLAIN, "25" },
	{ "smtp+opportunistic", URL_SMTP_OPPORTUNISTIC, "25" },
	/* No port is registered for LMTP; Postfix and Dovecot use 24. */
	{ "lmtp",       URL_LMTP,       "24" },
};

/* The longest path a UNIX socket address holds, its NUL not counted. */
#define URL_SOCKET_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* A C1 control (U+0080..U+009F) in UTF-8 at p (NUL-terminated or n bytes)? */
static int
is_c1(const char *p, size_t n)
{
	return n >= 2 && (unsigned char)p[0] == 0xc2 &&
	    (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f;
}

/*
 * The '@' that ends a user part: the last one anywhere after the
 * authority starts, so that a password holding '/', '?' or '#' is still
 * taken for one (and never shown); NULL when there is none.
 */
static const char *
user_end(const char *auth)
{
	return strrchr(auth, '@');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Where the authority (user, host, port) starts: after "scheme://" when
 * the text before "://" looks like a scheme, else at the very start.
 * Looking at the characters keeps "host/a://b" from being read as a
 * scheme called "host/a".
 */
static const char *
authority_start(const char *s, size_t *scheme_len)
{
	const char *p;

	p = strstr(s, "://");
	*scheme_len = 0;
	if (p == NULL || p == s || !is_alpha(*s))
		return s;
	for (const char *q = s; q < p; q++) {
		if (!is_alpha(*q) && !is_digit(*q) && *q != '+' && *q != '-' &&
		    *q != '.')
			return s;
	}
	*scheme_len = (size_t)(p - s);
	return p + 3;
}

/*
 * Append s to out the way an error message may show it: control
 * characters escaped so they cannot act on a terminal, and any password
 * written into the user part replaced by "***" so it never reaches a log.
 */
static int
show_url(struct buf *out, const char *s)
{
	const char *auth, *at, *colon, *p;
	size_t scheme_len;

	auth = authority_start(s, &scheme_len);
	at = user_end(auth);
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;

	for (p = s; *p != '\0'; p++) {
		if (colon != NULL && p == colon + 1) {
			/* Once: an empty password is shown as one too. */
			if (buf_addstr(out, "***") < 0)
				return -1;
			colon = NULL;
			p = at - 1;
			continue;
		}
		if (is_ctl((unsigned char)*p)) {
			if (buf_printf(out, "\\x%02x", (unsigned char)*p) < 0)
				return -1;
		} else if (buf_addch(out, *p) < 0) {
			return -1;
		}
	}
	return 0;
}

/*
 * Fill *errstr with "bad server URL 'S': WHY" and return ERR_CONFIG.
 * fmt is already translated by the caller.
 */
static enum err
fail(const char *s, char **errstr, const char *fmt, ...)
{
	struct buf shown;
	char why[URL_SHOW_MAX];
	va_list ap;
	int r;

	if (errstr == NULL)
		return ERR_CONFIG;
	buf_init(&shown, URL_SHOW_MAX);
	/* A URL too long to show in full is cut; so is the reason. */
	if (show_url(&shown, s) < 0 && errno != E2BIG) {
		buf_free(&shown);
		return ERR_NOMEM;
	}
	va_start(ap, fmt);
	r = vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (r < 0)
		why[0] = '\0';
	else if ((size_t)r >= sizeof(why))
		(void)memcpy(why + sizeof(why) - 4, "...", 4);
	util_seterr(errstr, _("bad server URL '%s': %s"), buf_str(&shown),
	    why);
	buf_free(&shown);
	return *errstr != NULL ? ERR_CONFIG : ERR_NOMEM;
}

/*
 * Percent-decode s[0..n) into a new string.  Returns 0, -1 for a broken
 * escape, -2 for a decoded control character (which includes %00 and
 * would otherwise cut the name short or reach the SMTP line), -3 when
 * out of memory.
 */
int
url_decode(const char *s, size_t n, char **out)
{
	char *d;
	size_t i, j;
	int hi, lo;

	*out = NULL;
	d = malloc(n + 1);
	if (d == NULL)
		return -3;
	for (i = 0, j = 0; i < n; i++) {
		if (s[i] != '%') {
			d[j++] = s[i];
			continue;
		}
		/* What was decoded may be a password: wiped on the way out. */
		if (n - i < 3 || (hi = util_hexval(s[i + 1])) < 0 ||
		    (lo = util_hexval(s[i + 2])) < 0) {
			explicit_bzero(d, n + 1);
			free(d);
			return -1;
		}
		d[j] = (char)(hi * 16 + lo);
		if (is_ctl((unsigned char)d[j]) || (j > 0 && is_c1(d + j - 1,
		    2))) {
			explicit_bzero(d, n + 1);
			free(d);
			return -2;
		}
		j++;
		i += 2;
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

static int
host_char_ok(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_';
}

/*
 * A host name that is not ASCII (smtp://münchen.example) becomes its
 * A-labels here, once: DNS, the TLS server name (SNI), the certificate
 * name check and the transcript all use that form.  (glibc's AI_IDN
 * would convert for getaddrinfo() alone.)
 */
static enum err
idn_host(struct url *u, const char *s, char **errstr)
{
	char *a = NULL, *why = NULL;
	enum err e;

	if (idn_ascii(u->host, strlen(u->host)))
		return ERR_OK;
	if ((e = idn_domain(u->host, &a, &why)) != ERR_OK) {
		if (e != ERR_NOMEM)
			e = fail(s, errstr, "%s", why != NULL ? why :
			    err_str(e));
		free(why);
		return e;
	}
	free(u->host);
	u->host = a;
	if (strlen(a) > URL_HOST_MAX)
		return fail(s, errstr, _("the host name is longer than "
		    "%d characters"), URL_HOST_MAX);
	return ERR_OK;
}

/*
 * lmtp:///path: the rest of the URL is the socket's absolute path, with
 * %-escapes for what a URL cannot hold.  The path is the user's own
 * configuration, so it is taken as it is (connect(2) follows links).
 */
static enum err
parse_socket(struct url *u, const char *s, const char *path, char **errstr)
{
	size_t n = strlen(path);
	int r;

	if (strcmp(path, "/") == 0)
		return fail(s, errstr, _("there is no socket path after "
		    "lmtp://"));
	if (strpbrk(path, "?#") != NULL)
		return fail(s, errstr, _("a socket path may not hold '?' or "
		    "'#' (write %%3F, %%23)"));
	r = url_decode(path, n, &u->host);
	if (r == -1)
		return fail(s, errstr, _("the socket path has a broken "
		    "%%-escape (write %%25 for '%%')"));
	if (r == -2)
		return fail(s, errstr,
		    _("the socket path contains a control character"));
	if (r == -3)
		return ERR_NOMEM;
	if (strlen(u->host) > URL_SOCKET_MAX) {
		url_free(u);
		return fail(s, errstr, _("the socket path is longer than the "
		    "%zu bytes a UNIX socket address holds"), URL_SOCKET_MAX);
	}
	u->local = 1;
	return ERR_OK;
}

enum err
url_parse(struct url *u, const char *s, char **errstr)
{
	const char *auth, *end, *at, *hs, *he, *ps, *p;
	size_t scheme_len, i;
	unsigned long port;
	enum err e;
	int r;

	memset(u, 0, sizeof *u);
	if (s == NULL)
		s = "";
	for (p = s; *p != '\0'; p++)
		if (is_ctl((unsigned char)*p) || is_c1(p, strlen(p)))
			return fail(s, errstr,
			    _("it contains a control character"));
	if (*s == '\0')
		return fail(s, errstr, _("it is empty"));

	auth = authority_start(s, &scheme_len);
	if (scheme_len > 0) {
		for (i = 0; i < sizeof url_schemes / sizeof url_schemes[0];
		    i++) {
			if (strlen(url_schemes[i].name) == scheme_len &&
			    strncasecmp(s, url_schemes[i].name,
			    scheme_len) == 0)
				break;
		}
		if (i == sizeof url_schemes / sizeof url_schemes[0])
			return fail(s, errstr, _("unknown scheme '%.*s'; "
			    "use smtp://, smtps://, smtp+plain://, "
			    "smtp+opportunistic:// or lmtp://"),
			    PIECE(scheme_len), s);
	} else {
		i = 0;	/* a bare host[:port] means smtp:// */
	}
	u->scheme = url_schemes[i].scheme;
	if (u->scheme == URL_LMTP && *auth == '/')
		return parse_socket(u, s, auth, errstr);

	/*
	 * A password is refused before anything else is looked at, so that no
	 * message below quotes it (it may hold '/', '?' or '#').
	 */
	if ((at = user_end(auth)) != NULL &&
	    memchr(auth, ':', (size_t)(at - auth)) != NULL)
		return fail(s, errstr, _("a password does not belong in the URL; "
		    "use password_command or ~/.netrc"));

	/* Only an empty path or "/" is allowed: SMTP has no use for one. */
	end = auth + strcspn(auth, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0)
		return fail(s, errstr,
		    _("unexpected '%.*s' after the host name and port"),
		    PIECE(strlen(end)), end);

	/*
	 * The last '@' ends the user part: a host name cannot hold one, so
	 * this also copes with an unescaped '@' in the user name.
	 */
	at = NULL;
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	hs = auth;
	if (at != NULL) {
		if (at == auth)
			return fail(s, errstr, _("the user name is empty"));
		if (memchr(auth, ':', (size_t)(at - auth)) != NULL)
			return fail(s, errstr, _("a password does not belong "
			    "in the URL; use password_command or ~/.netrc"));
		r = url_decode(auth, (size_t)(at - auth), &u->user);
		if (r == -1)
			return fail(s, errstr, _("the user name has a broken "
			    "%%-escape (write %%40 for '@', %%25 for '%%')"));
		if (r == -2)
			return fail(s, errstr,
			    _("the user name contains a control character"));
		if (r == -3)
			return ERR_NOMEM;
		hs = at + 1;
	}

	if (hs < end && *hs == '[') {
		char addr[INET6_ADDRSTRLEN];
		struct in6_addr a6;
		const char *close;
		size_t n;

		close = memchr(hs, ']', (size_t)(end - hs));
		if (close == NULL) {
			e = fail(s, errstr,
			    _("']' is missing after the IPv6 address"));
			goto fail;
		}
		n = (size_t)(close - hs - 1);
		if (n == 0) {
			e = fail(s, errstr, _("there is no host name"));
			goto fail;
		}
		if (n >= sizeof addr) {
			e = fail(s, errstr, _("'%.*s' is not an IPv6 address"),
			    PIECE(n), hs + 1);
			goto fail;
		}
		memcpy(addr, hs + 1, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET6, addr, &a6) != 1) {
			e = fail(s, errstr, _("'%.*s' is not an IPv6 address"),
			    PIECE(strlen(addr)), addr);
			goto fail;
		}
		ps = close + 1;
		if (ps < end && *ps != ':') {
			e = fail(s, errstr,
			    _("unexpected '%.*s' after the IPv6 address"),
			    PIECE((size_t)(end - ps)), ps);
			goto fail;
		}
		u->host = strndup(addr, n);
	} else {
		he = memchr(hs, ':', (size_t)(end - hs));
		if (he == NULL)
			he = end;
		/* Checked first, so that "::1" gets the helpful message. */
		if (he < end && memchr(he + 1, ':',
		    (size_t)(end - he - 1)) != NULL) {
			e = fail(s, errstr, _("an IPv6 address must be "
			    "written in brackets, as in smtp://[::1]:587"));
			goto fail;
		}
		if (he == hs) {
			e = fail(s, errstr, _("there is no host name"));
			goto fail;
		}
		for (p = hs; p < he; p++) {
			if (!host_char_ok(*p) && (unsigned char)*p < 0x80) {
				e = fail(s, errstr, _("a host name may only "
				    "hold letters, digits, '.', '-' and '_'"));
				goto fail;
			}
		}
		if (he - hs > URL_HOST_MAX) {
			e = fail(s, errstr, _("the host name is longer than "
			    "%d characters"), URL_HOST_MAX);
			goto fail;
		}
		ps = he;
		u->host = strndup(hs, (size_t)(he - hs));
		if (u->host != NULL && (e = idn_host(u, s, errstr)) != ERR_OK)
			goto fail;
	}
	if (u->host == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}

	if (ps == end) {
		memcpy(u->port, url_schemes[i].port,
		    strlen(url_schemes[i].port) + 1);
		return ERR_OK;
	}
	ps++;	/* the ':' */
	if (ps == end) {
		e = fail(s, errstr, _("the port is empty"));
		goto fail;
	}
	if (!is_digit(*ps)) {
		e = fail(s, errstr, _("the port must be a number from 1 to "
		    "65535"));
		goto fail;
	}
	/* Stop counting past the limit so that long digit runs cannot wrap. */
	port = 0;
	for (p = ps; p < end && is_digit(*p); p++)
		if (port <= 65535)
			port = port * 10 + (unsigned long)(*p - '0');
	if (p < end) {
		e = fail(s, errstr, _("unexpected '%.*s' after the port"),
		    PIECE((size_t)(end - p)), p);
		goto fail;
	}
	if (port < 1 || port > 65535) {
		e = fail(s, errstr, _("port must be 1 to 65535"));
		goto fail;
	}
	r = snprintf(u->port, sizeof u->port, "%lu", port);
	if (r < 0 || (size_t)r >= sizeof u->port) {
		e = ERR_SOFTWARE;
		goto fail;
	}
	return ERR_OK;

fail:
	url_free(u);
	return e;
}

void
url_free(struct url *u)
{
	if (u == NULL)
		return;
	free(u->user);
	free(u->host);
	u->user = NULL;
	u->host = NULL;
	u->port[0] = '\0';
	u->local = 0;
}

enum smtp_tls
url_smtp_tls(const struct url *u)
{
	/*
	 * LMTP over TCP: STARTTLS when the server offers it (LMTP servers
	 * often do not), said loudly when it goes on without.  Over a UNIX
	 * socket the line is local: no TLS.
	 */
	switch (u->scheme) {
	case URL_SMTPS:
		return SMTP_TLS_IMPLICIT;
	case URL_SMTP:
		return SMTP_TLS_STARTTLS;
	case URL_SMTP_OPPORTUNISTIC:
		return SMTP_TLS_OPPORTUNISTIC;
	case URL_LMTP:
		return u->local ? SMTP_TLS_NONE : SMTP_TLS_OPPORTUNISTIC;
	default:
		return SMTP_TLS_NONE;
	}
}
