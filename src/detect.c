/* detect.c - find how a new account's server takes mail: try ports and TLS modes in turn, driven by the caller's poll loop. */
/* SPDX-License-Identifier: ISC */
#include "detect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

const struct detect_candidate detect_default[] = {
	{ "465", SMTP_TLS_IMPLICIT, 0 },
	{ "587", SMTP_TLS_STARTTLS, 0 },
	{ "25", SMTP_TLS_STARTTLS, 0 },
};
const size_t detect_ndefault = sizeof(detect_default) /
    sizeof(detect_default[0]);

/* One candidate: its own options (a session keeps a pointer to them). */
struct try {
	struct detect_candidate cand;
	struct session_opts so;
	struct session *s;         /* kept after it ends: its certificate */
	struct detect_result res;
	char *text;
	char *auth;
};

struct detect {
	char *host;
	struct transcript *tr;
	struct try *v;
	size_t n;
	size_t cur;                /* the candidate being tried; n: none */
	size_t ntried;             /* results so far */
	int quitting;              /* the one found is saying QUIT */
	int found;                 /* its index, or -1 */
	int done;
	int64_t deadline;
	struct buf report;
};

static const char *
mode_name(enum smtp_tls t)
{
	switch (t) {
	case SMTP_TLS_IMPLICIT:
		return _("implicit TLS");
	case SMTP_TLS_STARTTLS:
		return "STARTTLS";
	case SMTP_TLS_OPPORTUNISTIC:
		return _("STARTTLS if it works");
	case SMTP_TLS_NONE:
		break;
	}
	return _("no TLS");
}

static int
timeout_ms(const struct try *t)
{
	return t->cand.timeout_ms > 0 ? t->cand.timeout_ms : DETECT_TIMEOUT_MS;
}

/* Record what came of t: e and the words for it (detail may be NULL). */
static void
record(struct detect *d, struct try *t, enum err e, const char *detail)
{
	const char *why = detail != NULL && *detail != '\0' ? detail :
	    err_str(e);
	size_t mark = d->report.len;

	if (e == ERR_OK && t->auth != NULL)
		t->text = util_strf(_("%s (%s): works; AUTH %s"), t->cand.port,
		    mode_name(t->cand.tls), t->auth);
	else if (e == ERR_OK)
		t->text = util_strf(_("%s (%s): works; no AUTH offered"),
		    t->cand.port, mode_name(t->cand.tls));
	else
		t->text = util_strf("%s (%s): %s", t->cand.port,
		    mode_name(t->cand.tls), why);
	t->res.cand = &t->cand;
	t->res.err = e;
	t->res.text = t->text != NULL ? t->text : err_str(e);
	t->res.auth = t->auth;
	t->res.peer = t->s != NULL ? session_peer(t->s) : NULL;
	d->ntried++;
	if ((d->report.len > 0 && buf_addch(&d->report, '\n') < 0) ||
	    buf_addstr(&d->report, t->res.text) < 0)
		buf_truncate(&d->report, mark);
	transcript_emit(d->tr, TR_INFO, 0, t->res.text, strlen(t->res.text));
}

/* Start candidates from d->cur on until one is under way, or none is left. */
static void
start(struct detect *d)
{
	struct try *t;
	char *why;
	enum err e;

	for (; d->cur < d->n; d->cur++) {
		t = &d->v[d->cur];
		why = NULL;
		d->deadline = util_now_us() + (int64_t)timeout_ms(t) * 1000;
		e = session_open(&t->s, &t->so, d->tr, &why);
		if (e == ERR_OK) {
			free(why);
			return;
		}
		record(d, t, e, why);
		free(why);
		/* A name that does not resolve fails on every port alike. */
		if (e == ERR_RESOLVE || e == ERR_NOMEM)
			break;
	}
	d->cur = d->n;
	d->done = 1;
}

enum err
detect_new(struct detect **out, const char *host,
    const struct detect_candidate *v, size_t n,
    const struct session_opts *base, struct transcript *tr, char **errstr)
{
	struct detect *d;
	size_t i;

	*out = NULL;
	if (v == NULL) {
		v = detect_default;
		n = detect_ndefault;
	}
	if (host == NULL || *host == '\0' || n == 0) {
		util_seterr(errstr, n == 0 ? _("no port to try") :
		    _("no host name to try"));
		return ERR_CONFIG;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return ERR_NOMEM;
	buf_init(&d->report, 64 * 1024);
	d->found = -1;
	d->tr = tr;
	d->host = strdup(host);
	d->v = calloc(n, sizeof(*d->v));
	if (d->host == NULL || d->v == NULL) {
		detect_free(d);
		return ERR_NOMEM;
	}
	d->n = n;
	for (i = 0; i < n; i++) {
		struct try *t = &d->v[i];

		t->cand = v[i];
		t->so = *base;
		t->so.host = d->host;
		t->so.port = v[i].port;
		t->so.tls.servername = base->tls.servername;
		t->so.smtp.tls = v[i].tls;
		/* Finding the way in is not logging in. */
		t->so.smtp.user = NULL;
		t->so.smtp.secret = NULL;
		t->so.smtp.auth = NULL;
		t->so.net.connect_timeout_ms = timeout_ms(t);
	}
	start(d);
	*out = d;
	return ERR_OK;
}

void
detect_free(struct detect *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		session_free(d->v[i].s);
		free(d->v[i].text);
		free(d->v[i].auth);
	}
	free(d->v);
	free(d->host);
	buf_free(&d->report);
	free(d);
}

