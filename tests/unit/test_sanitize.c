/* test_sanitize.c - sanitize_append(): what may reach a terminal as it is, and how the rest is escaped. */
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
#include "sanitize.h"
#include "helper.h"

#define SEED 0x5a417e11u

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/*
 * Does sanitize_append(s[0..n)) into an empty buffer give exactly want?
 * Says what it got when not.
 */
static int
san_mode_gives(const char *s, size_t n, enum sanitize_mode mode,
    const char *want)
{
	struct buf out;
	int r, ok;

	buf_init(&out, 65536);
	r = mode == SANITIZE_LABEL ? sanitize_append(&out, s, n) :
	    sanitize_mode_append(&out, s, n, mode);
	ok = r == 0 && out.len == strlen(want) &&
	    memcmp(buf_str(&out), want, out.len) == 0;
	if (!ok)
		print_error("'%s' gave %d, '%s', not '%s'\n", test_vis(s, n), r,
		    test_vis(buf_str(&out), out.len),
		    test_vis(want, strlen(want)));
	buf_free(&out);
	return ok;
}

static int
san_gives(const char *s, size_t n, const char *want)
{
	return san_mode_gives(s, n, SANITIZE_LABEL, want);
}

/* The same as a check; nothing is left allocated when it fails. */
static void
check_san(const char *s, size_t n, const char *want)
{
	if (!san_gives(s, n, want))
		fail();
}

#define SAN(lit, want) check_san(lit, sizeof(lit) - 1, want)
/* The same for the text of a message body. */
#define SAN_BODY(lit, want) do { \
	if (!san_mode_gives(lit, sizeof(lit) - 1, SANITIZE_BODY, want)) \
		fail(); \
} while (0)

/* Append the UTF-8 form of c (any value below 0x110000, surrogates too). */
static void
put_utf8(struct buf *b, uint32_t c)
{
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
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	assert_int_equal(buf_add(b, u, n), 0);
}

/* Does the character c alone come out as "\u{C}" (escaped) or as it is? */
static int
cp_gives(uint32_t c, int escaped)
{
	struct buf in;
	char u[8], want[16];
	size_t n;

	buf_init(&in, 8);
	put_utf8(&in, c);
	n = in.len;
	memcpy(u, in.data, n);
	buf_free(&in);
	if (escaped)
		(void)snprintf(want, sizeof want, "\\u{%X}", (unsigned)c);
	else
		(void)snprintf(want, sizeof want, "%.*s", (int)n, u);
	return san_gives(u, n, want);
}

static void
check_cp(uint32_t c, int escaped)
{
	if (!cp_gives(c, escaped))
		fail();
}

/*
 * The characters the header names: C1 controls, the bidi marks,
 * embeddings, overrides and isolates, and U+FEFF.
 */
