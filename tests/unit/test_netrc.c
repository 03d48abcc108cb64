/* test_netrc.c - netrc_lookup(): entries, tokens, quoting, comments, macros and the file checks. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
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
#include "netrc.h"
#include "helper.h"

#define SEED 0x6e657463u

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/* The path of name in the test directory; valid until the next call. */
static const char *
path_of(const char *name)
{
	static char path[512];

	(void)snprintf(path, sizeof path, "%s/%s", test_dir, name);
	return path;
}

/* Write n bytes of text to name with exactly this mode; its path. */
static const char *
write_mem(const char *name, const char *text, size_t n, mode_t mode)
{
	const char *path = path_of(name);
	size_t off = 0;
	ssize_t w;
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	while (off < n) {
		w = write(fd, text + off, n - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	/* fchmod, not the open mode: the umask must not weaken the test. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	return write_mem(name, text, strlen(text), mode);
}

/*
 * Look host and user up in the file at path: the result must be want,
 * with this login and password (NULL: none), and a message only on
 * error.  Returns the message for more checks; the caller frees it.
 */
static char *
look_path(const char *path, const char *host, const char *user,
    enum err want, const char *login, const char *password)
{
	char *l = (char *)"unset", *p = (char *)"unset", *err = NULL;
	enum err e;

	e = netrc_lookup(path, host, user, &l, &p, &err);
	if (e != want)
		fail_msg("%s for %s/%s: %s, not %s (%s)", path,
		    host != NULL ? host : "(null)",
		    user != NULL ? user : "(null)", err_name(e),
		    err_name(want), err != NULL ? err : "no message");
	if (want == ERR_OK)
		assert_null(err);
	else
		assert_non_null(err);
	if (login == NULL ? l != NULL : l == NULL || strcmp(l, login) != 0)
		fail_msg("%s/%s: login '%s', not '%s'",
		    host != NULL ? host : "(null)",
		    user != NULL ? user : "(null)",
		    l != NULL ? test_vis(l, strlen(l)) : "(none)",
		    login != NULL ? login : "(none)");
	if (password == NULL ? p != NULL :
	    p == NULL || strcmp(p, password) != 0)
		fail_msg("%s/%s: password '%s', not '%s'",
		    host != NULL ? host : "(null)",
		    user != NULL ? user : "(null)",
		    p != NULL ? test_vis(p, strlen(p)) : "(none)",
		    password != NULL ? test_vis(password, strlen(password)) :
		    "(none)");
	free(l);
	free(p);
	return err;
}

/* The same, for a file holding text, mode 0600. */
static void
look(const char *text, const char *host, const char *user,
    const char *login, const char *password)
{
	const char *path = write_file("netrc", text, 0600);

	free(look_path(path, host, user, ERR_OK, login, password));
}

static void
test_netrc_machine_entry(void **state)
{
	static const char f[] =
	    "machine mx.example.org login jane password s3cret\n"
	    "machine other.example.org login bob password b0b\n";

	(void)state;
	look(f, "mx.example.org", NULL, "jane", "s3cret");
	look(f, "other.example.org", NULL, "bob", "b0b");
	look(f, "mx.example.org", "jane", "jane", "s3cret");
	/* Host names are compared without regard to case. */
	look(f, "MX.Example.ORG", NULL, "jane", "s3cret");
	/* No partial or suffix matches. */
	look(f, "example.org", NULL, NULL, NULL);
	look(f, "mx.example.org.evil", NULL, NULL, NULL);
	look(f, "x.example.org", NULL, NULL, NULL);
	look(f, "", NULL, NULL, NULL);
	/* The login selects the entry; another user has none here. */
	look(f, "mx.example.org", "bob", NULL, NULL);
	look(f, "mx.example.org", "Jane", NULL, NULL);
	/* No host: only a default entry could match. */
	look(f, NULL, NULL, NULL, NULL);
	/* An entry without a login gives a password and no login. */
	look("machine mx password pw\n", "mx", NULL, NULL, "pw");
	look("machine mx password pw\n", "mx", "anyone", NULL, "pw");
}

/* The first entry that fits wins; entries that do not fit are passed over. */
static void
test_netrc_first_match_wins(void **state)
{
	static const char f[] =
	    "machine mx login nopw\n"
	    "machine mx login alice password first\n"
	    "machine mx login bob password second\n"
	    "machine mx password anyone\n"
	    "machine mx login carol password late\n"
	    "machine mx login alice password again\n";

	(void)state;
	/* The entry without a password is passed over. */
	look(f, "mx", NULL, "alice", "first");
	look(f, "mx", "alice", "alice", "first");
	look(f, "mx", "bob", "bob", "second");
	/* An entry without a login fits any user and comes before carol's. */
	look(f, "mx", "carol", NULL, "anyone");
	look(f, "mx", "dave", NULL, "anyone");
	look(f, "mx", "nopw", NULL, "anyone");
	/* Later keywords of one entry replace earlier ones. */
	look("machine mx login a password p1 password p2 login b\n", "mx",
	    NULL, "b", "p2");
	look("machine mx login a password p1 login b\n", "mx", "a", NULL,
	    NULL);
}

static void
test_netrc_default(void **state)
{
	static const char f[] =
	    "default login anon password guest\n"
	    "machine mx login jane password s3cret\n"
	    "default login other password second-default\n";

	(void)state;
	/* A machine entry wins even over a default written before it. */
	look(f, "mx", NULL, "jane", "s3cret");
	/* Otherwise the first default that fits. */
	look(f, "elsewhere", NULL, "anon", "guest");
	look(f, NULL, NULL, "anon", "guest");
	look(f, "elsewhere", "other", "other", "second-default");
	look(f, "mx", "other", "other", "second-default");
	look(f, "elsewhere", "nobody", NULL, NULL);
	/* A default without a password does not count. */
	look("default login anon\n", "mx", NULL, NULL, NULL);
	look("default login anon\nmachine mx login jane password p\n", "mx",
	    "anon", NULL, NULL);
	/* A machine entry with the wrong login lets the default through. */
	look("machine mx login jane password p\ndefault password d\n", "mx",
	    "bob", NULL, "d");
}

/* Tokens are separated by any white space, line breaks included. */
static void
test_netrc_layout(void **state)
{
	(void)state;
	look("machine\nmx\nlogin\njane\npassword\npw\n", "mx", NULL, "jane",
	    "pw");
	look("machine\tmx\t\tlogin jane\r\npassword pw\r\n", "mx", NULL, "jane",
	    "pw");
	look("  \n\n machine mx login jane password pw", "mx", NULL, "jane",
	    "pw");
	look("machine a login x password 1 machine mx login jane password pw "
	    "machine b password 2", "mx", NULL, "jane", "pw");
	look("machine mx login jane password pw\f\v", "mx", NULL, "jane",
	    "pw");
	/* Keywords are lower case; anything else is an unknown word. */
	look("MACHINE mx LOGIN jane PASSWORD pw\n", "mx", NULL, NULL, NULL);
}

/* account is read and ignored, unknown keywords are skipped. */
static void
test_netrc_account_and_unknown_keywords(void **state)
{
	(void)state;
	look("machine mx login jane account acct password pw\n", "mx", NULL,
	    "jane", "pw");
	/* account consumes its value, even one that reads as a keyword. */
	look("machine mx account password password real\n", "mx", NULL, NULL,
	    "real");
	look("machine mx account machine password real\n", "mx", NULL, NULL,
	    "real");
	look("machine mx login jane port 25 protocol smtp password pw\n", "mx",
	    NULL, "jane", "pw");
	/* Values are values, even when they spell a keyword. */
	look("machine mx login machine password default\n", "mx", NULL,
	    "machine", "default");
	look("machine mx login password password login\n", "mx", NULL,
	    "password", "login");
}

/* '#' starts a comment where a keyword is expected, and only there. */
static void
test_netrc_comments(void **state)
{
	(void)state;
	look("# my netrc\n"
	    "#machine mx login old password old\n"
	    "machine mx login jane password pw # the work server\n"
	    "# the end, without a newline", "mx", NULL, "jane", "pw");
	/* A commented-out password is not read. */
	look("machine mx login jane # password pw\n", "mx", NULL, NULL, NULL);
	look("machine mx login jane #password pw\npassword real\n", "mx", NULL,
	    "jane", "real");
	/* In a value, '#' is part of the value. */
	look("machine mx login #jane password #pw#\n", "mx", NULL, "#jane",
	    "#pw#");
	look("machine #mx password pw\n", "#mx", NULL, NULL, "pw");
	look("machine mx login jane password pw#not-a-comment\n", "mx", NULL,
	    "jane", "pw#not-a-comment");
}

/* A macro runs to the next empty or blank line and is skipped whole. */
static void
test_netrc_macdef(void **state)
{
	const char *path;

	(void)state;
	look("macdef init\n"
	    "machine mx login evil password evil\n"
	    "cd /pub\n"
	    "\n"
	    "machine mx login jane password pw\n", "mx", NULL, "jane", "pw");
	/* A line of blanks ends it too, and so does one of "\r". */
	look("macdef init\nmachine mx password evil\n \t \n"
	    "machine mx password pw\n", "mx", NULL, NULL, "pw");
	look("macdef init\r\nmachine mx password evil\r\n\r\n"
	    "machine mx password pw\r\n", "mx", NULL, NULL, "pw");
	/* The rest of the macdef line is not a token either. */
	look("macdef init password evil\n\nmachine mx password pw\n", "mx",
	    NULL, NULL, "pw");
	/* A macro inside an entry leaves the entry open. */
	look("machine mx login jane macdef init\nls\nbye\n\npassword pw\n",
	    "mx", NULL, "jane", "pw");
	/* A macro that runs to the end of the file hides all after it. */
	look("machine mx password pw\nmacdef init\nmachine other password x\n",
	    "other", NULL, NULL, NULL);
	look("machine mx password pw\nmacdef", "mx", NULL, NULL, "pw");
	look("machine mx password pw\nmacdef init", "mx", NULL, NULL, "pw");
	/* A password in a macro body is not a password of the file. */
	path = write_file("macro-only", "machine mx login jane\nmacdef m\n"
	    "password pw\n\n", 0644);
	free(look_path(path, "mx", NULL, ERR_OK, NULL, NULL));
}

/* A token may be double-quoted; a backslash in quotes takes the next byte. */
static void
test_netrc_quoting(void **state)
{
	(void)state;
	look("machine mx login \"jane doe\" password \"a b\tc\"\n", "mx", NULL,
	    "jane doe", "a b\tc");
	look("machine mx password \"say \\\"hi\\\"\"\n", "mx", NULL, NULL,
	    "say \"hi\"");
	look("machine mx password \"back\\\\slash\"\n", "mx", NULL, NULL,
	    "back\\slash");
	look("machine mx password \"\\q\\#\"\n", "mx", NULL, NULL, "q#");
	look("machine mx password \"# not a comment\"\n", "mx", NULL, NULL,
	    "# not a comment");
	look("machine mx password \"two\nlines\"\n", "mx", NULL, NULL,
	    "two\nlines");
	look("machine \"mx\" login \"jane\" password pw\n", "mx", "jane",
	    "jane", "pw");
	look("machine mx password \"\"\n", "mx", NULL, NULL, "");
	/* Outside quotes a backslash and a quote are ordinary bytes. */
	look("machine mx password a\\b\"c\n", "mx", NULL, NULL, "a\\b\"c");
	/* Quoted keywords are keywords. */
	look("\"machine\" mx \"password\" pw\n", "mx", NULL, NULL, "pw");
	/* Non-ASCII passes through untouched. */
	look("machine mx password p\xc3\xa4ss\xe2\x82\xac\n", "mx", NULL, NULL,
	    "p\xc3\xa4ss\xe2\x82\xac");
}

/* A quote without its end is an error that names the line it opened on. */
static void
test_netrc_unterminated_quote(void **state)
{
	static const struct {
		const char *text, *line;
	} t[] = {
		{ "machine mx\nlogin jane\npassword \"s3cret\n", "line 3:" },
		{ "machine mx\npassword \"s3cret\nmore\nlines", "line 2:" },
		{ "\"machine mx password s3cret", "line 1:" },
		{ "machine mx password \"s3cret\\", "line 1:" },
		{ "machine mx password \"s3cret\\\"", "line 1:" },
		{ "machine x password y\n\n\nmachine \"mx", "line 4:" },
	};
	const char *path;
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		path = write_file("netrc", t[i].text, 0600);
		err = look_path(path, "nowhere", NULL, ERR_CONFIG, NULL, NULL);
		if (strstr(err, "no closing quote") == NULL ||
		    strstr(err, t[i].line) == NULL ||
		    strstr(err, path) == NULL)
			fail_msg("'%s': %s", test_vis(t[i].text,
			    strlen(t[i].text)), err);
		/* The message never quotes the password it could not end. */
		assert_null(strstr(err, "s3cret"));
		free(err);
	}
}

/*
 * A file that holds a password is refused when group or others have any
 * permission on it; one without passwords may be readable by all.
 */
static void
test_netrc_permissions(void **state)
{
	static const mode_t bad[] = {
		0644, 0640, 0604, 0660, 0606, 0620, 0602, 0610, 0601, 0666,
		0700 | 0044, 0400 | 0004, 0777,
	};
	static const char f[] = "machine mx login jane password s3cret\n";
	const char *path;
	char *err;
	size_t i;

	(void)state;
	path = write_file("private", f, 0600);
	free(look_path(path, "mx", NULL, ERR_OK, "jane", "s3cret"));
	path = write_file("readonly", f, 0400);
	free(look_path(path, "mx", NULL, ERR_OK, "jane", "s3cret"));
	path = write_file("ownerx", f, 0700);
	free(look_path(path, "mx", NULL, ERR_OK, "jane", "s3cret"));

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = write_file("shared", f, bad[i]);
		/* Whether or not an entry matches, and with nothing out. */
		err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
		if (strstr(err, path) == NULL ||
		    strstr(err, "chmod 600") == NULL)
			fail_msg("mode %03o: %s", (unsigned)bad[i], err);
		assert_null(strstr(err, "s3cret"));
		free(err);
		free(look_path(path, "elsewhere", NULL, ERR_CONFIG, NULL,
		    NULL));
	}
	/* A password anywhere counts, even outside any entry. */
	path = write_file("stray", "password s3cret\nmachine mx login jane\n",
	    0644);
	free(look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL));
	/* No password at all: readable by all is fine. */
	path = write_file("public", "# logins only\nmachine mx login jane\n"
	    "default login anonymous\n", 0644);
	free(look_path(path, "mx", NULL, ERR_OK, NULL, NULL));
	free(look_path(path, "other", NULL, ERR_OK, NULL, NULL));
	path = write_file("empty", "", 0666);
	free(look_path(path, "mx", NULL, ERR_OK, NULL, NULL));
}

