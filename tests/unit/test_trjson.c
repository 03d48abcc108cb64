/* test_trjson.c - the JSON lines transcript: strings escaped so that every line is valid UTF-8 JSON, and whole event lines. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trjson.h"

/* p[0..len) as trjson_string() writes it, compared with want. */
static void
check(const char *p, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 1024 * 1024);
	assert_int_equal(trjson_string(&b, p, len), 0);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_plain_and_quotes(void **state)
{
	(void)state;
	check("250 ok", 6, "\"250 ok\"");
	check("", 0, "\"\"");
	check("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
}

static void
test_control_bytes(void **state)
{
	(void)state;
	char all[32];
	struct buf b;
	size_t i;

	check("\r\n\t", 3, "\"\\r\\n\\t\"");
	check("\x1b[31m\x07", 6, "\"\\u001b[31m\\u0007\"");
	check("a\0b", 3, "\"a\\u0000b\"");
	check("\x7f", 1, "\"\\u007f\"");
	/* No byte below 0x20 is ever written raw. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	buf_init(&b, 1024);
	assert_int_equal(trjson_string(&b, all, sizeof(all)), 0);
	for (i = 0; i < b.len; i++)
		assert_true((unsigned char)b.data[i] >= 0x20);
	buf_free(&b);
}

static void
test_utf8(void **state)
{
	(void)state;
	/* Valid UTF-8 stays as it is. */
	check("Gr\xc3\xbc\xc3\x9f\x65 \xe6\x9d\xb1 \xf0\x9f\x98\x80", 16,
	    "\"Gr\xc3\xbc\xc3\x9f\x65 \xe6\x9d\xb1 \xf0\x9f\x98\x80\"");
	/* U+2028 and U+2029 end lines in JavaScript: escaped. */
	check("a\xe2\x80\xa8z\xe2\x80\xa9", 8, "\"a\\u2028z\\u2029\"");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* A Latin-1 byte, a lone continuation byte, a cut sequence. */
	check("caf\xe9", 4, "\"caf\\u00e9\"");
	check("\x80x", 2, "\"\\u0080x\"");
	check("\xe6\x9d", 2, "\"\\u00e6\\u009d\"");
	/* Overlong forms, a surrogate, over U+10FFFF, 0xff. */
	check("\xc0\xaf", 2, "\"\\u00c0\\u00af\"");
	check("\xe0\x80\xaf", 3, "\"\\u00e0\\u0080\\u00af\"");
	check("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\"");
	check("\xf4\x90\x80\x80", 4, "\"\\u00f4\\u0090\\u0080\\u0080\"");
	check("\xff", 1, "\"\\u00ff\"");
}

/* A whole event: one line, fields as documented. */
static void
test_event_line(void **state)
{
	(void)state;
	struct tr_event ev;
	struct trjson w;
	char *out = NULL, *nl;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);

	assert_non_null(fp);
	trjson_init(&w, fp, NULL, 0);
	memset(&ev, 0, sizeof(ev));
	ev.kind = TR_SERVER;
	ev.flags = TR_F_TLS;
	ev.conn = 2;
	ev.t_us = 231000;
	ev.wall_us = INT64_C(1738332309123456);
	ev.latency_us = 1234;
	ev.text = "250 ok\r";
	ev.len = 7;
	ev.stage = "rcpt";
	trjson_writer(&w, &ev);
	ev.kind = TR_DATA;
	trjson_writer(&w, &ev);    /* data only when asked for */
	assert_int_equal(trjson_outcome(&w, "failed", "rcpt", 67, "no"), 0);
	trjson_fini(&w);
	assert_int_equal(fclose(fp), 0);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	assert_string_equal(out,
	    "{\"time\":\"2025-01-31T14:05:09.123456Z\",\"t_us\":231000,"
	    "\"conn\":2,\"kind\":\"server\",\"marker\":\"<~\",\"stage\":\"rcpt\","
	    "\"tls\":true,\"text\":\"250 ok\\r\",\"latency_us\":1234}");
	/* The outcome is the second and last line. */
	assert_non_null(strstr(nl + 1, ",\"kind\":\"outcome\",\"status\":"
	    "\"failed\",\"stage\":\"rcpt\",\"exit\":67,\"text\":\"no\"}\n"));
	assert_null(strchr(nl + 1, '\n')[1] == '\0' ? NULL : "more lines");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quotes),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_event_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
