/* test_net.c - unit tests for the non-blocking connect and the plain transport, on 127.0.0.1 and ::1 only. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1   /* RTLD_NEXT, memmem */

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "net.h"
#include "transcript.h"
#include "util.h"
#include "helper.h"

/*
 * A seam in the resolver.  /etc/hosts decides whether "localhost" has
 * one address or two, so the fail-over tests use made-up names that this
 * getaddrinfo() answers itself, in a fixed order:
 *   v6first.pigeon.test  ::1, then 127.0.0.1
 *   v4first.pigeon.test  127.0.0.1, then ::1
 * Every other name goes to the real resolver.  The definitions in the
 * test program take precedence over the C library's for net.c, which is
 * linked into the same program.
 */
struct fake_ai {
	struct addrinfo ai;
	struct sockaddr_storage ss;
};

#define FAKE_MAX 64
static struct addrinfo *fake_heads[FAKE_MAX];

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);
typedef void (*fai_fn)(struct addrinfo *);

static struct addrinfo *
fake_node(int family, unsigned short port)
{
	struct fake_ai *f;
	struct sockaddr_in *in4;
	struct sockaddr_in6 *in6;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->ai.ai_family = family;
	f->ai.ai_socktype = SOCK_STREAM;
	f->ai.ai_protocol = IPPROTO_TCP;
	f->ai.ai_addr = (struct sockaddr *)&f->ss;
	if (family == AF_INET) {
		in4 = (struct sockaddr_in *)&f->ss;
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		f->ai.ai_addrlen = sizeof(*in4);
	} else {
		in6 = (struct sockaddr_in6 *)&f->ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr = in6addr_loopback;
		f->ai.ai_addrlen = sizeof(*in6);
	}
	return &f->ai;
}

static void
fake_free(struct addrinfo *ai)
{
	struct addrinfo *next;

	for (; ai != NULL; ai = next) {
		next = ai->ai_next;
		free(ai);
	}
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static gai_fn real;
	int order[2], i, n = 0, family;
	struct addrinfo *head = NULL, **tail = &head, *ai;
	unsigned long port;
	char *end;
	size_t k;

	if (node == NULL || (strcmp(node, "v6first.pigeon.test") != 0 &&
	    strcmp(node, "v4first.pigeon.test") != 0)) {
		if (real == NULL)
			real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
		if (real == NULL)
			return EAI_FAIL;
		return real(node, service, hints, res);
	}
	port = service != NULL ? strtoul(service, &end, 10) : 0;
	if (service == NULL || *end != '\0' || port > 65535)
		return EAI_SERVICE;
	family = hints != NULL ? hints->ai_family : AF_UNSPEC;
	if (node[1] == '6') {
		order[0] = AF_INET6;
		order[1] = AF_INET;
	} else {
		order[0] = AF_INET;
		order[1] = AF_INET6;
	}
	for (i = 0; i < 2; i++) {
		if (family != AF_UNSPEC && family != order[i])
			continue;
		ai = fake_node(order[i], (unsigned short)port);
		if (ai == NULL) {
			fake_free(head);
			return EAI_MEMORY;
		}
		*tail = ai;
		tail = &ai->ai_next;
		n++;
	}
	if (n == 0)
		return EAI_FAMILY;
	for (k = 0; k < FAKE_MAX; k++) {
		if (fake_heads[k] == NULL) {
			fake_heads[k] = head;
			*res = head;
			return 0;
		}
	}
	fake_free(head);
	return EAI_MEMORY;
}

void
freeaddrinfo(struct addrinfo *res)
{
	static fai_fn real;
	size_t k;

	for (k = 0; k < FAKE_MAX; k++) {
		if (res != NULL && fake_heads[k] == res) {
			fake_heads[k] = NULL;
			fake_free(res);
			return;
		}
	}
	if (real == NULL)
		real = (fai_fn)dlsym(RTLD_NEXT, "freeaddrinfo");
	if (real != NULL)
		real(res);
}

/* Helpers. */

/* A TCP socket bound to the loopback of family; listening if backlog >= 0. */
static int
loop_socket(int family, unsigned short *port, int backlog)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(*port);
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in4);
	} else {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(*port);
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (backlog >= 0 && listen(fd, backlog) < 0)) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? in4->sin_port : in6->sin6_port);
	return fd;
}

