/* test_conf_files.c - unit tests for the system-wide config file under the user's, the per-account folders and the hints for unknown keys. */
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

#include "conf.h"
#include "helper.h"
#include "util.h"

static char *
tpath(const char *name)
{
	char *p = util_strf("%s/%s", test_dir, name);

	assert_non_null(p);
	return p;
}

/* Write text to the scratch file name with mode; its path (malloc'd). */
static char *
put(const char *name, const char *text, mode_t mode)
{
	char *p = tpath(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

/* Is there a warning that is exactly "USERFILE:line: what"? */
static void
assert_warning(const struct conf *c, unsigned line, const char *what)
{
	char *want = util_strf("%s:%u: %s", c->path, line, what);
	size_t i;

	assert_non_null(want);
	for (i = 0; i < c->nwarnings; i++)
		if (strcmp(c->warnings[i], want) == 0)
			break;
	if (i == c->nwarnings) {
		for (i = 0; i < c->nwarnings; i++)
			print_message("warning: %s\n", c->warnings[i]);
		fail_msg("no warning '%s'", want);
	}
	free(want);
}

static void
test_did_you_mean(void **state)
{
	struct conf *c = NULL;
	char *err = NULL;
	char *user = put("config",
	    "defualt = a\n"
	    "[account a]\n"
	    "tls_cafle = /etc/ssl/ca.pem\n"
	    "form = a@example.org\n"
	    "Passwrod_command = pass mail\n"
	    "tls_trust_file = /etc/ssl/ca.pem\n"
	    "smtp_url = smtps://mx.example.org\n"
	    "record = ~/Mail/Sent\n"
	    "host = mx.example.org\n"
	    "colour = blue\n"
	    "from = a@example.org\n", 0600);

	(void)state;
	assert_int_equal(conf_load_files(&c, NULL, user, &err), ERR_OK);
	assert_int_equal(c->nwarnings, 9);
	assert_warning(c, 1, "unknown key 'defualt' (ignored); did you mean "
	    "default?");
	assert_warning(c, 3, "unknown key 'tls_cafle' (ignored); did you "
	    "mean tls_cafile?");
	assert_warning(c, 4, "unknown key 'form' (ignored); did you mean "
	    "from?");
	assert_warning(c, 5, "unknown key 'Passwrod_command' (ignored); did "
	    "you mean password_command?");
	assert_warning(c, 6, "'tls_trust_file' is msmtp's name: pigeon calls "
	    "it tls_cafile (ignored)");
	assert_warning(c, 7, "'smtp_url' is mutt's name: pigeon calls it "
	    "server (ignored)");
	assert_warning(c, 8, "'record' is mutt's name: pigeon calls it sent "
	    "(ignored)");
	assert_warning(c, 9, "'host' is msmtp's name: pigeon takes the server "
	    "as one URL: server = smtp://HOST:PORT (ignored)");
	assert_warning(c, 10, "unknown key 'colour' (ignored)");
	assert_null(c->accounts[0].tls_cafile);
	assert_string_equal(c->accounts[0].from, "a@example.org");
	conf_free(c);
	free(user);
}

static void
test_folder_keys(void **state)
{
	struct conf *c = NULL;
	char *err = NULL;
	char *user = put("config",
	    "[account a]\n"
	    "sent = ~/Mail/Sent\n"
	    "[account b]\n", 0600);

	(void)state;
	assert_int_equal(setenv("HOME", "/home/jane", 1), 0);
	assert_int_equal(conf_load_files(&c, NULL, user, &err), ERR_OK);
	assert_int_equal(c->nwarnings, 0);
	assert_string_equal(c->accounts[0].sent, "/home/jane/Mail/Sent");
	assert_null(c->accounts[1].sent);
	conf_free(c);
	free(user);
}

/*
 * The system file gives defaults: per key of an account both files
 * name, whole accounts the user's file does not name.
 */
static void
test_system_file(void **state)
{
	struct conf *c = NULL;
	const struct account *a;
	char *err = NULL;
	char *sys = put("system",
	    "default = relay\n"
	    "[account relay]\n"
	    "server = smtp://relay.example.org\n"
	    "from = root@example.org\n"
	    "[account work]\n"
	    "server = smtps://mx.example.com\n"
	    "tls_cafile = /etc/ssl/work.pem\n"
	    "timeout = 30\n", 0644);
	char *user = put("config",
	    "[account work]\n"
	    "from = Jane <jane@example.com>\n"
	    "timeout = 60\n"
	    "[account home]\n"
	    "server = smtp://home.example.net\n", 0600);
	char *only = put("only-system", "# nothing\n", 0600);

	(void)state;
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_OK);
	assert_string_equal(c->system_path, sys);
	assert_string_equal(c->path, user);
	assert_int_equal(c->naccounts, 3);
	a = conf_account(c, "work");
	assert_non_null(a);
	assert_string_equal(a->server, "smtps://mx.example.com");
	assert_string_equal(a->tls_cafile, "/etc/ssl/work.pem");
	assert_string_equal(a->from, "Jane <jane@example.com>");
	assert_int_equal(a->timeout, 60);
	assert_string_equal(conf_account(c, "relay")->server,
	    "smtp://relay.example.org");
	/* The user's first account, not the system's default. */
	assert_string_equal(conf_account(c, NULL)->name, "work");
	conf_free(c);

	/* A user file without accounts: the system file's choice. */
	assert_int_equal(conf_load_files(&c, sys, only, &err), ERR_OK);
	assert_string_equal(conf_account(c, NULL)->name, "relay");
	conf_free(c);

	/* No user file at all (HOME without one): the system file alone. */
	assert_int_equal(setenv("HOME", test_dir, 1), 0);
	assert_int_equal(unsetenv("XDG_CONFIG_HOME"), 0);
	assert_int_equal(conf_load_files(&c, sys, NULL, &err), ERR_OK);
	assert_null(c->path);
	assert_string_equal(conf_account(c, NULL)->name, "relay");
	conf_free(c);

	/* A missing system file is nothing. */
	free(sys);
	sys = tpath("no-such-file");
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_OK);
	assert_null(c->system_path);
	assert_int_equal(c->naccounts, 2);
	assert_string_equal(conf_account(c, NULL)->name, "work");
	assert_null(conf_account(c, "work")->tls_cafile);
	conf_free(c);
	free(sys);
	free(user);
	free(only);
}

