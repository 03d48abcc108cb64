/* buf.h - growable byte buffer with a hard size limit, always NUL-terminated. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_BUF_H
#define PIGEON_BUF_H

#include <stdarg.h>
#include <signal.h>
#include <stddef.h>

/*
 * A buffer owns data[0..len) plus a terminating NUL at data[len].  It never
 * grows past max bytes of content; an append that would is refused as a
 * whole and leaves the buffer unchanged.  The struct is visible so buffers
 * can live inside other structs, but only these functions touch the fields.
 */
struct buf {
	char *data;   /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;
};

/* Prepare an empty buffer that will hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Release the memory; the buffer may be used again after buf_init(). */
void buf_free(struct buf *b);
/* Release the memory after overwriting it (for secrets). */
void buf_free_secret(struct buf *b);
/* Forget the content, keep the memory. */
void buf_reset(struct buf *b);

/* Append; return 0, or -1 (ENOMEM or E2BIG in errno) with b unchanged. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Make room for n more bytes without changing len; 0 or -1 as above. */
int buf_reserve(struct buf *b, size_t n);

/*
 * Read fd to its end into b, in blocks straight into the buffer: 0, or
 * -1 with errno (E2BIG when there is more than b's maximum; b then holds
 * what fitted).
 */
#define BUF_READ_BLOCK (64 * 1024)
int buf_read_fd(struct buf *b, int fd);
/*
 * The same, but a read that a signal interrupts ends it when *stop is
 * set then: -1 with errno EINTR, b holds what came so far.
 */
int buf_read_fd_stop(struct buf *b, int fd, const volatile sig_atomic_t *stop);
/*
 * The file at path into b, as buf_read_fd(); -1 with errno ENOENT when
 * there is no such file.
 */
int buf_read_file(struct buf *b, const char *path);

/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Cut the content down to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);

/* The content as a C string: never NULL, "" for an empty buffer. */
const char *buf_str(const struct buf *b);

#endif
