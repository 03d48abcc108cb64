/* test_qp.c - unit tests for the streaming quoted-printable encoder and the strict decoder. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "helper.h"
#include "qp.h"

#define SEED 0x5eed0a11u
#define OUT_MAX (16 * 1024 * 1024)

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

static size_t
rnd(size_t n)
{
	return test_rand(&rng) % n;
}

/* Encode in[0..n) with one qp_encode() call and qp_finish(). */
static void
encode_all(struct buf *out, const char *in, size_t n, int text)
{
	struct qp q;

	buf_init(out, OUT_MAX);
	qp_init(&q, text);
	assert_int_equal(qp_encode(&q, out, in, n), 0);
	assert_int_equal(qp_finish(&q, out), 0);
}

/*
 * The same in pieces: chunk 0 means random sizes from 0 to 40 (empty
 * calls included), anything else that size.
 */
static void
encode_chunked(struct buf *out, const char *in, size_t n, int text,
    size_t chunk)
{
	struct qp q;
	size_t i = 0, k;

	buf_init(out, OUT_MAX);
	qp_init(&q, text);
	while (i < n) {
		k = chunk != 0 ? chunk : rnd(41);
		if (k > n - i)
			k = n - i;
		assert_int_equal(qp_encode(&q, out, in + i, k), 0);
		i += k;
	}
	assert_int_equal(qp_finish(&q, out), 0);
}

/* What decoding should give: text mode turns every line break into LF. */
static void
normalise(struct buf *out, const char *in, size_t n, int text)
{
	size_t i;

	buf_init(out, OUT_MAX);
	for (i = 0; i < n; i++) {
		if (text && in[i] == '\r') {
			assert_int_equal(buf_addch(out, '\n'), 0);
			if (i + 1 < n && in[i + 1] == '\n')
				i++;
		} else {
			assert_int_equal(buf_addch(out, in[i]), 0);
		}
	}
}

/* Does offset off fall strictly inside a well-formed UTF-8 sequence of s? */
static int
inside_utf8(const char *str, size_t n, size_t off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t k, j, len;

	for (k = 1; k <= 3 && k <= off; k++) {
		unsigned char c = s[off - k];

		len = c >= 0xc2 && c <= 0xdf ? 2 :
		    c >= 0xe0 && c <= 0xef ? 3 :
		    c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (len <= k || off - k + len > n)
			continue;
		for (j = 1; j < len; j++)
			if ((s[off - k + j] & 0xc0) != 0x80)
				break;
		if (j == len)
			return 1;
	}
	return 0;
}

static int
is_upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* The end of an output line, hard or at the end of the output. */
static void
check_line_end(const char *enc, size_t elen, size_t start, size_t i,
    size_t col)
{
	if (col > 76)
		fail_msg("line of %zu characters in \"%s\"", col,
		    test_vis(enc, elen));
	if (i > start && (enc[i - 1] == ' ' || enc[i - 1] == '\t'))
		fail_msg("white space at a line end at %zu in \"%s\"", i,
		    test_vis(enc, elen));
}

/*
 * Check the form of an encoding of plain (already normalised) without the
 * decoder under test: line lengths, the character set, LF line ends and
 * no CR (the local form),
 * no white space before a line end, no line that starts with "From " or
 * ".", upper-case =XX only, no hard break in binary mode, and no soft
 * break inside a well-formed UTF-8 sequence of plain.
 */
