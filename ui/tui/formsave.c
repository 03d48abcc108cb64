/* formsave.c - the account form to the config file: each field checked, the server's URL, the keys written; and the form filled from an account. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "app.h"
#include "confedit.h"
#include "formint.h"
#include "i18n.h"
#include "util.h"

/* What is wrong with the name (malloc'd), or NULL: a word, and for a new account one not taken. */
static char *
name_problem(const struct form *fm)
{
	const char *n = fm->text[F_NAME], *p;
	size_t i;

	if (n == NULL || *n == '\0')
		return util_strf("%s", _("Name: the account needs a name"));
	for (p = n; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t' || *p == ']' || *p == '[' ||
		    (unsigned char)*p < 0x20)
			return util_strf(_("Name: '%s' cannot be a name: one word, "
			    "without blanks or brackets"), n);
	for (i = 0; fm->is_new && i < fm->nnames; i++)
		if (strcmp(fm->names[i], n) == 0)
			return util_strf(_("Name: there is an account %s already; "
			    "choose another name, or edit that one (e on the "
			    "list)"), n);
	return NULL;
}

int
form_has_port(const char *t)
{
	const char *close;

	if (*t == '[')
		return (close = strchr(t, ']')) != NULL && close[1] == ':';
	return strchr(t, ':') != NULL;
}

char *
form_server_url(const struct form *fm, struct url *u, char **why)
{
	char *s;

	memset(u, 0, sizeof(*u));
	if (*form_text(fm, F_HOST) == '\0') {
		*why = util_strf(_("%s: %s"), formfield_name(F_HOST),
		    _("the account needs its submission server"));
		return NULL;
	}
	s = util_strf("%s://%s", formfield_scheme[fm->security],
	    fm->text[F_HOST]);
	if (s == NULL)
		return NULL;
	if (url_parse(u, s, why) != ERR_OK) {
		char *m = util_strf(_("%s: %s"), formfield_name(F_HOST),
		    *why != NULL ? *why : _("not a server"));

		free(*why);
		*why = m;
		free(s);
		return NULL;
	}
	return s;
}

/* The URL for the server key: the port left out when it is the scheme's own. */
static char *
form_url(const struct form *fm, char **why)
{
	struct url u;
	char *s = form_server_url(fm, &u, why), *bare;

	if (s == NULL)
		return NULL;
	if (u.user == NULL && strcmp(u.port, formfield_port[fm->security]) ==
	    0 && (bare = util_strf(strchr(u.host, ':') != NULL ? "%s://[%s]" :
	    "%s://%s", formfield_scheme[fm->security], u.host)) != NULL) {
		free(s);
		s = bare;
	}
	url_free(&u);
	return s;
}

int
form_check(struct app *a, struct form *fm)
{
	char *why = NULL, *url;
	int f;

	if ((why = name_problem(fm)) != NULL) {
		form_error(a, fm, F_NAME, why);
		return -1;
	}
	if ((why = formfield_problem(F_FROM, fm->text[F_FROM])) != NULL) {
		form_error(a, fm, F_FROM, why);
		return -1;
	}
	if ((url = form_url(fm, &why)) == NULL) {
		form_error(a, fm, F_HOST, why);
		return -1;
	}
	free(url);
	if (fm->pwsrc == 0 && *form_text(fm, F_PWCMD) == '\0') {
		form_error(a, fm, F_PWCMD, util_strf(_("%s: %s"),
		    formfield_name(F_PWCMD), _("give the command, or take the "
		    "password from ~/.netrc (Password from)")));
		return -1;
	}
	for (f = F_CAFILE; f < F_COUNT; f++)
		if ((why = formfield_problem(f, fm->text[f])) != NULL) {
			form_error(a, fm, f, why);
			return -1;
		}
	if (*form_text(fm, F_KEY) != '\0' && *form_text(fm, F_CERT) == '\0') {
		form_error(a, fm, F_KEY, util_strf(_("%s: %s"),
		    formfield_name(F_KEY), _("a key without its client "
		    "certificate: give the certificate too")));
		return -1;
	}
	return 0;
}