/* The caller's loop from net.h, bounded so a bug cannot hang the test. */
static enum err
do_connect(const char *host, unsigned short port, const struct net_opts *o,
    struct transcript *tr, int *fd, char **errstr)
{
	struct net_connect *c = (struct net_connect *)&c;
	struct pollfd pfd;
	char serv[16];
	enum err e;
	int to, n, i;

	*fd = -1;
	(void)snprintf(serv, sizeof(serv), "%u", port);
	e = net_connect_start(&c, host, serv, o, tr, errstr);
	if (e != ERR_OK) {
		assert_null(c);
		return e;
	}
	assert_non_null(c);
	for (i = 0; i < 10000; i++) {
		to = net_connect_pollfd(c, &pfd);
		assert_true(to >= 0);
		n = poll(&pfd, 1, to);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n >= 0);
		e = net_connect_step(c, n > 0 ? pfd.revents : 0, fd, errstr);
		if (e != ERR_OK || *fd >= 0)
			break;
	}
	net_connect_free(c);
	return e;
}

static int
has_eventf(const struct transcript *tr, enum tr_kind kind, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
has_eventf(const struct transcript *tr, enum tr_kind kind, const char *fmt,
    ...)
{
	char s[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	return test_has_event(tr, kind, s);
}

static int
ipv6_loopback_ok(void)
{
	unsigned short port = 0;
	int fd;

	fd = loop_socket(AF_INET6, &port, 1);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Accept the pending connection and return the peer's address family. */
static int
accept_family(int lfd, char *addr, size_t addrlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = accept(lfd, (struct sockaddr *)&ss, &len);
	assert_true(fd >= 0);
	assert_int_equal(getnameinfo((struct sockaddr *)&ss, len, addr,
	    (socklen_t)addrlen, NULL, 0, NI_NUMERICHOST), 0);
	close(fd);
	return ss.ss_family;
}

/* Tests. */

static void
test_connect_ipv4(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd, fl;

	(void)state;
	assert_non_null(tr);
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	assert_int_equal(do_connect("127.0.0.1", port, NULL, tr, &fd, &errstr),
	    ERR_OK);
	assert_true(fd >= 0);
	assert_null(errstr);
	fl = fcntl(fd, F_GETFL);
	assert_true(fl >= 0 && (fl & O_NONBLOCK));
	fl = fcntl(fd, F_GETFD);
	assert_true(fl >= 0 && (fl & FD_CLOEXEC));
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET);
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connecting to 127.0.0.1 port %u (IPv4)", port));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connected to 127.0.0.1 port %u in ", port));
	/* A numeric host needs no "resolved" line. */
	assert_false(test_has_event(tr, TR_CONNECT, "resolved"));
	close(fd);
	close(lfd);
	transcript_free(tr);
}

static void
test_connect_ipv6(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd;

	(void)state;
	lfd = loop_socket(AF_INET6, &port, 8);
	if (lfd < 0) {
		transcript_free(tr);
		skip();
	}
	assert_int_equal(do_connect("::1", port, NULL, tr, &fd, &errstr),
	    ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET6);
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connecting to ::1 port %u (IPv6)", port));
	close(fd);
	close(lfd);
	transcript_free(tr);
}

/*
 * The real "localhost": whatever /etc/hosts says, a listener on
 * 127.0.0.1 must be reached, after ::1 (made to refuse) if it comes
 * first.
 */
static void
test_connect_localhost(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0, p6;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd6 = -1, fd;

	(void)state;
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	p6 = port;
	if (ipv6_loopback_ok())
		fd6 = loop_socket(AF_INET6, &p6, -1);  /* bound, refuses */
	assert_int_equal(do_connect("localhost", port, NULL, tr, &fd, &errstr),
	    ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET);
	assert_true(test_has_event(tr, TR_CONNECT, "resolved localhost to "));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connected to 127.0.0.1 port %u", port));
	if (has_eventf(tr, TR_CONNECT, "connecting to ::1 port %u", port))
		assert_true(has_eventf(tr, TR_CONNECT,
		    "connection to ::1 port %u failed: ", port));
	close(fd);
	if (fd6 >= 0)
		close(fd6);
	close(lfd);
	transcript_free(tr);
}

