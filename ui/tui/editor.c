/* editor.c - the built-in text editor of the interactive UI, for when neither $VISUAL nor $EDITOR is set. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "buf.h"
#include "editor.h"
#include "i18n.h"
#include "tui.h"
#include "app.h"

#define TEXT_MAX (16 * 1024 * 1024)

struct eline {
	wchar_t *v;
	size_t len, cap;
};

struct ed {
	struct eline *l;
	size_t n, cap;
	size_t row, col;           /* the cursor */
	size_t top;                /* the first line shown */
	int changed;
};

static int
eline_reserve(struct eline *e, size_t want)
{
	wchar_t *v;
	size_t cap = e->cap ? e->cap : 16;

	if (want <= e->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if ((v = realloc(e->v, cap * sizeof(*v))) == NULL)
		return -1;
	e->v = v;
	e->cap = cap;
	return 0;
}

/* A new empty line at index at; 0 or -1. */
static int
ed_insert_line(struct ed *d, size_t at)
{
	struct eline *l;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		if ((l = realloc(d->l, cap * sizeof(*l))) == NULL)
			return -1;
		d->l = l;
		d->cap = cap;
	}
	memmove(d->l + at + 1, d->l + at, (d->n - at) * sizeof(*d->l));
	memset(&d->l[at], 0, sizeof(d->l[at]));
	d->n++;
	return 0;
}

static void
ed_free(struct ed *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->l[i].v);
	free(d->l);
}