static int
is_named_hidden(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e ||
	    c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

/* Line and paragraph separators: the C library's control characters. */
static int
is_separator(uint32_t c)
{
	return c == 0x2028 || c == 0x2029;
}

/*
 * Invisible format characters that show nothing and can hide or split
 * text: the same kind as U+FEFF, which is escaped.  The joiners (U+200C,
 * U+200D) are among them in a label; in a body they pass (see
 * is_joiner()).  Variation selectors are left out on purpose: emoji need
 * them.
 */
static int
is_invisible(uint32_t c)
{
	return c == 0x180e || (c >= 0x200b && c <= 0x200d) ||
	    (c >= 0x2060 && c <= 0x2064) ||
	    (c >= 0x206a && c <= 0x206f) || (c >= 0xfff9 && c <= 0xfffb) ||
	    c == 0xe0001 || (c >= 0xe0020 && c <= 0xe007f);
}

/*
 * A strict UTF-8 decoder of our own: the length of the scalar value at
 * s[0..n) and its value in *cp, or 0 when the bytes are not well-formed.
 */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Undo the escapes of s[0..n) into out.  0, or -1 when s holds a raw
 * control character, a byte that is not well-formed UTF-8, a hidden
 * character that passed unescaped, or a broken or unknown escape.
 */
static int
unescape(const char *s, size_t n, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t c;
	int h, l;

	while (i < n) {
		if (p[i] != '\\') {
			if (p[i] < 0x20 || p[i] == 0x7f)
				return -1;
			k = decode(p + i, n - i, &c);
			if (k == 0 || is_named_hidden(c))
				return -1;
			assert_int_equal(buf_add(out, p + i, k), 0);
			i += k;
			continue;
		}
		if (i + 1 >= n)
			return -1;
		switch (p[i + 1]) {
		case '\\': assert_int_equal(buf_addch(out, '\\'), 0); break;
		case 'r': assert_int_equal(buf_addch(out, '\r'), 0); break;
		case 'n': assert_int_equal(buf_addch(out, '\n'), 0); break;
		case 't': assert_int_equal(buf_addch(out, '\t'), 0); break;
		case 'e': assert_int_equal(buf_addch(out, '\x1b'), 0); break;
		case 'x':
			if (i + 3 >= n || (h = hexval(s[i + 2])) < 0 ||
			    (l = hexval(s[i + 3])) < 0)
				return -1;
			assert_int_equal(buf_addch(out, (char)(h * 16 + l)), 0);
			i += 2;
			break;
		case 'u':
			if (i + 2 >= n || s[i + 2] != '{')
				return -1;
			c = 0;
			for (k = i + 3; k < n && s[k] != '}'; k++) {
				if ((h = hexval(s[k])) < 0 || k - i > 10)
					return -1;
				c = c * 16 + (uint32_t)h;
			}
			if (k >= n || k == i + 3)
				return -1;
			put_utf8(out, c);
			i = k - 1;
			break;
		default:
			return -1;
		}
		i += 2;
	}
	return 0;
}

/* in[0..n) must sanitize into something that unescapes back to it. */
static void
check_roundtrip(const char *in, size_t n, const char *what)
{
	struct buf out, back;

	buf_init(&out, 8 * n + 16);
	buf_init(&back, n + 16);
	assert_int_equal(sanitize_append(&out, in, n), 0);
	/* No escape is longer than four bytes per byte it stands for. */
	if (out.len > 4 * n)
		fail_msg("%s: '%s' grew to %zu bytes", what, test_vis(in, n),
		    out.len);
	if (unescape(buf_str(&out), out.len, &back) != 0 || back.len != n ||
	    (n > 0 && memcmp(back.data, in, n) != 0))
		fail_msg("%s: '%s' gave '%s', which does not read back", what,
		    test_vis(in, n), test_vis(out.data, out.len));
	buf_free(&out);
	buf_free(&back);
}

/* Every byte alone: what passes, the named escapes, \xHH for the rest. */
static void
test_sanitize_every_byte_alone(void **state)
{
	char in, want[8];
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		in = (char)c;
		if (c == '\\')
			(void)snprintf(want, sizeof want, "\\\\");
		else if (c >= 0x20 && c < 0x7f)
			(void)snprintf(want, sizeof want, "%c", c);
		else if (c == '\r')
			(void)snprintf(want, sizeof want, "\\r");
		else if (c == '\n')
			(void)snprintf(want, sizeof want, "\\n");
		else if (c == '\t')
			(void)snprintf(want, sizeof want, "\\t");
		else if (c == 0x1b)
			(void)snprintf(want, sizeof want, "\\e");
		else
			/* C0, DEL, and 0x80-0xFF, which alone is not UTF-8. */
			(void)snprintf(want, sizeof want, "\\x%02X", c);
		check_san(&in, 1, want);
	}
}

/* Text is appended to what the buffer holds; n counts, not a NUL. */
static void
test_sanitize_appends_and_counts(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 256);
	assert_int_equal(buf_addstr(&out, "S: "), 0);
	assert_int_equal(sanitize_append(&out, "250 OK\r\n", 8), 0);
	assert_int_equal(sanitize_append(&out, "", 0), 0);
	assert_int_equal(sanitize_append(&out, "a\0b\\", 4), 0);
	/* Only the first n bytes are read. */
	assert_int_equal(sanitize_append(&out, "xyz", 1), 0);
	assert_string_equal(buf_str(&out), "S: 250 OK\\r\\na\\x00b\\\\x");
	assert_int_equal(out.len, strlen("S: 250 OK\\r\\na\\x00b\\\\x"));
	buf_free(&out);
	SAN("", "");
	SAN("plain text, 100% ASCII ~!", "plain text, 100% ASCII ~!");
	/* A backslash is doubled: text that looks like an escape is not one. */
	SAN("\\x1B\\e\\u{202E}", "\\\\x1B\\\\e\\\\u{202E}");
}

