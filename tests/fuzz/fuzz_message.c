/* fuzz_message.c - libFuzzer target: the stored-message reader, header fields (rfc822.h) and the MIME walk (mimewalk.h), whole and in pieces. */
/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mimewalk.h"
#include "rfc822.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IN_MAX (256 * 1024)

/* What one walk saw: every callback and its arguments, in order. */
struct walk {
	enum mimewalk_want want;   /* for leaves; multiparts are walked */
	struct buf log;            /* the callbacks, written out */
	struct buf copy;           /* headers, raw contents and raw(): the input */
	unsigned flaws;
	enum err err;
};

static enum mimewalk_want
on_begin(void *arg, const struct mimewalk_part *p)
{
	struct walk *w = arg;

	if (p->type == NULL || p->parent == NULL || p->cte_name == NULL ||
	    (p->header == NULL && p->headerlen > 0))
		abort();
	(void)buf_printf(&w->log, "begin %u %u %d %s %s %s %s %d %d %d\n",
	    p->depth, p->number, p->multipart, p->type, p->parent,
	    p->charset != NULL ? p->charset : "-",
	    p->name != NULL ? p->name : "-", p->attachment, p->disp_inline,
	    (int)p->cte);
	(void)buf_add(&w->copy, p->header, p->headerlen);
	return p->multipart ? MIMEWALK_RAW : w->want;
}

static int
on_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct walk *w = arg;

	(void)p;
	/* Blocks may be cut anywhere: the log keeps the bytes, not the cuts. */
	(void)buf_add(&w->log, b, n);
	if (w->want == MIMEWALK_RAW)
		(void)buf_add(&w->copy, b, n);
	return 0;
}

static void
on_end(void *arg, const struct mimewalk_part *p)
{
	struct walk *w = arg;

	(void)buf_printf(&w->log, "\nend %u %u %x\n", p->depth, p->number,
	    p->flaws);
}

static int
on_raw(void *arg, const char *b, size_t n)
{
	struct walk *w = arg;

	(void)buf_add(&w->copy, b, n);
	return 0;
}

static const struct mimewalk_ops ops = { on_begin, on_data, on_end, on_raw };

static void
walk_init(struct walk *w, enum mimewalk_want want)
{
	memset(w, 0, sizeof(*w));
	w->want = want;
	buf_init(&w->log, 1 << 26);
	buf_init(&w->copy, 1 << 26);
}

static void
walk_free(struct walk *w)
{
	buf_free(&w->log);
	buf_free(&w->copy);
}

/* The whole message at once, then in pieces of chunk bytes: the same walk. */
static void
walk_both(const char *p, size_t n, size_t chunk, enum mimewalk_want want)
{
	struct walk whole, parts;
	struct mimewalk *r;
	size_t i;

	walk_init(&whole, want);
	whole.err = mimewalk_mem(p, n, &ops, &whole, &whole.flaws);
	walk_init(&parts, want);
	r = mimewalk_new(&ops, &parts);
	if (r == NULL)
		abort();
	for (i = 0; i < n && parts.err == ERR_OK; i += chunk)
		parts.err = mimewalk_feed(r, p + i,
		    n - i < chunk ? n - i : chunk);
	if (parts.err == ERR_OK)
		parts.err = mimewalk_finish(r, &parts.flaws);
	mimewalk_free(r);
	if (whole.err != ERR_OK || parts.err != ERR_OK)
		abort();
	if (whole.flaws != parts.flaws || whole.log.len != parts.log.len ||
	    memcmp(buf_str(&whole.log), buf_str(&parts.log), whole.log.len))
	{
		(void)fprintf(stderr, "walk in pieces of %zu differs:\n%s\n--- "
		    "whole:\n%s\n", chunk, buf_str(&parts.log),
		    buf_str(&whole.log));
		abort();
	}
	/* Raw, the pieces give back the input byte for byte. */
	if (want == MIMEWALK_RAW && !(whole.flaws & (MIMEWALK_F_NUL |
	    MIMEWALK_F_HEADER | MIMEWALK_F_PARTS)) &&
	    (whole.copy.len != n || memcmp(buf_str(&whole.copy), p, n) != 0)) {
		(void)fprintf(stderr, "the raw copy differs from the input\n");
		abort();
	}
	walk_free(&whole);
	walk_free(&parts);
}

/* The header fields, as the message list and the reader take them. */
static void
header_fields(const char *p, size_t n)
{
	static const char *const names[] = { "Subject", "From", "To",
	    "Content-Type", "Content-Disposition" };
	struct rfc822_field f;
	struct buf out;
	const char *v;
	size_t hlen, body, pos = 0, vlen, i;
	int complete;
	char *s;

	hlen = rfc822_header_end(p, n, &body, &complete);
	if (hlen > n || body > n || body < hlen)
		abort();
	buf_init(&out, 1 << 22);
	while (rfc822_next_field(p, hlen, &pos, &f)) {
		if (f.p < p || f.p + f.len > p + hlen || f.namelen > f.len)
			abort();
		v = rfc822_field_value(&f, &vlen);
		buf_reset(&out);
		(void)rfc822_unfold(&out, v, vlen);
		if (rfc822_field_is(&f, "Content-Type") && out.len > 0) {
			char type[128];

			rfc822_mime_type(buf_str(&out), type, sizeof(type));
		}
	}
	buf_free(&out);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		s = rfc822_get_text(p, hlen, names[i]);
		free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t chunk;

	if (size < 1 || size > IN_MAX)
		return 0;
	/* The first byte picks the pieces' size; the rest is the message. */
	chunk = 1 + data[0] % 64;
	p++;
	size--;
	header_fields(p, size);
	walk_both(p, size, chunk, MIMEWALK_DECODE);
	walk_both(p, size, chunk, MIMEWALK_RAW);
	return 0;
}
