/* test_mimewalk.c - the MIME tree walked as a message streams in: parts, names, contents, any chunking, bad input. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "base64.h"
#include "buf.h"
#include "hdr.h"
#include "helper.h"
#include "mime.h"
#include "qp.h"
#include "mimewalk.h"
#include "rfc822.h"

#define BIG (64 * 1024 * 1024)

/* --- the walk --------------------------------------------------------------- */

#define MAXP 64

/* What a walk saw. */
struct seen {
	size_t n;
	struct {
		unsigned depth, number;
		int multipart, attachment, ended;
		char type[64], name[256], charset[32], parent[64];
		enum mimewalk_cte cte;
		unsigned flaws;
		struct buf content;
	} p[MAXP];
	size_t begun, ended;
	enum mimewalk_want want;     /* what begin() answers for leaves */
	struct buf copy;           /* headers, raw contents and structure */
	size_t data_calls;
};

static void
seen_init(struct seen *s, enum mimewalk_want want)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->want = want;
	for (i = 0; i < MAXP; i++)
		buf_init(&s->p[i].content, BIG);
	buf_init(&s->copy, BIG);
}

static void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < MAXP; i++)
		buf_free(&s->p[i].content);
	buf_free(&s->copy);
}

static enum mimewalk_want
on_begin(void *arg, const struct mimewalk_part *p)
{
	struct seen *s = arg;
	size_t k = s->n < MAXP ? s->n : MAXP - 1;

	s->begun++;
	if (s->n < MAXP)
		s->n++;
	s->p[k].depth = p->depth;
	s->p[k].number = p->number;
	s->p[k].multipart = p->multipart;
	s->p[k].attachment = p->attachment;
	s->p[k].cte = p->cte;
	s->p[k].ended = 0;
	(void)snprintf(s->p[k].type, sizeof(s->p[k].type), "%s", p->type);
	(void)snprintf(s->p[k].parent, sizeof(s->p[k].parent), "%s",
	    p->parent);
	(void)snprintf(s->p[k].name, sizeof(s->p[k].name), "%s",
	    p->name != NULL ? p->name : "");
	(void)snprintf(s->p[k].charset, sizeof(s->p[k].charset), "%s",
	    p->charset != NULL ? p->charset : "");
	assert_int_equal(buf_add(&s->copy, p->header, p->headerlen), 0);
	return p->multipart ? MIMEWALK_RAW : s->want;
}

/* The entry of the part p (by number, or the last multipart begun). */
static size_t
entry(struct seen *s, const struct mimewalk_part *p)
{
	size_t k;

	for (k = s->n; k-- > 0;)
		if (s->p[k].number == p->number && s->p[k].depth == p->depth &&
		    !s->p[k].ended)
			return k;
	fail_msg("no entry for part %u", p->number);
	return 0;
}

static int
on_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	struct seen *s = arg;
	size_t k = entry(s, p);

	s->data_calls++;
	assert_false(p->multipart);
	assert_int_equal(buf_add(&s->p[k].content, b, n), 0);
	if (s->want == MIMEWALK_RAW)
		assert_int_equal(buf_add(&s->copy, b, n), 0);
	return 0;
}

static void
on_end(void *arg, const struct mimewalk_part *p)
{
	struct seen *s = arg;
	size_t k = entry(s, p);

	s->p[k].ended = 1;
	s->p[k].flaws = p->flaws;
	s->ended++;
}

static int
on_raw(void *arg, const char *b, size_t n)
{
	struct seen *s = arg;

	return buf_add(&s->copy, b, n);
}

static const struct mimewalk_ops seen_ops = {
	on_begin, on_data, on_end, on_raw,
};

