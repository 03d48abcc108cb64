/* compose.h - what the files of the compose screen share: the composition, its actions, its parts. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_COMPOSE_H
#define PIGEON_COMPOSE_H

#include "app.h"
#include "draft.h"

#define BODY_MAX (64 * 1024 * 1024)

/* The actions of the compose screen's keys. */
enum {
	C_TO = 1, C_CC, C_BCC, C_SUBJECT, C_REPLY_TO, C_FROM_ACCOUNT,
	C_EDIT, C_EDIT_HEADERS, C_ATTACH, C_DETACH, C_TYPE, C_DISPOSITION,
	C_RENAME, C_DESCRIBE, C_NEXT_ATT, C_PREV_ATT, C_MOVE_DOWN, C_MOVE_UP,
	C_PREVIEW, C_SEND, C_SEND_LATER, C_POSTPONE, C_ABORT, C_SECURITY, C_HTML,
	C_NO_HTML,
};

/* The message being composed: the draft, and its text in a file for the editor. */
struct compose {
	struct screen s;
	struct draft d;
	char *body_path;           /* the text in the locale's charset */
	size_t sel;                /* the marked attachment */
	struct buf shown;          /* the start of the text as drawn (UTF-8) */
	int shown_ok;              /* shown is the text as it is now */
	char *draft_dir;           /* the drafts folder d.id is in; NULL: none */
	int dirty;                 /* changed since it was last saved */
	char **editing;            /* the field a prompt edits */
	int with_headers;          /* the editor has the header fields too (E) */
	int asked;                 /* the questions before a send, so far */
	struct draft_built *b;     /* the message about to be sent */
	struct draft_security sec; /* sign, encrypt (S cycles it) */
	char *html_from;           /* the HTML's file or command, shown; NULL: not known (a draft) */
	int html_generated;        /* the HTML is html_command's: made again after each edit */
	int64_t at;                /* send later: held until then, 0: now */
};

/* compose.c */
/* A new composition (not on the stack yet): a draft of the account in use, a private .eml file for the text. */
struct compose *compose_new(struct app *a);
/* It goes on the screen: the signature in, the text to its file; 0, or -1 with cm freed and the user told. */
int compose_begin(struct app *a, struct compose *cm);
/* Free a composition that never went on the stack. */
void compose_discard(struct compose *cm);
/* The composer on the stack, or NULL. */
struct compose *compose_find(struct app *a);
/* Save it as a draft; 0, or -1 with the status line set.  quietly: an autosave. */
int compose_postpone(struct app *a, struct compose *cm, int quietly);
/* The draft of a composition that was sent or thrown away goes. */
void compose_drop_draft(struct app *a, struct compose *cm);
void compose_close(struct app *a, struct compose *cm);

/* compose_text.c */
/* The composition changed: autosave it soon. */
void compose_changed(struct compose *cm);
/* The draft's text to its file, and back (0, or -1 with the status set). */
int compose_text_save(struct compose *cm);
int compose_text_load(struct app *a, struct compose *cm);
/* The start of the text for the screen, read once after each edit. */
void compose_shown_load(struct compose *cm);
/* The text in the user's editor (with_headers: the header fields above it, E). */
void compose_edit(struct app *a, struct compose *cm, int with_headers);
/* p: the message as it will go out, in the pager. */
void compose_preview(struct app *a, struct compose *cm);

/* compose_send.c */
/* y: build, ask what looks like a slip, queue, send in the background. */
void compose_send(struct app *a, struct compose *cm);
/* L: the time to send it at (a prompt), then as y. */
void compose_send_later(struct app *a, struct compose *cm);
/* f: the account to send with. */
void compose_choose_account(struct app *a);
/* The security state in words: "sign, encrypt (PGP)", "none". */
const char *compose_security_words(const struct draft_security *s);
/* S: the next security state, said on the status line. */
void compose_security_next(struct app *a, struct compose *cm);

/* compose_att.c */
/* The name the recipient sees. */
const char *compose_att_name(const struct draft_att *at);
/* An attachment action (C_ATTACH ... C_MOVE_UP); 1. */
int compose_att_act(struct app *a, struct compose *cm, int action);

/* compose_html.c */
/* h: an HTML alternative from a file or html_command; H: none.  1. */
int compose_html_act(struct app *a, struct compose *cm, int action);
/* The text was edited: html_command's HTML is made again (or dropped, said). */
void compose_html_edited(struct app *a, struct compose *cm);
/* "HTML: yes (from pandoc)", in out[len] or a constant. */
const char *compose_html_state(const struct compose *cm, char *out,
    size_t len);

/* complete.c */
/* Tab in an address prompt: an alias, else the account's query_command (a pick list when several). */
void compose_complete_addr(struct app *a, struct screen *p, const char *text);

#endif