/* ::1 comes first and refuses; 127.0.0.1 is tried next and accepts. */
static void
test_failover_v6_refused(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0, p6;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd6 = -1, fd;

	(void)state;
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	p6 = port;
	if (ipv6_loopback_ok())
		fd6 = loop_socket(AF_INET6, &p6, -1);
	assert_int_equal(do_connect("v6first.pigeon.test", port, NULL, tr, &fd,
	    &errstr), ERR_OK);
	assert_true(fd >= 0);
	assert_null(errstr);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET);
	assert_true(test_has_event(tr, TR_CONNECT,
	    "resolved v6first.pigeon.test to ::1, 127.0.0.1"));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connecting to ::1 port %u (IPv6)", port));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connection to ::1 port %u failed: ", port));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connected to 127.0.0.1 port %u", port));
	close(fd);
	if (fd6 >= 0)
		close(fd6);
	close(lfd);
	transcript_free(tr);
}

/* The other way round: 127.0.0.1 refuses, ::1 accepts. */
static void
test_failover_v4_refused(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0, p4;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd4, fd;

	(void)state;
	lfd = loop_socket(AF_INET6, &port, 8);
	if (lfd < 0) {
		transcript_free(tr);
		skip();
	}
	p4 = port;
	fd4 = loop_socket(AF_INET, &p4, -1);
	if (fd4 < 0) {
		close(lfd);
		transcript_free(tr);
		skip();
	}
	assert_int_equal(do_connect("v4first.pigeon.test", port, NULL, tr, &fd,
	    &errstr), ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET6);
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connection to 127.0.0.1 port %u failed: ", port));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connected to ::1 port %u", port));
	close(fd);
	close(fd4);
	close(lfd);
	transcript_free(tr);
}

/* A bound socket that does not listen refuses, without any race on the port. */
static void
test_refused(void **state)
{
	struct transcript *tr = transcript_new(256);
	unsigned short port = 0;
	char *errstr = NULL;
	int bfd, fd;

	(void)state;
	bfd = loop_socket(AF_INET, &port, -1);
	assert_true(bfd >= 0);
	assert_int_equal(do_connect("127.0.0.1", port, NULL, tr, &fd, &errstr),
	    ERR_NET);
	assert_int_equal(fd, -1);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "127.0.0.1"));
	assert_non_null(strstr(errstr, strerror(ECONNREFUSED)));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connection to 127.0.0.1 port %u failed: ", port));
	free(errstr);
	close(bfd);
	transcript_free(tr);
}

/* Both addresses refuse: the message names each with its reason. */
static void
test_all_refused(void **state)
{
	unsigned short port = 0, p6;
	char *errstr = NULL;
	int bfd, b6 = -1, fd;

	(void)state;
	bfd = loop_socket(AF_INET, &port, -1);
	assert_true(bfd >= 0);
	p6 = port;
	if (ipv6_loopback_ok())
		b6 = loop_socket(AF_INET6, &p6, -1);
	assert_int_equal(do_connect("v6first.pigeon.test", port, NULL, NULL,
	    &fd, &errstr), ERR_NET);
	assert_int_equal(fd, -1);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "v6first.pigeon.test"));
	assert_non_null(strstr(errstr, "::1: "));
	assert_non_null(strstr(errstr, "127.0.0.1: "));
	free(errstr);
	if (b6 >= 0)
		close(b6);
	close(bfd);
}

static void
test_resolve_fail(void **state)
{
	struct transcript *tr = transcript_new(256);
	struct net_connect *c = (struct net_connect *)&c;
	char *errstr = NULL;

	(void)state;
	assert_int_equal(net_connect_start(&c, "nonexistent.invalid", "587",
	    NULL, tr, &errstr), ERR_RESOLVE);
	assert_null(c);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "nonexistent.invalid"));
	assert_true(test_has_event(tr, TR_CONNECT, "nonexistent.invalid"));
	free(errstr);
	errstr = NULL;
	/* An unknown service name is a resolver error too. */
	assert_int_equal(net_connect_start(&c, "127.0.0.1", "no-such-service",
	    NULL, NULL, &errstr), ERR_RESOLVE);
	assert_null(c);
	free(errstr);
	transcript_free(tr);
}

/* family = AF_INET: ::1 is never tried. */
static void
test_family_option(void **state)
{
	struct transcript *tr = transcript_new(256);
	struct net_opts o = { AF_INET, NULL, 0, NULL };
	unsigned short port = 0;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd;

	(void)state;
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	assert_int_equal(do_connect("v6first.pigeon.test", port, &o, tr, &fd,
	    &errstr), ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET);
	assert_false(test_has_event(tr, TR_CONNECT, "(IPv6)"));
	close(fd);
	close(lfd);
	transcript_free(tr);
}