/* What an attacker would send, and what must reach the terminal instead. */
static void
test_sanitize_terminal_attacks(void **state)
{
	(void)state;
	SAN("\x1b[2J\x1b[H", "\\e[2J\\e[H");
	/* OSC 52 writes the clipboard; OSC 0 sets the window title. */
	SAN("\x1b]52;c;cm0gLXJmIH4=\x07", "\\e]52;c;cm0gLXJmIH4=\\x07");
	SAN("\x1b]0;pwned\x1b\\", "\\e]0;pwned\\e\\\\");
	/* DCS, and the 8-bit CSI, raw and as UTF-8. */
	SAN("\x1bPq#0\x1b\\", "\\ePq#0\\e\\\\");
	SAN("\x9b" "31m", "\\x9B31m");
	SAN("\xc2\x9b" "31m", "\\u{9B}31m");
	SAN("\xc2\x9d" "0;t\xc2\x9c", "\\u{9D}0;t\\u{9C}");
	/* Carriage return and backspaces that would overwrite a line. */
	SAN("250 OK\rFAKE", "250 OK\\rFAKE");
	SAN("good\b\b\b\bevil", "good\\x08\\x08\\x08\\x08evil");
	/* Bell, shift-out, vertical tab, form feed, DEL. */
	SAN("\x07\x0e\x0b\x0c\x7f", "\\x07\\x0E\\x0B\\x0C\\x7F");
	/* "Trojan Source": an override and isolates reorder what is shown. */
	SAN("if admin \xe2\x80\xae { \xe2\x81\xa6// ok\xe2\x81\xa9 "
	    "\xe2\x81\xa6",
	    "if admin \\u{202E} { \\u{2066}// ok\\u{2069} \\u{2066}");
	SAN("invoice_\xe2\x80\xae" "fdp.exe", "invoice_\\u{202E}fdp.exe");
}

/* C1 controls: as UTF-8 they are \u{..}, as raw bytes \x... */
static void
test_sanitize_c1_controls(void **state)
{
	char raw, want[8];
	uint32_t c;

	(void)state;
	for (c = 0x80; c <= 0x9f; c++) {
		check_cp(c, 1);
		raw = (char)c;
		(void)snprintf(want, sizeof want, "\\x%02X", (unsigned)c);
		check_san(&raw, 1, want);
	}
	/* Just past the C1 range: printable. */
	check_cp(0x7e, 0);
	check_cp(0xa0, 0);
	check_cp(0xa1, 0);
	check_cp(0xff, 0);
}