static void
check_form(const char *enc, size_t elen, const char *plain, size_t plen,
    int text)
{
	size_t i = 0, start = 0, col = 0, dec = 0;
	unsigned char c;

	while (i < elen) {
		if (i == start && ((elen - i >= 5 &&
		    memcmp(enc + i, "From ", 5) == 0) || enc[i] == '.'))
			fail_msg("line starts with \"From \" or \".\" at %zu "
			    "in \"%s\"", i, test_vis(enc, elen));
		c = (unsigned char)enc[i];
		if (c == '\n') {
			if (!text)
				fail_msg("hard break in binary mode at %zu "
				    "in \"%s\"", i, test_vis(enc, elen));
			check_line_end(enc, elen, start, i, col);
			dec++;
			i += 1;
			start = i;
			col = 0;
		} else if (c == '\r') {
			fail_msg("CR at %zu in \"%s\"", i,
			    test_vis(enc, elen));
		} else if (c == '=' && elen - i >= 2 && enc[i + 1] == '\n') {
			if (col + 1 > 76)
				fail_msg("line of %zu characters before a soft "
				    "break in \"%s\"", col + 1,
				    test_vis(enc, elen));
			if (inside_utf8(plain, plen, dec))
				fail_msg("soft break inside a UTF-8 sequence "
				    "at %zu in \"%s\"", i, test_vis(enc, elen));
			i += 2;
			start = i;
			col = 0;
		} else if (c == '=') {
			if (elen - i < 3 || !is_upper_hex(enc[i + 1]) ||
			    !is_upper_hex(enc[i + 2]))
				fail_msg("bad '=' at %zu in \"%s\"", i,
				    test_vis(enc, elen));
			i += 3;
			col += 3;
			dec++;
		} else if (c == ' ' || c == '\t' || (c >= 33 && c <= 126)) {
			i++;
			col++;
			dec++;
		} else {
			fail_msg("byte 0x%02X at %zu in \"%s\"", c, i,
			    test_vis(enc, elen));
		}
	}
	check_line_end(enc, elen, start, i, col);
	assert_int_equal(dec, plen);
}

/* Encode in every way, check the form and decode it back. */
static void
check_round_trip(const char *in, size_t n, int text)
{
	struct buf enc, again, plain, dec;

	encode_all(&enc, in, n, text);
	normalise(&plain, in, n, text);
	check_form(enc.data, enc.len, buf_str(&plain), plain.len, text);

	buf_init(&dec, OUT_MAX);
	if (qp_decode(&dec, buf_str(&enc), enc.len, text) != 0)
		fail_msg("decoder refused \"%s\"", test_vis(enc.data, enc.len));
	if (dec.len != plain.len ||
	    memcmp(buf_str(&dec), buf_str(&plain), dec.len) != 0)
		fail_msg("round trip of \"%s\" gave \"%s\" via \"%s\"",
		    test_vis(in, n), test_vis(dec.data, dec.len),
		    test_vis(enc.data, enc.len));

	encode_chunked(&again, in, n, text, 1);
	if (again.len != enc.len || memcmp(buf_str(&again), buf_str(&enc),
	    enc.len) != 0)
		fail_msg("byte by byte \"%s\", at once \"%s\"",
		    test_vis(again.data, again.len),
		    test_vis(enc.data, enc.len));

	buf_free(&enc);
	buf_free(&again);
	buf_free(&plain);
	buf_free(&dec);
}

/* Encode in (n bytes) at once and byte by byte; expect exactly want. */
static void
expect_n(const char *in, size_t n, int text, const char *want)
{
	struct buf out;
	size_t chunk;

	for (chunk = 0; chunk < 2; chunk++) {
		if (chunk == 0)
			encode_all(&out, in, n, text);
		else
			encode_chunked(&out, in, n, text, 1);
		if (out.len != strlen(want) || memcmp(buf_str(&out), want,
		    out.len) != 0)
			fail_msg("%s \"%s\": got \"%s\", want \"%s\"",
			    text ? "text" : "binary", test_vis(in, n),
			    test_vis(out.data, out.len),
			    test_vis(want, strlen(want)));
		buf_free(&out);
	}
	check_round_trip(in, n, text);
}

static void
expect(const char *in, int text, const char *want)
{
	expect_n(in, strlen(in), text, want);
}

/* A string of n copies of c followed by tail, in a fresh buffer. */
static void
rep(struct buf *b, char c, size_t n, const char *tail)
{
	size_t i;

	buf_init(b, OUT_MAX);
	for (i = 0; i < n; i++)
		assert_int_equal(buf_addch(b, c), 0);
	assert_int_equal(buf_addstr(b, tail), 0);
}

/* n 'a's and then in, expected as n 'a's and then want. */
static void
expect_at(size_t n, const char *in, int text, const char *want)
{
	struct buf i, w;

	rep(&i, 'a', n, in);
	rep(&w, 'a', n, want);
	expect(buf_str(&i), text, buf_str(&w));
	buf_free(&i);
	buf_free(&w);
}

