/* net.c - non-blocking TCP connect over every address of a host (or to a UNIX socket), and the plain transport. */
/* SPDX-License-Identifier: ISC */
#include "net.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "util.h"

/* Where MSG_NOSIGNAL is missing, SO_NOSIGPIPE (set per socket) does its job. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define NET_DEFAULT_TIMEOUT_MS 30000
/* The list of failed addresses only feeds an error message; keep it modest. */
#define NET_FAILED_MAX (16 * 1024)

struct net_connect {
	struct addrinfo *res;       /* every address of the host */
	struct addrinfo *next;      /* the next one to try */
	struct addrinfo *src;       /* the source address(es), or NULL */
	struct transcript *tr;
	char *host;
	char *source;
	int timeout_ms;
	int fd;                     /* the attempt in progress, or -1 */
	int done;                   /* the fd was handed to the caller */
	int last_timeout;           /* the latest failure was a timeout */
	int64_t t_start;            /* when the current attempt began */
	int64_t deadline;           /* when it is given up */
	char addr[NI_MAXHOST];      /* the current address as text */
	char serv[NI_MAXSERV];      /* its port as text */
	const char *family;         /* "IPv4" or "IPv6" */
	struct buf failed;          /* "addr: reason; addr: reason" */
	size_t nfailed;
	int local;                  /* host is the path of a UNIX socket */
	/* Through a SOCKS5 proxy: host is the proxy's, dest the server's. */
	const struct socks5_url *proxy;
	char *dest;
	char *dest_port;
	struct socks5 *sx;          /* the handshake, once connected to the proxy */
};

static const char *
family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "IPv4";
	case AF_INET6:
		return "IPv6";
	default:
		return "?";
	}
}

static int
is_numeric_host(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* Millisecond figures for the transcript, to one decimal. */
static double
ms_since(int64_t t0)
{
	return (double)(util_now_us() - t0) / 1000.0;
}

/* Remember why the current address failed, for the transcript and errstr. */
static void
fail_attempt(struct net_connect *c, const char *reason, int timeout)
{
	if (c->local)
		transcript_emitf(c->tr, TR_CONNECT, 0,
		    _("connection to the socket %s failed: %s"), c->host,
		    reason);
	else if (timeout)
		transcript_emitf(c->tr, TR_CONNECT, 0,
		    _("connection to %s port %s timed out after %d ms"),
		    c->addr, c->serv, c->timeout_ms);
	else
		transcript_emitf(c->tr, TR_CONNECT, 0,
		    _("connection to %s port %s failed: %s"),
		    c->addr, c->serv, reason);
	/*
	 * A full list only makes the final message shorter; the transcript
	 * already has every failure, so an append that does not fit is
	 * dropped.
	 */
	if ((c->local ? buf_addstr(&c->failed, reason) :
	    buf_printf(&c->failed, "%s%s: %s", c->nfailed > 0 ? "; " : "",
	    c->addr, reason)) == 0)
		c->nfailed++;
	c->last_timeout = timeout;
	if (c->fd >= 0) {
		(void)close(c->fd);
		c->fd = -1;
	}
}

static int
open_socket(int family, int type, int proto)
{
	int fd;

#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
#else
	int fl;

	fd = socket(family, type, proto);
	if (fd >= 0 && ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)) {
		int e = errno;

		(void)close(fd);
		errno = e;
		return -1;
	}
#endif
#ifdef SO_NOSIGPIPE
	if (fd >= 0) {
		int one = 1;

		(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one,
		    sizeof(one));
	}
#endif
	return fd;
}

/* Bind fd to the configured source address of the same family. */
static int
bind_source(struct net_connect *c, int fd, int family)
{
	struct addrinfo *ai;
	char why[256];

	for (ai = c->src; ai != NULL; ai = ai->ai_next)
		if (ai->ai_family == family)
			break;
	if (ai == NULL) {
		(void)snprintf(why, sizeof(why),
		    _("source address %s has no %s address"), c->source,
		    family_name(family));
		fail_attempt(c, why, 0);
		return -1;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		(void)snprintf(why, sizeof(why),
		    _("cannot bind to source address %s: %s"), c->source,
		    strerror(errno));
		fail_attempt(c, why, 0);
		return -1;
	}
	return 0;
}

