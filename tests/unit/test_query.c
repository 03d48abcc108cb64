/* test_query.c - query_command: the query goes in quoted, mutt's output format comes back. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "query.h"

static void
test_output_format(void **state)
{
	struct query_match *v = NULL;
	size_t n = 0;
	char *errstr = NULL, *f;

	(void)state;
	assert_int_equal(query_run("printf 'Searching... 3 found\\n"
	    "bob@example.org\\tBob Smith\\tfriend\\nnot an address\\tx\\n"
	    "ann@example.org\\nj@example.org\\tSmith, J.\\r\\n'",
	    "ignored", &v, &n, &errstr), ERR_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].addr, "bob@example.org");
	assert_string_equal(v[0].name, "Bob Smith");
	assert_string_equal(v[1].addr, "ann@example.org");
	assert_string_equal(v[1].name, "");
	f = query_format(&v[0]);
	assert_string_equal(f, "Bob Smith <bob@example.org>");
	free(f);
	f = query_format(&v[1]);
	assert_string_equal(f, "ann@example.org");
	free(f);
	f = query_format(&v[2]);
	assert_string_equal(f, "\"Smith, J.\" <j@example.org>");
	free(f);
	query_free(v, n);
	free(errstr);
}

/* What the user typed reaches the program as one word, never as shell code. */
static void
test_quoting(void **state)
{
	static const char q[] = "O'Brien $(touch /tmp/pigeon-query-pwned) `id` ;";
	struct query_match *v = NULL;
	size_t n = 0;
	char *errstr = NULL;

	(void)state;
	(void)unlink("/tmp/pigeon-query-pwned");
	assert_int_equal(query_run("printf 'note\\nx@example.org\\t%%s\\n' %s",
	    q, &v, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, q);
	assert_int_equal(access("/tmp/pigeon-query-pwned", F_OK), -1);
	query_free(v, n);
	/* Without %s the query is the last argument. */
	v = NULL;
	n = 0;
	assert_int_equal(query_run("printf 'note\\ny@example.org\\t%%s\\n'",
	    q, &v, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, q);
	query_free(v, n);
	/* The user quoted %s already, either way: still one word, still no code. */
	v = NULL;
	n = 0;
	assert_int_equal(query_run("printf 'note\\nz@example.org\\t%%s\\n' "
	    "'%s'", q, &v, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, q);
	query_free(v, n);
	v = NULL;
	n = 0;
	assert_int_equal(query_run("printf 'note\\nz@example.org\\t%%s\\n' "
	    "\"%s\"", q, &v, &n, &errstr), ERR_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, q);
	assert_int_equal(access("/tmp/pigeon-query-pwned", F_OK), -1);
	query_free(v, n);
	free(errstr);
}

static void
test_failures(void **state)
{
	struct query_match *v = NULL;
	size_t n = 0;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(query_run("exit 3", "x", &v, &n, &errstr),
	    ERR_CONFIG);
	assert_non_null(strstr(errstr, "3"));
	free(errstr);
	errstr = NULL;
	assert_int_equal(query_run("yes x@example.org | head -c 2000000 # %s",
	    "x", &v, &n, &errstr), ERR_CONFIG);
	assert_non_null(strstr(errstr, "more than"));
	free(errstr);
	errstr = NULL;
	/* Nothing found is no error. */
	assert_int_equal(query_run("echo 'no matches'", "x", &v, &n, &errstr),
	    ERR_OK);
	assert_int_equal(n, 0);
	query_free(v, n);
	free(errstr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_format),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
