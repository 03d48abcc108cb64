/* test_conf.c - unit tests for url.c, conf.c, netrc.c and password.c. */
/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "netrc.h"
#include "password.h"
#include "url.h"
#include "util.h"
#include "helper.h"

/* The scratch directory of the running test; HOME points at it. */
static char tmpdir[] = "/tmp/pigeon-test-conf-XXXXXX";
static char tmpdir_template[] = "/tmp/pigeon-test-conf-XXXXXX";

#define assert_contains(h, n) assert_contains_((h), (n), __FILE__, __LINE__)

static void
assert_contains_(const char *hay, const char *needle, const char *file,
    int line)
{
	if (hay == NULL || strstr(hay, needle) == NULL) {
		print_error("'%s' does not contain '%s'\n",
		    hay != NULL ? hay : "(null)", needle);
		_fail(file, line);
	}
}

/* Remove path and everything under it; the tests make only plain files. */
static int
setup(void **state)
{
	(void)state;
	memcpy(tmpdir, tmpdir_template, sizeof tmpdir);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (setenv("HOME", tmpdir, 1) != 0)
		return -1;
	(void)unsetenv("XDG_CONFIG_HOME");
	(void)unsetenv("NETRC");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	test_rm_rf(tmpdir);
	return 0;
}

/* A malloc'd path inside the scratch directory. */
static char *
tpath(const char *name)
{
	char *p = util_strf("%s/%s", tmpdir, name);

	assert_non_null(p);
	return p;
}

static void
mkdir_p(const char *name)
{
	char *p = tpath(name), *s;

	for (s = p + strlen(tmpdir) + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			assert_true(mkdir(p, 0700) == 0 || errno == EEXIST);
			*s = '/';
		}
	}
	assert_true(mkdir(p, 0700) == 0 || errno == EEXIST);
	free(p);
}

static void
write_bytes(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	/* open() is subject to the umask; the tests need the exact mode. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	write_bytes(path, text, strlen(text), mode);
}

/* Write text to the scratch "config" (mode 0600) and load it. */
static enum err
load_text(const char *text, struct conf **c, char **err)
{
	char *path = tpath("config");
	enum err e;

	write_file(path, text, 0600);
	e = conf_load(c, path, err);
	free(path);
	return e;
}

/* Expect text to fail with an error that starts "PATH:LINE: " + what. */
static void
expect_conf_error(const char *text, unsigned line, const char *what)
{
	struct conf *c = NULL;
	char *err = NULL, *want, *path = tpath("config");

	assert_int_equal(load_text(text, &c, &err), ERR_CONFIG);
	assert_null(c);
	want = util_strf("%s:%u: %s", path, line, what);
	assert_non_null(want);
	assert_contains(err, want);
	free(want);
	free(path);
	free(err);
}

/* The one account of a config that must load. */
static struct conf *
load_ok(const char *text)
{
	struct conf *c = NULL;
	char *err = NULL;
	enum err e;

	e = load_text(text, &c, &err);
	if (e != ERR_OK)
		print_error("unexpected error: %s\n", err ? err : "(none)");
	assert_int_equal(e, ERR_OK);
	assert_null(err);
	assert_non_null(c);
	return c;
}

/* ---- url ---- */

static void
test_url_valid(void **state)
{
	static const struct {
		const char *in;
		enum url_scheme scheme;
		const char *user, *host, *port;
	} t[] = {
		{ "smtp://mail.example.org", URL_SMTP, NULL,
		    "mail.example.org", "587" },
		{ "SMTP://Mail.Example.org:2525", URL_SMTP, NULL,
		    "Mail.Example.org", "2525" },
		{ "smtps://jane@mail.example.org", URL_SMTPS, "jane",
		    "mail.example.org", "465" },
		{ "smtp+plain://localhost", URL_SMTP_PLAIN, NULL,
		    "localhost", "25" },
		{ "Smtp+Plain://localhost:2525/", URL_SMTP_PLAIN, NULL,
		    "localhost", "2525" },
		{ "mail.example.org", URL_SMTP, NULL, "mail.example.org",
		    "587" },
		{ "mail.example.org:25", URL_SMTP, NULL, "mail.example.org",
		    "25" },
		{ "jane@mx:26", URL_SMTP, "jane", "mx", "26" },
		{ "smtp://jane%40example.org@mail.example.org:587/", URL_SMTP,
		    "jane@example.org", "mail.example.org", "587" },
		{ "smtp://jane@example.org@mail.example.org", URL_SMTP,
		    "jane@example.org", "mail.example.org", "587" },
		{ "smtp://a%20b%25c@h", URL_SMTP, "a b%c", "h", "587" },
		{ "smtp://[::1]:587", URL_SMTP, NULL, "::1", "587" },
		{ "smtps://[2001:db8::1]", URL_SMTPS, NULL, "2001:db8::1",
		    "465" },
		{ "smtp://127.0.0.1:1", URL_SMTP, NULL, "127.0.0.1", "1" },
		{ "smtp://x:65535", URL_SMTP, NULL, "x", "65535" },
		{ "smtp://x:00025", URL_SMTP, NULL, "x", "25" },
		{ "smtp://my_host-1.example", URL_SMTP, NULL,
		    "my_host-1.example", "587" },
	};
	struct url u;
	char *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (url_parse(&u, t[i].in, &err) != ERR_OK)
			print_error("%s: %s\n", t[i].in, err);
		assert_null(err);
		assert_int_equal(u.scheme, t[i].scheme);
		if (t[i].user == NULL)
			assert_null(u.user);
		else
			assert_string_equal(u.user, t[i].user);
		assert_string_equal(u.host, t[i].host);
		assert_string_equal(u.port, t[i].port);
		url_free(&u);
		assert_null(u.host);
	}
}

