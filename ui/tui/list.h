/* list.h - the cursor of a list on the screen: moving it by line, page and search, the same in every list of the UI. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_LIST_H
#define PIGEON_LIST_H

#include <stddef.h>

#include "buf.h"
#include "keys.h"

/* Actions of list_keys, above every screen's own. */
enum list_action {
	LIST_DOWN = 1000,
	LIST_UP,
	LIST_PGDN,
	LIST_PGUP,
	LIST_HOME,
	LIST_END,
	LIST_SEARCH,
	LIST_NEXT,
	LIST_PREV,
};

/* j k Up Down, PgUp PgDn C-f C-b Space -, Home g End G, / n N. */
extern const struct keydef list_keys[];

struct list {
	size_t n;                  /* entries */
	size_t cur;                /* the cursor */
	size_t top;                /* the first entry shown */
	size_t h;                  /* rows shown (set when drawn; 0: not yet) */
	char *search;              /* the last search; NULL: none */
};

/* Move the cursor as a list action says (not the search ones); 1 when it moved. */
int list_move(struct list *l, int action);
/* Keep the cursor in view in h rows (after a move, a resize, a new n). */
void list_fit(struct list *l, size_t h);
/*
 * The next entry after the cursor (dir 1) or before it (dir -1) whose
 * text holds what, going round at the ends; text(arg, i, scratch)
 * returns the text of entry i (it may use scratch).  The cursor moves
 * there: 1, or 0 when no entry has it.  Case is ignored unless what has
 * a capital letter.
 */
int list_find(struct list *l, const char *what, int dir,
    const char *(*text)(void *arg, size_t i, struct buf *scratch), void *arg);
/* n changed (entries came or went): the cursor stays on a real entry. */
void list_resize(struct list *l, size_t n);
void list_free(struct list *l);

#endif
