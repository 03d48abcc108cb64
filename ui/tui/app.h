/* app.h - what the files of the interactive UI share: the app, its screens' entry points, the pane and the sending. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_APP_H
#define PIGEON_APP_H

#include <stddef.h>
#include <stdint.h>

#include "alias.h"
#include "cli.h"
#include "draft.h"
#include "outbox.h"
#include "submit.h"
#include "tui.h"

#define PANE_LINES 2000      /* transcript lines kept for the pane */
#define LIST_MAX 500         /* messages listed per folder */

/* The transcript pane: the newest lines of the conversations, as they come. */
struct pane {
	char *line[PANE_LINES];
	enum tui_attr attr[PANE_LINES];
	size_t head, n;            /* ring */
	int shown;
	int full;                  /* the whole screen (V) */
	size_t scroll;             /* lines up from the newest */
	int height;
	char *search;              /* the last search (/) */
};

/* The message being composed: the draft, and its text in a file for the editor. */
struct compose {
	struct draft d;
	char *body_path;           /* the text in the locale's charset */
	size_t sel;                /* the attachment D, T and d act on */
	struct buf shown;          /* the start of the text as drawn (UTF-8) */
	int shown_ok;              /* shown is the text as it is now */
	char *draft_dir;           /* the drafts folder d.id is in; NULL: none */
	int dirty;                 /* changed since it was last saved */
	int64_t changed_us;        /* when (util_now_us()) */
};

struct folder_line {
	char *id;
	struct maildir *md;        /* the folder it is in */
	char *who, *subject;
};

/* A delivery going on in the background (the user's send, a retry, the queue). */
struct sending {
	struct submit *sub;
	struct outbox_item it;     /* the user's new message: locked until filed */
	int has_item;
	int flush;                 /* the queue, not the user's own message */
	size_t filed, queued, failed;
	int64_t t0;                /* when the message on the wire started */
};

struct app {
	struct cli c;              /* the account in use */
	struct outbox *ob;
	struct aliases *aliases;
	int folder;                /* enum outbox_folder */
	size_t count[4];
	struct folder_line *list;
	size_t nlist, cursor;
	struct maildir **drafts;   /* every drafts folder: drafts/, each account's own */
	size_t ndrafts;
	struct compose *cmp;       /* the compose screen is open */
	struct sending *snd;
	struct pane pane;
	char status[1024];
	enum tui_attr status_attr;
	int64_t next_flush_us;     /* when to look for due mail (util_now_us()) */
	char *account;             /* chosen with f (a->c.account_name points here) */
	struct draft *link;        /* "pigeon ADDRESS|mailto:...": composed at the start */
	struct buf ignored;        /* what the link asked for and was not taken */
	int quit;
};

/* main.c */
void app_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void app_draw(struct app *a);
void app_bars(const struct app *a, const char *title, const char *help);
/* Set up a->c for the account name; 0, or -1 (a->c is then unusable). */
int app_use_account(struct app *a, const char *name);
/* SIGHUP or SIGTERM: what is being composed becomes a draft, then we go. */
void app_stopped(struct app *a);

/* pane.c */
void pane_add(struct pane *p, const char *s, size_t n, enum tui_attr attr);
void pane_free(struct pane *p);
void pane_writer(void *arg, const struct tr_event *ev);
int pane_height(const struct app *a);
void pane_draw(const struct app *a, int top, int h);
/* v, V, + and -, PgUp, PgDn, / n, S work on every screen; 1 when key was one of them. */
int pane_key(struct app *a, int key);

/* pager.c */
void pager(struct app *a, const char *title, const char *text, size_t n);
/* Choose one of items[0..n) (j, k, Enter; q or C-g: none); -1 for none. */
int pick(struct app *a, const char *title, const char *const *items,
    size_t n, size_t cur);
void show_help(struct app *a);
/* Tab on a path: the entries of its directory that start with its last part. */
char *complete_path(const char *text);

/* folders.c */
void folders_load(struct app *a);
void folders_free(struct app *a);
void folders_draw(const struct app *a);
void folders_key(struct app *a, int key);

/* compose.c */
void compose_start(struct app *a);
/* A stored message on the compose screen: a draft to edit, or a new one made from it. */
void compose_open(struct app *a, enum outbox_folder folder,
    struct maildir *md, const char *id);
/* The composer on d (taken over, freed) from the command line; ignored: what the link asked for in vain. */
void compose_with(struct app *a, struct draft *d, const char *ignored);
void compose_draw(struct app *a);
void compose_key(struct app *a, int key);
/* Save it as a draft; 0, or -1 with the status line set.  quietly: an autosave. */
int compose_postpone(struct app *a, int quietly);
void compose_close(struct app *a);
void compose_free(struct compose *cm);
/* The ms until the autosave a few seconds after the last change (0: now), or -1. */
int compose_autosave_ms(const struct app *a);
/* Save the draft when its autosave is due. */
void compose_autosave(struct app *a);

/* sending.c */
/* Queue what was composed and send it in the background; 0 when it is queued. */
int sending_start_message(struct app *a, const struct draft_built *b,
    const struct draft *d);
/* Send the queued message id now, with the account in use. */
void sending_retry(struct app *a, const char *id);
/* Due messages of accounts that log in without asking: send them now. */
void sending_flush_due(struct app *a);
void sending_step(struct app *a, short revents);
int sending_pollfd(struct app *a, int *fd, short *events);
void sending_stop(struct app *a);
void sending_free(struct app *a);
void sending_draw_progress(const struct app *a, int y);
int sending_busy(const struct app *a);

#endif
