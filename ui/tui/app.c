/* app.c - "pigeon" without a command: the interactive UI's start, its account, the status line and its history, leaving. */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app.h"
#include "i18n.h"
#include "mailto.h"
#include "route.h"
#include "util.h"

static const struct option ui_longopts[] = {
	CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

void
app_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
{
	struct status *st = &a->st;
	size_t slot;
	struct buf b;
	va_list ap;
	char *text;
	int r;

	buf_init(&b, 64 * 1024);
	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r < 0 || (b.data == NULL && buf_addstr(&b, "") < 0)) {
		buf_free(&b);
		return;
	}
	text = b.data;
	/* Kept for M, the newest last; shown for a few seconds or until a key. */
	if (st->n == STATUS_KEEP) {
		free(st->text[st->head]);
		st->head = (st->head + 1) % STATUS_KEEP;
		st->n--;
	}
	slot = (st->head + st->n) % STATUS_KEEP;
	st->text[slot] = text;
	st->error[slot] = attr == TUI_ERROR;
	st->n++;
	st->until = *text != '\0' ? util_now_us() + STATUS_SHOW_US : 0;
}

static void
status_free(struct status *st)
{
	while (st->n > 0) {
		free(st->text[st->head]);
		st->head = (st->head + 1) % STATUS_KEEP;
		st->n--;
	}
}

void
app_status_history(struct app *a)
{
	struct status *st = &a->st;
	struct buf b;
	size_t i;

	buf_init(&b, 1024 * 1024);
	if (st->n == 0)
		(void)buf_addstr(&b, _("(no status messages yet)\n"));
	for (i = 0; i < st->n; i++)
		(void)buf_printf(&b, "%s%s\n", st->error[(st->head + i) %
		    STATUS_KEEP] ? "! " : "  ", st->text[(st->head + i) %
		    STATUS_KEEP]);
	(void)pager_push(a, _("Status messages, the newest last"), &b);
}

void
app_bars(struct app *a, const struct screen *s, const char *title)
{
	const struct status *st = &a->st;
	int rows = tui_rows();
	struct buf hint;
	size_t last;

	buf_init(&hint, 4096);
	screen_hints(s, &hint);
	tui_bars(title, buf_str(&hint));
	buf_free(&hint);
	tui_clear_line(rows - 1, TUI_NORMAL);
	/* The undo window first: its key is there only so long. */
	if (sending_draw_undo(a, rows - 1)) {
		;
	} else if (st->until > 0 && st->n > 0) {
		last = (st->head + st->n - 1) % STATUS_KEEP;
		(void)tui_str_cut(rows - 1, 0, tui_cols(), st->text[last],
		    st->error[last] ? TUI_ERROR : TUI_NORMAL);
	} else if (sending_busy(a)) {
		sending_draw_progress(a, rows - 1);
	}
}

int
app_use_account(struct app *a, const char *name)
{
	char *keep = name != NULL ? strdup(name) : NULL;
	int r;

	if (name != NULL && keep == NULL)
		return -1;
	cli_cleanup(&a->c);
	free(a->account);
	a->account = keep;
	a->c.account_name = a->account;
	a->c.tr_shared = a->tr;
	free(a->account_error);
	a->account_error = NULL;
	/* No password here: it is fetched when a send or a test needs it. */
	r = cli_setup_quiet(&a->c, NULL, 0);
	alias_free(a->aliases);
	a->aliases = NULL;
	if (r == 0 && a->c.acct != NULL && a->c.acct->aliases != NULL)
		(void)alias_load(&a->aliases, a->c.acct->aliases, NULL);
	if (r != 0 || a->c.acct == NULL)
		a->account_error = util_strf(_("the account %s cannot be used "
		    "as it is: pigeon --account %s send --dry-run says why"),
		    name != NULL ? name : "-", name != NULL ? name : "-");
	return r == 0 && a->c.acct != NULL ? 0 : -1;
}

int
app_account_usable(struct app *a)
{
	if (a->c.acct != NULL && a->c.tr != NULL)
		return 0;
	app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
	    a->account_error : _("no usable account (A shows them)"));
	return -1;
}

int
app_secret(struct app *a)
{
	char *why = NULL;
	enum err e;

	if (app_account_usable(a) < 0)
		return -1;
	if (a->c.rt.user == NULL || a->c.rt.secret != NULL)
		return 0;
	/* As mutt does: the password when it is needed, not before. */
	if ((e = route_secret(&a->c.rt, a->c.acct, &why)) != ERR_OK) {
		free(a->account_error);
		a->account_error = util_strf(_("account %s: %s"),
		    a->c.acct->name, why != NULL ? why : err_str(e));
		app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
		    a->account_error : err_str(e));
		free(why);
		return -1;
	}
	if (a->c.rt.need_secret) {
		app_status(a, TUI_ERROR, _("no password for %s at %s: set "
		    "password_command in the account (A), or add it to "
		    "~/.netrc"), a->c.rt.user, a->c.rt.url.host);
		return -1;
	}
	return 0;
}

void
app_stopped(struct app *a)
{
	/* What is being composed becomes a draft; what is sent stays queued. */
	screens_stopped(a);
	sending_free_all(a);
	screens_free(a);
	tui_die();
}

