/* bench_sink.c - "make bench"'s fast SMTP sink: answers every command, absorbs DATA as fast as it can. */
/* SPDX-License-Identifier: ISC */

/*
 * Usage: bench_sink [-c CERT -k KEY]
 *
 * Listens on 127.0.0.1 on a port the kernel picks and prints "port N" on
 * standard output.  Serves any number of sessions at once from one poll()
 * loop, on non-blocking sockets.  EHLO announces PIPELINING and 8BITMIME,
 * and STARTTLS when a certificate and key are given (OpenSSL, the key in
 * PEM without a passphrase).  Every MAIL, RCPT, RSET, NOOP, HELO and EHLO
 * gets a 250, DATA a 354, the end of the data a 250, QUIT a 221; other
 * commands a 502.  Replies to pipelined commands go out together, in one
 * write, once the commands read so far are answered.
 *
 * The message data is not kept: in DATA the sink only looks for the
 * final "CRLF . CRLF": memchr() for the dot over each block read, and a
 * small state machine for an end that straddles two reads.
 *
 * At each QUIT it prints "quit sess=S quit=Q mesg=M bytes=B" (sessions
 * open, QUITs, messages and data bytes so far) on standard output, which
 * bench.py reads to check that every message arrived.  SIGTERM or SIGINT
 * end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAXCONN 256
#define INSIZE (256 * 1024)
#define OUTSIZE (64 * 1024)
#define MAXLINE 4096

/* The end of the data, CRLF . CRLF; DATA's own CRLF counts as its start. */
static const char DOT[] = "\r\n.\r\n";

enum phase { P_CMD, P_DATA, P_HANDSHAKE, P_CLOSING };

struct conn {
	int fd;
	SSL *ssl;
	enum phase phase;
	int dot;		/* bytes of DOT matched at the end of the last read */
	int want_write;		/* the last TLS call asked for POLLOUT */
	size_t inlen;		/* a partial command line kept in in[] */
	size_t outlen;
	char in[INSIZE];
	char out[OUTSIZE];
};

static volatile sig_atomic_t stop;
static SSL_CTX *ctx;
static unsigned long long sessions, quits, messages, bytes;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
counters(void)
{
	printf("quit sess=%llu quit=%llu mesg=%llu bytes=%llu\n", sessions,
	    quits, messages, bytes);
	if (fflush(stdout) == EOF)
		stop = 1;
}

static int
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void
reply(struct conn *c, const char *text)
{
	size_t n = strlen(text);

	/* Room is made sure of before each command is read. */
	if (c->outlen + n <= sizeof(c->out)) {
		memcpy(c->out + c->outlen, text, n);
		c->outlen += n;
	}
}

/* Advance the end-of-data automaton over p[0..n); the offset just past
 * the end, or -1 with c->dot updated. */
static long
data_end(struct conn *c, const char *p, size_t n)
{
	size_t i = 0;
	const char *hit;

	/* A partial end from the last read: step byte by byte until it
	 * completes or falls apart. */
	while (i < n && c->dot > 0) {
		if (p[i] == DOT[c->dot])
			c->dot++;
		else
			c->dot = p[i] == '\r';
		i++;
		if (c->dot == 5)
			return (long)i;
	}
	/* No partial end before p + i: look for the dot itself, rare in
	 * mail (none in base64), and check the bytes around it. */
	for (hit = p + i; (hit = memchr(hit, '.', n - (size_t)(hit - p)));
	    hit++) {
		size_t k = (size_t)(hit - p);

		if (k >= i + 2 && k + 2 < n && p[k - 2] == '\r' &&
		    p[k - 1] == '\n' && p[k + 1] == '\r' && p[k + 2] == '\n')
			return (long)k + 3;
		if (k + 1 >= n)
			break;
	}
	/* No end here: how much of one the last bytes are. */
	c->dot = 0;
	for (i = n - i > 4 ? n - 4 : i; i < n; i++) {
		if (p[i] == DOT[c->dot])
			c->dot++;
		else
			c->dot = p[i] == '\r';
	}
	return -1;
}

static int
starttls(struct conn *c)
{
	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	c->phase = P_HANDSHAKE;
	c->inlen = 0;		/* RFC 3207: nothing pipelined after it */
	return 0;
}

