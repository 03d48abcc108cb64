/* test_url_lmtp.c - url_parse() for LMTP: lmtp://host[:port] over TCP and lmtp:///path to a UNIX socket. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

/* s parses to an LMTP URL with these parts. */
static void
check_lmtp(const char *s, const char *host, const char *port, int local)
{
	struct url u;
	char *err = NULL;
	enum err e;

	e = url_parse(&u, s, &err);
	if (e != ERR_OK)
		fail_msg("'%s': %s, %s", s, err_name(e),
		    err != NULL ? err : "(no message)");
	assert_int_equal(u.scheme, URL_LMTP);
	assert_string_equal(u.host, host);
	assert_string_equal(u.port, port);
	assert_int_equal(u.local, local);
	assert_null(u.user);
	url_free(&u);
	assert_int_equal(u.local, 0);
}

static void
check_bad(const char *s, const char *why)
{
	struct url u;
	char *err = NULL;

	assert_int_equal(url_parse(&u, s, &err), ERR_CONFIG);
	assert_non_null(err);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", s, err, why);
	assert_null(u.host);
	free(err);
}

/* TCP: the host and port as for SMTP; 24 when no port is given. */
static void
test_lmtp_tcp(void **state)
{
	(void)state;
	check_lmtp("lmtp://mail.example.org", "mail.example.org", "24", 0);
	check_lmtp("lmtp://127.0.0.1:2003", "127.0.0.1", "2003", 0);
	check_lmtp("LMTP://[::1]:24", "::1", "24", 0);
	check_lmtp("lmtp://mx/", "mx", "24", 0);
}

/* A UNIX socket: the path after "lmtp://", absolute, escapes decoded. */
static void
test_lmtp_socket(void **state)
{
	(void)state;
	check_lmtp("lmtp:///var/run/dovecot/lmtp", "/var/run/dovecot/lmtp",
	    "", 1);
	check_lmtp("lmtp:///tmp/a%20b", "/tmp/a b", "", 1);
	/* '@' and ':' are path characters here, not a user or a port. */
	check_lmtp("lmtp:///run/x:y@z", "/run/x:y@z", "", 1);
}

static void
test_lmtp_socket_errors(void **state)
{
	char longp[200];

	(void)state;
	check_bad("lmtp:///", "there is no socket path");
	check_bad("lmtp:///run/a?b", "may not hold '?' or '#'");
	check_bad("lmtp:///run/a%zz", "broken %-escape");
	check_bad("lmtp:///run/a%0a", "control character");
	memset(longp, 'a', sizeof(longp));
	memcpy(longp, "lmtp:///", 8);
	longp[sizeof(longp) - 1] = '\0';
	check_bad(longp, "longer than the");
	/* Only lmtp:// has a socket form. */
	check_bad("smtp:///run/sock", "unexpected '/run/sock'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lmtp_tcp),
		cmocka_unit_test(test_lmtp_socket),
		cmocka_unit_test(test_lmtp_socket_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
