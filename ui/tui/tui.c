/* tui.c - the terminal under the interactive UI: curses setup and teardown, colours, safe drawing, keys and signals. */
/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#ifdef HAVE_NCURSESW_CURSES_H
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#else
#include <curses.h>
#include <term.h>
#endif

#include "buf.h"
#include "charset.h"
#include "i18n.h"
#include "sanitize.h"
#include "tui.h"
#include "util.h"

#define LINE_MAX_CHARS 4096
#define TEXT_MAX (64 * 1024)

static int started;
static int utf8_terminal;      /* the locale's charset is UTF-8 */
static int saved_stderr = -1;
static int sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_sig;
static attr_t attrs[TUI_ATTR_COUNT_];
static volatile sig_atomic_t winch_sig, chld_sig;

/*
 * Every signal the UI cares about is a byte in the self-pipe, so the
 * one poll() wakes for it, and a flag says which (a full pipe already
 * holds a wake-up: nothing is lost).
 */
static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGWINCH)
		winch_sig = 1;
	else if (sig == SIGCHLD)
		chld_sig = 1;
	else
		stop_sig = sig;
	(void)!write(sigpipe[1], &c, 1);
	errno = saved;
}

static void
catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	(void)sigaction(sig, &sa, NULL);
}

static void
set_colours(void)
{
	const char *nc = getenv("NO_COLOR");
	int colour = nc == NULL || *nc == '\0';

	attrs[TUI_NORMAL] = A_NORMAL;
	attrs[TUI_TITLE] = A_REVERSE | A_BOLD;
	attrs[TUI_BAR] = A_REVERSE;
	attrs[TUI_SELECTED] = A_REVERSE;
	attrs[TUI_LABEL] = A_BOLD;
	attrs[TUI_CLIENT] = A_NORMAL;
	attrs[TUI_SERVER] = A_NORMAL;
	attrs[TUI_INFO] = A_DIM;
	attrs[TUI_ERROR] = A_BOLD;
	if (!colour || !has_colors() || start_color() == ERR)
		return;
	(void)use_default_colors();
	if (init_pair(1, COLOR_CYAN, -1) == OK)
		attrs[TUI_CLIENT] = COLOR_PAIR(1);
	if (init_pair(2, COLOR_GREEN, -1) == OK)
		attrs[TUI_SERVER] = COLOR_PAIR(2);
	if (init_pair(3, COLOR_RED, -1) == OK)
		attrs[TUI_ERROR] = COLOR_PAIR(3) | A_BOLD;
	if (init_pair(4, COLOR_YELLOW, -1) == OK)
		attrs[TUI_INFO] = COLOR_PAIR(4);
	if (init_pair(5, COLOR_WHITE, COLOR_BLUE) == OK) {
		attrs[TUI_TITLE] = COLOR_PAIR(5) | A_BOLD;
		attrs[TUI_BAR] = COLOR_PAIR(5);
	}
}

/*
 * Under curses, a stray write to stderr (a warning from a library, a
 * password command) would tear the screen: it goes to /dev/null until
 * the terminal is handed back.
 */
static void
quiet_stderr(int on)
{
	int fd;

	if (on && saved_stderr < 0) {
		if ((saved_stderr = dup(STDERR_FILENO)) < 0)
			return;
		(void)fcntl(saved_stderr, F_SETFD, FD_CLOEXEC);
		if ((fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) >= 0) {
			(void)dup2(fd, STDERR_FILENO);
			(void)close(fd);
		}
	} else if (!on && saved_stderr >= 0) {
		(void)dup2(saved_stderr, STDERR_FILENO);
		(void)close(saved_stderr);
		saved_stderr = -1;
	}
}

/*
 * Can the terminal in $TERM show the screen?  Asked of terminfo before
 * curses writes a byte: a dumb terminal (TERM=dumb, an editor's shell
 * buffer, a serial console) or an unset or unknown TERM would get a
 * screen of garbage.  The UI needs cursor addressing and clearing.
 */
