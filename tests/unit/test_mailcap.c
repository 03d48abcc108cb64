/* test_mailcap.c - mailcap entries: parsing, safe substitution, and real commands run with a time and output limit. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "helper.h"
#include "mailcap.h"
#include "util.h"

/* Write a mailcap file in the test directory, point $MAILCAPS at it. */
static void
use_mailcap(const char *text)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/mailcap", test_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(setenv("MAILCAPS", path, 1), 0);
}

/* Render data as type with short limits; the error, output in out. */
static enum err
render(const char *type, const char *charset, const char *data,
    int timeout_ms, size_t max, struct buf *out, char **which)
{
	char *errstr = NULL;
	enum err e;

	buf_init(out, 1024 * 1024);
	*which = NULL;
	e = mailcap_render_limited(type, charset, data, strlen(data),
	    timeout_ms, max, out, which, &errstr);
	if (e != ERR_OK)
		assert_non_null(errstr);
	free(errstr);
	return e;
}

static void
test_parse(void **state)
{
	static const char text[] =
	    "# a comment; with a semicolon\n"
	    "\n"
	    "text/html; w3m -I %{charset} -dump -T text/html %s; "
	    "copiousoutput; description=HTML Text; nametemplate=%s.html\n"
	    "text/plain; sed -e 's/a\\;b/c/' \\\n"
	    "   %s ; test=test -n \"$DISPLAY\" ;NeedsTerminal\n"
	    "no-semicolon-here\n"
	    "image/*; viewer %s\r\n"
	    "text; last";
	struct mailcap_entry e;
	size_t pos = 0;

	(void)state;
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 1);
	assert_string_equal(e.type, "text/html");
	assert_string_equal(e.view, "w3m -I %{charset} -dump -T text/html %s");
	assert_int_equal(e.copiousoutput, 1);
	assert_int_equal(e.needsterminal, 0);
	assert_null(e.test);
	assert_string_equal(e.nametemplate, "%s.html");
	mailcap_entry_free(&e);
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 1);
	assert_string_equal(e.type, "text/plain");
	assert_string_equal(e.view, "sed -e 's/a\\;b/c/'    %s");
	assert_string_equal(e.test, "test -n \"$DISPLAY\"");
	assert_int_equal(e.copiousoutput, 0);
	assert_int_equal(e.needsterminal, 1);
	mailcap_entry_free(&e);
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 1);
	assert_string_equal(e.type, "image/*");
	assert_string_equal(e.view, "viewer %s");
	mailcap_entry_free(&e);
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 1);
	assert_string_equal(e.type, "text");
	assert_string_equal(e.view, "last");
	mailcap_entry_free(&e);
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 0);
	assert_int_equal(mailcap_parse(text, strlen(text), &pos, &e), 0);
	pos = 0;
	assert_int_equal(mailcap_parse("", 0, &pos, &e), 0);
}

static void
test_type_match(void **state)
{
	(void)state;
	assert_true(mailcap_type_match("text/html", "text/html"));
	assert_true(mailcap_type_match("Text/HTML", "text/html"));
	assert_true(mailcap_type_match("text/*", "text/html"));
	assert_true(mailcap_type_match("text", "text/html"));
	assert_false(mailcap_type_match("text/plain", "text/html"));
	assert_false(mailcap_type_match("tex/*", "text/html"));
	assert_false(mailcap_type_match("texts", "text/html"));
	assert_false(mailcap_type_match("text/htm", "text/html"));
	assert_false(mailcap_type_match("image/*", "text/html"));
}

static void
test_script(void **state)
{
	static const struct {
		const char *cmd, *script;
		int file;
	} ok[] = {
		{ "cat %s", "cat \"${1}\"", 1 },
		{ "cat '%s'", "cat \"${1}\"", 1 },
		{ "cat \"%s\"", "cat \"${1}\"", 1 },
		{ "w3m -I %{charset} -dump -T %t %s",
		    "w3m -I utf-8 -dump -T text/html \"${1}\"", 1 },
		{ "tr a-z A-Z", "tr a-z A-Z", 0 },
		{ "printf 100\\%", "printf 100%", 0 },
		{ "printf '100\\% %s'", "printf '100% '\"${1}\"", 1 },
		{ "sed 's/a\\;b/c/'", "sed 's/a;b/c/'", 0 },
		{ "echo %%", "echo %", 0 },
	};
	static const char *bad[] = {
		"show %n", "show %F", "show %{name}", "show 100%",
	};
	char *script;
	size_t i;
	int file;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mailcap_script(ok[i].cmd, "text/html", "utf-8",
		    &script, &file), ERR_OK);
		if (strcmp(script, ok[i].script) != 0)
			fail_msg("%s: %s, not %s", ok[i].cmd, script,
			    ok[i].script);
		assert_int_equal(file, ok[i].file);
		free(script);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mailcap_script(bad[i], "text/html", "utf-8",
		    &script, &file), ERR_DATA);
		assert_null(script);
	}
	/* A charset or type that could be shell text is refused. */
	assert_int_equal(mailcap_script("x %{charset}", "text/html",
	    "utf-8;rm", &script, &file), ERR_DATA);
	assert_int_equal(mailcap_script("x %{charset}", "text/html",
	    "$(id)", &script, &file), ERR_DATA);
	assert_int_equal(mailcap_script("x %t", "text/h tml", "utf-8",
	    &script, &file), ERR_DATA);
	/* Unused, they do no harm. */
	assert_int_equal(mailcap_script("x", "text/h tml", "$(id)", &script,
	    &file), ERR_OK);
	free(script);
}

