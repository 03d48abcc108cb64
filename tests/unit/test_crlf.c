/* test_crlf.c - line ends and dot-stuffing checked against a byte-at-a-time model. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "crlf.h"
#include "helper.h"

#define SEED 0xc0ffee11u
#define OUT_MAX (1024 * 1024)

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/* The obvious model: one byte at a time, no memchr, no lookahead. */
struct ref {
	int bol, after_cr, stuff, eightbit;
	uint64_t lines;
};

static void
ref_init(struct ref *r, int stuff)
{
	memset(r, 0, sizeof(*r));
	r->bol = 1;
	r->stuff = stuff;
}

static void
ref_put(struct buf *o, char c)
{
	assert_int_equal(buf_addch(o, c), 0);
}

static void
ref_convert(struct ref *r, struct buf *o, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		if ((unsigned char)c >= 0x80)
			r->eightbit = 1;
		if (r->after_cr) {
			r->after_cr = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r' || c == '\n') {
			ref_put(o, '\r');
			ref_put(o, '\n');
			r->after_cr = c == '\r';
			r->bol = 1;
			r->lines++;
			continue;
		}
		if (r->bol && r->stuff && c == '.')
			ref_put(o, '.');
		r->bol = 0;
		ref_put(o, c);
	}
}

static void
ref_finish(struct ref *r, struct buf *o)
{
	if (!r->bol) {
		ref_put(o, '\r');
		ref_put(o, '\n');
		r->bol = 1;
		r->lines++;
	}
}


/* Feed in[0..n) to crlf_convert cut at the given chunk ends, then finish. */
static void
run_chunks(struct crlf *c, struct buf *out, const char *in, size_t n,
    const size_t *cuts, size_t ncuts)
{
	size_t k, at = 0;

	for (k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;

		assert_int_equal(crlf_convert(c, out, in + at, end - at), 0);
		at = end;
	}
	assert_int_equal(crlf_finish(c, out), 0);
}

/* Is there a "\r\n.\r\n" in o[0..n)? */
static int
has_lone_dot(const char *o, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (memcmp(o + i, "\r\n.\r\n", 5) == 0)
			return 1;
	return 0;
}

/* Properties any output must have, independent of the model. */
static void
check_properties(const char *in, size_t n, const struct buf *out, int stuff,
    uint64_t lines, int iter)
{
	const char *o = out->data != NULL ? out->data : "";
	size_t i, crlfs = 0;

	for (i = 0; i < out->len; i++) {
		if (o[i] == '\r' && (i + 1 == out->len || o[i + 1] != '\n'))
			fail_msg("seed %#x iter %d: bare CR at %zu for '%s'",
			    SEED, iter, i, test_vis(in, n));
		if (o[i] == '\n' && (i == 0 || o[i - 1] != '\r'))
			fail_msg("seed %#x iter %d: bare LF at %zu for '%s'",
			    SEED, iter, i, test_vis(in, n));
		if (o[i] == '\r')
			crlfs++;
	}
	if (lines != crlfs)
		fail_msg("seed %#x iter %d: lines %llu but %zu CRLFs for '%s'",
		    SEED, iter, (unsigned long long)lines, crlfs, test_vis(in, n));
	if (out->len > 0 && (out->len < 2 || o[out->len - 2] != '\r'))
		fail_msg("seed %#x iter %d: no final CRLF for '%s'", SEED, iter,
		    test_vis(in, n));
	if (stuff) {
		if ((out->len >= 3 && memcmp(o, ".\r\n", 3) == 0) ||
		    has_lone_dot(o, out->len))
			fail_msg("seed %#x iter %d: lone-dot line in '%s' for "
			    "'%s'", SEED, iter, test_vis(o, out->len), test_vis(in, n));
	}
}

/* Undo dot-stuffing: the stuffed output minus one dot per dotted line. */
static void
unstuff(const struct buf *in, struct buf *out)
{
	size_t i;
	int bol = 1;

	for (i = 0; i < in->len; i++) {
		if (bol && in->data[i] == '.') {
			bol = 0;
			continue;
		}
		bol = in->data[i] == '\n';
		assert_int_equal(buf_addch(out, in->data[i]), 0);
	}
}