static int
terminal_usable(char **errstr)
{
	const char *term = getenv("TERM");
	const char *cup, *clr;
	TERMINAL *saved = cur_term, *t;
	int err = 0, ok;

	if (term == NULL || *term == '\0') {
		util_seterr(errstr, _("TERM is not set: the interactive UI "
		    "needs to know the terminal"));
		return 0;
	}
	if (setupterm(term, STDOUT_FILENO, &err) != OK) {
		util_seterr(errstr, _("the terminal type '%s' (TERM) is "
		    "unknown here"), term);
		return 0;
	}
	cup = tigetstr("cup");
	clr = tigetstr("clear");
	ok = cup != NULL && cup != (char *)-1 && clr != NULL &&
	    clr != (char *)-1 && tigetflag("hc") <= 0;
	t = set_curterm(saved);
	(void)del_curterm(t);
	if (!ok)
		util_seterr(errstr, _("the terminal type '%s' (TERM) cannot "
		    "move the cursor: the interactive UI needs one that can"),
		    term);
	return ok;
}

/*
 * Home and End as terminals send them whatever their terminfo entry says:
 * the VT220 way (tmux, screen, the Linux console, PuTTY: ESC[1~ ESC[4~),
 * rxvt's (ESC[7~ ESC[8~) and xterm's in both cursor modes.  Sequences the
 * entry already has keep their meaning.
 */
static void
home_end_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} more[] = {
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },
		{ "\033[7~", KEY_HOME }, { "\033[8~", KEY_END },
		{ "\033[H", KEY_HOME }, { "\033[F", KEY_END },
		{ "\033OH", KEY_HOME }, { "\033OF", KEY_END },
	};
	size_t i;

	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (key_defined(more[i].seq) == 0)
			(void)define_key(more[i].seq, more[i].key);
}

