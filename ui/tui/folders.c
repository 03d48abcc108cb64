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
#include "msglist.h"
#include "rfc822.h"
#include "safefile.h"
#include "util.h"
#include "when.h"


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
	F_REPLY,
	F_GROUP,
	F_FORWARD,
	F_FORWARD_ATT,
};

static const struct keydef folder_keys[] = {
	{ 'm', F_COMPOSE, N_("compose"), N_("compose a new message") },
	{ 'R', F_RESUME, N_("resume draft"), N_("resume a draft (the one "
	    "under the cursor in drafts, else the newest)") },
	{ '\t', F_NEXT_FOLDER, N_("folder"), N_("next folder") },
	{ TUI_KEY_RIGHT, 0, NULL, NULL },
	{ TUI_KEY_LEFT, F_PREV_FOLDER, NULL, N_("previous folder") },
	{ '\r', F_OPEN, N_("view"), N_("read the message, with its "
	    "transcripts") },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ 'H', F_RAW, NULL, N_("the message as it is filed (raw MIME)") },
	{ 'e', F_EDIT, NULL, N_("a new message from this one (a draft: edit "
	    "it)") },
	{ 'd', F_DELETE, NULL, N_("delete the message (asks)") },
	{ 'r', F_RETRY, NULL, N_("send a queued message now (outbox)") },
	{ 'a', F_REPLY, NULL, N_("reply to the message (r in the "
	    "reader)") },
	{ 'L', F_GROUP, NULL, N_("reply to all: To and Cc, without your "
	    "own addresses") },
	{ 'f', F_FORWARD, NULL, N_("forward the text inline") },
	{ 'F', F_FORWARD_ATT, NULL, N_("forward the whole message as an "
	    "attachment") },
	{ 'A', F_ACCOUNTS, NULL, N_("the accounts: add, edit, delete, "
	    "test") },
	{ 'q', F_QUIT, N_("quit"), N_("quit (asks when mail waits in the "
	    "outbox)") },
	{ 0, 0, NULL, NULL },
};

struct folders {
	struct screen s;
	struct app *a;
	int folder;                /* enum outbox_folder */
	size_t count[4];
	struct msglist ml;
	struct list l;
	struct maildir **drafts;   /* every drafts folder */
	size_t ndrafts;
	int partial;               /* only the newest are listed yet */
};

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

/* A sent message with no To: the envelope says whom it went to. */
static char *
no_to(void *arg, const char *id)
{
	struct folders *f = arg;

	return f->folder == OUTBOX_SENT ? reader_envelope(f->a, id) : NULL;
}

/* A message of the outbox held for later (send later): until when. */
static char *
held_note(void *arg, const char *id)
{
	struct folders *f = arg;
	struct qentry e;
	char when[64], *r = NULL;

	if (f->folder != OUTBOX_OUTBOX || outbox_load(f->a->ob, id, &e,
	    NULL) != ERR_OK)
		return NULL;
	if (e.state == QENTRY_QUEUED && qentry_held(&e, (int64_t)time(NULL))) {
		when_format(e.not_before, when, sizeof(when));
		r = util_strf(_("[held until %s]"), when);
	}
	qentry_free(&e);
	return r;
}

/*
 * The lists again from the disk.  head: the first frame of a big folder
 * may show its newest messages from the cache's first block, the rest
 * read at the next turn of the loop (folders_tick()).
 */
static void
reload(struct app *a, struct folders *f, int head)
{
	char at[256] = "", id[256];
	struct maildir *one;
	size_t d, i, n, total = 0;
	int k;

	/* The cursor stays on its message when it is still there. */
	if (f->l.cur >= f->l.n || msglist_id(&f->ml, f->l.cur, at,
	    sizeof(at)) < 0)
		at[0] = '\0';
	msglist_free(&f->ml);
	drafts_open(f);
	f->partial = 0;
	if (f->folder == OUTBOX_DRAFTS) {
		msglist_load(&f->ml, f->drafts, f->ndrafts);
	} else {
		one = outbox_folder(a->ob, (enum outbox_folder)f->folder);
		if (head && msglist_load_head(&f->ml, one, &total) == 0) {
			f->partial = 1;
			screen_tick_in(&f->s, 0);
		} else {
			msglist_load(&f->ml, &one, 1);
		}
	}
	n = f->ml.n;
	list_resize(&f->l, n);
	for (k = 0; k < 4; k++) {
		if (k == f->folder) {
			f->count[k] = f->partial ? total : n;
			continue;
		}
		if (k != OUTBOX_DRAFTS) {
			f->count[k] = msglist_count(outbox_folder(a->ob,
			    (enum outbox_folder)k), f->ml.cachefd);
			continue;
		}
		for (d = 0, f->count[k] = 0; d < f->ndrafts; d++)
			f->count[k] += msglist_count(f->drafts[d],
			    f->ml.cachefd);
	}
	for (i = 0; at[0] != '\0' && i < n; i++)
		if (msglist_id(&f->ml, i, id, sizeof(id)) == 0 &&
		    strcmp(id, at) == 0) {
			f->l.cur = i;
			break;
		}
	a->redraw = 1;
}

void
folders_reload(struct app *a)
{
	if (a->fl != NULL)
		reload(a, a->fl, 0);
}

/* The rest of a big folder, right after its first frame. */
static int
folders_tick(struct app *a, struct screen *s)
{
	struct folders *f = (struct folders *)s;

	if (f->partial)
		reload(a, f, 0);
	return -1;
}

