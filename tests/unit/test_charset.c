/* test_charset.c - unit tests for UTF-8 checks, iconv conversions and MIME charset names. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "charset.h"
#include "err.h"
#include "helper.h"

#define SEED 0x2545f491u
#define BIG (16 * 1024 * 1024)

#define assert_contains(h, n) assert_contains_((h), (n), __FILE__, __LINE__)

static void
assert_contains_(const char *hay, const char *needle, const char *file,
    int line)
{
	if (hay == NULL || strstr(hay, needle) == NULL) {
		print_error("'%s' does not contain '%s'\n",
		    hay != NULL ? test_vis(hay, strlen(hay)) : "(null)", needle);
		_fail(file, line);
	}
}

/* Convert in[0..n) from cs and expect exactly want[0..wn). */
static void
expect_to_utf8(const char *cs, const char *in, size_t n, const char *want,
    size_t wn)
{
	struct buf b;
	char *errstr = NULL;
	enum err e;

	buf_init(&b, BIG);
	e = charset_to_utf8(&b, in, n, cs, &errstr);
	if (e != ERR_OK)
		fail_msg("%s '%s': %s (%s)", cs, test_vis(in, n), err_name(e),
		    errstr != NULL ? errstr : "");
	if (b.len != wn || (wn > 0 && memcmp(b.data, want, wn) != 0))
		fail_msg("%s '%s': got '%s', want '%s'", cs, test_vis(in, n),
		    test_vis(buf_str(&b), b.len), test_vis(want, wn));
	assert_int_equal(b.data[b.len], '\0');
	assert_null(errstr);
	buf_free(&b);
}

/*
 * Expect charset_to_utf8() to refuse in[0..n) with ERR_DATA, an errstr
 * containing what, and out left as it was.
 */
static void
expect_bad(const char *cs, const char *in, size_t n, const char *what)
{
	struct buf b;
	char *errstr = NULL;
	enum err e;

	buf_init(&b, BIG);
	assert_int_equal(buf_addstr(&b, "keep"), 0);
	e = charset_to_utf8(&b, in, n, cs, &errstr);
	if (e != ERR_DATA)
		fail_msg("%s '%s': %s, want ERR_DATA", cs, test_vis(in, n),
		    err_name(e));
	assert_contains(errstr, what);
	assert_int_equal(b.len, 4);
	assert_string_equal(buf_str(&b), "keep");
	free(errstr);
	buf_free(&b);
}