static const struct {
	const char *in;
	const char *out;
} text_vectors[] = {
	{ "", "" },
	{ "hello", "hello" },
	{ "a=b", "a=3Db" },
	{ "==", "=3D=3D" },
	{ "tab\tin the middle", "tab\tin the middle" },
	/* White space before a hard break or at the end is encoded. */
	{ "a \n", "a=20\n" },
	{ "a\t\n", "a=09\n" },
	{ "a \r\nb", "a=20\nb" },
	{ "a \rb", "a=20\nb" },
	{ "a ", "a=20" },
	{ "a\t", "a=09" },
	{ " ", "=20" },
	{ "a  b  ", "a  b =20" },
	{ " \t \n", " \t=20\n" },
	{ "\n ", "\n=20" },
	/* Controls, DEL and 8-bit bytes. */
	{ "\x01\x7f\x80\xff", "=01=7F=80=FF" },
	{ "caf\xc3\xa9", "caf=C3=A9" },
	{ "\xe2\x82\xac 5", "=E2=82=AC 5" },
	{ "\xc3", "=C3" },
	{ "\xc3(", "=C3(" },
	{ "\xc0\x80", "=C0=80" },
	{ "\x1b[0m", "=1B[0m" },
	/* mbox and SMTP: "From " and "." at the start of a line. */
	{ "From here\nFrom\nFrom x\nfrom y\n From z",
	  "=46rom here\nFrom\n=46rom x\nfrom y\n From z" },
	{ "From ", "=46rom=20" },
	{ "From", "From" },
	{ "Fromage", "Fromage" },
	{ "xFrom y", "xFrom y" },
	{ "F", "F" },
	{ ".", "=2E" },
	{ ".\n", "=2E\n" },
	{ ".foo\n..\na.b", "=2Efoo\n=2E.\na.b" },
	{ "\n.", "\n=2E" },
	/* Every kind of line break becomes LF. */
	{ "a\r\nb\rc\nd", "a\nb\nc\nd" },
	{ "\r\r\n\n", "\n\n\n" },
	{ "\n", "\n" },
	{ "\r", "\n" },
	{ "\r\n", "\n" },
	{ "\n\r", "\n\n" },
	{ "a\n", "a\n" },
	{ "a\n\n", "a\n\n" },
	{ "a\r", "a\n" },
};

static const struct {
	const char *in;
	const char *out;
} binary_vectors[] = {
	{ "", "" },
	{ "a\r\nb\n", "a=0D=0Ab=0A" },
	{ "a \r\n", "a =0D=0A" },
	{ "x ", "x=20" },
	{ "\r", "=0D" },
	{ "\n\n", "=0A=0A" },
	{ "From x\nFrom y", "=46rom x=0AFrom y" },
	{ ".", "=2E" },
	{ "a=\t", "a=3D=09" },
	{ "\xf0\x9f\x98\x80", "=F0=9F=98=80" },
};

static void
test_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(text_vectors) / sizeof(text_vectors[0]); i++)
		expect(text_vectors[i].in, 1, text_vectors[i].out);
	for (i = 0; i < sizeof(binary_vectors) / sizeof(binary_vectors[0]);
	    i++)
		expect(binary_vectors[i].in, 0, binary_vectors[i].out);
	/* A NUL is a byte like any other. */
	expect_n("a\0b", 3, 1, "a=00b");
	expect_n("\0", 1, 0, "=00");
}

/* RFC 2045 6.7, rule 5: its example of soft line breaks. */
static void
test_rfc2045(void **state)
{
	static const char enc[] =
	    "Now's the time =\r\n"
	    "for all folk to come=\r\n"
	    " to the aid of their country.";
	static const char plain[] =
	    "Now's the time for all folk to come "
	    "to the aid of their country.";
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(qp_decode(&b, enc, strlen(enc), 1), 0);
	assert_string_equal(buf_str(&b), plain);
	buf_free(&b);
	/* It fits on one line, so the encoder leaves it alone. */
	expect(plain, 1, plain);
	/* Rule 1 and 2: "=" and 8-bit always, printable ASCII never. */
	expect("x=1\xe9", 1, "x=3D1=E9");
}

