/* html.c - HTML parts as text for the reader: a built-in converter, and the choice between mailcap and it. */
/* SPDX-License-Identifier: ISC */
#include "html.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "htmlref.h"
#include "i18n.h"
#include "mailcap.h"
#include "util.h"

/* Nesting kept for list markers and quote prefixes; deeper is cut. */
#define LIST_MAX 16
#define QUOTE_MAX 8
/* A tag name longer than this is no tag the converter knows. */
#define NAME_MAX_ 15

/* Elements that end the line before and after them... */
static const char line_tags[] = " div li tr dt dd section article header "
    "footer nav aside main form fieldset center details summary caption "
    "address figcaption legend option table ";
/* ...and those that stand apart, with a blank line. */
static const char para_tags[] = " p h1 h2 h3 h4 h5 h6 ul ol dl pre "
    "blockquote figure ";
/* Whose content is not text to show: skipped to their end tag. */
static const char raw_tags[] = " script style title template ";
/* What may stand in <head>; anything else ends it, as in HTML5. */
static const char head_tags[] = " meta link base title style script "
    "template noscript ";

/* Where the converter stands. */
struct conv {
	struct buf *out;
	struct buf links;    /* "[N] URL\n" lines */
	struct buf href;     /* the open link's URL */
	unsigned nlinks;
	int err;             /* an append failed */
	int started;         /* some text was written */
	int nl;              /* newlines at the end of out */
	int need;            /* newlines wanted before the next text */
	int space;           /* a space is due before the next text */
	int pre;             /* <pre> depth */
	int pre_first;       /* a newline right after <pre> is dropped */
	int head;            /* inside <head>: text hidden */
	int quote;           /* <blockquote> depth */
	int depth;           /* list depth */
	int lists[LIST_MAX]; /* per level: 0 in ul, else the next number */
	int in_a;            /* a link is open */
	size_t a_start;      /* where its text began in out */
};

/* A tag as read: its name in lower case and the attributes wanted. */
struct tag {
	char name[NAME_MAX_ + 1];
	int end;
	const char *href, *alt;
	size_t href_len, alt_len;
};

static void
put(struct conv *c, const char *s, size_t n)
{
	size_t k;

	if (c->err || n == 0)
		return;
	if (buf_add(c->out, s, n) < 0) {
		c->err = errno == E2BIG ? -2 : -1;
		return;
	}
	for (k = 0; k < n && s[n - 1 - k] == '\n'; k++)
		;
	c->nl = k == n ? c->nl + (int)k : (int)k;
}

/* Before visible text: due newlines, the quote prefix or a space. */
static void
begin_text(struct conv *c)
{
	int i;

	if (!c->started) {
		c->started = 1;
		c->nl = 1;
	} else {
		while (c->nl < c->need && !c->err)
			put(c, "\n", 1);
	}
	c->need = 0;
	if (c->nl > 0) {
		for (i = 0; i < c->quote && i < QUOTE_MAX; i++)
			put(c, "> ", 2);
		c->nl = 0;
	} else if (c->space) {
		put(c, " ", 1);
	}
	c->space = 0;
}

static void
text(struct conv *c, const char *s, size_t n)
{
	begin_text(c);
	put(c, s, n);
	c->pre_first = 0;
}

/* End the line (n 1) or leave a blank line (n 2) before more text. */
static void
block(struct conv *c, int n)
{
	if (c->need < n)
		c->need = n;
	c->space = 0;
}

static void
line_break(struct conv *c)
{
	if (!c->started)
		return;
	c->need = (c->need > c->nl ? c->need : c->nl) + 1;
	if (c->need > 2)
		c->need = 2;
	c->space = 0;
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f';
}

/* One whitespace character, as the place (pre or not) wants it. */
static void
white(struct conv *c, char ch)
{
	if (!c->pre) {
		c->space = 1;
	} else if (ch == '\n') {
		if (c->pre_first) {
			c->pre_first = 0;
			return;
		}
		begin_text(c);
		put(c, "\n", 1);
	} else if (ch != '\r') {
		text(c, ch == '\f' ? " " : &ch, 1);
	}
}

