/* route.c - the way an account sends: which server, TLS, login and name, made from the config without asking anyone. */
/* SPDX-License-Identifier: ISC */
#include "route.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "netrc.h"
#include "oauth2.h"
#include "password.h"
#include "util.h"

#define DAY (24 * 60 * 60)
#define LIFETIME_DAYS 5

/* The name EHLO gives: the host name when it is a full one, else "localhost". */
static char *
default_helo(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if (strchr(host, '.') != NULL)
			return strdup(host);
	}
	return strdup("localhost");
}

/* Direct to MX: port 25 (a test build may name another, for a test server). */
static const char *
mx_port(void)
{
#ifdef PIGEON_TEST_HOOKS
	const char *p = getenv("PIGEON_TEST_MX_PORT");

	if (p != NULL && *p != '\0' && strlen(p) < sizeof(((struct url *)0)->port))
		return p;
#endif
	return "25";
}

char *
route_direct(const char *domain, int tls)
{
	return util_strf("%s%s", tls ? "mx+tls:" : "mx:", domain);
}

/* "mx:DOMAIN" or "mx+tls:DOMAIN" into r->url and the session's MX domain; 0, or -1 when server is neither. */
static int
direct_url(struct route *r, const char *server)
{
	int tls = strncmp(server, "mx+tls:", 7) == 0;

	if (!tls && strncmp(server, "mx:", 3) != 0)
		return -1;
	r->url.scheme = tls ? URL_SMTP : URL_SMTP_OPPORTUNISTIC;
	(void)snprintf(r->url.port, sizeof(r->url.port), "%s", mx_port());
	r->url.host = strdup(server + (tls ? 7 : 3));
	r->so.mx_domain = r->url.host;
	return 0;
}

enum err
route_init(struct route *r, const struct account *a, const char *server,
    int chunking, char **errstr)
{
	enum err e;
	int t, direct, own;

	memset(r, 0, sizeof(*r));
	own = server == NULL || (a != NULL && a->server != NULL &&
	    strcmp(server, a->server) == 0);
	if (server == NULL && a != NULL)
		server = a->server;
	if (server == NULL) {
		util_seterr(errstr, _("no server: give --server URL, or set "
		    "server in the account (see pigeon.conf(5))"));
		return ERR_CONFIG;
	}
	direct = direct_url(r, server) == 0;
	if (direct && r->url.host == NULL)
		return ERR_NOMEM;
	if (!direct && (e = url_parse(&r->url, server, errstr)) != ERR_OK)
		return e;
	r->so.host = r->url.host;
	r->so.dns_server = a != NULL ? a->dns_server : NULL;
	r->so.port = r->url.port;
	r->so.net.source = a != NULL ? a->source_address : NULL;
	for (t = 0; a != NULL && t < SMTP_T_COUNT; t++)
		r->so.smtp.timeouts[t] = a->timeouts[t] > 0 ? a->timeouts[t] :
		    t != SMTP_T_SESSION ? a->timeout : 0;
	r->so.net.connect_timeout_ms = r->so.smtp.timeouts[SMTP_T_CONNECT] *
	    1000;
	/* Direct: the session names each host it tries. */
	r->so.tls.servername = direct ? NULL : r->url.host;
	r->so.tls.verify = direct && r->url.scheme != URL_SMTP ? 0 :
	    a != NULL ? a->tls_verify : 1;
	r->so.tls.opportunistic = direct && r->url.scheme != URL_SMTP;
	if (a != NULL) {
		r->so.tls.cafile = a->tls_cafile;
		r->so.tls.fingerprint = a->tls_fingerprint;
		r->so.tls.cert = a->tls_cert;
		r->so.tls.key = a->tls_key;
		r->so.tls.min_version = a->tls_min_version;
		r->so.tls.max_version = a->tls_max_version;
		r->so.tls.ciphers = a->tls_ciphers;
		r->so.tls.ciphersuites = a->tls_ciphersuites;
		r->so.tls.allow_legacy = a->tls_allow_legacy;
		r->so.tls.tofu = r->so.tofu = a->tls_trust == CONF_TRUST_TOFU;
	}
	/* A login over a UNIX socket (rare) may go in clear text: the line is local. */
	r->so.smtp.tls = url_smtp_tls(&r->url);
	r->so.smtp.lmtp = r->url.scheme == URL_LMTP;
	r->helo = a != NULL && a->helo != NULL && *a->helo != '\0' ?
	    strdup(a->helo) :
	    default_helo();
	if (r->helo == NULL) {
		route_free(r);
		return ERR_NOMEM;
	}
	r->so.smtp.helo = r->helo;
	r->so.smtp.auth = a != NULL ? a->auth : NULL;
	r->so.smtp.auth_allow_plaintext = r->url.local ||
	    (a != NULL && a->auth_allow_plaintext);
	r->so.smtp.chunking = chunking || (a != NULL && a->chunking);
	r->so.smtp.host = r->url.host;
	r->so.smtp.port = (unsigned)strtoul(r->url.port, NULL, 10);
	/* Direct to MX: no login, whatever the account says. */
	r->user = direct ? NULL : r->url.user != NULL ? r->url.user :
	    a != NULL ? a->user : NULL;
	r->lifetime = (int64_t)(a != NULL && a->queue_lifetime > 0 ?
	    a->queue_lifetime : LIFETIME_DAYS) * DAY;
	r->sent = a != NULL ? a->sent : NULL;
	if (a != NULL && a->proxy != NULL && (e = route_set_proxy(r,
	    a->proxy, a, errstr)) != ERR_OK) {
		route_free(r);
		return e;
	}
	if (a != NULL && a->fallback_server != NULL && own && !direct) {
		if ((e = candidates_servers(&r->fallback, a->fallback_server,
		    errstr)) != ERR_OK) {
			route_free(r);
			return e;
		}
		if (r->fallback.n > 0)
			r->so.servers = &r->fallback;
	}
	return ERR_OK;
}