static void
compare(const char *what, int iter, const char *in, size_t n,
    const struct buf *got, const struct buf *want)
{
	if (got->len != want->len ||
	    (want->len > 0 && memcmp(got->data, want->data, want->len) != 0))
		fail_msg("seed %#x iter %d %s: input '%s'\n got  '%s'\n want "
		    "'%s'", SEED, iter, what, test_vis(in, n),
		    test_vis(buf_str(got), got->len), test_vis(buf_str(want), want->len));
}

/* A byte from a small alphabet that the code treats specially. */
static char
rnd_byte(void)
{
	static const char alpha[] = "\r\r\r\n\n\n...aaa\x80\x80" "b\xff";

	return alpha[test_rand(&rng) % (sizeof(alpha) - 1)];
}

/* Chunk ends for n bytes: whole, bytewise, random, or at every CR. */
static size_t
rnd_cuts(const char *in, size_t n, size_t *cuts)
{
	size_t k = 0, i;

	switch (test_rand(&rng) % 4) {
	case 0:
		break;
	case 1:
		for (i = 1; i < n; i++)
			cuts[k++] = i;
		break;
	case 2:
		for (i = 1; i < n; i++)
			if (test_rand(&rng) % 5 == 0)
				cuts[k++] = i;
		break;
	default:
		/* Right after every CR: splits CR from its LF. */
		for (i = 0; i + 1 < n; i++)
			if (in[i] == '\r')
				cuts[k++] = i + 1;
		break;
	}
	return k;
}

static void
random_round(int iter, size_t n, int stuff, int track8)
{
	char *in = malloc(n + 1);
	size_t *cuts = malloc((n + 1) * sizeof(*cuts));
	size_t ncuts, i;
	struct buf got, want, plain, un;
	struct crlf c, p;
	struct ref r;
	int any8 = 0;

	assert_non_null(in);
	assert_non_null(cuts);
	for (i = 0; i < n; i++) {
		in[i] = rnd_byte();
		if ((unsigned char)in[i] >= 0x80)
			any8 = 1;
	}
	ncuts = rnd_cuts(in, n, cuts);
	buf_init(&got, OUT_MAX);
	buf_init(&want, OUT_MAX);
	buf_init(&plain, OUT_MAX);
	buf_init(&un, OUT_MAX);

	crlf_init(&c, stuff, track8);
	run_chunks(&c, &got, in, n, cuts, ncuts);
	ref_init(&r, stuff);
	ref_convert(&r, &want, in, n);
	ref_finish(&r, &want);
	compare(stuff ? "stuff=1" : "stuff=0", iter, in, n, &got, &want);
	if (c.lines != r.lines)
		fail_msg("seed %#x iter %d: lines %llu, model %llu", SEED, iter,
		    (unsigned long long)c.lines, (unsigned long long)r.lines);
	if (c.eightbit != (track8 && any8))
		fail_msg("seed %#x iter %d: eightbit %d, track8 %d, input has "
		    "8-bit %d", SEED, iter, c.eightbit, track8, any8);
	check_properties(in, n, &got, stuff, c.lines, iter);

	/* Stuffing adds dots and nothing else. */
	if (stuff) {
		crlf_init(&p, 0, 0);
		run_chunks(&p, &plain, in, n, NULL, 0);
		unstuff(&got, &un);
		compare("unstuffed", iter, in, n, &un, &plain);
	}
	buf_free(&got);
	buf_free(&want);
	buf_free(&plain);
	buf_free(&un);
	free(in);
	free(cuts);
}

static void
test_random_small(void **state)
{
	int iter;

	(void)state;
	for (iter = 0; iter < 30000; iter++)
		random_round(iter, test_rand(&rng) % 40, (int)(test_rand(&rng) & 1),
		    (int)(test_rand(&rng) % 4 != 0));
}

/* Longer inputs reach the eight-bytes-at-a-time and memchr paths. */
static void
test_random_large(void **state)
{
	int iter;

	(void)state;
	for (iter = 0; iter < 300; iter++)
		random_round(100000 + iter, test_rand(&rng) % 5000, (int)(test_rand(&rng) & 1),
		    (int)(test_rand(&rng) % 4 != 0));
}

/* The model of the local form: the wire form (unstuffed), CRLF -> LF. */
static void
ref_local(const char *in, size_t n, struct buf *want, uint64_t *lines)
{
	struct buf wire;
	struct ref r;
	size_t i;

	buf_init(&wire, OUT_MAX);
	ref_init(&r, 0);
	ref_convert(&r, &wire, in, n);
	ref_finish(&r, &wire);
	for (i = 0; i < wire.len; i++)
		if (wire.data[i] != '\r')
			assert_int_equal(buf_addch(want, wire.data[i]), 0);
	*lines = r.lines;
	buf_free(&wire);
}

