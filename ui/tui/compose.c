/* compose.c - the compose screen of the interactive UI: a draft on the screen, its text in the user's editor. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "charset.h"
#include "editor.h"
#include "i18n.h"
#include "mimetype.h"
#include "msg.h"
#include "query.h"
#include "runcmd.h"
#include "mimewalk.h"
#include "rfc822.h"
#include "route.h"
#include "util.h"

#define BODY_MAX (64 * 1024 * 1024)
/* Autosave this long after the last change. */
#define AUTOSAVE_US (3 * 1000000)

/*
 * The UI, for a completion that must ask (query_command lists to pick
 * from); tui_readline_complete() gives its callback only the text.
 */
static struct app *completing;

static char *query_pick(struct app *a, const char *text, size_t at);

/* Tab in an address prompt: an alias, else the account's query_command. */
static char *
complete_addr(const char *text)
{
	struct app *a = completing;
	char *r = a != NULL ? alias_complete(a->aliases, text) : NULL;
	const char *comma;

	if (r != NULL || a == NULL || a->c.acct == NULL ||
	    a->c.acct->query_command == NULL)
		return r;
	comma = strrchr(text, ',');
	return query_pick(a, text, comma != NULL ? (size_t)(comma - text) + 1 :
	    0);
}

/*
 * Ask query_command for the element of text from at on; the text with it
 * replaced by the match (the one chosen, when several), or NULL.
 */
