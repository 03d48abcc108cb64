/* compose.c - the compose screen of the interactive UI: a draft on the screen, its header fields, starting, saving and leaving; NeoMutt's keys. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "compose.h"
#include "i18n.h"
#include "util.h"

/* Autosave this long after the last change. */
#define AUTOSAVE_MS 3000


/* NeoMutt's compose keys where the meaning fits (pigeon(1) lists the differences). */
static const struct keydef compose_keys[] = {
	{ 'y', C_SEND, N_("send"), N_("send (the message goes to the outbox "
	    "first)") },
	{ 't', C_TO, NULL, N_("edit To") },
	{ 'c', C_CC, NULL, N_("edit Cc") },
	{ 'b', C_BCC, NULL, N_("edit Bcc") },
	{ 's', C_SUBJECT, NULL, N_("edit Subject") },
	{ 'r', C_REPLY_TO, NULL, N_("edit Reply-To") },
	{ 'f', C_FROM_ACCOUNT, NULL, N_("send with another account (its From, "
	    "server and login)") },
	{ 'e', C_EDIT, N_("text"), N_("edit the text ($VISUAL, $EDITOR)") },
	{ 'E', C_EDIT_HEADERS, NULL, N_("edit the header fields and the text "
	    "together in the editor") },
	{ 'a', C_ATTACH, N_("attach"), N_("attach a file (Tab completes the "
	    "path)") },
	{ 'D', C_DETACH, NULL, N_("detach the marked attachment") },
	{ KEY_CTRL('t'), C_TYPE, NULL, N_("the content type of the marked "
	    "attachment") },
	{ KEY_CTRL('d'), C_DISPOSITION, NULL, N_("the marked attachment "
	    "inline or as an attachment") },
	{ 'd', C_DESCRIBE, NULL, N_("the description of the marked "
	    "attachment (Content-Description)") },
	{ 'R', C_RENAME, NULL, N_("the name the recipient sees for the "
	    "marked attachment") },
	{ 'j', C_NEXT_ATT, NULL, N_("mark the next attachment") },
	{ TUI_KEY_DOWN, 0, NULL, NULL },
	{ 'k', C_PREV_ATT, NULL, N_("mark the previous attachment") },
	{ TUI_KEY_UP, 0, NULL, NULL },
	{ '+', C_MOVE_DOWN, NULL, N_("move the marked attachment down") },
	{ '-', C_MOVE_UP, NULL, N_("move the marked attachment up") },
	{ 'h', C_HTML, NULL, N_("an HTML alternative: from a file, or made "
	    "from the text by html_command") },
	{ 'H', C_NO_HTML, NULL, N_("remove the HTML alternative") },
	{ 'L', C_SEND_LATER, NULL, N_("send later: at a time asked for "
	    "('2026-12-24 09:00', '09:00', '+2h'); it waits in the outbox") },
	{ 'p', C_PREVIEW, N_("preview"), N_("the message as it will go out") },
	/* NeoMutt's p (PGP) is the preview here; its S/MIME key takes both. */
	{ 'S', C_SECURITY, NULL, N_("security: none, sign, encrypt, sign "
	    "and encrypt (PGP/MIME)") },
	{ 'P', C_POSTPONE, N_("postpone"), N_("postpone: save it as a "
	    "draft") },
	{ 'q', C_ABORT, N_("abort"), N_("abort (keeps a draft unless you say "
	    "no)") },
	{ 0, 0, NULL, NULL },
};


/* The composer on the stack, if any. */
struct compose *
compose_find(struct app *a);

/* --- starting and ending ---------------------------------------------------- */

static void compose_draw(struct app *a, struct screen *s);
static int compose_act(struct app *a, struct screen *s, int action, int key);
static int compose_tick(struct app *a, struct screen *s);
static void compose_stopped(struct app *a, struct screen *s);

static void
compose_free(struct screen *s)
{
	struct compose *cm = (struct compose *)s;

	if (cm->body_path != NULL)
		(void)unlink(cm->body_path);
	free(cm->body_path);
	free(cm->draft_dir);
	free(cm->html_from);
	draft_free(&cm->d);
	buf_free(&cm->shown);
	if (cm->b != NULL) {
		draft_built_free(cm->b);
		free(cm->b);
	}
	free(cm);
}

void
compose_discard(struct compose *cm)
{
	compose_free(&cm->s);
}

static const struct screen_ops compose_ops = {
	.title = N_("Compose"),
	.keys = compose_keys,
	.draw = compose_draw,
	.act = compose_act,
	.free = compose_free,
	.tick = compose_tick,
	.stopped = compose_stopped,
};

struct compose *
compose_find(struct app *a)
{
	struct screen *s;

	for (s = a->top; s != NULL; s = s->below)
		if (s->ops == &compose_ops)
			return (struct compose *)s;
	return NULL;
}

