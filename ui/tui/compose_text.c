/* compose_text.c - the composer's text: its file, the user's editor (with the header fields on request), the preview. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "charset.h"
#include "compose.h"
#include "editor.h"
#include "i18n.h"
#include "msg.h"
#include "rfc822.h"
#include "runcmd.h"
#include "util.h"

/* Autosave this long after the last change. */
#define AUTOSAVE_MS 3000

/* The draft's text into the file, in the locale's charset when that holds it all. */
int
compose_text_save(struct compose *cm)
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
int
compose_text_load(struct app *a, struct compose *cm)
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
void
compose_shown_load(struct compose *cm)
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


/* The composition changed: autosave it soon. */
void
compose_changed(struct compose *cm)
{
	cm->dirty = 1;
	screen_tick_in(&cm->s, AUTOSAVE_MS);
}

/* --- the editor ------------------------------------------------------------ */

/* The header fields E puts above the text, in this order. */
static const char *const edit_fields[] = {
	"From", "To", "Cc", "Bcc", "Reply-To", "Subject",
};

static char **
field_of(struct compose *cm, size_t i)
{
	char **v[] = { &cm->d.from, &cm->d.to, &cm->d.cc, &cm->d.bcc,
	    &cm->d.reply_to, &cm->d.subject };

	return v[i];
}

/* E: the header fields, a blank line and the text into the file. */
static int
headers_to_file(struct compose *cm)
{
	struct buf all, saved;
	size_t i;
	char **f;
	int r;

	buf_init(&all, BODY_MAX + 64 * 1024);
	for (i = 0; i < sizeof(edit_fields) / sizeof(edit_fields[0]); i++) {
		f = field_of(cm, i);
		(void)buf_printf(&all, "%s: %s\n", edit_fields[i], *f != NULL ?
		    *f : "");
	}
	(void)buf_addch(&all, '\n');
	(void)buf_add(&all, buf_str(&cm->d.text), cm->d.text.len);
	/* The file gets both; the draft's text stays the text alone. */
	saved = cm->d.text;
	cm->d.text = all;
	r = compose_text_save(cm);
	all = cm->d.text;
	cm->d.text = saved;
	buf_free(&all);
	return r;
}

/*
 * After E: the fields back from the head of the text (an empty one is
 * no field), the rest is the text.  A text without a header block (the
 * user deleted it) is taken whole.
 */
static void
headers_from_text(struct compose *cm)
{
	const char *p = buf_str(&cm->d.text), *end;
	size_t n = cm->d.text.len, i, head;
	char *v;
	struct buf rest;

	end = strstr(p, "\n\n");
	if (end == NULL || strncmp(p, "From:", 5) != 0)
		return;
	head = (size_t)(end - p) + 1;
	for (i = 0; i < sizeof(edit_fields) / sizeof(edit_fields[0]); i++) {
		v = rfc822_get_text(p, head, edit_fields[i]);
		free(*field_of(cm, i));
		*field_of(cm, i) = v != NULL && *v != '\0' ? v : NULL;
		if (v != NULL && *v == '\0')
			free(v);
	}
	buf_init(&rest, BODY_MAX);
	(void)buf_add(&rest, p + head + 1, n - head - 1);
	buf_reset(&cm->d.text);
	(void)buf_add(&cm->d.text, buf_str(&rest), rest.len);
	buf_free(&rest);
}

/* The editor is done with the file: it is the text now. */
static void
edited(struct app *a, struct compose *cm, int ok)
{
	if (cm->with_headers) {
		cm->with_headers = 0;
		if (ok && compose_text_load(a, cm) == 0) {
			headers_from_text(cm);
			(void)compose_text_save(cm);
		}
	}
	cm->shown_ok = 0;
	compose_changed(cm);
	if (ok)
		compose_html_edited(a, cm);
}

static void
child_done(struct app *a, void *arg, int st)
{
	struct compose *cm = compose_find(a);

	(void)arg;
	if (cm == NULL)
		return;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		app_status(a, TUI_ERROR, _("the editor failed; the text is "
		    "kept"));
	edited(a, cm, WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
builtin_done(struct app *a, void *arg, int r)
{
	struct compose *cm = compose_find(a);

	(void)arg;
	if (cm == NULL)
		return;
	if (r < 0)
		app_status(a, TUI_ERROR, _("cannot keep the text in %s: %s"),
		    cm->body_path, strerror(errno));
	edited(a, cm, r == 0);
}

/*
 * $VISUAL, else $EDITOR, else the built-in one.  As mutt does: the
 * editor setting is a shell command ("vim -c x" works), the file its
 * argument -- passed as "$1", so a file name is never read as shell
 * code.  It gets the terminal while the loop goes on (a send in the
 * background keeps going); the screen comes back when it exits.
 */
void
compose_edit(struct app *a, struct compose *cm, int with_headers)
{
	const char *ed = getenv("VISUAL");
	char *cmd;
	pid_t pid;
	int r;

	if (with_headers && headers_to_file(cm) < 0) {
		app_status(a, TUI_ERROR, _("cannot write the text: %s"),
		    strerror(errno));
		return;
	}
	cm->with_headers = with_headers;
	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0') {
		if (editor_open(a, cm->body_path, _("The text (no $VISUAL or "
		    "$EDITOR: pigeon's own editor)"), builtin_done, NULL) < 0)
			app_status(a, TUI_ERROR, _("cannot read the text: %s"),
			    strerror(errno));
		return;
	}
	if ((cmd = util_strf("%s \"$1\"", ed)) == NULL)
		return;
	tui_suspend();
	r = runcmd_sh(&pid, cmd, cm->body_path, -1, -1);
	free(cmd);
	if (r != 0) {
		tui_resume();
		app_status(a, TUI_ERROR, _("the editor (%s) cannot be started: "
		    "%s"), ed, strerror(r));
		cm->with_headers = 0;
		return;
	}
	loop_child(a, pid, child_done, NULL);
}

/* p: the exact message as it would go out (without Bcc), in the pager. */
void
compose_preview(struct app *a, struct compose *cm)
{
	struct draft_built b;
	struct mime_result mr;
	struct buf text;
	char *why = NULL;
	enum err e;
	int fd;

	if (compose_text_load(a, cm) < 0)
		return;
	if ((e = draft_build(&cm->d, a->c.acct, a->aliases, DRAFT_SEND, &b,
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
	    lseek(fd, 0, SEEK_SET) < 0 || buf_read_fd(&text, fd) < 0) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why :
		    strerror(errno));
		buf_free(&text);
	} else {
		(void)pager_push(a, _("Preview: the message as it will be sent"),
		    &text);
	}
	(void)close(fd);
	free(why);
	draft_built_free(&b);
}