/* Read msg[0..n) fed chunk bytes at a time (0: all at once). */
static unsigned
walk(struct seen *s, const char *msg, size_t n, size_t chunk)
{
	struct mimewalk *r = mimewalk_new(&seen_ops, s);
	unsigned flaws = 0;
	size_t i, k;

	assert_non_null(r);
	if (chunk == 0)
		chunk = n > 0 ? n : 1;
	for (i = 0; i < n; i += k) {
		k = n - i < chunk ? n - i : chunk;
		assert_int_equal(mimewalk_feed(r, msg + i, k), ERR_OK);
	}
	assert_int_equal(mimewalk_finish(r, &flaws), ERR_OK);
	mimewalk_free(r);
	assert_int_equal(s->begun, s->ended);
	return flaws;
}

/* In RAW mode the pieces put together are the input, byte for byte, in any chunking. */
static void
expect_identity(const char *msg, size_t n)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7, 64, 77, 4096 };
	struct seen s;
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		seen_init(&s, MIMEWALK_RAW);
		(void)walk(&s, msg, n, chunks[i]);
		if (s.copy.len != n || memcmp(buf_str(&s.copy), msg, n) != 0)
			fail_msg("chunk %zu: copy \"%s\" of \"%s\"", chunks[i],
			    test_vis(buf_str(&s.copy), s.copy.len),
			    test_vis(msg, n));
		seen_free(&s);
	}
}

/* Every chunking gives the same parts and decoded contents as one piece. */
static void
expect_same_in_pieces(const char *msg, size_t n)
{
	static const size_t chunks[] = { 1, 2, 5, 13, 76, 1000 };
	struct seen a, b;
	size_t i, k;
	unsigned fa, fb;

	seen_init(&a, MIMEWALK_DECODE);
	fa = walk(&a, msg, n, 0);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		seen_init(&b, MIMEWALK_DECODE);
		fb = walk(&b, msg, n, chunks[i]);
		assert_int_equal(fa, fb);
		assert_int_equal(a.n, b.n);
		for (k = 0; k < a.n; k++) {
			assert_string_equal(a.p[k].type, b.p[k].type);
			assert_string_equal(a.p[k].name, b.p[k].name);
			assert_int_equal(a.p[k].content.len,
			    b.p[k].content.len);
			assert_memory_equal(buf_str(&a.p[k].content),
			    buf_str(&b.p[k].content), a.p[k].content.len);
		}
		seen_free(&b);
	}
	seen_free(&a);
}