/*
 * The local form (crlf_init_lf) against the model, cut anywhere; half
 * the inputs have no CR at all, the case taken as a whole block.
 */
static void
lf_round(int iter, size_t n)
{
	char *in = malloc(n + 1);
	size_t *cuts = malloc((n + 1) * sizeof(*cuts));
	size_t ncuts, i;
	int no_cr = (int)(test_rand(&rng) & 1);
	struct buf got, want;
	struct crlf c;
	uint64_t lines;

	assert_non_null(in);
	assert_non_null(cuts);
	for (i = 0; i < n; i++) {
		do
			in[i] = rnd_byte();
		while (no_cr && in[i] == '\r');
	}
	ncuts = rnd_cuts(in, n, cuts);
	buf_init(&got, OUT_MAX);
	buf_init(&want, OUT_MAX);
	crlf_init_lf(&c, 0);
	run_chunks(&c, &got, in, n, cuts, ncuts);
	ref_local(in, n, &want, &lines);
	compare("local form", iter, in, n, &got, &want);
	if (c.lines != lines)
		fail_msg("seed %#x iter %d: local lines %llu, model %llu", SEED,
		    iter, (unsigned long long)c.lines, (unsigned long long)lines);
	buf_free(&got);
	buf_free(&want);
	free(in);
	free(cuts);
}

static void
test_random_lf(void **state)
{
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++)
		lf_round(200000 + iter, test_rand(&rng) % 40);
	for (iter = 0; iter < 300; iter++)
		lf_round(300000 + iter, test_rand(&rng) % 5000);
}

/*
 * Blocks as the data path cuts them (4 KiB, 64 KiB): a message of
 * LF-ended lines of every length near them, with leading dots and a CR
 * LF pair split by each edge, in both forms, against the model.
 */
static void
test_block_edges(void **state)
{
	static const size_t blocks[] = { 4096, 65536 };
	const size_t n = 3 * 65536 + 100;
	char *in = malloc(n);
	size_t b, i, at, len;
	struct buf got, want;
	struct crlf c;
	struct ref r;
	uint64_t lines;

	(void)state;
	assert_non_null(in);
	/* Lines of 1..80 bytes, each starting with a dot; a CRLF at 65535. */
	for (i = 0, len = 1; i < n; len = len % 80 + 1) {
		for (at = 0; at < len && i < n; at++)
			in[i++] = at == 0 ? '.' : at + 1 == len ? '\n' : 'x';
	}
	in[65535] = '\r';
	in[65536] = '\n';
	in[4095] = '\r';
	for (b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
		size_t cuts[256], k = 0;

		for (at = blocks[b] - 1; at < n && k + 3 < 256;
		    at += blocks[b]) {
			cuts[k++] = at;
			cuts[k++] = at + 1;
			if (at + 2 < n)
				cuts[k++] = at + 2;
		}
		buf_init(&got, OUT_MAX);
		buf_init(&want, OUT_MAX);
		crlf_init(&c, 1, 0);
		run_chunks(&c, &got, in, n, cuts, k);
		ref_init(&r, 1);
		ref_convert(&r, &want, in, n);
		ref_finish(&r, &want);
		compare("wire, block edges", (int)b, in, 0, &got, &want);
		assert_int_equal(c.lines, r.lines);
		buf_free(&got);
		buf_free(&want);

		buf_init(&got, OUT_MAX);
		buf_init(&want, OUT_MAX);
		crlf_init_lf(&c, 0);
		run_chunks(&c, &got, in, n, cuts, k);
		ref_local(in, n, &want, &lines);
		compare("local, block edges", (int)b, in, 0, &got, &want);
		assert_int_equal(c.lines, lines);
		buf_free(&got);
		buf_free(&want);
	}
	free(in);
}

struct fixed_case {
	const char *in;
	int stuff;
	const char *out;      /* after crlf_finish */
	unsigned lines;
};

