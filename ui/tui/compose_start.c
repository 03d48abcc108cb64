/* compose_start.c - how a composition starts: a new message (To, Subject, the editor), a link from the command line, a stored message or draft. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "mimewalk.h"
#include "reply.h"
#include "route.h"
#include "util.h"

/* m: To, then Subject, then the editor. */
struct starting {
	char *to;
};

static void
subject_given(struct app *a, void *arg, char *subject)
{
	struct starting *st = arg;
	struct compose *cm;
	char *why = NULL;
	enum err e;

	if (subject == NULL || (cm = compose_new(a)) == NULL) {
		free(st->to);
		free(st);
		free(subject);
		return;
	}
	cm->d.to = st->to;
	cm->d.subject = *subject != '\0' ? subject : NULL;
	if (*subject == '\0')
		free(subject);
	free(st);
	/* The account's template, filled in: the editor shows it. */
	if ((e = reply_template_new(a->c.acct, &cm->d, NULL, &why)) !=
	    ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
	}
	if (compose_begin(a, cm) == 0)
		compose_edit(a, cm, 0);
}

static void
to_given(struct app *a, void *arg, char *to)
{
	struct starting *st;

	(void)arg;
	if (to == NULL || *to == '\0' || (st = calloc(1, sizeof(*st))) ==
	    NULL) {
		free(to);
		return;
	}
	st->to = to;
	prompt_line(a, _("Subject: "), NULL, NULL, subject_given, st);
}

void
compose_start(struct app *a)
{
	if (compose_find(a) != NULL)
		return;
	prompt_line(a, _("To: "), NULL, compose_complete_addr, to_given, NULL);
}

void
compose_with(struct app *a, struct draft *d, const char *ignored)
{
	struct compose *cm;

	if (compose_find(a) != NULL || (cm = compose_new(a)) == NULL) {
		draft_free(d);
		free(d);
		return;
	}
	draft_free(&cm->d);
	cm->d = *d;
	free(d);
	if (a->c.acct != NULL && draft_set(&cm->d.account, a->c.acct->name) <
	    0) {
		compose_discard(cm);
		return;
	}
	if (ignored != NULL && *ignored != '\0')
		app_status(a, TUI_ERROR, _("not taken from the link: %s; e: "
		    "write the text, y: send"), ignored);
	else
		app_status(a, TUI_NORMAL, _("e: write the text, y: send, q: "
		    "abort"));
	/*
	 * The editor is not started: the screen shows first what the link
	 * asks to send, and a body it brings is kept until the user edits.
	 */
	if (compose_begin(a, cm) == 0)
		compose_changed(cm);
}

/* The account a draft was written with, if it is not the one in use and can be used without asking. */
static void
draft_account(struct app *a, const char *name)
{
	const struct account *ac;

	if (name == NULL || a->c.conf == NULL || (a->c.acct != NULL &&
	    strcmp(a->c.acct->name, name) == 0))
		return;
	ac = conf_account(a->c.conf, name);
	if (ac == NULL || !route_quiet(ac) || sending_busy(a)) {
		app_status(a, TUI_ERROR, _("this draft was written with account "
		    "%s; f chooses the account to send with"), name);
		return;
	}
	if (app_use_account(a, name) < 0)
		app_status(a, TUI_ERROR, "%s", a->account_error != NULL ?
		    a->account_error : "?");
}

/*
 * The account of a message that names none (one from sent/, a draft of
 * another program): the one its From belongs to, as sendmail -f picks
 * it (conf_account_for_sender()); NULL: keep the account in use.
 */
static const char *
account_of_from(const struct app *a, const char *from)
{
	struct addr_list l = { NULL, 0 };
	const struct account *ac = NULL;

	if (from != NULL && addr_list_parse(&l, from, strlen(from), NULL) ==
	    ERR_OK && l.n == 1)
		ac = conf_account_for_sender(a->c.conf, l.v[0].spec);
	addr_list_free(&l);
	return ac != NULL ? ac->name : NULL;
}

void
compose_open(struct app *a, enum outbox_folder folder, struct maildir *md,
    const char *id)
{
	struct compose *cm;
	struct qentry e;
	struct buf note;
	const char *name;
	char *why = NULL;
	unsigned flaws = 0;
	enum err r;
	size_t i;
	int fd;

	if (compose_find(a) != NULL || (cm = compose_new(a)) == NULL)
		return;
	if (md == NULL)
		md = outbox_folder(a->ob, folder);
	draft_free(&cm->d);
	/* A draft is edited in place; any other message gives a new one. */
	if (folder == OUTBOX_DRAFTS) {
		r = draft_load(md, id, &cm->d, &flaws, &why);
		if (r == ERR_OK && flaws == 0 &&
		    (cm->draft_dir = strdup(maildir_path(md))) == NULL)
			r = ERR_NOMEM;
	} else if ((r = maildir_open_msg(md, id, &fd, &why)) == ERR_OK) {
		r = draft_read(fd, &cm->d, &flaws, &why);
		(void)close(fd);
		/* A queued or failed one: its blind copies are in its envelope. */
		if (r == ERR_OK && folder != OUTBOX_SENT &&
		    outbox_load(a->ob, id, &e, NULL) == ERR_OK) {
			const char **v = calloc(e.nrcpts + 1, sizeof(*v));

			for (i = 0; v != NULL && i < e.nrcpts; i++)
				v[i] = e.rcpts[i].addr;
			if (v != NULL)
				(void)draft_add_bcc(&cm->d, v, e.nrcpts);
			free(v);
			qentry_free(&e);
		}
	}
	if (r != ERR_OK || compose_text_save(cm) < 0) {
		app_status(a, TUI_ERROR, _("cannot open %s: %s"), id,
		    why != NULL ? why : r == ERR_OK ? strerror(errno) :
		    err_str(r));
		free(why);
		compose_discard(cm);
		return;
	}
	free(why);
	if (cm->d.account == NULL && (name = account_of_from(a, cm->d.from)) !=
	    NULL && draft_set(&cm->d.account, name) < 0) {
		compose_discard(cm);
		return;
	}
	draft_account(a, cm->d.account);
	if (cm->d.account == NULL && a->c.acct != NULL)
		(void)draft_set(&cm->d.account, a->c.acct->name);
	/* As it was left, else the defaults of the account it goes with. */
	if (cm->d.has_sec)
		cm->sec = cm->d.sec;
	else
		draft_security_default(&cm->sec, a->c.acct);
	screen_push(a, &cm->s);
	if (flaws != 0) {
		/*
		 * Shown as well as it could be; the note says what was wrong.
		 * What could not be read is still in the file: it is kept, and
		 * what is saved or sent from here is a new draft.
		 */
		if (folder == OUTBOX_DRAFTS) {
			free(cm->d.id);
			cm->d.id = NULL;
		}
		buf_init(&note, 4096);
		(void)mimewalk_flaws_text(&note, flaws, " ");
		app_status(a, TUI_ERROR, folder == OUTBOX_DRAFTS ?
		    _("%s: %s(Kept as it is; this is a copy.)") : _("%s: %s"),
		    id, buf_str(&note));
		buf_free(&note);
	} else if (folder == OUTBOX_DRAFTS) {
		app_status(a, TUI_NORMAL, _("draft '%s' resumed"),
		    cm->d.subject != NULL ? cm->d.subject : id);
	} else {
		app_status(a, TUI_NORMAL, _("a new message made from '%s'"),
		    cm->d.subject != NULL ? cm->d.subject : id);
	}
}

