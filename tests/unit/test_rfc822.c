/* test_rfc822.c - reading header fields back: unfolding, RFC 2047 words, RFC 2231 parameters. */
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
#include "helper.h"
#include "rfc822.h"

/* --- header fields ------------------------------------------------------- */

static void
test_header_end(void **state)
{
	static const char lf[] = "From: a@b\nSubject: x\n y\n\nbody\n";
	static const char crlf[] = "From: a@b\r\nSubject: x\r\n\r\nbody\r\n";
	static const char nofield[] = "From: a@b\nthis is no field\nmore\n";
	size_t body, hl;
	int complete;

	(void)state;
	hl = rfc822_header_end(lf, strlen(lf), &body, &complete);
	assert_int_equal(hl, 24);
	assert_int_equal(body, 25);
	assert_true(complete);
	hl = rfc822_header_end(crlf, strlen(crlf), &body, &complete);
	assert_int_equal(hl, 23);
	assert_int_equal(body, 25);
	/* A line that is no field ends the header and starts the body. */
	hl = rfc822_header_end(nofield, strlen(nofield), &body, &complete);
	assert_int_equal(hl, 10);
	assert_int_equal(body, 10);
	assert_true(complete);
	/* The input ends inside the header. */
	hl = rfc822_header_end("From: a", 7, &body, &complete);
	assert_false(complete);
}

static void
test_fields(void **state)
{
	static const char h[] =
	    "Subject: one\n"
	    "  two\r\n"
	    "\tthree \n"
	    "Bcc : hidden@example.org\n"
	    "X-Empty:\n"
	    "Subject: second\n"
	    "\n"
	    "To: not@header.org\n";
	struct rfc822_field f;
	size_t pos = 0, n = 0, vlen;
	char *v;

	(void)state;
	while (rfc822_next_field(h, strlen(h), &pos, &f)) {
		n++;
		if (n == 2) {
			assert_true(rfc822_field_is(&f, "bcc"));
			assert_false(rfc822_field_is(&f, "Bc"));
			(void)rfc822_field_value(&f, &vlen);
			assert_int_equal(vlen, 20);
		}
	}
	/* Three fields, the empty line and the "To" after it. */
	assert_int_equal(n, 6);
	v = rfc822_get(h, strlen(h), "SUBJECT");
	assert_string_equal(v, "one  two\tthree");
	free(v);
	v = rfc822_get(h, strlen(h), "Bcc");
	assert_string_equal(v, "hidden@example.org");
	free(v);
	v = rfc822_get(h, strlen(h), "X-Empty");
	assert_string_equal(v, "");
	free(v);
	/* After the empty line there is no header any more. */
	assert_null(rfc822_get(h, strlen(h), "To"));
	assert_null(rfc822_get(h, strlen(h), "Cc"));
}

static void
test_get_text(void **state)
{
	static const char h[] =
	    "Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus\n"
	    " =?ISO-8859-1?Q?K=F6ln?=\n"
	    "To: =?utf-8?q?J=C3=B6rg?= <j@x.de>\n\n";
	char *v;

	(void)state;
	v = rfc822_get_text(h, strlen(h), "Subject");
	assert_string_equal(v, "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln");
	free(v);
	v = rfc822_get_text(h, strlen(h), "To");
	assert_string_equal(v, "J\xc3\xb6rg <j@x.de>");
	free(v);
}

/* Encoded-words as other programs write them, and ones that are not. */
static void
test_decode_vectors(void **state)
{
	static const char *const v[][2] = {
		{ "=?ISO-8859-1?Q?a?= b", "a b" },
		{ "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab" },
		{ "=?ISO-8859-1?Q?a?=\t =?ISO-8859-1?Q?b?=", "ab" },
		{ "=?iso-8859-1?q?Gr=FC=DFe?=", "Gr\xc3\xbc\xc3\x9f" "e" },
		{ "=?UTF-8?B?R3LDvMOfZQ==?=", "Gr\xc3\xbc\xc3\x9f" "e" },
		{ "=?utf-8*en?Q?hello_world?=", "hello world" },
		{ "x =?UTF-8?Q?=E2=82=AC?= y", "x \xe2\x82\xac y" },
		/* Not decodable: left as written. */
		{ "=?UTF-8?B?***?=", "=?UTF-8?B?***?=" },
		{ "=?no-such-charset?Q?x?=", "=?no-such-charset?Q?x?=" },
		{ "=?UTF-8?Q?=C3?=", "=?UTF-8?Q?=C3?=" },
		{ "=?UTF-8?Q?=Z1?=", "=?UTF-8?Q?=Z1?=" },
		{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
		{ "=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated" },
		{ "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=" },
		{ "a =?UTF-8?Q?b?= c =?UTF-8?Q?d?=", "a b c d" },
	};
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, 4096);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_reset(&out);
		assert_int_equal(rfc822_decode_words(&out, v[i][0], strlen(v[i][0])), 0);
		if (strcmp(buf_str(&out), v[i][1]) != 0)
			fail_msg("'%s' -> '%s', not '%s'", v[i][0],
			    buf_str(&out), v[i][1]);
	}
	buf_free(&out);
}


