/* transport.h - the byte pipe the session talks through: plain socket, TLS, or a test pipe. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_TRANSPORT_H
#define PIGEON_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

/* Returned by read/write when the call must be repeated after poll(). */
#define TRANSPORT_WANT_READ  (-2)
#define TRANSPORT_WANT_WRITE (-3)

struct transport_ops {
	/* > 0 bytes read, 0 end of stream, -1 error (see errmsg), or WANT_*. */
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	/* > 0 bytes written, -1 error, or WANT_*. */
	ssize_t (*write)(void *ctx, const void *buf, size_t len);
	/* Bytes already buffered inside the transport, which poll() cannot see. */
	size_t (*pending)(void *ctx);
	/* A sentence describing the last error, never NULL. */
	const char *(*errmsg)(void *ctx);
};

struct transport {
	const struct transport_ops *ops;
	void *ctx;
	int fd;         /* what to poll() */
	int tls;        /* 1 when the bytes are protected by TLS */
};

#endif
