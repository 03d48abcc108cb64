/* prompt.c - the screens that ask: a line to edit, a yes/no question, a list to pick from; each calls back with the answer. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>
#include <wctype.h>

#include "app.h"
#include "i18n.h"
#include "util.h"

#define LINE_MAX_CHARS 4096

/* --- a line --------------------------------------------------------------- */

struct line_screen {
	struct screen s;
	char *label;
	wchar_t v[LINE_MAX_CHARS + 1];
	size_t len, cur;
	prompt_complete_fn complete;
	prompt_line_fn done;
	void *arg;
};

static void
line_delete(struct line_screen *l, size_t from, size_t to)
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

void
prompt_line_set(struct screen *s, const char *text)
{
	struct line_screen *l = (struct line_screen *)s;

	l->len = tui_utf8_decode(text, l->v, LINE_MAX_CHARS);
	l->v[l->len] = L'\0';
	l->cur = l->len;
}

static void
line_draw(struct app *a, struct screen *s)
{
	struct line_screen *l = (struct line_screen *)s;

	(void)a;
	tui_line(tui_rows() - 1, l->label, l->v, l->len, l->cur);
}

static void
line_free(struct screen *s)
{
	struct line_screen *l = (struct line_screen *)s;

	free(l->label);
	free(l);
}

/* The prompt goes, then its answer is given (the callback may ask again). */
static void
line_end(struct app *a, struct line_screen *l, int give)
{
	prompt_line_fn done = l->done;
	void *arg = l->arg;
	char *text = give ? tui_utf8_encode(l->v, l->len) : NULL;

	tui_cursor_show(0);
	screen_close(a, &l->s);
	done(a, arg, text);
}

static int
line_edit(struct line_screen *l, int key)
{
	size_t from;

	switch (key) {
	case KEY_CTRL('a'):
	case TUI_KEY_HOME:
		l->cur = 0;
		break;
	case KEY_CTRL('e'):
	case TUI_KEY_END:
		l->cur = l->len;
		break;
	case KEY_CTRL('b'):
	case TUI_KEY_LEFT:
		if (l->cur > 0)
			l->cur--;
		break;
	case KEY_CTRL('f'):
	case TUI_KEY_RIGHT:
		if (l->cur < l->len)
			l->cur++;
		break;
	case KEY_CTRL('h'):
	case 127:
	case TUI_KEY_BACKSPACE:
		if (l->cur > 0)
			line_delete(l, l->cur - 1, l->cur);
		break;
	case KEY_CTRL('d'):
	case TUI_KEY_DELETE:
		line_delete(l, l->cur, l->cur + 1);
		break;
	case KEY_CTRL('k'):
		line_delete(l, l->cur, l->len);
		break;
	case KEY_CTRL('u'):
		line_delete(l, 0, l->cur);
		break;
	case KEY_CTRL('w'):
		from = l->cur;
		while (from > 0 && iswspace((wint_t)l->v[from - 1]))
			from--;
		while (from > 0 && !iswspace((wint_t)l->v[from - 1]))
			from--;
		line_delete(l, from, l->cur);
		break;
	default:
		if (key >= TUI_KEY_FUNC || key < 0x20 || key == 0x7f ||
		    !iswprint((wint_t)key) || l->len >= LINE_MAX_CHARS)
			return 0;
		memmove(l->v + l->cur + 1, l->v + l->cur,
		    (l->len - l->cur + 1) * sizeof(wchar_t));
		l->v[l->cur++] = (wchar_t)key;
		l->len++;
		break;
	}
	return 1;
}

static int
line_act(struct app *a, struct screen *s, int action, int key)
{
	struct line_screen *l = (struct line_screen *)s;
	char *now;

	(void)action;
	switch (key) {
	case '\r':
	case '\n':
	case TUI_KEY_ENTER:
		line_end(a, l, 1);
		return 1;
	case KEY_CTRL('g'):
	case KEY_ESC:
		line_end(a, l, 0);
		return 1;
	case '\t':
		if (l->complete == NULL)
			return 1;
		if ((now = tui_utf8_encode(l->v, l->len)) != NULL)
			l->complete(a, s, now);
		free(now);
		return 1;
	default:
		return line_edit(l, key);
	}
}