/* No file at all is not an error: there is simply no entry. */
static void
test_netrc_missing_file(void **state)
{
	const char *path;

	(void)state;
	free(look_path(path_of("does-not-exist"), "mx", NULL, ERR_OK, NULL,
	    NULL));
	/* A path through a plain file (ENOTDIR) counts as missing too. */
	(void)write_file("plain", "", 0600);
	path = path_of("plain/netrc");
	free(look_path(path, "mx", NULL, ERR_OK, NULL, NULL));
	free(look_path("/nonexistent-pigeon-dir/.netrc", "mx", "jane", ERR_OK,
	    NULL, NULL));
}

/* Files that cannot be read as a netrc are errors naming the file. */
static void
test_netrc_bad_files(void **state)
{
	static const char entry[] = "machine mx login jane password pw\n";
	struct buf b;
	const char *path;
	char *err;

	(void)state;
	/* A directory. */
	path = path_of("dir.netrc");
	assert_int_equal(mkdir(path, 0700), 0);
	err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
	assert_non_null(strstr(err, "is a directory"));
	assert_non_null(strstr(err, path));
	free(err);

	/* A FIFO with no writer: refused at once, not waited on. */
	path = path_of("fifo.netrc");
	assert_int_equal(mkfifo(path, 0600), 0);
	err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
	assert_non_null(strstr(err, "is not a regular file"));
	free(err);

	/* A NUL byte, which would hide the rest of a line from a C string. */
	path = write_mem("nul", "machine mx password a\0b\n", 24, 0600);
	err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
	assert_non_null(strstr(err, "contains a NUL byte"));
	free(err);

	/* One that cannot be opened: a symbolic link to itself. */
	path = path_of("loop");
	assert_int_equal(symlink("loop", path), 0);
	err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
	assert_non_null(strstr(err, "cannot open netrc file"));
	assert_non_null(strstr(err, path));
	free(err);

	/* Nor one without read permission (root may open anything). */
	if (geteuid() != 0) {
		path = write_file("noperm", entry, 0000);
		err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
		assert_non_null(strstr(err, "cannot open netrc file"));
		free(err);
	}

	/* Exactly 1 MiB is read, entry at the very end included. */
	buf_init(&b, 2 * 1024 * 1024);
	while (b.len < 1024 * 1024 - sizeof entry)
		assert_int_equal(buf_addstr(&b, b.len % 64 == 0 ? "#" :
		    b.len % 64 == 63 ? "\n" : " "), 0);
	/* The comment line before the entry ends right there. */
	assert_int_equal(buf_addch(&b, '\n'), 0);
	assert_int_equal(buf_addstr(&b, entry), 0);
	assert_int_equal(b.len, 1024 * 1024);
	path = write_mem("big", b.data, b.len, 0600);
	free(look_path(path, "mx", NULL, ERR_OK, "jane", "pw"));
	/* One byte more is refused as a mistake. */
	assert_int_equal(buf_addch(&b, '\n'), 0);
	path = write_mem("big", b.data, b.len, 0600);
	err = look_path(path, "mx", NULL, ERR_CONFIG, NULL, NULL);
	assert_non_null(strstr(err, "larger than"));
	free(err);
	buf_free(&b);
}

