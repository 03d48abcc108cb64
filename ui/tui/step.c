/* step.c - the step screen of the interactive UI: a live session to an account's server advanced one stage at a time with one key, then SMTP commands typed on a prompt line, the transcript live below. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "i18n.h"
#include "session.h"
#include "smtp.h"
#include "util.h"

enum {
	ST_GO = 1,
	ST_TYPE,
	ST_END,
};

static const struct keydef step_keys[] = {
	{ 'n', ST_GO, N_("next stage"), N_("go on one stage (greeting, EHLO, "
	    "STARTTLS, EHLO, AUTH), then MAIL, RCPT and DATA with the "
	    "account's address") },
	{ ' ', 0, NULL, NULL },
	{ '\r', 0, NULL, NULL },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ ':', ST_TYPE, N_("command"), N_("type an SMTP command (once TLS "
	    "and AUTH are done), or a line of the message after DATA") },
	{ 'q', ST_END, N_("end"), N_("end the session with QUIT, back to the "
	    "accounts") },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

/*
 * The session: a source of the loop.  It outlives its screen when the
 * screen is closed before the server has answered the QUIT.
 */
struct stepsess {
	struct cli pc;
	struct session *s;
	struct step *screen;       /* NULL once the screen is gone */
	char *name;
	char *from;                /* the account's address, for MAIL and RCPT */
	char *outcome;             /* how it ended, once it has */
	int done;
};

struct step {
	struct screen s;
	struct stepsess *t;
};

/* Free t, which is no source of the loop (any more). */
static void
sess_free(struct stepsess *t)
{
	session_free(t->s);
	cli_cleanup(&t->pc);
	free(t->name);
	free(t->from);
	free(t->outcome);
	free(t);
}

static int
sess_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct stepsess *t = arg;

	(void)a;
	return session_pollfd(t->s, p);
}

static void
sess_step(struct app *a, void *arg, short revents)
{
	struct stepsess *t = arg;
	const char *detail = NULL;
	enum err e;

	session_step(t->s, revents);
	if (session_status(t->s) != SESSION_DONE)
		return;
	e = session_error(t->s, &detail);
	t->done = 1;
	t->outcome = e == ERR_OK ? util_strf(_("the session with %s ended with "
	    "QUIT"), t->name) : util_strf(_("the session with %s ended: %s"),
	    t->name, detail != NULL ? detail : err_str(e));
	if (t->outcome != NULL)
		app_status(a, e == ERR_OK ? TUI_NORMAL : TUI_ERROR, "%s",
		    t->outcome);
	loop_remove(a, t);
	if (t->screen == NULL)
		sess_free(t);
}

static const struct source_ops sess_source = { sess_pollfd, sess_step };

void
step_free_all(struct app *a)
{
	struct stepsess *t;
	size_t i;

	for (i = a->nsrc; i-- > 0;)
		if (a->src[i].ops == &sess_source) {
			t = a->src[i].arg;
			loop_remove(a, t);
			if (t->screen == NULL)
				sess_free(t);
		}
}

/* The bare address of a From value ("Ann <a@b>" -> "a@b"), malloc'd. */
static char *
bare_address(const char *from)
{
	const char *lt, *gt;

	if (from == NULL)
		return NULL;
	if ((lt = strrchr(from, '<')) != NULL &&
	    (gt = strchr(lt, '>')) != NULL)
		return strndup(lt + 1, (size_t)(gt - lt - 1));
	return strdup(from);
}

/* What the screen says the session waits for. */
static char *
state_line(struct stepsess *t)
{
	struct smtp *sm;
	const char *next;

	if (t->done)
		return strdup(t->outcome != NULL ? t->outcome : "");
	if (session_status(t->s) != SESSION_READY)
		return strdup(_("waiting for the server..."));
	sm = session_smtp(t->s);
	next = smtp_step_next(sm);
	switch (smtp_step_typing(sm)) {
	case SMTP_STEP_DATA:
		return strdup(_("message data: ':' types a line, a line with a "
		    "single '.' ends it"));
	case SMTP_STEP_COMMAND:
		return next != NULL ? util_strf(_("next: %s   (n: go on, ':' "
		    "types an SMTP command, q: QUIT)"), next) :
		    strdup(_("':' types an SMTP command, q: QUIT"));
	default:
		return util_strf(_("next: %s   (n: go on, q: QUIT)"),
		    next != NULL ? next : "?");
	}
}

static void
step_draw(struct app *a, struct screen *s)
{
	struct step *st = (struct step *)s;
	int rows = tui_rows();
	char *line = state_line(st->t), *head;

	tui_clear_line(1, TUI_NORMAL);
	tui_clear_line(2, TUI_NORMAL);
	tui_clear_line(3, TUI_NORMAL);
	head = util_strf(_("Account %s, server %s"), st->t->name,
	    st->t->pc.acct != NULL && st->t->pc.acct->server != NULL ?
	    st->t->pc.acct->server : "?");
	if (head != NULL)
		(void)tui_str_cut(1, 1, tui_cols() - 2, head, TUI_NORMAL);
	if (line != NULL)
		(void)tui_str_cut(2, 1, tui_cols() - 2, line, TUI_INFO);
	free(head);
	free(line);
	pane_draw(a, 3, rows - 2 - 3);
	app_bars(a, s, _("Step through a session"));
}

