/* test_url.c - url_parse(): server URLs, their defaults, and every way a URL can be wrong. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "url.h"
#include "helper.h"

#define SEED 0x0b5e55edu

/* A fixed pseudo-random sequence, so failures repeat. */
static uint32_t rng = SEED;

/* s parses, and gives exactly these parts (user NULL: none). */
static void
check_ok(const char *s, enum url_scheme scheme, const char *user,
    const char *host, const char *port)
{
	struct url u;
	char *err = NULL;
	enum err e;

	e = url_parse(&u, s, &err);
	if (e != ERR_OK)
		fail_msg("'%s': %s, %s", test_vis(s, strlen(s)), err_name(e),
		    err != NULL ? err : "(no message)");
	/* Success leaves the caller's errstr alone. */
	assert_null(err);
	if (u.scheme != scheme)
		fail_msg("'%s': scheme %d, not %d", s, (int)u.scheme,
		    (int)scheme);
	if (user == NULL ? u.user != NULL : u.user == NULL ||
	    strcmp(u.user, user) != 0)
		fail_msg("'%s': user '%s', not '%s'", s,
		    u.user != NULL ? test_vis(u.user, strlen(u.user)) :
		    "(none)",
		    user != NULL ? user : "(none)");
	assert_non_null(u.host);
	if (strcmp(u.host, host) != 0)
		fail_msg("'%s': host '%s', not '%s'", s, u.host, host);
	if (strcmp(u.port, port) != 0)
		fail_msg("'%s': port '%s', not '%s'", s, u.port, port);
	url_free(&u);
}

/*
 * Is s refused with ERR_CONFIG, a message that names the URL and holds
 * why, and nothing left allocated in u?  Says what is wrong when not,
 * after freeing all, so that a failing case adds no leak report under
 * ASan.
 */
static int
refused(const char *s, const char *why)
{
	struct url u;
	char *err = NULL;
	enum err e;
	int bad = 0;

	e = url_parse(&u, s, &err);
	if (e != ERR_CONFIG) {
		print_error("'%s': %s, not ERR_CONFIG (%s)\n",
		    test_vis(s, strlen(s)), err_name(e),
		    err != NULL ? err : "no message");
		bad = 1;
	} else if (err == NULL || strncmp(err, "bad server URL '", 16) != 0 ||
	    strstr(err, why) == NULL) {
		print_error("'%s': message '%s' lacks '%s'\n",
		    test_vis(s, strlen(s)),
		    err != NULL ? test_vis(err, strlen(err)) : "(none)", why);
		bad = 1;
	} else if (u.user != NULL || u.host != NULL) {
		print_error("'%s': parts left set after an error\n", s);
		bad = 1;
	}
	if (e == ERR_OK)
		url_free(&u);
	free(err);
	return !bad;
}

static void
check_bad(const char *s, const char *why)
{
	if (!refused(s, why))
		fail();
}

/* Each scheme has its own default port; a bare host means smtp://. */
static void
test_url_schemes_and_default_ports(void **state)
{
	(void)state;
	check_ok("smtp://mail.example.org", URL_SMTP, NULL,
	    "mail.example.org", "587");
	check_ok("smtps://mail.example.org", URL_SMTPS, NULL,
	    "mail.example.org", "465");
	check_ok("smtp+plain://mail.example.org", URL_SMTP_PLAIN, NULL,
	    "mail.example.org", "25");
	check_ok("smtp+opportunistic://mail.example.org",
	    URL_SMTP_OPPORTUNISTIC, NULL, "mail.example.org", "25");
	check_ok("mail.example.org", URL_SMTP, NULL, "mail.example.org",
	    "587");
	/* The scheme is matched without regard to case; the host keeps its. */
	check_ok("SMTP://Mail.Example.ORG", URL_SMTP, NULL, "Mail.Example.ORG",
	    "587");
	check_ok("SmTpS://mx", URL_SMTPS, NULL, "mx", "465");
	check_ok("SMTP+PLAIN://mx", URL_SMTP_PLAIN, NULL, "mx", "25");
	/* A single trailing slash is allowed. */
	check_ok("smtp://mx/", URL_SMTP, NULL, "mx", "587");
	check_ok("smtps://mx:4650/", URL_SMTPS, NULL, "mx", "4650");
	check_ok("mx/", URL_SMTP, NULL, "mx", "587");
}