/* Text between tags, s[0..n): references read, whitespace as it goes. */
static void
flow(struct conv *c, const char *s, size_t n)
{
	size_t i = 0, j, used;
	uint32_t cp = 0;
	char u[4];

	while (i < n && !c->err) {
		if (is_space(s[i])) {
			white(c, s[i++]);
		} else if (s[i] == '&' &&
		    (used = htmlref_read(s + i, n - i, &cp)) > 0) {
			i += used;
			if (cp < 0x80 && is_space((char)cp))
				white(c, (char)cp);
			else if (cp == 0xA0)
				text(c, " ", 1);    /* a space that stays */
			else if (cp != 0)
				text(c, u, htmlref_utf8(cp, u));
		} else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) {
			i++;
		} else {
			for (j = i + 1; j < n && s[j] != '&' && !is_space(s[j]) &&
			    (unsigned char)s[j] >= 0x20 && s[j] != 0x7F; j++)
				;
			text(c, s + i, j - i);
			i = j;
		}
	}
}

/* s[0..n) with its references read, whitespace cut away, into b. */
static int
decode(struct buf *b, const char *s, size_t n)
{
	size_t i, used, k;
	uint32_t cp = 0;
	char u[4];

	buf_reset(b);
	for (i = 0; i < n; ) {
		if (s[i] == '&' && (used = htmlref_read(s + i, n - i, &cp)) > 0) {
			i += used;
			k = cp == 0 ? 0 : htmlref_utf8(cp, u);
		} else {
			u[0] = s[i++];
			k = 1;
		}
		/* Whitespace and controls are no part of a URL. */
		if (k > 0 && ((unsigned char)u[0] <= 0x20 || u[0] == 0x7F))
			continue;
		if (buf_add(b, u, k) < 0)
			return -1;
	}
	return 0;
}

