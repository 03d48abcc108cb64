/* form.c - the account form of the interactive UI: a new account or one of the config file, written with the config writer. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "addr.h"
#include "app.h"
#include "buf.h"
#include "conf.h"
#include "confedit.h"
#include "form.h"
#include "i18n.h"
#include "url.h"
#include "util.h"

enum field {
	F_NAME,
	F_FROM,
	F_HOST,
	F_SECURITY,
	F_AUTH,
	F_USER,
	F_PWSRC,
	F_PWCMD,
	F_COUNT
};

static const char *const security_label[] = {
	"STARTTLS", "TLS", N_("none (clear text)"),
};
static const char *const security_scheme[] = { "smtp", "smtps", "smtp+plain" };

static const char *const auth_label[] = {
	N_("automatic"), "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256",
	"XOAUTH2", "OAUTHBEARER",
};
#define NAUTH (sizeof(auth_label) / sizeof(auth_label[0]))

static const char *const pwsrc_label[] = {
	N_("password_command"), N_("~/.netrc, else asked at start"),
};

/* The account being added or edited. */
struct form {
	struct screen s;
	char *text[F_COUNT];       /* name, from, host[:port], user, command */
	int security, auth, pwsrc;
	int cur;
	int is_new;
	int changed;
	int make_default;
	int first;                 /* the first run: no account yet */
	char *path;                /* the config file written */
	char **names;              /* the accounts there are (a new one must not take a name of them) */
	size_t nnames;
};

enum {
	FM_DOWN = 1,
	FM_UP,
	FM_CHANGE,
	FM_SAVE,
	FM_BACK,
};

static const struct keydef form_keys[] = {
	{ 'j', FM_DOWN, N_("field"), N_("next field") },
	{ TUI_KEY_DOWN, 0, NULL, NULL },
	{ '\t', 0, NULL, NULL },
	{ 'k', FM_UP, NULL, N_("previous field") },
	{ TUI_KEY_UP, 0, NULL, NULL },
	{ '\r', FM_CHANGE, N_("change"), N_("change the field") },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ ' ', 0, NULL, NULL },
	{ 'e', 0, NULL, NULL },
	{ 's', FM_SAVE, N_("save"), N_("save the account in the config "
	    "file") },
	{ 'q', FM_BACK, N_("back"), N_("leave (asks when something "
	    "changed)") },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

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

static const char *
field_label(int f)
{
	static const char *const l[F_COUNT] = {
		N_("Name"), N_("From"), N_("Server (host:port)"),
		N_("Security"), N_("Login method"), N_("User"),
		N_("Password from"), N_("Password command"),
	};

	return _(l[f]);
}

static const char *
field_value(const struct form *fm, int f)
{
	switch (f) {
	case F_SECURITY:
		return _(security_label[fm->security]);
	case F_AUTH:
		return _(auth_label[fm->auth]);
	case F_PWSRC:
		return _(pwsrc_label[fm->pwsrc]);
	default:
		return fm->text[f] != NULL ? fm->text[f] : "";
	}
}

/* The password command field means something only with that source. */
static int
field_shown(const struct form *fm, int f)
{
	return f != F_PWCMD || fm->pwsrc == 0;
}

/* The width of the longest label, so that every value starts in one column. */
static int
label_width(void)
{
	int f, w, max = 0;

	for (f = 0; f < F_COUNT; f++)
		if ((w = tui_width(field_label(f))) > max)
			max = w;
	return max;
}

static void
form_draw(struct app *a, struct screen *s)
{
	struct form *fm = (struct form *)s;
	int y, f, lw = label_width() + 4;

	for (y = 1; y < tui_rows() - 2; y++)
		tui_clear_line(y, TUI_NORMAL);
	for (f = 0, y = 2; f < F_COUNT; f++) {
		if (!field_shown(fm, f))
			continue;
		if (f == fm->cur)
			tui_clear_line(y, TUI_SELECTED);
		(void)tui_str(y, 2, lw - 3, field_label(f), f == fm->cur ?
		    TUI_SELECTED : TUI_LABEL);
		(void)tui_str(y, lw, tui_cols() - lw - 1, field_value(fm, f),
		    f == fm->cur ? TUI_SELECTED : TUI_NORMAL);
		y++;
	}
	(void)tui_str(y + 1, 2, tui_cols() - 4, _("Passwords are never "
	    "written to the config file."), TUI_INFO);
	if (fm->first)
		(void)tui_str(y + 2, 2, tui_cols() - 4, _("No account yet: fill "
		    "this in and s saves it (see pigeon.conf(5) for every "
		    "setting)."), TUI_INFO);
	app_bars(a, s, fm->is_new ? _("New account") : _("Edit account"));
}