static void
test_plain_message(void **state)
{
	static const char lf[] = "From: a@b\nSubject: s\n\nline1\n.line2\n";
	static const char crlf[] = "From: a@b\r\nSubject: s\r\n\r\nline1\r\n"
	    ".line2\r\n";
	static const char nohdr[] = "hello world\nsecond\n";
	struct seen s;

	(void)state;
	seen_init(&s, MIMEWALK_DECODE);
	assert_int_equal(walk(&s, lf, strlen(lf), 0), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.p[0].type, "text/plain");
	assert_int_equal(s.p[0].number, 1);
	assert_int_equal(s.p[0].depth, 0);
	assert_string_equal(buf_str(&s.p[0].content), "line1\n.line2\n");
	seen_free(&s);
	/* CRLF as stored by older pigeons and others: texts come with LF. */
	seen_init(&s, MIMEWALK_DECODE);
	assert_int_equal(walk(&s, crlf, strlen(crlf), 3), 0);
	assert_string_equal(buf_str(&s.p[0].content), "line1\n.line2\n");
	seen_free(&s);
	/* RAW gives the bytes as stored. */
	seen_init(&s, MIMEWALK_RAW);
	(void)walk(&s, crlf, strlen(crlf), 0);
	assert_string_equal(buf_str(&s.p[0].content), "line1\r\n.line2\r\n");
	seen_free(&s);
	/* No header at all: the first line is no field, so it is the body. */
	seen_init(&s, MIMEWALK_DECODE);
	(void)walk(&s, nohdr, strlen(nohdr), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(buf_str(&s.p[0].content), nohdr);
	seen_free(&s);
	expect_identity(lf, strlen(lf));
	expect_identity(crlf, strlen(crlf));
	expect_identity(nohdr, strlen(nohdr));
	expect_identity("", 0);
	expect_identity("Subject: only a header\n", 23);
}

static const char tree[] =
    "From: a@b\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\n"
    "\n"
    "preamble\n"
    "--XX\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Gr=FC=DFe=\n"
    " aus K=F6ln\n"
    "--XX\n"
    "Content-Type: multipart/alternative;\n"
    " boundary=\"YY\"\n"
    "\n"
    "--YY\n"
    "Content-Type: text/plain\n"
    "\n"
    "alt text\n"
    "--XXnot a delimiter\n"
    "--YY\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>alt</p>\n"
    "--YY--  \n"
    "--XX\n"
    "Content-Type: application/pdf; name*=utf-8''Bericht%20M%C3%A4rz.pdf\n"
    "Content-Disposition: attachment; filename*0*=utf-8''Bericht%20M%C3;\n"
    " filename*1*=%A4rz.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "SGVsbG8s\n"
    "IFdvcmxkIQ==\n"
    "--XX--\n"
    "epilogue\n";

static void
test_tree(void **state)
{
	struct seen s;

	(void)state;
	seen_init(&s, MIMEWALK_DECODE);
	assert_int_equal(walk(&s, tree, strlen(tree), 0), 0);
	assert_int_equal(s.n, 6);
	assert_true(s.p[0].multipart);
	assert_string_equal(s.p[0].type, "multipart/mixed");
	assert_string_equal(s.p[0].parent, "");
	assert_int_equal(s.p[0].number, 0);

	assert_string_equal(s.p[1].type, "text/plain");
	assert_string_equal(s.p[1].charset, "iso-8859-1");
	assert_int_equal(s.p[1].cte, MIMEWALK_QP);
	assert_int_equal(s.p[1].number, 1);
	assert_int_equal(s.p[1].depth, 1);
	/* The line end before a delimiter is the delimiter's. */
	assert_string_equal(buf_str(&s.p[1].content),
	    "Gr\xfc\xdf" "e aus K\xf6ln");

	assert_true(s.p[2].multipart);
	assert_string_equal(s.p[2].type, "multipart/alternative");
	assert_string_equal(s.p[2].parent, "multipart/mixed");

	assert_string_equal(s.p[3].type, "text/plain");
	assert_string_equal(s.p[3].parent, "multipart/alternative");
	assert_int_equal(s.p[3].depth, 2);
	assert_string_equal(buf_str(&s.p[3].content),
	    "alt text\n--XXnot a delimiter");

	assert_string_equal(s.p[4].type, "text/html");
	assert_string_equal(buf_str(&s.p[4].content), "<p>alt</p>");

	assert_string_equal(s.p[5].type, "application/pdf");
	assert_string_equal(s.p[5].name, "Bericht M\xc3\xa4rz.pdf");
	assert_true(s.p[5].attachment);
	assert_int_equal(s.p[5].number, 4);
	assert_string_equal(buf_str(&s.p[5].content), "Hello, World!");
	assert_int_equal(s.p[5].flaws, 0);
	seen_free(&s);

	expect_identity(tree, strlen(tree));
	expect_same_in_pieces(tree, strlen(tree));
}

/* The same tree with CRLF line ends: the same parts, the same contents. */
static void
test_tree_crlf(void **state)
{
	struct buf crlf;
	struct seen a, b;
	size_t i;

	(void)state;
	buf_init(&crlf, 1 << 20);
	for (i = 0; tree[i] != '\0'; i++)
		assert_int_equal(tree[i] == '\n' ? buf_add(&crlf, "\r\n", 2) :
		    buf_addch(&crlf, tree[i]), 0);
	seen_init(&a, MIMEWALK_DECODE);
	seen_init(&b, MIMEWALK_DECODE);
	assert_int_equal(walk(&a, tree, strlen(tree), 0), 0);
	assert_int_equal(walk(&b, crlf.data, crlf.len, 0), 0);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(a.p[i].type, b.p[i].type);
		assert_string_equal(a.p[i].name, b.p[i].name);
		assert_string_equal(buf_str(&a.p[i].content),
		    buf_str(&b.p[i].content));
	}
	seen_free(&a);
	seen_free(&b);
	expect_identity(crlf.data, crlf.len);
	expect_same_in_pieces(crlf.data, crlf.len);
	buf_free(&crlf);
}