static void
folders_draw(struct app *a, struct screen *s)
{
	struct folders *f = (struct folders *)s;
	char title[512], line[128], date[32];
	int rows = tui_rows(), ph = pane_height(a), y, k, x, h;
	const struct msglist_fields *c;
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

		c = msglist_fields(&f->ml, i);
		if (i == f->l.cur)
			tui_clear_line(y, TUI_SELECTED);
		msglist_date(&f->ml, i, date, sizeof(date));
		(void)tui_str(y, 1, 12, date, at);
		(void)tui_str(y, 14, 26, c->who != NULL ? c->who : "", at);
		x = 41;
		if (c->note != NULL)
			x += tui_str(y, x, tui_cols() - x - 1, c->note,
			    i == f->l.cur ? at : TUI_INFO) + 1;
		if (x < tui_cols() - 1)
			(void)tui_str_cut(y, x, tui_cols() - x - 1,
			    c->subject != NULL ? c->subject : _("(no subject)"),
			    at);
	}
	if (f->l.n == 0 && y < rows - 2 - ph)
		(void)tui_str(y, 1, tui_cols() - 2, _("(no messages)"),
		    TUI_INFO);
	pane_draw(a, rows - 2 - ph, ph);
	app_bars(a, s, title);
}

/* --- acting on a message -------------------------------------------------- */

/* The message under the cursor: its folder, its unique name into id; NULL: none. */
static struct maildir *
current(struct folders *f, char *id, size_t n)
{
	if (f->l.cur >= f->l.n || msglist_id(&f->ml, f->l.cur, id, n) < 0)
		return NULL;
	return msglist_folder(&f->ml, f->l.cur);
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
	char id[256];
	struct maildir *md = current(f, id, sizeof(id));
	const struct msglist_fields *c;
	struct del *d;
	char *q;

	if (md == NULL || (d = calloc(1, sizeof(*d))) == NULL)
		return;
	c = msglist_fields(&f->ml, f->l.cur);
	d->f = f;
	d->md = md;
	d->id = strdup(id);
	/* Named as the user knows it: its subject, else its id. */
	d->name = strdup(c->subject != NULL ? c->subject : id);
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

	char cur[256];

	if (f->folder == OUTBOX_DRAFTS && (md = current(f, cur,
	    sizeof(cur))) != NULL) {
		compose_open(a, OUTBOX_DRAFTS, md, cur);
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
	msglist_free(&f->ml);
	list_resize(&f->l, 0);
	folders_reload(a);
}

static int
folders_act(struct app *a, struct screen *s, int action, int key)
{
	struct folders *f = (struct folders *)s;
	char id[256];
	struct maildir *md = current(f, id, sizeof(id));

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
		if (md != NULL)
			reader_open(a, md, id, action == F_RAW);
		return 1;
	case F_EDIT:
		/* A new message made from this one (a draft: that draft). */
		if (md != NULL)
			compose_open(a, (enum outbox_folder)f->folder, md, id);
		return 1;
	case F_DELETE:
		delete_message(a, f);
		return 1;
	case F_RETRY:
		if (f->folder == OUTBOX_OUTBOX && md != NULL)
			sending_retry(a, id);
		return 1;
	case F_REPLY:
	case F_GROUP:
	case F_FORWARD:
	case F_FORWARD_ATT:
		if (md != NULL)
			compose_reply(a, md, id, action == F_REPLY ?
			    REPLY_SENDER : action == F_GROUP ? REPLY_GROUP :
			    action == F_FORWARD ? REPLY_FORWARD_INLINE :
			    REPLY_FORWARD_ATTACH);
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

	msglist_free(&f->ml);
	drafts_close(f);
	list_free(&f->l);
	if (f->ml.cachefd >= 0)
		(void)close(f->ml.cachefd);
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
	const struct msglist_fields *c = msglist_fields(&f->ml, i);
	char date[32];

	msglist_date(&f->ml, i, date, sizeof(date));
	(void)buf_printf(scratch, "%s %s %s", date, c->who != NULL ? c->who :
	    "", c->subject != NULL ? c->subject : "");
	return buf_str(scratch);
}

static const struct screen_ops folders_ops = {
	.title = N_("Folders"),
	.keys = folder_keys,
	.draw = folders_draw,
	.act = folders_act,
	.free = folders_free,
	.tick = folders_tick,
	.list = folders_list,
	.line = folders_line,
};

int
folders_open(struct app *a)
{
	struct folders *f = calloc(1, sizeof(*f));
	enum err e;

	if (f == NULL)
		return -1;
	f->s.ops = &folders_ops;
	f->a = a;
	f->folder = OUTBOX_SENT;
	f->ml.no_to = no_to;
	f->ml.note = held_note;
	f->ml.arg = f;
	/* Big folders start from a list kept in the state directory. */
	f->ml.cachefd = safefile_dir(AT_FDCWD, outbox_state_dir(a->ob),
	    outbox_state_dir(a->ob), 0, NULL, &e, NULL);
	if (f->ml.cachefd >= 0) {
		int dir = f->ml.cachefd;

		f->ml.cachefd = safefile_dir(dir, "cache", "cache", 1, NULL, &e,
		    NULL);
		(void)close(dir);
	}
	a->fl = f;
	screen_push(a, &f->s);
	reload(a, f, 1);
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
