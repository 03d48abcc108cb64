/* tui.h - the terminal under the interactive UI: curses setup, safe drawing, one poll() loop, the line editor. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TUI_H
#define PIGEON_TUI_H

#include <stddef.h>
#include <wchar.h>

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
int tui_escaped(int y, int x, int w, const char *s, enum tui_attr a);
/* The title line at the top and the line of keys above the status line. */
void tui_bars(const char *title, const char *help);
/* Put the terminal's cursor at (y, x); show or hide it. */
void tui_cursor(int y, int x);
void tui_cursor_show(int on);
/* Show the screen as drawn. */
void tui_flush(void);

/* What ended a wait. */
enum tui_event {
	TUI_EV_KEY,       /* *key holds it (a character or a KEY_ code) */
	TUI_EV_RESIZE,    /* the terminal changed size: redraw */
	TUI_EV_FD,        /* the extra descriptor is ready: *revents */
	TUI_EV_TIMEOUT,
	TUI_EV_STOP,      /* SIGHUP or SIGTERM: save what matters, then tui_die() */
};
/* Function keys in *key: above every character. */
#define TUI_KEY_FUNC 0x40000000
enum {
	TUI_KEY_UP = TUI_KEY_FUNC + 1,
	TUI_KEY_DOWN,
	TUI_KEY_LEFT,
	TUI_KEY_RIGHT,
	TUI_KEY_HOME,
	TUI_KEY_END,
	TUI_KEY_BACKSPACE,
	TUI_KEY_DELETE,
	TUI_KEY_ENTER,
	TUI_KEY_PGUP,
	TUI_KEY_PGDN,
	TUI_KEY_OTHER,
};

/*
 * Wait for a key, a signal, the descriptor fd (events; -1: none) or
 * timeout_ms (-1: none).  Keys are read without blocking, so a slow
 * server never freezes the screen.
 */
enum tui_event tui_wait(int fd, short events, int timeout_ms, int *key,
    short *revents);
/*
 * Work that goes on behind any prompt or pager (a send in progress):
 * when a wait is given no descriptor of its own, it also waits for what
 * pollfd() asks (fd -1: nothing now; returns a timeout in ms or -1) and
 * calls step() with the events (0 when that timeout passed).  NULL
 * functions: none.
 */
void tui_background(int (*pollfd)(void *arg, int *fd, short *events),
    void (*step)(void *arg, short revents), void *arg);

/* The signal behind TUI_EV_STOP. */
int tui_stop_signal(void);
/* Leave curses and die of the signal that stopped us. */
void tui_die(void);

/*
 * Edit one line on row y after label: Emacs keys (C-a, C-e, C-b, C-f,
 * C-d, C-h, C-k, C-u, C-w, arrows, Home, End), UTF-8 aware.  init is the
 * starting text (may be NULL).  Returns the text (malloc'd UTF-8), or
 * NULL when the user cancelled (C-g, Esc) or a stop signal came (then
 * tui_stop_signal() is non-zero).
 */
char *tui_readline(int y, const char *label, const char *init);
/*
 * The same with Tab completion: complete(text) returns the completed text
 * (malloc'd) or NULL when there is nothing to add.
 */
char *tui_readline_complete(int y, const char *label, const char *init,
    char *(*complete)(const char *text));
/* Ask a yes/no question on row y; 1 yes, 0 no, -1 cancelled. */
int tui_yesno(int y, const char *question, int def);

#endif
