/* when.h - the time a message is to be sent at: "2026-12-24 09:00", "09:00", "+2h". */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_WHEN_H
#define PIGEON_WHEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * The latest time when_parse() gives: the second before 2100-01-01 UTC,
 * the file time that marks an envelope as never due (outbox.c).
 */
#define WHEN_MAX INT64_C(4102444799)

/*
 * Read the time s, seen from now (seconds since the epoch), into *out:
 *
 *   YYYY-MM-DD HH:MM[:SS]   that day and time (a 'T' may stand for the
 *                           space, as in ISO 8601)
 *   HH:MM[:SS]              the next such time: today, or tomorrow when
 *                           it has passed today
 *   +DURATION               from now: one or more of a number and a unit,
 *                           d (days), h (hours), m (minutes), s
 *                           (seconds), each unit once: +30m, +2h, +1h30m
 *
 * A day and time is local time, in the zone of TZ (or the system's).  A
 * time that a daylight saving change skips or repeats is taken as
 * mktime(3) takes it with tm_isdst -1: with glibc, a skipped time (02:30
 * on the morning the clocks go forward from 02:00 to 03:00) is moved
 * forward by the length of the gap (03:30), and a repeated one (02:30 on
 * the morning the clocks go back) is one of the two, which the C library
 * picks (glibc: the second, in standard time).  "+1d" is 86400 seconds,
 * not the same time tomorrow.
 *
 * ERR_USAGE with a reason in *errstr (translated, naming the text given):
 * not one of the forms, a field out of range (month 13, February 30,
 * 24:00), a time not later than now (the error shows it as
 * when_format() does, and the time now), or later than WHEN_MAX.
 * ERR_NOMEM.  *errstr is replaced (freed first) only on error; errstr
 * may be NULL.
 */
enum err when_parse(const char *s, int64_t now, int64_t *out,
    char **errstr);

/*
 * t as local time, "YYYY-MM-DD HH:MM", with ":SS" when the seconds are
 * not 0, into out[0..len) (NUL-terminated; cut when len is short).
 * A t that localtime_r() cannot take is written as the number.
 */
void when_format(int64_t t, char *out, size_t len);

#endif