/* Is name in the list (" a b c ")? */
static int
is_in(const char *list, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (n == 0)
		return 0;
	for (p = list + 1; (p = strstr(p, name)) != NULL; p++)
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

/* "[N]" after the link's text, "[N] URL" in the list. */
static void
close_link(struct conv *c)
{
	const char *t = buf_str(c->out), *url = buf_str(&c->href);
	size_t n = c->out->len - c->a_start;
	char mark[32];
	int len;

	c->in_a = 0;
	if (c->err)
		return;
	t += c->a_start;
	while (n > 0 && (*t == ' ' || *t == '\n'))
		t++, n--;
	/* A link that shows its own address needs no number. */
	if ((strlen(url) == n && memcmp(url, t, n) == 0) ||
	    (strncasecmp(url, "mailto:", 7) == 0 && strlen(url + 7) == n &&
	    memcmp(url + 7, t, n) == 0))
		return;
	c->nlinks++;
	len = snprintf(mark, sizeof(mark), "[%u]", c->nlinks);
	c->space = c->started && n > 0;
	text(c, mark, (size_t)len);
	if (buf_printf(&c->links, "%s %s\n", mark, url) < 0)
		c->err = errno == E2BIG ? -2 : -1;
}

static void
open_link(struct conv *c, const struct tag *t)
{
	const char *url;

	if (c->in_a)
		close_link(c);
	if (t->href == NULL || decode(&c->href, t->href, t->href_len) < 0)
		return;
	url = buf_str(&c->href);
	if (*url == '\0' || *url == '#' ||
	    strncasecmp(url, "javascript:", 11) == 0)
		return;
	c->in_a = 1;
	c->a_start = c->out->len;
}

/* li: the bullet or number, indented by the list depth. */
static void
list_item(struct conv *c)
{
	static const char indent[] = "                                ";
	int level = c->depth < 1 ? 0 : c->depth > LIST_MAX ? LIST_MAX - 1 :
	    c->depth - 1;
	char mark[48];
	int len;

	block(c, 1);
	if (c->depth >= 1 && c->depth <= LIST_MAX && c->lists[level] > 0)
		len = snprintf(mark, sizeof(mark), "%.*s%d. ", 2 * level,
		    indent, c->lists[level]++);
	else
		len = snprintf(mark, sizeof(mark), "%.*s* ", 2 * level, indent);
	text(c, mark, (size_t)len);
}

/* Does s[0..n) hold more than whitespace? */
static int
visible(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (!is_space(s[i]))
			return 1;
	return 0;
}

static void
start_tag(struct conv *c, const struct tag *t)
{
	const char *n = t->name;

	if (c->head && !is_in(head_tags, n))
		c->head = 0;
	if (strcmp(n, "head") == 0)
		c->head = 1;
	else if (strcmp(n, "br") == 0)
		line_break(c);
	else if (strcmp(n, "a") == 0)
		open_link(c, t);
	else if (strcmp(n, "li") == 0)
		list_item(c);
	else if (strcmp(n, "td") == 0 || strcmp(n, "th") == 0)
		c->space = 1;
	else if (strcmp(n, "hr") == 0) {
		block(c, 1);
		text(c, "----------------------------------------", 40);
		block(c, 1);
	} else if (strcmp(n, "img") == 0 && visible(t->alt, t->alt_len)) {
		text(c, "[", 1);
		flow(c, t->alt, t->alt_len);
		c->space = 0;
		text(c, "]", 1);
	} else if (is_in(para_tags, n) || is_in(line_tags, n)) {
		block(c, is_in(para_tags, n) && c->depth == 0 ? 2 : 1);
		if (strcmp(n, "ul") == 0 || strcmp(n, "ol") == 0) {
			if (c->depth < LIST_MAX)
				c->lists[c->depth] = n[0] == 'o';
			c->depth++;
		} else if (strcmp(n, "blockquote") == 0) {
			c->quote++;
		} else if (strcmp(n, "pre") == 0) {
			c->pre++;
			c->pre_first = 1;
		}
	}
}

static void
end_tag(struct conv *c, const struct tag *t)
{
	const char *n = t->name;

	if (strcmp(n, "head") == 0)
		c->head = 0;
	else if (strcmp(n, "br") == 0)
		line_break(c);
	else if (strcmp(n, "a") == 0 && c->in_a)
		close_link(c);
	else if (is_in(para_tags, n) || is_in(line_tags, n)) {
		if (strcmp(n, "ul") == 0 || strcmp(n, "ol") == 0)
			c->depth -= c->depth > 0;
		else if (strcmp(n, "blockquote") == 0)
			c->quote -= c->quote > 0;
		else if (strcmp(n, "pre") == 0)
			c->pre -= c->pre > 0;
		block(c, is_in(para_tags, n) && c->depth == 0 ? 2 : 1);
	}
}

/*
 * The tag at s[0..n) (s[0] is '<', then a letter or "/" and a letter)
 * into t; the bytes up to and with its '>', or 0 when it does not end.
 */
static size_t
read_tag(const char *s, size_t n, struct tag *t)
{
	size_t i = 1, k = 0, an, v, vn;
	const char *a;
	char q;

	memset(t, 0, sizeof(*t));
	if (s[i] == '/')
		t->end = 1, i++;
	for (; i < n && !is_space(s[i]) && s[i] != '/' && s[i] != '>'; i++)
		if (k <= NAME_MAX_)
			t->name[k++] = (char)tolower((unsigned char)s[i]);
	if (k > NAME_MAX_)
		t->name[0] = '\0';      /* no tag anyone knows */
	else
		t->name[k] = '\0';
	while (i < n && s[i] != '>') {
		if (is_space(s[i]) || s[i] == '/') {
			i++;
			continue;
		}
		for (a = s + i; i < n && !is_space(s[i]) && s[i] != '/' &&
		    s[i] != '>' && (s[i] != '=' || s + i == a); i++)
			;
		an = (size_t)(s + i - a);
		while (i < n && is_space(s[i]))
			i++;
		if (i >= n || s[i] != '=')
			continue;
		for (i++; i < n && is_space(s[i]); i++)
			;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			for (v = i; i < n && s[i] != q; i++)
				;
			vn = i - v;
			i += i < n;
		} else {
			for (v = i; i < n && !is_space(s[i]) && s[i] != '>'; i++)
				;
			vn = i - v;
		}
		if (an == 4 && strncasecmp(a, "href", 4) == 0 && !t->href)
			t->href = s + v, t->href_len = vn;
		else if (an == 3 && strncasecmp(a, "alt", 3) == 0 && !t->alt)
			t->alt = s + v, t->alt_len = vn;
	}
	return i < n ? i + 1 : 0;
}

