/* test_tlsrpt.c - unit tests for the TLS-RPT record (RFC 8460), as mtasts.h parses it. */
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
rpt(const char *s, struct mtasts_tlsrpt *r, char **why)
{
	*why = NULL;
	return mtasts_tlsrpt_parse(s, strlen(s), r, why);
}

static void
test_good(void **state)
{
	struct mtasts_tlsrpt r;
	char *why;

	(void)state;
	assert_int_equal(rpt("v=TLSRPTv1; rua=mailto:tls@example.test,"
	    " https://report.example.test/v1", &r, &why), 0);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0], "mailto:tls@example.test");
	assert_string_equal(r.rua[1], "https://report.example.test/v1");
	mtasts_tlsrpt_free(&r);
	assert_int_equal(rpt("v=TLSRPTv1;rua=mailto:a@b.test;ext=1;", &r,
	    &why), 0);
	assert_int_equal(r.nrua, 1);
	mtasts_tlsrpt_free(&r);
	mtasts_tlsrpt_free(NULL);
}

static void
test_bad(void **state)
{
	static const struct {
		const char *rec, *why;
	} bad[] = {
		{ "v=TLSRPTv2; rua=mailto:a@b.test", "v=TLSRPTv1" },
		{ "rua=mailto:a@b.test; v=TLSRPTv1", "v=TLSRPTv1" },
		{ "v=TLSRPTv1", "no rua" },
		{ "v=TLSRPTv1; rua=", "empty" },
		{ "v=TLSRPTv1; rua=http://r.test/", "http://r.test/" },
		{ "v=TLSRPTv1; rua=mailto:nobody", "no address" },
		{ "v=TLSRPTv1; rua=mailto:a@b.test; rua=mailto:c@d.test",
		    "two rua" },
	};
	struct mtasts_tlsrpt r;
	char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rpt(bad[i].rec, &r, &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, bad[i].why));
		assert_null(r.rua);
		assert_int_equal(r.nrua, 0);
		free(why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