static int
command(struct conn *c, char *line)
{
	if (strncasecmp(line, "EHLO", 4) == 0) {
		reply(c, "250-bench-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n");
		reply(c, ctx != NULL && c->ssl == NULL ?
		    "250-STARTTLS\r\n250 SIZE 0\r\n" : "250 SIZE 0\r\n");
	} else if (strncasecmp(line, "DATA", 4) == 0) {
		reply(c, "354 go ahead\r\n");
		c->phase = P_DATA;
		c->dot = 2;
	} else if (strncasecmp(line, "QUIT", 4) == 0) {
		reply(c, "221 bye\r\n");
		c->phase = P_CLOSING;
		quits++;
		counters();
	} else if (strncasecmp(line, "STARTTLS", 8) == 0 && ctx != NULL &&
	    c->ssl == NULL) {
		reply(c, "220 ready\r\n");
		return 1;
	} else if (strncasecmp(line, "MAIL", 4) == 0 ||
	    strncasecmp(line, "RCPT", 4) == 0 ||
	    strncasecmp(line, "RSET", 4) == 0 ||
	    strncasecmp(line, "NOOP", 4) == 0 ||
	    strncasecmp(line, "HELO", 4) == 0) {
		reply(c, "250 ok\r\n");
	} else {
		reply(c, "502 5.5.1 not here\r\n");
	}
	return 0;
}

/* Handle in[0..len): commands and data.  Returns 1 when STARTTLS was
 * answered (the reply must go out in clear first), -1 on a line too
 * long, else 0. */
static int
consume(struct conn *c, size_t len)
{
	size_t pos = 0;

	while (pos < len && c->phase != P_CLOSING) {
		char *nl;
		long end;

		if (c->phase == P_DATA) {
			end = data_end(c, c->in + pos, len - pos);
			if (end < 0) {
				bytes += len - pos;
				pos = len;
				break;
			}
			bytes += (size_t)end;
			pos += (size_t)end;
			messages++;
			c->phase = P_CMD;
			reply(c, "250 2.0.0 ok\r\n");
			continue;
		}
		if (sizeof(c->out) - c->outlen < 512)
			break;	/* answer what came first */
		nl = memchr(c->in + pos, '\n', len - pos);
		if (nl == NULL)
			break;
		*nl = '\0';
		if (command(c, c->in + pos) == 1) {
			pos = (size_t)(nl - c->in) + 1;
			c->inlen = 0;
			return 1;
		}
		pos = (size_t)(nl - c->in) + 1;
	}
	if (len - pos > MAXLINE && c->phase == P_CMD)
		return -1;
	memmove(c->in, c->in + pos, len - pos);
	c->inlen = len - pos;
	return 0;
}

/* Send what out[] holds; 0 when done or blocked, -1 on an error. */
static int
flush_out(struct conn *c)
{
	size_t done = 0;

	c->want_write = 0;
	while (done < c->outlen) {
		ssize_t n;

		if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, c->out + done,
			    (int)(c->outlen - done));

			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);

				if (e != SSL_ERROR_WANT_WRITE &&
				    e != SSL_ERROR_WANT_READ)
					return -1;
				c->want_write = e == SSL_ERROR_WANT_WRITE;
				break;
			}
			n = r;
		} else {
			n = write(c->fd, c->out + done, c->outlen - done);
			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				c->want_write = 1;
				break;
			}
			if (n < 0)
				return -1;
		}
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->outlen - done);
	c->outlen -= done;
	if (c->outlen > 0 && c->ssl == NULL)
		c->want_write = 1;
	return 0;
}

