/* form.c - the account form of the interactive UI: a new account or one of the config file, written with the config writer. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "form.h"
#include "formint.h"
#include "i18n.h"
#include "url.h"
#include "util.h"

enum {
	FM_DOWN = 1,
	FM_UP,
	FM_CHANGE,
	FM_SAVE,
	FM_DETECT,
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
	    "file (a new one's server without a port: finds it first)") },
	{ 'd', FM_DETECT, N_("detect"), N_("find the server's port and "
	    "security from its host name: 465 with TLS, then 587 with "
	    "STARTTLS (d again stops)") },
	{ 'q', FM_BACK, N_("back"), N_("leave (asks when something "
	    "changed)") },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

static const char *
field_value(const struct form *fm, int f)
{
	switch (f) {
	case F_SECURITY:
		return _(formfield_security[fm->security]);
	case F_AUTH:
		return _(formfield_auth[fm->auth]);
	case F_PWSRC:
		return _(formfield_pwsrc[fm->pwsrc]);
	default:
		return fm->text[f] != NULL ? fm->text[f] : "";
	}
}

const char *
form_text(const struct form *fm, int f)
{
	return fm->text[f] != NULL ? fm->text[f] : "";
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
		if ((w = tui_width(formfield_label(f))) > max)
			max = w;
	return max;
}

void
form_error(struct app *a, struct form *fm, int f, char *why)
{
	if (why == NULL)
		return;
	app_status(a, TUI_ERROR, "%s", why);
	free(fm->bad_msg);
	fm->bad_msg = why;
	fm->bad = f;
	if (field_shown(fm, f))
		fm->cur = f;
}

void
form_touched(struct form *fm, int f)
{
	fm->changed = 1;
	if (fm->bad == f) {
		fm->bad = -1;
		free(fm->bad_msg);
		fm->bad_msg = NULL;
	}
}

/* One line of notes(): s[0..len). */
static void
note(int *y, int bottom, int draw, const char *s, size_t len,
    enum tui_attr attr)
{
	if (draw && *y < bottom)
		(void)tui_text(*y, 2, tui_cols() - 4, s, len, attr);
	(*y)++;
}

/* The columns s[0..n) takes. */
static int
width_of(const char *s, size_t n)
{
	char *c = strndup(s, n);
	int w = c != NULL ? tui_width(c) : (int)n;

	free(c);
	return w;
}

/* s in lines of whole words, at most 4 (the status history has it all). */
static void
note_wrapped(int *y, int bottom, int draw, const char *s,
    enum tui_attr attr)
{
	int w = tui_cols() - 4, n;
	size_t len, cut, i;

	for (n = 0; *s != '\0' && n < 4; n++) {
		len = strlen(s);
		cut = len;
		if (n < 3 && width_of(s, len) > w) {
			for (cut = 0, i = 1; i < len && width_of(s, i) <= w; i++)
				if (s[i] == ' ')
					cut = i;
			if (cut == 0)
				cut = len;
		}
		note(y, bottom, draw, s, cut, attr);
		for (s += cut; *s == ' '; s++)
			;
	}
}

/* The lines under the fields from row y on (drawn when draw, while above bottom); their number. */
static int
notes(const struct form *fm, int y, int bottom, int draw)
{
	const char *rep, *p, *nl, *key = formfield_key(fm->cur), *t;
	char *help;
	int y0 = y;

	if (fm->bad_msg != NULL)
		note_wrapped(&y, bottom, draw, fm->bad_msg, TUI_ERROR);
	if (fm->finder != NULL) {
		t = _("Finding the port and security (d stops):");
		note(&y, bottom, draw, t, strlen(t), TUI_INFO);
	}
	/* What was tried, a line each. */
	rep = form_find_report(fm);
	for (p = rep; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : "") {
		nl = strchr(p, '\n');
		note(&y, bottom, draw, p, nl != NULL ? (size_t)(nl - p) :
		    strlen(p), TUI_SERVER);
	}
	help = util_strf(_("%s: %s"), key != NULL ? key :
	    formfield_label(fm->cur), formfield_help(fm->cur));
	/* Wrapped: a long help (the pin's) is not cut at the width. */
	if (help != NULL)
		note_wrapped(&y, bottom, draw, help, TUI_INFO);
	free(help);
	t = _("Passwords are never written to the config file.");
	note(&y, bottom, draw, t, strlen(t), TUI_INFO);
	if (fm->first) {
		t = _("No account yet: fill this in and s saves it (see "
		    "pigeon.conf(5) for every setting).");
		note(&y, bottom, draw, t, strlen(t), TUI_INFO);
	}
	return y - y0;
}

