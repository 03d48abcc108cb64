/* test_qid.c - short message ids and the abbreviations that name one: unique, ambiguous, unknown, and names that are not pigeon's. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mdname.h"
#include "qid.h"

#define A "1712345678.M000001P100R0a1b2c3d4e5f6071.host"
#define B "1712345678.M000002P100R0a1b2c3dffffffff.host"
#define C "1712345679.M000003P101R9988776655443322.host"
#define D "1712345680.M000004P102R1712345680aaaaaa.host"
#define ODD "some-file-of-another-program"

static const char *const ids[] = { A, B, C, D, ODD };
#define N (sizeof(ids) / sizeof(ids[0]))

/* The short form of ids[i], as a string. */
static const char *
shortf(size_t i)
{
	static char out[128];
	size_t len = 0;
	const char *p = qid_short(ids, N, i, &len);

	assert_true(len < sizeof(out));
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

static void
test_short_forms(void **state)
{
	size_t i, found[4];

	(void)state;
	/* A and B share 8 digits: 9 each.  C needs no more than 8. */
	assert_string_equal(shortf(0), "0a1b2c3d4");
	assert_string_equal(shortf(1), "0a1b2c3df");
	assert_string_equal(shortf(2), "99887766");
	/* D's hex starts like the others' names (its own does not count). */
	assert_string_equal(shortf(3), "171234568");
	/* No random part: the whole name. */
	assert_string_equal(shortf(4), ODD);
	/* Every short form names its id alone. */
	for (i = 0; i < N; i++) {
		assert_int_equal(qid_match(ids, N, shortf(i), found, 4), 1);
		assert_int_equal(found[0], i);
	}
	/* Alone, a message gets the minimum. */
	assert_string_equal(qid_short(ids, 1, 0, &i), A + 23);
	assert_int_equal(i, QID_SHORT_MIN);
}

static void
test_match(void **state)
{
	size_t found[4];

	(void)state;
	/* The whole id, a prefix of it, a prefix of its hex in any case. */
	assert_int_equal(qid_match(ids, N, C, found, 4), 1);
	assert_int_equal(found[0], 2);
	assert_int_equal(qid_match(ids, N, "1712345679", found, 4), 1);
	assert_int_equal(found[0], 2);
	assert_int_equal(qid_match(ids, N, "9988", found, 4), 1);
	assert_int_equal(found[0], 2);
	assert_int_equal(qid_match(ids, N, "0A1B2C3DF", found, 4), 1);
	assert_int_equal(found[0], 1);
	assert_int_equal(qid_match(ids, N, "some-file", found, 4), 1);
	assert_int_equal(found[0], 4);
	/* Ambiguous: every one is counted, the first max given. */
	assert_int_equal(qid_match(ids, N, "0a1b2c3d", found, 4), 2);
	assert_int_equal(found[0], 0);
	assert_int_equal(found[1], 1);
	assert_int_equal(qid_match(ids, N, "171234567", found, 1), 3);
	assert_int_equal(found[0], 0);
	/* D by its name's start, by its hex, and both at once. */
	assert_int_equal(qid_match(ids, N, "17123456", found, 4), 4);
	assert_int_equal(qid_match(ids, N, "1712345680a", found, 4), 1);
	assert_int_equal(found[0], 3);
	/* Too short to be an abbreviation; nothing like it; not the host. */
	assert_int_equal(qid_match(ids, N, "998", found, 4), 0);
	assert_int_equal(qid_match(ids, N, "", found, 4), 0);
	assert_int_equal(qid_match(ids, N, "deadbeef", found, 4), 0);
	assert_int_equal(qid_match(ids, N, "host", found, 4), 0);
	assert_int_equal(qid_match(ids, N, "M000", found, 4), 0);
	/* Longer than the hex: not its abbreviation. */
	assert_int_equal(qid_match(ids, N, "99887766554433221", found, 4), 0);
	/* The same id twice (a message in two folders) counts once. */
	{
		const char *const twice[] = { A, C, A };

		assert_int_equal(qid_match(twice, 3, "0a1b", found, 4), 1);
		assert_int_equal(found[0], 0);
		assert_string_equal(qid_short(twice, 3, 2, found), A + 23);
		assert_int_equal(found[0], QID_SHORT_MIN);
	}
	/* An exact id wins over the abbreviations it is one of. */
	{
		const char *const v[] = { "1234abcd-long", "1234abcd" };

		assert_int_equal(qid_match(v, 2, "1234abcd", found, 4), 1);
		assert_int_equal(found[0], 1);
	}
}

/* Names made by mdname_unique(): their short forms are 8 hex digits and name them. */
static void
test_real_names(void **state)
{
	char *v[64];
	size_t i, len, found[2];

	(void)state;
	for (i = 0; i < 64; i++)
		assert_non_null(v[i] = mdname_unique());
	for (i = 0; i < 64; i++) {
		const char *s = qid_short((const char *const *)v, 64, i, &len);
		char buf[QID_SHORT_MAX];

		assert_true(len >= QID_SHORT_MIN && len < QID_SHORT_MAX);
		memcpy(buf, s, len);
		buf[len] = '\0';
		assert_int_equal(qid_match((const char *const *)v, 64, buf,
		    found, 2), 1);
		assert_int_equal(found[0], i);
	}
	for (i = 0; i < 64; i++)
		free(v[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_real_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