static void
test_url_invalid(void **state)
{
	static const struct {
		const char *in, *why;
	} t[] = {
		{ "", "it is empty" },
		{ "smtp://", "there is no host name" },
		{ "smtp://:587", "there is no host name" },
		{ "smtp://jane@", "there is no host name" },
		{ "smtp://@host", "the user name is empty" },
		{ "http://example.org", "unknown scheme 'http'" },
		{ "smtpx://example.org", "unknown scheme 'smtpx'" },
		{ "smtp://x:0", "port must be 1 to 65535" },
		{ "smtp://x:", "the port is empty" },
		{ "smtp://x:abc", "the port must be a number" },
		{ "smtp://x:25x", "unexpected 'x' after the port" },
		{ "smtp://x:5 87", "unexpected ' 87' after the port" },
		{ "smtp://x:99999999999999999999999", "port must be 1 to" },
		{ "smtp://x/path", "unexpected '/path'" },
		{ "smtp://x:25//", "unexpected '//'" },
		{ "smtp://x?q=1", "unexpected '?q=1'" },
		{ "smtp://x#frag", "unexpected '#frag'" },
		{ "smtp://a%4@host", "broken %-escape" },
		{ "smtp://a%zz@host", "broken %-escape" },
		{ "smtp://a%0ab@host", "control character" },
		{ "smtp://a%00b@host", "control character" },
		{ "smtp://[::1", "']' is missing" },
		{ "smtp://[::1]x", "unexpected 'x' after the IPv6 address" },
		{ "smtp://[nothex]:25", "'nothex' is not an IPv6 address" },
		{ "smtp://[]:25", "there is no host name" },
		{ "smtp://::1", "must be written in brackets" },
		{ "smtp://ho st", "a host name may only hold" },
		/* UTF-8 is an IDN (test_idn.c): refused only when invalid. */
		{ "smtp://h\xc3\xa9_x.example",
		    "not a valid internationalised domain name" },
		{ "smtp://mail\n.example.org", "control character" },
	};
	struct url u;
	char *err = NULL, *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		err = NULL;
		assert_int_equal(url_parse(&u, t[i].in, &err), ERR_CONFIG);
		assert_null(u.host);
		assert_null(u.user);
		want = util_strf("bad server URL '");
		assert_contains(err, want);
		assert_contains(err, t[i].why);
		free(want);
		free(err);
	}
}

static void
test_url_messages(void **state)
{
	struct url u;
	char *err = NULL, *longhost;
	struct buf b;

	(void)state;
	/* The exact wording the config man page shows. */
	assert_int_equal(url_parse(&u, "smtp://x:99999", &err), ERR_CONFIG);
	assert_string_equal(err,
	    "bad server URL 'smtp://x:99999': port must be 1 to 65535");
	free(err);
	err = NULL;

	/* A password in the URL is refused and never echoed back. */
	assert_int_equal(url_parse(&u, "smtp://jane:hunter2@mx", &err),
	    ERR_CONFIG);
	assert_contains(err, "password does not belong");
	assert_contains(err, "smtp://jane:***@mx");
	assert_null(strstr(err, "hunter2"));
	free(err);
	err = NULL;

	/* Control characters are shown escaped, never raw. */
	assert_int_equal(url_parse(&u, "smtp://a\x1b[2Jb", &err), ERR_CONFIG);
	assert_contains(err, "smtp://a\\x1b[2Jb");
	assert_null(strchr(err, '\x1b'));
	free(err);
	err = NULL;

	/* A host name longer than DNS allows. */
	buf_init(&b, 1000);
	assert_int_equal(buf_addstr(&b, "smtp://"), 0);
	while (b.len < 7 + 254)
		assert_int_equal(buf_addch(&b, 'a'), 0);
	assert_int_equal(url_parse(&u, buf_str(&b), &err), ERR_CONFIG);
	assert_contains(err, "longer than 253");
	free(err);
	err = NULL;
	buf_truncate(&b, 7 + 253);
	longhost = strdup(buf_str(&b));
	assert_non_null(longhost);
	assert_int_equal(url_parse(&u, longhost, &err), ERR_OK);
	url_free(&u);
	free(longhost);
	buf_free(&b);

	/* No errstr wanted: still an error code. */
	assert_int_equal(url_parse(&u, "nope://x", NULL), ERR_CONFIG);
	assert_int_equal(url_parse(&u, NULL, NULL), ERR_CONFIG);
}

static void
test_url_free_zero(void **state)
{
	struct url u;

	(void)state;
	memset(&u, 0, sizeof u);
	url_free(&u);
	url_free(&u);
	url_free(NULL);
}

/* ---- conf ---- */