/* A caller that skips parts, or stops: nothing of them is handed on. */
static enum mimewalk_want
stop_at_second(void *arg, const struct mimewalk_part *p)
{
	size_t *n = arg;

	if (p->multipart)
		return MIMEWALK_RAW;
	return ++*n == 2 ? MIMEWALK_STOP : MIMEWALK_SKIP;
}

static int
no_data(void *arg, const struct mimewalk_part *p, const char *b, size_t n)
{
	(void)arg;
	(void)p;
	(void)b;
	(void)n;
	fail_msg("data of a skipped part");
	return 0;
}

static void
test_skip_and_stop(void **state)
{
	struct mimewalk_ops ops = { stop_at_second, no_data, NULL, NULL };
	size_t n = 0;

	(void)state;
	assert_int_equal(mimewalk_mem(tree, strlen(tree), &ops, &n, NULL),
	    ERR_OK);
	assert_int_equal(n, 2);
}

/* Bad input: shown as well as possible, with the flaw named, never more. */
static void
test_truncated(void **state)
{
	struct seen s;
	size_t cut = (size_t)(strstr(tree, "IFdvcmxk") - tree);
	unsigned flaws;

	(void)state;
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, tree, cut, 0);
	assert_true(flaws & MIMEWALK_F_TRUNCATED);
	assert_int_equal(s.n, 6);
	assert_string_equal(buf_str(&s.p[5].content), "Hello,");
	assert_string_equal(s.p[5].name, "Bericht M\xc3\xa4rz.pdf");
	seen_free(&s);
	/* Cut inside a part's header. */
	cut = (size_t)(strstr(tree, "Content-Transfer-Encoding: base64") -
	    tree);
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, tree, cut, 0);
	assert_true(flaws & MIMEWALK_F_TRUNCATED);
	assert_int_equal(s.n, 6);
	seen_free(&s);
	expect_identity(tree, cut);
	/* Every cut: nothing is lost or invented, every begin has its end. */
	for (cut = 0; cut < strlen(tree); cut++) {
		expect_identity(tree, cut);
		seen_init(&s, MIMEWALK_DECODE);
		(void)walk(&s, tree, cut, 0);
		seen_free(&s);
	}
}

static void
test_close_without_line_end(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--";
	struct seen s;

	(void)state;
	seen_init(&s, MIMEWALK_DECODE);
	assert_int_equal(walk(&s, m, strlen(m), 0), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(buf_str(&s.p[1].content), "x");
	seen_free(&s);
	expect_identity(m, strlen(m));
}

static void
test_odd_parts(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\n"
	    "\n"
	    "no header\n"
	    "--b\n"
	    "Content-Type: text/plain\n"
	    "--b\n"
	    "Content-Type: image/png\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "!!QUJD*\n"
	    "--b--\n";
	static const char noboundary[] =
	    "Content-Type: multipart/mixed\n\n--x\nsome\n--x--\n";
	struct seen s;
	unsigned flaws;

	(void)state;
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, m, strlen(m), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.p[1].type, "text/plain");
	assert_string_equal(buf_str(&s.p[1].content), "no header");
	/* A header and no body before the next delimiter. */
	assert_true(s.p[2].flaws & MIMEWALK_F_TRUNCATED);
	assert_int_equal(s.p[2].content.len, 0);
	/* Bad base64: the good characters still count. */
	assert_true(s.p[3].flaws & MIMEWALK_F_ENCODING);
	assert_string_equal(buf_str(&s.p[3].content), "ABC");
	assert_true(flaws & MIMEWALK_F_ENCODING);
	assert_true(flaws & MIMEWALK_F_TRUNCATED);
	seen_free(&s);
	expect_identity(m, strlen(m));

	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, noboundary, strlen(noboundary), 0);
	assert_true(flaws & MIMEWALK_F_BOUNDARY);
	assert_int_equal(s.n, 1);
	assert_false(s.p[0].multipart);
	assert_string_equal(buf_str(&s.p[0].content), "--x\nsome\n--x--\n");
	seen_free(&s);
	expect_identity(noboundary, strlen(noboundary));
}