/*
 * Start connecting to the next address that gets as far as "in
 * progress".  Addresses that fail at once (no route, no IPv6, bad source)
 * are recorded and skipped.  Returns 0 with c->fd set, or -1 when every
 * address has been tried.
 */
static int
start_next(struct net_connect *c)
{
	struct addrinfo *ai;
	int r;

	while ((ai = c->next) != NULL) {
		c->next = ai->ai_next;
		r = getnameinfo(ai->ai_addr, ai->ai_addrlen, c->addr,
		    sizeof(c->addr), c->serv, sizeof(c->serv),
		    NI_NUMERICHOST | NI_NUMERICSERV);
		if (r != 0) {
			(void)snprintf(c->addr, sizeof(c->addr), "?");
			(void)snprintf(c->serv, sizeof(c->serv), "?");
		}
		c->family = family_name(ai->ai_family);
		if (c->source != NULL)
			transcript_emitf(c->tr, TR_CONNECT, 0,
			    _("connecting to %s port %s (%s) from %s"),
			    c->addr, c->serv, c->family, c->source);
		else
			transcript_emitf(c->tr, TR_CONNECT, 0,
			    _("connecting to %s port %s (%s)"),
			    c->addr, c->serv, c->family);
		c->t_start = util_now_us();
		c->deadline = c->t_start + (int64_t)c->timeout_ms * 1000;
		c->fd = open_socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (c->fd < 0) {
			fail_attempt(c, strerror(errno), 0);
			continue;
		}
		if (c->source != NULL && bind_source(c, c->fd,
		    ai->ai_family) < 0)
			continue;
		do
			r = connect(c->fd, ai->ai_addr, ai->ai_addrlen);
		while (r < 0 && errno == EINTR);
		/*
		 * Even an immediate success is reported through poll(): the
		 * socket is writable at once, and the caller's loop stays
		 * the same for every case.
		 */
		if (r == 0 || errno == EINPROGRESS)
			return 0;
		fail_attempt(c, strerror(errno), 0);
	}
	return -1;
}

/* Every address failed: say so in one sentence listing them all. */
static enum err
all_failed(struct net_connect *c, char **errstr)
{
	if (c->local) {
		util_seterr(errstr, _("cannot connect to the socket %s: %s"),
		    c->host, buf_str(&c->failed));
		return c->last_timeout ? ERR_TIMEOUT : ERR_NET;
	}
	if (c->proxy != NULL)
		util_seterr(errstr, _("cannot reach the SOCKS5 proxy %s port "
		    "%s (to connect to %s port %s): %s"), c->host, c->serv,
		    c->dest, c->dest_port, c->nfailed > 0 ?
		    buf_str(&c->failed) : _("no usable address"));
	else
		util_seterr(errstr, _("cannot connect to %s port %s: %s"),
		    c->host, c->serv, c->nfailed > 0 ? buf_str(&c->failed) :
		    _("no usable address"));
	return c->last_timeout ? ERR_TIMEOUT : ERR_NET;
}

/* getaddrinfo() for TCP; on failure *why is the resolver's reason. */
static enum err
resolve(struct addrinfo **res, const char *host, const char *port,
    int family, int flags, const char **why)
{
	struct addrinfo hints;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	/*
	 * No AI_ADDRCONFIG: it hides ::1 and 127.0.0.1 on hosts whose only
	 * interface is the loopback, which is exactly where tests run.
	 */
	hints.ai_flags = flags;
	*res = NULL;
	r = getaddrinfo(host, port, &hints, res);
	if (r == 0)
		return ERR_OK;
	if (r == EAI_MEMORY)
		return ERR_NOMEM;
	*why = r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);
	return ERR_RESOLVE;
}

/* Why a UNIX socket cannot be reached, in words. */
static const char *
socket_reason(int e)
{
	switch (e) {
	case ENOENT:
		return _("there is no such socket");
	case EACCES:
	case EPERM:
		return _("permission denied");
	case ECONNREFUSED:
		return _("nobody is listening on it (a socket left behind, "
		    "or not a socket)");
	case ENOTDIR:
		return _("a part of the path is not a directory");
	case EAGAIN:
		return _("the server is too busy to take the connection");
	default:
		return strerror(e);
	}
}

/*
 * Start connecting to the UNIX socket c->host.  The path is the user's
 * own configuration, so a plain connect(2) does, links and all.  0 with
 * c->fd set (poll() reports the result, as for TCP), or -1 with the
 * failure recorded.
 */
