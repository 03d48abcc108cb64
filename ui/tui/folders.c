/* folders.c - the folders screen of the interactive UI: drafts, outbox, sent, failed; reading a filed message. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "accounts.h"
#include "app.h"
#include "buf.h"
#include "charset.h"
#include "i18n.h"
#include "mimewalk.h"
#include "rfc822.h"

#define HEAD_READ 8192       /* bytes of a message read for its list line */
#define VIEW_MAX (64 * 1024 * 1024)

static const char *const folder_label[] = {
	N_("drafts"), N_("outbox"), N_("sent"), N_("failed"),
};

void
folders_free(struct app *a)
{
	size_t i;

	for (i = 0; i < a->nlist; i++) {
		free(a->list[i].id);
		free(a->list[i].who);
		free(a->list[i].subject);
	}
	free(a->list);
	a->list = NULL;
	a->nlist = 0;
	for (i = 1; i < a->ndrafts; i++)
		outbox_drafts_close(a->ob, a->drafts[i]);
	free(a->drafts);
	a->drafts = NULL;
	a->ndrafts = 0;
}

static void list_line(struct maildir *md, struct folder_line *l);

/*
 * a->drafts: pigeon's drafts/ first, then the folder of each account
 * that has its own (each once); one that cannot be opened is left out.
 */
static void
open_drafts(struct app *a)
{
	const struct conf *c = a->c.conf;
	struct maildir *md;
	size_t i, j, n = c != NULL ? c->naccounts : 0;

	if ((a->drafts = calloc(n + 1, sizeof(*a->drafts))) == NULL)
		return;
	a->drafts[a->ndrafts++] = outbox_folder(a->ob, OUTBOX_DRAFTS);
	for (i = 0; i < n; i++) {
		if (c->accounts[i].drafts == NULL || outbox_drafts_open(a->ob,
		    &c->accounts[i], &md, NULL) != ERR_OK)
			continue;
		for (j = 0; j < a->ndrafts; j++)
			if (strcmp(maildir_path(a->drafts[j]),
			    maildir_path(md)) == 0)
				break;
		if (j < a->ndrafts)
			outbox_drafts_close(a->ob, md);
		else
			a->drafts[a->ndrafts++] = md;
	}
}

/* The newest first by name (a Maildir name starts with its time). */
static int
newest_first(const void *x, const void *y)
{
	const struct folder_line *l = x, *r = y;

	return strcmp(r->id, l->id);
}

/* Every drafts folder's messages in one list, the newest first; their count. */
static size_t
list_drafts(struct app *a, int keep)
{
	struct folder_line *v = NULL, *nv;
	char **names, **warn;
	size_t n, nw, i, d, total = 0;

	for (d = 0; d < a->ndrafts; d++) {
		names = warn = NULL;
		n = nw = 0;
		if (maildir_list(a->drafts[d], &names, &n, &warn, &nw, NULL) !=
		    ERR_OK)
			continue;
		maildir_free_list(warn, nw);
		if (keep && n > 0 && (nv = realloc(v, (total + n + 1) *
		    sizeof(*v))) != NULL) {
			v = nv;
			for (i = 0; i < n; i++) {
				memset(&v[total + i], 0, sizeof(*v));
				v[total + i].id = names[i];
				v[total + i].md = a->drafts[d];
				names[i] = NULL;
			}
		} else if (keep && n > 0) {
			maildir_free_list(names, n);
			continue;
		}
		total += n;
		maildir_free_list(names, n);
	}
	if (!keep)
		return total;
	if (v == NULL && (v = calloc(1, sizeof(*v))) == NULL)
		return total;
	qsort(v, total, sizeof(*v), newest_first);
	for (i = LIST_MAX; i < total; i++)
		free(v[i].id);
	a->list = v;
	a->nlist = total > LIST_MAX ? LIST_MAX : total;
	for (i = 0; i < a->nlist; i++)
		list_line(v[i].md, &v[i]);
	return total;
}

/* The header fields of a message for its list line, read with the reader's header functions. */
static void
list_line(struct maildir *md, struct folder_line *l)
{
	char head[HEAD_READ];
	ssize_t r;
	int fd;

	if (maildir_open_msg(md, l->id, &fd, NULL) != ERR_OK)
		return;
	r = read(fd, head, sizeof(head));
	(void)close(fd);
	if (r <= 0)
		return;
	/* Every folder here holds our own mail: who it is to. */
	l->who = rfc822_get_text(head, (size_t)r, "To");
	l->subject = rfc822_get_text(head, (size_t)r, "Subject");
}