/* 10,000 parts: the first MIMEWALK_PARTS_MAX are given, the rest is noted. */
static void
test_many_parts(void **state)
{
	struct buf m;
	struct seen s;
	unsigned flaws;
	int i;

	(void)state;
	buf_init(&m, BIG);
	assert_int_equal(buf_addstr(&m, "Content-Type: multipart/mixed; "
	    "boundary=b\n\n"), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_printf(&m, "--b\nContent-Type: text/plain"
		    "\n\npart %d\n", i), 0);
	assert_int_equal(buf_addstr(&m, "--b--\n"), 0);
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, m.data, m.len, 0);
	assert_true(flaws & MIMEWALK_F_PARTS);
	assert_int_equal(s.begun, MIMEWALK_PARTS_MAX + 1);
	assert_int_equal(s.ended, MIMEWALK_PARTS_MAX + 1);
	seen_free(&s);
	buf_free(&m);
}

/* Multiparts inside multiparts, deeper than MIMEWALK_DEPTH_MAX. */
static void
test_deep(void **state)
{
	struct buf m;
	struct seen s;
	unsigned flaws;
	int i;

	(void)state;
	buf_init(&m, BIG);
	for (i = 0; i < 50; i++)
		assert_int_equal(buf_printf(&m, "Content-Type: multipart/mixed;"
		    " boundary=b%d\n\n--b%d\n", i, i), 0);
	assert_int_equal(buf_addstr(&m, "\ndeep\n"), 0);
	for (i = 50; i-- > 0;)
		assert_int_equal(buf_printf(&m, "--b%d--\n", i), 0);
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, m.data, m.len, 0);
	assert_true(flaws & MIMEWALK_F_DEPTH);
	assert_false(flaws & MIMEWALK_F_TRUNCATED);
	assert_int_equal(s.begun, s.ended);
	seen_free(&s);
	expect_identity(m.data, m.len);
	buf_free(&m);
}

static void
test_long_header_and_nul(void **state)
{
	struct buf m;
	struct seen s;
	unsigned flaws;
	size_t i;

	(void)state;
	buf_init(&m, BIG);
	assert_int_equal(buf_addstr(&m, "Subject: x"), 0);
	for (i = 0; i < RFC822_HEADER_MAX / 10 + 10; i++)
		assert_int_equal(buf_addstr(&m, "\n continue"), 0);
	assert_int_equal(buf_addstr(&m, "\n\nbody\n"), 0);
	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, m.data, m.len, 4096);
	assert_true(flaws & MIMEWALK_F_HEADER);
	assert_int_equal(s.begun, 1);
	seen_free(&s);
	buf_free(&m);

	seen_init(&s, MIMEWALK_DECODE);
	flaws = walk(&s, "Subject: a\0b\n\nx\n", 16, 0);
	assert_true(flaws & MIMEWALK_F_NUL);
	assert_string_equal(buf_str(&s.p[0].content), "x\n");
	seen_free(&s);
}

