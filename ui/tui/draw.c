/* draw.c - drawing on the interactive UI's screen: text from anywhere made safe, cut to the width, the line of a prompt. */
/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#ifdef HAVE_NCURSESW_CURSES_H
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

#include "buf.h"
#include "charset.h"
#include "sanitize.h"
#include "tui.h"

#define TEXT_MAX (64 * 1024)

void
tui_clear_line(int y, enum tui_attr a)
{
	int x;

	if (y < 0 || y >= LINES)
		return;
	(void)attrset((attr_t)tui_attr_bits(a));
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

	if (tui_utf8_terminal() || wc < 0x80)
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
	(void)attrset((attr_t)tui_attr_bits(a));
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
	const char *more = tui_utf8_terminal() ? "\xe2\x80\xa6" : "...";
	int mw = tui_utf8_terminal() ? 1 : 3, used;
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