static const struct screen_ops line_ops = {
	.title = N_("Editing a line"),
	.flags = SCREEN_LINE,
	.draw = line_draw,
	.act = line_act,
	.free = line_free,
};

void
prompt_line(struct app *a, const char *label, const char *init,
    prompt_complete_fn complete, prompt_line_fn done, void *arg)
{
	struct line_screen *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->label = strdup(label)) == NULL) {
		free(l);
		app_status(a, TUI_ERROR, "%s", err_str(ERR_NOMEM));
		done(a, arg, NULL);
		return;
	}
	l->s.ops = &line_ops;
	l->complete = complete;
	l->done = done;
	l->arg = arg;
	prompt_line_set(&l->s, init);
	screen_push(a, &l->s);
}

/* --- yes or no ------------------------------------------------------------ */

struct yesno_screen {
	struct screen s;
	char *question;
	int def;
	prompt_yesno_fn done;
	void *arg;
};

static void
yesno_draw(struct app *a, struct screen *s)
{
	struct yesno_screen *q = (struct yesno_screen *)s;

	(void)a;
	tui_clear_line(tui_rows() - 1, TUI_NORMAL);
	(void)tui_str(tui_rows() - 1, 0, tui_cols(), q->question, TUI_LABEL);
}

static void
yesno_free(struct screen *s)
{
	struct yesno_screen *q = (struct yesno_screen *)s;

	free(q->question);
	free(q);
}

/* A typed character as an answer, in the locale's words: 1, 0 or -1. */
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

static int
yesno_act(struct app *a, struct screen *s, int action, int key)
{
	struct yesno_screen *q = (struct yesno_screen *)s;
	prompt_yesno_fn done = q->done;
	void *arg = q->arg;
	int r;

	(void)action;
	if (key == '\r' || key == '\n' || key == TUI_KEY_ENTER)
		r = q->def;
	else if (key == KEY_CTRL('g') || key == KEY_ESC)
		r = -1;
	/* The locale's answers: j in German, o in French, y anywhere. */
	else if ((r = key_yesno(key)) < 0)
		return 1;
	screen_close(a, s);
	done(a, arg, r);
	return 1;
}

static const struct screen_ops yesno_ops = {
	.title = N_("A question"),
	.flags = SCREEN_LINE,
	.draw = yesno_draw,
	.act = yesno_act,
	.free = yesno_free,
};

void
prompt_yesno(struct app *a, const char *question, int def,
    prompt_yesno_fn done, void *arg)
{
	struct yesno_screen *q = calloc(1, sizeof(*q));

	if (q == NULL || (q->question = strdup(question)) == NULL) {
		free(q);
		done(a, arg, -1);
		return;
	}
	q->s.ops = &yesno_ops;
	q->def = def;
	q->done = done;
	q->arg = arg;
	screen_push(a, &q->s);
}

/* --- a pick list ---------------------------------------------------------- */

enum { PICK_CHOOSE = 1, PICK_CANCEL };

static const struct keydef pick_keys[] = {
	{ '\r', PICK_CHOOSE, N_("choose"), N_("choose this one") },
	{ '\n', 0, NULL, NULL },
	{ TUI_KEY_ENTER, 0, NULL, NULL },
	{ 'q', PICK_CANCEL, N_("cancel"), N_("none of them") },
	{ KEY_CTRL('g'), 0, NULL, NULL },
	{ KEY_ESC, 0, NULL, NULL },
	{ 0, 0, NULL, NULL },
};

struct pick_screen {
	struct screen s;
	char *title;
	char **items;
	struct list l;
	prompt_pick_fn done;
	void *arg;
};

static void
pick_draw(struct app *a, struct screen *s)
{
	struct pick_screen *p = (struct pick_screen *)s;
	int rows = tui_rows(), y;
	size_t i;

	list_fit(&p->l, rows > 5 ? (size_t)(rows - 5) : 1);
	for (y = 1; y < rows - 2; y++)
		tui_clear_line(y, TUI_NORMAL);
	for (i = p->l.top, y = 2; i < p->l.n && y < rows - 3; i++, y++) {
		if (i == p->l.cur)
			tui_clear_line(y, TUI_SELECTED);
		(void)tui_str(y, 2, tui_cols() - 4, p->items[i], i == p->l.cur ?
		    TUI_SELECTED : TUI_NORMAL);
	}
	app_bars(a, s, p->title);
}

