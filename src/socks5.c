/* socks5.c - a SOCKS5 proxy (RFC 1928, login RFC 1929): its URL, and the handshake as a state machine of bytes in and bytes out. */
/* SPDX-License-Identifier: ISC */
#include "socks5.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "url.h"
#include "util.h"

#define SOCKS5_PORT "1080"
/* Host, user and password each travel with a one-byte length. */
#define SOCKS5_FIELD_MAX 255

/* ---- the URL ---- */

/* The user name or password of the URL, decoded; NULL: a broken escape, a control character, or no memory. */
static char *
pct_decode(const char *p, size_t n)
{
	char *out = NULL;

	(void)url_decode(p, n, &out);
	return out;
}

static enum err
url_fail(struct socks5_url *u, char **errstr, const char *why)
{
	socks5_url_free(u);
	util_seterr(errstr, _("the proxy must be written "
	    "socks5://[user[:password]@]host:port: %s"), why);
	return ERR_CONFIG;
}

enum err
socks5_url_parse(struct socks5_url *u, const char *s, char **errstr)
{
	const char *a, *at, *colon, *hs, *he, *ps, *p;
	unsigned long port;
	char *end;

	memset(u, 0, sizeof(*u));
	if (s == NULL)
		s = "";
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return url_fail(u, errstr, _("it contains a control "
			    "character"));
	if (strncasecmp(s, "socks5://", 9) == 0)
		a = s + 9;
	else if (strncasecmp(s, "socks5h://", 10) == 0)
		a = s + 10;
	else
		return url_fail(u, errstr, _("only socks5:// and socks5h:// "
		    "proxies are known"));
	at = strrchr(a, '@');
	if (at != NULL) {
		colon = memchr(a, ':', (size_t)(at - a));
		u->user = pct_decode(a, (size_t)((colon != NULL ? colon : at) -
		    a));
		if (u->user == NULL || *u->user == '\0')
			return url_fail(u, errstr, _("the user name is empty or "
			    "has a broken percent escape"));
		if (colon != NULL && (u->password = pct_decode(colon + 1,
		    (size_t)(at - colon - 1))) == NULL)
			return url_fail(u, errstr, _("the password has a broken "
			    "percent escape"));
		a = at + 1;
	}
	if (*a == '[') {
		hs = a + 1;
		he = strchr(hs, ']');
		if (he == NULL)
			return url_fail(u, errstr, _("a '[' without ']'"));
		ps = he + 1;
	} else {
		hs = a;
		he = hs + strcspn(hs, ":/");
		ps = he;
	}
	if (he == hs)
		return url_fail(u, errstr, _("the host name is empty"));
	for (p = hs; p < he; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '@')
			return url_fail(u, errstr, _("the host name has a space "
			    "or a control character"));
	if ((u->host = strndup(hs, (size_t)(he - hs))) == NULL) {
		socks5_url_free(u);
		return ERR_NOMEM;
	}
	(void)snprintf(u->port, sizeof(u->port), "%s", SOCKS5_PORT);
	if (*ps == ':') {
		port = strtoul(ps + 1, &end, 10);
		if (end == ps + 1 || port == 0 || port > 65535 ||
		    (*end != '\0' && strcmp(end, "/") != 0))
			return url_fail(u, errstr, _("the port must be a number "
			    "from 1 to 65535"));
		(void)snprintf(u->port, sizeof(u->port), "%lu", port);
	} else if (*ps != '\0' && strcmp(ps, "/") != 0)
		return url_fail(u, errstr, _("unexpected text after the host "
		    "name"));
	return ERR_OK;
}

void
socks5_url_free(struct socks5_url *u)
{
	util_free_secret(u->password);
	free(u->user);
	free(u->host);
	memset(u, 0, sizeof(*u));
}

/* ---- the handshake ---- */

enum phase {
	PH_METHODS,   /* greeting sent, method choice awaited */
	PH_LOGIN,     /* user/password sent, verdict awaited */
	PH_HEAD,      /* CONNECT sent, the reply's first 5 bytes awaited */
	PH_TAIL,      /* the rest of the bound address awaited */
	PH_DONE,
	PH_FAILED,
};

struct socks5 {
	struct transcript *tr;
	enum phase phase;
	char *user;
	char *password;
	char *host;
	unsigned port;
	unsigned char out[3 + 2 * (SOCKS5_FIELD_MAX + 1)];
	size_t outlen, outoff;
	unsigned char in[4 + 1 + SOCKS5_FIELD_MAX + 2];
	size_t inlen, need;
	enum err err;
	char *why;
};

