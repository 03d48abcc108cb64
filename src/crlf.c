/* crlf.c - line-end normalisation (CRLF for the wire, LF for storage) and dot-stuffing of message data, in blocks. */
/* SPDX-License-Identifier: ISC */
#include "crlf.h"

#include <string.h>

void
crlf_init(struct crlf *c, int stuff, int track8)
{
	memset(c, 0, sizeof(*c));
	c->bol = 1;
	c->stuff = stuff;
	c->track8 = track8;
}

void
crlf_init_lf(struct crlf *c, int track8)
{
	crlf_init(c, 0, track8);
	c->lf = 1;
}

/* Is there a byte >= 0x80 in p[0..n)?  Eight bytes at a time. */
static int
has_8bit(const char *p, size_t n)
{
	uint64_t w, acc = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)p[i];
	return (acc & 0x8080808080808080ull) != 0;
}

/* How many LF bytes p[0..n) holds, eight bytes at a time. */
static uint64_t
count_lf(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t w, k = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		w ^= ones * '\n';
		/* The top bit of each byte that was an LF (is 0 now), exactly. */
		w = ~(((w & low7) + low7) | w | low7);
		/* Sum the bytes' top bits: at most 8, so no carry out. */
		k += ((w >> 7) * ones) >> 56;
	}
	for (; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/*
 * The local form of a block without CR is the block itself: one copy,
 * its lines counted.  A CR ending the block before may have its LF here.
 */
static void
copy_plain_lf(struct crlf *c, char **o, const char *p, size_t n)
{
	if (c->after_cr && n > 0) {
		c->after_cr = 0;
		if (*p == '\n') {
			p++;
			n--;
		}
	}
	if (n == 0)
		return;
	memcpy(*o, p, n);
	*o += n;
	c->lines += count_lf(p, n);
	c->bol = p[n - 1] == '\n';
}

/*
 * The runs between line ends are copied with memcpy; line ends are found
 * with memchr, each search over the rest of the block, its result kept
 * until the position passes it (a block without CR is searched for one
 * once, not once a line).
 */
int
crlf_convert(struct crlf *c, struct buf *dst, const char *p, size_t n)
{
	const char *end = p + n, *lf = NULL, *cr, *q;
	char *o;
	size_t run;

	/* At worst every byte becomes two ("\n" -> "\r\n", "." -> ".."). */
	if (n > (SIZE_MAX - 4) / 2 || buf_reserve(dst, 2 * n + 4) < 0)
		return -1;
	if (n == 0) {
		dst->data[dst->len] = '\0';
		return 0;
	}
	if (c->track8 && !c->eightbit && has_8bit(p, n))
		c->eightbit = 1;
	o = dst->data + dst->len;
	if ((cr = memchr(p, '\r', n)) == NULL)
		cr = end;
	if (c->lf && cr == end) {
		copy_plain_lf(c, &o, p, n);
		p = end;
	}
	while (p < end) {
		if (c->after_cr) {
			c->after_cr = 0;
			if (*p == '\n') {
				p++;
				continue;
			}
		}
		if (c->bol && c->stuff && *p == '.')
			*o++ = '.';
		c->bol = 0;
		if (lf == NULL || lf < p)
			lf = memchr(p, '\n', (size_t)(end - p));
		if (lf == NULL)
			lf = end;
		if (cr < p && (cr = memchr(p, '\r', (size_t)(end - p))) == NULL)
			cr = end;
		q = cr < lf ? cr : lf;
		run = (size_t)(q - p);
		memcpy(o, p, run);
		o += run;
		p = q;
		if (p == end)
			break;
		if (*p == '\r')
			c->after_cr = 1;
		if (!c->lf)
			*o++ = '\r';
		*o++ = '\n';
		p++;
		c->bol = 1;
		c->lines++;
	}
	dst->len = (size_t)(o - dst->data);
	dst->data[dst->len] = '\0';
	return 0;
}

int
crlf_finish(struct crlf *c, struct buf *dst)
{
	if (c->bol)
		return 0;
	if (buf_add(dst, &"\r\n"[c->lf], 2 - (size_t)c->lf) < 0)
		return -1;
	c->bol = 1;
	c->lines++;
	return 0;
}
