/* test_flowed.c - format=flowed (RFC 3676): cutting, quoting, stuffing, the signature separator, long words, DelSp, and text read back as written. */
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
#include "flowed.h"

#define MAX (4 * 1024 * 1024)

static char *
enc(const char *text, int *delsp)
{
	struct buf b;
	char *s;

	buf_init(&b, MAX);
	assert_int_equal(flowed_encode(&b, text, strlen(text), FLOWED_WIDTH,
	    delsp), 0);
	s = strdup(buf_str(&b));
	assert_non_null(s);
	buf_free(&b);
	return s;
}

static char *
dec(const char *text, int delsp)
{
	struct buf b;
	char *s;

	buf_init(&b, MAX);
	assert_int_equal(flowed_decode(&b, text, strlen(text), delsp), 0);
	s = strdup(buf_str(&b));
	assert_non_null(s);
	buf_free(&b);
	return s;
}

static size_t
u8chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Is there a run of more than k characters without a space in s[0..n)? */
static int
has_long_word(const char *s, size_t n, size_t k)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			run = 0;
		else if (((unsigned char)s[i] & 0xC0) != 0x80 && ++run > k)
			return 1;
	}
	return 0;
}

/*
 * Every line of s at most FLOWED_WIDTH characters, unless it holds a
 * word too long for any line; *soft counts the lines that flow on.
 */
static int
check_lines(const char *s, size_t *soft)
{
	const char *nl;
	size_t n;

	*soft = 0;
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		assert_non_null(nl);
		n = (size_t)(nl - s);
		if (n > 0 && s[n - 1] == ' ')
			(*soft)++;
		if (u8chars(s, n) > FLOWED_WIDTH &&
		    !has_long_word(s, n, FLOWED_WIDTH - 4))
			return 0;
	}
	return 1;
}

static void
test_short_lines_kept(void **state)
{
	int delsp;
	char *e;

	(void)state;
	e = enc("Hello,\n\nshort lines stay.   \nBye\n", &delsp);
	/* Trailing spaces would make the line flow into the next. */
	assert_string_equal(e, "Hello,\n\nshort lines stay.\nBye\n");
	assert_int_equal(delsp, 0);
	free(e);
	e = enc("no newline at the end", &delsp);
	assert_string_equal(e, "no newline at the end\n");
	free(e);
}

static void
test_paragraph_cut_and_read_back(void **state)
{
	const char *para = "The quick brown fox jumps over the lazy dog, and "
	    "then it does so again, and again, until the paragraph is much "
	    "longer than any line of a mail should be: flowed text lets the "
	    "reader wrap it to the width of the window.\n";
	size_t soft;
	int delsp;
	char *e, *d;

	(void)state;
	e = enc(para, &delsp);
	assert_int_equal(delsp, 0);
	assert_true(check_lines(e, &soft));
	assert_true(soft >= 2);
	/* The last line ends hard. */
	assert_true(e[strlen(e) - 2] != ' ');
	d = dec(e, 0);
	assert_string_equal(d, para);
	free(e);
	free(d);
}