/* The file (UTF-8) as lines; a missing or empty one is one empty line. */
static int
ed_load(struct ed *d, const char *path)
{
	struct buf b;
	const unsigned char *p, *end;
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int fd;

	memset(d, 0, sizeof(*d));
	if (ed_insert_line(d, 0) < 0)
		return -1;
	buf_init(&b, TEXT_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		(void)buf_read_fd(&b, fd);
		(void)close(fd);
	}
	memset(&st, 0, sizeof(st));
	p = (const unsigned char *)buf_str(&b);
	end = p + b.len;
	while (p < end) {
		if (*p == '\n') {
			if (ed_insert_line(d, d->n) < 0)
				goto fail;
			p++;
			continue;
		}
		k = mbrtowc(&wc, (const char *)p, (size_t)(end - p), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = L'?';
			k = 1;
			memset(&st, 0, sizeof(st));
		}
		if (wc != L'\r') {
			struct eline *e = &d->l[d->n - 1];

			if (eline_reserve(e, e->len + 1) < 0)
				goto fail;
			e->v[e->len++] = wc;
		}
		p += k;
	}
	/* A last line end is not a line of its own. */
	if (d->n > 1 && d->l[d->n - 1].len == 0) {
		free(d->l[d->n - 1].v);
		d->n--;
	}
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

static int
ed_save(const struct ed *d, const char *path)
{
	struct buf b;
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t i, j, k;
	int fd, r = 0;

	buf_init(&b, TEXT_MAX);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < d->n && r == 0; i++) {
		for (j = 0; j < d->l[i].len && r == 0; j++) {
			k = wcrtomb(mb, d->l[i].v[j], &st);
			r = k == (size_t)-1 ? buf_addch(&b, '?') :
			    buf_add(&b, mb, k);
		}
		if (r == 0)
			r = buf_addch(&b, '\n');
	}
	if (r < 0 || (fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0) {
		buf_free(&b);
		return -1;
	}
	if (write(fd, buf_str(&b), b.len) != (ssize_t)b.len)
		r = -1;
	if (close(fd) < 0)
		r = -1;
	buf_free(&b);
	return r;
}

static int
wwidth(wchar_t c)
{
	int w = wcwidth(c);

	return w < 0 ? 1 : w;
}

static void
ed_draw(struct ed *d, const char *title)
{
	int rows = tui_rows(), cols = tui_cols(), h = rows - 3, y, x, cx = 0;
	size_t i, j, from;
	struct buf u;
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t k;

	if (d->row < d->top)
		d->top = d->row;
	if (h > 0 && d->row >= d->top + (size_t)h)
		d->top = d->row - (size_t)h + 1;
	for (y = 1; y < rows - 2; y++) {
		tui_clear_line(y, TUI_NORMAL);
		i = d->top + (size_t)(y - 1);
		if (i >= d->n)
			continue;
		/* The cursor's line scrolls sideways to keep it in view. */
		from = 0;
		if (i == d->row) {
			for (x = 0, j = d->col; j > 0; j--) {
				x += wwidth(d->l[i].v[j - 1]);
				if (x >= cols - 2)
					break;
			}
			from = j;
		}
		buf_init(&u, 64 * 1024);
		memset(&st, 0, sizeof(st));
		for (j = from; j < d->l[i].len; j++) {
			k = wcrtomb(mb, d->l[i].v[j], &st);
			if (k == (size_t)-1)
				(void)buf_addch(&u, '?');
			else
				(void)buf_add(&u, mb, k);
			if (i == d->row && j < d->col)
				cx += wwidth(d->l[i].v[j]);
		}
		(void)tui_body(y, 0, cols, buf_str(&u), u.len, TUI_NORMAL);
		buf_free(&u);
	}
	tui_bars(title, _("C-x:done  C-g:cancel  arrows  C-a/C-e:line start/"
	    "end  PgUp/PgDn  C-k:cut"));
	tui_clear_line(rows - 1, TUI_NORMAL);
	tui_cursor((int)(d->row - d->top) + 1, cx);
	tui_flush();
}

/* Join line r+1 to line r. */
static int
ed_join(struct ed *d, size_t r)
{
	struct eline *a = &d->l[r], *b = &d->l[r + 1];

	if (eline_reserve(a, a->len + b->len) < 0)
		return -1;
	if (b->len > 0)
		memcpy(a->v + a->len, b->v, b->len * sizeof(wchar_t));
	a->len += b->len;
	free(b->v);
	memmove(d->l + r + 1, d->l + r + 2, (d->n - r - 2) * sizeof(*d->l));
	d->n--;
	return 0;
}

static int
ed_key(struct ed *d, int key)
{
	struct eline *e = &d->l[d->row];
	int page = tui_rows() - 4 > 1 ? tui_rows() - 4 : 1;

	switch (key) {
	case TUI_KEY_LEFT:
		if (d->col > 0)
			d->col--;
		else if (d->row > 0)
			d->col = d->l[--d->row].len;
		return 0;
	case TUI_KEY_RIGHT:
		if (d->col < e->len)
			d->col++;
		else if (d->row + 1 < d->n) {
			d->row++;
			d->col = 0;
		}
		return 0;
	case TUI_KEY_UP:
	case TUI_KEY_DOWN:
	case TUI_KEY_PGUP:
	case TUI_KEY_PGDN:
		if (key == TUI_KEY_UP && d->row > 0)
			d->row--;
		else if (key == TUI_KEY_DOWN && d->row + 1 < d->n)
			d->row++;
		else if (key == TUI_KEY_PGUP)
			d->row = d->row > (size_t)page ? d->row - (size_t)page : 0;
		else if (key == TUI_KEY_PGDN)
			d->row = d->row + (size_t)page < d->n ? d->row +
			    (size_t)page : d->n - 1;
		if (d->col > d->l[d->row].len)
			d->col = d->l[d->row].len;
		return 0;
	case TUI_KEY_HOME:
	case 1:                        /* C-a */
		d->col = 0;
		return 0;
	case TUI_KEY_END:
	case 5:                        /* C-e */
		d->col = e->len;
		return 0;
	case '\r':
	case '\n':
	case TUI_KEY_ENTER:
		if (ed_insert_line(d, d->row + 1) < 0)
			return -1;
		e = &d->l[d->row];
		if (eline_reserve(&d->l[d->row + 1], e->len - d->col + 1) < 0)
			return -1;
		memcpy(d->l[d->row + 1].v, e->v + d->col,
		    (e->len - d->col) * sizeof(wchar_t));
		d->l[d->row + 1].len = e->len - d->col;
		e->len = d->col;
		d->row++;
		d->col = 0;
		d->changed = 1;
		return 0;
	case 8:                        /* C-h */
	case 127:
	case TUI_KEY_BACKSPACE:
		if (d->col > 0) {
			memmove(e->v + d->col - 1, e->v + d->col,
			    (e->len - d->col) * sizeof(wchar_t));
			e->len--;
			d->col--;
		} else if (d->row > 0) {
			d->col = d->l[d->row - 1].len;
			if (ed_join(d, --d->row) < 0)
				return -1;
		}
		d->changed = 1;
		return 0;
	case 4:                        /* C-d */
	case TUI_KEY_DELETE:
		if (d->col < e->len) {
			memmove(e->v + d->col, e->v + d->col + 1,
			    (e->len - d->col - 1) * sizeof(wchar_t));
			e->len--;
		} else if (d->row + 1 < d->n && ed_join(d, d->row) < 0) {
			return -1;
		}
		d->changed = 1;
		return 0;
	case 11:                       /* C-k */
		if (d->col < e->len)
			e->len = d->col;
		else if (d->row + 1 < d->n && ed_join(d, d->row) < 0)
			return -1;
		d->changed = 1;
		return 0;
	default:
		if (key == 0x7f || key >= TUI_KEY_FUNC || (key != '\t' &&
		    (key < 0x20 || !iswprint((wint_t)key))))
			return 0;
		if (eline_reserve(e, e->len + 1) < 0)
			return -1;
		memmove(e->v + d->col + 1, e->v + d->col,
		    (e->len - d->col) * sizeof(wchar_t));
		e->v[d->col++] = (wchar_t)key;
		e->len++;
		d->changed = 1;
		return 0;
	}
}

/* --- the screen --------------------------------------------------------------- */

enum { ED_DONE = 1, ED_CANCEL };

static const struct keydef editor_keys[] = {
	{ KEY_CTRL('x'), ED_DONE, N_("done"), N_("keep the text and leave") },
	{ KEY_CTRL('g'), ED_CANCEL, N_("cancel"), N_("leave the text as it "
	    "was (asks)") },
	{ 0, 0, NULL, NULL },
};

struct editor {
	struct screen s;
	struct ed d;
	char *path;
	char *title;
	editor_done_fn done;
	void *arg;
};

static void
editor_draw(struct app *a, struct screen *s)
{
	struct editor *e = (struct editor *)s;

	(void)a;
	tui_cursor_show(1);
	ed_draw(&e->d, e->title);
}

static void
editor_free(struct screen *s)
{
	struct editor *e = (struct editor *)s;

	ed_free(&e->d);
	free(e->path);
	free(e->title);
	free(e);
}

/* The editor goes, then its caller hears how it ended. */
static void
editor_end(struct app *a, struct editor *e, int r)
{
	editor_done_fn done = e->done;
	void *arg = e->arg;

	tui_cursor_show(0);
	screen_close(a, &e->s);
	done(a, arg, r);
}

static void
cancel_answered(struct app *a, void *arg, int yes)
{
	if (yes == 1)
		editor_end(a, arg, 1);
}

static int
editor_act(struct app *a, struct screen *s, int action, int key)
{
	struct editor *e = (struct editor *)s;

	switch (action) {
	case ED_DONE:
		editor_end(a, e, ed_save(&e->d, e->path) < 0 ? -1 : 0);
		return 1;
	case ED_CANCEL:
		if (!e->d.changed)
			editor_end(a, e, 1);
		else
			prompt_yesno(a, _("Leave the text as it was? (y/n) "), 0,
			    cancel_answered, e);
		return 1;
	default:
		if (ed_key(&e->d, key) < 0)
			editor_end(a, e, -1);
		return 1;
	}
}

/* SIGHUP or SIGTERM: what was typed is kept, for the caller's draft. */
static void
editor_stopped(struct app *a, struct screen *s)
{
	struct editor *e = (struct editor *)s;

	(void)a;
	if (e->d.changed)
		(void)ed_save(&e->d, e->path);
}

static const struct screen_ops editor_ops = {
	.title = N_("pigeon's own editor"),
	.keys = editor_keys,
	.flags = SCREEN_NOPANE | SCREEN_TEXT,
	.draw = editor_draw,
	.act = editor_act,
	.free = editor_free,
	.stopped = editor_stopped,
};

int
editor_open(struct app *a, const char *path, const char *title,
    editor_done_fn done, void *arg)
{
	struct editor *e = calloc(1, sizeof(*e));

	if (e == NULL || (e->path = strdup(path)) == NULL ||
	    (e->title = strdup(title)) == NULL) {
		if (e != NULL)
			free(e->path);
		free(e);
		return -1;
	}
	if (ed_load(&e->d, path) < 0) {
		ed_free(&e->d);
		free(e->path);
		free(e->title);
		free(e);
		return -1;
	}
	e->s.ops = &editor_ops;
	e->done = done;
	e->arg = arg;
	screen_push(a, &e->s);
	return 0;
}