static void
test_conf_every_key(void **state)
{
	const struct account *a;
	struct conf *c;
	char *want;

	(void)state;
	c = load_ok(
	    "# comment\n"
	    "default = work\n"
	    "[account work]\n"
	    "from = Jane Doe <jane@example.org>\n"
	    "server = smtp://mail.example.org\n"
	    "user = jane\n"
	    "password_command = pass show mail/work\n"
	    "auth = scram-sha-256\n"
	    "auth_allow_plaintext = yes\n"
	    "tls_verify = no\n"
	    "tls_cafile = ~/certs/ca.pem\n"
	    "tls_fingerprint = AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\n"
	    "tls_cert = /etc/pigeon/client.pem\n"
	    "tls_key = ~/keys/client.key\n"
	    "helo = laptop.example.org\n"
	    "source_address = 192.0.2.7\n"
	    "timeout = 45\n"
	    "chunking = off\n"
	    "flush_after_send = no\n"
	    "dsn_notify = failure, Delay\n"
	    "dsn_return = hdrs\n"
	    "[account other]\n"
	    "password = s3cret\n");
	assert_int_equal(c->naccounts, 2);
	assert_int_equal(c->nwarnings, 0);
	assert_string_equal(c->default_account, "work");
	a = conf_account(c, NULL);
	assert_non_null(a);
	assert_string_equal(a->name, "work");
	assert_string_equal(a->from, "Jane Doe <jane@example.org>");
	assert_string_equal(a->server, "smtp://mail.example.org");
	assert_string_equal(a->user, "jane");
	assert_null(a->password);
	assert_string_equal(a->password_command, "pass show mail/work");
	assert_string_equal(a->auth, "SCRAM-SHA-256");
	assert_int_equal(a->auth_allow_plaintext, 1);
	assert_int_equal(a->tls_verify, 0);
	want = util_strf("%s/certs/ca.pem", tmpdir);
	assert_string_equal(a->tls_cafile, want);
	free(want);
	assert_string_equal(a->tls_fingerprint, "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB");
	assert_string_equal(a->tls_cert, "/etc/pigeon/client.pem");
	want = util_strf("%s/keys/client.key", tmpdir);
	assert_string_equal(a->tls_key, want);
	free(want);
	assert_string_equal(a->helo, "laptop.example.org");
	assert_string_equal(a->source_address, "192.0.2.7");
	assert_int_equal(a->timeout, 45);
	assert_int_equal(a->chunking, 0);
	assert_int_equal(a->flush_after_send, 0);
	assert_string_equal(a->dsn_notify, "FAILURE,DELAY");
	assert_string_equal(a->dsn_return, "HDRS");

	/* The defaults of an account that sets almost nothing. */
	a = conf_account(c, "other");
	assert_non_null(a);
	assert_string_equal(a->password, "s3cret");
	assert_null(a->from);
	assert_null(a->server);
	assert_null(a->auth);
	assert_int_equal(a->auth_allow_plaintext, 0);
	assert_int_equal(a->tls_verify, 1);
	assert_int_equal(a->chunking, 0);
	assert_int_equal(a->flush_after_send, 1);
	assert_int_equal(a->timeout, 0);
	assert_null(a->dsn_notify);
	assert_null(a->dsn_return);
	conf_free(c);
}

static void
test_conf_booleans(void **state)
{
	static const struct {
		const char *word;
		int value;
	} t[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
		{ "YES", 1 }, { "Off", 0 }, { "True", 1 }, { "\"no\"", 0 },
	};
	static const char *const bad[] = {
		"maybe", "2", "yess", "y", "n", "-1", "enabled",
	};
	struct conf *c;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		text = util_strf("[account a]\ntls_verify = %s\n"
		    "auth_allow_plaintext = %s\nchunking = %s\n",
		    t[i].word, t[i].word, t[i].word);
		c = load_ok(text);
		assert_int_equal(c->accounts[0].tls_verify, t[i].value);
		assert_int_equal(c->accounts[0].auth_allow_plaintext,
		    t[i].value);
		assert_int_equal(c->accounts[0].chunking, t[i].value);
		conf_free(c);
		free(text);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		text = util_strf("[account a]\nchunking = %s\n", bad[i]);
		expect_conf_error(text, 2, "'chunking' must be yes or no");
		free(text);
	}
	expect_conf_error("[account a]\ntls_verify =\n", 2,
	    "'tls_verify' needs a value");
}

static void
test_conf_quoting(void **state)
{
	const struct account *a;
	struct conf *c;

	(void)state;
	c = load_ok(
	    "[account a]\n"
	    "from = \"  Jane \\\"JD\\\" \\\\ Doe  \"\n"
	    "user = say \"hi\" \\n there\n"
	    "password_command = pass show mail#1 ; x\n"
	    "source_address = \"\"\n"
	    "helo =\n"
	    "password = \"  two  words \"   \n");
	a = conf_account(c, "a");
	assert_string_equal(a->from, "  Jane \"JD\" \\ Doe  ");
	assert_string_equal(a->user, "say \"hi\" \\n there");
	assert_string_equal(a->password_command, "pass show mail#1 ; x");
	assert_null(a->source_address);
	assert_null(a->helo);
	assert_string_equal(a->password, "  two  words ");
	conf_free(c);

	expect_conf_error("[account a]\nfrom = \"abc\n", 2,
	    "the closing quote is missing");
	expect_conf_error("[account a]\nfrom = \"abc\\\"\n", 2,
	    "the closing quote is missing");
	expect_conf_error("[account a]\nfrom = \"a\" b\n", 2,
	    "only blanks may follow the closing quote");
	expect_conf_error("[account a]\nfrom = \"a\\n\"\n", 2,
	    "inside quotes a backslash must be followed by \" or \\");
}

static void
test_conf_comments(void **state)
{
	const struct account *a;
	struct conf *c;

	(void)state;
	c = load_ok(
	    "\xef\xbb\xbf# a byte order mark, then a comment\r\n"
	    "; another comment\r\n"
	    "   # an indented one\r\n"
	    "\t\r\n"
	    "\r\n"
	    "  [ account   my work  ]  \r\n"
	    "\tServer\t=\tsmtps://mx.example.org\t\r\n"
	    "USER=jane\r\n"
	    "; user = not-me\r\n"
	    "from = J\xc3\xb6rg <j@example.org>");	/* no final newline */
	assert_int_equal(c->naccounts, 1);
	a = conf_account(c, NULL);
	assert_string_equal(a->name, "my work");
	assert_string_equal(a->server, "smtps://mx.example.org");
	assert_string_equal(a->user, "jane");
	assert_string_equal(a->from, "J\xc3\xb6rg <j@example.org>");
	assert_int_equal(c->nwarnings, 0);
	conf_free(c);
}