/* Is there no config file yet, or one without accounts? */
static int
no_accounts(const char *path)
{
	struct conf *c = NULL;
	int r;

	if (conf_load(&c, path, NULL) != ERR_OK)
		return 0;
	r = c->naccounts == 0;
	conf_free(c);
	return r;
}

/*
 * The words after the options: addresses or mailto: URLs, all made into
 * the message composed first.  -1 to go on, else the exit status.
 */
static int
link_args(struct app *a, int argc, char **argv)
{
	char *why = NULL;
	enum err e;

	for (; optind < argc; optind++) {
		if (a->link == NULL) {
			if ((a->link = malloc(sizeof(*a->link))) == NULL)
				return EX_OSERR;
			draft_init(a->link);
			buf_init(&a->ignored, 1024);
		}
		e = mailto_parse(a->link, argv[optind], &a->ignored, &why);
		if (e == ERR_USAGE) {
			cli_error(_("unknown command '%s'"), argv[optind]);
			(void)fprintf(stderr, _("Try 'pigeon --help'.\n"));
			return EX_USAGE;
		}
		if (e != ERR_OK) {
			cli_error("%s", why != NULL ? why : err_str(e));
			free(why);
			return err_exit_code(e);
		}
	}
	return -1;
}

/* What options() and link_args() kept. */
static void
free_link(struct app *a)
{
	if (a->link != NULL) {
		draft_free(a->link);
		free(a->link);
		a->link = NULL;
	}
	buf_free(&a->ignored);
}

/* Options; -1 to go on, else the exit status. */
static int
options(struct app *a, int argc, char **argv)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":v", ui_longopts, NULL)) != -1) {
		if (cli_common_option(&a->c, opt, optarg))
			continue;
		switch (opt) {
		case CLI_OPT_HELP:
			(void)printf(_("Usage: pigeon [options] "
			    "[ADDRESS|mailto:URL...]\n"
			    "The interactive mail composer; '?' in it lists the "
			    "keys.\nWith addresses or mailto: URLs it opens "
			    "with a message to them.\n"));
			cli_common_help(stdout, 1);
			return EX_OK;
		case CLI_OPT_VERSION:
			cli_version();
			return EX_OK;
		default:
			return cli_bad_option(NULL, argv, opt);
		}
	}
	return link_args(a, argc, argv);
}

/*
 * No screen on this terminal: why, and what works without one.  Nothing
 * of curses has been written, so the terminal shows only these lines.
 */
static int
no_screen(char *why)
{
	cli_error("%s", why != NULL ? why : "?");
	free(why);
	(void)fputs(_("pigeon: mail can be sent without the interactive UI:\n"
	    "  pigeon send -s SUBJECT RECIPIENT... <text\n"
	    "  pigeon sendmail -t <message\n"
	    "  pigeon queue list\n"
	    "or run pigeon in a terminal that can show a screen (for example "
	    "TERM=xterm-256color).\n"), stderr);
	return EX_UNAVAILABLE;
}

/* Everything the UI holds, freed (the screens are gone already). */
static void
app_free(struct app *a)
{
	free_link(a);
	sending_free_all(a);
	screens_free(a);
	step_free_all(a);
	outbox_close(a->ob);
	alias_free(a->aliases);
	cli_cleanup(&a->c);
	transcript_free(a->tr);
	status_free(&a->st);
	free(a->account);
	free(a->account_error);
	free(a);
}

int
cmd_ui(int argc, char **argv)
{
	struct app *a;
	char *why = NULL;
	enum err e;
	int rc, first;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return EX_OSERR;
	if ((rc = options(a, argc, argv)) >= 0) {
		free_link(a);
		free(a);
		return rc;
	}
	if ((a->tr = transcript_new(PANE_EVENTS)) == NULL) {
		free_link(a);
		free(a);
		return EX_OSERR;
	}
	a->c.verbose = 0;
	first = a->c.server == NULL && no_accounts(a->c.config_path);
	/*
	 * No password now: a failing password_command must not keep the UI
	 * from starting (it is fetched when a send or a test needs it).  A
	 * config file that cannot be read is said before the screen.
	 */
	a->c.tr_shared = a->tr;
	if (!first && (rc = cli_setup(&a->c, NULL, 0)) != 0) {
		app_free(a);
		return rc;
	}
	if ((e = outbox_open(&a->ob, NULL, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		app_free(a);
		return err_exit_code(e);
	}
	if (a->c.acct != NULL && a->c.acct->aliases != NULL &&
	    alias_load(&a->aliases, a->c.acct->aliases, &why) != ERR_OK) {
		/* Composing works without them: say so and go on. */
		cli_warn("%s", why != NULL ? why : "?");
		free(why);
		why = NULL;
	}
	if (tui_init(&why) < 0) {
		rc = no_screen(why);
		app_free(a);
		return rc;
	}
	a->pane.height = 10;
	if (folders_open(a) < 0) {
		tui_end();
		app_free(a);
		return EX_OSERR;
	}
	if (first)
		accounts_first(a);
	else if (a->link != NULL) {
		/* Taken over by the composer. */
		compose_with(a, a->link, buf_str(&a->ignored));
		a->link = NULL;
	}
	/* What waits in the outbox goes out soon after the start. */
	a->next_flush_us = util_now_us() + 1000000;
	sending_due_open(a);
	loop_run(a);
	tui_end();
	app_free(a);
	return EX_OK;
}