static const struct fixed_case fixed[] = {
	{ "", 0, "", 0 },
	{ "", 1, "", 0 },
	{ "a", 0, "a\r\n", 1 },
	{ "a\n", 0, "a\r\n", 1 },
	{ "a\r\n", 0, "a\r\n", 1 },
	{ "a\r", 0, "a\r\n", 1 },
	{ "\n\r", 0, "\r\n\r\n", 2 },
	{ "\r\r\n", 0, "\r\n\r\n", 2 },
	{ "\r\n\r\n", 0, "\r\n\r\n", 2 },
	{ "a\nb\r\nc\rd", 0, "a\r\nb\r\nc\r\nd\r\n", 4 },
	{ ".\n", 0, ".\r\n", 1 },
	{ ".\n", 1, "..\r\n", 1 },
	{ ".", 1, "..\r\n", 1 },
	{ "..\n", 1, "...\r\n", 1 },
	{ "a.\n.b\n", 1, "a.\r\n..b\r\n", 2 },
	{ "x\r.\r\n.", 1, "x\r\n..\r\n..\r\n", 3 },
	{ "a\n.\nb", 1, "a\r\n..\r\nb\r\n", 3 },
	{ "\n.\n", 1, "\r\n..\r\n", 2 },
};

static void
test_fixed(void **state)
{
	size_t i, k, n, one;
	struct buf out;
	struct crlf c;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		n = strlen(fixed[i].in);
		/* Whole, then one byte at a time. */
		for (one = 0; one < 2; one++) {
			buf_init(&out, 1024);
			crlf_init(&c, fixed[i].stuff, 1);
			if (one) {
				for (k = 0; k < n; k++)
					assert_int_equal(crlf_convert(&c, &out,
					    fixed[i].in + k, 1), 0);
			} else {
				assert_int_equal(crlf_convert(&c, &out,
				    fixed[i].in, n), 0);
			}
			assert_int_equal(crlf_finish(&c, &out), 0);
			if (strcmp(buf_str(&out), fixed[i].out) != 0)
				fail_msg("'%s' stuff=%d bytewise=%zu: got '%s'",
				    test_vis(fixed[i].in, n), fixed[i].stuff, one,
				    test_vis(buf_str(&out), out.len));
			assert_int_equal(c.lines, fixed[i].lines);
			assert_int_equal(c.eightbit, 0);
			buf_free(&out);
		}
	}
}

/* eightbit follows track8 and any byte >= 0x80, wherever it is. */
static void
test_eightbit(void **state)
{
	char in[64];
	struct buf out;
	struct crlf c;
	size_t pos;

	(void)state;
	for (pos = 0; pos < sizeof(in); pos++) {
		memset(in, 'a', sizeof(in));
		in[pos] = (char)0x80;
		buf_init(&out, 4096);
		crlf_init(&c, 0, 1);
		assert_int_equal(crlf_convert(&c, &out, in, sizeof(in)), 0);
		assert_int_equal(c.eightbit, 1);
		crlf_init(&c, 0, 0);
		assert_int_equal(crlf_convert(&c, &out, in, sizeof(in)), 0);
		assert_int_equal(c.eightbit, 0);
		buf_free(&out);
	}
	/* Once seen it stays seen. */
	buf_init(&out, 4096);
	crlf_init(&c, 0, 1);
	assert_int_equal(crlf_convert(&c, &out, "\xc3\xa9", 2), 0);
	assert_int_equal(crlf_convert(&c, &out, "plain", 5), 0);
	assert_int_equal(c.eightbit, 1);
	buf_free(&out);
}

/* A full buffer refuses the block and leaves what it had. */
static void
test_full(void **state)
{
	struct buf out;
	struct crlf c;

	(void)state;
	buf_init(&out, 16);
	crlf_init(&c, 1, 0);
	assert_int_equal(crlf_convert(&c, &out, "ab", 2), 0);
	assert_string_equal(buf_str(&out), "ab");
	assert_int_equal(crlf_convert(&c, &out, "0123456789abcdef", 16), -1);
	assert_string_equal(buf_str(&out), "ab");
	assert_int_equal(out.len, 2);
	buf_free(&out);

	/* No room for the final CRLF. */
	buf_init(&out, 1);
	assert_int_equal(buf_addch(&out, 'x'), 0);
	crlf_init(&c, 0, 0);
	c.bol = 0;
	assert_int_equal(crlf_finish(&c, &out), -1);
	assert_string_equal(buf_str(&out), "x");
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_eightbit),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_large),
		cmocka_unit_test(test_random_lf),
		cmocka_unit_test(test_block_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
