/* app.c - "pigeon" without a command: the interactive UI's start, its one poll() loop, the status line, leaving. */
/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "accounts.h"
#include "app.h"
#include "i18n.h"
#include "mailto.h"
#include "util.h"

static const struct option ui_longopts[] = {
	CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

void
app_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_attr = attr;
}

void
app_bars(const struct app *a, const char *title, const char *help)
{
	int rows = tui_rows();

	tui_bars(title, help);
	tui_clear_line(rows - 1, TUI_NORMAL);
	if (a->snd != NULL && a->snd->t0 != 0)
		sending_draw_progress(a, rows - 1);
	if (a->snd == NULL || a->snd->t0 == 0)
		(void)tui_str(rows - 1, 0, tui_cols(), a->status,
		    a->status_attr);
}

void
app_draw(struct app *a)
{
	if (a->cmp != NULL)
		compose_draw(a);
	else
		folders_draw(a);
	tui_flush();
}

int
app_use_account(struct app *a, const char *name)
{
	char *keep = strdup(name);
	int r;

	if (keep == NULL)
		return -1;
	transcript_unsubscribe(a->c.tr, pane_writer, &a->pane);
	cli_cleanup(&a->c);
	free(a->account);
	a->account = keep;
	a->c.account_name = a->account;
	/* Never a prompt here: the screen is curses'. */
	r = cli_setup_quiet(&a->c, NULL, 1);
	if (a->c.tr != NULL)
		(void)transcript_subscribe(a->c.tr, pane_writer, &a->pane);
	alias_free(a->aliases);
	a->aliases = NULL;
	if (r == 0 && a->c.acct != NULL && a->c.acct->aliases != NULL)
		(void)alias_load(&a->aliases, a->c.acct->aliases, NULL);
	return r == 0 && a->c.acct != NULL ? 0 : -1;
}

void
app_stopped(struct app *a)
{
	/* No draft (a full disk, say): the text file stays where it is. */
	if (a->cmp != NULL && compose_postpone(a, 0) < 0) {
		free(a->cmp->body_path);
		a->cmp->body_path = NULL;
	}
	sending_free(a);     /* it is queued: nothing is lost */
	compose_free(a->cmp);
	a->cmp = NULL;
	tui_die();
}

/* A send goes on behind prompts and pagers (see tui_background()). */
static int
bg_pollfd(void *arg, int *fd, short *events)
{
	return sending_pollfd(arg, fd, events);
}

static void
bg_step(void *arg, short revents)
{
	sending_step(arg, revents);
}

/* The earliest of two poll timeouts (-1: none). */
static int
sooner(int a, int b)
{
	return a < 0 ? b : b < 0 || a < b ? a : b;
}

static void
loop(struct app *a)
{
	enum tui_event ev;
	short rev, events;
	int key, timeout, fd, t;
	int64_t left;

	while (!a->quit) {
		app_draw(a);
		timeout = sending_pollfd(a, &fd, &events);
		timeout = sooner(timeout, compose_autosave_ms(a));
		if (!sending_busy(a)) {
			/* Queued mail goes out by itself. */
			left = a->next_flush_us - util_now_us();
			t = left <= 0 ? 0 : (int)(left / 1000) + 1;
			timeout = sooner(timeout, t);
		}
		ev = tui_wait(fd, events, timeout, &key, &rev);
		switch (ev) {
		case TUI_EV_STOP:
			app_stopped(a);
			return;
		case TUI_EV_RESIZE:
			break;
		case TUI_EV_FD:
		case TUI_EV_TIMEOUT:
			sending_step(a, ev == TUI_EV_FD ? rev : 0);
			break;
		case TUI_EV_KEY:
			if ((key == 7 || key == 3) && sending_busy(a)) {
				/* A QUIT where the protocol allows one. */
				sending_stop(a);
				break;
			}
			if (a->cmp != NULL)
				compose_key(a, key);
			else
				folders_key(a, key);
			if (tui_stop_signal() != 0) {
				app_stopped(a);
				return;
			}
			break;
		}
		compose_autosave(a);
		if (!sending_busy(a) && util_now_us() >= a->next_flush_us)
			sending_flush_due(a);
	}
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

/* A first run: no account yet, so ask for one; -1 to go on, else the exit status. */
static int
first_run(struct app *a)
{
	char *why = NULL;
	int rc;

	if (a->c.server != NULL || !no_accounts(a->c.config_path))
		return -1;
	if (tui_init(&why) < 0)
		return no_screen(why);
	rc = ui_first_account(a->c.config_path);
	if (rc < 0)
		tui_die();
	tui_end();
	if (rc == 0) {
		cli_error(_("no account: pigeon needs one to send mail (see "
		    "pigeon.conf(5))"));
		return EX_CONFIG;
	}
	return -1;
}

int
cmd_ui(int argc, char **argv)
{
	struct app *a;
	char *why = NULL;
	enum err e;
	int rc;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return EX_OSERR;
	if ((rc = options(a, argc, argv)) >= 0 || (rc = first_run(a)) >= 0) {
		free_link(a);
		free(a);
		return rc;
	}
	/* Before the screen: a password prompt still has a plain terminal. */
	a->c.verbose = 0;
	if ((rc = cli_setup(&a->c, NULL, 1)) != 0) {
		cli_cleanup(&a->c);
		free_link(a);
		free(a);
		return rc;
	}
	if ((e = outbox_open(&a->ob, NULL, &why)) != ERR_OK) {
		cli_error("%s", why != NULL ? why : err_str(e));
		free(why);
		cli_cleanup(&a->c);
		free_link(a);
		free(a);
		return err_exit_code(e);
	}
	if (a->c.acct != NULL && a->c.acct->aliases != NULL &&
	    alias_load(&a->aliases, a->c.acct->aliases, &why) != ERR_OK) {
		/* Composing works without them: say so and go on. */
		cli_warn("%s", why != NULL ? why : "?");
		free(why);
		why = NULL;
	}
	a->pane.height = 10;
	(void)transcript_subscribe(a->c.tr, pane_writer, &a->pane);
	if (tui_init(&why) < 0) {
		rc = no_screen(why);
		goto out;
	}
	tui_background(bg_pollfd, bg_step, a);
	a->folder = OUTBOX_SENT;
	folders_load(a);
	if (a->count[OUTBOX_DRAFTS] > 0)
		app_status(a, TUI_NORMAL, _("unsent drafts: %zu; R resumes the "
		    "newest"), a->count[OUTBOX_DRAFTS]);
	else
		app_status(a, TUI_NORMAL, _("m: compose a message, ?: all "
		    "keys"));
	if (a->link != NULL) {
		/* Taken over by the composer. */
		compose_with(a, a->link, buf_str(&a->ignored));
		a->link = NULL;
	}
	/* What waits in the outbox goes out soon after the start. */
	a->next_flush_us = util_now_us() + 1000000;
	loop(a);
	tui_background(NULL, NULL, NULL);
	tui_end();
	rc = EX_OK;
out:
	free_link(a);
	sending_free(a);
	transcript_unsubscribe(a->c.tr, pane_writer, &a->pane);
	folders_free(a);
	pane_free(&a->pane);
	outbox_close(a->ob);
	alias_free(a->aliases);
	cli_cleanup(&a->c);
	free(a->account);
	free(a);
	return rc;
}
