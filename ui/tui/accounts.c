/* accounts.c - the accounts screen of the interactive UI: the list of the config file, add, edit, delete, make default, test. */
/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "conf.h"
#include "confedit.h"
#include "form.h"
#include "i18n.h"
#include "session.h"
#include "util.h"

enum {
	AC_ADD = 1,
	AC_EDIT,
	AC_DELETE,
	AC_DEFAULT,
	AC_TEST,
	AC_STEP,
	AC_BACK,
};

static const struct keydef accounts_keys[] = {
	{ 'a', AC_ADD, N_("add"), N_("add an account") },
	{ 'e', AC_EDIT, N_("edit"), N_("edit the account") },
	{ '\r', 0, NULL, NULL },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ 'd', AC_DELETE, N_("delete"), N_("delete the account (asks)") },
	{ 'D', AC_DEFAULT, N_("default"), N_("make it the default account") },
	{ 't', AC_TEST, N_("test"), N_("test the connection: TLS, EHLO, the "
	    "login (the dialogue shows in the pane)") },
	{ 's', AC_STEP, N_("step"), N_("step through a session with the "
	    "server: one key a stage, then SMTP commands typed by hand") },
	{ 'q', AC_BACK, N_("back"), N_("back to the folders") },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

struct accounts {
	struct screen s;
	struct conf *c;            /* the file as it is now */
	char *path;                /* the file written */
	struct list l;
};

static struct accounts *shown_list(struct app *a);

/* --- testing an account: a source of the loop, while everything else goes on */

struct test {
	struct cli pc;
	struct session *s;
	char *name;
	char *pin;                 /* a certificate accepted for this test only */
	int want_auth;
	int quitting;
};

static void test_start(struct app *a, const char *name, int want_auth,
    const char *pin);

/* The trust screen's answer: the test again, with the certificate or not at all. */
static void
trusted(struct app *a, void *arg, enum trust_choice choice,
    const char *fingerprint)
{
	struct test *t = arg;

	if (choice == TRUST_REJECT)
		app_status(a, TUI_ERROR, _("the test of %s failed: the "
		    "certificate was rejected"), t->name);
	else
		/* Pinned: the account's own settings have it now. */
		test_start(a, t->name, t->want_auth, choice == TRUST_ONCE ?
		    fingerprint : NULL);
	free(t->name);
	free(t);
}

/* A certificate that is not trusted: the trust screen (t's session still has it). */
static int
offer_trust(struct app *a, struct test *t)
{
	const struct tls_peer *p = session_peer(t->s);
	struct test *again = NULL;

	if (t->pin != NULL || p == NULL || session_error(t->s, NULL) !=
	    ERR_TLS_VERIFY || (again = calloc(1, sizeof(*again))) == NULL ||
	    (again->name = strdup(t->name)) == NULL) {
		free(again);
		return 0;
	}
	again->want_auth = t->want_auth;
	trust_open(a, t->name, t->pc.rt.so.host, t->pc.rt.so.port, p,
	    trusted, again);
	return 1;
}

static void
test_end(struct app *a, struct test *t)
{
	const char *detail = NULL;
	enum err e = session_error(t->s, &detail);

	if (t->quitting && (e == ERR_OK || e == ERR_CLOSED))
		app_status(a, TUI_NORMAL, _("%s works: the server answered%s"),
		    t->name, t->pc.rt.so.smtp.user != NULL ? _(" and took the "
		    "login") : "");
	else if (!offer_trust(a, t))
		app_status(a, TUI_ERROR, _("the test of %s failed: %s"), t->name,
		    detail != NULL ? detail : err_str(e != ERR_OK ? e :
		    ERR_CLOSED));
	loop_remove(a, t);
	session_free(t->s);
	cli_cleanup(&t->pc);
	free(t->name);
	free(t->pin);
	free(t);
}

static int
test_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct test *t = arg;

	(void)a;
	return session_pollfd(t->s, p);
}

static void
test_step(struct app *a, void *arg, short revents)
{
	struct test *t = arg;

	session_step(t->s, revents);
	if (session_status(t->s) == SESSION_READY && !t->quitting) {
		t->quitting = 1;
		session_quit(t->s);
	}
	if (session_status(t->s) == SESSION_DONE)
		test_end(a, t);
}

static const struct source_ops test_source = { test_pollfd, test_step };

/*
 * t: connect with the account's settings (TLS, EHLO, and AUTH when the
 * password comes without asking), then QUIT; the dialogue goes to the
 * pane, and the loop goes on (a send keeps going).
 */