static void
test_conf_unknown_key(void **state)
{
	struct conf *c;
	char *path = tpath("config"), *want;

	(void)state;
	c = load_ok(
	    "theme = dark\n"
	    "[account a]\n"
	    "colour = blue\n"
	    "user = jane\n");
	assert_int_equal(c->nwarnings, 2);
	want = util_strf("%s:1: unknown key 'theme' (ignored)", path);
	assert_string_equal(c->warnings[0], want);
	free(want);
	want = util_strf("%s:3: unknown key 'colour' (ignored)", path);
	assert_string_equal(c->warnings[1], want);
	free(want);
	assert_string_equal(c->accounts[0].user, "jane");
	conf_free(c);
	free(path);
}

static void
test_conf_duplicates(void **state)
{
	struct conf *c;
	char *path = tpath("config"), *want;

	(void)state;
	/* A key set twice: the later wins, with a warning naming both. */
	c = load_ok(
	    "[account a]\n"
	    "user = first\n"
	    "user = second\n"
	    "[account b]\n"
	    "user = other\n");
	assert_string_equal(conf_account(c, "a")->user, "second");
	assert_string_equal(conf_account(c, "b")->user, "other");
	assert_int_equal(c->nwarnings, 1);
	want = util_strf("%s:3: 'user' is set twice in [account a] (also on "
	    "line 2); the later value is used", path);
	assert_string_equal(c->warnings[0], want);
	free(want);
	conf_free(c);

	/* An empty later value unsets. */
	c = load_ok("[account a]\nuser = first\nuser =\n");
	assert_null(c->accounts[0].user);
	conf_free(c);

	expect_conf_error(
	    "[account a]\n"
	    "user = x\n"
	    "[account b]\n"
	    "[account a]\n", 4,
	    "account 'a' is defined twice (first on line 1)");
	free(path);
}

static void
test_conf_default_account(void **state)
{
	struct conf *c;

	(void)state;
	/* 1: "default" names the account. */
	c = load_ok("default = b\n[account a]\n[account b]\n[account c]\n");
	assert_string_equal(conf_account(c, NULL)->name, "b");
	conf_free(c);

	/* 2: no default, the only account. */
	c = load_ok("[account only]\nuser = x\n");
	assert_string_equal(conf_account(c, NULL)->name, "only");
	conf_free(c);

	/* 3: no default, several accounts: the first in the file. */
	c = load_ok("[account first]\n[account second]\n");
	assert_string_equal(conf_account(c, NULL)->name, "first");
	assert_string_equal(conf_account(c, "second")->name, "second");
	assert_null(conf_account(c, "Second"));
	assert_null(conf_account(c, "nope"));
	conf_free(c);

	/* No accounts at all. */
	c = load_ok("# nothing here\n");
	assert_null(conf_account(c, NULL));
	assert_null(conf_account(c, "x"));
	conf_free(c);
	assert_null(conf_account(NULL, NULL));
	conf_free(NULL);
}

static void
test_conf_bad_default(void **state)
{
	(void)state;
	expect_conf_error("default = nope\n[account a]\n", 1,
	    "default account 'nope' is not defined");
	expect_conf_error("[account a]\ndefault = a\n", 2,
	    "'default' must come before the first [account NAME] section");
	expect_conf_error("server = smtp://x\n[account a]\n", 1,
	    "'server' must be inside an [account NAME] section");
}

static void
test_conf_sections(void **state)
{
	(void)state;
	expect_conf_error("[account]\n", 1, "the account name is missing");
	expect_conf_error("[account   ]\n", 1, "the account name is missing");
	expect_conf_error("[accounts x]\n", 1, "unknown section '[accounts x]'");
	expect_conf_error("[general]\n", 1, "unknown section '[general]'");
	expect_conf_error("[account x\n", 1,
	    "a section line must end with ']'");
	expect_conf_error("[account a]b]\n", 1,
	    "an account name cannot contain ']'");
	expect_conf_error("[account a]\njust words\n", 2,
	    "expected 'key = value'");
	expect_conf_error("[account a]\n= value\n", 2,
	    "the key before '=' is missing");
	expect_conf_error("[account a]\nmy key = v\n", 2,
	    "'my key' is not a key name");
}

