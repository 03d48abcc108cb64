/* util.c - small helpers every module needs: error strings, clocks. */
/* SPDX-License-Identifier: ISC */
/* sync_file_range() is Linux's; elsewhere util_writeback() does nothing. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <langinfo.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "i18n.h"

char *
util_vstrf(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) != n) {
		free(s);
		return NULL;
	}
	return s;
}

char *
util_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = util_vstrf(fmt, ap);
	va_end(ap);
	return s;
}

void
util_seterr(char **errstr, const char *fmt, ...)
{
	va_list ap;

	if (errstr == NULL)
		return;
	free(*errstr);
	va_start(ap, fmt);
	*errstr = util_vstrf(fmt, ap);
	va_end(ap);
}

int64_t
util_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
util_human_size(char *buf, size_t len, unsigned long long n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		(void)snprintf(buf, len, _("%llu bytes"), n);
	else
		(void)snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* 1 when s matches the extended regular expression re, 0 if not, -1 if re is broken. */
static int
matches(const char *re, const char *s)
{
	regex_t r;
	int m;

	if (re == NULL || *re == '\0' || regcomp(&r, re, REG_EXTENDED |
	    REG_NOSUB) != 0)
		return -1;
	m = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

int
util_yesno(const char *answer)
{
	if (answer == NULL || *answer == '\0')
		return -1;
	if (matches(nl_langinfo(YESEXPR), answer) == 1)
		return 1;
	if (matches(nl_langinfo(NOEXPR), answer) == 1)
		return 0;
	if (*answer == 'y' || *answer == 'Y')
		return 1;
	if (*answer == 'n' || *answer == 'N')
		return 0;
	return -1;
}

void
util_thousands(char *buf, size_t len, unsigned long long v)
{
	char digits[32];
	size_t n, i, o = 0;
	int r;

	r = snprintf(digits, sizeof(digits), "%llu", v);
	if (r < 0 || len == 0) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	n = (size_t)r;
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

int
util_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
util_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = EIO;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

void
util_writeback(int fd, uint64_t *mark, uint64_t written)
{
	if (written < *mark || written - *mark < UTIL_WRITEBACK_STEP)
		return;
#ifdef SYNC_FILE_RANGE_WRITE
	/* Errors (a pipe, a file system without it) only lose the head start. */
	(void)sync_file_range(fd, (off_t)*mark, (off_t)(written - *mark),
	    SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
	*mark = written;
}

void
util_catch_stop(void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn != NULL ? fn : SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

int
util_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
util_home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h != '\0')
		return h;
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && *pw->pw_dir != '\0')
		return pw->pw_dir;
	return NULL;
}

static int
make_dir(const char *path, char **errstr)
{
	int saved;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		saved = errno;
		util_seterr(errstr, _("cannot %s %s: %s"), _("create"), path,
		    strerror(saved));
		errno = saved;
		return -1;
	}
	return 0;
}

int
util_make_dirs(const char *path, char **errstr)
{
	char *p = strdup(path), *q;
	int r = 0;

	if (p == NULL)
		return -1;
	for (q = p + 1; *q != '\0' && r == 0; q++)
		if (*q == '/') {
			*q = '\0';
			r = make_dir(p, errstr);
			*q = '/';
		}
	if (r == 0)
		r = make_dir(p, errstr);
	free(p);
	return r;
}

char *
util_xdg_dir(const char *var, const char *fallback)
{
	const char *x = getenv(var), *home = util_home_dir();

	if (x != NULL && *x == '/')
		return util_strf("%s/pigeon", x);
	if (home == NULL || *home == '\0')
		return NULL;
	return util_strf("%s/%s/pigeon", home, fallback);
}

size_t
util_width(const char *s)
{
	mbstate_t st;
	size_t n, w = 0, left = strlen(s);
	wchar_t wc;
	int cw;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* A byte that is no character takes a column. */
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		w += (size_t)cw;
		s += n;
		left -= n;
	}
	return w;
}

int
util_set(char **dst, const char *s)
{
	char *c = NULL;

	if (s != NULL && (c = strdup(s)) == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

void
util_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}
