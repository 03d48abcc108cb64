/* screen.c - the screen stack of the interactive UI: drawing it, giving keys to the top, ticks, the help made from the key tables. */
/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "i18n.h"
#include "util.h"

/* Keys that work on every screen but prompts. */
enum {
	APP_HELP = 1,
	APP_STOP,
	APP_HISTORY,
	APP_UNDO,
};

static const struct keydef app_keys[] = {
	{ '?', APP_HELP, N_("help"), N_("these keys") },
	{ KEY_CTRL('g'), APP_STOP, NULL, N_("stop the sends in progress "
	    "(what is not sent stays queued)") },
	{ 'M', APP_HISTORY, NULL, N_("the status messages so far") },
	{ 'u', APP_UNDO, NULL, N_("undo a send while it waits (send_delay): "
	    "back to the composer") },
	{ 0, 0, NULL, NULL },
};

void
screen_push(struct app *a, struct screen *s)
{
	s->below = a->top;
	s->tick_ms = -1;
	a->top = s;
}

void
screen_close(struct app *a, struct screen *s)
{
	struct screen **p;

	for (p = &a->top; *p != NULL; p = &(*p)->below)
		if (*p == s) {
			*p = s->below;
			break;
		}
	s->ops->free(s);
	/* What was under it shows again, whole. */
	a->redraw = 1;
}

void
screen_tick_in(struct screen *s, int ms)
{
	s->tick_ms = ms;
	s->tick_at = ms >= 0 ? util_now_us() + (int64_t)ms * 1000 : 0;
}

static void
draw_from(struct app *a, struct screen *s)
{
	/* The screens below a one-line prompt show under it. */
	if (s->below != NULL && (s->ops->flags & SCREEN_LINE))
		draw_from(a, s->below);
	s->ops->draw(a, s);
}

void
screens_draw(struct app *a)
{
	if (a->top != NULL)
		draw_from(a, a->top);
}

/* Keys of the list of s: moves, searches; 1 when used. */
static int
list_key(struct app *a, struct screen *s, int action);

int
screens_key(struct app *a, int key)
{
	struct screen *s = a->top;
	int action;

	if (s == NULL)
		return 0;
	if ((action = keys_action(s->ops->keys, key)) != 0)
		return s->ops->act(a, s, action, key);
	/* A list action: the screen's own way first (the pager scrolls), else the list's. */
	if (s->ops->list != NULL &&
	    (action = keys_action(list_keys, key)) != 0)
		return s->ops->act(a, s, action, key) || list_key(a, s, action);
	if (s->ops->flags & (SCREEN_LINE | SCREEN_TEXT))
		return s->ops->act(a, s, 0, key);
	/* A key in no table: the screen's own way, then the pane's, the app's. */
	if ((s->ops->flags & SCREEN_NOPANE) && s->ops->act(a, s, 0, key))
		return 1;
	if (!(s->ops->flags & SCREEN_NOPANE) && pane_key(a, key))
		return 1;
	switch (keys_action(app_keys, key)) {
	case APP_HELP:
		screens_help(a);
		return 1;
	case APP_STOP:
		if (sending_busy(a))
			sending_stop(a);
		return 1;
	case APP_HISTORY:
		app_status_history(a);
		return 1;
	case APP_UNDO:
		sending_undo(a);
		return 1;
	default:
		return (s->ops->flags & SCREEN_NOPANE) ? 0 :
		    s->ops->act(a, s, 0, key);
	}
}

/* / in a list: what to look for. */
static void
searched(struct app *a, void *arg, char *text)
{
	struct screen *s = arg;
	struct list *l;

	/* The list may be gone (a stop, a send that reloaded it): look again. */
	if (text == NULL || a->top != s || (l = s->ops->list(s)) == NULL) {
		free(text);
		return;
	}
	if (*text == '\0') {
		free(text);
		return;
	}
	free(l->search);
	l->search = text;
	if (!list_find(l, l->search, 1, s->ops->line, s))
		app_status(a, TUI_ERROR, _("not found: %s"), l->search);
}