/* Tokens have no length limit short of the file's. */
static void
test_netrc_long_tokens(void **state)
{
	struct buf f, host, pw, login;
	uint32_t r;
	size_t i;

	(void)state;
	buf_init(&host, 1024);
	buf_init(&login, 8192);
	buf_init(&pw, 200000);
	for (i = 0; i < 253; i++)
		assert_int_equal(buf_addch(&host, "abcdefgh."[i % 9]), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_addch(&login, (char)('a' + i % 26)), 0);
	/* Printable bytes but no blank or quote, so no quoting is needed. */
	for (i = 0; i < 100000; i++) {
		r = test_rand(&rng) % 94;
		assert_int_equal(buf_addch(&pw, (char)('!' + (r == 1 ? 0 : r))),
		    0);
	}
	buf_init(&f, 400000);
	assert_int_equal(buf_printf(&f, "machine %s login %s password %s\n",
	    buf_str(&host), buf_str(&login), buf_str(&pw)), 0);
	look(buf_str(&f), buf_str(&host), buf_str(&login), buf_str(&login),
	    buf_str(&pw));
	/* The same password quoted, with blanks and escaped quotes in it. */
	buf_reset(&f);
	assert_int_equal(buf_printf(&f, "machine mx password \""), 0);
	for (i = 0; i < 50000; i++)
		assert_int_equal(buf_addstr(&f, i % 7 == 0 ? "\\\" " : "x"), 0);
	assert_int_equal(buf_addstr(&f, "\"\n"), 0);
	buf_reset(&pw);
	for (i = 0; i < 50000; i++)
		assert_int_equal(buf_addstr(&pw, i % 7 == 0 ? "\" " : "x"), 0);
	look(buf_str(&f), "mx", NULL, NULL, buf_str(&pw));
	buf_free(&f);
	buf_free(&host);
	buf_free(&login);
	buf_free(&pw);
}

