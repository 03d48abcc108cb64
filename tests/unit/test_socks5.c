/* test_socks5.c - unit tests for the SOCKS5 handshake (exact bytes out, replies fed whole and one byte at a time) and the proxy URL. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "socks5.h"

/* Take everything s has to send and compare it with want. */
static void
expect_out(struct socks5 *s, const void *want, size_t n)
{
	const unsigned char *out;
	size_t len;

	assert_int_equal(socks5_state(s), SOCKS5_WRITE);
	out = socks5_output(s, &len);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, n);
	socks5_sent(s, len);
	assert_int_equal(socks5_state(s), SOCKS5_READ);
}

/* Feed a reply whole, or one byte at a time; never more than asked for. */
static void
feed(struct socks5 *s, const void *buf, size_t n, int bytewise)
{
	const unsigned char *p = buf;
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = bytewise ? 1 : socks5_need(s);
		assert_true(k > 0 && k <= n - i);
		socks5_feed(s, p + i, k);
	}
}

static void
run_login(int bytewise)
{
	static const unsigned char hello[] = { 5, 2, 0, 2 };
	static const unsigned char login[] = { 1, 2, 'm', 'e', 3, 'p', 'w',
	    'd' };
	static const unsigned char conn[] = { 5, 1, 0, 3, 9, 'm', 'x', '.',
	    'e', 'x', '.', 'o', 'r', 'g', 0x02, 0x4b };
	/* Bound to a name of 3 bytes: its length decides the reply's. */
	static const unsigned char ok[] = { 5, 0, 0, 3, 3, 'a', 'b', 'c', 0,
	    25 };
	struct socks5 *s;

	s = socks5_new("me", "pwd", "mx.ex.org", "587", NULL, NULL);
	assert_non_null(s);
	expect_out(s, hello, sizeof(hello));
	feed(s, "\x05\x02", 2, bytewise);
	expect_out(s, login, sizeof(login));
	feed(s, "\x01\x00", 2, bytewise);
	expect_out(s, conn, sizeof(conn));
	feed(s, ok, sizeof(ok), bytewise);
	assert_int_equal(socks5_state(s), SOCKS5_DONE);
	assert_int_equal(socks5_need(s), 0);
	assert_int_equal(socks5_error(s, NULL), ERR_OK);
	socks5_free(s);
}

static void
test_login_whole(void **state)
{
	(void)state;
	run_login(0);
}

static void
test_login_bytewise(void **state)
{
	(void)state;
	run_login(1);
}

static void
test_no_login_ipv6_bound(void **state)
{
	static const unsigned char hello[] = { 5, 1, 0 };
	unsigned char ok[4 + 16 + 2] = { 5, 0, 0, 4 };
	struct socks5 *s;

	(void)state;
	s = socks5_new(NULL, NULL, "h", "25", NULL, NULL);
	assert_non_null(s);
	expect_out(s, hello, sizeof(hello));
	feed(s, "\x05\x00", 2, 0);
	expect_out(s, "\x05\x01\x00\x03\x01h\x00\x19", 8);
	feed(s, ok, sizeof(ok), 1);
	assert_int_equal(socks5_state(s), SOCKS5_DONE);
	socks5_free(s);
}

static void
test_literals(void **state)
{
	static const unsigned char v4[] = { 5, 1, 0, 1, 192, 0, 2, 1, 0, 25 };
	static const unsigned char v6[] = { 5, 1, 0, 4, 0x20, 0x01, 0x0d,
	    0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x4b };
	struct socks5 *s;

	(void)state;
	s = socks5_new(NULL, NULL, "192.0.2.1", "25", NULL, NULL);
	expect_out(s, "\x05\x01\x00", 3);
	feed(s, "\x05\x00", 2, 0);
	expect_out(s, v4, sizeof(v4));
	socks5_free(s);
	s = socks5_new(NULL, NULL, "2001:db8::1", "587", NULL, NULL);
	expect_out(s, "\x05\x01\x00", 3);
	feed(s, "\x05\x00", 2, 0);
	expect_out(s, v6, sizeof(v6));
	socks5_free(s);
}

