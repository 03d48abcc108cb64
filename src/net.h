/* net.h - non-blocking TCP connect over every address of a host (or to a UNIX socket), and the plain transport. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_NET_H
#define PIGEON_NET_H

#include <poll.h>

#include "err.h"
#include "socks5.h"
#include "transcript.h"
#include "transport.h"

struct net_opts {
	int family;              /* AF_UNSPEC (default), AF_INET or AF_INET6 */
	const char *source;      /* local address to bind to, or NULL */
	int connect_timeout_ms;  /* per address; <= 0 means 30000 */
	/*
	 * A SOCKS5 proxy, or NULL: the connection goes to the proxy (its
	 * addresses tried in turn, family and source as for a server),
	 * which is asked to connect to host by name: host is never
	 * resolved here.  The handshake is part of the connect and of its
	 * timeout.  Not used for a UNIX socket.
	 */
	const struct socks5_url *proxy;
};

struct net_connect;

/*
 * Resolve host and port (a number or service name) and start a
 * non-blocking connect to the first address.  Each attempt and its result
 * is a TR_CONNECT event ("connecting to ::1 port 587 (IPv6)", "connected
 * to ::1 port 587 in 0.4 ms", "connection to ... failed: Connection
 * refused").  Returns ERR_OK, ERR_RESOLVE, ERR_NET or ERR_NOMEM; *errstr
 * (malloc'd, caller frees) says why in plain words.  On any error *out is
 * NULL: ERR_NET here means every address failed at once.  Names (the
 * host's and the source address's) are resolved here only, so the later
 * steps never block.  A host starting with '/' is the path of a UNIX
 * socket (LMTP): port, family and source are not used, the transcript
 * says "connecting to the socket PATH", and a failure says why in words
 * (there is no such socket, permission denied, nobody is listening).
 * Through a proxy the transcript says "connecting through the SOCKS5
 * proxy P:PORT to HOST port PORT"; a proxy that cannot be reached or
 * refuses is ERR_NET or ERR_TIMEOUT (temporary), one that refuses the
 * login or takes no method offered ERR_CONFIG.
 */
enum err net_connect_start(struct net_connect **out, const char *host,
    const char *port, const struct net_opts *o, struct transcript *tr,
    char **errstr);

/* Fill pfd for the next poll(); return the timeout in ms to pass to it. */
int net_connect_pollfd(const struct net_connect *c, struct pollfd *pfd);

/*
 * Advance after poll() returned (revents from pfd, or 0 on timeout).
 * ERR_OK with *fd >= 0: connected, the caller now owns the non-blocking
 * fd.  ERR_OK with *fd == -1: still trying.  Otherwise every address
 * failed: ERR_NET or ERR_TIMEOUT, *errstr lists what happened to each
 * (through a proxy also the errors of net_connect_start()).
 * With revents 0 the deadline is checked against the clock, so a loop
 * that wakes up for other descriptors may call this freely.
 */
enum err net_connect_step(struct net_connect *c, short revents, int *fd,
    char **errstr);

void net_connect_free(struct net_connect *c);

/*
 * A transport reading and writing the socket directly.  It owns nothing:
 * t->ctx is the fd itself (cast), so there is nothing to free and t may
 * be copied; closing the fd stays the caller's job.  Writes use
 * MSG_NOSIGNAL, so a vanished peer gives -1 (EPIPE), never SIGPIPE.  The
 * errno behind a -1 is kept per thread: call errmsg() right after the
 * failing call, on the same thread.
 */
void net_transport(struct transport *t, int fd);

/* Disable Nagle so a final short write never waits (0 or -1). */
int net_set_nodelay(int fd);

#endif