static void
form_draw(struct app *a, struct screen *s)
{
	struct form *fm = (struct form *)s;
	enum tui_attr va;
	int rows = tui_rows(), ph = pane_height(a), bottom = rows - 2 - ph;
	int y, f, k, nshown = 0, room, lw = label_width() + 4;

	for (y = 1; y < bottom; y++)
		tui_clear_line(y, TUI_NORMAL);
	for (f = 0; f < F_COUNT; f++)
		nshown += field_shown(fm, f);
	/* The fields first; when they do not all fit, a window around the cursor. */
	room = bottom - 3 - notes(fm, 0, 0, 0);
	if (room < 3)
		room = 3;
	if (room > nshown)
		room = nshown;
	if (fm->cur < fm->top)
		fm->top = fm->cur;
	for (;;) {
		for (f = fm->top, k = 0; f <= fm->cur; f++)
			k += field_shown(fm, f);
		if (k <= room)
			break;
		fm->top++;
	}
	for (f = fm->top, k = 0; f < F_COUNT && k < room; f++) {
		if (!field_shown(fm, f))
			continue;
		y = 2 + k++;
		va = f == fm->bad ? TUI_ERROR : f == fm->cur ? TUI_SELECTED :
		    TUI_NORMAL;
		if (f == fm->cur)
			tui_clear_line(y, TUI_SELECTED);
		if (f == fm->bad)
			(void)tui_str(y, 0, 1, "!", TUI_ERROR);
		(void)tui_str(y, 2, lw - 3, formfield_label(f), f == fm->cur ?
		    TUI_SELECTED : TUI_LABEL);
		(void)tui_str_cut(y, lw, tui_cols() - lw - 1, field_value(fm, f),
		    va);
	}
	(void)notes(fm, 2 + room + 1, bottom, 1);
	if (ph > 0)
		pane_draw(a, bottom, ph);
	app_bars(a, s, fm->is_new ? _("New account") : _("Edit account"));
}

static void
form_free(struct screen *s)
{
	struct form *fm = (struct form *)s;
	size_t i;
	int f;

	form_find_free(fm->a, fm);
	for (f = 0; f < F_COUNT; f++)
		free(fm->text[f]);
	for (i = 0; i < fm->nnames; i++)
		free(fm->names[i]);
	free(fm->names);
	free(fm->path);
	free(fm->bad_msg);
	free(fm->tried);
	free(fm->report);
	free(fm);
}

static void
value_given(struct app *a, void *arg, char *v)
{
	struct form *fm = arg;

	(void)a;
	if (v == NULL)
		return;
	form_touched(fm, fm->cur);
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

/*
 * s: a new account's submission server without a port is looked into
 * first (once for a server text).  Port 25, LMTP and a socket's path
 * are what the user chose: nothing to find.
 */
static void
form_save_key(struct app *a, struct form *fm)
{
	const char *host = form_text(fm, F_HOST);

	if (fm->finder != NULL) {
		app_status(a, TUI_ERROR, _("Server: still finding the port and "
		    "security; d stops"));
		return;
	}
	if (fm->is_new && *host != '\0' && *host != '/' &&
	    (fm->security == URL_SMTP || fm->security == URL_SMTPS) &&
	    !form_has_port(host) &&
	    (fm->tried == NULL || strcmp(fm->tried, host) != 0)) {
		if (form_check(a, fm) == 0)
			(void)form_find_start(a, fm);
		return;
	}
	if (form_save(a, fm) == 0)
		saved(a, fm);
}

/* The next security; a server at the default port of the last one goes to the new one's ("host:465" -> "host:25"). */
static void
next_security(struct form *fm)
{
	const char *t = form_text(fm, F_HOST), *old;
	size_t tl = strlen(t), pl;
	char *moved;

	old = formfield_port[fm->security];
	fm->security = (fm->security + 1) % FORMFIELD_NSECURITY;
	pl = strlen(old);
	if (tl > pl && t[tl - pl - 1] == ':' && strcmp(t + tl - pl, old) == 0 &&
	    (moved = util_strf("%.*s%s", (int)(tl - pl), t,
	    formfield_port[fm->security])) != NULL) {
		free(fm->text[F_HOST]);
		fm->text[F_HOST] = moved;
		form_touched(fm, F_HOST);
	}
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
		if (fm->cur == F_NAME && !fm->is_new)
			return 1;
		if (fm->cur == F_SECURITY)
			next_security(fm);
		else if (fm->cur == F_AUTH)
			fm->auth = (fm->auth + 1) % FORMFIELD_NAUTH;
		else if (fm->cur == F_PWSRC)
			fm->pwsrc = !fm->pwsrc;
		else {
			prompt_line(a, formfield_label(fm->cur),
			    fm->text[fm->cur], formfield_is_file(fm->cur) ?
			    prompt_complete_path : NULL, value_given, fm);
			return 1;
		}
		form_touched(fm, fm->cur);
		return 1;
	case FM_SAVE:
		form_save_key(a, fm);
		return 1;
	case FM_DETECT:
		if (fm->finder != NULL)
			form_find_stop(fm);
		else
			(void)form_find_start(a, fm);
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
	fm->a = a;
	fm->bad = -1;
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
	struct form *fm = form_new(a);

	if (fm == NULL)
		return;
	form_from(fm, ac);
	screen_push(a, &fm->s);
}
