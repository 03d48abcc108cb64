/* test_mtasts.c - unit tests for the MTA-STS TXT record, the policy file and the mx pattern match (RFC 8461). */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mtasts.h"

static int
txt(const char *s, char **id, char **why)
{
	*id = NULL;
	*why = NULL;
	return mtasts_txt_parse(s, strlen(s), id, why);
}

static void
test_txt(void **state)
{
	char *id, *why;

	(void)state;
	assert_int_equal(txt("v=STSv1; id=20250101T000000", &id, &why), 0);
	assert_string_equal(id, "20250101T000000");
	free(id);
	assert_int_equal(txt("v=STSv1;id=abc;", &id, &why), 0);
	assert_string_equal(id, "abc");
	free(id);
	/* Extensions are ignored. */
	assert_int_equal(txt("v=STSv1; foo=bar ;id=x1 ", &id, &why), 0);
	assert_string_equal(id, "x1");
	free(id);

	assert_int_equal(txt("v=STSv2; id=1", &id, &why), -1);
	assert_null(id);
	assert_non_null(strstr(why, "v=STSv1"));
	free(why);
	assert_int_equal(txt("id=1; v=STSv1", &id, &why), -1);
	free(why);
	assert_int_equal(txt("v=STSv1", &id, &why), -1);
	assert_non_null(strstr(why, "no id"));
	free(why);
	assert_int_equal(txt("v=STSv1; id=has-dash", &id, &why), -1);
	assert_non_null(strstr(why, "has-dash"));
	free(why);
	assert_int_equal(txt("v=STSv1; id=123456789012345678901234567890123",
	    &id, &why), -1);
	free(why);
	assert_int_equal(txt("v=STSv1; id=1; id=2", &id, &why), -1);
	free(why);
	why = NULL;
	assert_int_equal(mtasts_txt_parse("v=STSv1; id=1\0", 14, &id, &why),
	    -1);
	free(why);
}

static int
policy(const char *s, struct mtasts_policy *p, char **why)
{
	*why = NULL;
	return mtasts_policy_parse(s, strlen(s), p, why);
}

static void
test_policy(void **state)
{
	struct mtasts_policy p;
	char *why;

	(void)state;
	assert_int_equal(policy("version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx1.example.test\r\nmx: *.example.net\r\n"
	    "max_age: 86400\r\n", &p, &why), 0);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_string_equal(mtasts_mode_name(p.mode), "enforce");
	assert_int_equal(p.max_age, 86400);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[1], "*.example.net");
	assert_string_equal(mtasts_policy_match(&p, "MX1.example.test."),
	    "mx1.example.test");
	assert_string_equal(mtasts_policy_match(&p, "a.example.net"),
	    "*.example.net");
	assert_null(mtasts_policy_match(&p, "a.b.example.net"));
	assert_null(mtasts_policy_match(&p, "example.net"));
	mtasts_policy_free(&p);

	/* LF only, extensions, spaces; mode none needs no mx. */
	assert_int_equal(policy("version: STSv1\nmode:none\nfoo: bar\n"
	    "max_age:   0  \n", &p, &why), 0);
	assert_int_equal(p.mode, MTASTS_MODE_NONE);
	assert_int_equal(p.nmx, 0);
	mtasts_policy_free(&p);

	assert_int_equal(policy("mode: testing\nmx: a.test\nmax_age: 5\n",
	    &p, &why), -1);
	assert_non_null(strstr(why, "version"));
	free(why);
	assert_int_equal(policy("version: STSv1\nmode: enforce\n"
	    "max_age: 5\n", &p, &why), -1);
	assert_non_null(strstr(why, "no mx"));
	free(why);
	assert_int_equal(policy("version: STSv1\nmode: strict\nmx: a.test\n"
	    "max_age: 5\n", &p, &why), -1);
	assert_non_null(strstr(why, "strict"));
	assert_null(p.mx);
	free(why);
	assert_int_equal(policy("version: STSv1\nmode: testing\nmx: a.test\n"
	    "max_age: 31557601\n", &p, &why), -1);
	assert_non_null(strstr(why, "max_age"));
	free(why);
	assert_int_equal(policy("version: STSv1\nmode: testing\nmx: a.test\n",
	    &p, &why), -1);
	assert_non_null(strstr(why, "no max_age"));
	free(why);
	assert_int_equal(policy("<html>not found</html>\n", &p, &why), -1);
	free(why);
	assert_int_equal(policy("version: STSv1\nmode: testing\n"
	    "mx: a.*.test\nmax_age: 5\n", &p, &why), -1);
	free(why);
}

static void
test_match(void **state)
{
	(void)state;
	assert_true(mtasts_mx_match("mx.example.org", "MX.Example.ORG"));
	assert_true(mtasts_mx_match("mx.example.org.", "mx.example.org"));
	assert_false(mtasts_mx_match("mx.example.org", "mx2.example.org"));
	assert_true(mtasts_mx_match("*.example.org", "mx.example.org"));
	assert_false(mtasts_mx_match("*.example.org", "example.org"));
	assert_false(mtasts_mx_match("*.example.org", ".example.org"));
	assert_false(mtasts_mx_match("*.example.org", "a.mx.example.org"));
	assert_false(mtasts_mx_match("*.example.org", "mxexample.org"));
	assert_false(mtasts_mx_match("", "mx.example.org"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
