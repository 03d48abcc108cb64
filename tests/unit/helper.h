/* helper.h - small things every unit test wants: repeatable randomness, readable bytes. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TEST_HELPER_H
#define PIGEON_TEST_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "transcript.h"

/*
 * In a test: skips it, saying why, unless configure was given
 * --enable-test-hooks (the fault injection of src/maildir.h).  cmocka's
 * skip() and print_message() must be in scope (include cmocka.h first).
 */
#ifdef PIGEON_TEST_HOOKS
#define TEST_NEED_HOOKS() ((void)0)
#else
#define TEST_NEED_HOOKS() do { \
		print_message("skipped: needs a build with test hooks " \
		    "(./configure --enable-test-hooks)\n"); \
		skip(); \
	} while (0)
#endif

/* The next number of a fixed xorshift32 sequence, so failures repeat. */
uint32_t test_rand(uint32_t *state);

/*
 * in[0..n) for a failure message: CR and LF as \r and \n, other bytes
 * outside printable ASCII as \xHH, cut with "..." past about 2000
 * characters.  The result lives until the fourth call after this one.
 */
const char *test_vis(const char *in, size_t n);

/* Remove path and, for a directory, all that is in it; errors ignored. */
void test_rm_rf(const char *path);

/*
 * A cmocka group setup and teardown for tests that write files: a fresh
 * directory under /tmp, named by test_dir, removed with all it holds.
 */
extern char test_dir[];
int test_dir_setup(void **state);
int test_dir_teardown(void **state);

/* Is there an event of this kind in tr's history whose text holds needle? */
int test_has_event(const struct transcript *tr, enum tr_kind kind,
    const char *needle);

#endif