/* Where the element name (lower case) that s[0..n) holds ends: "</name". */
static size_t
raw_end(const char *s, size_t n, const char *name)
{
	size_t len = strlen(name), i;
	const char *p;

	for (i = 0; i < n; i = (size_t)(p - s) + 1) {
		if ((p = memchr(s + i, '<', n - i)) == NULL)
			return n;
		if ((size_t)(s + n - p) >= len + 2 && p[1] == '/' &&
		    strncasecmp(p + 2, name, len) == 0 &&
		    ((size_t)(s + n - p) == len + 2 || is_space(p[len + 2]) ||
		    p[len + 2] == '>' || p[len + 2] == '/'))
			return (size_t)(p - s);
	}
	return n;
}

/* What follows '<' at s[0..n): how many bytes the markup there takes. */
static size_t
markup(struct conv *c, const char *s, size_t n)
{
	const char *e;
	struct tag t;
	size_t used;

	if (n >= 4 && memcmp(s, "<!--", 4) == 0) {
		for (e = s + 4; (e = memchr(e, '>', (size_t)(s + n - e))) != NULL;
		    e++)
			if (e[-1] == '-' && e[-2] == '-' && e - s >= 6)
				return (size_t)(e - s) + 1;
		return n;
	}
	if (n >= 2 && (s[1] == '!' || s[1] == '?')) {
		e = memchr(s, '>', n);
		return e != NULL ? (size_t)(e - s) + 1 : n;
	}
	if ((used = read_tag(s, n, &t)) == 0)
		return n;               /* the document ends inside the tag */
	if (!t.end && is_in(raw_tags, t.name))
		return used + raw_end(s + used, n - used, t.name);
	if (t.end)
		end_tag(c, &t);
	else
		start_tag(c, &t);
	return used;
}

/* Is there a tag (not a plain '<') at s[0..n)? */
static int
is_markup(const char *s, size_t n)
{
	size_t i = 1 + (n > 1 && s[1] == '/');

	if (n > 1 && (s[1] == '!' || s[1] == '?'))
		return 1;
	return i < n && isalpha((unsigned char)s[i]);
}

enum err
html_to_text(const char *in, size_t n, struct buf *out)
{
	struct conv c;
	const char *lt;
	size_t i = 0, stop;

	memset(&c, 0, sizeof(c));
	c.out = out;
	buf_init(&c.links, out->max);
	buf_init(&c.href, out->max);
	while (i < n && !c.err) {
		lt = memchr(in + i, '<', n - i);
		stop = lt != NULL ? (size_t)(lt - in) : n;
		if (!c.head)
			flow(&c, in + i, stop - i);
		i = stop;
		if (i >= n)
			break;
		if (is_markup(in + i, n - i)) {
			i += markup(&c, in + i, n - i);
		} else {
			if (!c.head)
				text(&c, "<", 1);
			i++;
		}
	}
	if (c.in_a)
		close_link(&c);
	if (c.started && c.nl == 0)
		put(&c, "\n", 1);
	if (c.links.len > 0) {
		put(&c, "\n", 1);
		put(&c, _("Links:"), strlen(_("Links:")));
		put(&c, "\n", 1);
		put(&c, c.links.data, c.links.len);
	}
	buf_free(&c.links);
	buf_free(&c.href);
	return c.err == 0 ? ERR_OK : c.err == -2 ? ERR_DATA : ERR_NOMEM;
}

enum err
html_render(const char *html, size_t n, struct buf *out, char **which,
    char **note)
{
	char *errstr = NULL;
	enum err e;

	if (note != NULL)
		*note = NULL;
	e = mailcap_render("text/html", "utf-8", html, n, out, which, &errstr);
	if (e == ERR_OK) {
		free(errstr);
		return ERR_OK;
	}
	/* The entry found gave no text: say so, and convert after all. */
	if (e != ERR_NOINPUT && note != NULL) {
		*note = errstr;
		errstr = NULL;
	}
	free(errstr);
	free(*which);
	*which = NULL;
	return html_to_text(html, n, out);
}