static void
test_conf_values(void **state)
{
	struct conf *c;

	(void)state;
	c = load_ok("[account a]\ntimeout = 86400\nauth = Plain\n"
	    "dsn_notify = never\ndsn_return = Full\n");
	assert_int_equal(c->accounts[0].timeout, 86400);
	assert_string_equal(c->accounts[0].auth, "PLAIN");
	assert_string_equal(c->accounts[0].dsn_notify, "NEVER");
	assert_string_equal(c->accounts[0].dsn_return, "FULL");
	conf_free(c);
	c = load_ok("[account a]\ndsn_notify = success,failure,delay\n"
	    "auth = xoauth2\n");
	assert_string_equal(c->accounts[0].dsn_notify,
	    "SUCCESS,FAILURE,DELAY");
	assert_string_equal(c->accounts[0].auth, "XOAUTH2");
	conf_free(c);

	expect_conf_error("[account a]\ntimeout = 0\n", 2,
	    "timeout must be from 1 to 86400 seconds");
	expect_conf_error("[account a]\ntimeout = 86401\n", 2,
	    "timeout must be from 1 to");
	expect_conf_error("[account a]\ntimeout = 99999999999999999999999\n",
	    2, "timeout must be from 1 to");
	expect_conf_error("[account a]\ntimeout = -5\n", 2,
	    "timeout must be a whole number of seconds, not '-5'");
	expect_conf_error("[account a]\ntimeout = 30s\n", 2,
	    "timeout must be a whole number");
	expect_conf_error("[account a]\ntimeout = abc\n", 2,
	    "timeout must be a whole number");
	expect_conf_error("[account a]\ntimeout = \" 30\"\n", 2,
	    "timeout must be a whole number");
	expect_conf_error("[account a]\nauth = digest-md5\n", 2,
	    "unknown auth mechanism 'digest-md5'");
	expect_conf_error("[account a]\ndsn_notify = NEVER,SUCCESS\n", 2,
	    "dsn_notify must be NEVER or a comma list");
	expect_conf_error("[account a]\ndsn_notify = bogus\n", 2,
	    "dsn_notify must be NEVER or a comma list of SUCCESS, FAILURE "
	    "and DELAY, each at most once, not 'bogus'");
	expect_conf_error("[account a]\ndsn_notify = failure,,delay\n", 2,
	    "dsn_notify must be NEVER");
	expect_conf_error("[account a]\ndsn_notify = delay,DELAY\n", 2,
	    "dsn_notify must be NEVER or a comma list of SUCCESS, FAILURE "
	    "and DELAY, each at most once, not 'delay,DELAY'");
	expect_conf_error("[account a]\ntls_fingerprint = AB:CD\n", 2,
	    "tls_fingerprint must be a SHA-256 fingerprint, 64 hex digits "
	    "(colons allowed), not 'AB:CD'");
	expect_conf_error("[account a]\ndsn_return = all\n", 2,
	    "dsn_return must be FULL or HDRS, not 'all'");
	expect_conf_error("[account a]\nhelo = two words\n", 2,
	    "helo must be a domain or an address literal");
	expect_conf_error("[account a]\nuser = x\nserver = smtp://x:99999\n",
	    3, "bad server URL 'smtp://x:99999': port must be 1 to 65535");
	expect_conf_error("[account a]\nserver = imap://x\n", 2,
	    "bad server URL 'imap://x': unknown scheme 'imap'; use smtp://, "
	    "smtps://, smtp+plain://, smtp+opportunistic:// or lmtp://");
}

