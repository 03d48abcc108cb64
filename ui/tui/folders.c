/* folders.c - the folders screen of the interactive UI: drafts, outbox, sent, failed, each a list read lazily; acting on a message. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "i18n.h"
#include "rfc822.h"
#include "util.h"

#define HEAD_READ 8192       /* bytes of a message read for its list line */

static const char *const folder_label[] = {
	N_("drafts"), N_("outbox"), N_("sent"), N_("failed"),
};

enum {
	F_COMPOSE = 1,
	F_RESUME,
	F_NEXT_FOLDER,
	F_PREV_FOLDER,
	F_OPEN,
	F_RAW,
	F_EDIT,
	F_DELETE,
	F_RETRY,
	F_ACCOUNTS,
	F_QUIT,
};

static const struct keydef folder_keys[] = {
	{ 'm', F_COMPOSE, N_("compose"), N_("compose a new message") },
	{ 'R', F_RESUME, N_("resume draft"), N_("resume a draft (the one "
	    "under the cursor in drafts, else the newest)") },
	{ '\t', F_NEXT_FOLDER, N_("folder"), N_("next folder") },
	{ TUI_KEY_RIGHT, 0, NULL, NULL },
	{ TUI_KEY_LEFT, F_PREV_FOLDER, NULL, N_("previous folder") },
	{ '\r', F_OPEN, N_("open"), N_("read the message, with its "
	    "transcripts") },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ 'H', F_RAW, NULL, N_("the message as it is filed (raw MIME)") },
	{ 'e', F_EDIT, NULL, N_("a new message from this one (a draft: edit "
	    "it)") },
	{ 'd', F_DELETE, NULL, N_("delete the message (asks)") },
	{ 'r', F_RETRY, NULL, N_("send a queued message now (outbox)") },
	{ 'A', F_ACCOUNTS, NULL, N_("the accounts: add, edit, delete, "
	    "test") },
	{ 'q', F_QUIT, N_("quit"), N_("quit (asks when mail waits in the "
	    "outbox)") },
	{ 0, 0, NULL, NULL },
};

/* A message of the list; its header fields are read when it is first shown. */
struct entry {
	char *id;
	struct maildir *md;        /* the folder it is in */
	char *who, *subject;
	int read;                  /* who and subject are read */
};

struct folders {
	struct screen s;
	struct app *a;
	int folder;                /* enum outbox_folder */
	size_t count[4];
	struct entry *v;
	struct list l;
	struct maildir **drafts;   /* every drafts folder */
	size_t ndrafts;
};

static void
entries_free(struct folders *f)
{
	size_t i;

	for (i = 0; i < f->l.n; i++) {
		free(f->v[i].id);
		free(f->v[i].who);
		free(f->v[i].subject);
	}
	free(f->v);
	f->v = NULL;
	list_resize(&f->l, 0);
}

static void
drafts_close(struct folders *f)
{
	size_t i;

	for (i = 1; i < f->ndrafts; i++)
		outbox_drafts_close(f->a->ob, f->drafts[i]);
	free(f->drafts);
	f->drafts = NULL;
	f->ndrafts = 0;
}

/* f->drafts: pigeon's drafts/ first, then each account's own folder (each once). */
static void
drafts_open(struct folders *f)
{
	const struct conf *c = f->a->c.conf;
	struct maildir *md;
	size_t i, j, n = c != NULL ? c->naccounts : 0;

	drafts_close(f);
	if ((f->drafts = calloc(n + 1, sizeof(*f->drafts))) == NULL)
		return;
	f->drafts[f->ndrafts++] = outbox_folder(f->a->ob, OUTBOX_DRAFTS);
	for (i = 0; i < n; i++) {
		if (c->accounts[i].drafts == NULL || outbox_drafts_open(f->a->ob,
		    &c->accounts[i], &md, NULL) != ERR_OK)
			continue;
		for (j = 0; j < f->ndrafts; j++)
			if (strcmp(maildir_path(f->drafts[j]),
			    maildir_path(md)) == 0)
				break;
		if (j < f->ndrafts)
			outbox_drafts_close(f->a->ob, md);
		else
			f->drafts[f->ndrafts++] = md;
	}
}

struct maildir **
folders_drafts(struct app *a, size_t *n)
{
	*n = a->fl != NULL ? a->fl->ndrafts : 0;
	return a->fl != NULL ? a->fl->drafts : NULL;
}