/* Read what there is; 0 to go on, -1 to close. */
static int
serve(struct conn *c)
{
	if (c->phase == P_HANDSHAKE) {
		int r = SSL_accept(c->ssl), e;

		if (r != 1) {
			e = SSL_get_error(c->ssl, r);
			c->want_write = e == SSL_ERROR_WANT_WRITE;
			return e == SSL_ERROR_WANT_READ || c->want_write ?
			    0 : -1;
		}
		/* The EHLO may be in OpenSSL's buffer already. */
		c->phase = P_CMD;
	}
	if (c->outlen > 0) {
		if (flush_out(c) < 0)
			return -1;
		if (c->outlen > 0)
			return 0;
	}
	for (;;) {
		size_t room = sizeof(c->in) - c->inlen;
		ssize_t n;
		int r;

		if (c->phase == P_CLOSING)
			break;
		if (c->ssl != NULL) {
			r = SSL_read(c->ssl, c->in + c->inlen, (int)room);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);

				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE) {
					c->want_write =
					    e == SSL_ERROR_WANT_WRITE;
					break;
				}
				return -1;
			}
			n = r;
		} else {
			n = read(c->fd, c->in + c->inlen, room);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0)
				return -1;
		}
		r = consume(c, c->inlen + (size_t)n);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (flush_out(c) < 0 || c->outlen > 0 ||
			    starttls(c) < 0)
				return -1;
			return 0;
		}
		if (c->outlen > 0 && sizeof(c->out) - c->outlen < 512) {
			/* Let the client read its replies, then go on with
			 * what OpenSSL may hold already. */
			if (flush_out(c) < 0)
				return -1;
			if (c->outlen > 0)
				return 0;
		}
	}
	if (flush_out(c) < 0)
		return -1;
	return c->phase == P_CLOSING && c->outlen == 0 ? -1 : 0;
}

static void
drop(struct conn **cs, size_t i)
{
	struct conn *c = cs[i];

	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (close(c->fd) < 0)
		perror("bench_sink: close");
	free(c);
	cs[i] = NULL;
	sessions--;
}

static int
accept_one(int lfd, struct conn **cs)
{
	struct conn *c;
	int fd, one = 1;
	size_t i;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return errno == EAGAIN || errno == EINTR ||
		    errno == ECONNABORTED ? 0 : -1;
	for (i = 0; i < MAXCONN && cs[i] != NULL; i++)
		;
	c = i < MAXCONN ? malloc(sizeof(*c)) : NULL;
	if (c == NULL || nonblock(fd) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		free(c);
		if (close(fd) < 0)
			perror("bench_sink: close");
		return 0;
	}
	c->fd = fd;
	c->ssl = NULL;
	c->phase = P_CMD;
	c->dot = 0;
	c->want_write = 0;
	c->inlen = 0;
	c->outlen = 0;
	cs[i] = c;
	sessions++;
	reply(c, "220 bench-sink ESMTP\r\n");
	if (flush_out(c) < 0)
		drop(cs, i);
	return 0;
}

static int
listener(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 128) < 0 || nonblock(fd) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	printf("port %u\n", (unsigned)ntohs(sa.sin_port));
	if (fflush(stdout) == EOF) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
tls_setup(const char *cert, const char *key)
{
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return 0;
}

static int
loop(int lfd)
{
	static struct conn *cs[MAXCONN];
	struct pollfd pfd[MAXCONN + 1];
	size_t idx[MAXCONN + 1];

	while (!stop) {
		nfds_t n = 1, k;

		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (size_t i = 0; i < MAXCONN; i++) {
			if (cs[i] == NULL)
				continue;
			pfd[n].fd = cs[i]->fd;
			pfd[n].events = cs[i]->want_write ? POLLOUT : POLLIN;
			idx[n++] = i;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("bench_sink: poll");
			return -1;
		}
		for (k = 1; k < n; k++) {
			if (pfd[k].revents != 0 && serve(cs[idx[k]]) < 0)
				drop(cs, idx[k]);
		}
		if ((pfd[0].revents & POLLIN) && accept_one(lfd, cs) < 0) {
			perror("bench_sink: accept");
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL;
	struct sigaction sa;
	int c, lfd, rc;

	while ((c = getopt(argc, argv, "c:k:")) != -1) {
		switch (c) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench_sink [-c CERT -k KEY]\n");
			return 2;
		}
	}
	if ((cert == NULL) != (key == NULL) || optind != argc) {
		fprintf(stderr, "usage: bench_sink [-c CERT -k KEY]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		perror("bench_sink: signals");
		return 2;
	}
	if (cert != NULL && tls_setup(cert, key) < 0)
		return 2;
	lfd = listener();
	if (lfd < 0) {
		perror("bench_sink: listen on 127.0.0.1");
		return 2;
	}
	rc = loop(lfd);
	counters();
	SSL_CTX_free(ctx);
	return rc < 0 || close(lfd) < 0 ? 1 : 0;
}
