/* test_form.c - unit tests for the application/x-www-form-urlencoded body of OAuth2 requests. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

static void
encoding(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(form_add(&b, "grant_type", "refresh_token"), 0);
	assert_string_equal(buf_str(&b), "grant_type=refresh_token");
	assert_int_equal(form_add(&b, "scope",
	    "https://mail.google.com/ offline_access"), 0);
	assert_int_equal(form_add(&b, "x y", "a+b&c=d%e*-._~\xc3\xa9\n"), 0);
	assert_int_equal(form_add(&b, "empty", ""), 0);
	assert_string_equal(buf_str(&b), "grant_type=refresh_token"
	    "&scope=https%3A%2F%2Fmail.google.com%2F+offline_access"
	    "&x+y=a%2Bb%26c%3Dd%25e*-._%7E%C3%A9%0A&empty=");
	buf_free(&b);
}

static void
too_large_leaves_it(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 20);
	assert_int_equal(form_add(&b, "a", "b"), 0);
	/* Would overflow: refused whole, nothing of it left behind. */
	assert_int_equal(form_add(&b, "secret", "0123456789abcdef"), -1);
	assert_string_equal(buf_str(&b), "a=b");
	assert_int_equal(b.len, 3);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encoding),
		cmocka_unit_test(too_large_leaves_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