static void
test(struct app *a, const struct account *ac)
{
	test_start(a, ac->name, ac->password != NULL ||
	    ac->password_command != NULL, NULL);
}

/* The test of account name; pin: the certificate accepted for it alone (NULL: none). */
static void
test_start(struct app *a, const char *name, int want_auth, const char *pin)
{
	struct test *t = calloc(1, sizeof(*t));
	char *why = NULL;
	enum err e;

	if (t == NULL || (t->name = strdup(name)) == NULL ||
	    (pin != NULL && (t->pin = strdup(pin)) == NULL)) {
		if (t != NULL)
			free(t->name);
		free(t);
		return;
	}
	t->want_auth = want_auth;
	t->pc.config_path = a->c.config_path;
	t->pc.account_name = t->name;
	t->pc.tr_shared = a->tr;
	/* Never a password prompt here: only what comes without asking. */
	if (cli_setup_quiet(&t->pc, NULL, want_auth) != 0) {
		app_status(a, TUI_ERROR, _("the test of %s cannot start: its "
		    "settings or its password_command fail (pigeon --account "
		    "%s probe says why)"), t->name, t->name);
		goto fail;
	}
	if (t->pin != NULL)
		t->pc.rt.so.tls.fingerprint = t->pin;
	/* An OAuth2 account: its access token first (oauth2.h). */
	if ((e = route_token(&t->pc.rt, t->pc.tr, 0, &why)) != ERR_OK ||
	    (e = session_open(&t->s, &t->pc.rt.so, t->pc.tr, &why)) !=
	    ERR_OK) {
		app_status(a, TUI_ERROR, _("the test of %s failed: %s"),
		    t->name, why != NULL ? why : err_str(e));
		free(why);
		goto fail;
	}
	if (loop_add(a, &test_source, t) < 0)
		goto fail;
	pane_follow(a);
	app_status(a, TUI_NORMAL, _("testing %s..."), t->name);
	return;
fail:
	session_free(t->s);
	cli_cleanup(&t->pc);
	free(t->name);
	free(t->pin);
	free(t);
}

/* --- the list ------------------------------------------------------------- */

static void
accounts_draw(struct app *a, struct screen *s)
{
	struct accounts *ac = (struct accounts *)s;
	const struct conf *c = ac->c;
	int rows = tui_rows(), ph = pane_height(a), y, h;
	const char *current = a->c.acct != NULL ? a->c.acct->name : NULL;
	char mark[8];
	size_t i;

	for (y = 1; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	/* The rows from 2 to the pane: the page is what is drawn. */
	h = rows - 4 - ph;
	ac->l.n = c != NULL ? c->naccounts : 0;
	list_fit(&ac->l, h > 0 ? (size_t)h : 1);
	for (i = ac->l.top, y = 2; c != NULL && i < c->naccounts &&
	    y < rows - 2 - ph; i++, y++) {
		const struct account *at = &c->accounts[i];
		enum tui_attr attr = i == ac->l.cur ? TUI_SELECTED : TUI_NORMAL;

		if (i == ac->l.cur)
			tui_clear_line(y, TUI_SELECTED);
		(void)snprintf(mark, sizeof(mark), "%s%s",
		    c->default_account != NULL &&
		    strcmp(c->default_account, at->name) == 0 ? "*" : " ",
		    current != NULL && strcmp(current, at->name) == 0 ?
		    a->account_error != NULL ? "!" : ">" : " ");
		(void)tui_str(y, 1, 3, mark, attr);
		(void)tui_str(y, 4, 16, at->name, attr);
		(void)tui_str(y, 21, 30, at->from != NULL ? at->from : "", attr);
		(void)tui_str(y, 52, tui_cols() - 53, at->server != NULL ?
		    at->server : "", attr);
	}
	if (c == NULL || c->naccounts == 0)
		(void)tui_str(2, 2, tui_cols() - 4, _("(no accounts yet: a adds "
		    "one)"), TUI_INFO);
	/* What is wrong with the account in use (its password_command failed...). */
	else if (a->account_error != NULL && y + 1 < rows - 2 - ph)
		(void)tui_str_cut(y + 1, 2, tui_cols() - 4, a->account_error,
		    TUI_ERROR);
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, s, _("Accounts (* default, > in use)"));
}

