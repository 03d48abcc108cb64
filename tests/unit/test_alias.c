/* test_alias.c - mutt alias files: reading them, completing and expanding addresses. */
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

#include "alias.h"
#include "helper.h"

static struct aliases *
load(const char *text, enum err want)
{
	char path[256];
	struct aliases *a = NULL;
	char *errstr = NULL;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/aliases", test_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(alias_load(&a, path, &errstr), want);
	if (want != ERR_OK) {
		assert_non_null(errstr);
		assert_non_null(strstr(errstr, "aliases:"));
	}
	free(errstr);
	return a;
}

static const char file[] =
    "# my aliases\n"
    "alias bob Bob Smith <bob@example.org>\n"
    "alias bobby \"Smith, Bobby\" <bobby@example.org>   # the other one\n"
    "alias -group work team alice@example.org, carol@example.org\n"
    "set sort=date\n"
    "\n"
    "alias Carl carl@example.org\n"
    "alias bob Robert Smith <bob@example.org>\n";

static void
test_load(void **state)
{
	struct aliases *a = NULL;
	char *errstr = NULL;

	(void)state;
	a = load(file, ERR_OK);
	/* bob twice: the later line wins. */
	assert_int_equal(alias_count(a), 4);
	alias_free(a);
	/* A missing file is an empty table. */
	assert_int_equal(alias_load(&a, "/nonexistent/aliases", &errstr),
	    ERR_OK);
	assert_int_equal(alias_count(a), 0);
	alias_free(a);
	a = load("alias lonely\n", ERR_DATA);
	assert_null(a);
}

static void
check_complete(const struct aliases *a, const char *in, const char *want)
{
	char *got = alias_complete(a, in);

	if (want == NULL) {
		if (got != NULL)
			fail_msg("'%s' completed to '%s'", in, got);
		return;
	}
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("'%s' completed to '%s', not '%s'", in,
		    got != NULL ? got : "(nothing)", want);
	free(got);
}

static void
test_complete(void **state)
{
	struct aliases *a;

	(void)state;
	a = load(file, ERR_OK);
	/* An exact key wins over the longer ones. */
	check_complete(a, "bob", "Robert Smith <bob@example.org>");
	check_complete(a, "bobb", "\"Smith, Bobby\" <bobby@example.org>");
	/* Only the last element counts; what comes before stays. */
	check_complete(a, "x@example.org, te",
	    "x@example.org, alice@example.org, carol@example.org");
	check_complete(a, "CA", "carl@example.org");
	/* Several start so: their common start, if it is longer. */
	check_complete(a, "b", "bob");
	check_complete(a, "nobody", NULL);
	check_complete(a, "", NULL);
	check_complete(a, "x@example.org, ", NULL);
	check_complete(NULL, "bob", NULL);
	alias_free(a);
}

static void
test_expand(void **state)
{
	static const char *const v[][2] = {
		{ "bob", "Robert Smith <bob@example.org>" },
		{ "bob, x@example.org", "Robert Smith <bob@example.org>, "
		    "x@example.org" },
		{ " team ,carl", " alice@example.org, carol@example.org ,"
		    "carl@example.org" },
		/* Not keys: addresses, quoted names, unknown words. */
		{ "bob@example.org", "bob@example.org" },
		{ "\"bob, team\" <b@example.org>", "\"bob, team\" <b@example.org>" },
		{ "nobody", "nobody" },
		{ "", "" },
	};
	struct aliases *a;
	size_t i;
	char *got;

	(void)state;
	a = load(file, ERR_OK);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = alias_expand(a, v[i][0]);
		assert_non_null(got);
		if (strcmp(got, v[i][1]) != 0)
			fail_msg("'%s' expanded to '%s', not '%s'", v[i][0],
			    got, v[i][1]);
		free(got);
	}
	alias_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