/* Each bidi control the header names, and the neighbours that are text. */
static void
test_sanitize_bidi_and_hidden(void **state)
{
	static const uint32_t hidden[] = {
		0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
	};
	static const uint32_t text[] = {
		0x061b, 0x061f, 0x2010, 0x2027, 0x202f, 0x2030, 0x2070,
		0xfefc, 0xff01,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
		check_cp(hidden[i], 1);
	for (i = 0; i < sizeof text / sizeof text[0]; i++)
		check_cp(text[i], 0);
	/* In a run of text, only the control is replaced. */
	SAN("abc\xe2\x80\xae" "cba", "abc\\u{202E}cba");
	SAN("\xef\xbb\xbf" "From:", "\\u{FEFF}From:");
	SAN("\xd8\xa7\xe2\x80\x8f" "1", "\xd8\xa7\\u{200F}1");
}

/* Well-formed UTF-8 of printable characters passes byte for byte. */
static void
test_sanitize_valid_utf8_kept(void **state)
{
	(void)state;
	SAN("caf\xc3\xa9", "caf\xc3\xa9");
	SAN("\xe2\x82\xac 5", "\xe2\x82\xac 5");
	SAN("\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87");
	SAN("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");
	/* The first and last of each length. */
	SAN("\xc2\xa0\xdf\xbf", "\xc2\xa0\xdf\xbf");             /* A0, 7FF */
	SAN("\xe0\xa0\x80\xef\xbf\xbd", "\xe0\xa0\x80\xef\xbf\xbd");
	SAN("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");             /* 10000 */
	SAN("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");             /* 10FFFF */
	/* Around the surrogates. */
	SAN("\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80");
	/* Combining marks, and what scripts and emoji need to join (in a body). */
	SAN("e\xcc\x81", "e\xcc\x81");
	SAN_BODY("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d"
	    "\xf0\x9f\x91\xa7", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
	    "\xe2\x80\x8d\xf0\x9f\x91\xa7");                     /* ZWJ */
	SAN_BODY("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae",
	    "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae");             /* ZWNJ */
	SAN("\xe2\x9d\xa4\xef\xb8\x8f", "\xe2\x9d\xa4\xef\xb8\x8f"); /* VS16 */
	SAN("co\xc2\xad" "operate", "co\xc2\xad" "operate");     /* SHY */
	/* Right-to-left letters are text; only the controls are not. */
	SAN("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	    "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");
}

/*
 * s alone, in a heap block of exactly its length, must give want; the
 * buffer holds the rest of a sequence, so a read past the end would
 * complete it.
 */
static void
check_cut(const char *s, const char *want)
{
	static const char rest[] = "\x80\x80\x80";
	size_t n = strlen(s);
	char *p;
	int ok;

	p = malloc(n);
	assert_non_null(p);
	memcpy(p, s, n);
	ok = san_gives(p, n, want);
	free(p);
	/* And with the rest in the same block, but not part of the input. */
	p = malloc(n + 3);
	assert_non_null(p);
	memcpy(p, s, n);
	memcpy(p + n, rest, 3);
	ok &= san_gives(p, n, want);
	free(p);
	if (!ok)
		fail();
}

/* Invalid UTF-8 is escaped byte by byte, and never eats what follows. */
static void
test_sanitize_invalid_utf8(void **state)
{
	(void)state;
	SAN("\x80", "\\x80");
	SAN("a\xbf" "b", "a\\xBFb");
	SAN("\xc3", "\\xC3");
	SAN("\xc3" "A", "\\xC3A");
	SAN("\xe2\x82", "\\xE2\\x82");
	SAN("\xe2\x82" "A", "\\xE2\\x82A");
	SAN("\xf0\x9f\x98", "\\xF0\\x9F\\x98");
	SAN("\xf0\x9f\x98" "A", "\\xF0\\x9F\\x98A");
	/* Overlong forms, of NUL and '/' and ESC. */
	SAN("\xc0\x80", "\\xC0\\x80");
	SAN("\xc0\x9b", "\\xC0\\x9B");
	SAN("\xc1\xbf", "\\xC1\\xBF");
	SAN("\xe0\x80\xaf", "\\xE0\\x80\\xAF");
	SAN("\xe0\x9f\xbf", "\\xE0\\x9F\\xBF");
	SAN("\xf0\x80\x80\xaf", "\\xF0\\x80\\x80\\xAF");
	SAN("\xf0\x8f\xbf\xbf", "\\xF0\\x8F\\xBF\\xBF");
	/* Surrogates, alone and as a CESU-8 pair. */
	SAN("\xed\xa0\x80", "\\xED\\xA0\\x80");
	SAN("\xed\xbf\xbf", "\\xED\\xBF\\xBF");
	SAN("\xed\xa0\xbd\xed\xb8\x80", "\\xED\\xA0\\xBD\\xED\\xB8\\x80");
	/* Beyond U+10FFFF, and lead bytes that never occur. */
	SAN("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");
	SAN("\xf5\x80\x80\x80", "\\xF5\\x80\\x80\\x80");
	SAN("\xf8\x88\x80\x80\x80", "\\xF8\\x88\\x80\\x80\\x80");
	SAN("\xfc\x84\x80\x80\x80\x80", "\\xFC\\x84\\x80\\x80\\x80\\x80");
	SAN("\xfe\xff", "\\xFE\\xFF");
	/* A broken sequence before a good one leaves the good one alone. */
	SAN("\xe2\xc3\xa9", "\\xE2\xc3\xa9");
	SAN("\xf0\x9f\xe2\x82\xac", "\\xF0\\x9F\xe2\x82\xac");
	SAN("\xe2\x80\xe2\x80\xae", "\\xE2\\x80\\u{202E}");
	/*
	 * A sequence cut short at the very end of the input: nothing past
	 * the n bytes is read (the copies end their heap blocks, so ASan
	 * sees any read beyond).
	 */
	check_cut("\xc3", "\\xC3");
	check_cut("\xe2\x82", "\\xE2\\x82");
	check_cut("\xe2", "\\xE2");
	check_cut("\xf0\x9f\x98", "\\xF0\\x9F\\x98");
	check_cut("\xf0\x9f", "\\xF0\\x9F");
	check_cut("\xf4", "\\xF4");
	/* A control byte inside a sequence ends it. */
	SAN("\xe2\x1b[2J", "\\xE2\\e[2J");
	SAN("\xc3\n", "\\xC3\\n");
}

/*
 * Every scalar value from U+0080 up comes out either as it is or as
 * exactly "\u{X}"; every character the header names is escaped, and
 * nothing outside the characters this file expects escaped is.
 */
static void
test_sanitize_every_code_point(void **state)
{
	struct buf in, out;
	char want[16];
	uint32_t c;
	int esc;

	(void)state;
	buf_init(&in, 8);
	buf_init(&out, 64);
	for (c = 0x80; c <= 0x10ffff; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		buf_reset(&in);
		buf_reset(&out);
		put_utf8(&in, c);
		assert_int_equal(sanitize_append(&out, in.data, in.len), 0);
		(void)snprintf(want, sizeof want, "\\u{%X}", (unsigned)c);
		esc = strcmp(buf_str(&out), want) == 0;
		if (!esc && (out.len != in.len ||
		    memcmp(out.data, in.data, in.len) != 0))
			fail_msg("U+%04X gave '%s'", (unsigned)c,
			    test_vis(out.data, out.len));
		if (is_named_hidden(c) && !esc)
			fail_msg("U+%04X passed unescaped", (unsigned)c);
		if (esc && !is_named_hidden(c) && !is_separator(c) &&
		    !is_invisible(c))
			fail_msg("U+%04X is printable text but was escaped",
			    (unsigned)c);
	}
	buf_free(&in);
	buf_free(&out);
}

/*
 * U+2028 and U+2029 are line breaks, not printable characters: the C
 * library calls them control characters (iswcntrl, wcwidth -1), so a
 * screen that counts columns with wcwidth() cannot place them.
 */
static void
test_sanitize_line_separators_escaped(void **state)
{
	static const char subject[] = "Subject: a\xe2\x80\xa8" "b";
	int bad = 0;

	(void)state;
	bad += !cp_gives(0x2028, 1);
	bad += !cp_gives(0x2029, 1);
	bad += !san_gives(subject, sizeof subject - 1, "Subject: a\\u{2028}b");
	assert_int_equal(bad, 0);
}

/*
 * Invisible format characters show nothing: a word joiner or tag
 * characters can hide text, a zero-width space can make "pay<ZWSP>pal"
 * look like "paypal".  U+FEFF is escaped for that reason; U+2060, which
 * replaced it, and its kind must be too.
 */
static void
test_sanitize_invisible_format_escaped(void **state)
{
	static const char spoof[] = "pay\xe2\x80\x8b" "pal.com";
	uint32_t c;
	int bad = 0;

	(void)state;
	/* Every case runs, so that one report lists all that fail. */
	for (c = 0x80; c <= 0xe007f; c++)
		if (is_invisible(c))
			bad += !cp_gives(c, 1);
	bad += !san_gives(spoof, sizeof spoof - 1, "pay\\u{200B}pal.com");
	assert_int_equal(bad, 0);
}

/*
 * The zero width space, non-joiner and joiner in a label (a server's
 * greeting, a certificate field, a file name, a header in a list) are
 * escaped: "mail\u{200C}.example" is not "mail.example".  A message body
 * keeps the joiners, which Persian, the Indic scripts and emoji need; the
 * zero width space, and everything else a label escapes, stays escaped.
 */
static void
test_sanitize_joiners_by_mode(void **state)
{
	(void)state;
	SAN("220 mail\xe2\x80\x8b.example", "220 mail\\u{200B}.example");
	SAN("220 mail\xe2\x80\x8c.example", "220 mail\\u{200C}.example");
	SAN("220 mail\xe2\x80\x8d.example", "220 mail\\u{200D}.example");
	SAN("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae",
	    "\xd9\x85\xdb\x8c\\u{200C}\xd8\xae");
	/* A body: "mi-khaham" in Persian, a family emoji, Devanagari half forms. */
	SAN_BODY("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae",
	    "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae");
	SAN_BODY("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7",
	    "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7");
	SAN_BODY("pay\xe2\x80\x8bpal", "pay\\u{200B}pal");
	/* The rest is as strict in a body as in a label. */
	SAN_BODY("a\xe2\x80\xae\x1b[2J\xef\xbb\xbf\\\xe2\x81\xa0",
	    "a\\u{202E}\\e[2J\\u{FEFF}\\\\\\u{2060}");
}

/* All two-byte inputs: the result is safe and reads back to the input. */
static void
test_sanitize_all_byte_pairs(void **state)
{
	char in[3];
	int a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = 'z';
			check_roundtrip(in, 2, "pair");
			check_roundtrip(in, 3, "pair+z");
		}
	}
}

