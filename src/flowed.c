/* flowed.c - format=flowed (RFC 3676): text written as flowed lines, and flowed lines read back as paragraphs. */
/* SPDX-License-Identifier: ISC */
#include "flowed.h"

#include <string.h>

/* A UTF-8 byte that starts a character. */
#define LEAD(c) (((unsigned char)(c) & 0xC0) != 0x80)

/* Characters in s[0..n). */
static size_t
chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += LEAD(s[i]);
	return k;
}

/* The byte offset of character number k of s[0..n) (n when there are fewer). */
static size_t
offset_of(const char *s, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (LEAD(s[i]) && k-- == 0)
			return i;
	return n;
}

/*
 * The quote depth of a line and where its text starts: ">" marks, each
 * may be followed by one space before the next mark ("> > " is depth 2,
 * as mail readers quote), and one space after the last mark belongs to
 * the marks.
 */
static size_t
quote_depth(const char *l, size_t n, size_t *start)
{
	size_t i = 0, q = 0;

	while (i < n && l[i] == '>') {
		q++;
		i++;
		if (i + 1 < n && l[i] == ' ' && l[i + 1] == '>')
			i++;
	}
	if (q > 0 && i < n && l[i] == ' ')
		i++;
	*start = i;
	return q;
}

static int
needs_stuffing(const char *c, size_t n)
{
	return n > 0 && (c[0] == ' ' || c[0] == '>' ||
	    (n >= 5 && memcmp(c, "From ", 5) == 0));
}

static int
put_line(struct buf *out, size_t q, const char *c, size_t n, int soft_mark)
{
	size_t i;

	for (i = 0; i < q; i++)
		if (buf_addch(out, '>') < 0)
			return -1;
	/* After quote marks a space always: the usual "> text". */
	if (n > 0 && (q > 0 || needs_stuffing(c, n)) && buf_addch(out, ' ') < 0)
		return -1;
	if (buf_add(out, c, n) < 0 || (soft_mark && buf_addch(out, ' ') < 0))
		return -1;
	return buf_addch(out, '\n');
}

/*
 * Where to cut text c[0..n), longer than avail characters, into a soft
 * line: the number of bytes of the first line, which ends in a space
 * unless *added (a cut between characters of a script without spaces).
 * n when it cannot be cut.
 */
static size_t
cut_at(const char *c, size_t n, size_t avail, int *added)
{
	size_t lim = offset_of(c, n, avail), i, before;
	const char *sp;

	*added = 0;
	/* The last space that fits, with text before it. */
	for (i = lim; i-- > 1;)
		if (c[i] == ' ' && c[i - 1] != ' ')
			return i + 1;
	/* No space: cut only between two non-ASCII characters. */
	if (lim > 0 && lim < n) {
		before = lim;
		while (before > 0 && !LEAD(c[before - 1]))
			before--;
		if (before > 0 && (unsigned char)c[before - 1] >= 0x80 &&
		    (unsigned char)c[lim] >= 0x80) {
			*added = 1;
			return lim;
		}
	}
	/* A long word (a URL): whole, up to the space after it. */
	sp = memchr(c + lim, ' ', n - lim);
	while (sp != NULL && sp + 1 < c + n && sp[1] == ' ')
		sp++;
	return sp != NULL && sp + 1 < c + n ? (size_t)(sp - c) + 1 : n;
}

/* One pass; 1 when a cut needs DelSp and delsp is off (start again with it on). */
static int
encode(struct buf *out, const char *text, size_t len, size_t width, int delsp)
{
	const char *p = text, *end = text + len, *nl, *c;
	size_t n, q, start, avail, piece;
	int added;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		q = quote_depth(p, n, &start);
		c = p + start;
		n -= start;
		p = nl != NULL ? nl + 1 : end;
		if (q == 0 && n == 3 && memcmp(c, "-- ", 3) == 0) {
			if (buf_add(out, "-- \n", 4) < 0)
				return -1;
			continue;
		}
		while (n > 0 && c[n - 1] == ' ')
			n--;
		/* Room for the marks, a stuffing space and the soft space. */
		avail = width > q + 3 ? width - q - 2 : 1;
		do {
			piece = n;
			added = 0;
			if (chars(c, n) > avail)
				piece = cut_at(c, n, avail, &added);
			if (added && !delsp)
				return 1;
			if (put_line(out, q, c, piece, piece < n && delsp) < 0)
				return -1;
			c += piece;
			n -= piece;
		} while (n > 0);
	}
	return 0;
}

int
flowed_encode(struct buf *out, const char *text, size_t len, size_t width,
    int *delsp)
{
	size_t mark = out->len;
	int r;

	*delsp = 0;
	if ((r = encode(out, text, len, width, 0)) == 1) {
		buf_truncate(out, mark);
		*delsp = 1;
		r = encode(out, text, len, width, 1);
	}
	return r;
}

/* A paragraph read back: its marks, then its text. */
static int
put_paragraph(struct buf *out, size_t q, const struct buf *para)
{
	size_t i;

	for (i = 0; i < q; i++)
		if (buf_addch(out, '>') < 0)
			return -1;
	if (q > 0 && para->len > 0 && buf_addch(out, ' ') < 0)
		return -1;
	if (para->len > 0 && buf_add(out, para->data, para->len) < 0)
		return -1;
	return buf_addch(out, '\n');
}

int
flowed_decode(struct buf *out, const char *text, size_t len, int delsp)
{
	const char *p = text, *end = text + len, *nl, *c;
	struct buf para;
	size_t n, q, pq = 0;
	int open = 0, soft, sig, ret = -1;

	buf_init(&para, out->max);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		for (q = 0; q < n && p[q] == '>'; q++)
			;
		c = p + q;
		n -= q;
		p = nl != NULL ? nl + 1 : end;
		if (n > 0 && *c == ' ') {
			c++;
			n--;
		}
		sig = q == 0 && n == 3 && memcmp(c, "-- ", 3) == 0;
		soft = n > 0 && c[n - 1] == ' ' && !sig;
		/*
		 * A soft break into another depth, or into the signature
		 * separator, is a hard one (RFC 3676 4.3, 4.5).
		 */
		if (open && (q != pq || sig)) {
			if (put_paragraph(out, pq, &para) < 0)
				goto out;
			buf_reset(&para);
		}
		pq = q;
		open = 1;
		if (buf_add(&para, c, soft && delsp ? n - 1 : n) < 0)
			goto out;
		if (!soft) {
			if (put_paragraph(out, q, &para) < 0)
				goto out;
			buf_reset(&para);
			open = 0;
		}
	}
	if (open && put_paragraph(out, pq, &para) < 0)
		goto out;
	ret = 0;
out:
	buf_free(&para);
	return ret;
}