static void
failed(struct socks5 *s, enum err e, const char *why)
{
	s->phase = PH_FAILED;
	s->err = e;
	free(s->why);
	s->why = strdup(why);
	transcript_emitf(s->tr, TR_ERROR, 0, "%s", why);
}

/* Queue a request and the length of the reply to it. */
static void
expect(struct socks5 *s, enum phase ph, size_t need)
{
	s->phase = ph;
	s->outoff = 0;
	s->inlen = 0;
	s->need = need;
}

static void
send_login(struct socks5 *s)
{
	size_t ul = strlen(s->user), pl = s->password != NULL ?
	    strlen(s->password) : 0;

	/* RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD. */
	s->out[0] = 1;
	s->out[1] = (unsigned char)ul;
	memcpy(s->out + 2, s->user, ul);
	s->out[2 + ul] = (unsigned char)pl;
	if (pl > 0)
		memcpy(s->out + 3 + ul, s->password, pl);
	s->outlen = 3 + ul + pl;
	expect(s, PH_LOGIN, 2);
}

static void
send_connect(struct socks5 *s)
{
	size_t hl = strlen(s->host), n;

	/*
	 * VER 5, CMD CONNECT, RSV, then the address: an IPv4 or IPv6
	 * literal as such (ATYP 1 or 4), anything else as a name for the
	 * proxy to resolve (ATYP 3).
	 */
	s->out[0] = 5;
	s->out[1] = 1;
	s->out[2] = 0;
	if (inet_pton(AF_INET, s->host, s->out + 4) == 1) {
		s->out[3] = 1;
		n = 4 + 4;
	} else if (inet_pton(AF_INET6, s->host, s->out + 4) == 1) {
		s->out[3] = 4;
		n = 4 + 16;
	} else {
		s->out[3] = 3;
		s->out[4] = (unsigned char)hl;
		memcpy(s->out + 5, s->host, hl);
		n = 5 + hl;
	}
	s->out[n] = (unsigned char)(s->port >> 8);
	s->out[n + 1] = (unsigned char)(s->port & 0xff);
	s->outlen = n + 2;
	expect(s, PH_HEAD, 5);
}

