/* test_hexdump.c - the hex and ASCII dump: line layout, short and long inputs, and raw transcript events. */
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
