/* tui.c - the terminal under the interactive UI: curses setup, safe drawing, one poll() loop, the line editor. */
/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
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
static int (*bg_pollfd)(void *, int *, short *);
static void (*bg_step)(void *, short);
static void *bg_arg;

static void
on_stop(int sig)
{
	int saved = errno;
	char c = (char)sig;

	stop_sig = sig;
	/* A full pipe already holds a wake-up: nothing is lost. */
	(void)!write(sigpipe[1], &c, 1);
	errno = saved;
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
	util_catch_stop(on_stop);
	(void)raw();
	(void)noecho();
	(void)nonl();
	(void)keypad(stdscr, TRUE);
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
	(void)clearok(curscr, TRUE);
	(void)refresh();
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

void
tui_background(int (*pollfd)(void *, int *, short *),
    void (*step)(void *, short), void *arg)
{
	bg_pollfd = pollfd;
	bg_step = step;
	bg_arg = arg;
}

enum tui_event
tui_wait(int fd, short events, int timeout_ms, int *key, short *revents)
{
	struct pollfd pfd[3];
	wint_t wk;
	char drain[64];
	int n, r, bg = 0, bg_timeout = -1, wait_ms, caller_fd = fd;
	int64_t until = timeout_ms >= 0 ? util_now_us() +
	    (int64_t)timeout_ms * 1000 : -1;

	*key = 0;
	*revents = 0;
	for (;;) {
		/* A prompt or pager: the work behind it goes on. */
		bg = 0;
		if (caller_fd < 0 && bg_pollfd != NULL) {
			fd = -1;
			events = 0;
			bg_timeout = bg_pollfd(bg_arg, &fd, &events);
			bg = fd >= 0 || bg_timeout >= 0;
		}
		if (stop_sig != 0)
			return TUI_EV_STOP;
		/* What curses has buffered first: poll() cannot see it. */
		r = get_wch(&wk);
		if (r == KEY_CODE_YES) {
			if (wk == KEY_RESIZE)
				return TUI_EV_RESIZE;
			*key = func_key(wk);
			return TUI_EV_KEY;
		}
		if (r == OK) {
			*key = (int)wk;
			return TUI_EV_KEY;
		}
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigpipe[0];
		pfd[1].events = POLLIN;
		pfd[2].fd = fd;
		pfd[2].events = events;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		wait_ms = until < 0 ? -1 : (int)((until - util_now_us()) / 1000);
		if (until >= 0 && wait_ms < 0)
			wait_ms = 0;
		if (bg && bg_timeout >= 0 && (wait_ms < 0 || bg_timeout < wait_ms))
			wait_ms = bg_timeout;
		n = poll(pfd, fd >= 0 ? 3 : 2, wait_ms);
		if (n < 0) {
			/* SIGWINCH: curses has a KEY_RESIZE for us now. */
			if (errno == EINTR)
				continue;
			return TUI_EV_TIMEOUT;
		}
		if (n == 0 && bg) {
			bg_step(bg_arg, 0);
			if (until < 0 || util_now_us() < until)
				continue;
		}
		if (n == 0)
			return TUI_EV_TIMEOUT;
		if (pfd[1].revents != 0)
			while (read(sigpipe[0], drain, sizeof(drain)) > 0)
				;
		if (fd >= 0 && pfd[2].revents != 0) {
			if (bg) {
				bg_step(bg_arg, pfd[2].revents);
				continue;
			}
			*revents = pfd[2].revents;
			return TUI_EV_FD;
		}
		/* The terminal went away: as if SIGHUP had come. */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			stop_sig = SIGHUP;
			return TUI_EV_STOP;
		}
	}
}

/* --- the line editor ------------------------------------------------------ */

struct line {
	wchar_t v[LINE_MAX_CHARS + 1];
	size_t len, cur;
};

static void
line_set(struct line *l, const char *s)
{
	const char *p = s != NULL ? s : "";
	size_t k, n = strlen(p);
	wchar_t wc;

	l->len = 0;
	while (n > 0 && l->len < LINE_MAX_CHARS) {
		k = utf8_get(p, n, &wc);
		l->v[l->len++] = wc;
		p += k;
		n -= k;
	}
	l->v[l->len] = L'\0';
	l->cur = l->len;
}

static char *
line_get(const struct line *l)
{
	struct buf out;
	size_t i;

	buf_init(&out, LINE_MAX_CHARS * 4 + 1);
	for (i = 0; i < l->len; i++)
		if (utf8_put(&out, l->v[i]) < 0)
			break;
	if (out.data == NULL)
		return strdup("");
	return out.data;
}