/* Random bytes and damaged messages: never a crash, every begin ended, nothing lost. */
static void
test_garbage(void **state)
{
	uint32_t rng = 0x51d3c0deu;
	struct buf m;
	struct seen s;
	unsigned flaws;
	size_t i, n, k;
	int round;

	(void)state;
	buf_init(&m, BIG);
	for (round = 0; round < 300; round++) {
		buf_reset(&m);
		assert_int_equal(buf_add(&m, tree, strlen(tree)), 0);
		/* A few bytes changed, lines dropped or doubled. */
		n = 1 + test_rand(&rng) % 8;
		for (i = 0; i < n; i++) {
			k = test_rand(&rng) % m.len;
			switch (test_rand(&rng) % 4) {
			case 0:
				m.data[k] = (char)test_rand(&rng);
				break;
			case 1:
				m.data[k] = "-\n\r=: b"[test_rand(&rng) % 7];
				break;
			case 2:
				buf_truncate(&m, k);
				break;
			default:
				if (k < m.len / 2) {
					/* A copy: the buffer may move. */
					char *dup = malloc(m.len / 2);

					assert_non_null(dup);
					memcpy(dup, m.data + k, m.len / 2);
					assert_int_equal(buf_add(&m, dup,
					    m.len / 2), 0);
					free(dup);
				}
				break;
			}
			if (m.len == 0)
				break;
		}
		seen_init(&s, MIMEWALK_RAW);
		flaws = walk(&s, m.data, m.len, 1 + test_rand(&rng) % 100);
		if (!(flaws & (MIMEWALK_F_NUL | MIMEWALK_F_HEADER |
		    MIMEWALK_F_PARTS)) && (s.copy.len != m.len ||
		    memcmp(s.copy.data, m.data, m.len) != 0))
		{
			size_t d = 0;

			while (d < s.copy.len && d < m.len &&
			    s.copy.data[d] == m.data[d])
				d++;
			d = d > 80 ? d - 80 : 0;
			fail_msg("round %d: the copy differs: \"%s\" of \"%s\"",
			    round, test_vis(s.copy.data + d, s.copy.len - d),
			    test_vis(m.data + d, m.len - d));
		}
		seen_free(&s);
		seen_init(&s, MIMEWALK_DECODE);
		(void)walk(&s, m.data, m.len, 1 + test_rand(&rng) % 100);
		seen_free(&s);
	}
	for (round = 0; round < 100; round++) {
		buf_reset(&m);
		n = test_rand(&rng) % 3000;
		for (i = 0; i < n; i++)
			assert_int_equal(buf_addch(&m, (char)(test_rand(&rng) %
			    4 == 0 ? "-\nb:"[test_rand(&rng) % 4] :
			    (char)test_rand(&rng))), 0);
		seen_init(&s, MIMEWALK_DECODE);
		(void)walk(&s, buf_str(&m), m.len, 1 + test_rand(&rng) % 50);
		seen_free(&s);
	}
	buf_free(&m);
}

/* --- what pigeon writes, pigeon reads ------------------------------------- */