/* A new composition: a draft of the account in use, a private file for the text. */
struct compose *
compose_new(struct app *a)
{
	struct compose *cm = calloc(1, sizeof(*cm));
	const char *dir = getenv("TMPDIR");
	int fd;

	if (cm == NULL)
		return NULL;
	cm->s.ops = &compose_ops;
	draft_init(&cm->d);
	buf_init(&cm->shown, 4 * 64 * 1024);
	/* .eml: editors take it for mail (syntax, wrapping). */
	cm->body_path = util_strf("%s/pigeon-XXXXXX.eml", dir != NULL &&
	    *dir == '/' ? dir : "/tmp");
	if (cm->body_path == NULL || (fd = mkstemps(cm->body_path, 4)) < 0) {
		app_status(a, TUI_ERROR, _("cannot create a file for the text: "
		    "%s"), strerror(errno));
		free(cm->body_path);
		cm->body_path = NULL;
		compose_free(&cm->s);
		return NULL;
	}
	(void)close(fd);
	if (a->c.acct != NULL && draft_set(&cm->d.account, a->c.acct->name) <
	    0) {
		compose_free(&cm->s);
		return NULL;
	}
	draft_security_default(&cm->sec, a->c.acct);
	return cm;
}

/*
 * A new composition goes on the screen: the signature goes in now, as
 * in mutt (the user sees it, and edits it), the text into its file.
 * 0, or -1 with cm freed and the user told.
 */
