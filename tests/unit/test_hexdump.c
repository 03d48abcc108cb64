/* test_hexdump.c - the hex and ASCII dump: line layout, short and long inputs, raw transcript events, and the engine masking its secrets for them. */
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
#include "hexdump.h"
#include "smtp.h"
#include "transcript.h"
#include "helper.h"

/* The dump of in[0..n) with indent must be exactly want. */
static void
check(const char *indent, const void *in, size_t n, const char *want)
{
	struct buf out;

	buf_init(&out, 1 << 20);
	assert_int_equal(hexdump_append(&out, indent, in, n, 0), 0);
	if (strcmp(buf_str(&out), want) != 0)
		fail_msg("dump of %zu bytes:\ngot\n%s\nwant\n%s", n,
		    buf_str(&out), want);
	buf_free(&out);
}

/* Bytes 0, 1, 2, ... n-1 (mod 256). */
static unsigned char *
counting(size_t n)
{
	unsigned char *p = malloc(n > 0 ? n : 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)i;
	return p;
}

static void
test_empty(void **state)
{
	(void)state;
	check("", "", 0, "");
	check("    ", "x", 0, "");
}

static void
test_one_byte(void **state)
{
	(void)state;
	check("", "A", 1,
	    "0000  41                                                |A|");
	check("  ", "\n", 1,
	    "  0000  0a                                                |.|");
}

static void
test_full_line(void **state)
{
	(void)state;
	check("", "EHLO localhost\r\n", 16,
	    "0000  45 48 4c 4f 20 6c 6f 63  61 6c 68 6f 73 74 0d 0a  "
	    "|EHLO localhost..|");
}

static void
test_fifteen_seventeen(void **state)
{
	unsigned char *p = counting(17);

	(void)state;
	p[0] = 'a';
	check("", p, 15,
	    "0000  61 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e     "
	    "|a..............|");
	check("", p, 17,
	    "0000  61 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  "
	    "|a...............|\n"
	    "0010  10                                                |.|");
	free(p);
}

static void
test_thirty_three(void **state)
{
	const char *s = "MAIL FROM:<a@example.org> SIZE=9\r";

	(void)state;
	assert_int_equal(strlen(s), 33);
	check("> ", s, 33,
	    "> 0000  4d 41 49 4c 20 46 52 4f  4d 3a 3c 61 40 65 78 61  "
	    "|MAIL FROM:<a@exa|\n"
	    "> 0010  6d 70 6c 65 2e 6f 72 67  3e 20 53 49 5a 45 3d 39  "
	    "|mple.org> SIZE=9|\n"
	    "> 0020  0d                                                |.|");
}

/* Every byte value: high bytes, DEL and controls are dots, never raw. */
static void
test_only_ascii_out(void **state)
{
	unsigned char *p = counting(256);
	struct buf out;
	size_t i, lines = 1;

	(void)state;
	buf_init(&out, 1 << 20);
	assert_int_equal(hexdump_append(&out, "", p, 256, 0), 0);
	for (i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];

		if (c == '\n')
			lines++;
		else if (c < 0x20 || c >= 0x7f)
			fail_msg("byte 0x%02x in the dump at %zu", c, i);
	}
	assert_int_equal(lines, 16);
	assert_non_null(strstr(out.data, "00f0  f0 f1 f2 f3 f4 f5 f6 f7  "
	    "f8 f9 fa fb fc fd fe ff  |................|"));
	assert_non_null(strstr(out.data, "0070  70 71 72 73 74 75 76 77  "
	    "78 79 7a 7b 7c 7d 7e 7f  |pqrstuvwxyz{|}~.|"));
	buf_free(&out);
	free(p);
}

/* Offsets past 0xffff take more digits; a full buffer is an error. */
static void
test_big_and_full(void **state)
{
	size_t n = 0x10010;
	unsigned char *p = counting(n);
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 24);
	assert_int_equal(hexdump_append(&out, "", p, n, 0), 0);
	assert_non_null(strstr(out.data, "\nfff0  "));
	assert_non_null(strstr(out.data, "\n10000  00 01 02"));
	buf_free(&out);
	/* In slices with the offset running on: the same text. */
	{
		struct buf whole, parts;
		size_t i;

		buf_init(&whole, 1 << 20);
		buf_init(&parts, 1 << 20);
		assert_int_equal(hexdump_append(&whole, " ", p, 100, 0), 0);
		for (i = 0; i < 100; i += 32) {
			if (i > 0)
				assert_int_equal(buf_addch(&parts, '\n'), 0);
			assert_int_equal(hexdump_append(&parts, " ", p + i,
			    100 - i < 32 ? 100 - i : 32, i), 0);
		}
		assert_string_equal(buf_str(&whole), buf_str(&parts));
		buf_free(&whole);
		buf_free(&parts);
	}
	buf_init(&out, 100);
	assert_int_equal(hexdump_append(&out, "", p, 64, 0), -1);
	buf_free(&out);
	free(p);
}