static void
test_path(void **state)
{
	char *p;

	(void)state;
	assert_int_equal(setenv("HOME", "/home/u", 1), 0);
	assert_int_equal(setenv("MAILCAPS", "~/mc:/etc/x:", 1), 0);
	p = mailcap_path();
	assert_string_equal(p, "/home/u/mc:/etc/x:");
	free(p);
	assert_int_equal(unsetenv("MAILCAPS"), 0);
	p = mailcap_path();
	assert_string_equal(p, "/home/u/.mailcap:/etc/mailcap:"
	    "/usr/etc/mailcap:/usr/local/etc/mailcap");
	free(p);
}

/* The first usable entry wins: flags, tests and wildcards. */
static void
test_first_usable_entry(void **state)
{
	struct buf out;
	char *which;

	(void)state;
	use_mailcap(
	    "text/html; echo needs a terminal; needsterminal; copiousoutput\n"
	    "text/html; echo not copious\n"
	    "text/plain; echo wrong type; copiousoutput\n"
	    "text/html; echo test failed; copiousoutput; test=false\n"
	    "text/html; echo odd %{name}; copiousoutput\n"
	    "text/*; tr a-z A-Z; copiousoutput; test=test -n \"%t\"\n"
	    "text/html; echo too late; copiousoutput\n");
	assert_int_equal(render("text/html", NULL, "<p>hello</p>\n", 5000,
	    4096, &out, &which), ERR_OK);
	assert_string_equal(buf_str(&out), "<P>HELLO</P>\n");
	assert_string_equal(which, "tr");
	free(which);
	buf_free(&out);
	assert_int_equal(render("image/png", NULL, "x", 5000, 4096, &out,
	    &which), ERR_NOINPUT);
	assert_null(which);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	assert_int_equal(setenv("MAILCAPS", "/nonexistent/mc", 1), 0);
	assert_int_equal(render("text/html", NULL, "x", 5000, 4096, &out,
	    &which), ERR_NOINPUT);
	buf_free(&out);
}

/* The file name as "$1", and %{charset}, %t and nametemplate put in. */
static void
test_file_and_parameters(void **state)
{
	struct buf out;
	char *which;

	(void)state;
	use_mailcap(
	    "text/html; /bin/sed -e 's/b/B/' '%s'; copiousoutput\n");
	assert_int_equal(render("text/html", NULL, "abc\n", 5000, 4096, &out,
	    &which), ERR_OK);
	assert_string_equal(buf_str(&out), "aBc\n");
	assert_string_equal(which, "sed");
	free(which);
	buf_free(&out);
	use_mailcap("text/html; printf '%%s %%s %%s\\\\n' %{charset} %t "
	    "\"%s\"; copiousoutput; nametemplate=%s.html\n");
	assert_int_equal(setenv("TMPDIR", test_dir, 1), 0);
	assert_int_equal(render("text/html", "iso-8859-1", "x", 5000, 4096,
	    &out, &which), ERR_OK);
	assert_int_equal(strncmp(buf_str(&out), "iso-8859-1 text/html ", 21),
	    0);
	assert_non_null(strstr(buf_str(&out), test_dir));
	assert_string_equal(buf_str(&out) + out.len - 6, ".html\n");
	free(which);
	buf_free(&out);
	assert_int_equal(unsetenv("TMPDIR"), 0);
}

/* Is there a file named name in dir? */
static int
exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Files in dir other than the mailcap. */
static int
leftovers(const char *dir)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	assert_non_null(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL)
		n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	(void)closedir(dp);
	return n;
}

/*
 * A temporary directory whose name holds quotes, $(...) and backquotes:
 * the file name in it reaches the command as one word, however the entry
 * quotes %s, and nothing in it runs.
 */