int
compose_begin(struct app *a, struct compose *cm)
{
	char *why = NULL;

	if (a->c.acct != NULL && draft_sign(&cm->d, a->c.acct->signature,
	    &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		free(why);
	}
	if (compose_text_save(cm) < 0) {
		app_status(a, TUI_ERROR, _("cannot create a file for the text: "
		    "%s"), strerror(errno));
		compose_free(&cm->s);
		return -1;
	}
	screen_push(a, &cm->s);
	return 0;
}

/* Remove the draft id from the drafts folder dir (NULL: none). */
static void
remove_draft(struct app *a, const char *dir, const char *id)
{
	struct maildir *md = NULL;
	size_t i, n;

	if (dir == NULL || id == NULL)
		return;
	struct maildir **drafts = folders_drafts(a, &n);

	for (i = 0; i < n; i++)
		if (strcmp(maildir_path(drafts[i]), dir) == 0) {
			(void)maildir_remove(drafts[i], id, NULL);
			return;
		}
	if (maildir_open(&md, dir, 0, NULL) == ERR_OK)
		(void)maildir_remove(md, id, NULL);
	maildir_close(md);
}

int
compose_postpone(struct app *a, struct compose *cm, int quietly)
{
	struct maildir *md;
	char *why = NULL, *old;
	enum err e;

	if (compose_text_load(a, cm) < 0)
		return -1;
	cm->d.sec = cm->sec;
	cm->d.has_sec = 1;
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
		app_status(a, TUI_NORMAL, _("saved as draft '%s'"),
		    cm->d.subject != NULL ? cm->d.subject : _("(no subject)"));
	if (e == ERR_OK)
		cm->dirty = 0;
	free(why);
	return e == ERR_OK ? 0 : -1;
}

/* The draft of a composition that was sent or thrown away goes. */
void
compose_drop_draft(struct app *a, struct compose *cm)
{
	remove_draft(a, cm->draft_dir, cm->d.id);
}

void
compose_close(struct app *a, struct compose *cm)
{
	screen_close(a, &cm->s);
	folders_reload(a);
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


static void
compose_draw(struct app *a, struct screen *s)
{
	struct compose *cm = (struct compose *)s;
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
	draw_field(7, _("Security:"), compose_security_words(&cm->sec));
	for (y = 8; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	/* The attachments, the marked one first in the eye. */
	for (i = 0, y = 8; i < d->natt && y < rows - 3 - ph; i++, y++) {
		char info[256];
		int x;

		x = tui_str(y, 1, 3, i == cm->sel ? ">" : " ", TUI_LABEL);
		(void)snprintf(info, sizeof(info), "[%zu] ", i + 1);
		x += tui_str(y, 1 + x, 8, info, TUI_NORMAL);
		x += tui_str(y, 1 + x, tui_cols() - 30 - x, compose_att_name(&d->att[i]),
		    i == cm->sel ? TUI_SELECTED : TUI_NORMAL);
		(void)snprintf(info, sizeof(info), "  (%s, %s)%s%s%s",
		    d->att[i].message ? "message/rfc822" : d->att[i].type !=
		    NULL ? d->att[i].type : _("type from the name"),
		    d->att[i].disp_inline ? _("inline") : _("attachment"),
		    d->att[i].desc != NULL ? " \"" : "", d->att[i].desc != NULL ?
		    d->att[i].desc : "", d->att[i].desc != NULL ? "\"" : "");
		(void)tui_str(y, 1 + x, tui_cols() - 2 - x, info, TUI_INFO);
	}
	{
		char hs[256], rule[320];

		/* The HTML alternative's state, when there is one. */
		(void)snprintf(rule, sizeof(rule), _("-- text --  %s"),
		    compose_html_state(cm, hs, sizeof(hs)));
		(void)tui_str(y, 1, tui_cols() - 2, d->has_html ? rule :
		    _("-- text --"), TUI_INFO);
	}
	top = y + 1;
	if (!cm->shown_ok)
		compose_shown_load(cm);
	/* Each line of the text, empty ones too. */
	for (y = top, line = cm->shown.data; line != NULL && *line != '\0' &&
	    y < rows - 2 - ph; y++) {
		end = strchr(line, '\n');
		(void)tui_body(y, 1, tui_cols() - 2, line, end != NULL ?
		    (size_t)(end - line) : strlen(line), TUI_NORMAL);
		line = end != NULL ? end + 1 : NULL;
	}
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, s, sending_busy(a) ? _("Compose (a send is in progress: "
	    "C-g stops it)") : _("Compose"));
}

/* --- keys ------------------------------------------------------------------------- */

/* A header field typed: the old value stays when the user cancelled. */
static void
field_given(struct app *a, void *arg, char *v)
{
	struct compose *cm = compose_find(a);
	char **field;

	(void)arg;
	if (v == NULL || cm == NULL || (field = cm->editing) == NULL) {
		free(v);
		return;
	}
	cm->editing = NULL;
	if (*field == NULL || strcmp(*field, v) != 0)
		compose_changed(cm);
	free(*field);
	*field = *v != '\0' ? v : NULL;
	if (*v == '\0')
		free(v);
}

static void
edit_field(struct app *a, struct compose *cm, char **field, const char *label,
    int addrs)
{
	cm->editing = field;
	prompt_line(a, label, *field, addrs ? compose_complete_addr : NULL, field_given,
	    NULL);
}

/* q: abort, asking whether to keep a draft. */
static void
abort_answered(struct app *a, void *arg, int r)
{
	struct compose *cm = compose_find(a);

	(void)arg;
	if (cm == NULL || r < 0)
		return;
	if (r == 1 && compose_postpone(a, cm, 0) < 0)
		return;
	if (r == 0) {
		compose_drop_draft(a, cm);
		app_status(a, TUI_NORMAL, _("message discarded"));
	}
	compose_close(a, cm);
}

static int
compose_act(struct app *a, struct screen *s, int action, int key)
{
	struct compose *cm = (struct compose *)s;

	(void)key;
	switch (action) {
	case C_TO:
		edit_field(a, cm, &cm->d.to, _("To: "), 1);
		return 1;
	case C_CC:
		edit_field(a, cm, &cm->d.cc, _("Cc: "), 1);
		return 1;
	case C_BCC:
		edit_field(a, cm, &cm->d.bcc, _("Bcc: "), 1);
		return 1;
	case C_SUBJECT:
		edit_field(a, cm, &cm->d.subject, _("Subject: "), 0);
		return 1;
	case C_REPLY_TO:
		edit_field(a, cm, &cm->d.reply_to, _("Reply-To: "), 1);
		return 1;
	case C_FROM_ACCOUNT:
		compose_choose_account(a);
		return 1;
	case C_EDIT:
	case C_EDIT_HEADERS:
		if (compose_text_load(a, cm) == 0)
			compose_edit(a, cm, action == C_EDIT_HEADERS);
		return 1;
	case C_ATTACH:
	case C_DETACH:
	case C_TYPE:
	case C_DISPOSITION:
	case C_RENAME:
	case C_DESCRIBE:
	case C_NEXT_ATT:
	case C_PREV_ATT:
	case C_MOVE_DOWN:
	case C_MOVE_UP:
		return compose_att_act(a, cm, action);
	case C_HTML:
	case C_NO_HTML:
		return compose_html_act(a, cm, action);
	case C_PREVIEW:
		compose_preview(a, cm);
		return 1;
	case C_SECURITY:
		compose_security_next(a, cm);
		return 1;
	case C_SEND:
		cm->at = 0;
		compose_send(a, cm);
		return 1;
	case C_SEND_LATER:
		compose_send_later(a, cm);
		return 1;
	case C_POSTPONE:
		if (compose_postpone(a, cm, 0) == 0)
			compose_close(a, cm);
		return 1;
	case C_ABORT:
		prompt_yesno(a, _("Abort this message. Keep it as a draft? "
		    "(y/n) "), 1, abort_answered, NULL);
		return 1;
	default:
		return 0;
	}
}

/* The autosave, a few seconds after the last change. */
static int
compose_tick(struct app *a, struct screen *s)
{
	struct compose *cm = (struct compose *)s;

	/* Not while the editor has the file: it is saved when it is back. */
	if (!cm->dirty || a->child != 0)
		return cm->dirty ? AUTOSAVE_MS : -1;
	/* Failed (a full disk, say): the next try after as long again. */
	return compose_postpone(a, cm, 1) < 0 ? AUTOSAVE_MS : -1;
}

/* SIGHUP or SIGTERM: a draft of it; without one (a full disk) the text file stays. */
static void
compose_stopped(struct app *a, struct screen *s)
{
	struct compose *cm = (struct compose *)s;

	if (compose_postpone(a, cm, 0) < 0) {
		free(cm->body_path);
		cm->body_path = NULL;
	}
}
