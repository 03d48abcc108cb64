/* loop.c - the one poll() loop of the interactive UI: the terminal, the signal pipe, timers and every live session at once. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "util.h"

int
loop_add(struct app *a, const struct source_ops *ops, void *arg)
{
	if (a->nsrc == LOOP_SOURCES)
		return -1;
	a->src[a->nsrc].ops = ops;
	a->src[a->nsrc].arg = arg;
	a->src[a->nsrc].due = -1;
	a->nsrc++;
	return 0;
}

void
loop_remove(struct app *a, void *arg)
{
	size_t i;

	for (i = 0; i < a->nsrc; i++)
		if (a->src[i].arg == arg) {
			memmove(&a->src[i], &a->src[i + 1], (a->nsrc - i - 1) *
			    sizeof(a->src[0]));
			a->nsrc--;
			return;
		}
}

/* While a program has the terminal, ^C and ^\ are its, not ours. */
static void
ignore_keyboard_signals(int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? SIG_IGN : SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGQUIT, &sa, NULL);
}

void
loop_child(struct app *a, pid_t pid,
    void (*done)(struct app *a, void *arg, int status), void *arg)
{
	a->child = pid;
	a->child_done = done;
	a->child_arg = arg;
	ignore_keyboard_signals(1);
}

/* SIGCHLD: has the program that has the terminal ended? */
static void
reap(struct app *a)
{
	int st = 0;
	pid_t r;

	if (a->child == 0)
		return;
	while ((r = waitpid(a->child, &st, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return;
	if (r < 0)
		st = 0x7f00;   /* lost: as a failure */
	a->child = 0;
	ignore_keyboard_signals(0);
	tui_resume();
	tui_drain_input();
	a->redraw = 1;
	if (a->child_done != NULL)
		a->child_done(a, a->child_arg, st);
}

/* The earliest of two poll timeouts (-1: none). */
static int
sooner(int x, int y)
{
	return x < 0 ? y : y < 0 || x < y ? x : y;
}

/* The ms until the app's own timers: the status line, looking for due mail, mail coming due. */
static int
app_timers(struct app *a)
{
	int64_t now = util_now_us(), left;
	int t = -1;

	if (a->st.until > 0) {
		left = a->st.until - now;
		t = left <= 0 ? 0 : (int)(left / 1000) + 1;
	}
	if (!sending_busy(a)) {
		left = a->next_flush_us - now;
		t = sooner(t, left <= 0 ? 0 : (int)(left / 1000) + 1);
		/* A message held until now, a retry whose time has come. */
		t = sooner(t, sending_due_ms(a));
	}
	return t;
}

static void
run_timers(struct app *a)
{
	int64_t now = util_now_us();

	if (a->st.until > 0 && now >= a->st.until) {
		a->st.until = 0;
		a->redraw = 1;
	}
	if (!sending_busy(a) && now >= a->next_flush_us)
		sending_flush_due(a);
	sending_due_check(a);
}

/* Every key curses has (poll() cannot see what it buffered). */
static void
keys(struct app *a)
{
	int key, r;

	while (a->child == 0 && !a->quit && tui_stop_signal() == 0 &&
	    (r = tui_getkey(&key)) != TUI_GOT_NONE) {
		if (r == TUI_GOT_RESIZE) {
			screens_resize(a);
			continue;
		}
		/*
		 * A status message goes with the next key -- one it was seen
		 * before: not while a prompt has the bottom line.
		 */
		if (a->st.until > 0 && a->top != NULL &&
		    !(a->top->ops->flags & SCREEN_LINE)) {
			a->st.until = 0;
			a->redraw = 1;
		}
		(void)screens_key(a, key);
	}
}

static void
step_sources(struct app *a, const struct pollfd *pfd, void *const *slot,
    size_t npfd)
{
	const struct source_ops *ops;
	int64_t now = util_now_us();
	short rev;
	void *arg;
	size_t i, k;

	/*
	 * A step may add or remove sources (the array moves): each is known
	 * by its arg, and its events are the ones polled for that arg.
	 */
	for (i = 0; i < a->nsrc; i++) {
		rev = 0;
		for (k = 2; k < npfd; k++)
			if (slot[k] == a->src[i].arg)
				rev = pfd[k].revents;
		if (rev == 0 && (a->src[i].due < 0 || now < a->src[i].due))
			continue;
		ops = a->src[i].ops;
		arg = a->src[i].arg;
		ops->step(a, arg, rev);
		/* Removed: the next one moved into slot i. */
		if (i < a->nsrc && a->src[i].arg != arg)
			i--;
	}
}

void
loop_run(struct app *a)
{
	struct pollfd pfd[LOOP_SOURCES + 2], p;
	void *slot[LOOP_SOURCES + 2];
	int timeout, t, sig, n, first = 1;
	size_t i, npfd;

	while (!a->quit) {
		keys(a);
		if (tui_stop_signal() != 0) {
			app_stopped(a);
			return;
		}
		/*
		 * What is due runs before the frame, so the frame shows what it
		 * did -- but the first frame comes first (a big folder shows its
		 * newest messages, then reads the rest).
		 */
		timeout = first ? 0 : screens_tick(a);
		first = 0;
		run_timers(a);
		if (a->quit)
			break;
		if (a->child == 0) {
			if (a->redraw)
				tui_touch();
			a->redraw = 0;
			screens_draw(a);
			tui_flush();
		}
		/* The terminal (not while a program has it), the signals, each source. */
		pfd[0].fd = a->child == 0 ? 0 : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = tui_sigfd();
		pfd[1].events = POLLIN;
		npfd = 2;
		timeout = sooner(timeout, app_timers(a));
		for (i = 0; i < a->nsrc; i++) {
			p.fd = -1;
			p.events = 0;
			t = a->src[i].ops->pollfd(a, a->src[i].arg, &p);
			a->src[i].due = t >= 0 ? util_now_us() + (int64_t)t * 1000 :
			    -1;
			timeout = sooner(timeout, t);
			if (p.fd >= 0) {
				pfd[npfd] = p;
				slot[npfd++] = a->src[i].arg;
			}
		}
		for (i = 0; i < npfd; i++)
			pfd[i].revents = 0;
		n = poll(pfd, npfd, timeout);
		if (n < 0 && errno != EINTR)
			break;
		sig = pfd[1].revents != 0 || n < 0 ? tui_signals() : 0;
		if (sig & TUI_SIG_WINCH) {
			tui_resize();
			screens_resize(a);
			a->redraw = 1;
		}
		if (sig & TUI_SIG_CHLD)
			reap(a);
		/* The terminal went away: as if SIGHUP had come. */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			tui_set_stop(SIGHUP);
		if (tui_stop_signal() != 0)
			continue;
		step_sources(a, pfd, slot, npfd);
	}
}