/* Random mixtures of bytes and characters of every kind read back. */
static void
test_sanitize_random_roundtrip(void **state)
{
	static const uint32_t cps[] = {
		0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x5c, 0x7f, 0x80, 0x85, 0x9b,
		0x9f,
		0xa0, 0xe9, 0x61c, 0x7ff, 0x800, 0x200d, 0x200e, 0x202e, 0x2066,
		0x2069, 0xd7ff, 0xe000, 0xfeff, 0xfffd, 0x10000, 0x1f600,
		0x10ffff, 0x41, 0x7b, 0x7d,
	};
	struct buf in;
	size_t i, len;
	int iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		buf_init(&in, 1024);
		len = test_rand(&rng) % 48;
		for (i = 0; i < len; i++) {
			if (test_rand(&rng) % 3 == 0)
				assert_int_equal(buf_addch(&in,
				    (char)(test_rand(&rng) & 0xff)), 0);
			else
				put_utf8(&in, cps[test_rand(&rng) %
				    (sizeof cps / sizeof cps[0])]);
		}
		check_roundtrip(in.data, in.len, "random");
		buf_free(&in);
	}
}

/*
 * A buffer that fills up: -1, nothing past its maximum, and what was
 * written is a clean start of the full result, never half an escape or
 * half a character.
 */