static void
line_delete(struct line *l, size_t from, size_t to)
{
	if (to > l->len)
		to = l->len;
	if (from >= to)
		return;
	memmove(l->v + from, l->v + to, (l->len - to + 1) * sizeof(wchar_t));
	l->len -= to - from;
	if (l->cur > to)
		l->cur -= to - from;
	else if (l->cur > from)
		l->cur = from;
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

static void
line_draw(int y, const char *label, const struct line *l)
{
	int x, room, cw;
	size_t start = 0, i;

	tui_clear_line(y, TUI_NORMAL);
	x = tui_str(y, 0, COLS, label, TUI_LABEL);
	room = COLS - x - 1;
	if (room < 1)
		return;
	/* Scroll so that the cursor stays in view. */
	while (width_of(l->v, start, l->cur) > room)
		start++;
	(void)move(y, x);
	for (i = start; i < l->len; i++) {
		cw = wcwidth(l->v[i]);
		if (cw < 0 || !iswprint((wint_t)l->v[i]) || is_bidi(l->v[i]) ||
		    !showable(l->v[i])) {
			if (width_of(l->v, start, i) + 1 > room)
				break;
			(void)addch('?');
			continue;
		}
		if (width_of(l->v, start, i) + cw > room)
			break;
		(void)addnwstr(&l->v[i], 1);
	}
	(void)move(y, x + width_of(l->v, start, l->cur));
	(void)curs_set(1);
	(void)refresh();
}

char *
tui_readline(int y, const char *label, const char *init)
{
	return tui_readline_complete(y, label, init, NULL);
}

char *
tui_readline_complete(int y, const char *label, const char *init,
    char *(*complete)(const char *text))
{
	struct line *l = calloc(1, sizeof(*l));
	enum tui_event ev;
	short rev;
	int key;
	char *out = NULL;

	if (l == NULL)
		return NULL;
	line_set(l, init);
	for (;;) {
		line_draw(y, label, l);
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			break;
		if (ev != TUI_EV_KEY)
			continue;
		if (key == '\r' || key == '\n' || key == TUI_KEY_ENTER) {
			out = line_get(l);
			break;
		}
		if (key == 7 || key == 27)        /* C-g, Esc */
			break;
		if (key == '\t' && complete != NULL) {
			char *now = line_get(l), *more;

			more = now != NULL ? complete(now) : NULL;
			if (more != NULL)
				line_set(l, more);
			free(more);
			free(now);
			continue;
		}
		switch (key) {
		case 1:                            /* C-a */
		case TUI_KEY_HOME:
			l->cur = 0;
			break;
		case 5:                            /* C-e */
		case TUI_KEY_END:
			l->cur = l->len;
			break;
		case 2:                            /* C-b */
		case TUI_KEY_LEFT:
			if (l->cur > 0)
				l->cur--;
			break;
		case 6:                            /* C-f */
		case TUI_KEY_RIGHT:
			if (l->cur < l->len)
				l->cur++;
			break;
		case 8:                            /* C-h */
		case 127:
		case TUI_KEY_BACKSPACE:
			if (l->cur > 0)
				line_delete(l, l->cur - 1, l->cur);
			break;
		case 4:                            /* C-d */
		case TUI_KEY_DELETE:
			line_delete(l, l->cur, l->cur + 1);
			break;
		case 11:                           /* C-k */
			line_delete(l, l->cur, l->len);
			break;
		case 21:                           /* C-u */
			line_delete(l, 0, l->cur);
			break;
		case 23: {                         /* C-w */
			size_t from = l->cur;

			while (from > 0 && iswspace((wint_t)l->v[from - 1]))
				from--;
			while (from > 0 && !iswspace((wint_t)l->v[from - 1]))
				from--;
			line_delete(l, from, l->cur);
			break;
		}
		default:
			if (key >= TUI_KEY_FUNC || key < 0x20 || key == 0x7f ||
			    !iswprint((wint_t)key) || l->len >= LINE_MAX_CHARS)
				break;
			memmove(l->v + l->cur + 1, l->v + l->cur,
			    (l->len - l->cur + 1) * sizeof(wchar_t));
			l->v[l->cur++] = (wchar_t)key;
			l->len++;
			break;
		}
	}
	(void)curs_set(0);
	tui_clear_line(y, TUI_NORMAL);
	free(l);
	return out;
}

/* A typed character as an answer to a yes/no question: 1, 0 or -1. */
static int
key_yesno(int key)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n;

	if (key <= 0 || (key & TUI_KEY_FUNC) != 0)
		return -1;
	memset(&st, 0, sizeof(st));
	if ((n = wcrtomb(mb, (wchar_t)key, &st)) == (size_t)-1)
		return -1;
	mb[n] = '\0';
	return util_yesno(mb);
}

int
tui_yesno(int y, const char *question, int def)
{
	enum tui_event ev;
	short rev;
	int key, r;

	for (;;) {
		tui_clear_line(y, TUI_NORMAL);
		(void)tui_str(y, 0, COLS, question, TUI_LABEL);
		(void)refresh();
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			return -1;
		if (ev != TUI_EV_KEY)
			continue;
		tui_clear_line(y, TUI_NORMAL);
		if (key == '\r' || key == '\n')
			return def;
		if (key == 7 || key == 27)
			return -1;
		/* The locale's answers: j in German, o in French, y anywhere. */
		if ((r = key_yesno(key)) >= 0)
			return r;
	}
}