int
tui_init(char **errstr)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		util_seterr(errstr, _("the interactive UI needs a terminal"));
		return -1;
	}
	/* Once per process: a second tui_init() (after a first-run form) reuses it. */
	if (sigpipe[0] < 0 && (pipe(sigpipe) < 0 ||
	    fcntl(sigpipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sigpipe[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sigpipe[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(sigpipe[1], F_SETFD, FD_CLOEXEC) < 0)) {
		util_seterr(errstr, _("cannot set up signals: %s"),
		    strerror(errno));
		return -1;
	}
	if (!terminal_usable(errstr))
		return -1;
	/* newterm() rather than initscr(): an unknown $TERM is an error, not an exit. */
	if (newterm(NULL, stdout, stdin) == NULL) {
		util_seterr(errstr, _("cannot use this terminal (TERM=%s)"),
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	started = 1;
	utf8_terminal = strcasecmp(nl_langinfo(CODESET), "UTF-8") == 0;
	quiet_stderr(1);
	util_catch_stop(on_signal);
	/* Ours, not curses': a resize wakes the poll() like any signal. */
	catch(SIGWINCH, on_signal);
	catch(SIGCHLD, on_signal);
	(void)raw();
	(void)noecho();
	(void)nonl();
	(void)keypad(stdscr, TRUE);
	home_end_keys();
	(void)nodelay(stdscr, TRUE);
	(void)curs_set(0);
	set_escdelay(50);
	set_colours();
	return 0;
}

void
tui_end(void)
{
	if (!started)
		return;
	started = 0;
	(void)endwin();
	quiet_stderr(0);
	util_catch_stop(NULL);
	catch(SIGWINCH, SIG_DFL);
	catch(SIGCHLD, SIG_DFL);
}

void
tui_suspend(void)
{
	(void)def_prog_mode();
	(void)endwin();
	quiet_stderr(0);
}

void
tui_resume(void)
{
	quiet_stderr(1);
	(void)reset_prog_mode();
	/*
	 * What the program left behind is gone: the keypad mode and the
	 * cursor are set again, answers the terminal gave to the program's
	 * queries (they arrive late) are not taken as keys, and the next
	 * refresh redraws every cell, whatever the program wrote.
	 */
	(void)keypad(stdscr, TRUE);
	(void)curs_set(0);
	(void)flushinp();
	(void)clearok(curscr, TRUE);
	(void)refresh();
}

/* Read what the terminal answered late and throw it away (after a program had it). */
void
tui_drain_input(void)
{
	wint_t wk;

	(void)flushinp();
	while (get_wch(&wk) != ERR)
		;
}

int
tui_rows(void)
{
	return LINES;
}

int
tui_cols(void)
{
	return COLS;
}

void
tui_clear_line(int y, enum tui_attr a)
{
	int x;

	if (y < 0 || y >= LINES)
		return;
	(void)attrset(attrs[a]);
	for (x = 0; x < COLS; x++)
		(void)mvaddch(y, x, ' ');
	(void)attrset(A_NORMAL);
}

/*
 * Text inside pigeon is UTF-8 and a wchar_t is a Unicode code point
 * (__STDC_ISO_10646__), whatever the locale: decoded and encoded here,
 * not with the locale's mbrtowc(), curses converts to the terminal's
 * charset at the edge.
 */
static size_t
utf8_get(const char *p, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t k = charset_utf8_seq(u, n);

	switch (k) {
	case 1:
		*wc = u[0];
		return 1;
	case 2:
		*wc = (wchar_t)(((u[0] & 0x1f) << 6) | (u[1] & 0x3f));
		return 2;
	case 3:
		*wc = (wchar_t)(((u[0] & 0x0f) << 12) | ((u[1] & 0x3f) << 6) |
		    (u[2] & 0x3f));
		return 3;
	case 4:
		*wc = (wchar_t)(((u[0] & 0x07) << 18) | ((u[1] & 0x3f) << 12) |
		    ((u[2] & 0x3f) << 6) | (u[3] & 0x3f));
		return 4;
	default:
		*wc = L'?';
		return 1;
	}
}

static int
utf8_put(struct buf *b, wchar_t wc)
{
	unsigned long c = (unsigned long)wc;
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		if (c >= 0xd800 && c <= 0xdfff)
			return buf_addch(b, '?');
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else if (c < 0x110000) {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	} else {
		return buf_addch(b, '?');
	}
	return buf_add(b, u, n);
}

/* Can the terminal's charset show wc?  Always in a UTF-8 locale. */
static int
showable(wchar_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;

	if (utf8_terminal || wc < 0x80)
		return 1;
	memset(&st, 0, sizeof(st));
	return wcrtomb(mb, wc, &st) != (size_t)-1;
}

/* Bidi controls: they could reorder what follows on the terminal. */
static int
is_bidi(wchar_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* How draw_text() takes its text. */
enum text_kind {
	TEXT_LABEL,      /* from anywhere: escaped as a label */
	TEXT_BODY,       /* the text of a message: the joiners stay */
	TEXT_ESCAPED,    /* escaped already (a transcript line) */
};

static int
draw_text(int y, int x, int w, const char *s, size_t n, enum tui_attr a,
    enum text_kind kind)
{
	struct buf safe;
	const char *p, *end;
	wchar_t wc;
	size_t k;
	int used = 0, cw;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return 0;
	if (w > COLS - x)
		w = COLS - x;
	buf_init(&safe, TEXT_MAX);
	if (kind == TEXT_ESCAPED) {
		if (buf_add(&safe, s != NULL ? s : "", s != NULL ? n : 0) < 0)
			(void)buf_addstr(&safe, "...");
	} else if (sanitize_mode_append(&safe, s != NULL ? s : "", s != NULL ?
	    n : 0, kind == TEXT_BODY ? SANITIZE_BODY : SANITIZE_LABEL) < 0) {
		(void)buf_addstr(&safe, "...");
	}
	(void)attrset(attrs[a]);
	(void)move(y, x);
	p = buf_str(&safe);
	end = p + safe.len;
	while (p < end) {
		k = utf8_get(p, (size_t)(end - p), &wc);
		cw = wcwidth(wc);
		/* Not printable, or not in the terminal's charset: a '?'. */
		if (cw < 0 || is_bidi(wc) || !iswprint((wint_t)wc) ||
		    !showable(wc)) {
			wc = L'?';
			cw = 1;
		}
		if (used + cw > w)
			break;
		if (cw > 0 || used > 0)
			(void)addnwstr(&wc, 1);
		used += cw;
		p += k;
	}
	(void)attrset(A_NORMAL);
	buf_free(&safe);
	return used;
}

int
tui_text(int y, int x, int w, const char *s, size_t n, enum tui_attr a)
{
	return draw_text(y, x, w, s, n, a, TEXT_LABEL);
}

int
tui_body(int y, int x, int w, const char *s, size_t n, enum tui_attr a)
{
	return draw_text(y, x, w, s, n, a, TEXT_BODY);
}

int
tui_str(int y, int x, int w, const char *s, enum tui_attr a)
{
	return draw_text(y, x, w, s, s != NULL ? strlen(s) : 0, a, TEXT_LABEL);
}

int
tui_escaped_n(int y, int x, int w, const char *s, size_t n, enum tui_attr a)
{
	return draw_text(y, x, w, s, n, a, TEXT_ESCAPED);
}

int
tui_escaped(int y, int x, int w, const char *s, enum tui_attr a)
{
	return draw_text(y, x, w, s, s != NULL ? strlen(s) : 0, a,
	    TEXT_ESCAPED);
}

void
tui_bars(const char *title, const char *help)
{
	tui_clear_line(0, TUI_TITLE);
	(void)tui_str(0, 1, COLS - 2, title, TUI_TITLE);
	tui_clear_line(LINES - 2, TUI_BAR);
	(void)tui_str(LINES - 2, 1, COLS - 2, help, TUI_BAR);
}

void
tui_cursor(int y, int x)
{
	(void)move(y, x);
}

void
tui_cursor_show(int on)
{
	(void)curs_set(on ? 1 : 0);
}

void
tui_flush(void)
{
	(void)refresh();
}

int
tui_stop_signal(void)
{
	return stop_sig;
}

void
tui_die(void)
{
	int sig = stop_sig != 0 ? stop_sig : SIGTERM;

	tui_end();
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
	_exit(128 + sig);
}

/* A curses KEY_ code as one of ours. */
static int
func_key(wint_t k)
{
	switch (k) {
	case KEY_UP:
		return TUI_KEY_UP;
	case KEY_DOWN:
		return TUI_KEY_DOWN;
	case KEY_LEFT:
		return TUI_KEY_LEFT;
	case KEY_RIGHT:
		return TUI_KEY_RIGHT;
	case KEY_HOME:
		return TUI_KEY_HOME;
	case KEY_END:
		return TUI_KEY_END;
	case KEY_BACKSPACE:
		return TUI_KEY_BACKSPACE;
	case KEY_DC:
		return TUI_KEY_DELETE;
	case KEY_ENTER:
		return TUI_KEY_ENTER;
	case KEY_PPAGE:
		return TUI_KEY_PGUP;
	case KEY_NPAGE:
		return TUI_KEY_PGDN;
	default:
		return TUI_KEY_OTHER;
	}
}


int
tui_sigfd(void)
{
	return sigpipe[0];
}

int
tui_signals(void)
{
	char drain[64];
	int r = 0;

	while (read(sigpipe[0], drain, sizeof(drain)) > 0)
		;
	if (winch_sig) {
		winch_sig = 0;
		r |= TUI_SIG_WINCH;
	}
	if (chld_sig) {
		chld_sig = 0;
		r |= TUI_SIG_CHLD;
	}
	if (stop_sig != 0)
		r |= TUI_SIG_STOP;
	return r;
}

void
tui_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		(void)resize_term(ws.ws_row, ws.ws_col);
	(void)clearok(curscr, TRUE);
}

int
tui_getkey(int *key)
{
	wint_t wk;
	int r = get_wch(&wk);

	if (r == KEY_CODE_YES) {
		if (wk == KEY_RESIZE)
			return TUI_GOT_RESIZE;
		*key = func_key(wk);
		return TUI_GOT_KEY;
	}
	if (r == OK) {
		*key = (int)wk;
		return TUI_GOT_KEY;
	}
	return TUI_GOT_NONE;
}

void
tui_set_stop(int sig)
{
	stop_sig = sig;
}

/* --- the line of a prompt ---------------------------------------------------- */

size_t
tui_utf8_decode(const char *s, wchar_t *out, size_t max)
{
	size_t k, n = s != NULL ? strlen(s) : 0, len = 0;
	wchar_t wc;

	while (n > 0 && len < max) {
		k = utf8_get(s, n, &wc);
		out[len++] = wc;
		s += k;
		n -= k;
	}
	return len;
}

char *
tui_utf8_encode(const wchar_t *v, size_t n)
{
	struct buf out;
	size_t i;

	buf_init(&out, n * 4 + 1);
	for (i = 0; i < n; i++)
		if (utf8_put(&out, v[i]) < 0)
			break;
	if (out.data == NULL)
		return strdup("");
	return out.data;
}

/* Columns of v[from..to). */
static int
width_of(const wchar_t *v, size_t from, size_t to)
{
	int w = 0, c;

	for (; from < to; from++) {
		c = wcwidth(v[from]);
		w += c > 0 ? c : 1;
	}
	return w;
}

void
tui_line(int y, const char *label, const wchar_t *v, size_t len, size_t cur)
{
	int x, room, cw;
	size_t start = 0, i;

	tui_clear_line(y, TUI_NORMAL);
	x = tui_str(y, 0, COLS, label, TUI_LABEL);
	room = COLS - x - 1;
	if (room < 1)
		return;
	/* Scroll so that the cursor stays in view. */
	while (width_of(v, start, cur) > room)
		start++;
	(void)move(y, x);
	for (i = start; i < len; i++) {
		cw = wcwidth(v[i]);
		if (cw < 0 || !iswprint((wint_t)v[i]) || is_bidi(v[i]) ||
		    !showable(v[i])) {
			if (width_of(v, start, i) + 1 > room)
				break;
			(void)addch('?');
			continue;
		}
		if (width_of(v, start, i) + cw > room)
			break;
		(void)addnwstr(&v[i], 1);
	}
	(void)move(y, x + width_of(v, start, cur));
	(void)curs_set(1);
}

void
tui_touch(void)
{
	(void)erase();
}

size_t
tui_fit(const char *s, size_t n, int w)
{
	size_t at = 0, k;
	wchar_t wc;
	int used = 0, cw;

	while (at < n) {
		k = utf8_get(s + at, n - at, &wc);
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (used + cw > w)
			break;
		used += cw;
		at += k;
	}
	return at;
}

int
tui_str_cut(int y, int x, int w, const char *s, enum tui_attr a)
{
	const char *more = utf8_terminal ? "\xe2\x80\xa6" : "...";
	int mw = utf8_terminal ? 1 : 3, used;
	struct buf safe;
	size_t k;

	if (w <= mw)
		return tui_str(y, x, w, s, a);
	buf_init(&safe, TEXT_MAX);
	if (sanitize_append(&safe, s != NULL ? s : "", s != NULL ? strlen(s) :
	    0) < 0)
		(void)buf_addstr(&safe, "...");
	/* Too long for the line: cut, and say so with an ellipsis. */
	if (tui_fit(buf_str(&safe), safe.len, w) < safe.len) {
		k = tui_fit(buf_str(&safe), safe.len, w - mw);
		used = draw_text(y, x, w - mw, buf_str(&safe), k, a,
		    TEXT_ESCAPED);
		used += draw_text(y, x + used, mw, more, strlen(more), a,
		    TEXT_ESCAPED);
	} else {
		used = draw_text(y, x, w, buf_str(&safe), safe.len, a,
		    TEXT_ESCAPED);
	}
	buf_free(&safe);
	return used;
}

int
tui_width(const char *s)
{
	size_t n = strlen(s), k;
	wchar_t wc;
	int w = 0, cw;

	while (n > 0) {
		k = utf8_get(s, n, &wc);
		cw = wcwidth(wc);
		w += cw > 0 ? cw : cw < 0 ? 1 : 0;
		s += k;
		n -= k;
	}
	return w;
}