static char *
make_file(const char *name, const void *p, size_t n)
{
	char *path = malloc(strlen(test_dir) + strlen(name) + 2);
	FILE *f;

	assert_non_null(path);
	(void)sprintf(path, "%s/%s", test_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Names in several scripts, long enough for RFC 2231 continuations too. */
static const char *const names[] = {
	"Bericht M\xc3\xa4rz.pdf",
	"\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd0\xb7\xd0\xb0 \xd0\xbc"
	    "\xd0\xb0\xd1\x80\xd1\x82.txt",
	"\xe5\xa0\xb1\xe5\x91\x8a\xe6\x9b\xb8.bin",
	"\xd8\xaa\xd9\x82\xd8\xb1\xd9\x8a\xd8\xb1.dat",
	"\xf0\x9f\x90\xa6 pigeon.png",
	"a name that is far too long to fit on one header line, with "
	    "\xc3\xbc" "mlauts, and more words after it.tar.gz",
	"plain-ascii.txt",
	"quote \" and ; semicolon.txt",
};

static void
test_pigeon_round_trip(void **state)
{
	struct mime_part *mixed, *alt, *t, *h, *f;
	struct mime_msg mm;
	struct mime_result mr;
	struct addr from = { (char *)"Me", (char *)"me@example.org" };
	unsigned char bin[5000];
	char *paths[sizeof(names) / sizeof(names[0])], *errstr = NULL;
	char spool[300];
	static const char text[] = "Gr\xc3\xbc\xc3\x9f" "e!\n.a dot\nFrom me\n";
	struct seen s;
	uint32_t rng = 7;
	size_t i, k;
	int fd, allow8;

	(void)state;
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)test_rand(&rng);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char fn[32];

		(void)snprintf(fn, sizeof(fn), "f%zu", i);
		paths[i] = make_file(fn, bin, sizeof(bin) - i * 100);
	}
	for (allow8 = 0; allow8 <= 1; allow8++) {
		assert_int_equal(mime_multipart(&mixed, "mixed"), ERR_OK);
		assert_int_equal(mime_multipart(&alt, "alternative"), ERR_OK);
		assert_int_equal(mime_text(&t, "plain", text, strlen(text),
		    NULL, &errstr), ERR_OK);
		assert_int_equal(mime_text(&h, "html", "<p>x</p>\n", 9, NULL,
		    &errstr), ERR_OK);
		assert_int_equal(mime_add(alt, t), ERR_OK);
		assert_int_equal(mime_add(alt, h), ERR_OK);
		assert_int_equal(mime_add(mixed, alt), ERR_OK);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			assert_int_equal(mime_file(&f, paths[i],
			    "application/octet-stream", MIME_ATTACHMENT, NULL,
			    &errstr), ERR_OK);
			assert_int_equal(mime_file_name(f, names[i]), ERR_OK);
			assert_int_equal(mime_add(mixed, f), ERR_OK);
		}
		memset(&mm, 0, sizeof(mm));
		mm.from = &from;
		mm.subject = "round trip";
		mm.root = mixed;
		(void)snprintf(spool, sizeof(spool), "%s/msg%d", test_dir,
		    allow8);
		fd = open(spool, O_RDWR | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(mime_write(&mm, fd, allow8, &mr, &errstr),
		    ERR_OK);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		seen_init(&s, MIMEWALK_DECODE);
		assert_int_equal(mimewalk_fd(fd, &seen_ops, &s, NULL,
		    &errstr), ERR_OK);
		(void)close(fd);
		/* mixed, alternative, text, html, then the files. */
		assert_int_equal(s.n, 4 + sizeof(names) / sizeof(names[0]));
		assert_string_equal(s.p[2].type, "text/plain");
		assert_string_equal(buf_str(&s.p[2].content), text);
		assert_string_equal(s.p[2].charset, "utf-8");
		assert_int_equal(s.p[2].cte, allow8 ? MIMEWALK_8BIT :
		    MIMEWALK_QP);
		assert_string_equal(buf_str(&s.p[3].content), "<p>x</p>\n");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			k = 4 + i;
			assert_string_equal(s.p[k].name, names[i]);
			assert_true(s.p[k].attachment);
			assert_int_equal(s.p[k].content.len, sizeof(bin) -
			    i * 100);
			assert_memory_equal(s.p[k].content.data, bin,
			    s.p[k].content.len);
			assert_int_equal(s.p[k].flaws, 0);
		}
		seen_free(&s);
		mime_free(mixed);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		free(paths[i]);
}

/* --- the decoders in steps ------------------------------------------------- */

