/* test_when.c - the send-later time: day and time, time of day, delays, DST, errors. */
/* SPDX-License-Identifier: ISC */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "err.h"
#include "when.h"
#include "helper.h"

/*
 * Central European time as a POSIX TZ rule, so that no tzdata is needed:
 * UTC+1, summer time UTC+2 from the last Sunday of March 02:00 to the
 * last Sunday of October 03:00.
 */
#define TZ_CET "CET-1CEST,M3.5.0,M10.5.0/3"

/* 2026-12-06 04:00:00 UTC, 05:00 in Berlin: "now" in these tests. */
#define NOW INT64_C(1796529600)

static int
set_tz(void **state)
{
	(void)state;
	if (setenv("TZ", TZ_CET, 1) != 0)
		return -1;
	tzset();
	return 0;
}

/* when_parse(s) at NOW must give want. */
static void
ok(const char *s, int64_t want)
{
	char *why = NULL;
	int64_t got = -1;

	assert_int_equal(when_parse(s, NOW, &got, &why), ERR_OK);
	assert_null(why);
	if (got != want)
		fail_msg("%s: %lld, want %lld", s, (long long)got,
		    (long long)want);
}

/* when_parse(s) at now must fail with a reason that contains part. */
static void
bad_at(const char *s, int64_t now, const char *part)
{
	char *why = NULL;
	int64_t got = 12345;

	assert_int_equal(when_parse(s, now, &got, &why), ERR_USAGE);
	assert_int_equal(got, 12345);
	assert_non_null(why);
	if (strstr(why, part) == NULL)
		fail_msg("%s: '%s' does not say '%s'", s, why, part);
	free(why);
}

static void
bad(const char *s, const char *part)
{
	bad_at(s, NOW, part);
}

static void
test_absolute(void **state)
{
	(void)state;
	/* 2026-12-24 09:00 CET is 08:00 UTC. */
	ok("2026-12-24 09:00", INT64_C(1798099200));
	ok("2026-12-24T09:00", INT64_C(1798099200));
	ok("2026-12-24 09:00:30", INT64_C(1798099230));
	ok("2026-12-24 9:00", INT64_C(1798099200));
	/* Summer time: 2027-07-01 12:00 CEST is 10:00 UTC. */
	ok("2027-07-01 12:00", INT64_C(1814436000));
	/* A minute ahead of now (05:00 local) counts. */
	ok("2026-12-06 05:01", NOW + 60);
	ok("2099-12-31 23:59:59", INT64_C(4102441199));
}

static void
test_time_of_day(void **state)
{
	(void)state;
	/* Later today. */
	ok("09:00", NOW + 4 * 3600);
	ok("05:00:01", NOW + 1);
	/* Passed today (or now): tomorrow. */
	ok("04:30", NOW + 86400 - 30 * 60);
	ok("05:00", NOW + 86400);
	ok("00:00", NOW + 19 * 3600);
	ok("23:59:59", NOW + 19 * 3600 - 1);
}

static void
test_relative(void **state)
{
	(void)state;
	ok("+30m", NOW + 1800);
	ok("+2h", NOW + 7200);
	ok("+1d", NOW + 86400);
	ok("+1h30m", NOW + 5400);
	ok("+1d2h3m4s", NOW + 86400 + 7200 + 180 + 4);
	ok("+90m", NOW + 5400);
	ok("+10s", NOW + 10);
	ok("+007m", NOW + 420);
}

/* Days the clocks change: what mktime() with tm_isdst -1 does. */
static void
test_dst(void **state)
{
	char *why = NULL;
	int64_t got = 0;

	(void)state;
	/* 2027-03-28: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist. */
	ok("2027-03-28 01:59", INT64_C(1806195540));
	ok("2027-03-28 03:00", INT64_C(1806195600));
	ok("2027-03-28 02:30", INT64_C(1806197400));    /* 03:30 CEST */
	/* 2027-10-31: 03:00 CEST goes back to 02:00 CET; 02:30 is twice. */
	assert_int_equal(when_parse("2027-10-31 02:30", NOW, &got, &why),
	    ERR_OK);
	assert_true(got == INT64_C(1824942600) || got == INT64_C(1824946200));
	ok("2027-10-31 01:30", INT64_C(1824942600) - 3600);
	ok("2027-10-31 03:30", INT64_C(1824946200) + 3600);
	/* 2027-03-27 03:00 CET (02:00 UTC): "02:30" is tomorrow, in the gap. */
	assert_int_equal(when_parse("02:30", INT64_C(1806112800), &got, &why),
	    ERR_OK);
	assert_int_equal(got, INT64_C(1806197400));
}