static void
test_hostile_file_name(void **state)
{
	static const char *entries[] = {
		"text/html; cat %s; copiousoutput\n",
		"text/html; cat '%s'; copiousoutput\n",
		"text/html; cat \"%s\"; copiousoutput\n",
		"text/html; cat -- x'%s'x 2>/dev/null || cat \"%s\"; "
		    "copiousoutput\n",
	};
	char tmp[512];
	struct buf out;
	char *which;
	size_t i;

	(void)state;
	(void)snprintf(tmp, sizeof(tmp), "%s/a'b\"c$(touch pwned1)"
	    "`touch pwned2`;touch pwned3 ", test_dir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	assert_int_equal(chdir(test_dir), 0);
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		use_mailcap(entries[i]);
		assert_int_equal(render("text/html", NULL, "safe\n", 5000, 4096,
		    &out, &which), ERR_OK);
		assert_string_equal(buf_str(&out), "safe\n");
		free(which);
		buf_free(&out);
	}
	assert_false(exists(test_dir, "pwned1"));
	assert_false(exists(test_dir, "pwned2"));
	assert_false(exists(test_dir, "pwned3"));
	/* The temporary file is gone. */
	assert_int_equal(leftovers(tmp), 0);
	assert_int_equal(unsetenv("TMPDIR"), 0);
	assert_int_equal(chdir("/"), 0);
}

/* A command that hangs is stopped, with what it started, in time. */
static void
test_hanging_command(void **state)
{
	char *which, entry[512];
	struct buf out;
	int64_t t0;
	long pid;
	FILE *f;
	int i;

	(void)state;
	use_mailcap("text/html; sleep 30 | cat; copiousoutput\n");
	t0 = util_now_us();
	assert_int_equal(render("text/html", NULL, "x", 300, 4096, &out,
	    &which), ERR_TIMEOUT);
	assert_true(util_now_us() - t0 < 3000000);
	assert_string_equal(which, "sleep");
	assert_int_equal(out.len, 0);
	free(which);
	buf_free(&out);
	/* What it started in the background is stopped too. */
	(void)snprintf(entry, sizeof(entry), "text/html; sleep 30 & echo $! "
	    ">%s/pid\\; wait; copiousoutput\n", test_dir);
	use_mailcap(entry);
	assert_int_equal(render("text/html", NULL, "x", 300, 4096, &out,
	    &which), ERR_TIMEOUT);
	free(which);
	buf_free(&out);
	(void)snprintf(entry, sizeof(entry), "%s/pid", test_dir);
	assert_non_null(f = fopen(entry, "r"));
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	(void)fclose(f);
	for (i = 0; i < 200 && kill((pid_t)pid, 0) == 0; i++)
		(void)usleep(10000);
	assert_int_not_equal(kill((pid_t)pid, 0), 0);
	/* A hanging test passes over its entry. */
	use_mailcap("text/html; echo no; copiousoutput; test=sleep 30\n"
	    "text/html; echo yes; copiousoutput\n");
	t0 = util_now_us();
	assert_int_equal(render("text/html", NULL, "x", 300, 4096, &out,
	    &which), ERR_OK);
	assert_true(util_now_us() - t0 < 3000000);
	assert_string_equal(buf_str(&out), "yes\n");
	free(which);
	buf_free(&out);
}

/* Output past the bound stops the command; a failing one is an error. */
static void
test_output_bound_and_failure(void **state)
{
	struct buf out;
	char *which;

	(void)state;
	use_mailcap("text/html; yes; copiousoutput\n");
	assert_int_equal(render("text/html", NULL, "x", 5000, 1000, &out,
	    &which), ERR_DATA);
	assert_int_equal(out.len, 0);
	free(which);
	buf_free(&out);
	use_mailcap("text/html; head -c 1000; copiousoutput\n");
	assert_int_equal(render("text/html", NULL, "x", 5000, 1000, &out,
	    &which), ERR_OK);
	free(which);
	buf_free(&out);
	use_mailcap("text/html; echo partial\\; exit 3; copiousoutput\n");
	assert_int_equal(render("text/html", NULL, "x", 5000, 1000, &out,
	    &which), ERR_CONFIG);
	assert_string_equal(which, "echo");
	assert_int_equal(out.len, 0);
	free(which);
	buf_free(&out);
}

/* The command's standard error goes nowhere: the screen is the reader's. */
static void
test_stderr_discarded(void **state)
{
	char path[512], got[64];
	struct buf out;
	char *which;
	int fd, saved;
	ssize_t r;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/stderr", test_dir);
	assert_true((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_true((saved = dup(2)) >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	use_mailcap("text/html; echo noise >&2\\; echo text; copiousoutput; "
	    "test=echo test noise >&2\n");
	assert_int_equal(render("text/html", NULL, "x", 5000, 4096, &out,
	    &which), ERR_OK);
	assert_int_equal(dup2(saved, 2), 2);
	(void)close(saved);
	assert_string_equal(buf_str(&out), "text\n");
	r = pread(fd, got, sizeof(got), 0);
	assert_int_equal(r, 0);
	(void)close(fd);
	free(which);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_type_match),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_first_usable_entry),
		cmocka_unit_test(test_file_and_parameters),
		cmocka_unit_test(test_hostile_file_name),
		cmocka_unit_test(test_hanging_command),
		cmocka_unit_test(test_output_bound_and_failure),
		cmocka_unit_test(test_stderr_discarded),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
