/* tui.h - the terminal under the interactive UI: curses setup and teardown, colours, safe drawing, keys and signals. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TUI_H
#define PIGEON_TUI_H

#include <stddef.h>
#include <wchar.h>

#include "keys.h"

/* What a piece of the screen is; colours where the terminal has them and NO_COLOR is unset. */
enum tui_attr {
	TUI_NORMAL,
	TUI_TITLE,        /* the top line */
	TUI_BAR,          /* status and help lines */
	TUI_SELECTED,     /* the cursor line of a list */
	TUI_LABEL,        /* "To:", "Subject:" */
	TUI_CLIENT,       /* transcript: what we sent */
	TUI_SERVER,       /* transcript: what the server said */
	TUI_INFO,         /* transcript: notes */
	TUI_ERROR,        /* errors, in the transcript and the status line */
	TUI_ATTR_COUNT_
};

/*
 * Start curses (raw keys, no echo, keypad, non-blocking reads) and the
 * self-pipe that SIGHUP and SIGTERM write to.  0, or -1 with *errstr.
 */
int tui_init(char **errstr);
/* Leave curses; the terminal is as it was.  Safe to call twice. */
void tui_end(void);
/* Suspend curses for a program that uses the terminal (an editor); tui_resume() after. */
void tui_suspend(void);
void tui_resume(void);

/* For draw.c: the terminal shows UTF-8; the curses attributes of a. */
int tui_utf8_terminal(void);
unsigned long tui_attr_bits(enum tui_attr a);

int tui_rows(void);
int tui_cols(void);

/* Blank line y with attribute a. */
void tui_clear_line(int y, enum tui_attr a);
/*
 * Draw s[0..n) (UTF-8 from anywhere: a server, a file, a header) at row y
 * from column x, in at most w columns: everything goes through the
 * sanitizer first, so control characters, bidi overrides and invalid
 * UTF-8 show as visible escapes and never reach the terminal.  Returns
 * the columns used.
 */
int tui_text(int y, int x, int w, const char *s, size_t n, enum tui_attr a);
int tui_str(int y, int x, int w, const char *s, enum tui_attr a);
/* tui_str(), ending in an ellipsis when s is cut at the width. */
int tui_str_cut(int y, int x, int w, const char *s, enum tui_attr a);
/*
 * The same for the text of a message (the pager, the composer's text,
 * the editor): the zero width non-joiner and joiner are left to shape
 * the letters, as sanitize_mode_append() does for SANITIZE_BODY.  Every
 * other line on the screen is a label and goes through tui_text().
 */
int tui_body(int y, int x, int w, const char *s, size_t n, enum tui_attr a);
/*
 * The same for text that is escaped already (a transcript line): drawn
 * as it is, but any control character, bidi control or invalid UTF-8
 * that got into it still shows as '?'.
 */
int tui_escaped_n(int y, int x, int w, const char *s, size_t n,
    enum tui_attr a);
/* The title line at the top and the line of keys above the status line. */
void tui_bars(const char *title, const char *help);
/* Put the terminal's cursor at (y, x); show or hide it. */
void tui_cursor(int y, int x);
void tui_cursor_show(int on);
/* Draw the next frame from a blank screen (what was under a closed screen goes). */
void tui_touch(void);
/* Show the screen as drawn. */
void tui_flush(void);

/*
 * The self-pipe: readable when SIGWINCH, SIGCHLD, SIGHUP or SIGTERM came.
 * tui_signals() empties it and says which (TUI_SIG_ bits).
 */
int tui_sigfd(void);
#define TUI_SIG_WINCH 0x1
#define TUI_SIG_CHLD  0x2
#define TUI_SIG_STOP  0x4
int tui_signals(void);
/* The terminal's new size into curses (after SIGWINCH). */
void tui_resize(void);
/* A key without waiting: TUI_GOT_KEY with *key, TUI_GOT_RESIZE, or TUI_GOT_NONE. */
enum { TUI_GOT_NONE, TUI_GOT_KEY, TUI_GOT_RESIZE };
int tui_getkey(int *key);
/* Throw away what the terminal sent while a program had it. */
void tui_drain_input(void);
/* As if sig had come (the terminal went away: SIGHUP). */
void tui_set_stop(int sig);

/* The stop signal that came (SIGHUP, SIGTERM), or 0. */
int tui_stop_signal(void);
/* Leave curses and die of the signal that stopped us. */
void tui_die(void);

/* The columns UTF-8 text s takes. */
int tui_width(const char *s);
/* The bytes of s[0..n) (UTF-8, escaped) that fit in w columns. */
size_t tui_fit(const char *s, size_t n, int w);
/* UTF-8 to code points (at most max); how many. */
size_t tui_utf8_decode(const char *s, wchar_t *out, size_t max);
/* Code points to UTF-8 (malloc'd; never NULL but when memory is out). */
char *tui_utf8_encode(const wchar_t *v, size_t n);
/* A prompt's line on row y: label, then v[0..len) scrolled so that cur shows, the cursor there. */
void tui_line(int y, const char *label, const wchar_t *v, size_t len,
    size_t cur);

#endif