static void
test_source_address(void **state)
{
	struct transcript *tr = transcript_new(256);
	struct net_opts o = { AF_UNSPEC, "127.0.0.1", 0, NULL };
	unsigned short port = 0;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, fd;

	(void)state;
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	assert_int_equal(do_connect("127.0.0.1", port, &o, tr, &fd, &errstr),
	    ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(lfd, peer, sizeof(peer)), AF_INET);
	assert_string_equal(peer, "127.0.0.1");
	assert_true(test_has_event(tr, TR_CONNECT, "from 127.0.0.1"));
	close(fd);

	/* A source of the wrong family makes that address unusable. */
	o.source = "::1";
	assert_int_equal(do_connect("127.0.0.1", port, &o, tr, &fd, &errstr),
	    ERR_NET);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "::1"));
	assert_non_null(strstr(errstr, "IPv4"));
	free(errstr);
	errstr = NULL;

	o.source = "nonexistent.invalid";
	assert_int_equal(do_connect("127.0.0.1", port, &o, tr, &fd, &errstr),
	    ERR_RESOLVE);
	assert_non_null(strstr(errstr, "nonexistent.invalid"));
	free(errstr);
	close(lfd);
	transcript_free(tr);
}

/*
 * Fill the accept queue of a listener that never accepts.  Whether the
 * kernel then ignores further SYNs (so a connect hangs) or refuses them
 * differs between systems, so this checks with a probe; returns the
 * listener and leaves the queued clients in fill[], or -1 if connects
 * cannot be made to hang here.
 */
static int
stalled_listener(unsigned short *port, int fill[8], int *nfill)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	int lfd, fd, i, n;

	*nfill = 0;
	lfd = loop_socket(AF_INET, port, 0);
	if (lfd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(*port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 8; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
		    errno != EINPROGRESS) {
			close(fd);
			break;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		n = poll(&pfd, 1, 300);
		if (n == 0) {
			/* The queue is full and SYNs are ignored: usable. */
			close(fd);
			return lfd;
		}
		fill[(*nfill)++] = fd;
	}
	for (i = 0; i < *nfill; i++)
		close(fill[i]);
	*nfill = 0;
	close(lfd);
	return -1;
}

static void
test_timeout(void **state)
{
	struct transcript *tr = transcript_new(256);
	struct net_opts o = { AF_UNSPEC, NULL, 200, NULL };
	unsigned short port = 0;
	char *errstr = NULL;
	int lfd, fill[8], nfill, fd, i;
	int64_t t0, took;

	(void)state;
	lfd = stalled_listener(&port, fill, &nfill);
	if (lfd < 0) {
		transcript_free(tr);
		skip();
	}
	t0 = util_now_us();
	assert_int_equal(do_connect("127.0.0.1", port, &o, tr, &fd, &errstr),
	    ERR_TIMEOUT);
	took = util_now_us() - t0;
	assert_true(took >= 200000);
	assert_true(took < 5000000);
	assert_non_null(errstr);
	assert_non_null(strstr(errstr, "127.0.0.1: timed out"));
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connection to 127.0.0.1 port %u timed out after 200 ms", port));
	free(errstr);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
	transcript_free(tr);
}

/* The first address hangs, times out, and the second one answers. */
static void
test_timeout_then_next(void **state)
{
	struct transcript *tr = transcript_new(256);
	struct net_opts o = { AF_UNSPEC, NULL, 200, NULL };
	unsigned short port = 0, p6;
	char *errstr = NULL, peer[NI_MAXHOST];
	int lfd, l6, fill[8], nfill, fd, i;

	(void)state;
	lfd = stalled_listener(&port, fill, &nfill);
	if (lfd < 0) {
		transcript_free(tr);
		skip();
	}
	p6 = port;
	l6 = loop_socket(AF_INET6, &p6, 8);
	if (l6 < 0) {
		for (i = 0; i < nfill; i++)
			close(fill[i]);
		close(lfd);
		transcript_free(tr);
		skip();
	}
	assert_int_equal(do_connect("v4first.pigeon.test", port, &o, tr, &fd,
	    &errstr), ERR_OK);
	assert_true(fd >= 0);
	assert_int_equal(accept_family(l6, peer, sizeof(peer)), AF_INET6);
	assert_true(has_eventf(tr, TR_CONNECT,
	    "connection to 127.0.0.1 port %u timed out", port));
	assert_true(has_eventf(tr, TR_CONNECT, "connected to ::1 port %u",
	    port));
	close(fd);
	close(l6);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
	transcript_free(tr);
}