static int
start_local(struct net_connect *c)
{
	struct sockaddr_un sa;
	size_t n = strlen(c->host);
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(void)snprintf(c->addr, sizeof(c->addr), "%s", c->host);
	c->family = "UNIX";
	if (n >= sizeof(sa.sun_path)) {
		fail_attempt(c, _("the path is too long for a socket"), 0);
		return -1;
	}
	memcpy(sa.sun_path, c->host, n + 1);
	transcript_emitf(c->tr, TR_CONNECT, 0,
	    _("connecting to the socket %s"), c->host);
	c->t_start = util_now_us();
	c->deadline = c->t_start + (int64_t)c->timeout_ms * 1000;
	c->fd = open_socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0) {
		fail_attempt(c, strerror(errno), 0);
		return -1;
	}
	do
		r = connect(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r == 0 || errno == EINPROGRESS)
		return 0;
	fail_attempt(c, socket_reason(errno), 0);
	return -1;
}

enum err
net_connect_start(struct net_connect **out, const char *host,
    const char *port, const struct net_opts *o, struct transcript *tr,
    char **errstr)
{
	struct net_connect *c;
	struct addrinfo *ai;
	struct buf list;
	char a[NI_MAXHOST];
	const char *why = NULL;
	enum err e;
	int64_t t0;

	*out = NULL;
	if (host == NULL || *host == '\0' || port == NULL ||
	    (*port == '\0' && *host != '/')) {
		util_seterr(errstr, _("no server host name or port given"));
		return ERR_RESOLVE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ERR_NOMEM;
	c->fd = -1;
	c->tr = tr;
	c->timeout_ms = NET_DEFAULT_TIMEOUT_MS;
	if (o != NULL && o->connect_timeout_ms > 0)
		c->timeout_ms = o->connect_timeout_ms;
	buf_init(&c->failed, NET_FAILED_MAX);
	(void)snprintf(c->serv, sizeof(c->serv), "%s", port);
	c->host = strdup(host);
	if (c->host == NULL)
		goto nomem;
	if (host[0] != '/' && o != NULL && o->proxy != NULL) {
		/* The proxy resolves the server's name: only its own is looked up here. */
		c->proxy = o->proxy;
		c->dest = c->host;
		c->dest_port = strdup(port);
		c->host = strdup(o->proxy->host);
		if (c->host == NULL || c->dest_port == NULL)
			goto nomem;
		(void)snprintf(c->serv, sizeof(c->serv), "%s", o->proxy->port);
		transcript_emitf(tr, TR_CONNECT, 0, _("connecting through the "
		    "SOCKS5 proxy %s:%s to %s port %s"), c->host, c->serv,
		    c->dest, c->dest_port);
		host = c->host;
		port = c->serv;
	}
	if (host[0] == '/') {
		if (o != NULL && o->proxy != NULL)
			transcript_emitf(tr, TR_INFO, 0, _("the proxy is not "
			    "used for a UNIX socket"));
		c->local = 1;
		if (start_local(c) < 0) {
			e = all_failed(c, errstr);
			net_connect_free(c);
			return e;
		}
		*out = c;
		return ERR_OK;
	}
	if (o != NULL && o->source != NULL && *o->source != '\0') {
		c->source = strdup(o->source);
		if (c->source == NULL)
			goto nomem;
		/*
		 * Resolved once here, for both families, so that trying the
		 * next address later never blocks on the resolver.
		 */
		e = resolve(&c->src, c->source, NULL,
		    o->family == AF_INET || o->family == AF_INET6 ?
		    o->family : AF_UNSPEC, AI_PASSIVE, &why);
		if (e == ERR_RESOLVE)
			util_seterr(errstr,
			    _("cannot resolve the source address %s: %s"),
			    c->source, why);
		if (e != ERR_OK) {
			net_connect_free(c);
			return e;
		}
	}

	t0 = util_now_us();
	e = resolve(&c->res, host, port, o != NULL ? o->family : AF_UNSPEC,
	    0, &why);
	if (e == ERR_RESOLVE && c->proxy != NULL) {
		transcript_emitf(tr, TR_CONNECT, 0,
		    _("cannot resolve the proxy %s: %s"), host, why);
		util_seterr(errstr, _("cannot resolve the SOCKS5 proxy %s: "
		    "%s"), host, why);
	} else if (e == ERR_RESOLVE) {
		transcript_emitf(tr, TR_CONNECT, 0,
		    _("cannot resolve %s: %s"), host, why);
		util_seterr(errstr, _("cannot resolve %s: %s"), host, why);
	}
	if (e != ERR_OK) {
		net_connect_free(c);
		return e;
	}
	if (!is_numeric_host(host)) {
		/* The address list shows which addresses will be tried, in order. */
		buf_init(&list, 4096);
		for (ai = c->res; ai != NULL; ai = ai->ai_next) {
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a,
			    sizeof(a), NULL, 0, NI_NUMERICHOST) != 0)
				continue;
			if (buf_printf(&list, "%s%s", list.len > 0 ? ", " : "",
			    a) < 0)
				break;
		}
		transcript_emitf(tr, TR_CONNECT, 0,
		    _("resolved %s to %s in %.1f ms"), host, buf_str(&list),
		    ms_since(t0));
		buf_free(&list);
	}
	c->next = c->res;
	if (start_next(c) < 0) {
		e = all_failed(c, errstr);
		net_connect_free(c);
		return e;
	}
	*out = c;
	return ERR_OK;