static void
test_sanitize_buffer_full(void **state)
{
	static const char in[] = "ok \x1b[31m\xc3\xa9\xe2\x80\xae\\\xff\r\n"
	    "\xf0\x9f\x98\x80" "end\xc2\x85";
	struct buf full, out, back;
	size_t max;
	int r;

	(void)state;
	buf_init(&full, 4096);
	assert_int_equal(sanitize_append(&full, in, sizeof in - 1), 0);
	for (max = 0; max <= full.len + 1; max++) {
		buf_init(&out, max);
		r = sanitize_append(&out, in, sizeof in - 1);
		assert_true(out.len <= max);
		if (max >= full.len) {
			assert_int_equal(r, 0);
			assert_int_equal(out.len, full.len);
		} else {
			assert_int_equal(r, -1);
		}
		if (memcmp(buf_str(&out), full.data, out.len) != 0)
			fail_msg("max %zu: '%s' does not start '%s'", max,
			    test_vis(out.data, out.len),
			    test_vis(full.data, full.len));
		buf_init(&back, 4096);
		if (unescape(buf_str(&out), out.len, &back) != 0)
			fail_msg("max %zu: '%s' ends in a broken piece", max,
			    test_vis(out.data, out.len));
		buf_free(&back);
		buf_free(&out);
	}
	buf_free(&full);

	/* Full before the call, even a harmless byte does not fit. */
	buf_init(&out, 4);
	assert_int_equal(sanitize_append(&out, "abcd", 4), 0);
	assert_int_equal(sanitize_append(&out, "e", 1), -1);
	assert_string_equal(buf_str(&out), "abcd");
	/* An empty append always fits. */
	assert_int_equal(sanitize_append(&out, "", 0), 0);
	buf_free(&out);
	/* An escape is never cut: "\x01" needs four bytes. */
	buf_init(&out, 3);
	assert_int_equal(sanitize_append(&out, "\x01", 1), -1);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_every_byte_alone),
		cmocka_unit_test(test_sanitize_appends_and_counts),
		cmocka_unit_test(test_sanitize_terminal_attacks),
		cmocka_unit_test(test_sanitize_c1_controls),
		cmocka_unit_test(test_sanitize_bidi_and_hidden),
		cmocka_unit_test(test_sanitize_valid_utf8_kept),
		cmocka_unit_test(test_sanitize_invalid_utf8),
		cmocka_unit_test(test_sanitize_every_code_point),
		cmocka_unit_test(test_sanitize_line_separators_escaped),
		cmocka_unit_test(test_sanitize_invisible_format_escaped),
		cmocka_unit_test(test_sanitize_joiners_by_mode),
		cmocka_unit_test(test_sanitize_all_byte_pairs),
		cmocka_unit_test(test_sanitize_random_roundtrip),
		cmocka_unit_test(test_sanitize_buffer_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