static void
test_url_explicit_ports(void **state)
{
	(void)state;
	check_ok("smtp://mx:25", URL_SMTP, NULL, "mx", "25");
	check_ok("smtps://mx:587", URL_SMTPS, NULL, "mx", "587");
	check_ok("smtp+plain://mx:2525", URL_SMTP_PLAIN, NULL, "mx", "2525");
	check_ok("mx:465", URL_SMTP, NULL, "mx", "465");
	/* The ends of the range. */
	check_ok("smtp://mx:1", URL_SMTP, NULL, "mx", "1");
	check_ok("smtp://mx:65535", URL_SMTP, NULL, "mx", "65535");
	/* Leading zeros are read as a number, so the port is canonical. */
	check_ok("smtp://mx:00025", URL_SMTP, NULL, "mx", "25");
	check_ok("smtp://mx:000000000000000465", URL_SMTP, NULL, "mx", "465");
}

static void
test_url_bad_ports(void **state)
{
	(void)state;
	check_bad("smtp://mx:0", "port must be 1 to 65535");
	check_bad("smtp://mx:00000", "port must be 1 to 65535");
	check_bad("smtp://mx:65536", "port must be 1 to 65535");
	check_bad("smtp://mx:99999", "port must be 1 to 65535");
	/* Long digit runs must not wrap around into the range. */
	check_bad("smtp://mx:18446744073709551617", "port must be 1 to 65535");
	check_bad("smtp://mx:4294967321", "port must be 1 to 65535");
	check_bad("smtp://mx:", "the port is empty");
	check_bad("smtp://mx:/", "the port is empty");
	check_bad("mx:", "the port is empty");
	check_bad("smtp://mx:abc", "the port must be a number");
	check_bad("smtp://mx:-1", "the port must be a number");
	check_bad("smtp://mx:+25", "the port must be a number");
	check_bad("smtp://mx: 25", "the port must be a number");
	check_bad("smtp://mx:0x19", "unexpected 'x19' after the port");
	check_bad("smtp://mx:25x", "unexpected 'x' after the port");
	check_bad("smtp://mx:1.5", "unexpected '.5' after the port");
	check_bad("smtp://mx:25 ", "unexpected ' ' after the port");
	/* Two colons without brackets look like an IPv6 address. */
	check_bad("smtp://mx:25:26", "must be written in brackets");
	check_bad("smtp://[::1]:", "the port is empty");
	check_bad("smtp://[::1]:0", "port must be 1 to 65535");
	check_bad("smtp://[::1]:70000", "port must be 1 to 65535");
	check_bad("smtp://[::1]:x", "the port must be a number");
}

/* The user part is percent-decoded; the last '@' ends it. */
static void
test_url_user(void **state)
{
	(void)state;
	check_ok("smtp://jane@mx", URL_SMTP, "jane", "mx", "587");
	check_ok("smtps://jane@mx:4650", URL_SMTPS, "jane", "mx", "4650");
	check_ok("smtp+plain://jane@mx", URL_SMTP_PLAIN, "jane", "mx", "25");
	check_ok("jane@mx:26", URL_SMTP, "jane", "mx", "26");
	check_ok("smtp://jane%40example.org@mx", URL_SMTP, "jane@example.org",
	    "mx", "587");
	/* A host cannot hold '@', so an unescaped one belongs to the user. */
	check_ok("smtp://jane@example.org@mx", URL_SMTP, "jane@example.org",
	    "mx", "587");
	check_ok("smtp://a@b@c@mx", URL_SMTP, "a@b@c", "mx", "587");
	check_ok("smtp://100%25@mx", URL_SMTP, "100%", "mx", "587");
	check_ok("smtp://a%20b@mx", URL_SMTP, "a b", "mx", "587");
	/* Hex digits in either case. */
	check_ok("smtp://a%2fb%2Fc@mx", URL_SMTP, "a/b/c", "mx", "587");
	check_ok("smtp://%3a@mx", URL_SMTP, ":", "mx", "587");
	/* Non-ASCII user names, escaped or written as they are. */
	check_ok("smtp://jos%C3%A9@mx", URL_SMTP, "jos\xc3\xa9", "mx", "587");
	check_ok("smtp://jos\xc3\xa9@mx", URL_SMTP, "jos\xc3\xa9", "mx", "587");
	check_ok("smtp://jane@[::1]:25", URL_SMTP, "jane", "::1", "25");
	check_ok("smtp://jane@mx/", URL_SMTP, "jane", "mx", "587");
}

