/* pane.c - the transcript pane of the interactive UI: the core's transcript ring drawn live below the screens, or on a screen of its own. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "i18n.h"

enum {
	PANE_TOGGLE = 1,
	PANE_FULL,
	PANE_BIGGER,
	PANE_SMALLER,
};

const struct keydef pane_keys[] = {
	{ 'v', PANE_TOGGLE, NULL, N_("show or hide the SMTP transcript") },
	{ 'V', PANE_FULL, NULL, N_("the transcript on the whole screen "
	    "(scroll, search, save)") },
	{ '>', PANE_BIGGER, NULL, N_("a bigger transcript pane") },
	{ '<', PANE_SMALLER, NULL, N_("a smaller transcript pane") },
	{ 0, 0, NULL, NULL },
};

static enum tui_attr
attr_of(const struct tr_event *ev)
{
	switch (ev->kind) {
	case TR_CLIENT:
		return TUI_CLIENT;
	case TR_SERVER:
		return TUI_SERVER;
	case TR_WARN:
	case TR_ERROR:
		return TUI_ERROR;
	default:
		return TUI_INFO;
	}
}

/* Is event i shown (the data and the engine's states are not)? */
static int
shown(const struct tr_event *ev)
{
	return ev != NULL && ev->kind != TR_DATA && ev->kind != TR_STATE;
}

static void
draw_event(int y, const struct tr_event *ev)
{
	struct buf b;

	buf_init(&b, 64 * 1024);
	if (transcript_format(ev, &b) == 0)
		(void)tui_escaped_n(y, 0, tui_cols(), buf_str(&b), b.len,
		    attr_of(ev));
	buf_free(&b);
}

int
pane_height(const struct app *a)
{
	int h = a->pane.height;

	if (!a->pane.shown)
		return 0;
	if (h > tui_rows() - 6)
		h = tui_rows() - 6;
	return h > 2 ? h : 0;
}

void
pane_draw(struct app *a, int top, int h)
{
	size_t n = a->tr != NULL ? transcript_count(a->tr) : 0, i;
	const struct tr_event *ev;
	int y;

	if (h <= 0)
		return;
	tui_clear_line(top, TUI_BAR);
	(void)tui_str(top, 1, tui_cols() - 2, _("SMTP transcript (v: hide, "
	    "V: whole screen, < >: size)"), TUI_BAR);
	for (y = top + 1; y < top + h; y++)
		tui_clear_line(y, TUI_NORMAL);
	/* The live end: the newest lines, bottom up. */
	for (i = n, y = top + h - 1; i > 0 && y > top; i--) {
		ev = transcript_get(a->tr, i - 1);
		if (!shown(ev))
			continue;
		draw_event(y--, ev);
	}
}

/* --- the pane on the whole screen ------------------------------------------ */

enum {
	FULL_BACK = 1,
	FULL_SAVE,
};

static const struct keydef full_keys[] = {
	{ 'q', FULL_BACK, N_("back"), N_("back to the screen before") },
	{ 'V', 0, NULL, NULL },
	{ KEY_ESC, 0, NULL, NULL },
	{ 'S', FULL_SAVE, N_("save"), N_("save the transcript to a file") },
	{ 0, 0, NULL, NULL },
};

struct full {
	struct screen s;
	struct app *a;
	struct list l;             /* over the events of the ring */
	int live;                  /* the cursor stays on the newest */
};

static void
full_draw(struct app *a, struct screen *s)
{
	struct full *f = (struct full *)s;
	int rows = tui_rows(), y;
	size_t i, n = transcript_count(a->tr);
	char title[256];

	if (f->live || f->l.cur >= n)
		f->l.cur = n > 0 ? n - 1 : 0;
	f->l.n = n;
	list_fit(&f->l, rows > 4 ? (size_t)(rows - 3) : 1);
	for (y = 1, i = f->l.top; y < rows - 2; y++, i++) {
		tui_clear_line(y, i == f->l.cur && !f->live ? TUI_SELECTED :
		    TUI_NORMAL);
		/* All of it here, the engine's states too. */
		if (i < n)
			draw_event(y, transcript_get(a->tr, i));
	}
	(void)snprintf(title, sizeof(title), P_("SMTP transcript, whole "
	    "screen: %zu line%s", "SMTP transcript, whole screen: %zu lines%s",
	    n), n, f->live ? _(" (live: new lines show "
	    "as they come)") : "");
	app_bars(a, s, title);
}