/* Where the 76 columns end, with every kind of unit. */
static void
test_boundaries(void **state)
{
	(void)state;
	expect_at(73, "=", 1, "=3D");
	expect_at(74, "=", 1, "=\n=3D");
	expect_at(73, "=b", 1, "=\n=3Db");
	expect_at(72, "=b", 1, "=3Db");
	expect_at(73, " \n", 1, "=20\n");
	expect_at(74, " \n", 1, "=\n=20\n");
	expect_at(75, "\t", 1, "=\n=09");
	/* Literal white space may stand before a soft break's '='. */
	expect_at(75, " b", 1, "=\n b");
	expect_at(74, " b", 1, " b");
	expect_at(74, " bc", 1, " =\nbc");
	/* UTF-8 sequences move to the next line whole... */
	expect_at(73, "\xc3\xa9x", 1, "=\n=C3=A9x");
	expect_at(69, "\xc3\xa9x", 1, "=C3=A9x");
	expect_at(70, "\xc3\xa9x", 1, "=\n=C3=A9x");
	expect_at(70, "\xc3\xa9", 1, "=C3=A9");
	expect_at(70, "\xc3\xa9\n", 1, "=C3=A9\n");
	expect_at(63, "\xf0\x9f\x98\x80y", 1, "=F0=9F=98=80y");
	expect_at(64, "\xf0\x9f\x98\x80y", 1, "=\n=F0=9F=98=80y");
	/* ...malformed ones are just bytes. */
	expect_at(72, "\xe2\x82x", 1, "=E2=\n=82x");
	expect_at(64, "\xf5\x80\x80\x80y", 1, "=F5=80=80=\n=80y");
	expect_at(70, "\xc1\xbf", 1, "=C1=BF");
	expect_at(70, "\xc1\xbfy", 1, "=C1=\n=BFy");
	expect_at(68, "\xe2\x82\xe2\x82\xac", 1, "=E2=82=\n=E2=82=AC");
	/* A line start after a soft break is a line start. */
	expect_at(75, ".", 1, ".");
	expect_at(75, ".b", 1, "=\n=2Eb");
	expect_at(75, "From x", 1, "=\n=46rom x");
	expect_at(75, "From", 1, "=\nFrom");
	expect_at(75, "xFrom ", 1, "=\nxFrom=20");
	expect_at(76, "\n", 1, "\n");
	expect_at(76, "\nb", 1, "\nb");
	expect_at(76, "", 0, "");
	expect_at(75, "\r", 0, "=\n=0D");
	expect_at(73, "\r", 0, "=0D");
}

/* n 'a's, encoded: lines of 75 and a soft break while more than 76 are left. */
static void
expect_long(size_t n, const char *tail, const char *want_tail)
{
	struct buf in, want;
	size_t left = n, i;

	rep(&in, 'a', n, tail);
	buf_init(&want, OUT_MAX);
	while (left > 76) {
		for (i = 0; i < 75; i++)
			assert_int_equal(buf_addch(&want, 'a'), 0);
		assert_int_equal(buf_addstr(&want, "=\n"), 0);
		left -= 75;
	}
	for (i = 0; i < left; i++)
		assert_int_equal(buf_addch(&want, 'a'), 0);
	assert_int_equal(buf_addstr(&want, want_tail), 0);
	expect(buf_str(&in), 1, buf_str(&want));
	buf_free(&in);
	buf_free(&want);
}

