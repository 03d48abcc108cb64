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

/* Write text to the file name in the test folder; its path. */
static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char etc_aliases[] =
    "# /etc/aliases\n"
    "postmaster:    root\n"
    "root: admin, Ops Team <ops@example.org>   # who reads root's mail\n"
    "admin:\n"
    "\tjane@example.org,\n"
    "  admin\n"
    "\n"
    "loop1: loop2\n"
    "loop2: loop1\n"
    "pipe: jane@example.org, |/usr/bin/procmail\n"
    "DEFAULT: catchall@example.org\n";

static void
test_load_system(void **state)
{
	struct aliases *a = NULL;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(alias_load_system(&a, write_file("etc", etc_aliases),
	    &errstr), ERR_OK);
	assert_int_equal(alias_count(a), 7);
	assert_string_equal(alias_lookup(a, "postmaster"), "root");
	assert_string_equal(alias_lookup(a, "ROOT"),
	    "admin, Ops Team <ops@example.org>");
	/* Continuation lines join the entry above. */
	assert_string_equal(alias_lookup(a, "admin"),
	    "jane@example.org, admin");
	assert_string_equal(alias_lookup(a, "default"), "catchall@example.org");
	assert_null(alias_lookup(a, "nobody"));
	alias_free(a);
	/* A missing file is an empty table. */
	assert_int_equal(alias_load_system(&a, "/nonexistent/aliases",
	    &errstr), ERR_OK);
	assert_int_equal(alias_count(a), 0);
	alias_free(a);
	/* A line that is no entry, and an entry without an address. */
	assert_int_equal(alias_load_system(&a, write_file("bad1",
	    "root admin@example.org\n"), &errstr), ERR_DATA);
	assert_non_null(strstr(errstr, "bad1:1:"));
	free(errstr);
	errstr = NULL;
	assert_int_equal(alias_load_system(&a, write_file("bad2",
	    "# x\nroot:\nadmin: a@b\n"), &errstr), ERR_DATA);
	assert_non_null(strstr(errstr, "bad2:2:"));
	free(errstr);
}

/* Resolve name; the addresses joined by ' ', or the error. */
static char *
resolved(const struct alias_sources *src, const char *name, enum err want,
    struct buf *notes)
{
	struct addr_list l = { NULL, 0 };
	struct buf b;
	char *errstr = NULL;
	size_t i;

	assert_int_equal(alias_resolve(src, name, &l, notes, &errstr), want);
	buf_init(&b, 4096);
	if (want != ERR_OK) {
		assert_non_null(errstr);
		assert_int_equal(buf_addstr(&b, errstr), 0);
	}
	for (i = 0; i < l.n; i++)
		assert_int_equal(buf_printf(&b, "%s%s", i > 0 ? " " : "",
		    l.v[i].spec), 0);
	free(errstr);
	addr_list_free(&l);
	if (b.data == NULL)
		assert_int_equal(buf_addstr(&b, ""), 0);
	return b.data;
}

static void
test_resolve(void **state)
{
	struct aliases *sys = NULL, *mutt = NULL;
	struct alias_sources src;
	struct buf notes;
	char *errstr = NULL, *got;

	(void)state;
	assert_int_equal(alias_load_system(&sys, write_file("etc",
	    etc_aliases), &errstr), ERR_OK);
	assert_int_equal(alias_load(&mutt, write_file("mutt",
	    "alias bob Bob <bob@example.org>\nalias root r@mutt.example\n"),
	    &errstr), ERR_OK);
	memset(&src, 0, sizeof(src));
	src.sys = sys;
	src.mutt = mutt;
	src.domain = "host.example";
	buf_init(&notes, 65536);

	/* An address with a domain stays as it is. */
	got = resolved(&src, "x@y.example", ERR_OK, NULL);
	assert_string_equal(got, "x@y.example");
	free(got);
	/* Through two levels; "admin" in its own entry is qualified. */
	got = resolved(&src, "postmaster", ERR_OK, &notes);
	assert_string_equal(got, "jane@example.org admin@host.example "
	    "ops@example.org");
	free(got);
	assert_non_null(strstr(buf_str(&notes), "'postmaster' is 'root'"));
	assert_non_null(strstr(buf_str(&notes),
	    "admin@host.example (qualify_domain)"));
	/* sendmail_aliases before the mutt file; the mutt file next. */
	got = resolved(&src, "bob", ERR_OK, NULL);
	assert_string_equal(got, "bob@example.org");
	free(got);
	/* A loop ends in the domain, not in an endless expansion. */
	got = resolved(&src, "loop1", ERR_OK, NULL);
	assert_string_equal(got, "loop1@host.example");
	free(got);
	/* Unknown names take "default". */
	got = resolved(&src, "www-data", ERR_OK, NULL);
	assert_string_equal(got, "catchall@example.org");
	free(got);
	/* A command is refused, not dropped. */
	got = resolved(&src, "pipe", ERR_DATA, NULL);
	assert_non_null(strstr(got, "|/usr/bin/procmail"));
	free(got);
	/* -n: no aliases, only the domain. */
	src.no_alias = 1;
	got = resolved(&src, "root", ERR_OK, NULL);
	assert_string_equal(got, "root@host.example");
	free(got);
	/* Without a domain: an error naming the keys to set. */
	src.no_alias = 0;
	src.domain = NULL;
	src.sys = NULL;
	got = resolved(&src, "www-data", ERR_CONFIG, NULL);
	assert_non_null(strstr(got, "qualify_domain"));
	assert_non_null(strstr(got, "sendmail_aliases"));
	free(got);
	got = resolved(&src, "root", ERR_OK, NULL);
	assert_string_equal(got, "r@mutt.example");
	free(got);
	buf_free(&notes);
	alias_free(sys);
	alias_free(mutt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_load_system),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
