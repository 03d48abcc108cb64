/* util.h - small helpers every module needs: error strings, clocks. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_UTIL_H
#define PIGEON_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Replace *errstr (freeing the old one) with a malloc'd formatted
 * message.  errstr may be NULL, then nothing happens.  On allocation
 * failure *errstr becomes NULL.
 */
void util_seterr(char **errstr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Monotonic time in microseconds (CLOCK_MONOTONIC). */
int64_t util_now_us(void);

/* Write v with thousands separators ("1,234,567") into buf. */
void util_thousands(char *buf, size_t len, unsigned long long v);

/*
 * A size for a person: "512 bytes", "12.3 KiB", "1.5 MiB" (binary units,
 * one decimal; the word "bytes" translated) into buf.
 */
void util_human_size(char *buf, size_t len, unsigned long long n);

/*
 * A person's answer to a yes/no question, in the language of the locale
 * (LC_MESSAGES: nl_langinfo(YESEXPR) and NOEXPR, as rpmatch(3) does):
 * 1 yes, 0 no, -1 neither.  "y" and "n" are understood in every locale,
 * since the questions of an untranslated program show them.
 */
int util_yesno(const char *answer);

/* $HOME, else the password database's home directory; NULL if none. */
const char *util_home_dir(void);
/*
 * pigeon's folder under an XDG base directory: $VAR/pigeon when VAR
 * ("XDG_STATE_HOME") holds an absolute path, else ~/FALLBACK/pigeon
 * (".local/state").  malloc'd; NULL without a home or memory.
 */
char *util_xdg_dir(const char *var, const char *fallback);
/*
 * Make the directory path and those above it that are missing (mode
 * 0700, like everything of ours): 0, or -1 with errno and *errstr
 * ("cannot create PATH: reason").
 */
int util_make_dirs(const char *path, char **errstr);

/* malloc'd formatted string, NULL on failure. */
/* Overwrite the secret string s (NULL: nothing), then free it. */
void util_free_secret(char *s);
/* *dst = a copy of s (NULL: none), the old one freed; 0, or -1 out of memory (*dst kept). */
int util_set(char **dst, const char *s);
char *util_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *util_vstrf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * Fill buf with len bytes from the kernel's random generator
 * (getrandom(2)): 0, or -1 with errno.  For identifiers (Message-ID, MIME
 * boundaries) that must not repeat; it spares a plain-text send the
 * milliseconds OpenSSL needs to load its configuration and providers.
 * Key material still comes from OpenSSL's RAND_bytes().
 */
int util_random(void *buf, size_t len);

/* Write all n bytes of p to fd, again after EINTR and short writes: 0, or -1 with errno (a write of 0 bytes: EIO). */
int util_write_all(int fd, const void *p, size_t n);

/*
 * A file being written that will be fsynced: every UTIL_WRITEBACK_STEP
 * bytes, start writing the part since *mark to the disk without waiting,
 * so that the fsync at the end has little left to do.  written: the
 * bytes written so far.
 */
#define UTIL_WRITEBACK_STEP (8u * 1024 * 1024)
void util_writeback(int fd, uint64_t *mark, uint64_t written);

/*
 * SIGHUP and SIGTERM (a terminal or SSH link that went away, a polite
 * kill) to fn, or back to their default with fn NULL.  Without
 * SA_RESTART: a blocking read ends with EINTR, so the caller sees them.
 */
void util_catch_stop(void (*fn)(int));

/*
 * The columns s takes on a terminal in the current locale (LC_CTYPE):
 * wcwidth() of each character, a byte that is no character taking one.
 * For lining up text that may be translated; s should be escaped
 * (sanitize.h) first, so it holds no control characters.
 */
size_t util_width(const char *s);

/* The value of the hex digit c (either case), or -1. */
int util_hexval(int c);

#endif