/* The newest first by name (a Maildir name starts with its time). */
static int
newest_first(const void *x, const void *y)
{
	const struct entry *l = x, *r = y;

	return strcmp(r->id, l->id);
}

/* The names of folder md added to the list (kept: 1) or counted; how many. */
static size_t
add_names(struct folders *f, struct maildir *md, int keep)
{
	char **names = NULL, **warn = NULL;
	size_t n = 0, nw = 0, i;
	struct entry *v;

	if (maildir_list(md, &names, &n, &warn, &nw, NULL) != ERR_OK)
		return 0;
	maildir_free_list(warn, nw);
	if (keep && n > 0 && (v = realloc(f->v, (f->l.n + n) *
	    sizeof(*v))) != NULL) {
		f->v = v;
		for (i = 0; i < n; i++) {
			memset(&v[f->l.n], 0, sizeof(*v));
			v[f->l.n].id = names[i];
			v[f->l.n++].md = md;
			names[i] = NULL;
		}
	}
	maildir_free_list(names, n);
	return n;
}

void
folders_reload(struct app *a)
{
	struct folders *f = a->fl;
	char *at = NULL;
	size_t d, i, n;
	int k;

	if (f == NULL)
		return;
	/* The cursor stays on its message when it is still there. */
	if (f->l.cur < f->l.n && (at = strdup(f->v[f->l.cur].id)) == NULL)
		return;
	entries_free(f);
	drafts_open(f);
	f->count[OUTBOX_DRAFTS] = 0;
	for (d = 0; d < f->ndrafts; d++)
		f->count[OUTBOX_DRAFTS] += add_names(f, f->drafts[d],
		    f->folder == OUTBOX_DRAFTS);
	for (k = 0; k < 4; k++)
		if (k != OUTBOX_DRAFTS)
			f->count[k] = add_names(f, outbox_folder(a->ob,
			    (enum outbox_folder)k), k == f->folder);
	n = f->l.n;
	f->l.n = 0;
	if (f->v != NULL)
		qsort(f->v, n, sizeof(*f->v), newest_first);
	list_resize(&f->l, n);
	for (i = 0; at != NULL && i < n; i++)
		if (strcmp(f->v[i].id, at) == 0)
			f->l.cur = i;
	free(at);
	a->redraw = 1;
}

/* The header fields of entry e, read the first time it is needed. */
static void
entry_read(struct entry *e)
{
	char head[HEAD_READ];
	ssize_t r;
	int fd;

	if (e->read)
		return;
	e->read = 1;
	if (maildir_open_msg(e->md, e->id, &fd, NULL) != ERR_OK)
		return;
	r = read(fd, head, sizeof(head));
	(void)close(fd);
	if (r <= 0)
		return;
	/* Every folder here holds our own mail: who it is to. */
	e->who = rfc822_get_text(head, (size_t)r, "To");
	if (e->who == NULL)
		e->who = rfc822_get_text(head, (size_t)r, "Bcc");
	e->subject = rfc822_get_text(head, (size_t)r, "Subject");
}

/* "Dec 05 14:05" from the time at the start of a Maildir name. */
static void
entry_date(const struct entry *e, char *out, size_t n)
{
	time_t t = (time_t)strtoll(e->id, NULL, 10);
	struct tm tm;

	if (t <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%b %d %H:%M", &tm) == 0)
		(void)snprintf(out, n, "-");
}

static void
folders_draw(struct app *a, struct screen *s)
{
	struct folders *f = (struct folders *)s;
	char title[512], line[128], date[32];
	int rows = tui_rows(), ph = pane_height(a), y, k, x, h;
	struct entry *e;
	size_t i;

	(void)snprintf(title, sizeof(title), _("pigeon %s  account %s  %s"),
	    VERSION, a->c.acct != NULL ? a->c.acct->name : "-",
	    a->c.acct != NULL && a->c.acct->from != NULL ? a->c.acct->from :
	    "");
	for (y = 1; y < rows - 2 - ph; y++)
		tui_clear_line(y, TUI_NORMAL);
	x = 1;
	for (k = 0; k < 4; k++) {
		(void)snprintf(line, sizeof(line), " %s (%zu) ",
		    _(folder_label[k]), f->count[k]);
		x += tui_str(1, x, tui_cols() - x, line, k == f->folder ?
		    TUI_SELECTED : TUI_NORMAL) + 1;
	}
	h = rows - 5 - ph;
	list_fit(&f->l, h > 0 ? (size_t)h : 1);
	for (i = f->l.top, y = 3; i < f->l.n && y < rows - 2 - ph; i++, y++) {
		enum tui_attr at = i == f->l.cur ? TUI_SELECTED : TUI_NORMAL;

		e = &f->v[i];
		entry_read(e);
		if (i == f->l.cur)
			tui_clear_line(y, TUI_SELECTED);
		entry_date(e, date, sizeof(date));
		(void)tui_str(y, 1, 12, date, at);
		(void)tui_str(y, 14, 26, e->who != NULL ? e->who : "", at);
		(void)tui_str_cut(y, 41, tui_cols() - 42, e->subject != NULL ?
		    e->subject : _("(no subject)"), at);
	}
	if (f->l.n == 0 && y < rows - 2 - ph)
		(void)tui_str(y, 1, tui_cols() - 2, _("(no messages)"),
		    TUI_INFO);
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, s, title);
}