void
folders_load(struct app *a)
{
	struct maildir *md;
	char **names = NULL, **warn = NULL;
	size_t n = 0, nw = 0, i, first;
	int f;

	folders_free(a);
	a->cursor = 0;
	open_drafts(a);
	a->count[OUTBOX_DRAFTS] = list_drafts(a, a->folder == OUTBOX_DRAFTS);
	for (f = 0; f < 4; f++) {
		if (f == OUTBOX_DRAFTS)
			continue;
		md = outbox_folder(a->ob, (enum outbox_folder)f);
		if (maildir_list(md, &names, &n, &warn, &nw, NULL) != ERR_OK)
			continue;
		maildir_free_list(warn, nw);
		a->count[f] = n;
		if (f != a->folder) {
			maildir_free_list(names, n);
			continue;
		}
		/* The newest first, at most LIST_MAX of them. */
		first = n > LIST_MAX ? n - LIST_MAX : 0;
		if ((a->list = calloc(n - first + 1, sizeof(*a->list))) ==
		    NULL) {
			maildir_free_list(names, n);
			continue;
		}
		for (i = n; i > first; i--) {
			a->list[a->nlist].md = md;
			a->list[a->nlist].id = names[i - 1];
			names[i - 1] = NULL;
			list_line(md, &a->list[a->nlist++]);
		}
		maildir_free_list(names, n);
	}
}

void
folders_draw(const struct app *a)
{
	char title[512], line[128];
	int rows = tui_rows(), ph = pane_height(a), y, f, x;
	size_t i;

	(void)snprintf(title, sizeof(title), _("pigeon %s  account %s  %s"),
	    VERSION, a->c.acct != NULL ? a->c.acct->name : "-",
	    a->c.acct != NULL && a->c.acct->from != NULL ? a->c.acct->from :
	    "");
	for (y = 1; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	x = 1;
	for (f = 0; f < 4; f++) {
		(void)snprintf(line, sizeof(line), " %s (%zu) ",
		    _(folder_label[f]), a->count[f]);
		x += tui_str(1, x, tui_cols() - x, line, f == a->folder ?
		    TUI_SELECTED : TUI_NORMAL) + 1;
	}
	y = 3;
	/* Keep the cursor line in view. */
	i = a->cursor >= (size_t)(rows - 5 - ph) && rows - 5 - ph > 0 ?
	    a->cursor - (size_t)(rows - 6 - ph) : 0;
	for (; i < a->nlist && y < rows - 2 - ph; i++, y++) {
		enum tui_attr at = i == a->cursor ? TUI_SELECTED : TUI_NORMAL;

		if (i == a->cursor)
			tui_clear_line(y, TUI_SELECTED);
		(void)tui_str(y, 1, 30, a->list[i].who != NULL ?
		    a->list[i].who : "", at);
		(void)tui_str(y, 33, tui_cols() - 34, a->list[i].subject !=
		    NULL ? a->list[i].subject : _("(no subject)"), at);
	}
	if (a->nlist == 0 && y < rows - 2 - ph)
		(void)tui_str(y, 1, tui_cols() - 2, _("(no messages)"),
		    TUI_INFO);
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, title, _("m:compose  R:resume draft  Tab:folder  "
	    "j/k:message  Enter:open  ?:help  q:quit"));
}

/* --- reading a message ---------------------------------------------------- */

/* A message as a person reads it, put together by the reader's callbacks. */
struct view {
	struct buf out;            /* header fields, then the text */
	struct buf att;            /* a line per other part */
	struct buf raw;            /* the text part's bytes, in its charset */
	char *charset;
	int have_text, in_text;
	size_t size;               /* of the part being counted */
};

static enum mimewalk_want
view_begin(void *arg, const struct mimewalk_part *p)
{
	static const char *const shown[] = {
		"Date", "From", "To", "Cc", "Bcc", "Reply-To", "Subject",
	};
	struct view *v = arg;
	size_t i;
	char *f;

	if (p->depth == 0) {
		for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			if ((f = rfc822_get_text(p->header, p->headerlen,
			    shown[i])) != NULL) {
				(void)buf_printf(&v->out, "%s: %s\n", shown[i],
				    f);
				free(f);
			}
		(void)buf_addch(&v->out, '\n');
	}
	if (p->multipart)
		return MIMEWALK_RAW;
	v->size = 0;
	v->in_text = !v->have_text && strcmp(p->type, "text/plain") == 0 &&
	    !p->attachment;
	if (v->in_text) {
		v->have_text = 1;
		free(v->charset);
		v->charset = p->charset != NULL ? strdup(p->charset) : NULL;
	}
	return MIMEWALK_DECODE;
}