int
detect_pollfd(struct detect *d, struct pollfd *p)
{
	int64_t left;
	int t;

	p->fd = -1;
	p->events = 0;
	p->revents = 0;
	if (d->done)
		return -1;
	t = session_pollfd(d->v[d->cur].s, p);
	left = (d->deadline - util_now_us()) / 1000 + 1;
	if (left < 0)
		left = 0;
	return t >= 0 && t < left ? t : (int)left;
}

/* The one found said QUIT (or could not): done. */
static void
found(struct detect *d, struct try *t)
{
	const struct smtp_caps *caps = smtp_caps(session_smtp(t->s));

	if (caps->auth != NULL && *caps->auth != '\0')
		t->auth = strdup(caps->auth);
	record(d, t, ERR_OK, NULL);
	d->found = (int)d->cur;
	d->quitting = 1;
	session_quit(t->s);
}

void
detect_step(struct detect *d, short revents)
{
	struct try *t;
	const char *detail = NULL;
	enum err e;

	if (d->done)
		return;
	t = &d->v[d->cur];
	session_step(t->s, revents);
	if (session_status(t->s) != SESSION_DONE &&
	    util_now_us() >= d->deadline) {
		char *why = util_strf(_("no answer within %.1f s"),
		    timeout_ms(t) / 1000.0);

		session_abort(t->s, ERR_TIMEOUT, why);
		free(why);
	}
	switch (session_status(t->s)) {
	case SESSION_BUSY:
		return;
	case SESSION_READY:
		if (!d->quitting)
			found(d, t);
		if (session_status(t->s) != SESSION_DONE)
			return;
		break;
	case SESSION_DONE:
		break;
	}
	if (d->quitting) {
		d->done = 1;
		return;
	}
	e = session_error(t->s, &detail);
	record(d, t, e != ERR_OK ? e : ERR_CLOSED, detail);
	d->cur++;
	start(d);
}

void
detect_wait(struct detect *d)
{
	struct pollfd p;
	int timeout, r;

	while (!d->done) {
		timeout = detect_pollfd(d, &p);
		r = poll(&p, p.fd >= 0 ? 1 : 0, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		detect_step(d, r > 0 ? p.revents : 0);
	}
}

int
detect_done(const struct detect *d)
{
	return d->done;
}

void
detect_stop(struct detect *d)
{
	struct try *t;

	if (d->done)
		return;
	t = &d->v[d->cur];
	session_cancel(t->s);
	if (!d->quitting)
		record(d, t, ERR_CANCEL, NULL);
	d->cur = d->n;
	d->done = 1;
}

const struct detect_candidate *
detect_found(const struct detect *d)
{
	return d->found >= 0 ? &d->v[d->found].cand : NULL;
}

size_t
detect_count(const struct detect *d)
{
	return d->ntried;
}

const struct detect_result *
detect_result(const struct detect *d, size_t i)
{
	size_t k, seen = 0;

	/* Results are in candidate order; some candidates were never tried. */
	for (k = 0; k < d->n; k++) {
		if (d->v[k].res.cand == NULL)
			continue;
		if (seen++ == i)
			return &d->v[k].res;
	}
	return NULL;
}

const char *
detect_report(const struct detect *d)
{
	return d->report.len > 0 ? buf_str(&d->report) : "";
}

char *
detect_url(const struct detect *d)
{
	const struct detect_candidate *c = detect_found(d);
	const char *scheme, *dflt, *l = "", *r = "";

	if (c == NULL)
		return NULL;
	switch (c->tls) {
	case SMTP_TLS_IMPLICIT:
		scheme = "smtps";
		dflt = "465";
		break;
	case SMTP_TLS_STARTTLS:
		scheme = "smtp";
		dflt = "587";
		break;
	default:
		scheme = "smtp+plain";
		dflt = "25";
		break;
	}
	if (strchr(d->host, ':') != NULL) {
		l = "[";
		r = "]";
	}
	if (strcmp(c->port, dflt) == 0)
		return util_strf("%s://%s%s%s", scheme, l, d->host, r);
	return util_strf("%s://%s%s%s:%s", scheme, l, d->host, r, c->port);
}

size_t
detect_test_candidates(struct detect_candidate *v, size_t max)
{
#ifdef PIGEON_TEST_HOOKS
	static char copy[256];
	const char *spec = getenv("PIGEON_TEST_DETECT");
	const char *t = getenv("PIGEON_TEST_DETECT_TIMEOUT_MS");
	char *item, *slash, *save = NULL;
	size_t n = 0;

	if (spec == NULL || strlen(spec) >= sizeof(copy))
		return 0;
	memcpy(copy, spec, strlen(spec) + 1);
	for (item = strtok_r(copy, ",", &save); item != NULL && n < max;
	    item = strtok_r(NULL, ",", &save)) {
		slash = strchr(item, '/');
		if (slash == NULL)
			continue;
		*slash++ = '\0';
		v[n].port = item;
		v[n].tls = strcmp(slash, "implicit") == 0 ? SMTP_TLS_IMPLICIT :
		    strcmp(slash, "none") == 0 ? SMTP_TLS_NONE :
		    SMTP_TLS_STARTTLS;
		v[n].timeout_ms = t != NULL ? (int)strtol(t, NULL, 10) : 0;
		n++;
	}
	return n;
#else
	(void)v;
	(void)max;
	return 0;
#endif
}
