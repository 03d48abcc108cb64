/* screen.h - the screens of the interactive UI: small objects on one stack, driven by the one loop, their keys in tables. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_SCREEN_H
#define PIGEON_SCREEN_H

#include <stddef.h>

#include "buf.h"
#include "keys.h"
#include "list.h"

struct app;
struct screen;

/*
 * What a screen does.  A screen is drawn, takes keys and may ask for
 * time (tick); it never waits: a question is a prompt pushed on top of
 * it, and its answer comes back through a callback.  Only draw, act and
 * free are required.
 */
struct screen_ops {
	const char *title;         /* N_(): its heading in the help */
	const struct keydef *keys; /* its table (with list_keys after it when list() is set) */
	unsigned flags;            /* SCREEN_ below */
	void (*draw)(struct app *a, struct screen *s);
	/*
	 * An action of the table, for the key pressed; or action 0 for a
	 * key that is in no table (a prompt takes it as text).  1 when the
	 * key was used.
	 */
	int (*act)(struct app *a, struct screen *s, int action, int key);
	void (*free)(struct screen *s);
	/* The terminal changed size (draw comes next anyway). */
	void (*resize)(struct app *a, struct screen *s);
	/* Called when the time it asked for has come; returns the ms until it wants to be called again, or -1. */
	int (*tick)(struct app *a, struct screen *s);
	/* SIGHUP or SIGTERM: keep what must not be lost (a composed message), now. */
	void (*stopped)(struct app *a, struct screen *s);
	/* The screen's list, for list_keys (NULL: none) and the text of its entries for '/'. */
	struct list *(*list)(struct screen *s);
	const char *(*line)(void *s, size_t i, struct buf *scratch);
};

#define SCREEN_LINE    0x01u  /* a one-line prompt at the bottom: the screens below show */
#define SCREEN_NOPANE  0x02u  /* the pane is not drawn under it and its keys do not apply */
#define SCREEN_TEXT    0x04u  /* it takes typed text: every key is its own (the editor) */

struct screen {
	const struct screen_ops *ops;
	struct screen *below;
	int tick_ms;               /* what tick() or the start asked for; -1: nothing */
	long long tick_at;         /* util_now_us() when it is due */
};

/* Push s (its ops set, the rest zeroed by the caller) on top. */
void screen_push(struct app *a, struct screen *s);
/* Take s off the stack wherever it is, and free it. */
void screen_close(struct app *a, struct screen *s);
/* s wants tick() in ms (-1: never). */
void screen_tick_in(struct screen *s, int ms);
/* Draw the stack: from the topmost full screen up. */
void screens_draw(struct app *a);
/* A key for the top screen, then for the pane and the app; 1 when used. */
int screens_key(struct app *a, int key);
/* The ms until the first screen tick is due (-1: none); run the due ones. */
int screens_tick(struct app *a);
/* A resize for every screen. */
void screens_resize(struct app *a);
/* SIGHUP/SIGTERM: every screen's stopped(). */
void screens_stopped(struct app *a);
void screens_free(struct app *a);
/* '?': the help of the screens on the stack, made from their tables. */
void screens_help(struct app *a);
/* The bottom line of keys for s: its hints. */
void screen_hints(const struct screen *s, struct buf *out);

/* --- prompts: screens that ask, and call back ---------------------------- */

/* text: what was typed (the callee owns it), NULL when cancelled. */
typedef void (*prompt_line_fn)(struct app *a, void *arg, char *text);
/*
 * Tab: complete the text of prompt p; prompt_line_set() puts the result
 * in (now, or later from a pick list's answer).
 */
typedef void (*prompt_complete_fn)(struct app *a, struct screen *p,
    const char *text);
/*
 * A line to edit at the bottom: Emacs keys (C-a C-e C-b C-f C-d C-h C-k
 * C-u C-w, arrows, Home, End), UTF-8 aware; Enter gives it, C-g or Esc
 * cancels.
 */
void prompt_line(struct app *a, const char *label, const char *init,
    prompt_complete_fn complete, prompt_line_fn done, void *arg);
void prompt_line_set(struct screen *p, const char *text);
/* 1 yes, 0 no, -1 cancelled. */
typedef void (*prompt_yesno_fn)(struct app *a, void *arg, int answer);
void prompt_yesno(struct app *a, const char *question, int def,
    prompt_yesno_fn done, void *arg);
/* The index chosen, -1 for none. */
typedef void (*prompt_pick_fn)(struct app *a, void *arg, int chosen);
/* Choose one of items[0..n) (taken over, freed) on a full screen list. */
void prompt_pick(struct app *a, const char *title, char **items, size_t n,
    size_t cur, prompt_pick_fn done, void *arg);
/* Tab on a path: the entries of its directory that start with its last part (malloc'd), or NULL. */
char *complete_path(const char *text);
/* A prompt_complete_fn for paths. */
void prompt_complete_path(struct app *a, struct screen *p, const char *text);

/* --- the pager: text to read, page by page, searched ---------------------- */

/*
 * Show text (taken over) on a screen of its own: lines wrapped at the
 * width, list keys, / n N to search, q to leave.  extra: keys of the
 * caller's own (NULL: none) handled by act(a, arg, action) while the
 * pager shows; the caller may replace the text then (pager_set_text()).
 */
struct screen *pager_push(struct app *a, const char *title, struct buf *text);
void pager_set_text(struct screen *pg, const char *title, struct buf *text);
/* A pager whose keys include extra (handled by act), for the reader. */
struct screen *pager_push_with(struct app *a, const char *title,
    struct buf *text, const struct keydef *extra,
    int (*act)(struct app *a, struct screen *pg, int action, void *arg),
    void *arg, void (*free_arg)(void *arg));

#endif
