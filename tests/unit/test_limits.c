/* test_limits.c - LIMITS (RFC 9422) read from an EHLO reply: the three limits a client honours, and what is ignored. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smtp_int.h"

/* The caps of an EHLO reply whose keyword lines are lines. */
static void
parse(struct smtp_caps *c, const char *lines)
{
	struct smtp_reply r;
	char text[1024];

	memset(&r, 0, sizeof(r));
	memset(c, 0, sizeof(*c));
	(void)snprintf(text, sizeof(text), "250-mail.example.org\n%s", lines);
	r.code = 250;
	r.text = text;
	assert_int_equal(smtp_caps_parse(c, &r), 0);
}

static void
test_the_three_limits(void **state)
{
	struct smtp_caps c;

	(void)state;
	parse(&c, "250-PIPELINING\n250 LIMITS RCPTMAX=50 MAILMAX=10 "
	    "RCPTDOMAINMAX=3");
	assert_int_equal(c.rcptmax, 50);
	assert_int_equal(c.mailmax, 10);
	assert_int_equal(c.rcptdomainmax, 3);
	smtp_caps_clear(&c);
	/* Names in any case, in any order, unknown ones passed over. */
	parse(&c, "250 limits mailmax=2 FUTURE=9 rcptmax=7");
	assert_int_equal(c.rcptmax, 7);
	assert_int_equal(c.mailmax, 2);
	assert_int_equal(c.rcptdomainmax, 0);
	smtp_caps_clear(&c);
}

static void
test_malformed_values_are_ignored(void **state)
{
	struct smtp_caps c;

	(void)state;
	parse(&c, "250 LIMITS RCPTMAX=0 MAILMAX=-1 RCPTDOMAINMAX=x "
	    "RCPTMAX=07");
	assert_int_equal(c.rcptmax, 0);
	assert_int_equal(c.mailmax, 0);
	assert_int_equal(c.rcptdomainmax, 0);
	smtp_caps_clear(&c);
	parse(&c, "250 LIMITS RCPTMAX=99999999999999999999 MAILMAX=5x "
	    "RCPTDOMAINMAX");
	assert_int_equal(c.rcptmax, 0);
	assert_int_equal(c.mailmax, 0);
	assert_int_equal(c.rcptdomainmax, 0);
	smtp_caps_clear(&c);
	/* No LIMITS: no limits. */
	parse(&c, "250 SIZE 1000");
	assert_int_equal(c.rcptmax + c.mailmax + c.rcptdomainmax, 0);
	smtp_caps_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_three_limits),
		cmocka_unit_test(test_malformed_values_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