static void
test_refusals(void **state)
{
	struct socks5 *s;
	const char *why;

	(void)state;
	/* A refused destination: a temporary failure, in words. */
	s = socks5_new(NULL, NULL, "h", "25", NULL, NULL);
	expect_out(s, "\x05\x01\x00", 3);
	feed(s, "\x05\x00", 2, 0);
	expect_out(s, "\x05\x01\x00\x03\x01h\x00\x19", 8);
	feed(s, "\x05\x05\x00\x01\x00", 5, 0);
	assert_int_equal(socks5_state(s), SOCKS5_FAILED);
	assert_int_equal(socks5_error(s, &why), ERR_NET);
	assert_non_null(strstr(why, "connection refused by the destination "
	    "host"));
	socks5_free(s);

	/* A refused login: the account's settings. */
	s = socks5_new("u", "p", "h", "25", NULL, NULL);
	expect_out(s, "\x05\x02\x00\x02", 4);
	feed(s, "\x05\x02", 2, 0);
	expect_out(s, "\x01\x01u\x01p", 5);
	feed(s, "\x01\x01", 2, 0);
	assert_int_equal(socks5_error(s, &why), ERR_CONFIG);
	assert_non_null(strstr(why, "refused the login"));
	socks5_free(s);

	/* No method acceptable (0xff). */
	s = socks5_new(NULL, NULL, "h", "25", NULL, NULL);
	expect_out(s, "\x05\x01\x00", 3);
	feed(s, "\x05\xff", 2, 0);
	assert_int_equal(socks5_error(s, &why), ERR_CONFIG);
	assert_non_null(strstr(why, "no acceptable authentication method"));
	socks5_free(s);

	/* Not a SOCKS5 server at all. */
	s = socks5_new(NULL, NULL, "h", "25", NULL, NULL);
	expect_out(s, "\x05\x01\x00", 3);
	feed(s, "HT", 2, 0);
	assert_int_equal(socks5_error(s, NULL), ERR_NET);
	socks5_free(s);
}

static void
test_too_long(void **state)
{
	char host[300];
	char *why = NULL;

	(void)state;
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	assert_null(socks5_new(NULL, NULL, host, "25", NULL, &why));
	assert_non_null(why);
	free(why);
}

static void
test_url(void **state)
{
	struct socks5_url u;
	char *why = NULL;

	(void)state;
	assert_int_equal(socks5_url_parse(&u, "socks5://127.0.0.1:1080", NULL),
	    ERR_OK);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "1080");
	assert_null(u.user);
	socks5_url_free(&u);

	assert_int_equal(socks5_url_parse(&u, "socks5h://me:p%40ss%3a@[::1]:9050",
	    NULL), ERR_OK);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "9050");
	assert_string_equal(u.user, "me");
	assert_string_equal(u.password, "p@ss:");
	socks5_url_free(&u);

	assert_int_equal(socks5_url_parse(&u, "socks5://proxy", NULL), ERR_OK);
	assert_string_equal(u.port, "1080");
	socks5_url_free(&u);

	/* Errors never quote the password. */
	assert_int_equal(socks5_url_parse(&u, "http://me:hunter2@p:1", &why),
	    ERR_CONFIG);
	assert_null(strstr(why, "hunter2"));
	free(why);
	why = NULL;
	assert_int_equal(socks5_url_parse(&u, "socks5://me:hunter2@p:0", &why),
	    ERR_CONFIG);
	assert_null(strstr(why, "hunter2"));
	free(why);
	why = NULL;
	assert_int_equal(socks5_url_parse(&u, "socks5://me:%zz@p:1", &why),
	    ERR_CONFIG);
	free(why);
	assert_int_equal(socks5_url_parse(&u, "socks5://:1", NULL), ERR_CONFIG);
	assert_int_equal(socks5_url_parse(&u, "socks5://p:1/x", NULL),
	    ERR_CONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_whole),
		cmocka_unit_test(test_login_bytewise),
		cmocka_unit_test(test_no_login_ipv6_bound),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