static void
test_url_user_errors(void **state)
{
	(void)state;
	check_bad("smtp://@mx", "the user name is empty");
	check_bad("@mx", "the user name is empty");
	check_bad("smtp://a%4@mx", "broken %-escape");
	check_bad("smtp://a%@mx", "broken %-escape");
	check_bad("smtp://%@mx", "broken %-escape");
	check_bad("smtp://a%zz@mx", "broken %-escape");
	check_bad("smtp://a%g1@mx", "broken %-escape");
	check_bad("smtp://a%1@mx", "broken %-escape");
	/* %00 would cut the name short, %0D%0A would end the SMTP line. */
	check_bad("smtp://a%00b@mx", "the user name contains a control");
	check_bad("smtp://a%0d%0aRSET@mx", "the user name contains a control");
	check_bad("smtp://a%0Ab@mx", "the user name contains a control");
	check_bad("smtp://a%1b[2J@mx", "the user name contains a control");
	check_bad("smtp://a%7f@mx", "the user name contains a control");
	check_bad("smtp://a%09b@mx", "the user name contains a control");
	check_bad("smtp://jane:secret@mx", "a password does not belong");
	check_bad("jane:secret@mx", "a password does not belong");
	check_bad("smtp://jane@", "there is no host name");
	check_bad("smtp://jane@:25", "there is no host name");
}

/*
 * A C1 control (U+0080..U+009F) is a control character too: U+009B is
 * CSI on a terminal that honours C1, so it must be refused like ESC is,
 * whether it is escaped or written raw.
 */
static void
test_url_user_c1_control_refused(void **state)
{
	int bad = 0;

	(void)state;
	bad += !refused("smtp://a%C2%9B2J@mx", "control character");
	bad += !refused("smtp://a%c2%85b@mx", "control character");
	bad += !refused("smtp://a\xc2\x9b" "2J@mx", "control character");
	assert_int_equal(bad, 0);
}

static void
test_url_ipv6(void **state)
{
	(void)state;
	check_ok("smtp://[::1]", URL_SMTP, NULL, "::1", "587");
	check_ok("smtp://[::1]:25", URL_SMTP, NULL, "::1", "25");
	check_ok("smtps://[2001:db8::1]", URL_SMTPS, NULL, "2001:db8::1",
	    "465");
	check_ok("smtp+plain://[2001:DB8:0:0:0:0:0:1]:2525", URL_SMTP_PLAIN,
	    NULL, "2001:DB8:0:0:0:0:0:1", "2525");
	check_ok("[::1]:26", URL_SMTP, NULL, "::1", "26");
	check_ok("smtp://[::ffff:192.0.2.1]", URL_SMTP, NULL,
	    "::ffff:192.0.2.1", "587");
	check_ok("smtp://[::1]/", URL_SMTP, NULL, "::1", "587");

	check_bad("smtp://[::1", "']' is missing");
	check_bad("smtp://[::1:25", "']' is missing");
	check_bad("smtp://[]", "there is no host name");
	check_bad("smtp://[]:25", "there is no host name");
	check_bad("smtp://[nothex]", "'nothex' is not an IPv6 address");
	check_bad("smtp://[1.2.3.4]", "'1.2.3.4' is not an IPv6 address");
	check_bad("smtp://[::1::2]", "is not an IPv6 address");
	check_bad("smtp://[mx.example.org]", "is not an IPv6 address");
	/* Zone ids are not supported, escaped or not. */
	check_bad("smtp://[fe80::1%25eth0]", "is not an IPv6 address");
	check_bad("smtp://[fe80::1%eth0]", "is not an IPv6 address");
	/* Longer than any IPv6 address can be written. */
	check_bad("smtp://[0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]",
	    "is not an IPv6 address");
	check_bad("smtp://[::1]x", "unexpected 'x' after the IPv6 address");
	check_bad("smtp://[::1]]", "unexpected ']' after the IPv6 address");
	check_bad("smtp://[::1][::2]", "unexpected '[::2]' after the IPv6");
	check_bad("smtp://::1", "must be written in brackets");
	check_bad("smtp://2001:db8::1:25", "must be written in brackets");
	check_bad("::1", "must be written in brackets");
}