/* Entries cut short at the end of the file give nothing, and no error. */
static void
test_netrc_truncated(void **state)
{
	(void)state;
	look("", "mx", NULL, NULL, NULL);
	look(" \n\t\n", "mx", NULL, NULL, NULL);
	look("machine", "mx", NULL, NULL, NULL);
	look("machine mx", "mx", NULL, NULL, NULL);
	look("machine mx login", "mx", NULL, NULL, NULL);
	look("machine mx login jane password", "mx", NULL, NULL, NULL);
	look("machine mx password pw account", "mx", NULL, NULL, "pw");
	look("default", "mx", NULL, NULL, NULL);
	/* Keywords before any machine belong to no entry. */
	look("login jane password pw\n", "mx", NULL, NULL, NULL);
}

/* Set or unset (NULL) an environment variable. */
static void
set_env(const char *name, const char *value)
{
	if (value == NULL)
		assert_int_equal(unsetenv(name), 0);
	else
		assert_int_equal(setenv(name, value, 1), 0);
}

/* A copy of getenv(name), or NULL. */
static char *
save_env(const char *name)
{
	const char *v = getenv(name);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = strdup(v);
	assert_non_null(copy);
	return copy;
}

/* path NULL: $NETRC when set and not empty, else $HOME/.netrc. */
static void
test_netrc_default_path(void **state)
{
	char *home = save_env("HOME"), *netrc = save_env("NETRC");
	const char *other;

	(void)state;
	set_env("HOME", test_dir);
	(void)write_file(".netrc", "machine mx login home password from-home\n",
	    0600);
	other = write_file("other", "machine mx login env password from-env\n",
	    0600);
	set_env("NETRC", other);
	free(look_path(NULL, "mx", NULL, ERR_OK, "env", "from-env"));
	set_env("NETRC", "");
	free(look_path(NULL, "mx", NULL, ERR_OK, "home", "from-home"));
	set_env("NETRC", NULL);
	free(look_path(NULL, "mx", NULL, ERR_OK, "home", "from-home"));
	/* The permission check applies to the default file too. */
	(void)write_file(".netrc", "machine mx password pw\n", 0640);
	free(look_path(NULL, "mx", NULL, ERR_CONFIG, NULL, NULL));
	/* Without the file, nothing and no error. */
	assert_int_equal(unlink(path_of(".netrc")), 0);
	free(look_path(NULL, "mx", NULL, ERR_OK, NULL, NULL));
	set_env("NETRC", path_of("missing"));
	free(look_path(NULL, "mx", NULL, ERR_OK, NULL, NULL));

	set_env("HOME", home);
	set_env("NETRC", netrc);
	free(home);
	free(netrc);
}