static void
test_quotes_kept_on_every_line(void **state)
{
	const char *q = "> This quoted paragraph is long enough that it has "
	    "to be cut into several lines, each of which must keep its "
	    "quote mark.\n> > and a nested one\n>\n> done\n";
	char *e, *d, *line, *save;
	int delsp;

	(void)state;
	e = enc(q, &delsp);
	for (line = strtok_r(e, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		assert_true(line[0] == '>');
	free(e);
	e = enc(q, &delsp);
	assert_non_null(strstr(e, "\n>> and a nested one\n"));
	/* An empty quoted line has no space: it would flow. */
	assert_non_null(strstr(e, "\n>\n> done\n"));
	d = dec(e, 0);
	assert_string_equal(d, "> This quoted paragraph is long enough that it "
	    "has to be cut into several lines, each of which must keep its "
	    "quote mark.\n>> and a nested one\n>\n> done\n");
	free(e);
	free(d);
}

static void
test_stuffing_and_signature(void **state)
{
	char *e, *d;
	int delsp;

	(void)state;
	e = enc("From the start\n indented\n-- \nMe\n", &delsp);
	assert_string_equal(e, " From the start\n  indented\n-- \nMe\n");
	d = dec(e, 0);
	assert_string_equal(d, "From the start\n indented\n-- \nMe\n");
	free(e);
	free(d);
}

static void
test_long_word_not_cut(void **state)
{
	char url[200], text[300], *e, *line, *save;
	int delsp, seen = 0;

	(void)state;
	memset(url, 'x', sizeof(url));
	memcpy(url, "https://example.org/", 20);
	url[150] = '\0';
	(void)snprintf(text, sizeof(text), "see %s for more\n", url);
	e = enc(text, &delsp);
	assert_int_equal(delsp, 0);
	for (line = strtok_r(e, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strstr(line, url) != NULL)
			seen = 1;
	assert_true(seen);
	free(e);
}

static void
test_script_without_spaces_gets_delsp(void **state)
{
	char text[1024], *e, *d;
	size_t i, soft;
	int delsp;

	(void)state;
	/* 100 times U+65E5, then " end". */
	for (i = 0; i < 100; i++)
		memcpy(text + 3 * i, "\xe6\x97\xa5", 3);
	(void)snprintf(text + 300, sizeof(text) - 300, " end\n");
	e = enc(text, &delsp);
	assert_int_equal(delsp, 1);
	assert_true(check_lines(e, &soft));
	assert_true(soft >= 1);
	d = dec(e, 1);
	assert_string_equal(d, text);
	free(e);
	free(d);
}

static void
test_decode_depth_change_and_signature_are_hard(void **state)
{
	char *d;

	(void)state;
	d = dec("> soft \nnot quoted\nsoft before sig \n-- \nme\n", 0);
	assert_string_equal(d, "> soft \nnot quoted\nsoft before sig \n-- \nme\n");
	free(d);
	d = dec("one \ntwo \nthree\n", 0);
	assert_string_equal(d, "one two three\n");
	free(d);
	d = dec("one  \ntwo\n", 1);
	assert_string_equal(d, "one two\n");
	free(d);
}

/* The model: a line as the encoder reads it, written as decode writes it. */
static void
model_line(struct buf *out, const char *l, size_t n)
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
	l += i;
	n -= i;
	if (!(q == 0 && n == 3 && memcmp(l, "-- ", 3) == 0))
		while (n > 0 && l[n - 1] == ' ')
			n--;
	for (i = 0; i < q; i++)
		assert_int_equal(buf_addch(out, '>'), 0);
	if (q > 0 && n > 0)
		assert_int_equal(buf_addch(out, ' '), 0);
	assert_int_equal(buf_add(out, l, n), 0);
	assert_int_equal(buf_addch(out, '\n'), 0);
}

static void
test_round_trip_random(void **state)
{
	static const char *const atoms[] = { "a", "bb", "word", " ", " ",
	    "  ", ">", "> ", "From ", "\xe6\x97\xa5", "\xc3\xa9t\xc3\xa9",
	    "https://example.org/a/very/long/path/that/"
	    "goes/on/and/on/and/on/beyond/the/width/of/a/line" };
	/* Text in a script without spaces, now and then a space. */
	static const char *const dense[] = { "\xe6\x97\xa5",
	    "\xe6\x9c\xac", "\xe8\xaa\x9e", "\xe3\x80\x82", "1",
	    "\xc3\xa9" };
	uint32_t rng = 0x5eed1234u;
	struct buf text, want;
	const char *p, *nl;
	char *e, *d;
	size_t soft, nsoft = 0, ndelsp = 0;
	int round, k, delsp;

	(void)state;
	for (round = 0; round < 400; round++) {
		buf_init(&text, MAX);
		buf_init(&want, MAX);
		for (k = 0; k < 300; k++) {
			rng = rng * 1103515245u + 12345u;
			/* Lines of 40 atoms or so: many to cut. */
			if ((rng >> 16) % 40 == 0)
				assert_int_equal(buf_addstr(&text,
				    (rng >> 24) % 8 == 0 ? "\n-- \n" : "\n"), 0);
			rng = rng * 1103515245u + 12345u;
			if (round % 4 == 0 && (rng >> 16) % 60 != 0)
				assert_int_equal(buf_addstr(&text,
				    dense[(rng >> 16) % (sizeof(dense) /
				    sizeof(dense[0]))]), 0);
			else
				assert_int_equal(buf_addstr(&text,
				    atoms[(rng >> 16) % (sizeof(atoms) /
				    sizeof(atoms[0]))]), 0);
		}
		assert_int_equal(buf_addch(&text, '\n'), 0);
		for (p = buf_str(&text); *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			model_line(&want, p, (size_t)(nl - p));
		}
		e = enc(buf_str(&text), &delsp);
		assert_true(check_lines(e, &soft));
		nsoft += soft;
		ndelsp += (size_t)delsp;
		d = dec(e, delsp);
		if (strcmp(d, buf_str(&want)) != 0)
			fail_msg("round %d:\ntext: [%s]\nflowed: [%s]\nback: "
			    "[%s]\nwant: [%s]", round, buf_str(&text), e, d,
			    buf_str(&want));
		free(e);
		free(d);
		buf_free(&text);
		buf_free(&want);
	}
	/* The rounds did cut lines, with DelSp and without. */
	assert_true(nsoft > 1000);
	print_message("%zu soft lines, %zu of 400 rounds with DelSp\n", nsoft, ndelsp);
	assert_true(ndelsp > 10 && ndelsp < 390);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_lines_kept),
		cmocka_unit_test(test_paragraph_cut_and_read_back),
		cmocka_unit_test(test_quotes_kept_on_every_line),
		cmocka_unit_test(test_stuffing_and_signature),
		cmocka_unit_test(test_long_word_not_cut),
		cmocka_unit_test(test_script_without_spaces_gets_delsp),
		cmocka_unit_test(test_decode_depth_change_and_signature_are_hard),
		cmocka_unit_test(test_round_trip_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