/* A line typed on the prompt: sent as a command or as message data. */
static void
typed(struct app *a, void *arg, char *text)
{
	struct step *st = arg;
	struct stepsess *t;
	struct smtp *sm;
	enum smtp_step_typing was;
	char *why = NULL;

	/* The screen may be gone meanwhile: only act on the one on top. */
	if (text == NULL || a->top != &st->s || st->t->done) {
		free(text);
		return;
	}
	t = st->t;
	sm = session_smtp(t->s);
	was = smtp_step_typing(sm);
	if (was != SMTP_STEP_DATA && strcasecmp(text, "quit") == 0)
		smtp_step_quit(sm);
	else if (smtp_step_line(sm, text, strlen(text), &why) != ERR_OK)
		app_status(a, TUI_ERROR, _("not sent: %s"), why != NULL ? why :
		    "?");
	free(why);
	session_resume(t->s);
	/* Within the data the prompt comes again for the next line. */
	if (was == SMTP_STEP_DATA && strcmp(text, ".") != 0 && !t->done &&
	    smtp_step_typing(sm) == SMTP_STEP_DATA)
		prompt_line(a, _("Message line ('.' ends): "), NULL, NULL,
		    typed, st);
	free(text);
}

static int
step_act(struct app *a, struct screen *s, int action, int key)
{
	struct step *st = (struct step *)s;
	struct stepsess *t = st->t;
	struct smtp *sm = session_smtp(t->s);

	(void)key;
	switch (action) {
	case ST_GO:
		if (t->done || session_status(t->s) != SESSION_READY)
			return 1;
		if (smtp_step_typing(sm) == SMTP_STEP_DATA ||
		    smtp_step_go(sm) < 0)
			app_status(a, TUI_ERROR, "%s", _("nothing to go on to: "
			    "':' types a command"));
		session_resume(t->s);
		return 1;
	case ST_TYPE:
		if (t->done || smtp_step_typing(sm) == SMTP_STEP_NONE) {
			app_status(a, TUI_ERROR, "%s", _("commands can be typed "
			    "once TLS and AUTH are done and no reply is "
			    "awaited"));
			return 1;
		}
		prompt_line(a, smtp_step_typing(sm) == SMTP_STEP_DATA ?
		    _("Message line ('.' ends): ") : _("SMTP command: "), NULL,
		    NULL, typed, st);
		return 1;
	case ST_END:
		if (!t->done) {
			smtp_step_quit(sm);
			session_resume(t->s);
		}
		screen_close(a, s);
		return 1;
	default:
		return 0;
	}
}

static void
step_free(struct screen *s)
{
	struct step *st = (struct step *)s;

	/* A session still going finishes its QUIT alone, then frees itself. */
	st->t->screen = NULL;
	if (st->t->done)
		sess_free(st->t);
	free(st);
}

static const struct screen_ops step_ops = {
	.title = N_("Step through a session"),
	.keys = step_keys,
	.draw = step_draw,
	.act = step_act,
	.free = step_free,
};

void
step_open(struct app *a, const struct account *ac)
{
	struct stepsess *t = calloc(1, sizeof(*t));
	struct step *st = NULL;
	char *why = NULL;
	enum err e;

	if (t == NULL || (t->name = strdup(ac->name)) == NULL ||
	    (st = calloc(1, sizeof(*st))) == NULL)
		goto fail;
	t->from = bare_address(ac->from);
	t->pc.config_path = a->c.config_path;
	t->pc.account_name = t->name;
	t->pc.tr_shared = a->tr;
	/* Never a password prompt here: only what comes without asking. */
	if (cli_setup_quiet(&t->pc, NULL, ac->password != NULL ||
	    ac->password_command != NULL) != 0) {
		app_status(a, TUI_ERROR, _("the session with %s cannot start: "
		    "its settings or its password_command fail (pigeon "
		    "--account %s probe says why)"), t->name, t->name);
		goto fail;
	}
	t->pc.rt.so.smtp.hold = 1;
	t->pc.rt.so.smtp.step_from = t->from;
	t->pc.rt.so.smtp.step_rcpt = t->from;
	/* An OAuth2 account: its access token first (oauth2.h). */
	if ((e = route_token(&t->pc.rt, t->pc.tr, 0, &why)) != ERR_OK ||
	    (e = session_open(&t->s, &t->pc.rt.so, t->pc.tr, &why)) !=
	    ERR_OK) {
		app_status(a, TUI_ERROR, _("the session with %s failed: %s"),
		    t->name, why != NULL ? why : err_str(e));
		free(why);
		goto fail;
	}
	if (loop_add(a, &sess_source, t) < 0)
		goto fail;
	st->s.ops = &step_ops;
	st->t = t;
	t->screen = st;
	pane_follow(a);
	screen_push(a, &st->s);
	return;
fail:
	free(st);
	if (t != NULL)
		sess_free(t);
}
