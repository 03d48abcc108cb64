/* formfind.c - the account form finds how a new account's server takes mail: detect as a source of the one loop. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "detect.h"
#include "formint.h"
#include "i18n.h"
#include "route.h"
#include "util.h"

/*
 * Finding the port and security of a new account's server: detect (465
 * with TLS, then 587 with STARTTLS) as a source of the loop, its tries in
 * the transcript pane, with the trust settings of the form.
 */
struct finder {
	struct form *fm;
	struct detect *d;
	struct route r;
	char *trust[5];            /* CA file, pin, certificate, key, EHLO name */
	int stopped;               /* the user stopped it (d) */
};

static void
finder_free(struct finder *f)
{
	size_t i;

	if (f == NULL)
		return;
	detect_free(f->d);
	route_free(&f->r);
	for (i = 0; i < sizeof(f->trust) / sizeof(f->trust[0]); i++)
		free(f->trust[i]);
	free(f);
}

static int
finder_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct finder *f = arg;

	(void)a;
	/* Over (the name did not resolve, or d stopped it): step at once. */
	if (detect_done(f->d)) {
		p->fd = -1;
		return 0;
	}
	return detect_pollfd(f->d, p);
}

/* The first try that failed for want of trust in the certificate, NULL: none. */
static const struct detect_result *
untrusted(const struct detect *d)
{
	const struct detect_result *r;
	size_t i;

	for (i = 0; i < detect_count(d); i++)
		if ((r = detect_result(d, i)) != NULL &&
		    r->err == ERR_TLS_VERIFY && r->peer != NULL &&
		    r->peer->fingerprint[0] != '\0')
			return r;
	return NULL;
}

/* It is over: the form takes what was found (the user may still change it). */
static void
found(struct app *a, struct form *fm, struct detect *d, int stopped)
{
	const struct detect_result *r;
	char *url = detect_url(d), *why = NULL;
	size_t n = detect_count(d);
	struct url u;

	free(fm->report);
	fm->report = strdup(detect_report(d));
	memset(&u, 0, sizeof(u));
	if (url != NULL && url_parse(&u, url, &why) == ERR_OK) {
		fm->security = (int)u.scheme;
		free(fm->text[F_HOST]);
		fm->text[F_HOST] = util_strf(strchr(u.host, ':') != NULL ?
		    "[%s]:%s" : "%s:%s", u.host, u.port);
		free(fm->tried);
		fm->tried = fm->text[F_HOST] != NULL ?
		    strdup(fm->text[F_HOST]) : NULL;
		form_touched(fm, F_HOST);
		form_touched(fm, F_SECURITY);
		r = n > 0 ? detect_result(d, n - 1) : NULL;
		app_status(a, TUI_NORMAL, _("Server: found %s; s saves the "
		    "account"), r != NULL ? r->text : url);
		url_free(&u);
	} else if (stopped) {
		app_status(a, TUI_NORMAL, _("Server: stopped; give host:port "
		    "and the security (s saves it as it is now)"));
	} else if ((r = untrusted(d)) != NULL) {
		form_error(a, fm, F_HOST, util_strf(_("Server: the certificate "
		    "on port %s is not trusted; if it is the server's, give "
		    "the CA file, or %s as the Certificate pin"), r->cand->port,
		    r->peer->fingerprint));
	} else {
		form_error(a, fm, F_HOST, util_strf(_("Server: %s takes no mail "
		    "on the ports tried; give host:port and the security (s "
		    "saves it as it is now)"), form_text(fm, F_HOST)));
	}
	free(why);
	free(url);
}

static void
finder_step(struct app *a, void *arg, short revents)
{
	struct finder *f = arg;

	detect_step(f->d, revents);
	if (!detect_done(f->d))
		return;
	loop_remove(a, f);
	f->fm->finder = NULL;
	found(a, f->fm, f->d, f->stopped);
	finder_free(f);
}

static const struct source_ops finder_source = { finder_pollfd, finder_step };

/* The trust settings a try uses, as the account will have them (malloc'd; NULL: empty). */
static char *
trust_value(const struct form *fm, int f)
{
	const char *v = form_text(fm, f);

	if (*v == '\0')
		return NULL;
	return formfield_is_file(f) ? formfield_path(v) : strdup(v);
}

int
form_find_start(struct app *a, struct form *fm)
{
	static const int tf[] = { F_CAFILE, F_PIN, F_CERT, F_KEY, F_HELO };
	struct detect_candidate tv[8];
	struct account trust;
	struct finder *f;
	struct url u;
	char *why = NULL, *url;
	size_t i, n;
	enum err e;

	if ((url = form_server_url(fm, &u, &why)) == NULL) {
		form_error(a, fm, F_HOST, why);
		return -1;
	}
	free(url);
	for (i = 0; i < sizeof(tf) / sizeof(tf[0]); i++)
		if ((why = formfield_problem(tf[i], fm->text[tf[i]])) != NULL) {
			url_free(&u);
			form_error(a, fm, tf[i], why);
			return -1;
		}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		url_free(&u);
		return -1;
	}
	f->fm = fm;
	for (i = 0; i < sizeof(tf) / sizeof(tf[0]); i++)
		f->trust[i] = trust_value(fm, tf[i]);
	memset(&trust, 0, sizeof(trust));
	trust.tls_verify = 1;
	trust.tls_cafile = f->trust[0];
	trust.tls_fingerprint = f->trust[1];
	trust.tls_cert = f->trust[2];
	trust.tls_key = f->trust[3];
	trust.helo = f->trust[4];
	url = util_strf(strchr(u.host, ':') != NULL ? "smtp://[%s]" :
	    "smtp://%s", u.host);
	e = url == NULL ? ERR_NOMEM : route_init(&f->r, &trust, url, 0, &why);
	free(url);
	/* Test builds: the ports the tests name (none in a real build). */
	n = detect_test_candidates(tv, sizeof(tv) / sizeof(tv[0]));
	if (e == ERR_OK)
		e = detect_new(&f->d, u.host, n > 0 ? tv : NULL, n, &f->r.so,
		    a->tr, &why);
	if (e == ERR_OK && loop_add(a, &finder_source, f) < 0) {
		e = ERR_NOMEM;
		why = util_strf("%s", _("too much going on at once; try again "
		    "when a send is over"));
	}
	if (e != ERR_OK) {
		form_error(a, fm, F_HOST, util_strf(_("%s: %s"),
		    formfield_name(F_HOST), why != NULL ? why : err_str(e)));
		free(why);
		finder_free(f);
		url_free(&u);
		return -1;
	}
	fm->finder = f;
	free(fm->tried);
	fm->tried = strdup(fm->text[F_HOST]);
	free(fm->report);
	fm->report = NULL;
	pane_follow(a);
	app_status(a, TUI_NORMAL, _("Server: finding how %s takes mail (465 "
	    "with TLS, then 587 with STARTTLS); d stops"), u.host);
	url_free(&u);
	return 0;
}

void
form_find_stop(struct form *fm)
{
	if (fm->finder != NULL) {
		fm->finder->stopped = 1;
		detect_stop(fm->finder->d);
	}
}

void
form_find_free(struct app *a, struct form *fm)
{
	if (fm->finder == NULL)
		return;
	loop_remove(a, fm->finder);
	finder_free(fm->finder);
	fm->finder = NULL;
}

const char *
form_find_report(const struct form *fm)
{
	return fm->finder != NULL ? detect_report(fm->finder->d) : fm->report;
}