static void
test_system_file_errors(void **state)
{
	struct conf *c = NULL;
	char *err = NULL, *want;
	char *sys = put("system",
	    "[account relay]\n"
	    "password_command = cat /tmp/x\n", 0666);
	char *user = put("config",
	    "default = relay\n"
	    "[account relay]\n"
	    "from = jane@example.org\n"
	    "[account relay]\n", 0600);

	(void)state;
	/* Writable by others: its password_command would run as us. */
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_CONFIG);
	assert_null(c);
	assert_non_null(strstr(err, "refusing system config file"));
	free(err);
	err = NULL;
	assert_int_equal(chmod(sys, 0644), 0);
	/* Naming an account twice in one file is still an error. */
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_CONFIG);
	want = util_strf("%s:4: account 'relay' is defined twice (first on "
	    "line 2)", user);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;
	free(user);
	/* The user's default may name the system file's account. */
	user = put("config", "default = relay\n[account mine]\n", 0600);
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_OK);
	assert_string_equal(conf_account(c, NULL)->name, "relay");
	conf_free(c);
	/* An error in the system file names the system file. */
	free(sys);
	sys = put("system", "[account relay]\ntimeout = soon\n", 0644);
	assert_int_equal(conf_load_files(&c, sys, user, &err), ERR_CONFIG);
	want = util_strf("%s:2: timeout must be a whole number of seconds, "
	    "not 'soon'", sys);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(sys);
	free(user);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_folder_keys),
		cmocka_unit_test(test_system_file),
		cmocka_unit_test(test_system_file_errors),
	};

	return cmocka_run_group_tests_name("conf files", tests,
	    test_dir_setup, test_dir_teardown);
}