static int
view_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct view *v = arg;

	(void)p;
	v->size += n;
	if (v->in_text)
		(void)buf_add(&v->raw, b, n);
	return 0;
}

static void
view_end(void *arg, const struct mimewalk_part *p)
{
	struct view *v = arg;

	if (p->multipart)
		return;
	if (!v->in_text) {
		(void)buf_printf(&v->att, _("[attachment: %s, %s, %zu bytes]\n"),
		    p->name != NULL ? p->name : "-", p->type, v->size);
		return;
	}
	/* In UTF-8: its own charset, else as it is (shown escaped where bad). */
	if (v->charset == NULL || charset_to_utf8(&v->out, buf_str(&v->raw),
	    v->raw.len, v->charset, NULL) != ERR_OK)
		(void)buf_add(&v->out, buf_str(&v->raw), v->raw.len);
	v->in_text = 0;
}

static void
collect(void *arg, const char *p, size_t n)
{
	(void)buf_add(arg, p, n);
}

/*
 * Enter: the message under the cursor as a person reads it (header fields
 * decoded, its text, a line per attachment, what was wrong with it); H:
 * as it is filed.  Then every transcript of it.  Both in the pager.
 */
static void
open_message(struct app *a, int raw)
{
	static const struct mimewalk_ops ops = { view_begin, view_data,
	    view_end, NULL };
	struct maildir *md;
	struct view v;
	char *why = NULL;
	unsigned flaws = 0;
	size_t n = 0;
	int fd;

	if (a->cursor >= a->nlist)
		return;
	md = a->list[a->cursor].md;
	memset(&v, 0, sizeof(v));
	buf_init(&v.out, VIEW_MAX);
	buf_init(&v.att, 1024 * 1024);
	buf_init(&v.raw, VIEW_MAX);
	if (maildir_open_msg(md, a->list[a->cursor].id, &fd, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
		goto out;
	}
	if (raw) {
		if (buf_read_fd(&v.out, fd) < 0 && errno != E2BIG)
			app_status(a, TUI_ERROR, _("cannot read %s: %s"),
			    a->list[a->cursor].id, strerror(errno));
	} else if (mimewalk_fd(fd, &ops, &v, &flaws, &why) != ERR_OK) {
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : "?");
	}
	(void)close(fd);
	if (v.att.len > 0) {
		(void)buf_addch(&v.out, '\n');
		(void)buf_add(&v.out, buf_str(&v.att), v.att.len);
	}
	if (flaws != 0) {
		(void)buf_addstr(&v.out, _("\n-- shown as well as it could be "
		    "--\n"));
		(void)mimewalk_flaws_text(&v.out, flaws, "\n");
	}
	(void)buf_addstr(&v.out, _("\n-- transcript --\n"));
	if (qlog_history(outbox_logs(a->ob), a->list[a->cursor].id, collect,
	    &v.out, &n, NULL) != ERR_OK || n == 0)
		(void)buf_addstr(&v.out, _("(none)\n"));
	pager(a, a->list[a->cursor].id, buf_str(&v.out), v.out.len);
out:
	buf_free(&v.out);
	buf_free(&v.att);
	buf_free(&v.raw);
	free(v.charset);
	free(why);
}

/* --- acting on a message -------------------------------------------------- */

/* d on a message: delete it, after asking; a queued one with its envelope. */
static void
delete_message(struct app *a)
{
	const char *id;
	char q[256], *why = NULL;
	int held = 0;
	enum err e;

	if (a->cursor >= a->nlist)
		return;
	id = a->list[a->cursor].id;
	(void)snprintf(q, sizeof(q), _("Delete %s? (y/n) "), id);
	if (tui_yesno(tui_rows() - 1, q, 0) != 1)
		return;
	switch (a->folder) {
	case OUTBOX_DRAFTS:
	case OUTBOX_SENT:
		e = maildir_remove(a->list[a->cursor].md, id, &why);
		break;
	default:
		/* Not while another pigeon sends it. */
		if ((e = outbox_lock(a->ob, id, &held, &why)) == ERR_OK &&
		    !held) {
			app_status(a, TUI_ERROR, _("%s is being sent right now"),
			    id);
			return;
		}
		if (e == ERR_OK) {
			e = outbox_remove(a->ob, id, &why);
			outbox_unlock(a->ob, id);
		}
		break;
	}
	if (e != ERR_OK)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	else
		app_status(a, TUI_NORMAL, _("%s deleted"), id);
	free(why);
	folders_load(a);
}

