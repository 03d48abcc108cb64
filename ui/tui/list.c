/* list.c - the cursor of a list on the screen: moving it by line, page and search, the same in every list of the UI. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "list.h"

const struct keydef list_keys[] = {
	{ 'j', LIST_DOWN, NULL, N_("next line") },
	{ TUI_KEY_DOWN, 0, NULL, NULL },
	{ 'k', LIST_UP, NULL, N_("previous line") },
	{ TUI_KEY_UP, 0, NULL, NULL },
	{ TUI_KEY_PGDN, LIST_PGDN, NULL, N_("next page") },
	{ KEY_CTRL('f'), 0, NULL, NULL },
	{ ' ', 0, NULL, NULL },
	{ TUI_KEY_PGUP, LIST_PGUP, NULL, N_("previous page") },
	{ KEY_CTRL('b'), 0, NULL, NULL },
	{ '-', 0, NULL, NULL },
	{ TUI_KEY_HOME, LIST_HOME, NULL, N_("first line") },
	{ 'g', 0, NULL, NULL },
	{ TUI_KEY_END, LIST_END, NULL, N_("last line") },
	{ 'G', 0, NULL, NULL },
	{ '/', LIST_SEARCH, NULL, N_("search") },
	{ 'n', LIST_NEXT, NULL, N_("search again, down") },
	{ 'N', LIST_PREV, NULL, N_("search again, up") },
	{ 0, 0, NULL, NULL },
};

static size_t
page(const struct list *l)
{
	return l->h > 1 ? l->h - 1 : 1;
}

int
list_move(struct list *l, int action)
{
	size_t was = l->cur;

	if (l->n == 0)
		return 0;
	switch (action) {
	case LIST_DOWN:
		if (l->cur + 1 < l->n)
			l->cur++;
		break;
	case LIST_UP:
		if (l->cur > 0)
			l->cur--;
		break;
	case LIST_PGDN:
		l->cur = l->cur + page(l) < l->n ? l->cur + page(l) : l->n - 1;
		/* The page turns with the cursor. */
		l->top = l->top + page(l) < l->n ? l->top + page(l) : l->top;
		break;
	case LIST_PGUP:
		l->cur = l->cur > page(l) ? l->cur - page(l) : 0;
		l->top = l->top > page(l) ? l->top - page(l) : 0;
		break;
	case LIST_HOME:
		l->cur = 0;
		break;
	case LIST_END:
		l->cur = l->n - 1;
		break;
	default:
		return 0;
	}
	if (l->h > 0)
		list_fit(l, l->h);
	return l->cur != was;
}

void
list_fit(struct list *l, size_t h)
{
	l->h = h;
	if (h == 0)
		return;
	if (l->cur >= l->n)
		l->cur = l->n > 0 ? l->n - 1 : 0;
	if (l->cur < l->top)
		l->top = l->cur;
	else if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
	/* No blank rows below the last entry while there are entries above. */
	if (l->top > 0 && l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
}

/* Does hay hold needle?  Case is ignored unless needle has a capital letter (smart case, as vim's and less's). */
static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (needle[i] >= 'A' && needle[i] <= 'Z')
			return strstr(hay, needle) != NULL;
	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int
list_find(struct list *l, const char *what, int dir,
    const char *(*text)(void *arg, size_t i, struct buf *scratch), void *arg)
{
	struct buf scratch;
	const char *t;
	size_t k, i;
	int found = 0;

	if (l->n == 0 || what == NULL || *what == '\0')
		return 0;
	buf_init(&scratch, 64 * 1024);
	for (k = 1; k <= l->n && !found; k++) {
		i = dir > 0 ? (l->cur + k) % l->n : (l->cur + l->n - k % l->n) %
		    l->n;
		buf_reset(&scratch);
		t = text(arg, i, &scratch);
		if (t != NULL && contains(t, what)) {
			l->cur = i;
			found = 1;
		}
	}
	buf_free(&scratch);
	if (found && l->h > 0)
		list_fit(l, l->h);
	return found;
}

void
list_resize(struct list *l, size_t n)
{
	l->n = n;
	if (l->cur >= n)
		l->cur = n > 0 ? n - 1 : 0;
	if (l->h > 0)
		list_fit(l, l->h);
}

void
list_free(struct list *l)
{
	free(l->search);
	l->search = NULL;
}