static void
test_step_decoders(void **state)
{
	static const char b64[] = "SGVs\nbG8s\r\nIFdv cmxk\tIQ==\nQUJD";
	static const char qp[] = "Gr=FC=DFe =\r\n aus  \r\nK=F6ln=\n\t\n=4";
	struct base64_dec bd;
	struct qp_dec qd;
	struct buf one, step;
	size_t i, chunk;

	(void)state;
	buf_init(&one, 4096);
	buf_init(&step, 4096);
	base64_dec_init(&bd);
	assert_int_equal(base64_dec_feed(&bd, &one, b64, strlen(b64)), 0);
	base64_dec_finish(&bd);
	assert_string_equal(buf_str(&one), "Hello, World!ABC");
	assert_int_equal(bd.bad, 0);
	for (chunk = 1; chunk < 8; chunk++) {
		buf_reset(&step);
		base64_dec_init(&bd);
		for (i = 0; i < strlen(b64); i += chunk)
			assert_int_equal(base64_dec_feed(&bd, &step, b64 + i,
			    strlen(b64) - i < chunk ? strlen(b64) - i : chunk),
			    0);
		base64_dec_finish(&bd);
		assert_string_equal(buf_str(&step), buf_str(&one));
	}
	/* Junk is counted and skipped; a cut quantum counts too. */
	buf_reset(&one);
	base64_dec_init(&bd);
	assert_int_equal(base64_dec_feed(&bd, &one, "QU*JD!Q", 7), 0);
	base64_dec_finish(&bd);
	assert_string_equal(buf_str(&one), "ABC");
	assert_int_equal(bd.bad, 3);

	buf_reset(&one);
	qp_dec_init(&qd, 1);
	assert_int_equal(qp_dec_feed(&qd, &one, qp, strlen(qp)), 0);
	assert_int_equal(qp_dec_finish(&qd, &one), 0);
	/* Soft breaks go, trailing blanks go, a cut "=4" stays as it is. */
	assert_string_equal(buf_str(&one),
	    "Gr\xfc\xdf" "e  aus\nK\xf6ln\n=4");
	assert_int_equal(qd.bad, 1);
	for (chunk = 1; chunk < 8; chunk++) {
		buf_reset(&step);
		qp_dec_init(&qd, 1);
		for (i = 0; i < strlen(qp); i += chunk)
			assert_int_equal(qp_dec_feed(&qd, &step, qp + i,
			    strlen(qp) - i < chunk ? strlen(qp) - i : chunk),
			    0);
		assert_int_equal(qp_dec_finish(&qd, &step), 0);
		assert_string_equal(buf_str(&step), buf_str(&one));
	}
	/* Malformed escapes are kept, not dropped. */
	buf_reset(&one);
	qp_dec_init(&qd, 1);
	assert_int_equal(qp_dec_feed(&qd, &one, "a=ZZb=\xe9=3d\rc", 13), 0);
	assert_int_equal(qp_dec_finish(&qd, &one), 0);
	assert_string_equal(buf_str(&one), "a=ZZb=\xe9=\rc");
	buf_free(&one);
	buf_free(&step);
}

static void
test_flaws_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(mimewalk_flaws_text(&b, 0, "\n"), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(mimewalk_flaws_text(&b, MIMEWALK_F_TRUNCATED |
	    MIMEWALK_F_PARTS, "\n"), 0);
	assert_non_null(strstr(buf_str(&b), "cut off.\nThe message has more "
	    "parts"));
	assert_int_equal(b.data[b.len - 1], '\n');
	buf_reset(&b);
	assert_int_equal(mimewalk_flaws_text(&b, MIMEWALK_F_TRUNCATED |
	    MIMEWALK_F_PARTS, " "), 0);
	assert_null(strchr(buf_str(&b), '\n'));
	assert_non_null(strstr(buf_str(&b), "cut off. The message has more "
	    "parts"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_message),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_tree_crlf),
		cmocka_unit_test(test_skip_and_stop),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_close_without_line_end),
		cmocka_unit_test(test_odd_parts),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_long_header_and_nul),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_pigeon_round_trip),
		cmocka_unit_test(test_step_decoders),
		cmocka_unit_test(test_flaws_text),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
