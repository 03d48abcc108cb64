/* pager.c - the pager of the interactive UI: text to read on a screen of its own, wrapped, paged and searched. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "sanitize.h"

#define PAGER_MAX (64 * 1024 * 1024)

/*
 * Above any action of a caller's table (they count from 1: the reader's
 * h is 1) and below the list's: one table holds all three.
 */
enum { PAGER_QUIT = LIST_DOWN - 1 };

static const struct keydef pager_keys[] = {
	{ 'q', PAGER_QUIT, N_("back"), N_("leave") },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

/* A row of the screen: a piece of a line of the text. */
struct row {
	size_t off, len;
};

struct pager {
	struct screen s;
	char *title;
	struct buf text;           /* escaped, tabs expanded */
	struct row *rows;
	size_t nrows;
	int width;                 /* the rows are cut for it */
	struct list l;             /* l.cur: the first row shown */
	struct screen_ops ops;     /* its own: the keys may be the caller's too */
	struct keydef *keys;       /* the caller's, then the pager's */
	int (*act)(struct app *a, struct screen *pg, int action, void *arg);
	void *arg;
	void (*free_arg)(void *arg);
};

/* Tabs to blanks up to the next multiple of 8 (columns counted as bytes: near enough for a tab). */
static void
expand_tabs(struct buf *out, const char *s, size_t len)
{
	const char *tab, *end = s + len;
	size_t col = 0;

	while (s < end) {
		if ((tab = memchr(s, '\t', (size_t)(end - s))) == NULL)
			tab = end;
		(void)buf_add(out, s, (size_t)(tab - s));
		col += (size_t)(tab - s);
		if (tab < end) {
			do
				(void)buf_addch(out, ' ');
			while (++col % 8 != 0);
			tab++;
		}
		s = tab;
	}
}

/* The text made safe to draw once, not at every frame: tabs to blanks, controls escaped. */
static void
set_text(struct pager *p, struct buf *raw)
{
	const char *s = buf_str(raw), *end = s + raw->len, *e;
	struct buf line;
	size_t len;

	buf_free(&p->text);
	buf_init(&p->text, PAGER_MAX);
	buf_init(&line, PAGER_MAX);
	while (s < end) {
		e = memchr(s, '\n', (size_t)(end - s));
		len = e != NULL ? (size_t)(e - s) : (size_t)(end - s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		buf_reset(&line);
		expand_tabs(&line, s, len);
		(void)sanitize_mode_append(&p->text, buf_str(&line), line.len,
		    SANITIZE_BODY);
		(void)buf_addch(&p->text, '\n');
		s = e != NULL ? e + 1 : end;
	}
	buf_free(&line);
	buf_free(raw);
	p->width = 0;
}

/* Cut the lines into rows of the screen's width. */
static void
wrap(struct pager *p, int width)
{
	const char *s = buf_str(&p->text), *end = s + p->text.len, *e;
	struct row *r;
	size_t cap = 0, k, len, off;

	free(p->rows);
	p->rows = NULL;
	p->nrows = 0;
	p->width = width;
	while (s < end) {
		e = memchr(s, '\n', (size_t)(end - s));
		len = e != NULL ? (size_t)(e - s) : (size_t)(end - s);
		off = 0;
		do {
			k = tui_fit(s + off, len - off, width);
			if (k == 0 && off < len)
				k = 1;
			if (p->nrows == cap) {
				cap = cap ? cap * 2 : 256;
				if ((r = realloc(p->rows, cap * sizeof(*r))) == NULL)
					goto out;
				p->rows = r;
			}
			p->rows[p->nrows].off = (size_t)(s - buf_str(&p->text)) +
			    off;
			p->rows[p->nrows++].len = k;
			off += k;
		} while (off < len);
		s = e != NULL ? e + 1 : end;
	}
out:
	list_resize(&p->l, p->nrows);
}

static void
pager_draw(struct app *a, struct screen *s)
{
	struct pager *p = (struct pager *)s;
	int rows = tui_rows(), h = rows - 3, y;
	size_t i;

	if (p->width != tui_cols())
		wrap(p, tui_cols());
	p->l.h = h > 0 ? (size_t)h : 1;
	p->l.top = p->l.cur;
	for (y = 1; y < rows - 2; y++) {
		tui_clear_line(y, TUI_NORMAL);
		i = p->l.top + (size_t)(y - 1);
		if (i < p->nrows)
			(void)tui_escaped_n(y, 0, tui_cols(), buf_str(&p->text) +
			    p->rows[i].off, p->rows[i].len, TUI_NORMAL);
	}
	app_bars(a, s, p->title);
}

static void
pager_free(struct screen *s)
{
	struct pager *p = (struct pager *)s;

	if (p->free_arg != NULL)
		p->free_arg(p->arg);
	free(p->title);
	free(p->keys);
	free(p->rows);
	buf_free(&p->text);
	list_free(&p->l);
	free(p);
}

static int
pager_act(struct app *a, struct screen *s, int action, int key)
{
	struct pager *p = (struct pager *)s;
	size_t page = p->l.h > 1 ? p->l.h - 1 : 1;
	size_t last = p->nrows > p->l.h ? p->nrows - p->l.h : 0;

	(void)key;
	switch (action) {
	case PAGER_QUIT:
		screen_close(a, s);
		return 1;
	case LIST_DOWN:
		if (p->l.cur < last)
			p->l.cur++;
		return 1;
	case LIST_UP:
		if (p->l.cur > 0)
			p->l.cur--;
		return 1;
	case LIST_PGDN:
		p->l.cur = p->l.cur + page < last ? p->l.cur + page : last;
		return 1;
	case LIST_PGUP:
		p->l.cur = p->l.cur > page ? p->l.cur - page : 0;
		return 1;
	case LIST_HOME:
		p->l.cur = 0;
		return 1;
	case LIST_END:
		p->l.cur = last;
		return 1;
	case 0:
		return 0;
	default:
		/* The search actions are the list's; the rest the caller's. */
		if (action >= LIST_DOWN && action <= LIST_PREV)
			return 0;
		return p->act != NULL ? p->act(a, s, action, p->arg) : 0;
	}
}

static struct list *
pager_list(struct screen *s)
{
	return &((struct pager *)s)->l;
}

static const char *
pager_line(void *s, size_t i, struct buf *scratch)
{
	struct pager *p = s;

	(void)buf_add(scratch, buf_str(&p->text) + p->rows[i].off,
	    p->rows[i].len);
	return buf_str(scratch);
}

static const struct screen_ops pager_ops = {
	.title = N_("Reading"),
	.keys = pager_keys,
	.draw = pager_draw,
	.act = pager_act,
	.free = pager_free,
	.list = pager_list,
	.line = pager_line,
};

void
pager_set_text(struct screen *s, const char *title, struct buf *text)
{
	struct pager *p = (struct pager *)s;
	char *t = title != NULL ? strdup(title) : NULL;

	if (t != NULL) {
		free(p->title);
		p->title = t;
	}
	set_text(p, text);
}

struct screen *
pager_push_with(struct app *a, const char *title, struct buf *text,
    const struct keydef *extra,
    int (*act)(struct app *a, struct screen *pg, int action, void *arg),
    void *arg, void (*free_arg)(void *arg))
{
	struct pager *p = calloc(1, sizeof(*p));
	size_t n = 0, m = 0;

	if (p == NULL || (p->title = strdup(title)) == NULL) {
		free(p);
		buf_free(text);
		if (free_arg != NULL)
			free_arg(arg);
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		return NULL;
	}
	p->ops = pager_ops;
	p->s.ops = &p->ops;
	buf_init(&p->text, PAGER_MAX);
	set_text(p, text);
	p->act = act;
	p->arg = arg;
	p->free_arg = free_arg;
	if (extra != NULL) {
		/* One table: the caller's keys, then q. */
		while (extra[n].key != 0)
			n++;
		while (pager_keys[m].key != 0)
			m++;
		if ((p->keys = calloc(n + m + 1, sizeof(*p->keys))) != NULL) {
			memcpy(p->keys, extra, n * sizeof(*extra));
			memcpy(p->keys + n, pager_keys, m * sizeof(*extra));
			p->ops.keys = p->keys;
		}
	}
	screen_push(a, &p->s);
	return &p->s;
}

struct screen *
pager_push(struct app *a, const char *title, struct buf *text)
{
	return pager_push_with(a, title, text, NULL, NULL, NULL, NULL);
}
