/* test_util.c - small helpers of util.c: sizes for a person, yes/no answers. */
/* SPDX-License-Identifier: ISC */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void
check_size(unsigned long long n, const char *want)
{
	char b[32];

	util_human_size(b, sizeof(b), n);
	assert_string_equal(b, want);
}

/*
 * A small message is bytes, not "0.0 MB" (the progress line said "0.0 of
 * 0.0 MB" for anything under 50 kB); larger ones have one decimal.
 */
static void
test_human_size(void **state)
{
	(void)state;
	check_size(0, "0 bytes");
	check_size(412, "412 bytes");
	check_size(1023, "1023 bytes");
	check_size(1024, "1.0 KiB");
	check_size(12595, "12.3 KiB");
	check_size(1572864, "1.5 MiB");
	check_size(35882577, "34.2 MiB");
	check_size(5ULL << 30, "5.0 GiB");
	check_size(3ULL << 50, "3072.0 TiB");
}

/* A short buffer gets what fits, NUL-terminated. */
static void
test_human_size_short_buffer(void **state)
{
	char b[5];

	(void)state;
	memset(b, 'x', sizeof(b));
	util_human_size(b, sizeof(b), 1572864);
	assert_string_equal(b, "1.5 ");
}

/* The decimal separator is the locale's: "1,5 MiB" in German. */
static void
test_human_size_german(void **state)
{
	(void)state;
	if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL)
		skip();
	check_size(1572864, "1,5 MiB");
	check_size(412, "412 bytes");       /* no catalogue bound here */
	(void)setlocale(LC_ALL, "C");
}

/* In the C locale: y/Y and n/N (and glibc's 1/0, +/-); nothing else. */
static void
test_yesno_c(void **state)
{
	(void)state;
	(void)setlocale(LC_ALL, "C");
	assert_int_equal(util_yesno("y"), 1);
	assert_int_equal(util_yesno("Yes\n"), 1);
	assert_int_equal(util_yesno("n"), 0);
	assert_int_equal(util_yesno("N\n"), 0);
	assert_int_equal(util_yesno("j"), -1);
	assert_int_equal(util_yesno(""), -1);
	assert_int_equal(util_yesno(NULL), -1);
	assert_int_equal(util_yesno("\n"), -1);
}

/* German: j is yes (YESEXPR), and y still works, for untranslated prompts. */
static void
test_yesno_german(void **state)
{
	(void)state;
	if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL)
		skip();
	assert_int_equal(util_yesno("j"), 1);
	assert_int_equal(util_yesno("Ja"), 1);
	assert_int_equal(util_yesno("y"), 1);
	assert_int_equal(util_yesno("n"), 0);
	assert_int_equal(util_yesno("nein"), 0);
	assert_int_equal(util_yesno("x"), -1);
	(void)setlocale(LC_ALL, "C");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_human_size_short_buffer),
		cmocka_unit_test(test_human_size_german),
		cmocka_unit_test(test_yesno_c),
		cmocka_unit_test(test_yesno_german),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