enum err
route_set_proxy(struct route *r, const char *url, const struct account *a,
    char **errstr)
{
	enum err e;

	socks5_url_free(&r->proxy);
	r->so.net.proxy = NULL;
	if (url == NULL || *url == '\0' || strcmp(url, "none") == 0)
		return ERR_OK;
	if ((e = socks5_url_parse(&r->proxy, url, errstr)) != ERR_OK)
		return e;
	if (r->proxy.user != NULL && r->proxy.password == NULL && a != NULL &&
	    a->proxy_password_command != NULL &&
	    (e = password_run(a->proxy_password_command, &r->proxy.password,
	    errstr)) != ERR_OK) {
		socks5_url_free(&r->proxy);
		return e;
	}
	r->so.net.proxy = &r->proxy;
	return ERR_OK;
}

enum err
route_secret(struct route *r, const struct account *a, char **errstr)
{
	char *login = NULL;
	enum err e;

	if (r->user == NULL || r->secret != NULL || r->oauth2 != NULL)
		return ERR_OK;
	if (oauth2_configured(a)) {
		/* The password is the refresh token: route_token() uses it. */
		if ((e = oauth2_new(&r->oauth2, a, errstr)) != ERR_OK)
			return e;
		r->so.smtp.user = r->user;
		r->so.smtp.oauth = 1;
		return ERR_OK;
	}
	if (a != NULL && a->password != NULL) {
		if ((r->secret = strdup(a->password)) == NULL)
			return ERR_NOMEM;
	} else if (a != NULL && a->password_command != NULL) {
		if ((e = password_run(a->password_command, &r->secret,
		    errstr)) != ERR_OK)
			return e;
	} else {
		e = netrc_lookup(NULL, r->url.host, r->user, &login, &r->secret,
		    errstr);
		free(login);
		if (e != ERR_OK)
			return e;
		if (r->secret == NULL) {
			r->need_secret = 1;
			return ERR_OK;
		}
	}
	r->so.smtp.user = r->user;
	r->so.smtp.secret = r->secret;
	return ERR_OK;
}

enum err
route_token(struct route *r, struct transcript *tr, int renew,
    char **errstr)
{
	char *token = NULL;
	enum err e;

	if (r->oauth2 == NULL)
		return ERR_OK;
	if (r->secret != NULL && !renew)
		return ERR_OK;
	if ((e = oauth2_token(r->oauth2, tr, renew, &token, errstr)) !=
	    ERR_OK)
		return e;
	route_set_secret(r, token);
	return ERR_OK;
}

void
route_set_secret(struct route *r, char *secret)
{
	util_free_secret(r->secret);
	r->secret = secret;
	r->need_secret = 0;
	r->so.smtp.user = r->user;
	r->so.smtp.secret = r->secret;
}

int
route_quiet(const struct account *a)
{
	struct url u;
	const char *user;
	char *login = NULL, *pw = NULL;
	int r;

	if (a->password != NULL || a->password_command != NULL ||
	    oauth2_configured(a))
		return 1;
	memset(&u, 0, sizeof(u));
	if (a->server == NULL || url_parse(&u, a->server, NULL) != ERR_OK)
		return 0;
	user = u.user != NULL ? u.user : a->user;
	r = user == NULL || (netrc_lookup(NULL, u.host, user, &login, &pw,
	    NULL) == ERR_OK && pw != NULL);
	util_free_secret(pw);
	free(login);
	url_free(&u);
	return r;
}

void
route_free(struct route *r)
{
	util_free_secret(r->secret);
	free(r->helo);
	url_free(&r->url);
	socks5_url_free(&r->proxy);
	candidates_free(&r->fallback);
	oauth2_free(r->oauth2);
	memset(r, 0, sizeof(*r));
}
