/* mdname.c - Maildir message names: unique ones, what a name may be, the info part with its flags, whose a name is. */
/* SPDX-License-Identifier: ISC */
#include "mdname.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* s with every byte outside printable ASCII as \xHH: safe to show. */
char *
mdname_vis(const char *s)
{
	size_t n = strlen(s), i, o = 0;
	char *out;

	if (n > (SIZE_MAX - 1) / 4 || (out = malloc(4 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f) {
			(void)snprintf(out + o, 5, "\\x%02X", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/* Could s be a unique name?  Then it is safe to use as a file name, too. */
int
mdname_ok(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return 0;
	return 1;
}

/*
 * The info part ":2,FLAGS" for flags: letters only, put in ASCII order,
 * each once (the Maildir convention).  0, or -1 when flags holds anything
 * else.
 */
int
mdname_info(const char *flags, char out[MDNAME_INFO_MAX])
{
	unsigned char seen[128] = { 0 };
	size_t o = 3;
	int c;

	for (; *flags != '\0'; flags++) {
		c = (unsigned char)*flags;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return -1;
		seen[c] = 1;
	}
	memcpy(out, ":2,", 3);
	for (c = 0; c < 128; c++)
		if (seen[c])
			out[o++] = (char)c;
	out[o] = '\0';
	return 0;
}

/* gethostname() with '/' and ':' escaped as the Maildir convention asks. */
char *
mdname_host(void)
{
	char host[256], *out;
	size_t i, o = 0, n;

	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (host[0] == '\0')
		(void)snprintf(host, sizeof(host), "localhost");
	n = strlen(host);
	if ((out = malloc(4 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (host[i] == '/' || host[i] == ':') {
			memcpy(out + o, host[i] == '/' ? "\\057" : "\\072", 4);
			o += 4;
		} else {
			out[o++] = host[i];
		}
	}
	out[o] = '\0';
	return out;
}

char *
mdname_unique(void)
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	struct timespec ts;
	char *host, *s;
	size_t i;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    util_random(rnd, sizeof(rnd)) < 0)
		return NULL;
	for (i = 0; i < sizeof(rnd); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if ((host = mdname_host()) == NULL)
		return NULL;
	s = util_strf("%lld.M%06ldP%ldR%s.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (long)getpid(), hex, host);
	free(host);
	return s;
}

/* Skip a run of decimal digits; NULL when there is none. */
static const char *
digits(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

/*
 * Take apart a name mdname_unique() made: SECONDS.MUSECPPID.RHEX.HOST.
 * The host part, or NULL when name is not such a name; *pid_at and
 * *rnd (*rlen long) point into it.
 */
static const char *
unique_parts(const char *name, const char **pid_at, const char **rnd,
    size_t *rlen)
{
	const char *p;

	if ((p = digits(name)) == NULL || *p++ != '.' || *p++ != 'M' ||
	    (p = digits(p)) == NULL || *p++ != 'P')
		return NULL;
	*pid_at = p;
	if ((p = digits(p)) == NULL || *p++ != 'R')
		return NULL;
	*rnd = p;
	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	*rlen = (size_t)(p - *rnd);
	return *rlen > 0 && *p == '.' ? p + 1 : NULL;
}

const char *
mdname_random(const char *name, size_t *len)
{
	const char *pid_at, *rnd;

	return unique_parts(name, &pid_at, &rnd, len) != NULL ? rnd : NULL;
}

/*
 * Is tmp/name a file that a process of this host made with
 * mdname_unique() and that process no longer runs?  Only then may it go
 * before its 36 hours are up.
 */
int
mdname_dead(const char *name, const char *host)
{
	const char *p, *pid_at, *rnd;
	size_t rlen;
	long pid;
	char *end;

	if ((p = unique_parts(name, &pid_at, &rnd, &rlen)) == NULL ||
	    strcmp(p, host) != 0)
		return 0;
	errno = 0;
	pid = strtol(pid_at, &end, 10);
	/* kill(0) and kill(-1) would mean groups, not one process. */
	if (errno != 0 || pid <= 0 || (long)(pid_t)pid != pid ||
	    (pid_t)pid == getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}