static void
pick_free(struct screen *s)
{
	struct pick_screen *p = (struct pick_screen *)s;
	size_t i;

	for (i = 0; i < p->l.n; i++)
		free(p->items[i]);
	free(p->items);
	free(p->title);
	list_free(&p->l);
	free(p);
}

static int
pick_act(struct app *a, struct screen *s, int action, int key)
{
	struct pick_screen *p = (struct pick_screen *)s;
	prompt_pick_fn done = p->done;
	void *arg = p->arg;
	int chosen = (int)p->l.cur;

	(void)key;
	if (action != PICK_CHOOSE && action != PICK_CANCEL)
		return 0;
	if (action == PICK_CANCEL || p->l.n == 0)
		chosen = -1;
	screen_close(a, s);
	done(a, arg, chosen);
	return 1;
}

static struct list *
pick_list(struct screen *s)
{
	return &((struct pick_screen *)s)->l;
}

static const char *
pick_line(void *s, size_t i, struct buf *scratch)
{
	(void)scratch;
	return ((struct pick_screen *)s)->items[i];
}

static const struct screen_ops pick_ops = {
	.title = N_("Choosing"),
	.keys = pick_keys,
	.draw = pick_draw,
	.act = pick_act,
	.free = pick_free,
	.list = pick_list,
	.line = pick_line,
};

void
prompt_pick(struct app *a, const char *title, char **items, size_t n,
    size_t cur, prompt_pick_fn done, void *arg)
{
	struct pick_screen *p = calloc(1, sizeof(*p));
	size_t i;

	if (p == NULL || (p->title = strdup(title)) == NULL) {
		for (i = 0; i < n; i++)
			free(items[i]);
		free(items);
		free(p);
		done(a, arg, -1);
		return;
	}
	p->s.ops = &pick_ops;
	p->items = items;
	p->l.n = n;
	p->l.cur = cur < n ? cur : 0;
	p->done = done;
	p->arg = arg;
	screen_push(a, &p->s);
}

/* --- paths ---------------------------------------------------------------- */

void
prompt_complete_path(struct app *a, struct screen *p, const char *text)
{
	char *more = complete_path(text);

	(void)a;
	if (more != NULL)
		prompt_line_set(p, more);
	free(more);
}
char *
complete_path(const char *text)
{
	const char *home = util_home_dir(), *slash;
	char *dirpart, *dir, *best = NULL, *out = NULL;
	size_t plen, blen = 0, k, matches = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	slash = strrchr(text, '/');
	dirpart = slash != NULL ? strndup(text, (size_t)(slash - text) + 1) :
	    strdup("");
	if (dirpart == NULL)
		return NULL;
	if (strncmp(dirpart, "~/", 2) == 0 && home != NULL)
		dir = util_strf("%s%s", home, dirpart + 1);
	else
		dir = strdup(*dirpart != '\0' ? dirpart : "./");
	plen = strlen(slash != NULL ? slash + 1 : text);
	if (dir == NULL || (d = opendir(dir)) == NULL) {
		free(dir);
		free(dirpart);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, slash != NULL ? slash + 1 : text, plen) !=
		    0)
			continue;
		if (matches++ == 0) {
			best = strdup(de->d_name);
			blen = best != NULL ? strlen(best) : 0;
			continue;
		}
		/* Several: what they have in common. */
		for (k = 0; k < blen && de->d_name[k] == best[k]; k++)
			;
		blen = k;
	}
	(void)closedir(d);
	if (best != NULL && blen > plen) {
		best[blen] = '\0';
		out = util_strf("%s%s", dirpart, best);
		if (out != NULL && matches == 1) {
			char *full = util_strf("%s%s", dir, best);

			if (full != NULL && stat(full, &st) == 0 &&
			    S_ISDIR(st.st_mode)) {
				char *with = util_strf("%s/", out);

				if (with != NULL) {
					free(out);
					out = with;
				}
			}
			free(full);
		}
	}
	free(best);
	free(dir);
	free(dirpart);
	return out;
}
