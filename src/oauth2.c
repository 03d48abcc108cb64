/* oauth2.c - OAuth2 access tokens that renew themselves: the refresh grant (RFC 6749 section 6), a private cache, and the device flow (RFC 8628). */
/* SPDX-License-Identifier: ISC */
#include "oauth2.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "form.h"
#include "https.h"
#include "i18n.h"
#include "json.h"
#include "password.h"
#include "runcmd.h"
#include "safefile.h"
#include "util.h"

/* A token good for less than this is renewed before use (seconds). */
#define OAUTH2_MARGIN 60
/* No expires_in in the answer: assume this (RFC 6749 leaves it open). */
#define OAUTH2_DEFAULT_LIFETIME 3600
#define OAUTH2_CACHE_MAX (64 * 1024)
#define OAUTH2_ANSWER_MAX (64 * 1024)
#define OAUTH2_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct oauth2 {
	char *account;
	char *token_ep, *device_ep;
	char *client_id, *client_secret, *secret_cmd, *scope;
	char *password, *password_command;
	char *cafile;
	int timeout_ms;
	char *dir;                 /* $XDG_STATE_HOME/pigeon/oauth2 */
	char *path;                /* dir/account */
	/* Secrets seen, for redaction of what a server says back. */
	char *seen[4];
};

/* The cache file's content. */
struct cache {
	char *access;
	long long expires;         /* seconds since the epoch */
	char *refresh;             /* NULL: none kept */
};

static void
cache_free(struct cache *c)
{
	util_free_secret(c->access);
	util_free_secret(c->refresh);
	memset(c, 0, sizeof(*c));
}

int
oauth2_configured(const struct account *a)
{
	return a != NULL && a->oauth2_token_endpoint != NULL &&
	    (a->auth == NULL || strcasecmp(a->auth, "XOAUTH2") == 0 ||
	    strcasecmp(a->auth, "OAUTHBEARER") == 0);
}

static int
dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	return src == NULL || (*dst = strdup(src)) != NULL ? 0 : -1;
}

/* An account name is a file name in the cache folder: no '/', no leading dot. */
static int
name_ok(const char *n)
{
	return n != NULL && *n != '\0' && *n != '.' && strlen(n) < 200 &&
	    strchr(n, '/') == NULL;
}

static int
https_url(const char *u)
{
	return u == NULL || strncasecmp(u, "https://", 8) == 0;
}

