/* https.c - one HTTPS request (https.h) over the TLS client of tls.h: connect, verify, send, read the response; built into the ssl module. */
/* SPDX-License-Identifier: ISC */
#include "https.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "i18n.h"
#include "net.h"
#include "tls.h"
#include "util.h"

struct https_url {
	char host[256];
	char port[8];
	const char *path;        /* into the URL; "/" when it has none */
	int port_given;
};

static int
url_split(const char *url, struct https_url *u, char **errstr)
{
	const char *p, *end, *colon;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) != 0)
		goto bad;
	/* No spaces or controls: the path goes into the request line. */
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			goto bad;
	p = url + 8;
	end = p + strcspn(p, "/?#");
	u->path = *end == '/' ? end : "/";
	if (*p == '[') {
		colon = memchr(p, ']', (size_t)(end - p));
		if (colon == NULL)
			goto bad;
		n = (size_t)(colon - p - 1);
		p++;
		colon = colon + 1 < end && colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon != NULL ? colon : end) - p);
	}
	if (n == 0 || n >= sizeof(u->host) || memchr(p, '@', n) != NULL)
		goto bad;
	memcpy(u->host, p, n);
	if (colon != NULL) {
		n = (size_t)(end - colon - 1);
		if (n == 0 || n >= sizeof(u->port) ||
		    strspn(colon + 1, "0123456789") < n)
			goto bad;
		memcpy(u->port, colon + 1, n);
		u->port_given = 1;
	} else {
		(void)snprintf(u->port, sizeof(u->port), "443");
#ifdef PIGEON_TEST_HOOKS
		/* A test build: the port of the tests' HTTPS server. */
		p = getenv("PIGEON_TEST_HTTPS_PORT");
		if (p != NULL && *p != '\0' && strlen(p) < sizeof(u->port))
			(void)snprintf(u->port, sizeof(u->port), "%s", p);
#endif
	}
	return 0;
bad:
	util_seterr(errstr, _("'%s' is not an https:// URL"), url);
	return -1;
}