/* --- acting on a message -------------------------------------------------- */

static struct entry *
current(struct folders *f)
{
	return f->l.cur < f->l.n ? &f->v[f->l.cur] : NULL;
}

/* A message as the user knows it: its subject, else its id. */
static const char *
shown_name(struct entry *e)
{
	entry_read(e);
	return e->subject != NULL ? e->subject : e->id;
}

struct del {
	struct folders *f;
	char *id;
	char *name;
	struct maildir *md;
};

static void
delete_answered(struct app *a, void *arg, int yes)
{
	struct del *d = arg;
	char *why = NULL;
	int held = 0;
	enum err e = ERR_OK;

	if (yes != 1)
		goto out;
	if (d->f->folder == OUTBOX_DRAFTS || d->f->folder == OUTBOX_SENT) {
		e = maildir_remove(d->md, d->id, &why);
	} else if ((e = outbox_lock(a->ob, d->id, &held, &why)) == ERR_OK) {
		/* Not while another pigeon sends it. */
		if (!held) {
			app_status(a, TUI_ERROR, _("'%s' is being sent right "
			    "now"), d->name);
			goto out;
		}
		e = outbox_remove(a->ob, d->id, &why);
		outbox_unlock(a->ob, d->id);
	}
	if (e != ERR_OK)
		app_status(a, TUI_ERROR, "%s", why != NULL ? why : err_str(e));
	else
		app_status(a, TUI_NORMAL, _("'%s' deleted"), d->name);
	folders_reload(a);
out:
	free(why);
	free(d->id);
	free(d->name);
	free(d);
}

static void
delete_message(struct app *a, struct folders *f)
{
	struct entry *e = current(f);
	struct del *d;
	char *q;

	if (e == NULL || (d = calloc(1, sizeof(*d))) == NULL)
		return;
	d->f = f;
	d->md = e->md;
	d->id = strdup(e->id);
	d->name = strdup(shown_name(e));
	q = util_strf(_("Delete '%s'? (y/n) "), d->name != NULL ? d->name :
	    "?");
	if (d->id == NULL || d->name == NULL || q == NULL) {
		free(q);
		delete_answered(a, d, 0);
		return;
	}
	prompt_yesno(a, q, 0, delete_answered, d);
	free(q);
}

/* R: the draft under the cursor (in drafts), else the newest one, on the compose screen. */
static void
resume(struct app *a, struct folders *f)
{
	struct maildir *md = NULL;
	char **ids, **warn, *id = NULL;
	size_t n, nw, d;

	if (f->folder == OUTBOX_DRAFTS && current(f) != NULL) {
		compose_open(a, OUTBOX_DRAFTS, current(f)->md, current(f)->id);
		return;
	}
	for (d = 0; d < f->ndrafts; d++) {
		ids = warn = NULL;
		n = nw = 0;
		if (maildir_list(f->drafts[d], &ids, &n, &warn, &nw, NULL) ==
		    ERR_OK && n > 0 && (id == NULL || strcmp(ids[n - 1], id) >
		    0)) {
			free(id);
			id = ids[n - 1];
			ids[n - 1] = NULL;
			md = f->drafts[d];
		}
		maildir_free_list(ids, n);
		maildir_free_list(warn, nw);
	}
	if (id == NULL) {
		app_status(a, TUI_NORMAL, _("no drafts"));
		return;
	}
	compose_open(a, OUTBOX_DRAFTS, md, id);
	free(id);
}