static char *
query_pick(struct app *a, const char *text, size_t at)
{
	struct query_match *v = NULL;
	const char *el = text + at;
	const char **items = NULL;
	char **lines = NULL, *why = NULL, *out = NULL, *one;
	size_t n = 0, i;
	int k = 0;

	while (*el == ' ' || *el == '\t')
		el++;
	if (*el == '\0')
		return NULL;
	if (query_run(a->c.acct->query_command, el, &v, &n, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
		return NULL;
	}
	if (n == 0) {
		app_status(a, TUI_NORMAL, _("query_command found nothing for "
		    "'%s'"), el);
		query_free(v, n);
		return NULL;
	}
	if (n > 1) {
		items = calloc(n, sizeof(*items));
		lines = calloc(n, sizeof(*lines));
		for (i = 0; items != NULL && lines != NULL && i < n; i++) {
			lines[i] = query_format(&v[i]);
			items[i] = lines[i] != NULL ? lines[i] : v[i].addr;
		}
		k = items != NULL && lines != NULL ? pick(a, _("Addresses "
		    "found"), items, n, 0) : -1;
		for (i = 0; lines != NULL && i < n; i++)
			free(lines[i]);
		free(lines);
		free(items);
		/* What was under the list. */
		app_draw(a);
	}
	if (k >= 0 && (one = query_format(&v[k])) != NULL) {
		out = util_strf("%.*s%s%s", (int)at, text, at > 0 ? " " : "",
		    one);
		free(one);
	}
	query_free(v, n);
	return out;
}

/* --- the text and its file -------------------------------------------------- */

void
compose_free(struct compose *cm)
{
	if (cm == NULL)
		return;
	if (cm->body_path != NULL)
		(void)unlink(cm->body_path);
	free(cm->body_path);
	free(cm->draft_dir);
	draft_free(&cm->d);
	buf_free(&cm->shown);
	free(cm);
}

/* A new composition: a draft of the account in use, a private file for the text. */
static struct compose *
compose_new(struct app *a)
{
	struct compose *cm = calloc(1, sizeof(*cm));
	const char *dir = getenv("TMPDIR");
	int fd;

	if (cm == NULL)
		return NULL;
	draft_init(&cm->d);
	buf_init(&cm->shown, 4 * 64 * 1024);
	cm->body_path = util_strf("%s/pigeon-text-XXXXXX", dir != NULL &&
	    *dir == '/' ? dir : "/tmp");
	if (cm->body_path == NULL || (fd = mkstemp(cm->body_path)) < 0) {
		app_status(a, TUI_ERROR, _("cannot create a file for the text: "
		    "%s"), strerror(errno));
		free(cm->body_path);
		cm->body_path = NULL;
		compose_free(cm);
		return NULL;
	}
	(void)close(fd);
	if (a->c.acct != NULL && draft_set(&cm->d.account, a->c.acct->name) <
	    0) {
		compose_free(cm);
		return NULL;
	}
	return cm;
}

/* The draft's text into the file, in the locale's charset when that holds it all. */
static int
text_to_file(struct compose *cm)
{
	struct buf loc;
	const char *p = buf_str(&cm->d.text);
	size_t n = cm->d.text.len;
	int fd, r = -1;

	buf_init(&loc, 4 * BODY_MAX);
	if (strcasecmp(charset_locale(), "UTF-8") != 0 &&
	    charset_from_utf8(&loc, p, n, charset_locale(), NULL) == ERR_OK) {
		p = buf_str(&loc);
		n = loc.len;
	}
	if ((fd = open(cm->body_path, O_WRONLY | O_TRUNC | O_CLOEXEC)) >= 0 &&
	    write(fd, p, n) == (ssize_t)n && close(fd) == 0)
		r = 0;
	else if (fd >= 0)
		(void)close(fd);
	buf_free(&loc);
	cm->shown_ok = 0;
	return r;
}

/* The file back into the draft as UTF-8 (it may be in the locale's charset); 0 or -1 with the status set. */
static int
text_from_file(struct app *a, struct compose *cm)
{
	struct buf raw;
	char *why = NULL;
	int r = -1;

	buf_init(&raw, BODY_MAX);
	if (buf_read_file(&raw, cm->body_path) < 0) {
		app_status(a, TUI_ERROR, _("cannot read the text: %s"),
		    strerror(errno));
		goto out;
	}
	buf_reset(&cm->d.text);
	if (charset_utf8_valid(buf_str(&raw), raw.len, NULL)) {
		if (buf_add(&cm->d.text, buf_str(&raw), raw.len) == 0)
			r = 0;
	} else if (charset_to_utf8(&cm->d.text, buf_str(&raw), raw.len,
	    charset_locale(), &why) == ERR_OK) {
		r = 0;
	} else {
		app_status(a, TUI_ERROR, _("the text: %s"), why != NULL ? why :
		    "?");
	}
out:
	free(why);
	buf_free(&raw);
	return r;
}

/* The start of the text, read once after each edit, not at every redraw. */
static void
load_shown(struct compose *cm)
{
	struct buf b, u;
	int fd;

	buf_init(&b, 64 * 1024);
	if ((fd = open(cm->body_path, O_RDONLY | O_CLOEXEC)) >= 0) {
		/* The beginning is enough to show. */
		(void)buf_read_fd(&b, fd);
		(void)close(fd);
	}
	/* Written in the locale's charset: shown as the UTF-8 it stands for. */
	buf_reset(&cm->shown);
	buf_init(&u, 4 * 64 * 1024);
	if (!charset_utf8_valid(buf_str(&b), b.len, NULL) &&
	    charset_to_utf8(&u, buf_str(&b), b.len, charset_locale(), NULL) ==
	    ERR_OK)
		(void)buf_add(&cm->shown, buf_str(&u), u.len);
	else
		(void)buf_add(&cm->shown, buf_str(&b), b.len);
	buf_free(&u);
	buf_free(&b);
	cm->shown_ok = 1;
}

/* $VISUAL, else $EDITOR, else the built-in one, on path; 0, or -1 with the status line set. */
static int
run_editor(struct app *a, const char *path)
{
	const char *ed = getenv("VISUAL");
	char *cmd;
	pid_t pid;
	int st = 0, r;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0') {
		if (ui_edit_text(path, _("The text (no $VISUAL or $EDITOR: "
		    "pigeon's own editor)")) < 0) {
			app_status(a, TUI_ERROR, _("cannot keep the text in %s: "
			    "%s"), path, strerror(errno));
			return -1;
		}
		return 0;
	}
	/*
	 * As mutt does: the editor setting is a shell command ("vim -c x"
	 * works), the file its argument -- passed as "$1", so a file name
	 * is never read as shell code.
	 */
	if ((cmd = util_strf("%s \"$1\"", ed)) == NULL)
		return -1;
	tui_suspend();
	r = runcmd_sh(&pid, cmd, path, -1, -1);
	if (r == 0 && runcmd_wait(pid, &st) < 0)
		r = errno;
	tui_resume();
	free(cmd);
	if (r != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		app_status(a, TUI_ERROR, _("the editor (%s) failed; the text "
		    "is kept"), ed);
		return -1;
	}
	return 0;
}