/* A wake-up with no events before the deadline is not a timeout. */
static void
test_step_without_events(void **state)
{
	struct net_connect *c;
	struct pollfd pfd;
	unsigned short port = 0;
	char serv[16], *errstr = NULL;
	int lfd, fd = 7, to;

	(void)state;
	lfd = loop_socket(AF_INET, &port, 8);
	assert_true(lfd >= 0);
	(void)snprintf(serv, sizeof(serv), "%u", port);
	assert_int_equal(net_connect_start(&c, "127.0.0.1", serv, NULL, NULL,
	    &errstr), ERR_OK);
	to = net_connect_pollfd(c, &pfd);
	assert_true(pfd.fd >= 0);
	assert_int_equal(pfd.events, POLLOUT);
	assert_true(to > 29000 && to <= 30000);
	assert_int_equal(net_connect_step(c, 0, &fd, &errstr), ERR_OK);
	assert_int_equal(fd, -1);
	assert_true(poll(&pfd, 1, 5000) == 1);
	assert_int_equal(net_connect_step(c, pfd.revents, &fd, &errstr),
	    ERR_OK);
	assert_true(fd >= 0);
	/* Once handed over, further steps are a caller bug, not a hang. */
	assert_int_equal(net_connect_step(c, POLLOUT, &to, &errstr),
	    ERR_SOFTWARE);
	free(errstr);
	net_connect_free(c);
	net_connect_free(NULL);
	close(fd);
	close(lfd);
}

static void
test_transport(void **state)
{
	struct transport t;
	char buf[65536];
	ssize_t n;
	size_t total;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	net_transport(&t, sv[0]);
	assert_int_equal(t.fd, sv[0]);
	assert_int_equal(t.tls, 0);
	assert_int_equal(t.ops->pending(t.ctx), 0);
	assert_non_null(t.ops->errmsg(t.ctx));

	/* Nothing to read yet. */
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)),
	    TRANSPORT_WANT_READ);
	/* Out and back. */
	assert_int_equal(t.ops->write(t.ctx, "EHLO x\r\n", 8), 8);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "EHLO x\r\n", 8);
	assert_int_equal(write(sv[1], "250 ok\r\n", 8), 8);
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "250 ok\r\n", 8);

	/* Fill the socket until it pushes back. */
	memset(buf, 'x', sizeof(buf));
	total = 0;
	for (;;) {
		n = t.ops->write(t.ctx, buf, sizeof(buf));
		if (n == TRANSPORT_WANT_WRITE)
			break;
		assert_true(n > 0);
		total += (size_t)n;
		assert_true(total < 256u * 1024 * 1024);
	}
	assert_true(total > 0);

	/* The peer finishes: end of stream. */
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_int_equal(t.ops->read(t.ctx, buf, sizeof(buf)), 0);

	/*
	 * The peer is gone: an error with a message, and no SIGPIPE (which
	 * would kill this test, as nothing here ignores it).
	 */
	close(sv[1]);
	n = t.ops->write(t.ctx, "QUIT\r\n", 6);
	assert_int_equal(n, -1);
	assert_string_equal(t.ops->errmsg(t.ctx), strerror(EPIPE));
	close(sv[0]);

	/* A descriptor that is not open at all. */
	net_transport(&t, sv[0]);
	assert_int_equal(t.ops->read(t.ctx, buf, 1), -1);
	assert_string_equal(t.ops->errmsg(t.ctx), strerror(EBADF));
}

/* Plain pipes work too (write() instead of send()), handy for tests. */
static void
test_transport_pipe(void **state)
{
	struct transport t;
	char buf[16];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	net_transport(&t, p[1]);
	assert_int_equal(t.ops->write(t.ctx, "abc", 3), 3);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	close(p[0]);
	close(p[1]);
}

static void
test_nodelay(void **state)
{
	int fd, v = 0, sv[2];
	socklen_t len = sizeof(v);

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(net_set_nodelay(fd), 0);
	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len),
	    0);
	assert_true(v != 0);
	close(fd);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(net_set_nodelay(sv[0]), -1);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ipv4),
		cmocka_unit_test(test_connect_ipv6),
		cmocka_unit_test(test_connect_localhost),
		cmocka_unit_test(test_failover_v6_refused),
		cmocka_unit_test(test_failover_v4_refused),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_all_refused),
		cmocka_unit_test(test_resolve_fail),
		cmocka_unit_test(test_family_option),
		cmocka_unit_test(test_source_address),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_then_next),
		cmocka_unit_test(test_step_without_events),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_transport_pipe),
		cmocka_unit_test(test_nodelay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