/* UTF-8 encoding of cp into out; its length. */
static size_t
encode(unsigned long cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ISO-8859-1 is the first 256 code points: check every byte. */
static void
test_latin1_all_bytes(void **state)
{
	char in[256];
	unsigned char want[512];
	size_t wn = 0;
	int i;

	(void)state;
	for (i = 0; i < 256; i++) {
		in[i] = (char)i;
		wn += encode((unsigned long)i, want + wn);
	}
	expect_to_utf8("ISO-8859-1", in, 256, (const char *)want, wn);
	expect_to_utf8("latin1", in, 256, (const char *)want, wn);
	expect_to_utf8("iso88591", in, 256, (const char *)want, wn);
}

static void
test_to_utf8_vectors(void **state)
{
	static const struct {
		const char *cs, *in, *want;
	} v[] = {
		{ "ISO-8859-1", "caf\xe9 \xa4", "caf\xc3\xa9 \xc2\xa4" },
		{ "ISO-8859-15", "\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe",
		    "\xe2\x82\xac\xc5\xa0\xc5\xa1\xc5\xbd\xc5\xbe\xc5\x92"
		    "\xc5\x93\xc5\xb8" },
		{ "ISO-8859-15", "caf\xe9", "caf\xc3\xa9" },
		{ "KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4",
		    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
		{ "koi8-r", "a\n\xe1\xc1", "a\n\xd0\x90\xd0\xb0" },
		{ "Shift_JIS", "\x82\xa0\x93\xfa\x96\x7b\x8c\xea",
		    "\xe3\x81\x82\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
		{ "SJIS", "x\x82\xa0y", "x\xe3\x81\x82y" },
		{ "ISO-2022-JP", "\x1b$BF|K\\\x1b(B!",
		    "\xe6\x97\xa5\xe6\x9c\xac!" },
		{ "UTF-8", "\xe2\x82\xac \xf0\x9f\x90\xa6",
		    "\xe2\x82\xac \xf0\x9f\x90\xa6" },
		{ "utf8", "plain", "plain" },
		{ "US-ASCII", "plain\r\n", "plain\r\n" },
		{ "ANSI_X3.4-1968", "plain", "plain" },
		{ "ISO-8859-1", "", "" },
		{ "KOI8-R", "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		expect_to_utf8(v[i].cs, v[i].in, strlen(v[i].in), v[i].want,
		    strlen(v[i].want));
	/* NUL bytes are data like any other. */
	expect_to_utf8("ISO-8859-1", "a\0\xe9", 3, "a\0\xc3\xa9", 4);
	expect_to_utf8("UTF-8", "a\0b", 3, "a\0b", 3);
}

/* The result is appended to what the buffer holds. */
static void
test_to_utf8_appends(void **state)
{
	struct buf b;
	char *errstr = NULL;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_addstr(&b, "x:"), 0);
	assert_int_equal(charset_to_utf8(&b, "\xe9", 1, "ISO-8859-1",
	    &errstr), ERR_OK);
	assert_int_equal(charset_to_utf8(&b, "\xc3\xa9", 2, "UTF-8",
	    &errstr), ERR_OK);
	assert_int_equal(charset_to_utf8(&b, "e", 1, "US-ASCII", &errstr),
	    ERR_OK);
	assert_string_equal(buf_str(&b), "x:\xc3\xa9\xc3\xa9" "e");
	assert_null(errstr);
	buf_free(&b);
}

static void
test_to_utf8_invalid(void **state)
{
	(void)state;
	/* A lead byte the input ends after. */
	expect_bad("Shift_JIS", "ab\ncd\x82", 6,
	    "incomplete Shift_JIS sequence at line 2, byte 3 (0x82)");
	/* A lead byte followed by something that cannot follow it. */
	expect_bad("Shift_JIS", "a\x82 b", 4,
	    "invalid Shift_JIS at line 1, byte 2 (0x82)");
	expect_bad("ISO-8859-3", "ab\ncd\xa5", 6,
	    "invalid ISO-8859-3 at line 2, byte 3 (0xA5)");
	expect_bad("ISO-8859-3", "\n\n\n\xa5", 4, "line 4, byte 1 (0xA5)");
	expect_bad("US-ASCII", "abc\ndef\xe9", 8,
	    "invalid US-ASCII at line 2, byte 4 (0xE9)");
	expect_bad("ANSI_X3.4-1968", "\xe9", 1, "line 1, byte 1 (0xE9)");
	/* glibc's own ASCII converter, reached through a name we pass on. */
	expect_bad("ISO646-US", "ok\xe9", 3, "line 1, byte 3 (0xE9)");
	expect_bad("ASCII", "\x80", 1, "line 1, byte 1 (0x80)");

	/* UTF-8 is validated without iconv. */
	expect_bad("UTF-8", "ok\n\nxy\xe2\x82", 8,
	    "incomplete UTF-8 sequence at line 3, byte 3 (0xE2)");
	expect_bad("utf8", "\xc0\x80", 2, "invalid utf8 at line 1, byte 1 "
	    "(0xC0)");
	expect_bad("UTF-8", "a\xed\xa0\x80", 4, "line 1, byte 2 (0xED)");
	expect_bad("UTF-8", "ab\xe2\x82z", 5, "invalid UTF-8 at line 1, "
	    "byte 3 (0xE2)");
	expect_bad("UTF-8", "\x80", 1, "line 1, byte 1 (0x80)");
	/* The first bad place is the one reported. */
	expect_bad("ISO-8859-3", "\xa5\n\xa5", 3, "line 1, byte 1 (0xA5)");
}

static void
expect_config(enum err (*fn)(struct buf *, const char *, size_t,
    const char *, char **), const char *cs)
{
	struct buf b;
	char *errstr = NULL;

	buf_init(&b, 64);
	assert_int_equal(buf_addstr(&b, "keep"), 0);
	if (fn(&b, "abc", 3, cs, &errstr) != ERR_CONFIG)
		fail_msg("charset '%s' accepted", cs);
	assert_non_null(errstr);
	assert_string_equal(buf_str(&b), "keep");
	free(errstr);
	buf_free(&b);
}

static void
test_unknown_charset(void **state)
{
	char *errstr = NULL;
	struct buf b;

	(void)state;
	expect_config(charset_to_utf8, "NO-SUCH-CHARSET");
	expect_config(charset_from_utf8, "NO-SUCH-CHARSET");
	expect_config(charset_to_utf8, "");
	expect_config(charset_from_utf8, "");
	/* Suffixes that would make a conversion inexact are refused. */
	expect_config(charset_to_utf8, "ISO-8859-1//TRANSLIT");
	expect_config(charset_from_utf8, "ISO-8859-1//TRANSLIT");
	expect_config(charset_from_utf8, "US-ASCII//IGNORE");
	expect_config(charset_from_utf8, "UTF-8//");

	buf_init(&b, 64);
	assert_int_equal(charset_to_utf8(&b, "", 0, "x-unknown", &errstr),
	    ERR_CONFIG);
	assert_contains(errstr, "'x-unknown'");
	/* errstr is optional. */
	assert_int_equal(charset_to_utf8(&b, "", 0, "x-unknown", NULL),
	    ERR_CONFIG);
	assert_int_equal(charset_from_utf8(&b, "", 0, "x-unknown", NULL),
	    ERR_CONFIG);
	assert_int_equal(charset_to_utf8(&b, "\xff", 1, "UTF-8", NULL),
	    ERR_DATA);
	assert_int_equal(b.len, 0);
	free(errstr);
	buf_free(&b);
}

static const struct {
	const char *in;
	size_t n;
	int valid;
	size_t bad;
} utf8_cases[] = {
	{ "", 0, 1, 0 },
	{ "plain ascii", 11, 1, 0 },
	{ "a\0b", 3, 1, 0 },
	{ "\x7f", 1, 1, 0 },
	{ "\xc2\x80", 2, 1, 0 },			/* U+0080 */
	{ "\xdf\xbf", 2, 1, 0 },			/* U+07FF */
	{ "\xe0\xa0\x80", 3, 1, 0 },			/* U+0800 */
	{ "\xed\x9f\xbf", 3, 1, 0 },			/* U+D7FF */
	{ "\xee\x80\x80", 3, 1, 0 },			/* U+E000 */
	{ "\xef\xbf\xbf", 3, 1, 0 },			/* U+FFFF */
	{ "\xf0\x90\x80\x80", 4, 1, 0 },		/* U+10000 */
	{ "\xf0\x9f\x90\xa6", 4, 1, 0 },		/* a bird */
	{ "\xf4\x8f\xbf\xbf", 4, 1, 0 },		/* U+10FFFF */
	{ "\xc0\x80", 2, 0, 0 },			/* overlong NUL */
	{ "\xc1\xbf", 2, 0, 0 },			/* overlong U+7F */
	{ "\xe0\x80\x80", 3, 0, 0 },			/* overlong */
	{ "\xe0\x9f\xbf", 3, 0, 0 },			/* overlong U+7FF */
	{ "\xf0\x80\x80\x80", 4, 0, 0 },		/* overlong */
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },		/* overlong U+FFFF */
	{ "\xed\xa0\x80", 3, 0, 0 },			/* U+D800 */
	{ "\xed\xbf\xbf", 3, 0, 0 },			/* U+DFFF */
	{ "\xed\xa0\xbd\xed\xb2\xa9", 6, 0, 0 },	/* CESU-8 pair */
	{ "\xf4\x90\x80\x80", 4, 0, 0 },		/* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 5, 0, 0 },
	{ "\xfe", 1, 0, 0 },
	{ "\xff", 1, 0, 0 },
	{ "\x80", 1, 0, 0 },				/* stray continuation */
	{ "ab\xbf", 3, 0, 2 },
	{ "\xc3", 1, 0, 0 },				/* truncated */
	{ "ab\xe2\x82", 4, 0, 2 },
	{ "\xf0\x9f\x90", 3, 0, 0 },
	{ "\xe2\x82" "a", 3, 0, 0 },			/* broken off */
	{ "\xc3\xa9\xc3", 3, 0, 2 },
	{ "\xc3\xa9\xc3\xc3\xa9", 5, 0, 2 },
	{ "abcdefgh\xc3\xa9" "abcdefghijklmnop\xff", 27, 0, 26 },
	{ "abcdefghijklmnopqrstuvwxyz\x80", 27, 0, 26 },
};

static void
test_utf8_valid(void **state)
{
	size_t i, bad;
	int r;

	(void)state;
	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		bad = 12345;
		r = charset_utf8_valid(utf8_cases[i].in, utf8_cases[i].n, &bad);
		if (r != utf8_cases[i].valid)
			fail_msg("'%s': valid %d, want %d",
			    test_vis(utf8_cases[i].in, utf8_cases[i].n), r,
			    utf8_cases[i].valid);
		if (!r && bad != utf8_cases[i].bad)
			fail_msg("'%s': bad at %zu, want %zu",
			    test_vis(utf8_cases[i].in, utf8_cases[i].n), bad,
			    utf8_cases[i].bad);
		if (r)
			assert_int_equal(bad, 12345);
		/* bad may be NULL. */
		assert_int_equal(charset_utf8_valid(utf8_cases[i].in,
		    utf8_cases[i].n, NULL), r);
	}
}

/* Every code point encodes to well-formed UTF-8, except the surrogates. */
static void
test_utf8_every_code_point(void **state)
{
	unsigned char s[4];
	unsigned long cp;
	size_t n;
	int want;

	(void)state;
	for (cp = 0; cp <= 0x10ffff; cp++) {
		n = encode(cp, s);
		want = cp < 0xd800 || cp > 0xdfff;
		if (charset_utf8_valid((const char *)s, n, NULL) != want)
			fail_msg("U+%04lX: want valid %d", cp, want);
	}
}

/*
 * A slow decoder straight from RFC 3629: the length of the well-formed
 * sequence at s, or 0.
 */
static size_t
reference_seq(const unsigned char *s, size_t n)
{
	static const unsigned long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Random strings, biased towards UTF-8-ish bytes, against the reference. */
static void
test_utf8_random(void **state)
{
	static const unsigned char pick[] = {
		'a', '\n', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0,
		0xf1, 0xf4, 0xf5, 0xff,
	};
	unsigned char s[40];
	uint32_t rng = SEED;
	size_t n, i, len, want_bad, bad;
	int iter, want;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		n = test_rand(&rng) % sizeof s;
		for (i = 0; i < n; i++)
			s[i] = pick[test_rand(&rng) % sizeof pick];
		want = 1;
		want_bad = 0;
		for (i = 0; i < n; i += len) {
			len = reference_seq(s + i, n - i);
			if (len == 0) {
				want = 0;
				want_bad = i;
				break;
			}
		}
		bad = 0;
		if (charset_utf8_valid((const char *)s, n, &bad) != want ||
		    (!want && bad != want_bad))
			fail_msg("seed %#x iteration %d: '%s': want valid %d "
			    "bad %zu, got bad %zu", SEED, iter,
			    test_vis((const char *)s, n), want, want_bad, bad);
		want = 1;
		for (i = 0; i < n; i++)
			if (s[i] >= 0x80)
				want = 0;
		assert_int_equal(charset_is_ascii((const char *)s, n), want);
	}
}

static void
test_is_ascii(void **state)
{
	char s[40];
	size_t n, i;

	(void)state;
	assert_true(charset_is_ascii("", 0));
	assert_true(charset_is_ascii("hello\0\x7f\r\n", 9));
	assert_false(charset_is_ascii("\x80", 1));
	assert_false(charset_is_ascii("caf\xc3\xa9", 5));
	/* A high byte in every position and every length around a word. */
	for (n = 1; n < sizeof s; n++) {
		for (i = 0; i < n; i++) {
			memset(s, 'a', n);
			assert_true(charset_is_ascii(s, n));
			s[i] = (char)0xff;
			assert_false(charset_is_ascii(s, n));
			assert_true(charset_is_ascii(s, i));
		}
	}
}

/* Convert UTF-8 in to cs; ERR_OK with want, or the error expected. */
static void
expect_from_utf8(const char *in, const char *cs, enum err want_err,
    const char *want, size_t wn)
{
	struct buf b;
	char *errstr = NULL;
	enum err e;

	buf_init(&b, BIG);
	assert_int_equal(buf_addstr(&b, "<"), 0);
	e = charset_from_utf8(&b, in, strlen(in), cs, &errstr);
	if (e != want_err)
		fail_msg("'%s' to %s: %s, want %s (%s)",
		    test_vis(in, strlen(in)), cs, err_name(e),
		    err_name(want_err), errstr != NULL ? errstr : "");
	if (e == ERR_OK) {
		if (b.len != wn + 1 || memcmp(b.data + 1, want, wn) != 0)
			fail_msg("'%s' to %s: got '%s'", test_vis(in,
			    strlen(in)), cs, test_vis(b.data + 1, b.len - 1));
		assert_null(errstr);
	} else {
		assert_string_equal(buf_str(&b), "<");
		assert_non_null(errstr);
	}
	free(errstr);
	buf_free(&b);
}

#define E_ACUTE "\xc3\xa9"
#define EURO "\xe2\x82\xac"
#define NIHON "\xe6\x97\xa5\xe6\x9c\xac"

static void
test_from_utf8(void **state)
{
	(void)state;
	expect_from_utf8("caf" E_ACUTE, "iso-8859-1", ERR_OK, "caf\xe9", 4);
	expect_from_utf8("caf" E_ACUTE, "ISO-8859-15", ERR_OK, "caf\xe9", 4);
	expect_from_utf8(EURO, "iso-8859-1", ERR_DATA, NULL, 0);
	expect_from_utf8(EURO, "iso-8859-15", ERR_OK, "\xa4", 1);
	/* ISO-8859-15 has no currency sign where ISO-8859-1 has it. */
	expect_from_utf8("\xc2\xa4", "iso-8859-15", ERR_DATA, NULL, 0);
	expect_from_utf8(NIHON, "iso-8859-1", ERR_DATA, NULL, 0);
	expect_from_utf8(NIHON, "iso-8859-15", ERR_DATA, NULL, 0);
	expect_from_utf8(NIHON, "shift_jis", ERR_OK, "\x93\xfa\x96\x7b", 4);
	expect_from_utf8("\xd0\x9f", "koi8-r", ERR_OK, "\xf0", 1);
	/* A stateful charset ends back in ASCII. */
	expect_from_utf8(NIHON, "ISO-2022-JP", ERR_OK,
	    "\x1b$BF|K\\\x1b(B", 10);
	expect_from_utf8("plain", "us-ascii", ERR_OK, "plain", 5);
	expect_from_utf8("plain", "ANSI_X3.4-1968", ERR_OK, "plain", 5);
	expect_from_utf8(E_ACUTE, "us-ascii", ERR_DATA, NULL, 0);
	expect_from_utf8(E_ACUTE, "ISO646-US", ERR_DATA, NULL, 0);
	expect_from_utf8(NIHON, "utf-8", ERR_OK, NIHON, 6);
	expect_from_utf8("", "iso-8859-1", ERR_OK, "", 0);
	/* The input must be UTF-8. */
	expect_from_utf8("\xe9", "iso-8859-1", ERR_DATA, NULL, 0);
	expect_from_utf8("\xed\xa0\x80", "utf-8", ERR_DATA, NULL, 0);
	expect_from_utf8("\xed\xa0\x80", "UTF-16LE", ERR_DATA, NULL, 0);
}

static void
test_from_utf8_errstr(void **state)
{
	struct buf b;
	char *errstr = NULL;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(charset_from_utf8(&b, "x" EURO, 4, "ISO-8859-1",
	    &errstr), ERR_DATA);
	assert_string_equal(errstr, "U+20AC cannot be represented in "
	    "ISO-8859-1");
	assert_int_equal(charset_from_utf8(&b, E_ACUTE, 2, "us-ascii",
	    &errstr), ERR_DATA);
	assert_string_equal(errstr, "U+00E9 cannot be represented in "
	    "us-ascii");
	assert_int_equal(charset_from_utf8(&b, "\xf0\x9f\x90\xa6", 4,
	    "iso-8859-15", &errstr), ERR_DATA);
	assert_string_equal(errstr, "U+1F426 cannot be represented in "
	    "iso-8859-15");
	assert_int_equal(charset_from_utf8(&b, "a\nb\xe2\x82", 5, "koi8-r",
	    &errstr), ERR_DATA);
	assert_contains(errstr, "line 2, byte 2 (0xE2)");
	assert_int_equal(b.len, 0);
	/* Without errstr. */
	assert_int_equal(charset_from_utf8(&b, EURO, 3, "iso-8859-1", NULL),
	    ERR_DATA);
	free(errstr);
	buf_free(&b);
}

/* What the MIME builder does with send_charset "us-ascii:iso-8859-1:utf-8". */
static const char *
pick_charset(const char *text, struct buf *out)
{
	static const char *const list[] = {
		"us-ascii", "iso-8859-1", "utf-8",
	};
	size_t i;

	for (i = 0; i < sizeof list / sizeof list[0]; i++) {
		buf_reset(out);
		if (charset_from_utf8(out, text, strlen(text), list[i],
		    NULL) == ERR_OK)
			return list[i];
	}
	return NULL;
}

static void
test_send_charset_pick(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_string_equal(pick_charset("Hello", &b), "us-ascii");
	assert_string_equal(buf_str(&b), "Hello");
	assert_string_equal(pick_charset("caf" E_ACUTE, &b), "iso-8859-1");
	assert_string_equal(buf_str(&b), "caf\xe9");
	assert_string_equal(pick_charset("caf" E_ACUTE " " EURO, &b),
	    "utf-8");
	assert_string_equal(buf_str(&b), "caf" E_ACUTE " " EURO);
	buf_free(&b);
}

/* The whole input goes through in one call, whatever its size. */
static void
test_large(void **state)
{
	const size_t n = 10 * 1024 * 1024;
	struct buf utf8, back;
	char *in, *errstr = NULL;
	uint32_t rng = SEED;
	size_t i, high = 0;
	unsigned char c;

	(void)state;
	in = malloc(n);
	assert_non_null(in);
	for (i = 0; i < n; i++) {
		/* Mostly text with a Latin-1 letter now and then. */
		c = (unsigned char)test_rand(&rng);
		in[i] = c < 0xe0 ? (char)(' ' + c % 95) : (char)c;
		high += c >= 0xe0;
	}
	in[n / 2] = '\n';
	buf_init(&utf8, 2 * n);
	buf_init(&back, n);
	assert_int_equal(charset_to_utf8(&utf8, in, n, "ISO-8859-1", &errstr),
	    ERR_OK);
	assert_int_equal(utf8.len, n + high);
	assert_int_equal(strlen(buf_str(&utf8)), utf8.len);
	assert_true(charset_utf8_valid(utf8.data, utf8.len, NULL));
	assert_int_equal(charset_from_utf8(&back, utf8.data, utf8.len,
	    "ISO-8859-1", &errstr), ERR_OK);
	assert_int_equal(back.len, n);
	assert_memory_equal(back.data, in, n);

	/* The UTF-8 path copies; an error deep inside is still found. */
	buf_reset(&back);
	assert_int_equal(charset_to_utf8(&back, in, n, "UTF-8", &errstr),
	    ERR_DATA);
	buf_reset(&utf8);
	memset(in, 'x', n);
	in[n - 1] = (char)0xa5;
	assert_int_equal(charset_to_utf8(&utf8, in, n, "ISO-8859-3", &errstr),
	    ERR_DATA);
	assert_contains(errstr, "line 1, byte 10485760 (0xA5)");
	assert_int_equal(utf8.len, 0);
	free(errstr);
	free(in);
	buf_free(&utf8);
	buf_free(&back);
}

/* Append in to a buffer holding "<<" with the given maximum. */
static void
expect_limit(enum err (*fn)(struct buf *, const char *, size_t,
    const char *, char **), const char *cs, const char *in,
    const char *want, size_t max)
{
	size_t wn = strlen(want);
	char *errstr = NULL;
	struct buf b;
	enum err e;

	buf_init(&b, max);
	assert_int_equal(buf_addstr(&b, "<<"), 0);
	e = fn(&b, in, strlen(in), cs, &errstr);
	if (max >= wn + 2) {
		if (e != ERR_OK)
			fail_msg("%s, max %zu: %s", cs, max, err_name(e));
		assert_int_equal(b.len, wn + 2);
		assert_memory_equal(b.data + 2, want, wn);
	} else {
		if (e != ERR_NOMEM)
			fail_msg("%s, max %zu: %s", cs, max, err_name(e));
		assert_string_equal(buf_str(&b), "<<");
	}
	free(errstr);
	buf_free(&b);
}

/* A buffer with too small a maximum: ERR_NOMEM, and nothing appended. */
static void
test_buffer_limit(void **state)
{
	static const struct {
		const char *cs, *native, *utf8;
	} v[] = {
		{ "ISO-8859-1", "\xe9\xe9\xe9", "\xc3\xa9\xc3\xa9\xc3\xa9" },
		{ "UTF-8", "abc", "abc" },
		{ "US-ASCII", "abc", "abc" },
		{ "KOI8-R", "\xf0\xd2", "\xd0\x9f\xd1\x80" },
		{ "ISO-2022-JP", "\x1b$BF|K\\\x1b(B", NIHON },
	};
	size_t i, max;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		for (max = 2; max <= strlen(v[i].utf8) + 3; max++)
			expect_limit(charset_to_utf8, v[i].cs, v[i].native,
			    v[i].utf8, max);
		for (max = 2; max <= strlen(v[i].native) + 3; max++)
			expect_limit(charset_from_utf8, v[i].cs, v[i].utf8,
			    v[i].native, max);
	}
}