static void
test_line_lengths(void **state)
{
	static const size_t lens[] = { 1, 74, 75, 76, 77, 151, 152, 998, 999,
	    5000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		expect_long(lens[i], "", "");
		expect_long(lens[i], "\n", "\n");
		expect_long(lens[i], "\r\nb", "\nb");
	}
	/* Spelled out once, to be sure of the helper. */
	expect_long(77, "", "");
	expect("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaa", 1,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa=\naa");
}

/* Fill p with n bytes: uniform, or pieces chosen to hit the special cases. */
static void
fill(char *p, size_t n, int uniform)
{
	static const char *const pieces[] = {
		"a", "b", "z", " ", "\t", "=", ".", "F", "From ", "\r", "\n",
		"\r\n", "\xc3\xa9", "\xe2\x82\xac", "\xe6\xbc\xa2\xe5\xad\x97",
		"\xf0\x9f\x98\x80", "\xc3", "\x80", "\xf4\x8f\xbf\xbf", "\x00",
		"\x7f", "\xff", "hello world ", ".\r\n", "  \n",
	};
	size_t i = 0, k, len;

	while (i < n) {
		if (uniform) {
			p[i++] = (char)test_rand(&rng);
			continue;
		}
		k = rnd(sizeof(pieces) / sizeof(pieces[0]));
		len = k == 19 ? 1 : strlen(pieces[k]);
		if (len > n - i)
			len = n - i;
		memcpy(p + i, pieces[k], len);
		i += len;
	}
}

/* Every length from 0 to 300, random bytes, both modes. */
static void
test_round_trip_random(void **state)
{
	char in[300];
	size_t n;
	int uniform, text;

	(void)state;
	for (n = 0; n <= sizeof(in); n++)
		for (uniform = 0; uniform < 2; uniform++)
			for (text = 0; text < 2; text++) {
				fill(in, n, uniform);
				check_round_trip(in, n, text);
			}
}

/* Each kind of UTF-8 character at every column around the line end. */
static void
test_utf8(void **state)
{
	static const char *const chars[] = {
		"\xc3\xa9",                        /* é */
		"\xe2\x82\xac",                    /* € */
		"\xe6\xbc\xa2\xe5\xad\x97",        /* 漢字 */
		"\xf0\x9f\x98\x80",                /* 😀 */
	};
	static const char *const tails[] = { "", "x", "\n", " ", "=" };
	struct buf in;
	size_t c, k, r, t, j;
	char big[4000];

	(void)state;
	for (c = 0; c < 4; c++)
		for (k = 55; k <= 80; k++)
			for (r = 1; r <= 3; r++)
				for (t = 0; t < 5; t++) {
					rep(&in, 'a', k, "");
					for (j = 0; j < r; j++)
						assert_int_equal(buf_addstr(&in,
						    chars[c]), 0);
					assert_int_equal(buf_addstr(&in,
					    tails[t]), 0);
					check_round_trip(in.data, in.len, 1);
					check_round_trip(in.data, in.len, 0);
					buf_free(&in);
				}

	/* Long lines full of them, in a random mixture. */
	for (k = 0; k < 20; k++) {
		size_t n = 0;

		while (n + 6 <= sizeof(big)) {
			c = rnd(5);
			if (c == 4) {
				big[n++] = (char)('a' + rnd(26));
				continue;
			}
			memcpy(big + n, chars[c], strlen(chars[c]));
			n += strlen(chars[c]);
		}
		check_round_trip(big, n, 1);
		check_round_trip(big, n, 0);
	}
}

/* Any split of the input gives the same output. */
static void
test_streaming(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 75, 76, 77, 4096 };
	struct buf whole, part;
	char in[3000];
	size_t round, n, s;
	int text;

	(void)state;
	for (round = 0; round < 300; round++) {
		n = rnd(sizeof(in) + 1);
		text = (int)(round & 1);
		fill(in, n, round % 7 == 0);
		encode_all(&whole, in, n, text);
		for (s = 0; s <= sizeof(sizes) / sizeof(sizes[0]); s++) {
			/* s == count: random sizes. */
			encode_chunked(&part, in, n, text,
			    s < sizeof(sizes) / sizeof(sizes[0]) ?
			    sizes[s] : 0);
			if (part.len != whole.len || memcmp(buf_str(&part),
			    buf_str(&whole), whole.len) != 0)
				fail_msg("input \"%s\" in chunks gave \"%s\", "
				    "at once \"%s\"", test_vis(in, n),
				    test_vis(part.data, part.len),
				    test_vis(whole.data, whole.len));
			buf_free(&part);
		}
		buf_free(&whole);
	}
}

/* Big inputs: one line of 200000 bytes, and only line breaks. */
static void
test_large(void **state)
{
	const size_t n = 200000;
	struct buf in;
	size_t i;

	(void)state;
	rep(&in, 'a', n, "");
	for (i = 0; i < n; i += 1 + rnd(300))
		in.data[i] = (char)(i % 3 == 0 ? ' ' : i % 3 == 1 ? '=' : 0xe9);
	check_round_trip(in.data, in.len, 1);
	check_round_trip(in.data, in.len, 0);
	buf_free(&in);

	rep(&in, '\n', 5000, "\r\n\r\r");
	check_round_trip(in.data, in.len, 1);
	check_round_trip(in.data, in.len, 0);
	buf_free(&in);
}

/* After qp_finish() the state is fresh; appending goes after what is there. */
static void
test_reuse(void **state)
{
	struct qp q;
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_addstr(&b, "x:"), 0);
	qp_init(&q, 1);
	assert_int_equal(qp_encode(&q, &b, "a \xc3", 3), 0);
	assert_int_equal(qp_finish(&q, &b), 0);
	assert_string_equal(buf_str(&b), "x:a =C3");
	assert_int_equal(qp_encode(&q, &b, ".\r", 2), 0);
	assert_int_equal(qp_encode(&q, &b, "\n", 1), 0);
	assert_int_equal(qp_finish(&q, &b), 0);
	assert_string_equal(buf_str(&b), "x:a =C3=2E\n");
	/* Finishing twice, or with nothing, writes nothing. */
	assert_int_equal(qp_finish(&q, &b), 0);
	assert_int_equal(b.len, 11);
	buf_free(&b);
}