nomem:
	net_connect_free(c);
	return ERR_NOMEM;
}

int
net_connect_pollfd(const struct net_connect *c, struct pollfd *pfd)
{
	int64_t left;

	pfd->fd = c->fd;
	pfd->events = c->sx != NULL && socks5_state(c->sx) == SOCKS5_READ ?
	    POLLIN : POLLOUT;
	pfd->revents = 0;
	if (c->fd < 0)
		return 0;
	left = c->deadline - util_now_us();
	if (left <= 0)
		return 0;
	/* Round up, so that when poll() times out the deadline has passed. */
	left = (left + 999) / 1000;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Connected to the proxy: start its handshake (the fd stays ours until it is done). */
static enum err
proxy_start(struct net_connect *c, char **errstr)
{
	char *why = NULL;

	c->sx = socks5_new(c->proxy->user, c->proxy->password, c->dest,
	    c->dest_port, c->tr, &why);
	if (c->sx != NULL)
		return ERR_OK;
	if (why == NULL)
		return ERR_NOMEM;
	transcript_emitf(c->tr, TR_ERROR, 0, "%s", why);
	util_seterr(errstr, "%s", why);
	free(why);
	return ERR_CONFIG;
}

/* The proxy failed us: e and why, the connection closed. */
static enum err
proxy_fail(struct net_connect *c, enum err e, const char *why,
    char **errstr)
{
	util_seterr(errstr, _("cannot connect through the SOCKS5 proxy %s "
	    "port %s to %s port %s: %s"), c->host, c->serv, c->dest,
	    c->dest_port, why);
	(void)close(c->fd);
	c->fd = -1;
	return e;
}

/* One round of the proxy's handshake after poll(): write what it has, read exactly what it needs. */
static enum err
proxy_step(struct net_connect *c, short revents, int *fd, char **errstr)
{
	unsigned char in[512];
	const unsigned char *out;
	const char *why;
	char tmo[128];
	size_t len;
	ssize_t n;
	enum err e;

	if (revents == 0 && util_now_us() >= c->deadline) {
		(void)snprintf(tmo, sizeof(tmo), _("the proxy did not finish "
		    "within %d ms"), c->timeout_ms);
		transcript_emitf(c->tr, TR_ERROR, 0, "%s", tmo);
		return proxy_fail(c, ERR_TIMEOUT, tmo, errstr);
	}
	while (socks5_state(c->sx) == SOCKS5_WRITE) {
		out = socks5_output(c->sx, &len);
		n = send(c->fd, out, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return ERR_OK;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return proxy_fail(c, ERR_NET, strerror(errno), errstr);
		socks5_sent(c->sx, (size_t)n);
	}
	while (socks5_state(c->sx) == SOCKS5_READ) {
		len = socks5_need(c->sx);
		n = read(c->fd, in, len < sizeof(in) ? len : sizeof(in));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return ERR_OK;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			why = n == 0 ? _("the proxy closed the connection") :
			    strerror(errno);
			transcript_emitf(c->tr, TR_ERROR, 0, "%s", why);
			return proxy_fail(c, ERR_NET, why, errstr);
		}
		socks5_feed(c->sx, in, (size_t)n);
		/* The login may follow the method choice: write it now. */
		if (socks5_state(c->sx) == SOCKS5_WRITE)
			return proxy_step(c, POLLOUT, fd, errstr);
	}
	if ((e = socks5_error(c->sx, &why)) != ERR_OK)
		return proxy_fail(c, e, why, errstr);
	if (socks5_state(c->sx) != SOCKS5_DONE)
		return ERR_OK;
	*fd = c->fd;
	c->fd = -1;
	c->done = 1;
	return ERR_OK;
}

enum err
net_connect_step(struct net_connect *c, short revents, int *fd,
    char **errstr)
{
	char why[64];
	socklen_t len;
	int soerr;

	*fd = -1;
	if (c->done) {
		util_seterr(errstr, _("the connection was already handed over"));
		return ERR_SOFTWARE;
	}
	if (c->fd < 0)
		return all_failed(c, errstr);
	if (c->sx != NULL)
		return proxy_step(c, revents, fd, errstr);

	if (revents & POLLNVAL) {
		fail_attempt(c, _("invalid socket"), 0);
	} else if (revents & (POLLOUT | POLLERR | POLLHUP)) {
		soerr = 0;
		len = sizeof(soerr);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr == 0 && (revents & POLLOUT)) {
			if (c->local)
				transcript_emitf(c->tr, TR_CONNECT, 0,
				    _("connected to the socket %s in %.1f ms"),
				    c->host, ms_since(c->t_start));
			else
				transcript_emitf(c->tr, TR_CONNECT, 0,
				    _("connected to %s port %s in %.1f ms"),
				    c->addr, c->serv, ms_since(c->t_start));
			if (c->proxy != NULL)
				return proxy_start(c, errstr);
			*fd = c->fd;
			c->fd = -1;
			c->done = 1;
			return ERR_OK;
		}
		fail_attempt(c, soerr == 0 ? _("the connection was closed") :
		    c->local ? socket_reason(soerr) : strerror(soerr), 0);
	} else if (util_now_us() >= c->deadline) {
		(void)snprintf(why, sizeof(why), _("timed out after %d ms"),
		    c->timeout_ms);
		fail_attempt(c, why, 1);
	} else {
		/* A wake-up for some other descriptor of the caller's loop. */
		return ERR_OK;
	}

	if (start_next(c) == 0)
		return ERR_OK;
	return all_failed(c, errstr);
}

