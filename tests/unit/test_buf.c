/* test_buf.c - reading a file descriptor into a bounded buffer. */
/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"

/* A pipe holding n bytes of a pattern, its write end closed. */
static int
pipe_with(size_t n)
{
	char data[4096];
	int fds[2];
	size_t i;

	assert_true(n <= sizeof(data));
	for (i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], data, n), (ssize_t)n);
	(void)close(fds[1]);
	return fds[0];
}

static void
test_read_fd(void **state)
{
	struct buf b;
	int fd;

	(void)state;
	/* Exactly the maximum fits; one byte more is E2BIG. */
	buf_init(&b, 3000);
	fd = pipe_with(3000);
	assert_int_equal(buf_read_fd(&b, fd), 0);
	assert_int_equal(b.len, 3000);
	assert_int_equal(b.data[2999], 'a' + 2999 % 26);
	assert_int_equal(b.data[3000], '\0');
	(void)close(fd);
	buf_free(&b);

	buf_init(&b, 2999);
	fd = pipe_with(3000);
	errno = 0;
	assert_int_equal(buf_read_fd(&b, fd), -1);
	assert_int_equal(errno, E2BIG);
	(void)close(fd);
	buf_free(&b);

	/* Appends after what is there; an empty input is fine. */
	buf_init(&b, 100);
	assert_int_equal(buf_addstr(&b, "xy"), 0);
	fd = pipe_with(3);
	assert_int_equal(buf_read_fd(&b, fd), 0);
	assert_string_equal(buf_str(&b), "xyabc");
	(void)close(fd);
	fd = pipe_with(0);
	assert_int_equal(buf_read_fd(&b, fd), 0);
	assert_int_equal(b.len, 5);
	(void)close(fd);
	/* A bad descriptor is an error, not an empty file. */
	assert_int_equal(buf_read_fd(&b, -1), -1);
	assert_int_equal(errno, EBADF);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