/* A full buffer: -1, nothing changed, and the call can be repeated. */
static void
test_buffer_full(void **state)
{
	static const char in[] = "From a \xc3\xa9 b";
	struct qp q;
	struct buf b;
	size_t n = strlen(in);

	(void)state;
	buf_init(&b, QP_ROOM(3));
	qp_init(&q, 1);
	assert_int_equal(qp_encode(&q, &b, in, 3), 0);
	assert_int_equal(b.len, 0);
	errno = 0;
	assert_int_equal(qp_encode(&q, &b, in + 3, n - 3), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(b.len, 0);
	b.max = QP_ROOM(n);
	assert_int_equal(qp_encode(&q, &b, in + 3, n - 3), 0);
	b.max = b.len + QP_ROOM(0) - 1;
	errno = 0;
	assert_int_equal(qp_finish(&q, &b), -1);
	assert_int_equal(errno, E2BIG);
	b.max = b.len + QP_ROOM(0);
	assert_int_equal(qp_finish(&q, &b), 0);
	assert_string_equal(buf_str(&b), "=46rom a =C3=A9 b");
	buf_free(&b);
}

static void
expect_decode_n(const char *in, int text, const char *want, size_t n)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(buf_addstr(&b, "<"), 0);
	if (qp_decode(&b, in, strlen(in), text) != 0)
		fail_msg("refused \"%s\"", test_vis(in, strlen(in)));
	if (b.len != n + 1 || memcmp(b.data + 1, want, n) != 0)
		fail_msg("\"%s\" decoded to \"%s\", want \"%s\"",
		    test_vis(in, strlen(in)), test_vis(b.data + 1, b.len - 1),
		    test_vis(want, n));
	buf_free(&b);
}

static void
expect_decode(const char *in, int text, const char *want)
{
	expect_decode_n(in, text, want, strlen(want));
}

static void
test_decode(void **state)
{
	(void)state;
	expect_decode("", 1, "");
	expect_decode("a=3db=3D", 1, "a=b=");
	expect_decode("=C3=a9", 1, "\xc3\xa9");
	expect_decode_n("=00", 1, "\0", 1);
	expect_decode("a=\nb", 1, "ab");
	expect_decode("a=\r\nb", 0, "ab");
	expect_decode("a=\r\n", 1, "a");
	expect_decode("a\r\nb", 1, "a\nb");
	expect_decode("a\r\nb", 0, "a\r\nb");
	expect_decode("a\nb\n", 1, "a\nb\n");
	expect_decode("a\nb", 0, "a\r\nb");
	expect_decode("a =\r\nb", 1, "a b");
	expect_decode("a \t b", 1, "a \t b");
	/* Trailing white space was added in transit (RFC 2045 rule 3). */
	expect_decode("a  \r\nb \t", 1, "a\nb");
	expect_decode(" \n", 1, "\n");
	expect_decode("=20 \r\n", 1, " \n");
}

static void
expect_rejected(const char *in, size_t n, int text)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(buf_addstr(&b, "keep"), 0);
	errno = 0;
	if (qp_decode(&b, in, n, text) != -1)
		fail_msg("accepted \"%s\"", test_vis(in, n));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_str(&b), "keep");
	buf_free(&b);
}

static void
test_decode_rejects(void **state)
{
	static const char *const bad[] = {
		"=", "=A", "a=", "=3", "==41", "=G0", "=0G", "=0 ", "= 0",
		"=\r", "=\rX", "= \r\n", "=\t\n", "=  \n", "a\rb", "a\r",
		"\r", "\r\r\n", "a\x80", "\xc3\xa9", "a\x01", "a\x7f", "\x1b",
		"ok\r\n=\r\n=", "long line then=4",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_rejected(bad[i], strlen(bad[i]), 1);
		expect_rejected(bad[i], strlen(bad[i]), 0);
	}
	expect_rejected("a\0b", 3, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_rfc2045),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_line_lengths),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_buffer_full),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
