/* test_https.c - unit tests for the HTTP/1.1 response reader of the HTTPS client: status, headers, Content-Length, chunks, to the end, caps. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "https.h"

static int
parse(const char *s, int eof, size_t max, struct https_response *rs,
    char **why)
{
	*why = NULL;
	return https_parse_response(s, strlen(s), eof, max, rs, why);
}

static void
test_length(void **state)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain"
	    "\r\ncontent-length: 5\r\n\r\nhello";
	struct https_response rs;
	char *why;
	size_t i;

	(void)state;
	assert_int_equal(parse(r, 0, 0, &rs, &why), 0);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.reason, "OK");
	assert_string_equal(https_header(&rs, "Content-Type"), "text/plain");
	assert_null(https_header(&rs, "Location"));
	assert_int_equal(rs.bodylen, 5);
	assert_string_equal(rs.body, "hello");
	https_response_free(&rs);
	/* Any prefix needs more; the whole at once or byte by byte alike. */
	for (i = 0; i < strlen(r); i++) {
		assert_int_equal(https_parse_response(r, i, 0, 0, &rs, &why),
		    1);
		assert_null(rs.body);
	}
	/* Cut short by the end of the connection. */
	assert_int_equal(https_parse_response(r, strlen(r) - 1, 1, 0, &rs,
	    &why), -1);
	assert_non_null(strstr(why, "ended before"));
	free(why);
}

static void
test_chunked(void **state)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n7\r\nversion\r\n3;ext=1\r\n: S\r\n4\r\nTSv1\r\n0\r\n"
	    "X-Trailer: 1\r\n\r\n";
	struct https_response rs;
	char *why;
	size_t i;

	(void)state;
	assert_int_equal(parse(r, 0, 0, &rs, &why), 0);
	assert_string_equal(rs.body, "version: STSv1");
	https_response_free(&rs);
	for (i = 0; i < strlen(r); i++)
		assert_int_equal(https_parse_response(r, i, 0, 0, &rs, &why),
		    1);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\nzz\r\n", 0, 0, &rs, &why), -1);
	assert_non_null(strstr(why, "chunked"));
	free(why);
	assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n", 0, 8, &rs,
	    &why), -1);
	assert_non_null(strstr(why, "larger than 8"));
	free(why);
}

static void
test_to_eof_and_status(void **state)
{
	struct https_response rs;
	char *why;

	(void)state;
	assert_int_equal(parse("HTTP/1.0 200 OK\nX: y\n\nall of it", 0, 0, &rs,
	    &why), 1);
	assert_int_equal(parse("HTTP/1.0 200 OK\nX: y\n\nall of it", 1, 0, &rs,
	    &why), 0);
	assert_string_equal(rs.body, "all of it");
	https_response_free(&rs);
	assert_int_equal(parse("HTTP/1.1 301 Moved Permanently\r\nLocation: "
	    "https://b.test/\r\nContent-Length: 0\r\n\r\n", 0, 0, &rs, &why),
	    0);
	assert_int_equal(rs.status, 301);
	assert_string_equal(https_header(&rs, "location"), "https://b.test/");
	https_response_free(&rs);
	assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", 0, 0, &rs,
	    &why), 0);
	assert_int_equal(rs.bodylen, 0);
	https_response_free(&rs);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"SSH-2.0-OpenSSH\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/2 200\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
	};
	struct https_response rs;
	char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], 1, 4, &rs, &why), -1);
		assert_non_null(why);
		assert_null(rs.reason);
		free(why);
	}
	assert_int_equal(parse("", 1, 0, &rs, &why), -1);
	assert_non_null(strstr(why, "without an answer"));
	free(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_to_eof_and_status),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