/* --- parameters ------------------------------------------------------------ */

/* The parameter name of v as UTF-8, or NULL when there is none. */
static char *
param(const char *v, const char *name)
{
	struct buf b;
	int r;

	buf_init(&b, 1024 * 1024);
	r = rfc822_param(v, name, &b);
	assert_true(r >= 0);
	if (r == 0) {
		buf_free(&b);
		return NULL;
	}
	assert_non_null(b.data);
	return b.data;
}

static void
expect_param(const char *v, const char *name, const char *want)
{
	char *got = param(v, name);

	if (want == NULL && got != NULL)
		fail_msg("%s in '%s': got '%s', want none", name, v, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%s in '%s': got '%s', want '%s'", name, v,
		    got != NULL ? got : "(none)", want);
	free(got);
}

static void
test_params(void **state)
{
	(void)state;
	expect_param("text/plain; charset=utf-8", "charset", "utf-8");
	expect_param("text/plain; CHARSET=\"ISO-8859-1\"", "charset",
	    "ISO-8859-1");
	expect_param("text/plain;charset=us-ascii;format=flowed", "format",
	    "flowed");
	expect_param("text/plain; charset=utf-8", "name", NULL);
	expect_param("attachment; filename=\"my \\\"best\\\" file.txt\"",
	    "filename", "my \"best\" file.txt");
	/* RFC 2231: charset and language, percent-encoded. */
	expect_param("attachment; filename*=utf-8''Bericht%20M%C3%A4rz.pdf",
	    "filename", "Bericht M\xc3\xa4rz.pdf");
	expect_param("attachment; filename*=iso-8859-1'de'Bericht%20M%E4rz.pdf",
	    "filename", "Bericht M\xc3\xa4rz.pdf");
	/* Continuations, encoded and plain, in any order; a UTF-8 character cut in two. */
	expect_param("attachment; filename*1*=%A4rz; filename*0*=utf-8''"
	    "Bericht%20M%C3; filename*2=\".pdf\"", "filename",
	    "Bericht M\xc3\xa4rz.pdf");
	expect_param("application/pdf; name*0=\"a very long \"; "
	    "name*1=\"name.pdf\"", "name", "a very long name.pdf");
	/*
	 * An empty quoted value, into an empty buffer (found by
	 * tests/fuzz/fuzz_hdr: the check of the result did arithmetic on the
	 * buffer's NULL data, which UBSan reports).
	 */
	expect_param("multipart/mixed; boundary=\"\"; charset=us-ascii",
	    "boundary", "");
	expect_param("multipart/mixed; boundary=\"", "boundary", "");
	/* A missing section ends the value there. */
	expect_param("x/y; name*0=one; name*2=three", "name", "one");
	/* RFC 2231 wins over the plain parameter of the same name. */
	expect_param("x/y; name=plain.txt; name*=utf-8''%E2%82%AC.txt", "name",
	    "\xe2\x82\xac.txt");
	/* RFC 2047 inside a quoted name, as many programs write it. */
	expect_param("attachment; filename=\"=?UTF-8?B?0J7RgtGH0LXRgi5wZGY=?=\"",
	    "filename", "\xd0\x9e\xd1\x82\xd1\x87\xd0\xb5\xd1\x82.pdf");
	/* An unknown charset: the bytes stay if they are UTF-8 ... */
	expect_param("x/y; name*=x-unknown''caf%C3%A9", "name", "caf\xc3\xa9");
	/* ... and the parameter is missing when they are not. */
	expect_param("x/y; name*=x-unknown''caf%E9", "name", NULL);
	/* Malformed percent escapes are kept. */
	expect_param("x/y; name*=utf-8''100%25%zz%", "name", "100%%zz%");
	/* Junk before, between and after. */
	expect_param("x/y;;; =; name ; name=ok; x", "name", "ok");
	expect_param("x/y; boundary=\"=_pigeon_1234\"", "boundary",
	    "=_pigeon_1234");
	expect_param(NULL, "name", NULL);
}

static void
test_mime_type(void **state)
{
	char t[64];

	(void)state;
	rfc822_mime_type("Text/HTML; charset=x", t, sizeof(t));
	assert_string_equal(t, "text/html");
	rfc822_mime_type("  multipart/Mixed;boundary=b", t, sizeof(t));
	assert_string_equal(t, "multipart/mixed");
	rfc822_mime_type("text", t, sizeof(t));
	assert_string_equal(t, "");
	rfc822_mime_type("text/", t, sizeof(t));
	assert_string_equal(t, "");
	rfc822_mime_type("te\"xt/plain", t, sizeof(t));
	assert_string_equal(t, "");
	rfc822_mime_type(NULL, t, sizeof(t));
	assert_string_equal(t, "");
	rfc822_mime_type("application/vnd.a-very-long-name-that-does-not-fit",
	    t, 10);
	assert_string_equal(t, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_end),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_get_text),
		cmocka_unit_test(test_decode_vectors),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_mime_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