static void
test_url_host(void **state)
{
	struct buf b;
	char *s;
	int i;

	(void)state;
	check_ok("smtp://192.0.2.1", URL_SMTP, NULL, "192.0.2.1", "587");
	check_ok("smtp://127.0.0.1:2525", URL_SMTP, NULL, "127.0.0.1", "2525");
	check_ok("smtp://my_host-1.example", URL_SMTP, NULL,
	    "my_host-1.example", "587");
	check_ok("smtp://localhost", URL_SMTP, NULL, "localhost", "587");
	/* A fully qualified name may end in a dot. */
	check_ok("smtp://mx.example.org.", URL_SMTP, NULL, "mx.example.org.",
	    "587");

	check_bad("smtp://", "there is no host name");
	check_bad("smtp:///", "there is no host name");
	check_bad("smtp://:25", "there is no host name");
	check_bad(":25", "there is no host name");
	check_bad("/", "there is no host name");
	check_bad("smtp://mx host", "a host name may only hold");
	/* A UTF-8 name is an IDN (test_idn.c): as A-labels, or refused. */
	check_bad("smtp://h\xc3\xa9_x.example",
	    "not a valid internationalised domain name");
	check_bad("smtp://mx%2eexample", "a host name may only hold");
	check_bad("smtp://mx!", "a host name may only hold");
	check_bad("smtp://mx,my", "a host name may only hold");
	check_bad("smtp://mx\\evil", "a host name may only hold");
	check_bad("smtp://mx/path", "unexpected '/path' after the host name");
	check_bad("smtp://mx//", "unexpected '//'");
	check_bad("smtp://mx:25//", "unexpected '//'");
	check_bad("smtp://mx?q=1", "unexpected '?q=1'");
	check_bad("smtp://mx#frag", "unexpected '#frag'");
	check_bad("smtp://mx/?", "unexpected '/?'");

	/* 253 characters is the longest DNS name; one more is refused. */
	buf_init(&b, 1024);
	assert_int_equal(buf_addstr(&b, "smtp://"), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(buf_printf(&b, "%s%.62d", i > 0 ? "." : "", 0),
		    0);
	while (b.len < 7 + 253)
		assert_int_equal(buf_addch(&b, 'a'), 0);
	s = strdup(buf_str(&b));
	assert_non_null(s);
	check_ok(s, URL_SMTP, NULL, s + 7, "587");
	free(s);
	assert_int_equal(buf_addch(&b, 'a'), 0);
	check_bad(buf_str(&b), "the host name is longer than 253 characters");
	buf_free(&b);
}

/* Anything that is not one of our three schemes is refused by name. */
static void
test_url_unknown_schemes(void **state)
{
	(void)state;
	check_bad("http://mx", "unknown scheme 'http'");
	check_bad("smtpx://mx", "unknown scheme 'smtpx'");
	check_bad("smtp+tls://mx", "unknown scheme 'smtp+tls'");
	check_bad("submissions://mx", "unknown scheme 'submissions'");
	check_bad("lmtps://mx:24", "unknown scheme 'lmtps'");
	/* The message says what would be right. */
	check_bad("imap://mx", "use smtp://, smtps://, smtp+plain://, "
	    "smtp+opportunistic:// or lmtp://");
	/* "smtp" itself, but not followed by "://". */
	check_bad("smtp:/mx", "unexpected '/mx'");
	check_bad("smtp:mx", "the port must be a number");
	check_bad("mailto:postmaster", "the port must be a number");
	/* Not a scheme: a '/' before "://" and a leading digit. */
	check_bad("mx/a://b", "unexpected '/a://b'");
	check_bad("1smtp://mx", "unexpected '//mx'");
	check_bad("://mx", "unexpected '//mx'");
}

static void
test_url_empty_and_null(void **state)
{
	struct url u;
	char *err = NULL;

	(void)state;
	check_bad("", "it is empty");
	/* NULL is read as the empty string, not dereferenced. */
	assert_int_equal(url_parse(&u, NULL, &err), ERR_CONFIG);
	assert_non_null(err);
	assert_non_null(strstr(err, "it is empty"));
	assert_null(u.host);
	free(err);
	check_bad(" ", "a host name may only hold");
	check_bad(" smtp://mx", "unexpected '//mx'");
}

/*
 * Every control character is refused wherever it stands, and the message
 * shows it escaped: an error text must not be able to act on a terminal.
 */
static void
test_url_control_characters(void **state)
{
	static const char *const where[] = {
		"%csmtp://jane@mx:25", "smtp://%cjane@mx:25",
		"smtp://jane%c@mx:25", "smtp://jane@m%cx:25",
		"smtp://jane@mx%c:25", "smtp://jane@mx:2%c5",
		"smtp://jane@mx:25%c", "smtp://[::1%c]:25", "sm%ctp://mx",
	};
	char s[64], esc[8];
	struct url u;
	char *err;
	size_t i, k;
	int c;

	(void)state;
	for (c = 1; c < 0x80; c++) {
		if (c >= 0x20 && c < 0x7f)
			continue;
		(void)snprintf(esc, sizeof esc, "\\x%02x", c);
		for (i = 0; i < sizeof where / sizeof where[0]; i++) {
			(void)snprintf(s, sizeof s, where[i], c);
			err = NULL;
			assert_int_equal(url_parse(&u, s, &err), ERR_CONFIG);
			assert_null(u.host);
			assert_null(u.user);
			assert_non_null(err);
			if (strstr(err, "it contains a control character") ==
			    NULL || strstr(err, esc) == NULL)
				fail_msg("'%s': '%s'", test_vis(s, strlen(s)),
				    test_vis(err, strlen(err)));
			for (k = 0; err[k] != '\0'; k++)
				if ((unsigned char)err[k] < 0x20 ||
				    err[k] == 0x7f)
					fail_msg("'%s': raw control in '%s'",
					    test_vis(s, strlen(s)),
					    test_vis(err, strlen(err)));
			free(err);
		}
	}
	/* Checked before anything else: CR LF cannot sneak into a port. */
	check_bad("smtp://mx:25\r\nRSET", "control character");
	check_bad("smtp://jane:pw\x1b@mx", "control character");
}

/* A password written into the URL is refused and never echoed back. */
static void
test_url_password_never_shown(void **state)
{
	static const struct {
		const char *in, *shown, *secret;
	} t[] = {
		{ "smtp://jane:hunter2@mx", "'smtp://jane:***@mx'", "hunter2" },
		{ "SMTPS://jane:hunter2@mx:465/", "'SMTPS://jane:***@mx:465/'",
		    "hunter2" },
		{ "jane:hunter2@mx", "'jane:***@mx'", "hunter2" },
		/* ':' and '@' inside the password. */
		{ "smtp://jane:p@ss:w0rd@mx", "'smtp://jane:***@mx'", "w0rd" },
		{ "smtp://jane:a:b:c@[::1]:25", "'smtp://jane:***@[::1]:25'",
		    "a:b:c" },
		/* Refused for another reason, the password is still hidden. */
		{ "imap://jane:hunter2@mx", "'imap://jane:***@mx'", "hunter2" },
		{ "smtp://jane:hunter2@mx:0", "'smtp://jane:***@mx:0'",
		    "hunter2" },
		{ "smtp://jane:hunter2\t@mx", "'smtp://jane:***@mx'",
		    "hunter2" },
	};
	struct url u;
	char *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		err = NULL;
		assert_int_equal(url_parse(&u, t[i].in, &err), ERR_CONFIG);
		assert_non_null(err);
		if (strstr(err, t[i].shown) == NULL ||
		    strstr(err, t[i].secret) != NULL)
			fail_msg("'%s' shown as '%s'", test_vis(t[i].in,
			    strlen(t[i].in)), test_vis(err, strlen(err)));
		free(err);
	}
}

