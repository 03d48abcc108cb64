/* tui.c - the terminal under the interactive UI: curses setup and teardown, colours, safe drawing, keys and signals. */
/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#ifdef HAVE_NCURSESW_CURSES_H
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#else
#include <curses.h>
#include <term.h>
#endif

#include "i18n.h"
#include "tui.h"
#include "util.h"


static int started;
static int atexit_set;
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
	/*
	 * Whatever way the program ends (an exit() deep in a library, a
	 * fatal error), the terminal is given back first.
	 */
	if (!atexit_set && atexit(tui_end) == 0)
		atexit_set = 1;
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
tui_utf8_terminal(void)
{
	return utf8_terminal;
}

unsigned long
tui_attr_bits(enum tui_attr a)
{
	return (unsigned long)attrs[a];
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

