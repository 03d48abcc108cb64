/* when.c - read and show the time a message is to be sent at. */
/* SPDX-License-Identifier: ISC */
#include "when.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "util.h"

/* How much of a bad text an error quotes. */
#define WHEN_SHOWN_MAX 40

/* The fields of a day and time as given; -1: not given. */
struct when_tm {
	int year, mon, mday, hour, min, sec;
};

/* Exactly n digits at *p: their value, *p moved past them; -1 else. */
static int
digits(const char **p, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* "HH:MM[:SS]" at *p, to the end of the text. */
static int
clock_part(const char *p, struct when_tm *w)
{
	/* One digit for the hour is accepted too: "9:00". */
	if (p[0] >= '0' && p[0] <= '9' && p[1] == ':')
		w->hour = digits(&p, 1);
	else
		w->hour = digits(&p, 2);
	if (w->hour < 0 || *p++ != ':' || (w->min = digits(&p, 2)) < 0)
		return -1;
	w->sec = 0;
	if (*p == ':' && (++p, (w->sec = digits(&p, 2)) < 0))
		return -1;
	return *p == '\0' ? 0 : -1;
}

/* "YYYY-MM-DD HH:MM[:SS]" or "HH:MM[:SS]". */
static int
absolute(const char *p, struct when_tm *w)
{
	w->year = w->mon = w->mday = -1;
	if (strlen(p) > 10 && p[4] == '-') {
		if ((w->year = digits(&p, 4)) < 0 || *p++ != '-' ||
		    (w->mon = digits(&p, 2)) < 0 || *p++ != '-' ||
		    (w->mday = digits(&p, 2)) < 0 || (*p != ' ' && *p != 'T'))
			return -1;
		p++;
	}
	return clock_part(p, w);
}

/*
 * "+DURATION" after the '+': *secs, 0; -1 not a duration; -2 a unit
 * twice; -3 too long.
 */
static int
relative(const char *p, int64_t *secs)
{
	static const char units[] = "dhms";
	static const int64_t size[] = { 86400, 3600, 60, 1 };
	const char *u;
	unsigned seen = 0, bit;
	int64_t n, total = 0;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			if (n > WHEN_MAX / 10)
				return -3;
			n = n * 10 + (*p - '0');
		}
		if (*p == '\0' || (u = strchr(units, *p)) == NULL)
			return -1;
		bit = 1u << (u - units);
		if (seen & bit)
			return -2;
		seen |= bit;
		if (n > WHEN_MAX / size[u - units] ||
		    total > WHEN_MAX - n * size[u - units])
			return -3;
		total += n * size[u - units];
		p++;
	}
	*secs = total;
	return 0;
}

void
when_format(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (len == 0)
		return;
	if ((int64_t)tt != t || localtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, tm.tm_sec != 0 ? "%Y-%m-%d %H:%M:%S" :
	    "%Y-%m-%d %H:%M", &tm) == 0)
		(void)snprintf(out, len, "%lld", (long long)t);
}

/*
 * The local time of the fields w, a day away from today's date when
 * tomorrow is set and w has no date.  -1: a field out of range, or a
 * date that does not exist (mktime() would roll February 30 over).
 */
static int
local_time(const struct when_tm *w, int64_t now, int tomorrow, int64_t *out)
{
	time_t tt = (time_t)now, t;
	struct tm tm;

	if (w->hour > 23 || w->min > 59 || w->sec > 59 ||
	    localtime_r(&tt, &tm) == NULL)
		return -1;
	if (w->year >= 0) {
		if (w->mon < 1 || w->mon > 12 || w->mday < 1 || w->mday > 31)
			return -1;
		tm.tm_year = w->year - 1900;
		tm.tm_mon = w->mon - 1;
		tm.tm_mday = w->mday;
	} else if (tomorrow) {
		tm.tm_mday++;
	}
	tm.tm_hour = w->hour;
	tm.tm_min = w->min;
	tm.tm_sec = w->sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	/* The date rolled over: it does not exist.  (The hour may move: DST.) */
	if (w->year >= 0 && (tm.tm_year != w->year - 1900 ||
	    tm.tm_mon != w->mon - 1 || tm.tm_mday != w->mday))
		return -1;
	*out = (int64_t)t;
	return 0;
}

/* The text s, cut when long, for an error: into out. */
static void
shown(const char *s, char *out, size_t len)
{
	size_t n = strlen(s);

	if (n > WHEN_SHOWN_MAX) {
		n = WHEN_SHOWN_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	(void)snprintf(out, len, "%.*s%s", (int)n, s,
	    strlen(s) > n ? "..." : "");
}

static enum err
usage(char **errstr, const char *s)
{
	char q[WHEN_SHOWN_MAX + 8];

	shown(s, q, sizeof q);
	util_seterr(errstr, _("'%s' is not a time: give a day and time "
	    "like '2026-12-24 09:00', a time of day like '09:00', or a "
	    "delay like '+30m', '+2h', '+1d' or '+1h30m'"), q);
	return ERR_USAGE;
}

static enum err
from_now(const char *s, int64_t now, int64_t *out, char **errstr)
{
	char q[WHEN_SHOWN_MAX + 8];
	int64_t secs = 0;

	shown(s, q, sizeof q);
	switch (relative(s + 1, &secs)) {
	case 0:
		break;
	case -2:
		util_seterr(errstr, _("'%s': give each unit once"), q);
		return ERR_USAGE;
	case -3:
		util_seterr(errstr, _("'%s' is too far ahead"), q);
		return ERR_USAGE;
	default:
		return usage(errstr, s);
	}
	if (secs == 0) {
		util_seterr(errstr, _("'%s' is now: give a later time, or "
		    "send it now"), q);
		return ERR_USAGE;
	}
	if (now > WHEN_MAX - secs) {
		util_seterr(errstr, _("'%s' is too far ahead"), q);
		return ERR_USAGE;
	}
	*out = now + secs;
	return ERR_OK;
}

enum err
when_parse(const char *s, int64_t now, int64_t *out, char **errstr)
{
	struct when_tm w;
	char q[WHEN_SHOWN_MAX + 8], t[64], n[64];
	int64_t at;

	if (s == NULL)
		s = "";
	if (s[0] == '+')
		return from_now(s, now, out, errstr);
	if (absolute(s, &w) < 0)
		return usage(errstr, s);
	shown(s, q, sizeof q);
	if (local_time(&w, now, 0, &at) < 0) {
		util_seterr(errstr, _("'%s' is no such day or time"), q);
		return ERR_USAGE;
	}
	/* A time of day that has passed today is meant for tomorrow. */
	if (w.year < 0 && at <= now && local_time(&w, now, 1, &at) < 0) {
		util_seterr(errstr, _("'%s' is no such day or time"), q);
		return ERR_USAGE;
	}
	if (at <= now) {
		when_format(at, t, sizeof t);
		when_format(now, n, sizeof n);
		util_seterr(errstr, _("%s is in the past (it is %s now)"), t,
		    n);
		return ERR_USAGE;
	}
	if (at > WHEN_MAX) {
		util_seterr(errstr, _("'%s' is too far ahead"), q);
		return ERR_USAGE;
	}
	*out = at;
	return ERR_OK;
}