static void
test_mime_names(void **state)
{
	static const struct {
		const char *cs, *mime;
	} v[] = {
		{ "ANSI_X3.4-1968", "us-ascii" },
		{ "US-ASCII", "us-ascii" },
		{ "ascii", "us-ascii" },
		{ "UTF-8", "utf-8" },
		{ "utf8", "utf-8" },
		{ "UTF8", "utf-8" },
		{ "ISO-8859-1", "iso-8859-1" },
		{ "iso88591", "iso-8859-1" },
		{ "latin1", "iso-8859-1" },
		{ "ISO_8859-1", "iso-8859-1" },
		{ "ISO-8859-15", "iso-8859-15" },
		{ "latin9", "iso-8859-15" },
		{ "ISO8859-2", "iso-8859-2" },
		{ "KOI8-R", "koi8-r" },
		{ "EUC-JP", "euc-jp" },
		{ "eucJP", "euc-jp" },
		{ "SJIS", "shift_jis" },
		{ "Shift_JIS", "shift_jis" },
		{ "CP1252", "windows-1252" },
		{ "GB18030", "gb18030" },
		{ "BIG5-HKSCS", "big5-hkscs" },
		{ "X-Unknown_Thing", "x-unknown_thing" },
	};
	char buf[32];
	const char *m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		m = charset_mime_name(v[i].cs, buf, sizeof buf);
		if (m == NULL || strcmp(m, v[i].mime) != 0)
			fail_msg("'%s': got '%s', want '%s'", v[i].cs,
			    m != NULL ? m : "(null)", v[i].mime);
	}
	/* Not a MIME name, or does not fit. */
	assert_null(charset_mime_name("", buf, sizeof buf));
	assert_null(charset_mime_name("a b", buf, sizeof buf));
	assert_null(charset_mime_name("ISO_8859-1:1987", buf, sizeof buf));
	assert_null(charset_mime_name("x\"y", buf, sizeof buf));
	assert_null(charset_mime_name("abcdef", buf, 6));
	assert_string_equal(charset_mime_name("abcdef", buf, 7), "abcdef");
	/* Table names need no room at all. */
	assert_string_equal(charset_mime_name("UTF-8", buf, 0), "utf-8");
}

