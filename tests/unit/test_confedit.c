/* test_confedit.c - editing the config file: one account's lines change, everything else is kept. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "confedit.h"
#include "helper.h"

static char path[300];

static int
setup(void **state)
{
	if (test_dir_setup(state) < 0)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/config", test_dir);
	return 0;
}

static void
put(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static char *
get(void)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, 65535, f);
	s[n] = '\0';
	(void)fclose(f);
	return s;
}

static struct conf *
parse(void)
{
	struct conf *c = NULL;
	char *errstr = NULL;

	if (conf_load(&c, path, &errstr) != ERR_OK)
		fail_msg("the edited file does not parse: %s", errstr);
	free(errstr);
	return c;
}

static void
test_new_file(void **state)
{
	static const char *const k[] = { "from", "server", "user" };
	static const char *const v[] = { "Me <me@example.org>",
	    "smtp://mail.example.org", "me" };
	struct conf *c;
	const struct account *a;
	struct stat st;
	char *errstr = NULL;

	(void)state;
	(void)unlink(path);
	assert_int_equal(confedit_set(path, "home", k, v, 3, &errstr), ERR_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	c = parse();
	a = conf_account(c, "home");
	assert_non_null(a);
	assert_string_equal(a->from, "Me <me@example.org>");
	assert_string_equal(a->user, "me");
	conf_free(c);
	free(errstr);
}

static const char before[] =
    "# my pigeon config\n"
    "default = work\n"
    "\n"
    "[account work]\n"
    "# the office\n"
    "from = Me <me@work.example>\n"
    "server = smtp://mail.work.example\n"
    "user = me\n"
    "colour = blue\n"
    "\n"
    "[account home]\n"
    "from = Me <me@home.example>\n"
    "server = smtps://mail.home.example\n"
    "password_command = pass show home\n";

static void
test_edit_keeps_the_rest(void **state)
{
	static const char *const k[] = { "server", "password_command",
	    "timeout", "from" };
	static const char *const v[] = { "smtp://new.home.example:2525", NULL,
	    "30", "  Me at home  " };
	char *errstr = NULL, *after;
	struct conf *c;
	const struct account *a;

	(void)state;
	put(before);
	assert_int_equal(confedit_set(path, "home", k, v, 4, &errstr),
	    ERR_OK);
	after = get();
	/* The other section, comments, the unknown key: as they were. */
	assert_non_null(strstr(after, "# my pigeon config\ndefault = work\n\n"
	    "[account work]\n# the office\nfrom = Me <me@work.example>\n"
	    "server = smtp://mail.work.example\nuser = me\ncolour = blue\n"));
	assert_non_null(strstr(after, "[account home]\n"
	    "from = \"  Me at home  \"\n"
	    "server = smtp://new.home.example:2525\ntimeout = 30\n"));
	assert_null(strstr(after, "pass show home"));
	free(after);
	c = parse();
	a = conf_account(c, "home");
	assert_non_null(a);
	assert_string_equal(a->from, "  Me at home  ");
	assert_null(a->password_command);
	assert_int_equal(a->timeout, 30);
	conf_free(c);
	free(errstr);
}

static void
test_remove_and_default(void **state)
{
	char *errstr = NULL, *after;
	struct conf *c;

	(void)state;
	put(before);
	assert_int_equal(confedit_remove(path, "work", &errstr), ERR_OK);
	after = get();
	assert_null(strstr(after, "[account work]"));
	assert_null(strstr(after, "colour"));
	/* The default named it: it goes too. */
	assert_null(strstr(after, "default = work"));
	assert_non_null(strstr(after, "# my pigeon config\n"));
	free(after);
	assert_int_equal(confedit_remove(path, "work", &errstr), ERR_NOINPUT);
	free(errstr);
	errstr = NULL;
	assert_int_equal(confedit_default(path, "home", &errstr), ERR_OK);
	c = parse();
	assert_string_equal(c->default_account, "home");
	conf_free(c);
	assert_int_equal(confedit_default(path, "home", &errstr), ERR_OK);
	after = get();
	/* Replaced, not added twice. */
	assert_non_null(strstr(after, "default = home"));
	assert_null(strstr(strstr(after, "default = home") + 1,
	    "default = home"));
	free(after);
	free(errstr);
}

static void
test_refused_values(void **state)
{
	static const char *const k[] = { "from" };
	static const char *const bad[] = { "a\nserver = evil" };
	char *errstr = NULL, *after;

	(void)state;
	put(before);
	assert_int_equal(confedit_set(path, "home", k, bad, 1, &errstr),
	    ERR_DATA);
	free(errstr);
	errstr = NULL;
	assert_int_equal(confedit_set(path, "a]b", k, k, 1, &errstr),
	    ERR_DATA);
	after = get();
	assert_string_equal(after, before);
	free(after);
	free(errstr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_edit_keeps_the_rest),
		cmocka_unit_test(test_remove_and_default),
		cmocka_unit_test(test_refused_values),
	};

	return cmocka_run_group_tests(tests, setup, test_dir_teardown);
}