/* R: the draft under the cursor (in drafts), else the newest one, back on the compose screen. */
static void
resume(struct app *a)
{
	struct maildir *md = NULL;
	char **ids, **warn, *id = NULL;
	size_t n, nw, d;

	if (a->folder == OUTBOX_DRAFTS && a->cursor < a->nlist) {
		id = strdup(a->list[a->cursor].id);
		md = a->list[a->cursor].md;
	} else {
		/* The newest of every drafts folder. */
		for (d = 0; d < a->ndrafts; d++) {
			ids = warn = NULL;
			n = nw = 0;
			if (maildir_list(a->drafts[d], &ids, &n, &warn, &nw,
			    NULL) == ERR_OK && n > 0 && (id == NULL ||
			    strcmp(ids[n - 1], id) > 0)) {
				free(id);
				id = ids[n - 1];
				ids[n - 1] = NULL;
				md = a->drafts[d];
			}
			maildir_free_list(ids, n);
			maildir_free_list(warn, nw);
		}
	}
	if (id == NULL) {
		app_status(a, TUI_NORMAL, _("no drafts"));
		return;
	}
	compose_open(a, OUTBOX_DRAFTS, md, id);
	free(id);
}

static void
accounts(struct app *a)
{
	switch (ui_accounts(a->c.config_path, a->c.acct != NULL ?
	    a->c.acct->name : NULL)) {
	case -1:
		app_stopped(a);
		break;
	case 1:
		app_status(a, TUI_NORMAL, _("accounts saved; a change to the "
		    "account in use counts from the next start"));
		break;
	default:
		break;
	}
}

/* q: when mail waits in the outbox, the user is told and asked. */
static void
quit(struct app *a)
{
	char **ids = NULL, q[256];
	size_t n = 0;

	if (sending_busy(a)) {
		app_status(a, TUI_ERROR, _("a message is being sent; C-g stops "
		    "it"));
		return;
	}
	if (outbox_due(a->ob, INT64_C(4000000000), &ids, &n, NULL) == ERR_OK &&
	    n > 0) {
		(void)snprintf(q, sizeof(q), P_("%zu message waits in the "
		    "outbox (pigeon queue flush, or the timer, sends it). "
		    "Quit? (y/n) ", "%zu messages wait in the outbox (pigeon "
		    "queue flush, or the timer, sends them). Quit? (y/n) ", n),
		    n);
		maildir_free_list(ids, n);
		if (tui_yesno(tui_rows() - 1, q, 1) != 1)
			return;
	}
	a->quit = 1;
}

void
folders_key(struct app *a, int key)
{
	switch (key) {
	case 'm':
		compose_start(a);
		break;
	case 'R':
		resume(a);
		break;
	case 'e':
		/* A new message made from this one (a draft: that draft). */
		if (a->cursor < a->nlist)
			compose_open(a, (enum outbox_folder)a->folder,
			    a->list[a->cursor].md, a->list[a->cursor].id);
		break;
	case 'd':
		delete_message(a);
		break;
	case 'r':
		if (a->folder == OUTBOX_OUTBOX && a->cursor < a->nlist)
			sending_retry(a, a->list[a->cursor].id);
		break;
	case 'A':
		accounts(a);
		break;
	case '\t':
	case TUI_KEY_RIGHT:
		a->folder = (a->folder + 1) % 4;
		folders_load(a);
		break;
	case TUI_KEY_LEFT:
		a->folder = (a->folder + 3) % 4;
		folders_load(a);
		break;
	case 'j':
	case TUI_KEY_DOWN:
		if (a->cursor + 1 < a->nlist)
			a->cursor++;
		break;
	case 'k':
	case TUI_KEY_UP:
		if (a->cursor > 0)
			a->cursor--;
		break;
	case '\r':
	case '\n':
	case TUI_KEY_ENTER:
		open_message(a, 0);
		break;
	case 'H':
		open_message(a, 1);
		break;
	case '?':
		show_help(a);
		break;
	case 'q':
		quit(a);
		break;
	default:
		(void)pane_key(a, key);
		break;
	}
}