static int
list_key(struct app *a, struct screen *s, int action)
{
	struct list *l = s->ops->list(s);

	if (l == NULL)
		return 0;
	switch (action) {
	case LIST_SEARCH:
		/* A new search starts empty: it never adds to the last one. */
		prompt_line(a, _("Search: "), NULL, NULL, searched, s);
		return 1;
	case LIST_NEXT:
	case LIST_PREV:
		if (l->search == NULL)
			app_status(a, TUI_ERROR, _("no search yet: / starts one"));
		else if (!list_find(l, l->search, action == LIST_NEXT ? 1 : -1,
		    s->ops->line, s))
			app_status(a, TUI_ERROR, _("not found: %s"), l->search);
		return 1;
	default:
		(void)list_move(l, action);
		return 1;
	}
}

int
screens_tick(struct app *a)
{
	struct screen *s;
	int64_t now = util_now_us();
	int ms, next = -1, again = 1, passes = 0;

	/*
	 * A tick may close its screen or push another: start over after
	 * each, a bounded number of times (a tick that asks for 0 ms again
	 * waits for the next turn of the loop).
	 */
	while (again && passes++ < 32) {
		again = 0;
		for (s = a->top; s != NULL; s = s->below) {
			if (s->tick_ms < 0 || s->ops->tick == NULL ||
			    s->tick_at > now)
				continue;
			screen_tick_in(s, -1);
			screen_tick_in(s, s->ops->tick(a, s));
			again = 1;
			break;
		}
	}
	for (s = a->top; s != NULL; s = s->below) {
		if (s->tick_ms < 0 || s->ops->tick == NULL)
			continue;
		ms = s->tick_at <= now ? 0 : (int)((s->tick_at - now) / 1000) +
		    1;
		if (next < 0 || ms < next)
			next = ms;
	}
	return next;
}

void
screens_resize(struct app *a)
{
	struct screen *s;

	for (s = a->top; s != NULL; s = s->below)
		if (s->ops->resize != NULL)
			s->ops->resize(a, s);
}

void
screens_stopped(struct app *a)
{
	struct screen *s;

	for (s = a->top; s != NULL; s = s->below)
		if (s->ops->stopped != NULL)
			s->ops->stopped(a, s);
}

void
screens_free(struct app *a)
{
	struct screen *s;

	while ((s = a->top) != NULL) {
		a->top = s->below;
		s->ops->free(s);
	}
}

void
screens_help(struct app *a)
{
	const struct screen *s;
	struct buf b;
	int lists = 0;

	buf_init(&b, 256 * 1024);
	/* The screen in front first, then those under it. */
	for (s = a->top; s != NULL; s = s->below) {
		if (s->ops->flags & SCREEN_LINE)
			continue;
		(void)keys_help(&b, _(s->ops->title), s->ops->keys);
		lists |= s->ops->list != NULL;
	}
	if (lists)
		(void)keys_help(&b, _("In every list"), list_keys);
	(void)keys_help(&b, _("The transcript pane"), pane_keys);
	(void)keys_help(&b, _("Everywhere"), app_keys);
	(void)buf_addstr(&b, _("Queued mail is tried again by itself while "
	    "pigeon runs.\nLine editing: C-a C-e C-b C-f C-d C-h C-k C-u C-w, "
	    "arrows; Tab completes; C-g cancels.\n"));
	(void)pager_push(a, _("Keys"), &b);
}

void
screen_hints(const struct screen *s, struct buf *out)
{
	(void)keys_hint(out, s->ops->keys);
	/* A screen that takes text has no '?' of the app's. */
	if (s->ops->flags & SCREEN_TEXT)
		return;
	if (out->len > 0)
		(void)buf_addstr(out, "  ");
	(void)keys_hint(out, app_keys);
}