/* An empty password is redacted like any other: "***", once. */
static void
test_url_empty_password_shown_once(void **state)
{
	(void)state;
	check_bad("smtp://jane:@mx",
	    "'smtp://jane:***@mx': a password does not belong");
}

/*
 * A generated password often holds '/', '?' or '#'.  The URL is wrong
 * either way, but the message must not print the password, in the URL
 * it shows or in the reason it gives.
 */
static void
test_url_password_with_delimiters_not_shown(void **state)
{
	static const char *const in[] = {
		"smtp://jane:Sec/ret9@mx", "smtp://jane:Sec?ret9@mx",
		"smtp://jane:Sec#ret9@mx", "jane:Sec/ret9@mx:25",
	};
	struct url u;
	char *err;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		err = NULL;
		assert_int_equal(url_parse(&u, in[i], &err), ERR_CONFIG);
		assert_non_null(err);
		if (strstr(err, "Sec") != NULL || strstr(err, "ret9") != NULL) {
			print_error("'%s': the password shows in '%s'\n",
			    in[i], err);
			bad++;
		}
		free(err);
	}
	assert_int_equal(bad, 0);
}

/*
 * However long the URL, a wrong one is ERR_CONFIG with a message of
 * bounded length: a long path or scheme is a mistake in the
 * configuration, not a lack of memory.
 */