/* The zone is the one TZ names: the same text, another instant. */
static void
test_zone(void **state)
{
	char *why = NULL;
	int64_t got = 0;

	(void)state;
	assert_int_equal(setenv("TZ", "UTC0", 1), 0);
	tzset();
	assert_int_equal(when_parse("2026-12-24 09:00", NOW, &got, &why),
	    ERR_OK);
	assert_int_equal(got, INT64_C(1798102800));
	assert_int_equal(setenv("TZ", TZ_CET, 1), 0);
	tzset();
}

static void
test_past(void **state)
{
	(void)state;
	bad("2026-12-06 04:59", "2026-12-06 04:59 is in the past "
	    "(it is 2026-12-06 05:00 now)");
	bad("2026-12-06 05:00", "is in the past");
	bad("2020-01-01 00:00", "2020-01-01 00:00 is in the past");
	bad("+0m", "is now");
	bad("+0h0m", "is now");
}

static void
test_errors(void **state)
{
	(void)state;
	bad("", "'' is not a time");
	bad("tomorrow", "'tomorrow' is not a time");
	bad("+", "is not a time");
	bad("+2", "is not a time");
	bad("+h", "is not a time");
	bad("+2x", "is not a time");
	bad("+-2h", "is not a time");
	bad("+2h ", "is not a time");
	bad("+1h1h", "give each unit once");
	bad("+99999999999999999999d", "too far ahead");
	bad("+40000d", "too far ahead");
	bad("2026-12-24", "is not a time");
	bad("2026-12-24 09", "is not a time");
	bad("2026-12-24 09:0", "is not a time");
	bad("2026-12-24 09:00 ", "is not a time");
	bad(" 2026-12-24 09:00", "is not a time");
	bad("2026-12-24  09:00", "is not a time");
	bad("2026/12/24 09:00", "is not a time");
	bad("26-12-24 09:00", "is not a time");
	bad("9", "is not a time");
	bad("0900", "is not a time");
	bad("09:00pm", "is not a time");
	bad("2026-13-01 09:00", "no such day or time");
	bad("2026-00-01 09:00", "no such day or time");
	bad("2027-02-29 09:00", "no such day or time");
	bad("2026-11-31 09:00", "no such day or time");
	bad("2026-12-00 09:00", "no such day or time");
	bad("2026-12-24 24:00", "no such day or time");
	bad("2026-12-24 09:60", "no such day or time");
	bad("2026-12-24 09:00:60", "no such day or time");
	bad("25:00", "no such day or time");
	bad("2100-01-01 01:00", "too far ahead");
	/* A long text is cut in the message. */
	bad("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a time");
}

/* A leap day that exists. */
static void
test_leap(void **state)
{
	(void)state;
	ok("2028-02-29 12:00", INT64_C(1835434800));
}

static void
test_format(void **state)
{
	char b[64];

	(void)state;
	when_format(INT64_C(1798099200), b, sizeof b);
	assert_string_equal(b, "2026-12-24 09:00");
	when_format(INT64_C(1798099230), b, sizeof b);
	assert_string_equal(b, "2026-12-24 09:00:30");
	when_format(INT64_C(1814436000), b, sizeof b);
	assert_string_equal(b, "2027-07-01 12:00");
	/* Cut to the room there is, never overrun. */
	memset(b, 'x', sizeof b);
	when_format(INT64_C(1798099200), b, 5);
	assert_true(memchr(b, '\0', 5) != NULL);
	assert_int_equal(b[5], 'x');
}

/* What when_format() writes, when_parse() reads back. */
static void
test_round_trip(void **state)
{
	char b[64], c[64], *why = NULL;
	int64_t t, got;

	(void)state;
	for (t = NOW + 1; t < NOW + 400 * 86400; t += 86400 / 7 + 13) {
		when_format(t, b, sizeof b);
		assert_int_equal(when_parse(b, NOW, &got, &why), ERR_OK);
		/* In the hour that comes twice, either is right. */
		when_format(got, c, sizeof c);
		assert_string_equal(b, c);
		assert_true(got == t || got == t + 3600 || got == t - 3600);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_time_of_day),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_zone),
		cmocka_unit_test(test_past),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_leap),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, set_tz, NULL);
}