/*
 * Random token soup: whatever the file holds, the answer is ERR_OK or
 * ERR_CONFIG with a message, and a password comes only with ERR_OK.
 */
static void
test_netrc_random(void **state)
{
	static const char *const words[] = {
		"machine", "default", "login", "password", "account", "macdef",
		"mx", "jane", "pw", "#", "# c", "\"", "\"a b\"", "\\", "\n",
		"\n\n", " ", "\t", "\r\n", "port", "MX", "\"mx\"", "\\\"",
	};
	const char *path = path_of("random");
	struct buf b;
	char *l, *p, *err;
	int iter, k, len;
	enum err e;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		buf_init(&b, 4096);
		len = (int)(test_rand(&rng) % 24);
		for (k = 0; k < len; k++) {
			assert_int_equal(buf_addstr(&b, words[test_rand(&rng) %
			    (sizeof words / sizeof words[0])]), 0);
			if (test_rand(&rng) % 2)
				assert_int_equal(buf_addch(&b, ' '), 0);
		}
		(void)write_mem("random", buf_str(&b), b.len, 0600);
		err = NULL;
		e = netrc_lookup(path, "mx",
		    test_rand(&rng) % 2 ? "jane" : NULL, &l, &p, &err);
		if (e == ERR_OK) {
			assert_null(err);
		} else {
			if (e != ERR_CONFIG || err == NULL)
				fail_msg("seed %#x iter %d: %s for '%s'", SEED,
				    iter, err_name(e), test_vis(b.data, b.len));
			assert_null(l);
			assert_null(p);
		}
		if (p == NULL)
			assert_null(l);
		free(l);
		free(p);
		free(err);
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netrc_machine_entry),
		cmocka_unit_test(test_netrc_first_match_wins),
		cmocka_unit_test(test_netrc_default),
		cmocka_unit_test(test_netrc_layout),
		cmocka_unit_test(test_netrc_account_and_unknown_keywords),
		cmocka_unit_test(test_netrc_comments),
		cmocka_unit_test(test_netrc_macdef),
		cmocka_unit_test(test_netrc_quoting),
		cmocka_unit_test(test_netrc_unterminated_quote),
		cmocka_unit_test(test_netrc_permissions),
		cmocka_unit_test(test_netrc_missing_file),
		cmocka_unit_test(test_netrc_bad_files),
		cmocka_unit_test(test_netrc_long_tokens),
		cmocka_unit_test(test_netrc_truncated),
		cmocka_unit_test(test_netrc_default_path),
		cmocka_unit_test(test_netrc_random),
	};

	return cmocka_run_group_tests(tests, test_dir_setup,
	    test_dir_teardown);
}