void
net_connect_free(struct net_connect *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		(void)close(c->fd);
	if (c->res != NULL)
		freeaddrinfo(c->res);
	if (c->src != NULL)
		freeaddrinfo(c->src);
	socks5_free(c->sx);
	free(c->host);
	free(c->dest);
	free(c->dest_port);
	free(c->source);
	buf_free(&c->failed);
	free(c);
}

/*
 * The plain transport keeps no state of its own: ctx is the descriptor
 * itself, cast to a pointer, so a struct transport can be copied freely
 * and nothing needs freeing.  The errno of the last failed call lives in
 * a thread-local variable; errmsg() is meant to be called right after the
 * -1 it explains, on the same thread, which is how every caller uses it.
 */
static _Thread_local int net_last_errno;

static int
ctx_fd(void *ctx)
{
	return (int)(intptr_t)ctx;
}

static ssize_t
net_read(void *ctx, void *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		n = read(ctx_fd(ctx), buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TRANSPORT_WANT_READ;
		net_last_errno = errno;
		return -1;
	}
}

static ssize_t
net_write(void *ctx, const void *buf, size_t len)
{
	ssize_t n;

	for (;;) {
		/* send() with MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE. */
		n = send(ctx_fd(ctx), buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(ctx_fd(ctx), buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return TRANSPORT_WANT_WRITE;
		net_last_errno = errno;
		return -1;
	}
}

static size_t
net_pending(void *ctx)
{
	(void)ctx;
	return 0;
}

static const char *
net_errmsg(void *ctx)
{
	(void)ctx;
	if (net_last_errno == 0)
		return _("no error");
	return strerror(net_last_errno);
}

static const struct transport_ops net_ops = {
	net_read,
	net_write,
	net_pending,
	net_errmsg,
};

void
net_transport(struct transport *t, int fd)
{
	t->ops = &net_ops;
	t->ctx = (void *)(intptr_t)fd;
	t->fd = fd;
	t->tls = 0;
}

int
net_set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