static void
reload(struct app *a, struct accounts *ac)
{
	char *why = NULL;

	conf_free(ac->c);
	ac->c = NULL;
	if (conf_load(&ac->c, a->c.config_path, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
	}
	list_resize(&ac->l, ac->c != NULL ? ac->c->naccounts : 0);
}

void
accounts_changed(struct app *a, const char *name)
{
	struct accounts *ac = shown_list(a);
	size_t i;

	if (ac == NULL)
		return;
	reload(a, ac);
	for (i = 0; ac->c != NULL && name != NULL && i < ac->c->naccounts; i++)
		if (strcmp(ac->c->accounts[i].name, name) == 0)
			ac->l.cur = i;
}

struct del {
	struct accounts *ac;
	char *name;
};

static void
delete_answered(struct app *a, void *arg, int yes)
{
	struct del *d = arg;
	char *why = NULL;
	enum err e;

	if (yes == 1 && shown_list(a) == d->ac) {
		if ((e = confedit_remove(d->ac->path, d->name, &why)) != ERR_OK) {
			app_status(a, TUI_ERROR, "%s", why != NULL ? why :
			    err_str(e));
			free(why);
		} else {
			reload(a, d->ac);
			app_status(a, TUI_NORMAL, _("account %s deleted"),
			    d->name);
		}
	}
	free(d->name);
	free(d);
}

static int
accounts_act(struct app *a, struct screen *s, int action, int key)
{
	struct accounts *ac = (struct accounts *)s;
	const struct account *at = ac->c != NULL && ac->l.cur <
	    ac->c->naccounts ? &ac->c->accounts[ac->l.cur] : NULL;
	struct del *d;
	char *why = NULL, *q;
	enum err e;

	(void)key;
	switch (action) {
	case AC_ADD:
		form_open_new(a, 0, ac->c);
		return 1;
	case AC_EDIT:
		if (at != NULL)
			form_open_edit(a, at);
		return 1;
	case AC_DELETE:
		if (at == NULL || (d = calloc(1, sizeof(*d))) == NULL)
			return 1;
		d->ac = ac;
		d->name = strdup(at->name);
		q = util_strf(_("Delete account %s? (y/n) "), at->name);
		if (d->name == NULL || q == NULL) {
			free(q);
			delete_answered(a, d, 0);
			return 1;
		}
		prompt_yesno(a, q, 0, delete_answered, d);
		free(q);
		return 1;
	case AC_DEFAULT:
		if (at == NULL)
			return 1;
		if ((e = confedit_default(ac->path, at->name, &why)) != ERR_OK) {
			app_status(a, TUI_ERROR, "%s", why != NULL ? why :
			    err_str(e));
			free(why);
			return 1;
		}
		app_status(a, TUI_NORMAL, _("%s is the default account now"),
		    at->name);
		reload(a, ac);
		return 1;
	case AC_TEST:
		if (at != NULL)
			test(a, at);
		return 1;
	case AC_STEP:
		if (at != NULL)
			step_open(a, at);
		return 1;
	case AC_BACK:
		screen_close(a, s);
		return 1;
	default:
		return 0;
	}
}

static void
accounts_free(struct screen *s)
{
	struct accounts *ac = (struct accounts *)s;

	conf_free(ac->c);
	free(ac->path);
	list_free(&ac->l);
	free(ac);
}

static struct list *
accounts_list(struct screen *s)
{
	return &((struct accounts *)s)->l;
}

static const char *
accounts_line(void *s, size_t i, struct buf *scratch)
{
	const struct account *at = &((struct accounts *)s)->c->accounts[i];

	(void)buf_printf(scratch, "%s %s %s", at->name, at->from != NULL ?
	    at->from : "", at->server != NULL ? at->server : "");
	return buf_str(scratch);
}

static const struct screen_ops accounts_ops = {
	.title = N_("Accounts"),
	.keys = accounts_keys,
	.draw = accounts_draw,
	.act = accounts_act,
	.free = accounts_free,
	.list = accounts_list,
	.line = accounts_line,
};

static struct accounts *
shown_list(struct app *a)
{
	struct screen *s;

	for (s = a->top; s != NULL; s = s->below)
		if (s->ops == &accounts_ops)
			return (struct accounts *)s;
	return NULL;
}

void
accounts_open(struct app *a)
{
	struct accounts *ac;

	if (shown_list(a) != NULL || (ac = calloc(1, sizeof(*ac))) == NULL)
		return;
	ac->s.ops = &accounts_ops;
	if (a->c.config_path != NULL)
		ac->path = strdup(a->c.config_path);
	else if (conf_default_path(&ac->path) != ERR_OK)
		ac->path = NULL;
	if (ac->path == NULL) {
		free(ac);
		return;
	}
	reload(a, ac);
	screen_push(a, &ac->s);
}

void
accounts_first(struct app *a)
{
	form_open_new(a, 1, NULL);
}