static void
quit_answered(struct app *a, void *arg, int yes)
{
	(void)arg;
	if (yes == 1)
		a->quit = 1;
}

/* q: when mail waits in the outbox, the user is told and asked. */
static void
quit(struct app *a)
{
	char **ids = NULL, *q;
	size_t n = 0;

	if (sending_busy(a)) {
		app_status(a, TUI_ERROR, _("a message is being sent; C-g stops "
		    "it"));
		return;
	}
	if (outbox_due(a->ob, INT64_C(4000000000), &ids, &n, NULL) != ERR_OK ||
	    n == 0) {
		a->quit = 1;
		return;
	}
	maildir_free_list(ids, n);
	q = util_strf(P_("%zu message waits in the outbox (pigeon queue "
	    "flush, or the timer, sends it). Quit? (y/n) ", "%zu messages wait "
	    "in the outbox (pigeon queue flush, or the timer, sends them). "
	    "Quit? (y/n) ", n), n);
	if (q != NULL)
		prompt_yesno(a, q, 1, quit_answered, NULL);
	free(q);
}

static void
change_folder(struct app *a, struct folders *f, int k)
{
	f->folder = k;
	f->l.cur = f->l.top = 0;
	entries_free(f);
	folders_reload(a);
}

static int
folders_act(struct app *a, struct screen *s, int action, int key)
{
	struct folders *f = (struct folders *)s;
	struct entry *e = current(f);

	(void)key;
	switch (action) {
	case F_COMPOSE:
		compose_start(a);
		return 1;
	case F_RESUME:
		resume(a, f);
		return 1;
	case F_NEXT_FOLDER:
		change_folder(a, f, (f->folder + 1) % 4);
		return 1;
	case F_PREV_FOLDER:
		change_folder(a, f, (f->folder + 3) % 4);
		return 1;
	case F_OPEN:
	case F_RAW:
		if (e != NULL)
			reader_open(a, e->md, e->id, action == F_RAW);
		return 1;
	case F_EDIT:
		/* A new message made from this one (a draft: that draft). */
		if (e != NULL)
			compose_open(a, (enum outbox_folder)f->folder, e->md,
			    e->id);
		return 1;
	case F_DELETE:
		delete_message(a, f);
		return 1;
	case F_RETRY:
		if (f->folder == OUTBOX_OUTBOX && e != NULL)
			sending_retry(a, e->id);
		return 1;
	case F_ACCOUNTS:
		accounts_open(a);
		return 1;
	case F_QUIT:
		quit(a);
		return 1;
	default:
		return 0;
	}
}

static void
folders_free(struct screen *s)
{
	struct folders *f = (struct folders *)s;

	entries_free(f);
	drafts_close(f);
	list_free(&f->l);
	if (f->a->fl == f)
		f->a->fl = NULL;
	free(f);
}

static struct list *
folders_list(struct screen *s)
{
	return &((struct folders *)s)->l;
}

/* What / looks in: the date, who, the subject. */
static const char *
folders_line(void *s, size_t i, struct buf *scratch)
{
	struct folders *f = s;
	struct entry *e = &f->v[i];
	char date[32];

	entry_read(e);
	entry_date(e, date, sizeof(date));
	(void)buf_printf(scratch, "%s %s %s", date, e->who != NULL ? e->who :
	    "", e->subject != NULL ? e->subject : "");
	return buf_str(scratch);
}

static const struct screen_ops folders_ops = {
	.title = N_("Folders"),
	.keys = folder_keys,
	.draw = folders_draw,
	.act = folders_act,
	.free = folders_free,
	.list = folders_list,
	.line = folders_line,
};

int
folders_open(struct app *a)
{
	struct folders *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->s.ops = &folders_ops;
	f->a = a;
	f->folder = OUTBOX_SENT;
	a->fl = f;
	screen_push(a, &f->s);
	folders_reload(a);
	if (a->account_error != NULL)
		app_status(a, TUI_ERROR, "%s", a->account_error);
	else if (f->count[OUTBOX_DRAFTS] > 0)
		app_status(a, TUI_NORMAL, _("unsent drafts: %zu; R resumes the "
		    "newest"), f->count[OUTBOX_DRAFTS]);
	else
		app_status(a, TUI_NORMAL, _("m: compose a message, ?: all "
		    "keys"));
	return 0;
}