static void
test_url_long_input_is_config_error(void **state)
{
	static const struct {
		const char *head, *tail, *why;
		char fill;
	} t[] = {
		{ "smtp://", "", "the host name is longer than 253", 'a' },
		{ "smtp://mx/", "", "unexpected '/", 'a' },
		{ "smtp://mx:25", "", "port must be 1 to 65535", '5' },
		{ "smtp://mx:25", "x", "unexpected '", '5' },
		{ "", "://mx", "unknown scheme '", 's' },
		{ "smtp://", "@mx", "broken %-escape", '%' },
		{ "smtp://[", "]", "is not an IPv6 address", ':' },
		{ "smtp://mx?", "", "unexpected '?", 'q' },
	};
	struct buf b;
	struct url u;
	char *err;
	size_t i, n;
	enum err e;
	int bad = 0;

	(void)state;
	/* Every case runs, so that one report lists all that fail. */
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (n = 300; n <= 20000; n *= 4) {
			buf_init(&b, 32768);
			assert_int_equal(buf_addstr(&b, t[i].head), 0);
			while (b.len < strlen(t[i].head) + n)
				assert_int_equal(buf_addch(&b, t[i].fill), 0);
			assert_int_equal(buf_addstr(&b, t[i].tail), 0);
			err = NULL;
			e = url_parse(&u, buf_str(&b), &err);
			assert_null(u.host);
			if (e != ERR_CONFIG || err == NULL ||
			    strstr(err, t[i].why) == NULL) {
				print_error("'%s' + %zu '%c' + '%s': %s, "
				    "message '%.80s'\n", t[i].head, n,
				    t[i].fill, t[i].tail, err_name(e),
				    err != NULL ? err : "(none)");
				bad++;
			} else if (strlen(err) > 2200) {
				print_error("'%s' + %zu '%c' + '%s': a message "
				    "of %zu bytes\n", t[i].head, n, t[i].fill,
				    t[i].tail, strlen(err));
				bad++;
			}
			free(err);
			buf_free(&b);
		}
	}
	assert_int_equal(bad, 0);
}

/* errstr is optional; the error code does not depend on it. */
static void
test_url_errstr_optional(void **state)
{
	struct url u;

	(void)state;
	assert_int_equal(url_parse(&u, "http://mx", NULL), ERR_CONFIG);
	assert_null(u.host);
	assert_int_equal(url_parse(&u, "smtp://jane:pw@mx", NULL), ERR_CONFIG);
	assert_int_equal(url_parse(&u, "smtp://mx:0", NULL), ERR_CONFIG);
	assert_int_equal(url_parse(&u, "smtp://[::1", NULL), ERR_CONFIG);
	assert_int_equal(url_parse(&u, "smtp://jane@mx:99", NULL), ERR_OK);
	assert_string_equal(u.user, "jane");
	assert_string_equal(u.port, "99");
	url_free(&u);
}

/* url_free() may be called on NULL, twice, and after a failed parse. */
static void
test_url_free(void **state)
{
	struct url u;

	(void)state;
	url_free(NULL);
	assert_int_equal(url_parse(&u, "smtps://jane@mx", NULL), ERR_OK);
	url_free(&u);
	assert_null(u.user);
	assert_null(u.host);
	assert_string_equal(u.port, "");
	url_free(&u);
	/* A failure after the user part was decoded frees it. */
	assert_int_equal(url_parse(&u, "smtp://jane@mx:0", NULL), ERR_CONFIG);
	assert_null(u.user);
	url_free(&u);
	/* The struct is overwritten, whatever it held before. */
	memset(&u, 0xa5, sizeof u);
	assert_int_equal(url_parse(&u, "mx", NULL), ERR_OK);
	assert_null(u.user);
	url_free(&u);
	memset(&u, 0xa5, sizeof u);
	assert_int_equal(url_parse(&u, "mx:0", NULL), ERR_CONFIG);
	assert_null(u.user);
	assert_null(u.host);
}

