/* pager.c - the full-screen helpers of the interactive UI: the pager, a pick list, the keys, path completion. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "buf.h"
#include "i18n.h"
#include "util.h"

/* Show text[0..n) page by page (j k Space b g G, q to leave). */
void
pager(struct app *a, const char *title, const char *text, size_t n)
{
	const char **lines = NULL, **nl, *p = text, *end = text + n;
	size_t *lens = NULL, *nlen, count = 0, top = 0, i;
	int rows, h, key, y;
	short rev;
	enum tui_event ev;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e != NULL ? (size_t)(e - p) : (size_t)(end - p);

		if (len > 0 && p[len - 1] == '\r')
			len--;
		nl = realloc(lines, (count + 1) * sizeof(*lines));
		nlen = nl != NULL ? realloc(lens, (count + 1) * sizeof(*lens)) :
		    NULL;
		if (nl != NULL)
			lines = nl;
		if (nlen == NULL)
			break;
		lens = nlen;
		lines[count] = p;
		lens[count++] = len;
		p = e != NULL ? e + 1 : end;
	}
	for (;;) {
		rows = tui_rows();
		h = rows - 3;
		for (y = 1; y < rows - 2; y++) {
			tui_clear_line(y, TUI_NORMAL);
			i = top + (size_t)(y - 1);
			if (i < count)
				(void)tui_body(y, 0, tui_cols(), lines[i],
				    lens[i], TUI_NORMAL);
		}
		app_bars(a, title, _("j/k:line  Space/b:page  g/G:top/end  "
		    "q:back"));
		tui_flush();
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			break;
		if (ev != TUI_EV_KEY)
			continue;
		if (key == 'q' || key == 27 || key == 7)
			break;
		if ((key == 'j' || key == TUI_KEY_DOWN || key == '\r') &&
		    top + 1 < count)
			top++;
		else if ((key == 'k' || key == TUI_KEY_UP) && top > 0)
			top--;
		else if (key == ' ' || key == TUI_KEY_PGDN)
			top = top + (size_t)h < count ? top + (size_t)h : top;
		else if (key == 'b' || key == TUI_KEY_PGUP)
			top = top > (size_t)h ? top - (size_t)h : 0;
		else if (key == 'g' || key == TUI_KEY_HOME)
			top = 0;
		else if (key == 'G' || key == TUI_KEY_END)
			top = count > (size_t)h ? count - (size_t)h : 0;
	}
	free(lines);
	free(lens);
}

int
pick(struct app *a, const char *title, const char *const *items, size_t n,
    size_t cur)
{
	enum tui_event ev;
	short rev;
	int key, y;
	size_t i, top;

	if (n == 0)
		return -1;
	for (;;) {
		top = cur >= (size_t)(tui_rows() - 5) ? cur - (size_t)(tui_rows()
		    - 6) : 0;
		for (y = 1; y < tui_rows() - 2; y++)
			tui_clear_line(y, TUI_NORMAL);
		for (i = top, y = 2; i < n && y < tui_rows() - 2; i++, y++) {
			if (i == cur)
				tui_clear_line(y, TUI_SELECTED);
			(void)tui_str(y, 2, tui_cols() - 4, items[i], i == cur ?
			    TUI_SELECTED : TUI_NORMAL);
		}
		app_bars(a, title, _("j/k:move  Enter:choose  q:cancel"));
		tui_flush();
		ev = tui_wait(-1, 0, -1, &key, &rev);
		if (ev == TUI_EV_STOP)
			return -1;
		if (ev != TUI_EV_KEY)
			continue;
		if ((key == 'j' || key == TUI_KEY_DOWN) && cur + 1 < n)
			cur++;
		else if ((key == 'k' || key == TUI_KEY_UP) && cur > 0)
			cur--;
		else if (key == '\r' || key == '\n' || key == TUI_KEY_ENTER)
			return (int)cur;
		else if (key == 'q' || key == 27 || key == 7)
			return -1;
	}
}

void
show_help(struct app *a)
{
	static const char *const lines[] = {
		N_("Folders"),
		N_("  m        compose a new message"),
		N_("  R        resume a draft (the marked one in drafts, else "
		    "the newest)"),
		N_("  A        the accounts: add, edit, delete, test"),
		N_("  Tab      next folder (Left, Right too)"),
		N_("  j k      next / previous message (Up, Down too)"),
		N_("  Enter    read the message, with its transcripts"),
		N_("  H        the message as it is filed (raw MIME)"),
		N_("  e        a new message from this one (a draft: edit it)"),
		N_("  d        delete the message (asks)"),
		N_("  r        send a queued message now (outbox)"),
		N_("  v        show or hide the SMTP transcript"),
		N_("  V        the transcript on the whole screen"),
		N_("  + -      a bigger or smaller transcript pane"),
		N_("  PgUp PgDn  scroll the transcript"),
		N_("  / n      search the transcript (older lines), again"),
		N_("  S        save the transcript to a file"),
		N_("  q        quit (says so when mail waits in the outbox)"),
		"",
		N_("Compose"),
		N_("  t c b    To, Cc, Bcc"),
		N_("  s r      Subject, Reply-To"),
		N_("  e        edit the text again ($VISUAL, $EDITOR)"),
		N_("  a        attach a file (Tab completes the path)"),
		N_("  D T d    detach, set the type, inline or not (the"
		    " marked one; Up and Down move the mark)"),
		N_("  p        preview the message as it will go out"),
		N_("  f        send with another account (From, server, login)"),
		N_("  y        send (the message goes to the outbox first)"),
		N_("  P        postpone: save it as a draft"),
		N_("  q        abort (keeps a draft unless you say no)"),
		N_("  C-g      stop a send in progress (it stays queued)"),
		"",
		N_("Queued mail is tried again by itself while pigeon runs."),
		N_("Line editing: C-a C-e C-b C-f C-d C-h C-k C-u C-w,"
		    " arrows; C-g cancels"),
	};
	struct buf b;
	size_t i;

	/* In the pager: at 80x24 it is longer than the screen. */
	buf_init(&b, 64 * 1024);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		(void)buf_printf(&b, "%s\n", lines[i][0] != '\0' ?
		    _(lines[i]) : "");
	pager(a, _("Keys"), buf_str(&b), b.len);
	buf_free(&b);
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