enum err
oauth2_new(struct oauth2 **out, const struct account *a, char **errstr)
{
	struct oauth2 *o;

	*out = NULL;
	if (a->oauth2_client_id == NULL) {
		util_seterr(errstr, _("account '%s': oauth2_token_endpoint "
		    "needs oauth2_client_id too"), a->name);
		return ERR_CONFIG;
	}
	if (!https_url(a->oauth2_token_endpoint) ||
	    !https_url(a->oauth2_device_endpoint)) {
		util_seterr(errstr, _("account '%s': an OAuth2 endpoint must "
		    "be an https:// URL"), a->name);
		return ERR_CONFIG;
	}
	if (!name_ok(a->name)) {
		util_seterr(errstr, _("account '%s': its name cannot name "
		    "the OAuth2 token cache (no '/', no leading '.')"),
		    a->name != NULL ? a->name : "");
		return ERR_CONFIG;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return ERR_NOMEM;
	o->timeout_ms = a->timeout > 0 ? a->timeout * 1000 : 30000;
	if (dup_opt(&o->account, a->name) < 0 ||
	    dup_opt(&o->token_ep, a->oauth2_token_endpoint) < 0 ||
	    dup_opt(&o->device_ep, a->oauth2_device_endpoint) < 0 ||
	    dup_opt(&o->client_id, a->oauth2_client_id) < 0 ||
	    dup_opt(&o->client_secret, a->oauth2_client_secret) < 0 ||
	    dup_opt(&o->secret_cmd, a->oauth2_client_secret_command) < 0 ||
	    dup_opt(&o->scope, a->oauth2_scope) < 0 ||
	    dup_opt(&o->password, a->password) < 0 ||
	    dup_opt(&o->password_command, a->password_command) < 0 ||
	    dup_opt(&o->cafile, a->tls_cafile) < 0 ||
	    (o->dir = util_xdg_dir("XDG_STATE_HOME", ".local/state")) ==
	    NULL) {
		oauth2_free(o);
		return ERR_NOMEM;
	}
	/* util_xdg_dir() gives .../pigeon; the cache is in its oauth2/. */
	o->path = util_strf("%s/oauth2/%s", o->dir, o->account);
	if (o->path == NULL) {
		oauth2_free(o);
		return ERR_NOMEM;
	}
	*out = o;
	return ERR_OK;
}

void
oauth2_free(struct oauth2 *o)
{
	size_t i;

	if (o == NULL)
		return;
	free(o->account);
	free(o->token_ep);
	free(o->device_ep);
	free(o->client_id);
	util_free_secret(o->client_secret);
	free(o->secret_cmd);
	free(o->scope);
	util_free_secret(o->password);
	free(o->password_command);
	free(o->cafile);
	free(o->dir);
	free(o->path);
	for (i = 0; i < sizeof(o->seen) / sizeof(o->seen[0]); i++)
		util_free_secret(o->seen[i]);
	free(o);
}

const char *
oauth2_cache_path(const struct oauth2 *o)
{
	return o->path;
}

/* Remember secret s (copied) so that no message shows it. */
static void
seen(struct oauth2 *o, const char *s)
{
	size_t i, n = sizeof(o->seen) / sizeof(o->seen[0]);

	if (s == NULL || *s == '\0')
		return;
	for (i = 0; i < n; i++)
		if (o->seen[i] != NULL && strcmp(o->seen[i], s) == 0)
			return;
	util_free_secret(o->seen[n - 1]);
	memmove(o->seen + 1, o->seen, (n - 1) * sizeof(o->seen[0]));
	o->seen[0] = strdup(s);
}

/*
 * A server's text for a message: controls made '?', at most 300 bytes,
 * any token or secret we know of replaced by [redacted] (malloc'd).
 */
static char *
server_words(struct oauth2 *o, const char *text)
{
	struct buf b;
	const char *p = text, *hit;
	size_t i, n, best;
	char *r;

	buf_init(&b, 4096);
	while (*p != '\0' && b.len < 300) {
		hit = NULL;
		best = 0;
		for (i = 0; i < sizeof(o->seen) / sizeof(o->seen[0]); i++) {
			n = o->seen[i] != NULL ? strlen(o->seen[i]) : 0;
			if (n > best && strncmp(p, o->seen[i], n) == 0) {
				hit = p;
				best = n;
			}
		}
		if (hit != NULL) {
			(void)buf_addstr(&b, "[redacted]");
			p += best;
			continue;
		}
		(void)buf_addch(&b, (unsigned char)*p < 0x20 || *p == 0x7f ?
		    '?' : *p);
		p++;
	}
	r = strdup(buf_str(&b));
	buf_free_secret(&b);
	return r;
}

/* --- the cache ------------------------------------------------------------ */

/* The cache folder, made when create is set: a descriptor, or -1 with *e. */
static int
cache_dir(struct oauth2 *o, int create, enum err *e, char **errstr)
{
	int dfd, fd;

	if (create && util_make_dirs(o->dir, errstr) < 0) {
		*e = errno == ENOMEM ? ERR_NOMEM : ERR_IO;
		return -1;
	}
	dfd = safefile_dir(AT_FDCWD, o->dir, o->dir, create, NULL, e, errstr);
	if (dfd < 0)
		return -1;
	fd = safefile_dir(dfd, "oauth2", o->path, create, NULL, e, errstr);
	(void)close(dfd);
	return fd;
}

/* One "word value" line of the cache into c. */
static void
cache_line(struct cache *c, char *line)
{
	char *v = strchr(line, ' ');

	if (v == NULL)
		return;
	*v++ = '\0';
	if (strcmp(line, "access_token") == 0 && c->access == NULL)
		c->access = strdup(v);
	else if (strcmp(line, "expires") == 0)
		c->expires = strtoll(v, NULL, 10);
	else if (strcmp(line, "refresh_token") == 0 && c->refresh == NULL)
		c->refresh = strdup(v);
}

/* The cache into *c; a missing one is empty. */
static enum err
cache_read(struct oauth2 *o, struct cache *c, char **errstr)
{
	struct buf b;
	char *line, *nl;
	enum err e = ERR_OK;
	int dfd, fd;

	memset(c, 0, sizeof(*c));
	if ((dfd = cache_dir(o, 0, &e, errstr)) < 0)
		goto missing;
	fd = safefile_open(dfd, o->account, o->path, O_RDONLY, &e, errstr);
	(void)close(dfd);
	if (fd < 0)
		goto missing;
	buf_init(&b, OAUTH2_CACHE_MAX);
	if (buf_read_fd(&b, fd) < 0) {
		util_seterr(errstr, _("cannot read %s: %s"), o->path,
		    strerror(errno));
		e = ERR_IO;
	}
	(void)close(fd);
	for (line = b.data; e == ERR_OK && line != NULL && *line != '\0';
	    line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		cache_line(c, line);
	}
	buf_free_secret(&b);
	return e;
missing:
	if (e != ERR_NOINPUT)
		return e;
	if (errstr != NULL) {
		free(*errstr);
		*errstr = NULL;
	}
	return ERR_OK;
}

/* c into the cache, atomically: a new file renamed over the old. */
static enum err
cache_write(struct oauth2 *o, const struct cache *c, char **errstr)
{
	struct buf b;
	char *tmp;
	enum err e = ERR_OK;
	int dfd, fd, ok;

	if ((tmp = util_strf(".%s.tmp", o->account)) == NULL)
		return ERR_NOMEM;
	if ((dfd = cache_dir(o, 1, &e, errstr)) < 0) {
		free(tmp);
		return e;
	}
	buf_init(&b, OAUTH2_CACHE_MAX);
	ok = buf_printf(&b, "# pigeon OAuth2 token cache of account %s: "
	    "remove it to forget the tokens\n", o->account) == 0;
	if (ok && c->access != NULL)
		ok = buf_printf(&b, "access_token %s\nexpires %lld\n",
		    c->access, c->expires) == 0;
	if (ok && c->refresh != NULL)
		ok = buf_printf(&b, "refresh_token %s\n", c->refresh) == 0;
	/* A link in place of the temporary file is refused, not followed. */
	fd = ok ? safefile_open(dfd, tmp, o->path, O_WRONLY | O_CREAT |
	    O_TRUNC, &e, errstr) : -1;
	if (!ok)
		e = ERR_NOMEM;
	if (fd >= 0) {
		ok = util_write_all(fd, b.data, b.len) == 0 && fsync(fd) == 0;
		ok = close(fd) == 0 && ok;
		if (ok && renameat(dfd, tmp, dfd, o->account) == 0) {
			(void)fsync(dfd);
		} else {
			util_seterr(errstr, _("cannot write %s: %s"), o->path,
			    strerror(errno));
			(void)unlinkat(dfd, tmp, 0);
			e = ERR_IO;
		}
	}
	buf_free_secret(&b);
	(void)close(dfd);
	free(tmp);
	return e;
}

/* --- the token endpoint ------------------------------------------------- */

/* The client secret, from the file or its command, into the form. */
static enum err
add_client(struct oauth2 *o, struct buf *form, char **errstr)
{
	char *secret = NULL;
	enum err e;
	int r;

	r = form_add(form, "client_id", o->client_id);
	if (o->client_secret != NULL) {
		r = r < 0 ? r : form_add(form, "client_secret",
		    o->client_secret);
	} else if (o->secret_cmd != NULL) {
		if ((e = password_run(o->secret_cmd, &secret, errstr)) !=
		    ERR_OK) {
			util_seterr(errstr, _("oauth2_client_secret_command "
			    "failed: %s"), errstr != NULL && *errstr != NULL ?
			    *errstr : err_str(e));
			return e;
		}
		seen(o, secret);
		r = r < 0 ? r : form_add(form, "client_secret", secret);
		util_free_secret(secret);
	}
	if (r == 0 && o->scope != NULL && *o->scope != '\0')
		r = form_add(form, "scope", o->scope);
	return r < 0 ? ERR_NOMEM : ERR_OK;
}

/* The status and JSON answer of a form POST to url. */
static enum err
post_form(struct oauth2 *o, struct transcript *tr, const char *url,
    const struct buf *form, int *status, struct json_object *j,
    char **errstr)
{
	static const struct https_header hdrs[] = {
		{ "Content-Type", "application/x-www-form-urlencoded" },
		{ "Accept", "application/json" },
	};
	struct https_request rq;
	struct https_response rs;
	char *why = NULL;
	enum err e;

	memset(j, 0, sizeof(*j));
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = hdrs;
	rq.nheaders = sizeof(hdrs) / sizeof(hdrs[0]);
	rq.body = form->data != NULL ? form->data : "";
	rq.bodylen = form->len;
	rq.max_body = OAUTH2_ANSWER_MAX;
	rq.timeout_ms = o->timeout_ms;
	rq.cafile = o->cafile;
	rq.tr = tr;
	e = https_request(&rq, &rs, &why);
	if (e != ERR_OK) {
		util_seterr(errstr, _("the OAuth2 endpoint %s cannot be "
		    "reached: %s"), url, why != NULL ? why : err_str(e));
		free(why);
		https_response_free(&rs);
		return e;
	}
	*status = rs.status;
	e = json_parse_object(rs.body != NULL ? rs.body : "", rs.bodylen, j,
	    &why);
	if (e == ERR_DATA) {
		util_seterr(errstr, _("the OAuth2 endpoint %s answered %d "
		    "%s without a JSON object (%s)"), url, rs.status,
		    rs.reason != NULL ? rs.reason : "", why);
		e = rs.status >= 500 ? ERR_TEMPFAIL : ERR_PROTOCOL;
	}
	free(why);
	if (rs.body != NULL)
		explicit_bzero(rs.body, rs.bodylen);
	https_response_free(&rs);
	return e;
}

/* An error answer (RFC 6749 section 5.2) in words; the err it means. */
static enum err
endpoint_error(struct oauth2 *o, const char *url, int status,
    const struct json_object *j, char **errstr)
{
	const char *code = json_string(j, "error");
	const char *desc = json_string(j, "error_description");
	char *c = server_words(o, code != NULL ? code : "?");
	char *d = desc != NULL ? server_words(o, desc) : NULL;
	enum err e;

	if (status >= 500)
		e = ERR_TEMPFAIL;
	else if (code == NULL)
		e = ERR_PROTOCOL;
	else
		e = ERR_AUTH;
	util_seterr(errstr, _("the OAuth2 endpoint %s refused: %s%s%s%s "
	    "(HTTP %d)"), url, c != NULL ? c : "?", d != NULL ? " (" : "",
	    d != NULL ? d : "", d != NULL ? ")" : "", status);
	free(c);
	free(d);
	return e;
}

/* b64token of RFC 6750 section 2.1: what a bearer token may hold. */
static int
token_ok(const char *t)
{
	return t != NULL && *t != '\0' && strlen(t) < 16384 &&
	    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~+/=") == strlen(t);
}

/*
 * A token answer (RFC 6749 section 5.1) into c: the access token, its
 * expiry and a new refresh token (else c->refresh stays).
 */
static enum err
token_answer(struct oauth2 *o, const char *url, const struct json_object *j,
    struct cache *c, char **errstr)
{
	const char *at = json_string(j, "access_token");
	const char *rt = json_string(j, "refresh_token");
	const char *type = json_string(j, "token_type");
	long long life = OAUTH2_DEFAULT_LIFETIME;
	char *copy;

	if (!token_ok(at) || (rt != NULL && !token_ok(rt)) ||
	    (type != NULL && strcasecmp(type, "bearer") != 0)) {
		util_seterr(errstr, _("the OAuth2 endpoint %s answered "
		    "without a usable bearer access token"), url);
		return ERR_PROTOCOL;
	}
	if (json_get(j, "expires_in") != NULL &&
	    json_int(j, "expires_in", 0, 10LL * 365 * 86400, &life) < 0) {
		util_seterr(errstr, _("the OAuth2 endpoint %s answered with "
		    "a wrong expires_in"), url);
		return ERR_PROTOCOL;
	}
	seen(o, at);
	if ((copy = strdup(at)) == NULL)
		return ERR_NOMEM;
	util_free_secret(c->access);
	c->access = copy;
	c->expires = (long long)time(NULL) + life;
	if (rt != NULL) {
		seen(o, rt);
		if ((copy = strdup(rt)) == NULL)
			return ERR_NOMEM;
		util_free_secret(c->refresh);
		c->refresh = copy;
	}
	return ERR_OK;
}

/* Exchange refresh for an access token into c (and a rotated refresh token). */
static enum err
refresh_grant(struct oauth2 *o, struct transcript *tr, const char *refresh,
    struct cache *c, char **errstr)
{
	struct json_object j;
	struct buf form;
	enum err e;
	int status = 0;

	seen(o, refresh);
	buf_init(&form, 64 * 1024);
	if (form_add(&form, "grant_type", "refresh_token") < 0 ||
	    form_add(&form, "refresh_token", refresh) < 0) {
		buf_free_secret(&form);
		return ERR_NOMEM;
	}
	if ((e = add_client(o, &form, errstr)) != ERR_OK) {
		buf_free_secret(&form);
		return e;
	}
	transcript_emitf(tr, TR_INFO, 0, "OAuth2: %s", _("asking the token "
	    "endpoint for a new access token (grant_type=refresh_token)"));
	e = post_form(o, tr, o->token_ep, &form, &status, &j, errstr);
	buf_free_secret(&form);
	if (e == ERR_OK)
		e = status == 200 ? token_answer(o, o->token_ep, &j, c,
		    errstr) : endpoint_error(o, o->token_ep, status, &j,
		    errstr);
	json_object_free(&j);
	return e;
}

/* The refresh token of the account's password or password_command (malloc'd), or NULL with ERR_OK when it has none. */
static enum err
configured_refresh(struct oauth2 *o, char **out, char **errstr)
{
	*out = NULL;
	if (o->password != NULL)
		return (*out = strdup(o->password)) == NULL ? ERR_NOMEM :
		    ERR_OK;
	if (o->password_command != NULL)
		return password_run(o->password_command, out, errstr);
	return ERR_OK;
}

static void
note_token(struct transcript *tr, const struct cache *c, const char *how)
{
	long long left = c->expires - (long long)time(NULL);

	transcript_emitf(tr, TR_INFO, 0, _("OAuth2: %s access token "
	    "[redacted], good for %lld s more"), how, left > 0 ? left : 0);
}

/* The refresh tokens in order (the cache's, then the account's) until one is taken; c gets the answer. */
static enum err
refresh_any(struct oauth2 *o, struct transcript *tr, struct cache *c,
    char **errstr)
{
	char *kept = c->refresh, *mine = NULL;
	enum err e = ERR_AUTH;

	c->refresh = NULL;
	if (kept != NULL)
		e = refresh_grant(o, tr, kept, c, errstr);
	if (e == ERR_AUTH) {
		if ((e = configured_refresh(o, &mine, errstr)) != ERR_OK) {
			util_free_secret(kept);
			return e;
		}
		if (mine == NULL && kept == NULL) {
			util_seterr(errstr, _("account '%s' has no OAuth2 "
			    "refresh token: run 'pigeon oauth2 login %s', or "
			    "set password_command to print one"), o->account,
			    o->account);
			e = ERR_CONFIG;
		} else if (mine == NULL || (kept != NULL &&
		    strcmp(mine, kept) == 0)) {
			e = ERR_AUTH;    /* the one there is was refused */
		} else {
			if (errstr != NULL) {
				free(*errstr);
				*errstr = NULL;
			}
			/* password_command's stays there: not kept. */
			e = refresh_grant(o, tr, mine, c, errstr);
		}
		util_free_secret(mine);
		util_free_secret(kept);
		return e;
	}
	/* The cache's was taken: it stays unless the server rotated it. */
	if (c->refresh == NULL)
		c->refresh = kept;
	else
		util_free_secret(kept);
	return e;
}

enum err
oauth2_token(struct oauth2 *o, struct transcript *tr, int renew,
    char **token, char **errstr)
{
	struct cache c;
	enum err e;

	*token = NULL;
	if ((e = cache_read(o, &c, errstr)) != ERR_OK)
		return e;
	if (!renew && c.access != NULL &&
	    c.expires > (long long)time(NULL) + OAUTH2_MARGIN) {
		note_token(tr, &c, _("the cached"));
		seen(o, c.access);
		*token = strdup(c.access);
		cache_free(&c);
		return *token != NULL ? ERR_OK : ERR_NOMEM;
	}
	if (c.access != NULL) {
		transcript_emitf(tr, TR_INFO, 0, "OAuth2: %s", renew ?
		    _("the server refused the cached access token: it is "
		    "dropped") : _("the cached access token expires within "
		    "a minute"));
		util_free_secret(c.access);
		c.access = NULL;
	}
	e = refresh_any(o, tr, &c, errstr);
	if (e == ERR_OK) {
		e = cache_write(o, &c, errstr);
		note_token(tr, &c, _("a new"));
		if (e == ERR_OK && (*token = strdup(c.access)) == NULL)
			e = ERR_NOMEM;
	} else if (e == ERR_AUTH || renew) {
		/* Refused: nothing the cache held is of use any more. */
		(void)cache_write(o, &c, NULL);
	}
	cache_free(&c);
	return e;
}

/* --- the device flow (RFC 8628) ---------------------------------------- */

void
oauth2_device_free(struct oauth2_device *d)
{
	util_free_secret(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	memset(d, 0, sizeof(*d));
}

/* A printable string member without controls (a URI, a code), copied, or NULL. */
static char *
plain_string(const struct json_object *j, const char *name)
{
	const char *s = json_string(j, name);
	const unsigned char *p;

	if (s == NULL || *s == '\0')
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	return strdup(s);
}

enum err
oauth2_device_start(struct oauth2 *o, struct transcript *tr,
    struct oauth2_device *d, char **errstr)
{
	struct json_object j;
	struct buf form;
	enum err e;
	int status = 0;

	memset(d, 0, sizeof(*d));
	if (o->device_ep == NULL) {
		util_seterr(errstr, _("account '%s' has no "
		    "oauth2_device_endpoint: the provider's device "
		    "authorization URL goes there"), o->account);
		return ERR_CONFIG;
	}
	buf_init(&form, 64 * 1024);
	if ((e = add_client(o, &form, errstr)) != ERR_OK) {
		buf_free_secret(&form);
		return e;
	}
	e = post_form(o, tr, o->device_ep, &form, &status, &j, errstr);
	buf_free_secret(&form);
	if (e == ERR_OK && status != 200)
		e = endpoint_error(o, o->device_ep, status, &j, errstr);
	if (e == ERR_OK) {
		d->device_code = plain_string(&j, "device_code");
		d->user_code = plain_string(&j, "user_code");
		d->verification_uri = plain_string(&j, "verification_uri");
		/* Google's name for it, before the RFC. */
		if (d->verification_uri == NULL)
			d->verification_uri = plain_string(&j,
			    "verification_url");
		d->verification_uri_complete = plain_string(&j,
		    "verification_uri_complete");
		if (json_int(&j, "expires_in", 1, 86400, &d->expires_in) < 0)
			d->expires_in = 0;
		if (json_get(&j, "interval") == NULL ||
		    json_int(&j, "interval", 1, 3600, &d->interval) < 0)
			d->interval = 5;
		if (d->device_code == NULL || d->user_code == NULL ||
		    d->verification_uri == NULL || d->expires_in == 0) {
			util_seterr(errstr, _("the device endpoint %s "
			    "answered without device_code, user_code, "
			    "verification_uri or expires_in"), o->device_ep);
			e = ERR_PROTOCOL;
		}
	}
	json_object_free(&j);
	return e;
}

enum oauth2_poll
oauth2_device_poll(struct oauth2 *o, struct transcript *tr,
    struct oauth2_device *d, char **refresh, enum err *e, char **errstr)
{
	struct json_object j;
	struct cache c;
	struct buf form;
	const char *code;
	enum oauth2_poll r = OAUTH2_POLL_FAILED;
	int status = 0;

	if (refresh != NULL)
		*refresh = NULL;
	memset(&c, 0, sizeof(c));
	buf_init(&form, 64 * 1024);
	if (form_add(&form, "grant_type", OAUTH2_DEVICE_GRANT) < 0 ||
	    form_add(&form, "device_code", d->device_code) < 0) {
		buf_free_secret(&form);
		*e = ERR_NOMEM;
		return r;
	}
	if ((*e = add_client(o, &form, errstr)) == ERR_OK)
		*e = post_form(o, tr, o->token_ep, &form, &status, &j, errstr);
	buf_free_secret(&form);
	if (*e != ERR_OK)
		return r;
	code = json_string(&j, "error");
	if (status != 200 && code != NULL &&
	    strcmp(code, "authorization_pending") == 0) {
		transcript_emitf(tr, TR_INFO, 0, "OAuth2: %s", _("not "
		    "allowed yet (authorization_pending)"));
		r = OAUTH2_POLL_PENDING;
	} else if (status != 200 && code != NULL &&
	    strcmp(code, "slow_down") == 0) {
		/* RFC 8628 section 3.5: 5 seconds more from now on. */
		d->interval += 5;
		transcript_emitf(tr, TR_INFO, 0, _("OAuth2: asked to ask "
		    "less often (slow_down): every %lld s now"), d->interval);
		r = OAUTH2_POLL_SLOW_DOWN;
	} else if (status != 200) {
		*e = endpoint_error(o, o->token_ep, status, &j, errstr);
	} else if ((*e = token_answer(o, o->token_ep, &j, &c, errstr)) ==
	    ERR_OK) {
		if (c.refresh == NULL) {
			util_seterr(errstr, _("the OAuth2 endpoint %s gave "
			    "no refresh token: pigeon could not renew the "
			    "access token (ask for offline access in "
			    "oauth2_scope?)"), o->token_ep);
			*e = ERR_PROTOCOL;
		} else if ((*e = cache_write(o, &c, errstr)) == ERR_OK) {
			r = OAUTH2_POLL_DONE;
			if (refresh != NULL &&
			    (*refresh = strdup(c.refresh)) == NULL) {
				*e = ERR_NOMEM;
				r = OAUTH2_POLL_FAILED;
			}
		}
	}
	json_object_free(&j);
	cache_free(&c);
	return r;
}