/* A raw event as transcript_format() gives it. */
static void
test_raw_event_format(void **state)
{
	struct tr_event ev;
	struct buf out;
	char big[5000];

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.kind = TR_RAW_OUT;
	ev.flags = TR_F_TLS | TR_F_REDACTED;
	ev.t_us = 10000;
	ev.text = "AUTH PLAIN xxxx\r\n";
	ev.len = 17;
	buf_init(&out, 1 << 20);
	assert_int_equal(transcript_format(&ev, &out), 0);
	assert_string_equal(buf_str(&out), "[  0.010] C> 17 bytes, inside TLS "
	    "(before encryption), secret bytes shown as x\n"
	    "  0000  41 55 54 48 20 50 4c 41  49 4e 20 78 78 78 78 0d  "
	    "|AUTH PLAIN xxxx.|\n"
	    "  0010  0a                                                |.|");
	buf_reset(&out);
	ev.kind = TR_RAW_IN;
	ev.flags = 0;
	ev.text = "2";
	ev.len = 1;
	assert_int_equal(transcript_format(&ev, &out), 0);
	assert_string_equal(buf_str(&out), "[  0.010] S< 1 byte\n"
	    "  0000  32                                                |2|");
	/* A pane or a log gets the first 4096 bytes and a count. */
	buf_reset(&out);
	memset(big, 'a', sizeof(big));
	ev.text = big;
	ev.len = sizeof(big);
	assert_int_equal(transcript_format(&ev, &out), 0);
	assert_non_null(strstr(buf_str(&out), "\n  0ff0  61 61"));
	assert_null(strstr(buf_str(&out), "\n  1000  "));
	assert_non_null(strstr(buf_str(&out), "\n  [904 more bytes, dumped "
	    "whole by -v and --transcript]"));
	buf_free(&out);
}

/* The engine's pending output, masked as a dump would show it. */
static void
expect_out(struct smtp *s, const char *wire, const char *shown,
    size_t masked)
{
	char copy[256];
	const char *p;
	size_t len;

	p = smtp_output(s, &len);
	assert_non_null(p);
	assert_int_equal(len, strlen(wire));
	assert_memory_equal(p, wire, len);
	memcpy(copy, p, len);
	assert_int_equal(smtp_output_redact(s, copy, len), masked);
	assert_memory_equal(copy, shown, len);
}

#define FEED(s, lit) smtp_feed(s, lit, sizeof(lit) - 1)

static void
test_engine_masks_auth_answers(void **state)
{
	struct smtp_opts o;
	struct smtp *s;
	char copy[64];
	const char *p;
	size_t len;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.tls = SMTP_TLS_IMPLICIT;
	o.user = "alice";
	o.secret = "s3cret-pa55";
	o.auth = "LOGIN";
	assert_non_null(s = smtp_new(&o, NULL));
	FEED(s, "220 hi\r\n");
	expect_out(s, "EHLO localhost\r\n", "EHLO localhost\r\n", 0);
	smtp_consumed(s, 16);
	FEED(s, "250-hi\r\n250 AUTH LOGIN PLAIN\r\n");
	expect_out(s, "AUTH LOGIN\r\n", "AUTH LOGIN\r\n", 0);
	smtp_consumed(s, 12);
	FEED(s, "334 VXNlcm5hbWU6\r\n");
	expect_out(s, "YWxpY2U=\r\n", "xxxxxxxx\r\n", 8);
	/* Part of it gone: the rest is still masked where it lies. */
	smtp_consumed(s, 3);
	p = smtp_output(s, &len);
	assert_int_equal(len, 7);
	memcpy(copy, p, len);
	assert_int_equal(smtp_output_redact(s, copy, len), 5);
	assert_memory_equal(copy, "xxxxx\r\n", 7);
	smtp_consumed(s, 7);
	FEED(s, "334 UGFzc3dvcmQ6\r\n");
	expect_out(s, "czNjcmV0LXBhNTU=\r\n", "xxxxxxxxxxxxxxxx\r\n", 16);
	smtp_consumed(s, 18);
	FEED(s, "235 ok\r\n");
	smtp_free(s);

	/* PLAIN: the initial response in the AUTH line, its words kept. */
	o.auth = "PLAIN";
	assert_non_null(s = smtp_new(&o, NULL));
	FEED(s, "220 hi\r\n");
	smtp_consumed(s, 16);
	FEED(s, "250-hi\r\n250 AUTH LOGIN PLAIN\r\n");
	expect_out(s, "AUTH PLAIN AGFsaWNlAHMzY3JldC1wYTU1\r\n",
	    "AUTH PLAIN xxxxxxxxxxxxxxxxxxxxxxxx\r\n", 24);
	smtp_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_byte),
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_fifteen_seventeen),
		cmocka_unit_test(test_thirty_three),
		cmocka_unit_test(test_only_ascii_out),
		cmocka_unit_test(test_big_and_full),
		cmocka_unit_test(test_raw_event_format),
		cmocka_unit_test(test_engine_masks_auth_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