static int
ms_left(int64_t deadline)
{
	int64_t left = (deadline - util_now_us()) / 1000;

	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Wait for events on fd until the deadline: 0, or -1 on timeout. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int r;

	do
		r = poll(&p, 1, ms_left(deadline));
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

static enum err
timed_out(char **errstr, const char *host)
{
	util_seterr(errstr, _("%s did not answer in time"), host);
	return ERR_TIMEOUT;
}

static enum err
connect_to(const struct https_request *rq, const struct https_url *u,
    int64_t deadline, int *fd, char **errstr)
{
	/* No proxy: a policy fetch goes where the probe's DNS says. */
	struct net_opts no = { rq->family, NULL, ms_left(deadline), NULL };
	struct net_connect *nc = NULL;
	struct pollfd p;
	enum err e;
	int r, ms;

	*fd = -1;
	e = net_connect_start(&nc, rq->connect_addr != NULL ?
	    rq->connect_addr : u->host, u->port, &no, rq->tr, errstr);
	while (e == ERR_OK && *fd < 0) {
		ms = net_connect_pollfd(nc, &p);
		r = poll(&p, p.fd >= 0 ? 1 : 0, ms);
		if (r < 0 && errno == EINTR)
			continue;
		e = net_connect_step(nc, r > 0 ? p.revents : 0, fd, errstr);
	}
	net_connect_free(nc);
	return e;
}

static enum err
handshake(struct tls *t, int fd, const char *host, int64_t deadline,
    char **errstr)
{
	enum err e;
	int want;

	for (;;) {
		if ((e = tls_handshake(t, &want, errstr)) != ERR_OK ||
		    want == 0)
			return e;
		if (wait_fd(fd, (short)want, deadline) < 0)
			return timed_out(errstr, host);
	}
}

static enum err
write_all(struct transport *t, const char *p, size_t n, const char *host,
    int64_t deadline, char **errstr)
{
	ssize_t w;

	while (n > 0) {
		w = t->ops->write(t->ctx, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w == TRANSPORT_WANT_READ || w == TRANSPORT_WANT_WRITE) {
			if (wait_fd(t->fd, w == TRANSPORT_WANT_READ ? POLLIN :
			    POLLOUT, deadline) < 0)
				return timed_out(errstr, host);
		} else {
			util_seterr(errstr, _("cannot send to %s: %s"), host,
			    t->ops->errmsg(t->ctx));
			return ERR_NET;
		}
	}
	return ERR_OK;
}

/* The request: line, headers, body. */
static int
build(const struct https_request *rq, const struct https_url *u,
    struct buf *b)
{
	size_t i;
	int r;

	if (*rq->method == '\0' || strspn(rq->method,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(rq->method))
		return -1;
	r = buf_printf(b, "%s %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n"
	    "User-Agent: pigeon/%s\r\nConnection: close\r\n",
	    rq->method, u->path, strchr(u->host, ':') != NULL ? "[" : "",
	    u->host, strchr(u->host, ':') != NULL ? "]" : "",
	    u->port_given ? ":" : "", u->port_given ? u->port : "", VERSION);
	for (i = 0; r == 0 && i < rq->nheaders; i++) {
		if (strpbrk(rq->headers[i].name, "\r\n:") != NULL ||
		    strpbrk(rq->headers[i].value, "\r\n") != NULL)
			return -1;
		r = buf_printf(b, "%s: %s\r\n", rq->headers[i].name,
		    rq->headers[i].value);
	}
	if (r == 0 && rq->body != NULL)
		r = buf_printf(b, "Content-Length: %zu\r\n", rq->bodylen);
	r = r < 0 ? r : buf_addstr(b, "\r\n");
	if (r == 0 && rq->body != NULL)
		r = buf_add(b, rq->body, rq->bodylen);
	return r;
}

/* Read until the response is whole (or the connection ends). */
static enum err
read_response(const struct https_request *rq, struct transport *t,
    const char *host, int64_t deadline, struct https_response *rs,
    char **errstr)
{
	size_t max = rq->max_body != 0 ? rq->max_body :
	    HTTPS_MAX_BODY_DEFAULT;
	char chunk[16384];
	struct buf in;
	ssize_t n;
	int r = 1, eof = 0;

	buf_init(&in, max + HTTPS_MAX_HEAD + 1024 * 1024);
	while (r == 1) {
		n = t->ops->read(t->ctx, chunk, sizeof(chunk));
		if (n == TRANSPORT_WANT_READ || n == TRANSPORT_WANT_WRITE) {
			if (wait_fd(t->fd, n == TRANSPORT_WANT_READ ? POLLIN :
			    POLLOUT, deadline) < 0) {
				buf_free(&in);
				return timed_out(errstr, host);
			}
			continue;
		}
		if (n < 0) {
			util_seterr(errstr, _("cannot read from %s: %s"), host,
			    t->ops->errmsg(t->ctx));
			buf_free(&in);
			return ERR_NET;
		}
		eof = n == 0;
		if (n > 0 && buf_add(&in, chunk, (size_t)n) < 0) {
			r = -1;
			util_seterr(errstr, _("the server's answer is larger "
			    "than %zu bytes"), max);
			break;
		}
		r = https_parse_response(in.data != NULL ? in.data : "",
		    in.len, eof, max, rs, errstr);
	}
	buf_free(&in);
	return r == 0 ? ERR_OK : ERR_PROTOCOL;
}

enum err
https_request(const struct https_request *rq, struct https_response *rs,
    char **errstr)
{
	int64_t deadline = util_now_us() + (int64_t)(rq->timeout_ms > 0 ?
	    rq->timeout_ms : 30000) * 1000;
	struct tls_opts to;
	struct https_url u;
	struct transport t;
	struct tls *tls = NULL;
	struct buf req;
	enum err e;
	int fd = -1;

	memset(rs, 0, sizeof(*rs));
	if (url_split(rq->url, &u, errstr) < 0)
		return ERR_CONFIG;
	buf_init(&req, 1024 * 1024 + 64 * 1024);
	if (build(rq, &u, &req) < 0) {
		util_seterr(errstr, _("the HTTPS request cannot be built "
		    "(a method that is not a word in capitals, a header with "
		    "a line break, or too large)"));
		buf_free(&req);
		return ERR_CONFIG;
	}
	/* A connection of its own in the transcript, its times from 0. */
	transcript_begin(rq->tr);
	memset(&to, 0, sizeof(to));
	to.servername = u.host;
	to.verify = 1;
	to.cafile = rq->cafile;
	if ((e = connect_to(rq, &u, deadline, &fd, errstr)) != ERR_OK)
		goto out;
	if ((e = tls_new(&tls, fd, &to, rq->tr, errstr)) != ERR_OK ||
	    (e = handshake(tls, fd, u.host, deadline, errstr)) != ERR_OK)
		goto out;
	tls_transport(&t, tls);
	transcript_emitf(rq->tr, TR_CLIENT, TR_F_TLS, "%s %s HTTP/1.1",
	    rq->method, u.path);
	if ((e = write_all(&t, req.data, req.len, u.host, deadline,
	    errstr)) != ERR_OK ||
	    (e = read_response(rq, &t, u.host, deadline, rs, errstr)) !=
	    ERR_OK)
		goto out;
	transcript_emitf(rq->tr, TR_SERVER, TR_F_TLS, "HTTP/1.1 %d %s",
	    rs->status, rs->reason);
out:
	if (e != ERR_OK)
		https_response_free(rs);
	tls_free(tls);
	if (fd >= 0)
		(void)close(fd);
	buf_free(&req);
	return e;
}