/* The composition changed: autosave it soon. */
static void
changed(struct app *a)
{
	a->cmp->dirty = 1;
	a->cmp->changed_us = util_now_us();
}

static void
edit_text(struct app *a)
{
	(void)run_editor(a, a->cmp->body_path);
	a->cmp->shown_ok = 0;
	changed(a);
}

/* --- starting and ending ---------------------------------------------------- */

/*
 * A new composition becomes the current one: the signature goes in now,
 * as in mutt (the user sees it, and edits it), the text into its file.
 * 0, or -1 with cm freed and the user told.
 */
static int
begin(struct app *a, struct compose *cm)
{
	char *why = NULL;

	if (a->c.acct != NULL && draft_sign(&cm->d, a->c.acct->signature,
	    &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
	}
	if (text_to_file(cm) < 0) {
		app_status(a, TUI_ERROR, _("cannot create a file for the text: "
		    "%s"), strerror(errno));
		compose_free(cm);
		return -1;
	}
	a->cmp = cm;
	return 0;
}

void
compose_start(struct app *a)
{
	struct compose *cm;
	char *to, *subject;

	completing = a;
	to = tui_readline_complete(tui_rows() - 1, _("To: "), NULL,
	    complete_addr);
	if (to == NULL || *to == '\0') {
		free(to);
		return;
	}
	if ((subject = tui_readline(tui_rows() - 1, _("Subject: "), NULL)) ==
	    NULL || (cm = compose_new(a)) == NULL) {
		free(to);
		free(subject);
		return;
	}
	cm->d.to = to;
	cm->d.subject = subject;
	if (begin(a, cm) == 0)
		edit_text(a);
}

void
compose_with(struct app *a, struct draft *d, const char *ignored)
{
	struct compose *cm;

	if (a->cmp != NULL || (cm = compose_new(a)) == NULL) {
		draft_free(d);
		free(d);
		return;
	}
	draft_free(&cm->d);
	cm->d = *d;
	free(d);
	if (a->c.acct != NULL && draft_set(&cm->d.account, a->c.acct->name) <
	    0) {
		compose_free(cm);
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
	if (begin(a, cm) == 0)
		changed(a);
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
		app_status(a, TUI_ERROR, _("the account %s cannot be used as it "
		    "is (see pigeon.conf(5))"), name);
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

	if (a->cmp != NULL || (cm = compose_new(a)) == NULL)
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
	if (r != ERR_OK || text_to_file(cm) < 0) {
		app_status(a, TUI_ERROR, _("cannot open %s: %s"), id,
		    why != NULL ? why : r == ERR_OK ? strerror(errno) :
		    err_str(r));
		free(why);
		compose_free(cm);
		return;
	}
	free(why);
	if (cm->d.account == NULL && (name = account_of_from(a, cm->d.from)) !=
	    NULL && draft_set(&cm->d.account, name) < 0) {
		compose_free(cm);
		return;
	}
	draft_account(a, cm->d.account);
	if (cm->d.account == NULL && a->c.acct != NULL)
		(void)draft_set(&cm->d.account, a->c.acct->name);
	a->cmp = cm;
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
		app_status(a, TUI_NORMAL, _("draft %s resumed"), id);
	} else {
		app_status(a, TUI_NORMAL, _("a new message made from %s"), id);
	}
}

/* Remove the draft id from the drafts folder dir (NULL: none). */
static void
remove_draft(struct app *a, const char *dir, const char *id)
{
	struct maildir *md = NULL;
	size_t i;

	if (dir == NULL || id == NULL)
		return;
	for (i = 0; i < a->ndrafts; i++)
		if (strcmp(maildir_path(a->drafts[i]), dir) == 0) {
			(void)maildir_remove(a->drafts[i], id, NULL);
			return;
		}
	if (maildir_open(&md, dir, 0, NULL) == ERR_OK)
		(void)maildir_remove(md, id, NULL);
	maildir_close(md);
}

int
compose_postpone(struct app *a, int quietly)
{
	struct compose *cm = a->cmp;
	struct maildir *md;
	char *why = NULL, *old;
	enum err e;

	if (text_from_file(a, cm) < 0)
		return -1;
	/* The account's drafts folder; it leaves the one it was in before. */
	if ((e = outbox_drafts_open(a->ob, a->c.acct, &md, &why)) == ERR_OK) {
		e = draft_save(md, &cm->d, a->c.acct, &why);
		if (e == ERR_OK && (cm->draft_dir == NULL ||
		    strcmp(cm->draft_dir, maildir_path(md)) != 0)) {
			old = cm->draft_dir;
			if ((cm->draft_dir = strdup(maildir_path(md))) == NULL) {
				cm->draft_dir = old;
				e = ERR_NOMEM;
			} else {
				remove_draft(a, old, cm->d.id);
				free(old);
			}
		}
		outbox_drafts_close(a->ob, md);
	}
	if (e != ERR_OK)
		app_status(a, TUI_ERROR, _("the draft could not be saved: %s"),
		    why != NULL ? why : err_str(e));
	else if (quietly)
		app_status(a, TUI_NORMAL, _("draft saved"));
	else
		app_status(a, TUI_NORMAL, _("saved as draft %s"), cm->d.id);
	if (e == ERR_OK)
		cm->dirty = 0;
	free(why);
	return e == ERR_OK ? 0 : -1;
}

/* The draft of a composition that was sent or thrown away goes. */
static void
drop_draft(struct app *a)
{
	remove_draft(a, a->cmp->draft_dir, a->cmp->d.id);
}

void
compose_close(struct app *a)
{
	compose_free(a->cmp);
	a->cmp = NULL;
	folders_load(a);
}

/* --- drawing -------------------------------------------------------------------- */

static void
draw_field(int y, const char *label, const char *value)
{
	int x;

	tui_clear_line(y, TUI_NORMAL);
	/* A longer label (German "Antwort an:") keeps a blank before the value. */
	x = tui_str(y, 1, 12, label, TUI_LABEL);
	(void)tui_str(y, 1 + (x >= 11 ? x + 1 : 11), tui_cols() - 14,
	    value != NULL ? value : "", TUI_NORMAL);
}

/* The name the recipient sees. */
static const char *
att_name(const struct draft_att *at)
{
	const char *slash;

	if (at->name != NULL)
		return at->name;
	slash = strrchr(at->path, '/');
	return slash != NULL ? slash + 1 : at->path;
}

void
compose_draw(struct app *a)
{
	struct compose *cm = a->cmp;
	const struct draft *d = &cm->d;
	int rows = tui_rows(), ph = pane_height(a), y, top;
	const char *line, *end;
	size_t i;

	draw_field(1, _("From:"), d->from != NULL ? d->from : a->c.acct !=
	    NULL ? a->c.acct->from : "");
	draw_field(2, _("To:"), d->to);
	draw_field(3, _("Cc:"), d->cc);
	draw_field(4, _("Bcc:"), d->bcc);
	draw_field(5, _("Subject:"), d->subject);
	draw_field(6, _("Reply-To:"), d->reply_to);
	for (y = 7; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	/* The attachments, the one D, T and d act on marked. */
	for (i = 0, y = 7; i < d->natt && y < rows - 3 - ph; i++, y++) {
		char info[256];
		int x;

		x = tui_str(y, 1, 3, i == cm->sel ? ">" : " ", TUI_LABEL);
		(void)snprintf(info, sizeof(info), "[%zu] ", i + 1);
		x += tui_str(y, 1 + x, 8, info, TUI_NORMAL);
		x += tui_str(y, 1 + x, tui_cols() - 30 - x, att_name(&d->att[i]),
		    i == cm->sel ? TUI_SELECTED : TUI_NORMAL);
		(void)snprintf(info, sizeof(info), "  (%s, %s)",
		    d->att[i].message ? "message/rfc822" : d->att[i].type !=
		    NULL ? d->att[i].type : _("type from the name"),
		    d->att[i].disp_inline ? _("inline") : _("attachment"));
		(void)tui_str(y, 1 + x, tui_cols() - 2 - x, info, TUI_INFO);
	}
	(void)tui_str(y, 1, tui_cols() - 2, d->has_html ? _("-- text (and an "
	    "HTML alternative) --") : _("-- text --"), TUI_INFO);
	top = y + 1;
	if (!cm->shown_ok)
		load_shown(cm);
	/* Each line of the text, empty ones too. */
	for (y = top, line = cm->shown.data; line != NULL && *line != '\0' &&
	    y < rows - 2 - ph; y++) {
		end = strchr(line, '\n');
		(void)tui_body(y, 1, tui_cols() - 2, line, end != NULL ?
		    (size_t)(end - line) : strlen(line), TUI_NORMAL);
		line = end != NULL ? end + 1 : NULL;
	}
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, sending_busy(a) ? _("Sending... (C-g: stop)") :
	    _("Compose"), _("y:send  tcbsr:header  e:text  a:attach  "
	    "p:preview  P:postpone  q:abort  ?:help"));
}

/* --- keys ------------------------------------------------------------------------- */

/* Edit a header line; the old value stays when the user cancels.  addrs: Tab completes. */
static void
edit_field(struct app *a, char **field, const char *label, int addrs)
{
	char *v;

	completing = a;
	v = tui_readline_complete(tui_rows() - 1, label, *field, addrs ?
	    complete_addr : NULL);
	if (v == NULL) {
		if (tui_stop_signal() == 0)
			app_status(a, TUI_NORMAL, "%s", "");
		return;
	}
	if (*field == NULL || strcmp(*field, v) != 0)
		changed(a);
	free(*field);
	*field = *v != '\0' ? v : NULL;
	if (*v == '\0')
		free(v);
}

/* a: ask for a file and add it; it must be a regular file we can read. */
static void
attach_file(struct app *a)
{
	struct stat st;
	const char *home = util_home_dir(), *why = NULL;
	char *path = tui_readline_complete(tui_rows() - 1, _("Attach file: "),
	    NULL, complete_path), *full;

	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	full = strncmp(path, "~/", 2) == 0 && home != NULL ?
	    util_strf("%s%s", home, path + 1) : strdup(path);
	free(path);
	if (full == NULL)
		return;
	if (stat(full, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	else if (access(full, R_OK) < 0)
		why = strerror(errno);
	if (why == NULL && draft_attach(&a->cmp->d, full, NULL, NULL, 0, 0) !=
	    ERR_OK)
		why = err_str(ERR_NOMEM);
	if (why != NULL) {
		app_status(a, TUI_ERROR, _("cannot attach %s: %s"), full, why);
	} else {
		a->cmp->sel = a->cmp->d.natt - 1;
		app_status(a, TUI_NORMAL, _("attached %s"), full);
		changed(a);
	}
	free(full);
}

/* T: the type of the marked attachment. */
static void
set_type(struct app *a)
{
	struct draft *d = &a->cmp->d;
	char *t;

	if (d->natt == 0)
		return;
	t = tui_readline(tui_rows() - 1, _("Content-Type: "),
	    d->att[a->cmp->sel].type);
	if (t == NULL)
		return;
	if (*t != '\0' && !mimetype_valid(t)) {
		app_status(a, TUI_ERROR, _("'%s' is not a type/subtype"), t);
		free(t);
		return;
	}
	free(d->att[a->cmp->sel].type);
	d->att[a->cmp->sel].type = *t != '\0' ? t : NULL;
	if (*t == '\0')
		free(t);
	changed(a);
}

/* p: the exact message as it would go out (without Bcc), in the pager. */
static void
preview(struct app *a)
{
	struct draft_built b;
	struct mime_result mr;
	struct buf text;
	char *why = NULL;
	enum err e;
	int fd;

	if (text_from_file(a, a->cmp) < 0)
		return;
	if ((e = draft_build(&a->cmp->d, a->c.acct, a->aliases, DRAFT_SEND, &b,
	    &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		draft_built_free(&b);
		return;
	}
	if ((fd = msg_open_spool(NULL)) < 0) {
		app_status(a, TUI_ERROR, _("cannot create a spool file: %s"),
		    strerror(errno));
		draft_built_free(&b);
		return;
	}
	buf_init(&text, BODY_MAX);
	if ((e = mime_write(&b.mm, fd, 1, &mr, &why)) != ERR_OK ||
	    lseek(fd, 0, SEEK_SET) < 0 || buf_read_fd(&text, fd) < 0)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    strerror(errno));
	else
		pager(a, _("Preview: the message as it will be sent"),
		    buf_str(&text), text.len);
	(void)close(fd);
	buf_free(&text);
	free(why);
	draft_built_free(&b);
}

/*
 * Does the account log in as an address of another domain than From's?
 * Many servers then refuse the message or put the login in From.
 */
static int
from_not_login(const struct app *a, const struct draft_built *b)
{
	const char *user = a->c.rt.user, *ua, *fa;

	if (user == NULL || (ua = strrchr(user, '@')) == NULL ||
	    b->from.n != 1 || (fa = strrchr(b->from.v[0].spec, '@')) == NULL)
		return 0;
	return strcasecmp(ua, fa) != 0;
}

/* Ask before sending what looks like a slip; 1 to send. */
static int
questions(struct app *a, const struct draft_built *b)
{
	if (b->mm.subject == NULL && tui_yesno(tui_rows() - 1, _("No subject. "
	    "Send anyway? (y/n) "), 0) != 1)
		return 0;
	if (from_not_login(a, b) && tui_yesno(tui_rows() - 1, _("The From "
	    "address is not the login's: the server may refuse or rewrite "
	    "it. Send anyway? (y/n) "), 0) != 1)
		return 0;
	if (draft_mentions_attachment(&a->cmp->d) && a->cmp->d.natt == 0 &&
	    tui_yesno(tui_rows() - 1, _("The text speaks of an attachment, "
	    "but there is none. Send anyway? (y/n) "), 0) != 1)
		return 0;
	return 1;
}

/* y: build, ask, queue, send in the background; the compose screen closes. */
static void
send_now(struct app *a)
{
	struct compose *cm = a->cmp;
	struct draft_built b;
	char *why = NULL;
	enum err e;

	if (sending_busy(a)) {
		app_status(a, TUI_ERROR, _("a message is being sent; wait for "
		    "it or stop it with C-g"));
		return;
	}
	if (text_from_file(a, cm) < 0)
		return;
	/* The signature rule is the draft's: in the text once. */
	if (a->c.acct != NULL && (e = draft_sign(&cm->d, a->c.acct->signature,
	    &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		return;
	}
	if ((e = draft_build(&cm->d, a->c.acct, a->aliases, DRAFT_SEND, &b,
	    &why)) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
		free(why);
		draft_built_free(&b);
		return;
	}
	if (questions(a, &b) && sending_start_message(a, &b, &cm->d) == 0) {
		/* In the outbox now: the draft has served. */
		drop_draft(a);
		compose_close(a);
	}
	draft_built_free(&b);
}

/* f: send with another account (its From, server and login). */
static void
choose_identity(struct app *a)
{
	const struct conf *c = a->c.conf;
	const char **items;
	char **lines, *want;
	size_t i, n, cur = 0;
	int k;

	if (sending_busy(a)) {
		app_status(a, TUI_ERROR, _("a message is being sent; choose "
		    "the account when it is done"));
		return;
	}
	if (c == NULL || c->naccounts < 2) {
		app_status(a, TUI_NORMAL, _("there is only this account (A on "
		    "the folders adds one)"));
		return;
	}
	n = c->naccounts;
	items = calloc(n, sizeof(*items));
	lines = calloc(n, sizeof(*lines));
	for (i = 0; items != NULL && lines != NULL && i < n; i++) {
		lines[i] = util_strf("%-16s %s", c->accounts[i].name,
		    c->accounts[i].from != NULL ? c->accounts[i].from : "");
		items[i] = lines[i] != NULL ? lines[i] : "?";
		if (&c->accounts[i] == a->c.acct)
			cur = i;
	}
	k = items != NULL && lines != NULL ? pick(a, _("Send with the "
	    "account"), items, n, cur) : -1;
	/* c goes when the account changes: nothing of it is used after. */
	want = k >= 0 && &c->accounts[k] != a->c.acct ?
	    strdup(c->accounts[k].name) : NULL;
	if (want != NULL && !route_quiet(&c->accounts[k])) {
		app_status(a, TUI_ERROR, _("the password of %s is asked for at "
		    "start: run pigeon --account %s"), want, want);
	} else if (want != NULL && app_use_account(a, want) < 0) {
		app_status(a, TUI_ERROR, _("the account cannot be used as it is "
		    "(see pigeon.conf(5))"));
	} else if (want != NULL) {
		/* Its From, unless one was typed. */
		(void)draft_set(&a->cmp->d.account, want);
		app_status(a, TUI_NORMAL, _("sending with %s now"), want);
		changed(a);
	}
	free(want);
	for (i = 0; lines != NULL && i < n; i++)
		free(lines[i]);
	free(lines);
	free(items);
}

/* q: abort, asking whether to keep a draft. */
static void
abort_compose(struct app *a)
{
	int r = tui_yesno(tui_rows() - 1, _("Abort this message. Keep it as a "
	    "draft? (y/n) "), 1);

	if (r == 1 && compose_postpone(a, 0) < 0)
		return;
	if (r < 0)
		return;
	if (r == 0) {
		drop_draft(a);
		app_status(a, TUI_NORMAL, _("message discarded"));
	}
	compose_close(a);
}

void
compose_key(struct app *a, int key)
{
	struct compose *cm = a->cmp;

	switch (key) {
	case 't':
		edit_field(a, &cm->d.to, _("To: "), 1);
		break;
	case 'c':
		edit_field(a, &cm->d.cc, _("Cc: "), 1);
		break;
	case 'b':
		edit_field(a, &cm->d.bcc, _("Bcc: "), 1);
		break;
	case 's':
		edit_field(a, &cm->d.subject, _("Subject: "), 0);
		break;
	case 'r':
		edit_field(a, &cm->d.reply_to, _("Reply-To: "), 1);
		break;
	case 'e':
		edit_text(a);
		break;
	case 'a':
		attach_file(a);
		break;
	case 'D':
		if (cm->d.natt > 0) {
			draft_detach(&cm->d, cm->sel);
			if (cm->sel > 0 && cm->sel >= cm->d.natt)
				cm->sel--;
			changed(a);
		}
		break;
	case 'T':
		set_type(a);
		break;
	case 'd':
		if (cm->d.natt > 0) {
			cm->d.att[cm->sel].disp_inline =
			    !cm->d.att[cm->sel].disp_inline;
			changed(a);
		}
		break;
	case TUI_KEY_UP:
		if (cm->sel > 0)
			cm->sel--;
		break;
	case TUI_KEY_DOWN:
		if (cm->sel + 1 < cm->d.natt)
			cm->sel++;
		break;
	case 'p':
		preview(a);
		break;
	case 'f':
		choose_identity(a);
		break;
	case 'y':
		send_now(a);
		break;
	case 'P':
		if (compose_postpone(a, 0) == 0)
			compose_close(a);
		break;
	case 'q':
		abort_compose(a);
		break;
	case '?':
		show_help(a);
		break;
	default:
		(void)pane_key(a, key);
		break;
	}
}

int
compose_autosave_ms(const struct app *a)
{
	int64_t left;

	if (a->cmp == NULL || !a->cmp->dirty)
		return -1;
	left = a->cmp->changed_us + AUTOSAVE_US - util_now_us();
	return left <= 0 ? 0 : (int)(left / 1000) + 1;
}

void
compose_autosave(struct app *a)
{
	if (compose_autosave_ms(a) != 0)
		return;
	/* Failed (a full disk, say): the next try after as long again. */
	if (compose_postpone(a, 1) < 0)
		a->cmp->changed_us = util_now_us();
}