/* A first config file: its directory (and the one above) may be missing. */
static void
make_dir_of(const char *path)
{
	char *dir = strdup(path), *slash, *up;

	if (dir != NULL && (slash = strrchr(dir, '/')) != NULL &&
	    slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST &&
		    (up = strrchr(dir, '/')) != NULL && up != dir) {
			*up = '\0';
			(void)mkdir(dir, 0700);
			*up = '/';
			(void)mkdir(dir, 0700);
		}
	}
	free(dir);
}

int
form_save(struct app *a, struct form *fm)
{
	const char *keys[F_COUNT], *values[F_COUNT];
	char *why = NULL, *url;
	size_t n = 0;
	enum err e;
	int f;

	if (form_check(a, fm) < 0)
		return -1;
	if ((url = form_url(fm, &why)) == NULL) {
		form_error(a, fm, F_HOST, why);
		return -1;
	}
	for (f = 0; f < F_COUNT; f++) {
		if (formfield_key(f) == NULL)
			continue;
		keys[n] = formfield_key(f);
		/* Empty: the key goes. */
		values[n] = *form_text(fm, f) != '\0' ? fm->text[f] : NULL;
		if (f == F_HOST)
			values[n] = url;
		else if (f == F_AUTH)
			values[n] = fm->auth > 0 ? formfield_auth[fm->auth] : NULL;
		else if (f == F_PWCMD && fm->pwsrc != 0)
			values[n] = NULL;
		n++;
	}
	make_dir_of(fm->path);
	e = confedit_set(fm->path, fm->text[F_NAME], keys, values, n, &why);
	if (e == ERR_OK && fm->make_default)
		e = confedit_default(fm->path, fm->text[F_NAME], &why);
	free(url);
	if (e != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		return -1;
	}
	app_status(a, TUI_NORMAL, _("account %s saved in %s"), fm->text[F_NAME],
	    fm->path);
	fm->changed = 0;
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

void
form_from(struct form *fm, const struct account *a)
{
	struct url u;
	char *why = NULL;
	size_t i;

	fm->text[F_NAME] = strdup(a->name);
	fm->text[F_FROM] = dup_or_null(a->from);
	fm->text[F_USER] = dup_or_null(a->user);
	fm->text[F_PWCMD] = dup_or_null(a->password_command);
	fm->text[F_CAFILE] = dup_or_null(a->tls_cafile);
	fm->text[F_PIN] = dup_or_null(a->tls_fingerprint);
	fm->text[F_CERT] = dup_or_null(a->tls_cert);
	fm->text[F_KEY] = dup_or_null(a->tls_key);
	fm->text[F_HELO] = dup_or_null(a->helo);
	fm->text[F_SIGNATURE] = dup_or_null(a->signature);
	fm->pwsrc = a->password_command != NULL ? 0 : 1;
	for (i = 1; i < FORMFIELD_NAUTH; i++)
		if (a->auth != NULL && strcasecmp(a->auth, formfield_auth[i]) == 0)
			fm->auth = (int)i;
	memset(&u, 0, sizeof(u));
	if (a->server != NULL && url_parse(&u, a->server, &why) == ERR_OK) {
		fm->security = (int)u.scheme;
		/* lmtp:///path: the socket's path, put back as it came */
		fm->text[F_HOST] = u.local ? strdup(u.host) :
		    util_strf(strchr(u.host, ':') != NULL ? "[%s]:%s" :
		    "%s:%s", u.host, u.port);
		if (u.user != NULL && fm->text[F_USER] == NULL)
			fm->text[F_USER] = strdup(u.user);
		url_free(&u);
	}
	free(why);
	fm->cur = F_FROM;
}

