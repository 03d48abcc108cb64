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
#include "mdindex.h"
#include "rfc822.h"
#include "safefile.h"
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
	{ '\r', F_OPEN, N_("view"), N_("read the message, with its "
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
/* A message of the list: message i of the index of folder src. */
struct entry {
	uint32_t src, i;
};

/*
 * The header fields of the messages shown lately, read when a message
 * is first drawn: a folder of 100,000 messages is never read whole.
 */
#define CACHE_SLOTS 512

struct cached {
	size_t at;                 /* the entry (+1; 0: empty slot) */
	char *who, *subject;
};

struct folders {
	struct screen s;
	struct app *a;
	int folder;                /* enum outbox_folder */
	size_t count[4];
	struct maildir **src;      /* the folders listed (several for drafts) */
	struct mdindex *ix;        /* their messages, newest first */
	size_t nsrc;
	struct entry *v;           /* the list, newest first */
	struct list l;
	struct cached cache[CACHE_SLOTS];
	struct maildir **drafts;   /* every drafts folder */
	size_t ndrafts;
	int cachefd;               /* the state directory's cache/ (-1: none) */
};

static void
cache_clear(struct folders *f)
{
	size_t k;

	for (k = 0; k < CACHE_SLOTS; k++) {
		free(f->cache[k].who);
		free(f->cache[k].subject);
		memset(&f->cache[k], 0, sizeof(f->cache[k]));
	}
}

static void
entries_free(struct folders *f)
{
	size_t k;

	cache_clear(f);
	for (k = 0; k < f->nsrc; k++)
		mdindex_free(&f->ix[k]);
	free(f->ix);
	free(f->src);
	free(f->v);
	f->ix = NULL;
	f->src = NULL;
	f->v = NULL;
	f->nsrc = 0;
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

static void cache_name(const struct maildir *md, char *out, size_t n);

/* How many messages a folder holds. */
static size_t
count_of(struct folders *f, struct maildir *md)
{
	struct mdindex ix;
	char name[64];
	size_t n;

	cache_name(md, name, sizeof(name));
	if (mdindex_load_cached(md, &ix, f->cachefd, name, NULL) != ERR_OK)
		return 0;
	n = ix.n;
	mdindex_free(&ix);
	return n;
}

static const struct mdindex_ent *
ent(const struct folders *f, const struct entry *e)
{
	return &f->ix[e->src].v[e->i];
}

/* Several drafts folders in one list: merged, the newest first. */
static const struct folders *merging;

static int
merged_order(const void *x, const void *y)
{
	const struct mdindex_ent *l = ent(merging, x), *r = ent(merging, y);
	const struct entry *ex = x, *ey = y;

	if (l->key != r->key)
		return l->key < r->key ? 1 : -1;
	return strcmp(mdindex_file(&merging->ix[ey->src], ey->i),
	    mdindex_file(&merging->ix[ex->src], ex->i));
}

/* The folders of the list shown (md; for drafts every drafts folder) listed into f. */
/* The cache file of folder md: named by a hash of its path. */
static void
cache_name(const struct maildir *md, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)maildir_path(md);
	uint64_t h = 0xcbf29ce484222325u;

	for (; *p != '\0'; p++)
		h = (h ^ *p) * 0x100000001b3u;
	(void)snprintf(out, n, "folder-%016llx", (unsigned long long)h);
}

static void
list_sources(struct folders *f, struct maildir **md, size_t n)
{
	size_t k, i, total = 0;
	char name[64];

	if ((f->ix = calloc(n, sizeof(*f->ix))) == NULL ||
	    (f->src = calloc(n, sizeof(*f->src))) == NULL)
		return;
	for (k = 0; k < n; k++) {
		cache_name(md[k], name, sizeof(name));
		if (mdindex_load_cached(md[k], &f->ix[f->nsrc], f->cachefd, name,
		    NULL) != ERR_OK)
			continue;
		f->src[f->nsrc] = md[k];
		total += f->ix[f->nsrc++].n;
	}
	if (total == 0 || (f->v = calloc(total, sizeof(*f->v))) == NULL)
		return;
	for (k = 0, total = 0; k < f->nsrc; k++)
		for (i = 0; i < f->ix[k].n; i++) {
			f->v[total].src = (uint32_t)k;
			f->v[total++].i = (uint32_t)i;
		}
	if (f->nsrc > 1) {
		merging = f;
		qsort(f->v, total, sizeof(*f->v), merged_order);
		merging = NULL;
	}
	f->l.n = total;
}

/* The unique name of entry e (what maildir_*() take) into id. */
static int
entry_id(const struct folders *f, const struct entry *e, char *id,
    size_t n)
{
	return mdindex_id(&f->ix[e->src], e->i, id, n);
}

void
folders_reload(struct app *a)
{
	struct folders *f = a->fl;
	char at[256] = "", id[256];
	struct maildir *one;
	size_t d, i, n;
	int k;

	if (f == NULL)
		return;
	/* The cursor stays on its message when it is still there. */
	if (f->l.cur < f->l.n && entry_id(f, &f->v[f->l.cur], at,
	    sizeof(at)) < 0)
		at[0] = '\0';
	entries_free(f);
	drafts_open(f);
	if (f->folder == OUTBOX_DRAFTS) {
		list_sources(f, f->drafts, f->ndrafts);
	} else {
		one = outbox_folder(a->ob, (enum outbox_folder)f->folder);
		list_sources(f, &one, 1);
	}
	n = f->l.n;
	f->l.n = 0;
	list_resize(&f->l, n);
	for (k = 0; k < 4; k++) {
		if (k == f->folder) {
			f->count[k] = n;
			continue;
		}
		if (k != OUTBOX_DRAFTS) {
			f->count[k] = count_of(f, outbox_folder(a->ob,
			    (enum outbox_folder)k));
			continue;
		}
		for (d = 0, f->count[k] = 0; d < f->ndrafts; d++)
			f->count[k] += count_of(f, f->drafts[d]);
	}
	for (i = 0; at[0] != '\0' && i < n; i++)
		if (entry_id(f, &f->v[i], id, sizeof(id)) == 0 &&
		    strcmp(id, at) == 0) {
			f->l.cur = i;
			break;
		}
	a->redraw = 1;
}

/* The header fields of entry k, read when it is first needed (cached). */
static struct cached *
entry_read(struct folders *f, size_t k)
{
	struct cached *c = &f->cache[k % CACHE_SLOTS];
	const struct entry *e = &f->v[k];
	char head[HEAD_READ], id[256];
	ssize_t r;
	int fd;

	if (c->at == k + 1)
		return c;
	free(c->who);
	free(c->subject);
	memset(c, 0, sizeof(*c));
	c->at = k + 1;
	if (mdindex_open(f->src[e->src], &f->ix[e->src], e->i, &fd, NULL) !=
	    ERR_OK)
		return c;
	r = read(fd, head, sizeof(head));
	(void)close(fd);
	if (r <= 0)
		return c;
	/* Every folder here holds our own mail: who it is to. */
	c->who = rfc822_get_text(head, (size_t)r, "To");
	if (c->who == NULL)
		c->who = rfc822_get_text(head, (size_t)r, "Bcc");
	c->subject = rfc822_get_text(head, (size_t)r, "Subject");
	/* No To: (a Bcc-only message, sendmail -t): whom the envelope had. */
	if (c->who == NULL && f->folder == OUTBOX_SENT &&
	    entry_id(f, e, id, sizeof(id)) == 0)
		c->who = reader_envelope(f->a, id);
	return c;
}

/* "Dec 05 14:05" from the time at the start of a Maildir name. */
static void
entry_date(const struct folders *f, const struct entry *e, char *out,
    size_t n)
{
	time_t t = (time_t)(ent(f, e)->key / 1000000);
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
	struct cached *c;
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

		c = entry_read(f, i);
		if (i == f->l.cur)
			tui_clear_line(y, TUI_SELECTED);
		entry_date(f, &f->v[i], date, sizeof(date));
		(void)tui_str(y, 1, 12, date, at);
		(void)tui_str(y, 14, 26, c->who != NULL ? c->who : "", at);
		(void)tui_str_cut(y, 41, tui_cols() - 42, c->subject != NULL ?
		    c->subject : _("(no subject)"), at);
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
	if (f->l.cur >= f->l.n || entry_id(f, &f->v[f->l.cur], id, n) < 0)
		return NULL;
	return f->src[f->v[f->l.cur].src];
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
	struct cached *c;
	struct del *d;
	char *q;

	if (md == NULL || (d = calloc(1, sizeof(*d))) == NULL)
		return;
	c = entry_read(f, f->l.cur);
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
	entries_free(f);
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
	if (f->cachefd >= 0)
		(void)close(f->cachefd);
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
	struct cached *c = entry_read(f, i);
	char date[32];

	entry_date(f, &f->v[i], date, sizeof(date));
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
	/* Big folders start from a list kept in the state directory. */
	f->cachefd = safefile_dir(AT_FDCWD, outbox_state_dir(a->ob),
	    outbox_state_dir(a->ob), 0, NULL, &e, NULL);
	if (f->cachefd >= 0) {
		int dir = f->cachefd;

		f->cachefd = safefile_dir(dir, "cache", "cache", 1, NULL, &e,
		    NULL);
		(void)close(dir);
	}
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