static void
full_free(struct screen *s)
{
	struct full *f = (struct full *)s;

	list_free(&f->l);
	free(f);
}

/* S: the pane's lines to a file, asking before replacing one. */
struct save {
	struct app *a;
	char *path;
};

static void
write_file(struct app *a, const char *path)
{
	size_t i, n = transcript_count(a->tr), lines = 0;
	struct buf b;
	FILE *fp;
	int fd, ok = 1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		app_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return;
	}
	buf_init(&b, 64 * 1024);
	for (i = 0; i < n; i++) {
		const struct tr_event *ev = transcript_get(a->tr, i);

		if (!shown(ev))
			continue;
		buf_reset(&b);
		if (transcript_format(ev, &b) < 0 || fputs(buf_str(&b), fp) ==
		    EOF || fputc('\n', fp) == EOF)
			ok = 0;
		lines++;
	}
	buf_free(&b);
	if (fclose(fp) != 0)
		ok = 0;
	if (ok)
		app_status(a, TUI_NORMAL, _("transcript saved to %s (%zu "
		    "lines)"), path, lines);
	else
		app_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
}

static void
replace_answered(struct app *a, void *arg, int yes)
{
	char *path = arg;

	if (yes == 1)
		write_file(a, path);
	free(path);
}

static void
path_given(struct app *a, void *arg, char *path)
{
	struct stat st;

	(void)arg;
	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	if (stat(path, &st) == 0) {
		prompt_yesno(a, _("The file exists. Replace it? (y/n) "), 0,
		    replace_answered, path);
		return;
	}
	write_file(a, path);
	free(path);
}

static int
full_act(struct app *a, struct screen *s, int action, int key)
{
	struct full *f = (struct full *)s;

	(void)key;
	switch (action) {
	case FULL_BACK:
		screen_close(a, s);
		return 1;
	case FULL_SAVE:
		prompt_line(a, _("Save the transcript to: "), NULL,
		    prompt_complete_path, path_given, NULL);
		return 1;
	case LIST_END:
		f->live = 1;
		return 0;
	default:
		/* Any move leaves the live end; End goes back to it. */
		if (action >= LIST_DOWN && action <= LIST_PREV)
			f->live = 0;
		return 0;
	}
}

static struct list *
full_list(struct screen *s)
{
	return &((struct full *)s)->l;
}

static const char *
full_line(void *s, size_t i, struct buf *scratch)
{
	struct full *f = s;
	const struct tr_event *ev = transcript_get(f->a->tr, i);

	if (ev == NULL || transcript_format(ev, scratch) < 0)
		return NULL;
	return buf_str(scratch);
}

static const struct screen_ops full_ops = {
	.title = N_("The SMTP transcript"),
	.keys = full_keys,
	.flags = SCREEN_NOPANE,
	.draw = full_draw,
	.act = full_act,
	.free = full_free,
	.list = full_list,
	.line = full_line,
};

int
pane_key(struct app *a, int key)
{
	struct full *f;

	switch (keys_action(pane_keys, key)) {
	case PANE_TOGGLE:
		a->pane.shown = !a->pane.shown;
		return 1;
	case PANE_FULL:
		if (a->tr == NULL || (f = calloc(1, sizeof(*f))) == NULL)
			return 1;
		f->s.ops = &full_ops;
		f->a = a;
		f->live = 1;
		screen_push(a, &f->s);
		return 1;
	case PANE_BIGGER:
		if (a->pane.height < tui_rows() - 6)
			a->pane.height++;
		a->pane.shown = 1;
		return 1;
	case PANE_SMALLER:
		if (a->pane.height > 3)
			a->pane.height--;
		return 1;
	default:
		return 0;
	}
}

void
pane_follow(struct app *a)
{
	struct screen *s;

	a->pane.shown = 1;
	for (s = a->top; s != NULL; s = s->below)
		if (s->ops == &full_ops)
			((struct full *)s)->live = 1;
}