struct socks5 *
socks5_new(const char *user, const char *password, const char *host,
    const char *port, struct transcript *tr, char **errstr)
{
	struct socks5 *s;
	unsigned long p;
	char *end;

	if (strlen(host) > SOCKS5_FIELD_MAX ||
	    (user != NULL && strlen(user) > SOCKS5_FIELD_MAX) ||
	    (password != NULL && strlen(password) > SOCKS5_FIELD_MAX)) {
		util_seterr(errstr, _("a SOCKS5 proxy takes host names, user "
		    "names and passwords of at most 255 bytes"));
		return NULL;
	}
	p = strtoul(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p == 0 || p > 65535) {
		util_seterr(errstr, _("a SOCKS5 proxy needs a port number, "
		    "not '%s'"), port);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->tr = tr;
	s->port = (unsigned)p;
	s->host = strdup(host);
	s->user = user != NULL ? strdup(user) : NULL;
	s->password = password != NULL ? strdup(password) : NULL;
	if (s->host == NULL || (user != NULL && s->user == NULL) ||
	    (password != NULL && s->password == NULL)) {
		socks5_free(s);
		return NULL;
	}
	/* VER 5, NMETHODS, METHODS: 0 no login, 2 user/password. */
	s->out[0] = 5;
	if (s->user != NULL) {
		s->out[1] = 2;
		s->out[2] = 0;
		s->out[3] = 2;
		s->outlen = 4;
	} else {
		s->out[1] = 1;
		s->out[2] = 0;
		s->outlen = 3;
	}
	expect(s, PH_METHODS, 2);
	return s;
}

void
socks5_free(struct socks5 *s)
{
	if (s == NULL)
		return;
	if (s->password != NULL)
		explicit_bzero(s->password, strlen(s->password));
	/* The login went out of this buffer. */
	explicit_bzero(s->out, sizeof(s->out));
	free(s->password);
	free(s->user);
	free(s->host);
	free(s->why);
	free(s);
}

enum socks5_state
socks5_state(const struct socks5 *s)
{
	if (s->phase == PH_DONE)
		return SOCKS5_DONE;
	if (s->phase == PH_FAILED)
		return SOCKS5_FAILED;
	return s->outoff < s->outlen ? SOCKS5_WRITE : SOCKS5_READ;
}

const unsigned char *
socks5_output(const struct socks5 *s, size_t *len)
{
	*len = socks5_state(s) == SOCKS5_WRITE ? s->outlen - s->outoff : 0;
	return s->out + s->outoff;
}

void
socks5_sent(struct socks5 *s, size_t n)
{
	if (n > s->outlen - s->outoff)
		n = s->outlen - s->outoff;
	s->outoff += n;
	if (s->outoff == s->outlen)
		explicit_bzero(s->out, sizeof(s->out));
}

size_t
socks5_need(const struct socks5 *s)
{
	return socks5_state(s) == SOCKS5_READ ? s->need - s->inlen : 0;
}

const char *
socks5_reply_str(unsigned rep)
{
	switch (rep) {
	case 1:
		return N_("general SOCKS server failure");
	case 2:
		return N_("connection not allowed by its rules");
	case 3:
		return N_("network unreachable");
	case 4:
		return N_("host unreachable (or its name does not resolve "
		    "there)");
	case 5:
		return N_("connection refused by the destination host");
	case 6:
		return N_("TTL expired");
	case 7:
		return N_("command not supported");
	case 8:
		return N_("address type not supported");
	default:
		return N_("an unknown reply code");
	}
}

static void
got_methods(struct socks5 *s)
{
	char why[256];

	if (s->in[0] != 5) {
		(void)snprintf(why, sizeof(why), _("the proxy does not speak "
		    "SOCKS5 (it answered version %u)"), s->in[0]);
		failed(s, ERR_NET, why);
	} else if (s->in[1] == 0) {
		transcript_emitf(s->tr, TR_CONNECT, 0, _("the proxy takes us "
		    "without a login"));
		send_connect(s);
	} else if (s->in[1] == 2 && s->user != NULL) {
		transcript_emitf(s->tr, TR_CONNECT, TR_F_REDACTED,
		    _("logging in to the proxy as %s (password [redacted])"),
		    s->user);
		send_login(s);
	} else {
		failed(s, ERR_CONFIG, s->user != NULL ? _("the proxy says: no "
		    "acceptable authentication method (we offered none and "
		    "user/password)") : _("the proxy says: no acceptable "
		    "authentication method (it wants a login: give "
		    "socks5://user@host:port and proxy_password_command)"));
	}
}

static void
got_head(struct socks5 *s)
{
	char why[256];

	if (s->in[0] != 5) {
		(void)snprintf(why, sizeof(why), _("the proxy sent a broken "
		    "reply (version %u)"), s->in[0]);
		failed(s, ERR_NET, why);
		return;
	}
	if (s->in[1] != 0) {
		(void)snprintf(why, sizeof(why), _("the proxy says: %s (SOCKS5 "
		    "reply %u)"), _(socks5_reply_str(s->in[1])), s->in[1]);
		failed(s, ERR_NET, why);
		return;
	}
	/* The bound address: its rest and the port (2 bytes). */
	switch (s->in[3]) {
	case 1:
		s->need = 4 + 4 + 2;
		break;
	case 4:
		s->need = 4 + 16 + 2;
		break;
	case 3:
		s->need = 5 + s->in[4] + 2;
		break;
	default:
		failed(s, ERR_NET, _("the proxy sent a broken reply (an "
		    "unknown address type)"));
		return;
	}
	s->phase = PH_TAIL;
}

void
socks5_feed(struct socks5 *s, const void *buf, size_t n)
{
	if (socks5_state(s) != SOCKS5_READ)
		return;
	if (n > s->need - s->inlen)
		n = s->need - s->inlen;
	memcpy(s->in + s->inlen, buf, n);
	s->inlen += n;
	if (s->inlen < s->need)
		return;
	switch (s->phase) {
	case PH_METHODS:
		got_methods(s);
		break;
	case PH_LOGIN:
		if (s->in[1] != 0)
			failed(s, ERR_CONFIG, _("the proxy refused the login "
			    "(wrong user name or password)"));
		else {
			transcript_emitf(s->tr, TR_CONNECT, 0,
			    _("the proxy accepted the login"));
			send_connect(s);
		}
		break;
	case PH_HEAD:
		got_head(s);
		if (s->phase == PH_TAIL && s->inlen >= s->need)
			s->phase = PH_DONE;
		break;
	case PH_TAIL:
		s->phase = PH_DONE;
		break;
	default:
		break;
	}
	if (s->phase == PH_DONE)
		transcript_emitf(s->tr, TR_CONNECT, 0, _("the proxy is "
		    "connected to %s port %u"), s->host, s->port);
}

enum err
socks5_error(const struct socks5 *s, const char **why)
{
	if (why != NULL)
		*why = s->why != NULL ? s->why : err_str(s->err);
	return s->phase == PH_FAILED ? s->err : ERR_OK;
}