/* The URL of the form's server and security; NULL with the status set when it is not one. */
static char *
form_url(struct app *a, const struct form *fm)
{
	struct url u;
	char *s, *why = NULL;

	if (fm->text[F_HOST] == NULL || *fm->text[F_HOST] == '\0') {
		app_status(a, TUI_ERROR, _("the server is missing"));
		return NULL;
	}
	s = util_strf("%s://%s", security_scheme[fm->security],
	    fm->text[F_HOST]);
	if (s == NULL)
		return NULL;
	memset(&u, 0, sizeof(u));
	if (url_parse(&u, s, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : _("not a server"));
		free(why);
		free(s);
		return NULL;
	}
	url_free(&u);
	return s;
}

/* Write the form to the file; 0, or -1 with the status set. */
static int
form_save(struct app *a, struct form *fm)
{
	static const char *const keys[] = {
		"from", "server", "user", "auth", "password_command",
	};
	const char *values[5];
	struct addr_list from = { NULL, 0 };
	char *why = NULL, *url, *dir, *slash;
	enum err e;

	if ((why = name_problem(fm)) != NULL) {
		app_status(a, TUI_ERROR, "%s", why);
		free(why);
		fm->cur = F_NAME;
		return -1;
	}
	if (fm->text[F_FROM] == NULL || addr_list_parse(&from,
	    fm->text[F_FROM], strlen(fm->text[F_FROM]), &why) != ERR_OK ||
	    from.n != 1) {
		app_status(a, TUI_ERROR, _("From must be one address: %s"), why != NULL ?
		    why : fm->text[F_FROM] != NULL ? fm->text[F_FROM] : "");
		free(why);
		addr_list_free(&from);
		return -1;
	}
	addr_list_free(&from);
	if (fm->pwsrc == 0 && (fm->text[F_PWCMD] == NULL ||
	    *fm->text[F_PWCMD] == '\0')) {
		app_status(a, TUI_ERROR, _("give the password command, or take the "
		    "password from ~/.netrc"));
		return -1;
	}
	if ((url = form_url(a, fm)) == NULL)
		return -1;
	values[0] = fm->text[F_FROM];
	values[1] = url;
	values[2] = fm->text[F_USER] != NULL && *fm->text[F_USER] != '\0' ?
	    fm->text[F_USER] : NULL;
	values[3] = fm->auth > 0 ? auth_label[fm->auth] : NULL;
	values[4] = fm->pwsrc == 0 ? fm->text[F_PWCMD] : NULL;
	/* A first config file: its directory may be missing. */
	if ((dir = strdup(fm->path)) != NULL &&
	    (slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			char *up = strrchr(dir, '/');

			if (up != NULL && up != dir) {
				*up = '\0';
				(void)mkdir(dir, 0700);
				*up = '/';
			}
			(void)mkdir(dir, 0700);
		}
	}
	free(dir);
	e = confedit_set(fm->path, fm->text[F_NAME], keys, values, 5, &why);
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

/* Fill the form from an account of the file. */
static void
form_from(struct form *fm, const struct account *a)
{
	struct url u;
	char *why = NULL;
	size_t i;

	memset(fm, 0, sizeof(*fm));
	fm->text[F_NAME] = strdup(a->name);
	fm->text[F_FROM] = a->from != NULL ? strdup(a->from) : NULL;
	fm->text[F_USER] = a->user != NULL ? strdup(a->user) : NULL;
	fm->text[F_PWCMD] = a->password_command != NULL ?
	    strdup(a->password_command) : NULL;
	fm->pwsrc = a->password_command != NULL ? 0 : 1;
	for (i = 1; i < NAUTH; i++)
		if (a->auth != NULL && strcasecmp(a->auth, auth_label[i]) == 0)
			fm->auth = (int)i;
	memset(&u, 0, sizeof(u));
	if (a->server != NULL && url_parse(&u, a->server, &why) == ERR_OK) {
		fm->security = u.scheme == URL_SMTPS ? 1 :
		    u.scheme == URL_SMTP ? 0 : 2;
		fm->text[F_HOST] = util_strf(strchr(u.host, ':') != NULL ?
		    "[%s]:%s" : "%s:%s", u.host, u.port);
		if (u.user != NULL && fm->text[F_USER] == NULL)
			fm->text[F_USER] = strdup(u.user);
		url_free(&u);
	}
	free(why);
	fm->cur = F_FROM;
}

static void
form_free(struct screen *s)
{
	struct form *fm = (struct form *)s;
	size_t i;
	int f;

	for (f = 0; f < F_COUNT; f++)
		free(fm->text[f]);
	for (i = 0; i < fm->nnames; i++)
		free(fm->names[i]);
	free(fm->names);
	free(fm->path);
	free(fm);
}

static void
value_given(struct app *a, void *arg, char *v)
{
	struct form *fm = arg;

	(void)a;
	if (v == NULL)
		return;
	free(fm->text[fm->cur]);
	fm->text[fm->cur] = v;
}

static void
leave_answered(struct app *a, void *arg, int yes)
{
	if (yes == 1)
		screen_close(a, arg);
}

/*
 * Saved: the accounts list shows the file again; the account in use (or
 * the first one) is taken up at once, unless a send is using it now.
 */
static void
saved(struct app *a, struct form *fm)
{
	char *name = strdup(fm->text[F_NAME]);
	int mine = fm->first || (a->c.acct != NULL && name != NULL &&
	    strcmp(a->c.acct->name, name) == 0);

	screen_close(a, &fm->s);
	if (name == NULL)
		return;
	accounts_changed(a, name);
	if (mine && sending_busy(a)) {
		app_status(a, TUI_NORMAL, _("account %s saved; a send is using "
		    "it now: the change counts from the next start"), name);
	} else if (mine) {
		if (app_use_account(a, name) < 0)
			app_status(a, TUI_ERROR, "%s", a->account_error);
		folders_reload(a);
	}
	free(name);
}

static int
form_act(struct app *a, struct screen *s, int action, int key)
{
	struct form *fm = (struct form *)s;
	int next;

	(void)key;
	switch (action) {
	case FM_DOWN:
		for (next = fm->cur + 1; next < F_COUNT &&
		    !field_shown(fm, next); next++)
			;
		if (next < F_COUNT)
			fm->cur = next;
		return 1;
	case FM_UP:
		for (next = fm->cur - 1; next >= 0 && !field_shown(fm, next);
		    next--)
			;
		if (next >= 0 && (next != F_NAME || fm->is_new))
			fm->cur = next;
		return 1;
	case FM_CHANGE:
		fm->changed = 1;
		if (fm->cur == F_SECURITY)
			fm->security = (fm->security + 1) % 3;
		else if (fm->cur == F_AUTH)
			fm->auth = (fm->auth + 1) % (int)NAUTH;
		else if (fm->cur == F_PWSRC)
			fm->pwsrc = !fm->pwsrc;
		else if (fm->cur != F_NAME || fm->is_new)
			prompt_line(a, field_label(fm->cur), fm->text[fm->cur],
			    NULL, value_given, fm);
		return 1;
	case FM_SAVE:
		if (form_save(a, fm) == 0)
			saved(a, fm);
		return 1;
	case FM_BACK:
		if (!fm->changed)
			screen_close(a, s);
		else
			prompt_yesno(a, _("Leave without saving? (y/n) "), 0,
			    leave_answered, s);
		return 1;
	default:
		return 0;
	}
}

static const struct screen_ops form_ops = {
	.title = N_("The account form"),
	.keys = form_keys,
	.flags = SCREEN_NOPANE,
	.draw = form_draw,
	.act = form_act,
	.free = form_free,
};

/* A form for the config file: --config, else the default one. */
static struct form *
form_new(struct app *a)
{
	struct form *fm = calloc(1, sizeof(*fm));
	const struct conf *c = a->c.conf;
	size_t i;

	if (fm == NULL)
		return NULL;
	fm->s.ops = &form_ops;
	if (a->c.config_path != NULL)
		fm->path = strdup(a->c.config_path);
	else if (conf_default_path(&fm->path) != ERR_OK)
		fm->path = NULL;
	if (fm->path == NULL) {
		free(fm);
		return NULL;
	}
	if (c != NULL && c->naccounts > 0 &&
	    (fm->names = calloc(c->naccounts, sizeof(*fm->names))) != NULL)
		for (i = 0; i < c->naccounts; i++)
			if ((fm->names[fm->nnames] = strdup(c->accounts[i].name)) !=
			    NULL)
				fm->nnames++;
	return fm;
}

void
form_open_new(struct app *a, int first, const struct conf *c)
{
	struct form *fm = form_new(a);
	size_t i;

	if (fm == NULL)
		return;
	/* The names of the file as it is now (the UI's may be older). */
	for (i = 0; c != NULL && fm->nnames == 0 && i < c->naccounts; i++) {
		char **v = realloc(fm->names, (fm->nnames + 1) *
		    sizeof(*fm->names));

		if (v == NULL)
			break;
		fm->names = v;
		if ((v[fm->nnames] = strdup(c->accounts[i].name)) != NULL)
			fm->nnames++;
	}
	fm->is_new = 1;
	fm->pwsrc = 1;
	fm->first = first;
	fm->make_default = first || c == NULL || c->naccounts == 0;
	screen_push(a, &fm->s);
}

void
form_open_edit(struct app *a, const struct account *ac)
{
	struct form *fm = form_new(a), keep;

	if (fm == NULL)
		return;
	keep = *fm;
	form_from(fm, ac);
	fm->s = keep.s;
	fm->path = keep.path;
	fm->names = keep.names;
	fm->nnames = keep.nnames;
	screen_push(a, &fm->s);
}