static void
test_locale(void **state)
{
	char buf[64];
	const char *cs;

	(void)state;
	if (setlocale(LC_CTYPE, "C") == NULL)
		skip();
	cs = charset_locale();
	assert_non_null(cs);
	assert_string_equal(charset_mime_name(cs, buf, sizeof buf),
	    "us-ascii");
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		cs = charset_locale();
		assert_string_equal(charset_mime_name(cs, buf, sizeof buf),
		    "utf-8");
		/* The locale's name works as a charset for conversions. */
		expect_to_utf8(cs, E_ACUTE, 2, E_ACUTE, 2);
	}
	assert_non_null(setlocale(LC_CTYPE, "C"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin1_all_bytes),
		cmocka_unit_test(test_to_utf8_vectors),
		cmocka_unit_test(test_to_utf8_appends),
		cmocka_unit_test(test_to_utf8_invalid),
		cmocka_unit_test(test_unknown_charset),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_every_code_point),
		cmocka_unit_test(test_utf8_random),
		cmocka_unit_test(test_is_ascii),
		cmocka_unit_test(test_from_utf8),
		cmocka_unit_test(test_from_utf8_errstr),
		cmocka_unit_test(test_send_charset_pick),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_buffer_limit),
		cmocka_unit_test(test_mime_names),
		cmocka_unit_test(test_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