static void
test_conf_password_mode(void **state)
{
	static const char text[] = "[account a]\npassword = s3cret\n";
	struct conf *c = NULL;
	char *path = tpath("config"), *err = NULL, *want;

	(void)state;
	write_file(path, text, 0644);
	assert_int_equal(conf_load(&c, path, &err), ERR_CONFIG);
	assert_null(c);
	want = util_strf("config file '%s' holds a password and can be read "
	    "by others; run: chmod 600 %s", path, path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;

	write_file(path, text, 0640);
	assert_int_equal(conf_load(&c, path, &err), ERR_CONFIG);
	assert_contains(err, "chmod 600");
	free(err);
	err = NULL;

	write_file(path, text, 0600);
	assert_int_equal(conf_load(&c, path, &err), ERR_OK);
	assert_string_equal(conf_account(c, NULL)->password, "s3cret");
	conf_free(c);

	/* Without a password the mode does not matter. */
	write_file(path, "[account a]\npassword_command = pass x\n", 0644);
	assert_int_equal(conf_load(&c, path, &err), ERR_OK);
	conf_free(c);
	free(path);
}

static void
test_conf_long_line(void **state)
{
	struct conf *c;
	struct buf b;

	(void)state;
	buf_init(&b, 10000);
	assert_int_equal(buf_addstr(&b, "[account a]\nfrom = "), 0);
	while (b.len < 12 + 4096)
		assert_int_equal(buf_addch(&b, 'x'), 0);
	/* Exactly 4096 bytes, with an LF and then with a CR LF. */
	assert_int_equal(buf_addch(&b, '\n'), 0);
	c = load_ok(buf_str(&b));
	assert_int_equal(strlen(c->accounts[0].from), 4096 - 7);
	conf_free(c);
	buf_truncate(&b, b.len - 1);
	assert_int_equal(buf_addstr(&b, "\r\n"), 0);
	c = load_ok(buf_str(&b));
	conf_free(c);
	/* 4097 bytes. */
	buf_truncate(&b, b.len - 2);
	assert_int_equal(buf_addstr(&b, "x\n"), 0);
	expect_conf_error(buf_str(&b), 2, "the line is longer than 4096 bytes");
	/* Far longer, and with no line ending at all. */
	buf_truncate(&b, b.len - 1);
	while (b.len < 9000)
		assert_int_equal(buf_addch(&b, 'x'), 0);
	expect_conf_error(buf_str(&b), 2, "the line is longer than 4096 bytes");
	buf_free(&b);
}

static void
test_conf_bad_bytes(void **state)
{
	static const char nul[] = "[account a]\nfrom = a\0b\n";
	struct conf *c = NULL;
	char *path = tpath("config"), *err = NULL, *want;

	(void)state;
	expect_conf_error("[account a]\nfrom = J\xc3\x28rg\n", 2,
	    "invalid UTF-8 at byte 9");
	expect_conf_error("[account a]\nfrom = \xc0\xaf\n", 2, "invalid UTF-8");
	expect_conf_error("[account a]\nfrom = \xed\xa0\x80\n", 2,
	    "invalid UTF-8");
	expect_conf_error("[account a]\nfrom = \xf4\x90\x80\x80\n", 2,
	    "invalid UTF-8");
	expect_conf_error("[account a]\nfrom = \xe2\x82\n", 2, "invalid UTF-8");
	expect_conf_error("[account a]\nfrom = \xff\n", 2, "invalid UTF-8");
	expect_conf_error("# ok\n\n[account \xa0]\n", 3, "invalid UTF-8");
	expect_conf_error("[account a]\nfrom = a\x1b[31m\n", 2,
	    "control character 0x1b");
	expect_conf_error("[account a]\nfrom = a\rb\n", 2,
	    "control character 0x0d");

	write_bytes(path, nul, sizeof nul - 1, 0600);
	assert_int_equal(conf_load(&c, path, &err), ERR_CONFIG);
	want = util_strf("%s:2: the line contains a NUL byte", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	free(path);
}

static void
test_conf_missing_files(void **state)
{
	struct conf *c = NULL;
	char *path = tpath("no-such-file"), *err = NULL, *want;

	(void)state;
	assert_int_equal(conf_load(&c, path, &err), ERR_CONFIG);
	assert_null(c);
	want = util_strf("cannot open config file '%s': No such file or "
	    "directory", path);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;
	free(path);

	/* A directory given as the file. */
	assert_int_equal(conf_load(&c, tmpdir, &err), ERR_CONFIG);
	assert_contains(err, "is a directory");
	free(err);
	err = NULL;

	/* The default file missing: an empty configuration. */
	assert_int_equal(conf_load(&c, NULL, &err), ERR_OK);
	assert_null(err);
	assert_non_null(c);
	assert_null(c->path);
	assert_int_equal(c->naccounts, 0);
	assert_null(conf_account(c, NULL));
	conf_free(c);
}

static void
test_conf_default_path(void **state)
{
	struct conf *c = NULL;
	char *err = NULL, *path, *xdg;

	(void)state;
	/* $HOME/.config/pigeon/config when XDG_CONFIG_HOME is unset. */
	mkdir_p(".config/pigeon");
	path = tpath(".config/pigeon/config");
	write_file(path, "[account home]\n", 0600);
	assert_int_equal(conf_load(&c, NULL, &err), ERR_OK);
	assert_string_equal(c->path, path);
	assert_string_equal(conf_account(c, NULL)->name, "home");
	conf_free(c);

	/* An absolute XDG_CONFIG_HOME wins. */
	mkdir_p("xdg/pigeon");
	xdg = tpath("xdg");
	assert_int_equal(setenv("XDG_CONFIG_HOME", xdg, 1), 0);
	free(path);
	path = tpath("xdg/pigeon/config");
	write_file(path, "[account xdg]\n", 0600);
	assert_int_equal(conf_load(&c, NULL, &err), ERR_OK);
	assert_string_equal(c->path, path);
	assert_string_equal(conf_account(c, NULL)->name, "xdg");
	conf_free(c);

	/* Relative and empty values are ignored, as the XDG spec says. */
	assert_int_equal(setenv("XDG_CONFIG_HOME", "xdg", 1), 0);
	assert_int_equal(conf_load(&c, NULL, &err), ERR_OK);
	assert_string_equal(conf_account(c, NULL)->name, "home");
	conf_free(c);
	assert_int_equal(setenv("XDG_CONFIG_HOME", "", 1), 0);
	assert_int_equal(conf_load(&c, NULL, &err), ERR_OK);
	assert_string_equal(conf_account(c, NULL)->name, "home");
	conf_free(c);
	assert_null(err);
	free(xdg);
	free(path);
}

/* ---- netrc ---- */

/* Write text to the scratch netrc with the given mode and look host up. */
static enum err
netrc_try(const char *text, mode_t mode, const char *host, const char *user,
    char **login, char **password, char **err)
{
	char *path = tpath("netrc");
	enum err e;

	write_file(path, text, mode);
	e = netrc_lookup(path, host, user, login, password, err);
	free(path);
	return e;
}

static void
expect_netrc(const char *text, const char *host, const char *user,
    const char *want_login, const char *want_password)
{
	char *login = NULL, *password = NULL, *err = NULL;

	assert_int_equal(netrc_try(text, 0600, host, user, &login, &password,
	    &err), ERR_OK);
	assert_null(err);
	if (want_login == NULL)
		assert_null(login);
	else
		assert_string_equal(login, want_login);
	if (want_password == NULL)
		assert_null(password);
	else
		assert_string_equal(password, want_password);
	free(login);
	free(password);
}

static void
test_netrc_basic(void **state)
{
	(void)state;
	expect_netrc("machine mail.example.org login jane password s3cret\n",
	    "mail.example.org", NULL, "jane", "s3cret");
	/* Any white space separates tokens; host names ignore case. */
	expect_netrc("machine\tmail.example.org\n  login jane\n\n"
	    "  password s3cret", "MAIL.Example.ORG", NULL, "jane", "s3cret");
	expect_netrc("machine a login x password 1\n", "b", NULL, NULL, NULL);
	/* An entry without a password is passed over. */
	expect_netrc("machine h login x\nmachine h login y password 2\n",
	    "h", NULL, "y", "2");
	/* "account" values are skipped, unknown keywords too. */
	expect_netrc("machine h account password login me port 25 password "
	    "pw\n", "h", NULL, "me", "pw");
	expect_netrc("", "h", NULL, NULL, NULL);
}

static void
test_netrc_default(void **state)
{
	static const char text[] =
	    "machine a login x password 1\n"
	    "default login anon password guest\n";

	(void)state;
	expect_netrc(text, "b", NULL, "anon", "guest");
	expect_netrc(text, "a", NULL, "x", "1");
	/* The default is used only when no machine matched. */
	expect_netrc("default login anon password guest\n"
	    "machine a login x password 1\n", "a", NULL, "x", "1");
	expect_netrc(text, "b", "someone", NULL, NULL);
	expect_netrc("default password any\n", "b", "someone", NULL, "any");
}

static void
test_netrc_quoted(void **state)
{
	(void)state;
	expect_netrc("machine \"mail.example.org\" login \"Jane Doe\" "
	    "password \"pa ss\\\"wo\\\\rd #1\"\n", "mail.example.org",
	    "Jane Doe", "Jane Doe", "pa ss\"wo\\rd #1");
	/* Outside quotes, a backslash and '#' are ordinary characters. */
	expect_netrc("machine h login a\\b password #secret\n", "h", NULL,
	    "a\\b", "#secret");
}

static void
test_netrc_comments_macdef(void **state)
{
	(void)state;
	expect_netrc(
	    "# machine h login commented password bad\n"
	    "macdef init\n"
	    "machine h login evil password evil\n"
	    "cd /pub\n"
	    "  \n"
	    "machine h login jane password good # the work account\n",
	    "h", NULL, "jane", "good");
	/* A macro body runs to the end of the file without a blank line. */
	expect_netrc(
	    "machine h login jane password good\n"
	    "macdef x\n"
	    "machine other password p\n", "other", NULL, NULL, NULL);
	expect_netrc(
	    "machine h login jane\n"
	    "macdef x\n"
	    "echo hi\n"
	    "\n"
	    "password after-macro\n", "h", NULL, "jane", "after-macro");
}

static void
test_netrc_login_match(void **state)
{
	static const char text[] =
	    "machine h login alice password a1\n"
	    "machine h login bob password b2\n"
	    "machine h password any\n";

	(void)state;
	expect_netrc(text, "h", "bob", "bob", "b2");
	expect_netrc(text, "h", "alice", "alice", "a1");
	expect_netrc(text, "h", NULL, "alice", "a1");
	/* An entry without a login fits any user. */
	expect_netrc(text, "h", "carol", NULL, "any");
	expect_netrc("machine h login alice password a1\n", "h", "carol",
	    NULL, NULL);
}

static void
test_netrc_mode(void **state)
{
	char *login = NULL, *password = NULL, *err = NULL;

	(void)state;
	assert_int_equal(netrc_try("machine h login x password p\n", 0644,
	    "h", NULL, &login, &password, &err), ERR_CONFIG);
	assert_null(login);
	assert_null(password);
	assert_contains(err, "can be read or changed by others; run: chmod 600 ");
	free(err);
	err = NULL;
	/* Even when the entry asked for is not the one with the password. */
	assert_int_equal(netrc_try("machine h login x password p\n", 0604,
	    "other", NULL, &login, &password, &err), ERR_CONFIG);
	free(err);
	err = NULL;
	/* Without passwords the mode does not matter. */
	assert_int_equal(netrc_try("machine h login x\n", 0644, "h", NULL,
	    &login, &password, &err), ERR_OK);
	assert_null(password);
	assert_null(err);
	assert_int_equal(netrc_try("machine h login x password p\n", 0600,
	    "h", NULL, &login, &password, &err), ERR_OK);
	assert_string_equal(password, "p");
	free(login);
	free(password);
}

static void
test_netrc_files(void **state)
{
	char *login = NULL, *password = NULL, *err = NULL, *path;

	(void)state;
	/* A missing file is not an error: there is nothing in it. */
	path = tpath("nope");
	assert_int_equal(netrc_lookup(path, "h", NULL, &login, &password,
	    &err), ERR_OK);
	assert_null(password);
	assert_null(err);
	free(path);
	assert_int_equal(netrc_lookup(NULL, "h", NULL, &login, &password,
	    &err), ERR_OK);
	assert_null(password);

	/* $HOME/.netrc by default. */
	path = tpath(".netrc");
	write_file(path, "machine h login home password p1\n", 0600);
	free(path);
	assert_int_equal(netrc_lookup(NULL, "h", NULL, &login, &password,
	    &err), ERR_OK);
	assert_string_equal(login, "home");
	free(login);
	free(password);

	/* $NETRC overrides it. */
	path = tpath("other-netrc");
	write_file(path, "machine h login env password p2\n", 0600);
	assert_int_equal(setenv("NETRC", path, 1), 0);
	free(path);
	assert_int_equal(netrc_lookup(NULL, "h", NULL, &login, &password,
	    &err), ERR_OK);
	assert_string_equal(login, "env");
	assert_string_equal(password, "p2");
	free(login);
	free(password);

	/* A quote that never closes. */
	assert_int_equal(netrc_try("machine h\nlogin \"x password p\n\n",
	    0600, "h", NULL, &login, &password, &err), ERR_CONFIG);
	assert_contains(err, "line 2: a quoted token has no closing quote");
	assert_null(password);
	free(err);
}

/* ---- password ---- */

/* No child of ours may be left for anyone to reap. */
static void
assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
expect_password(const char *cmd, const char *want)
{
	char *out = NULL, *err = NULL;
	enum err e;

	e = password_run(cmd, &out, &err);
	if (e != ERR_OK)
		print_error("%s: %s\n", cmd, err ? err : "(none)");
	assert_int_equal(e, ERR_OK);
	assert_null(err);
	assert_string_equal(out, want);
	free(out);
	assert_no_children();
}

static void
expect_password_error(const char *cmd, const char *why)
{
	char *out = NULL, *err = NULL;

	assert_int_equal(password_run(cmd, &out, &err), ERR_CONFIG);
	assert_null(out);
	assert_contains(err, why);
	free(err);
	assert_no_children();
}

static void
test_password_ok(void **state)
{
	(void)state;
	expect_password("echo secret", "secret");
	expect_password("  echo \t two   words ", "two words");
	expect_password("printf 'a\\nb' | cat", "a");
	expect_password("printf 'pw\\r\\nmore\\r\\n'", "pw");
	expect_password("printf 'no newline'", "no newline");
	expect_password("printf '%s\\n' \"with spaces \"", "with spaces ");
}

static void
test_password_errors(void **state)
{
	(void)state;
	expect_password_error("false",
	    "password_command 'false' failed with exit status 1");
	expect_password_error("sh -c 'exit 3'", "failed with exit status 3");
	expect_password_error("pigeon-no-such-command-xyz",
	    "pigeon-no-such-command-xyz");
	expect_password_error("/nonexistent/pigeon-cmd", "/nonexistent");
	expect_password_error("pigeon-no-such-command-xyz 2>/dev/null",
	    "could not be run (exit status 127)");
	expect_password_error("true",
	    "password_command 'true' printed nothing");
	expect_password_error("printf '\\nsecond'", "printed an empty first "
	    "line");
	expect_password_error("printf '\\r\\n'", "printed an empty first "
	    "line");
	expect_password_error("printf 'a\\0b\\n'", "printed a NUL byte");
	expect_password_error("kill -TERM $$", "was killed by signal 15");
	expect_password_error("head -c 70000 /dev/zero | tr '\\0' x",
	    "printed more than 65536 bytes");
	expect_password_error("", "password_command is empty");
	expect_password_error(" \t ", "password_command is empty");
}

static void
test_password_environment(void **state)
{
	void (*old)(int);
	char *out = NULL, *err = NULL;
	int saved;
	enum err e;

	(void)state;
	/* With SIGPIPE ignored by the caller the child still gets it. */
	old = signal(SIGPIPE, SIG_IGN);
	assert_true(old != SIG_ERR);
	expect_password("yes | head -n 1", "y");
	assert_true(signal(SIGPIPE, old) != SIG_ERR);

	/* With stdout closed, the pipe must not land on fd 1 and vanish. */
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(close(STDOUT_FILENO), 0);
	e = password_run("echo closed", &out, &err);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	assert_int_equal(close(saved), 0);
	assert_int_equal(e, ERR_OK);
	assert_string_equal(out, "closed");
	free(out);
	assert_no_children();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* sendmail -f and a From field choose the account, as msmtp's from does. */
static void
test_account_for_sender(void **state)
{
	struct conf *c;
	const struct account *a;

	(void)state;
	c = load_ok("default = home\n"
	    "[account home]\nfrom = Me <me@home.example>\n"
	    "server = smtp://mail.home.example\n"
	    "[account work]\nfrom = me@work.example\n"
	    "server = smtp://mail.work.example\n"
	    "from_addresses = *@work.example, boss@Other.example\n"
	    "[account lists]\nfrom = lists@home.example\n"
	    "server = smtp://mail.home.example\n"
	    "from_addresses = lists-*@home.example\n");
	a = conf_account_for_sender(c, "me@work.example");
	assert_non_null(a);
	assert_string_equal(a->name, "work");
	/* Any case, and a subaddress of the from. */
	a = conf_account_for_sender(c, "ME+cron@Home.Example");
	assert_non_null(a);
	assert_string_equal(a->name, "home");
	a = conf_account_for_sender(c, "boss@other.example");
	assert_non_null(a);
	assert_string_equal(a->name, "work");
	a = conf_account_for_sender(c, "noreply@WORK.example");
	assert_non_null(a);
	assert_string_equal(a->name, "work");
	/* A plain address wins over an earlier account's pattern. */
	a = conf_account_for_sender(c, "lists@home.example");
	assert_non_null(a);
	assert_string_equal(a->name, "lists");
	a = conf_account_for_sender(c, "lists-dev@home.example");
	assert_non_null(a);
	assert_string_equal(a->name, "lists");
	assert_null(conf_account_for_sender(c, "stranger@else.example"));
	assert_null(conf_account_for_sender(c, ""));
	assert_null(conf_account_for_sender(c, "me+x@work.example.org"));
	conf_free(c);
}

/* The sendmail keys are read. */
static void
test_sendmail_keys(void **state)
{
	struct conf *c;
	const struct account *a;

	(void)state;
	c = load_ok("[account a]\nfrom = a@b.example\n"
	    "server = smtp://mail.b.example\n"
	    "sendmail_aliases = /etc/aliases\nqualify_domain = b.example\n");
	a = conf_account(c, NULL);
	assert_string_equal(a->sendmail_aliases, "/etc/aliases");
	assert_string_equal(a->qualify_domain, "b.example");
	assert_int_equal(c->nwarnings, 0);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_url_valid),
		T(test_account_for_sender),
		T(test_sendmail_keys),
		T(test_url_invalid),
		T(test_url_messages),
		T(test_url_free_zero),
		T(test_conf_every_key),
		T(test_conf_booleans),
		T(test_conf_quoting),
		T(test_conf_comments),
		T(test_conf_unknown_key),
		T(test_conf_duplicates),
		T(test_conf_default_account),
		T(test_conf_bad_default),
		T(test_conf_sections),
		T(test_conf_values),
		T(test_conf_password_mode),
		T(test_conf_long_line),
		T(test_conf_bad_bytes),
		T(test_conf_missing_files),
		T(test_conf_default_path),
		T(test_netrc_basic),
		T(test_netrc_default),
		T(test_netrc_quoted),
		T(test_netrc_comments_macdef),
		T(test_netrc_login_match),
		T(test_netrc_mode),
		T(test_netrc_files),
		T(test_password_ok),
		T(test_password_errors),
		T(test_password_environment),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