/* Is s[0..n) a port number from 1 to 65535 without leading zeros? */
static int
port_ok(const char *s)
{
	size_t n = strlen(s), i;
	long v;

	if (n == 0 || n > 5 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	v = strtol(s, NULL, 10);
	return v >= 1 && v <= 65535;
}

/*
 * Random strings of URL pieces: whatever comes in, the result is a clean
 * success or ERR_CONFIG with a message, never a crash, a leak or a raw
 * control character in the message.
 */
static void
test_url_random(void **state)
{
	static const char *const pieces[] = {
		"smtp://", "smtps://", "smtp+plain://", "lmtp://", "://", "@",
		":", "[", "]", "::1", "%", "%40", "%0a", "%c2%9b", "/", "?",
		"#",
		"mx", "example.org", ".", "-", "_", "25", "0", "65535", "99999",
		"jane", "\x01", "\x1b", "\x7f", "\xc3\xa9", " ", "\t", "a",
	};
	struct buf b;
	struct url u;
	char *err;
	int iter, k, len;
	size_t i;
	enum err e;

	(void)state;
	for (iter = 0; iter < 50000; iter++) {
		buf_init(&b, 1024);
		len = (int)(test_rand(&rng) % 8);
		for (k = 0; k < len; k++)
			assert_int_equal(buf_addstr(&b, pieces[test_rand(&rng) %
			    (sizeof pieces / sizeof pieces[0])]), 0);
		err = NULL;
		e = url_parse(&u, buf_str(&b), &err);
		if (e == ERR_OK) {
			assert_null(err);
			assert_non_null(u.host);
			assert_true(u.host[0] != '\0');
			/* lmtp:///path: a UNIX socket has no port. */
			if (u.local ? u.port[0] != '\0' || u.host[0] != '/' :
			    !port_ok(u.port))
				fail_msg("seed %#x iter %d: '%s' gave port "
				    "'%s'", SEED, iter, test_vis(b.data, b.len),
				    u.port);
			if (u.user != NULL)
				for (i = 0; u.user[i] != '\0'; i++)
					if ((unsigned char)u.user[i] < 0x20 ||
					    u.user[i] == 0x7f)
						fail_msg("seed %#x iter %d: "
						    "'%s' gave a control in "
						    "the user", SEED, iter,
						    test_vis(b.data, b.len));
			url_free(&u);
		} else {
			if (e != ERR_CONFIG || err == NULL)
				fail_msg("seed %#x iter %d: '%s' gave %s", SEED,
				    iter, test_vis(b.data, b.len),
				    err_name(e));
			assert_null(u.host);
			assert_null(u.user);
			for (i = 0; err[i] != '\0'; i++)
				if ((unsigned char)err[i] < 0x20 ||
				    err[i] == 0x7f)
					fail_msg("seed %#x iter %d: raw "
					    "control in '%s'", SEED, iter,
					    test_vis(err, strlen(err)));
			free(err);
		}
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_schemes_and_default_ports),
		cmocka_unit_test(test_url_explicit_ports),
		cmocka_unit_test(test_url_bad_ports),
		cmocka_unit_test(test_url_user),
		cmocka_unit_test(test_url_user_errors),
		cmocka_unit_test(test_url_user_c1_control_refused),
		cmocka_unit_test(test_url_ipv6),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_url_unknown_schemes),
		cmocka_unit_test(test_url_empty_and_null),
		cmocka_unit_test(test_url_control_characters),
		cmocka_unit_test(test_url_password_never_shown),
		cmocka_unit_test(test_url_empty_password_shown_once),
		cmocka_unit_test(test_url_password_with_delimiters_not_shown),
		cmocka_unit_test(test_url_long_input_is_config_error),
		cmocka_unit_test(test_url_errstr_optional),
		cmocka_unit_test(test_url_free),
		cmocka_unit_test(test_url_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
