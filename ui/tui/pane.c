/* pane.c - the transcript pane of the interactive UI: the SMTP dialogue as it happens, scrolled, searched, saved. */
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

void
pane_add(struct pane *p, const char *s, size_t n, enum tui_attr attr)
{
	size_t slot = (p->head + p->n) % PANE_LINES;
	char *copy = strndup(s, n);

	if (copy == NULL)
		return;
	if (p->n == PANE_LINES) {
		free(p->line[p->head]);
		p->line[p->head] = copy;
		p->attr[p->head] = attr;
		p->head = (p->head + 1) % PANE_LINES;
		return;
	}
	p->line[slot] = copy;
	p->attr[slot] = attr;
	p->n++;
}

void
pane_free(struct pane *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->line[(p->head + i) % PANE_LINES]);
	p->n = 0;
	free(p->search);
	p->search = NULL;
}

/* A transcript writer: every event but the data as a line of the pane. */
void
pane_writer(void *arg, const struct tr_event *ev)
{
	struct pane *p = arg;
	struct buf b;
	enum tui_attr attr;

	if (ev->kind == TR_DATA || ev->kind == TR_STATE)
		return;
	buf_init(&b, 64 * 1024);
	if (transcript_format(ev, &b) == 0) {
		switch (ev->kind) {
		case TR_CLIENT:
			attr = TUI_CLIENT;
			break;
		case TR_SERVER:
			attr = TUI_SERVER;
			break;
		case TR_WARN:
		case TR_ERROR:
			attr = TUI_ERROR;
			break;
		default:
			attr = TUI_INFO;
			break;
		}
		pane_add(p, buf_str(&b), b.len, attr);
	}
	buf_free(&b);
}

int
pane_height(const struct app *a)
{
	int h = a->pane.height;

	if (!a->pane.shown)
		return 0;
	if (a->pane.full)
		return tui_rows() - 3;
	if (h > tui_rows() - 6)
		h = tui_rows() - 6;
	return h > 2 ? h : 0;
}

void
pane_draw(const struct app *a, int top, int h)
{
	const struct pane *p = &a->pane;
	size_t first, i;
	int y;

	if (h <= 0)
		return;
	tui_clear_line(top, TUI_BAR);
	(void)tui_str(top, 1, tui_cols() - 2, _("SMTP transcript (v: hide, "
	    "V: full screen, +/-: size)"), TUI_BAR);
	first = p->n > (size_t)(h - 1) ? p->n - (size_t)(h - 1) : 0;
	first = first > p->scroll ? first - p->scroll : 0;
	for (y = top + 1; y < top + h; y++) {
		tui_clear_line(y, TUI_NORMAL);
		i = first + (size_t)(y - top - 1);
		if (i < p->n)
			(void)tui_escaped(y, 0, tui_cols(),
			    p->line[(p->head + i) % PANE_LINES],
			    p->attr[(p->head + i) % PANE_LINES]);
	}
}

/* S: the whole transcript pane to a file (asks before replacing one). */
static void
save(struct app *a)
{
	char *path = tui_readline_complete(tui_rows() - 1, _("Save the "
	    "transcript to: "), NULL, complete_path);
	struct pane *p = &a->pane;
	struct stat st;
	size_t i;
	FILE *fp;
	int fd, ok = 1;

	if (path == NULL || *path == '\0') {
		free(path);
		return;
	}
	if (stat(path, &st) == 0 && tui_yesno(tui_rows() - 1, _("The file "
	    "exists. Replace it? (y/n) "), 0) != 1) {
		free(path);
		return;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		app_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		free(path);
		return;
	}
	for (i = 0; i < p->n; i++)
		if (fputs(p->line[(p->head + i) % PANE_LINES], fp) == EOF ||
		    fputc('\n', fp) == EOF)
			ok = 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (ok)
		app_status(a, TUI_NORMAL, _("transcript saved to %s (%zu "
		    "lines)"), path, p->n);
	else
		app_status(a, TUI_ERROR, _("cannot write %s: %s"), path,
		    strerror(errno));
	free(path);
}

/* / and n: the next older line of the pane that holds the search text, in view. */
static void
search(struct app *a)
{
	struct pane *p = &a->pane;
	size_t bottom, i;

	if (p->search == NULL || *p->search == '\0' || p->n == 0)
		return;
	/* The line at the bottom of the view now; search above it. */
	bottom = p->n - 1 - (p->scroll < p->n ? p->scroll : p->n - 1);
	for (i = bottom; i-- > 0;)
		if (strstr(p->line[(p->head + i) % PANE_LINES], p->search) !=
		    NULL) {
			/* That line at the bottom of the view. */
			p->scroll = p->n - 1 - i;
			app_status(a, TUI_NORMAL, _("found at line %zu"), i + 1);
			return;
		}
	app_status(a, TUI_ERROR, _("not found above: %s"), p->search);
}

int
pane_key(struct app *a, int key)
{
	struct pane *p = &a->pane;
	size_t half = (size_t)(pane_height(a) / 2 + 1);
	char *q;

	switch (key) {
	case 'v':
		p->shown = !p->shown;
		p->full = 0;
		return 1;
	case 'V':
		p->full = !p->full || !p->shown;
		p->shown = 1;
		return 1;
	case '+':
		if (p->height < tui_rows() - 6)
			p->height++;
		p->shown = 1;
		return 1;
	case '-':
		if (p->height > 3)
			p->height--;
		return 1;
	case 'S':
		save(a);
		return 1;
	case '/':
		if ((q = tui_readline(tui_rows() - 1, _("Search the "
		    "transcript: "), p->search)) == NULL)
			return 1;
		free(p->search);
		p->search = q;
		p->shown = 1;
		search(a);
		return 1;
	case 'n':
		search(a);
		return 1;
	case TUI_KEY_PGUP:
		if (p->shown && p->scroll + 1 < p->n)
			p->scroll += half;
		if (p->scroll >= p->n)
			p->scroll = p->n > 0 ? p->n - 1 : 0;
		return 1;
	case TUI_KEY_PGDN:
		p->scroll = p->scroll > half ? p->scroll - half : 0;
		return 1;
	default:
		return 0;
	}
}
